"""The topic signal's weight chosen on the folds of ReDial's fit half, against the request set.

Every fit-half turn is retrieved once by the app's own path (``tuning.fit_cases``: tables from
the other folds) and ordered with the shipped weights, the topic weight varied. Printed per
weight: R@10 over all turns, hits per fold (a choice should hold on every fold), and R@10 on the
turns whose profile has a topic ("a movie with animals", "docs about musicians"), the only ones
it can move. The eval half is never read.

    MAGPIE_SHARED_DATA=../shared/data .venv/bin/python scripts/experiments/choose_topic_weight.py
"""

from __future__ import annotations

import sys

from _fit_half import arguments, fit_half, hits_by_fold, report

from recommender.signals import Signal

WEIGHTS = (0.0, 0.2, 0.35, 0.5, 0.7, 1.0, 1.5)


def main() -> None:
    args = arguments(__doc__)
    rec, cases, plain, content = fit_half(args)
    lam = rec.settings.mmr_lambda
    total = sum(len(c.turn.targets) for c in cases)
    topical = [c for c in cases if Signal.TOPIC in c.names]
    topical_targets = sum(len(c.turn.targets) for c in topical)
    out: dict[str, object] = {"turns": len(cases), "turns_with_topic": len(topical)}
    for weight in WEIGHTS:

        def ranked(c, weight=weight):
            return c.top({**(content if c.content else plain), Signal.TOPIC: weight}, lam)

        by_fold = hits_by_fold(cases, ranked)
        hits_topical = sum(hits_by_fold(topical, ranked))
        out[str(weight)] = {
            "recall@10": round(sum(by_fold) / total, 4),
            "hits_by_fold": by_fold,
            "topic_turns_recall@10": round(hits_topical / max(topical_targets, 1), 4),
        }
        print(weight, out[str(weight)], file=sys.stderr, flush=True)
    report(out, args.json)


if __name__ == "__main__":
    main()
