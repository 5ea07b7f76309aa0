"""The topic signal's weight chosen on the folds of ReDial's fit half, against the request set.

Every fit-half turn is retrieved once by the app's own path (``tuning.fit_cases``: tables from
the other folds) and ordered with the shipped weights, the topic weight varied. Printed per
weight: R@10 over all turns, hits per fold (a choice should hold on every fold), and R@10 on the
turns whose profile has a topic ("a movie with animals", "docs about musicians"), the only ones
it can move. The eval half is never read.

    MAGPIE_SHARED_DATA=../shared/data .venv/bin/python scripts/experiments/choose_topic_weight.py
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from recommender.cli.console import settings_from
from recommender.evaluation import tuning
from recommender.evaluation.crs import FOLDS, active_weights, fold_of
from recommender.evaluation.run import SHARED
from recommender.pipeline import Recommender
from recommender.signals import Signal

WEIGHTS = (0.0, 0.2, 0.35, 0.5, 0.7, 1.0, 1.5)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=SHARED / "redial")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    rec = Recommender.from_settings(settings_from(None).with_(llm_backend="none"))
    cases, plain = tuning.fit_cases(rec, args.data, args.limit)
    content = active_weights(rec, rec.catalog("movies"), content=True)
    lam = rec.settings.mmr_lambda
    total = sum(len(c.turn.targets) for c in cases)
    topical = [c for c in cases if Signal.TOPIC in c.names]
    topical_targets = sum(len(c.turn.targets) for c in topical)
    out: dict[str, object] = {"turns": len(cases), "turns_with_topic": len(topical)}
    for weight in WEIGHTS:
        by_fold = [0] * FOLDS
        hits_topical = 0
        for c in cases:
            weights = {**(content if c.content else plain), Signal.TOPIC: weight}
            hits = c.hits(weights, lam)
            by_fold[fold_of(c.turn.dialog_id)] += hits
            hits_topical += hits if Signal.TOPIC in c.names else 0
        out[str(weight)] = {
            "recall@10": round(sum(by_fold) / total, 4),
            "hits_by_fold": by_fold,
            "topic_turns_recall@10": round(hits_topical / max(topical_targets, 1), 4),
        }
        print(weight, out[str(weight)], file=sys.stderr, flush=True)
    print(json.dumps(out, indent=1))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
