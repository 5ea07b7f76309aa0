"""Fusion methods compared by cross-validation over the folds of ReDial's fit half.

Every fit-half turn is retrieved once by the app's own path (``tuning.fit_cases``: tables from
the other folds). Each method turns each signal's raw values over a turn's candidates into
comparable numbers, and its weights are learned (coordinate ascent on R@10, as ``--tune``) on
four folds and scored on the fifth: never one fit for all of it. The eval half is never read.

- ``minmax``: today's ``scoring.scale`` (min-max over the candidates), weighted sum;
- ``zscore``: each signal standardised over the candidates, weighted sum;
- ``rrf``: reciprocal-rank fusion, ``1 / (60 + rank)`` per signal that gives the item a value;
- ``rank``: each signal's percentile rank over the candidates (robust to outliers);
- each signal alone, and today's weights (fusion.json, learned on the whole fit half) as shipped.

    MAGPIE_SHARED_DATA=../shared/data .venv/bin/python scripts/experiments/compare_fusion.py
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from recommender.cli.console import settings_from
from recommender.evaluation import tuning
from recommender.evaluation.crs import FOLDS, active_weights, fold_of
from recommender.evaluation.run import SHARED
from recommender.pipeline import Recommender
from recommender.rank.scoring import scale

RRF_K = 60.0  # the constant of Cormack et al. (2009)


def zscore(values: np.ndarray) -> np.ndarray:
    v = np.asarray(values, dtype=np.float32)
    sd = float(v.std())
    return np.zeros_like(v) if sd <= 1e-9 else (v - float(v.mean())) / sd


def rrf(values: np.ndarray) -> np.ndarray:
    v = np.asarray(values, dtype=np.float32)
    order = np.argsort(-v, kind="stable")
    rank = np.empty(len(v), dtype=np.float32)
    rank[order] = np.arange(1, len(v) + 1, dtype=np.float32)
    out = 1.0 / (RRF_K + rank)
    out[v <= (v.min() if np.ptp(v) > 0 else np.inf)] = 0.0  # no value, no vote
    return out * RRF_K  # about 1 for the top, so weights keep their usual size


def percentile(values: np.ndarray) -> np.ndarray:
    v = np.asarray(values, dtype=np.float32)
    if len(v) < 2 or np.ptp(v) <= 1e-9:
        return np.zeros_like(v)
    order = np.argsort(v, kind="stable")
    out = np.empty(len(v), dtype=np.float32)
    out[order] = np.arange(len(v), dtype=np.float32) / (len(v) - 1)
    return out


METHODS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "minmax": scale,
    "zscore": zscore,
    "rrf": rrf,
    "rank": percentile,
}
# On 60 turns "rank" trailed the others by far (R@10 0.07 against 0.17-0.19): --methods skips it.


def recall(cases: list[tuning._Case], weights: dict[str, float], lam: float) -> tuple[int, int]:
    found = sum(c.hits(weights, lam) for c in cases)
    return found, sum(len(c.turn.targets) for c in cases)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=SHARED / "redial")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--methods", default=",".join(METHODS), help="comma-separated")
    ap.add_argument(
        "--final", action="store_true", help="also learn each method's weights on all the folds"
    )
    args = ap.parse_args()

    rec = Recommender.from_settings(settings_from(None).with_(llm_backend="none"))
    lam = rec.settings.mmr_lambda
    raw_cases, shipped = tuning.fit_cases(rec, args.data, args.limit, keep_raw=True)
    base = rec.catalog("movies")
    shipped_content = active_weights(rec, base, content=True)
    print(f"{len(raw_cases)} fit-half turns retrieved once", file=sys.stderr)
    out: dict[str, dict[str, float]] = {}
    for method in args.methods.split(","):
        transform = METHODS[method]
        cases = [
            replace(
                c, scaled=np.stack([transform(r) for r in c.raw]) if c.raw is not None else c.scaled
            )
            for c in raw_cases
        ]
        per_fold = {}
        learnt_by_fold: dict[int, dict[str, dict[str, float]]] = {}
        for fold in range(FOLDS):
            train = [c for c in cases if fold_of(c.turn.dialog_id) != fold]
            test = [c for c in cases if fold_of(c.turn.dialog_id) == fold]
            found: dict[str, tuple[int, int]] = {}
            learnt_by_fold[fold] = {}
            for content in (False, True):
                learnt = tuning._ascend(
                    [c for c in train if c.content == content],
                    shipped_content if content else shipped,  # each condition from its own
                    lam,
                    args.rounds,
                    tuning.POPULARITY_CAP if content else None,
                    lambda line: None,
                )["weights"]
                learnt_by_fold[fold][str(content)] = learnt
                found[str(content)] = recall([c for c in test if c.content == content], learnt, lam)
            hit = sum(f for f, _ in found.values())
            total = sum(t for _, t in found.values())
            per_fold[fold] = (hit, total)
            print(method, "fold", fold, hit, total, learnt_by_fold[fold], file=sys.stderr)
        hits = sum(h for h, _ in per_fold.values())
        total = sum(t for _, t in per_fold.values())
        out[method] = {
            "cv_recall@10": round(hits / total, 4),
            "hits_by_fold": [per_fold[f][0] for f in range(FOLDS)],
            "weights_by_fold": learnt_by_fold,
        }
        if args.final:  # the weights to ship: learned on every fold (the CV figure is above)
            for content in (False, True):
                learnt = tuning._ascend(
                    [c for c in cases if c.content == content],
                    shipped_content if content else shipped,
                    lam,
                    args.rounds,
                    tuning.POPULARITY_CAP if content else None,
                    lambda line: None,
                )
                key = "content_weights" if content else "weights"
                out[method][key] = learnt["weights"]
                out[method][f"{key}_fit_recall@10"] = learnt["fit_recall@10"]
        if method == "minmax":
            for name in sorted({n for c in cases for n in c.names}):
                alone = {n: (1.0 if n == name else 0.0) for n in shipped}
                h, t = recall(cases, alone, lam)
                out[f"{name} alone"] = {"recall@10": round(h / t, 4)}
            h1, t1 = recall([c for c in cases if not c.content], shipped, lam)
            h2, t2 = recall([c for c in cases if c.content], shipped_content, lam)
            by_fold = [
                recall(
                    [c for c in cases if fold_of(c.turn.dialog_id) == f and not c.content],
                    shipped,
                    lam,
                )[0]
                + recall(
                    [c for c in cases if fold_of(c.turn.dialog_id) == f and c.content],
                    shipped_content,
                    lam,
                )[0]
                for f in range(FOLDS)
            ]
            out["shipped weights (fit on all of it)"] = {
                "recall@10": round((h1 + h2) / (t1 + t2), 4),
                "hits_by_fold": by_fold,
            }
        print(method, out[method], file=sys.stderr)
    print(json.dumps(out, indent=1))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
