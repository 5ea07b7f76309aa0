"""MMR's lambda (relevance against redundancy) chosen on the folds of ReDial's fit half.

Every fit-half turn is retrieved once by the app's own path (``tuning.fit_cases``: tables from
the other folds) and ordered with the shipped weights at each lambda. Printed per lambda: R@10,
hits per fold (a choice should hold on every fold, not on the sum), and the top ten's
intra-list diversity (mean pairwise 1 - cosine of the item vectors), the thing MMR buys. The
eval half is never read.

    MAGPIE_SHARED_DATA=../shared/data .venv/bin/python scripts/experiments/choose_mmr_lambda.py
"""

from __future__ import annotations

import sys

import numpy as np
from _fit_half import arguments, fit_half, hits_by_fold, report

from recommender.evaluation import tuning

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
    args = arguments(__doc__)
    _, cases, plain, content = fit_half(args)
    total = sum(len(c.turn.targets) for c in cases)
    out = {}
    for lam in LAMBDAS:
        ranked = {id(c): c.top(content if c.content else plain, lam) for c in cases}
        by_fold = hits_by_fold(cases, lambda c, ranked=ranked: ranked[id(c)])
        ild = [diversity(c, ranked[id(c)]) for c in cases]
        out[str(lam)] = {
            "recall@10": round(sum(by_fold) / total, 4),
            "hits_by_fold": by_fold,
            "ild@10": round(float(np.mean(ild)), 4),
        }
        print(lam, out[str(lam)], file=sys.stderr, flush=True)
    report(out, args.json)


if __name__ == "__main__":
    main()
