"""A learning-to-rank model against the shipped weighted sum, by cross-validation over the folds
of ReDial's fit half (issue 20, item 4). The eval half is never read.

Every fit-half turn is retrieved once by the app's own path (``tuning.fit_cases``: tables from
the other folds). Each candidate becomes a row of features: every signal min-max scaled over
the turn's candidates (as ``fuse`` scales it) and raw, and whether the turn asks for something;
its label is 1 when it is an item the seeker was recommended. LightGBM's LambdaRank is fitted on
four folds and ranks the fifth; the app's MMR then picks the list from its scores, as it does
from the weighted sum's. Compared on the same turns: the shipped fusion weights (learned on the
whole fit half, so flattered here), and each fold's coordinate-ascent weights.

    MAGPIE_SHARED_DATA=../shared/data .venv/bin/python scripts/experiments/compare_ltr.py

Needs ``pip install lightgbm`` (not a dependency of the app: it ships only if it wins).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from recommender.cli.console import settings_from
from recommender.evaluation import tuning
from recommender.evaluation.crs import FOLDS, active_weights, fold_of
from recommender.evaluation.run import SHARED
from recommender.pipeline import Recommender


def features(case: tuning._Case, names: list[str]) -> np.ndarray:
    """(candidates, 2 * signals + 1): scaled and raw values of every signal, and content."""
    n = len(case.ids)
    scaled = np.zeros((len(names), n), np.float32)
    raw = np.zeros((len(names), n), np.float32)
    for i, name in enumerate(case.names):
        j = names.index(name)
        scaled[j] = case.scaled[i]
        if case.raw is not None:
            raw[j] = case.raw[i]
    content = np.full((1, n), float(case.content), np.float32)
    return np.concatenate([scaled, raw, content]).T


def labels(case: tuning._Case) -> np.ndarray:
    targets = set(case.turn.targets)
    return np.array([i in targets for i in case.ids], dtype=np.int32)


def main() -> None:
    import lightgbm as lgb

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=SHARED / "redial")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--trees", type=int, default=300)
    ap.add_argument("--leaves", type=int, default=15)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    rec = Recommender.from_settings(settings_from(None).with_(llm_backend="none"))
    lam = rec.settings.mmr_lambda
    cases, shipped = tuning.fit_cases(rec, args.data, args.limit, keep_raw=True)
    shipped_content = active_weights(rec, rec.catalog("movies"), content=True)
    names = sorted({n for c in cases for n in c.names})
    total = sum(len(c.turn.targets) for c in cases)
    print(f"{len(cases)} fit-half turns, {total} targets, signals {names}", file=sys.stderr)

    found = {"shipped weights": 0, "weights, fold-fitted": 0, "lambdarank": 0}
    for fold in range(FOLDS):
        train = [c for c in cases if fold_of(c.turn.dialog_id) != fold]
        test = [c for c in cases if fold_of(c.turn.dialog_id) == fold]
        for c in test:
            found["shipped weights"] += c.hits(shipped_content if c.content else shipped, lam)
        learnt = {
            content: tuning._ascend(
                [c for c in train if c.content == content],
                shipped_content if content else shipped,
                lam,
                2,
                tuning.POPULARITY_CAP if content else None,
                lambda line: None,
            )["weights"]
            for content in (False, True)
        }
        for c in test:
            found["weights, fold-fitted"] += c.hits(learnt[c.content], lam)
        useful = [c for c in train if labels(c).any()]
        x = np.concatenate([features(c, names) for c in useful])
        y = np.concatenate([labels(c) for c in useful])
        model = lgb.LGBMRanker(
            objective="lambdarank",
            n_estimators=args.trees,
            learning_rate=0.05,
            num_leaves=args.leaves,
            min_child_samples=50,
            subsample=0.8,
            subsample_freq=1,
            colsample_bytree=0.8,
            lambdarank_truncation_level=20,
            verbose=-1,
            random_state=fold,
        )
        model.fit(x, y, group=[len(c.ids) for c in useful])
        for c in test:
            found["lambdarank"] += c.hits_of(c.top_by(model.predict(features(c, names)), lam))
        print(f"fold {fold}: {found}", file=sys.stderr)
    result = {k: round(v / total, 4) for k, v in found.items()}
    print(json.dumps({"cv_recall@10": result, "turns": len(cases), "targets": total}, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
