"""MMR's lambda (relevance against redundancy) chosen on the folds of ReDial's fit half.

Every fit-half turn is retrieved once by the app's own path (``tuning.fit_cases``: tables from
the other folds) and ordered with the shipped weights at each lambda. Printed per lambda: R@10,
hits per fold (a choice should hold on every fold, not on the sum), and the top ten's
intra-list diversity (mean pairwise 1 - cosine of the item vectors), the thing MMR buys. The
eval half is never read.

    MAGPIE_SHARED_DATA=../shared/data .venv/bin/python scripts/experiments/choose_mmr_lambda.py
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

LAMBDAS = (0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0)


def diversity(case: tuning._Case, ranked: list[str]) -> float:
    """Mean pairwise 1 - cosine over the first ten items (seen ones left out)."""
    where = {i: j for j, i in enumerate(case.ids)}
    top = [where[i] for i in ranked if i not in case.turn.seen][: tuning.CUTOFF]
    if len(top) < 2:
        return 0.0
    v = case.text[case.positions[top]]
    sims = v @ v.T
    n = len(top)
    return float(1.0 - (sims.sum() - np.trace(sims)) / (n * (n - 1)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=SHARED / "redial")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    rec = Recommender.from_settings(settings_from(None).with_(llm_backend="none"))
    cases, plain = tuning.fit_cases(rec, args.data, args.limit)
    content = active_weights(rec, rec.catalog("movies"), content=True)
    total = sum(len(c.turn.targets) for c in cases)
    out = {}
    for lam in LAMBDAS:
        by_fold = [0] * FOLDS
        ild = []
        for c in cases:
            ranked = c.top(content if c.content else plain, lam)
            by_fold[fold_of(c.turn.dialog_id)] += c.hits_of(ranked)
            ild.append(diversity(c, ranked))
        out[str(lam)] = {
            "recall@10": round(sum(by_fold) / total, 4),
            "hits_by_fold": by_fold,
            "ild@10": round(float(np.mean(ild)), 4),
        }
        print(lam, out[str(lam)], file=sys.stderr, flush=True)
    print(json.dumps(out, indent=1))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
