"""Earlier conversations as whole dialogues or as turns, on the folds of ReDial's fit half.

The ``dialogues`` signal finds the fit-half conversations whose seeker words are nearest what
the person has said so far, and lets them vote. Variants of what one "conversation" is:

- ``dialogue`` (shipped): a dialogue's seeker words over all of it; votes for every movie it
  mentions;
- ``turn``: each recommender turn on its own, the seeker's words up to it; votes for the movies
  recommended in that turn (what was recommended to talk like this, at that point);
- ``both``: the two sets together.

Every fit-half turn is retrieved with tables from the other folds (``tuning.fit_cases``), fused
with the shipped weights while the ``dialogues`` weight varies; R@10 per fold. The eval half is
never read.

    MAGPIE_SHARED_DATA=../shared/data .venv/bin/python scripts/experiments/compare_dialogue_turns.py
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from recommender.cli.console import settings_from
from recommender.evaluation import tuning
from recommender.evaluation.crs import FOLDS, CrsDataset, active_weights, fold_of, seeker_text
from recommender.evaluation.run import SHARED
from recommender.pipeline import Recommender

WEIGHTS = (0.35, 0.7, 1.0, 1.4)
_WHOLE = CrsDataset.conversations


def by_turn(self: CrsDataset, dialog_ids: Sequence[str]) -> list[tuple[str, list[str]]]:
    out = []
    for d in dialog_ids:
        for t in self.dialogues[d]:
            items = [self.ids[i] for i in t["rec"] if i in self.ids]
            if items:
                out.append((seeker_text(t["context"]), items))
    return out


def both(self: CrsDataset, dialog_ids: Sequence[str]) -> list[tuple[str, list[str]]]:
    return _WHOLE(self, dialog_ids) + by_turn(self, dialog_ids)


VARIANTS = {"dialogue": _WHOLE, "turn": by_turn, "both": both}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=SHARED / "redial")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    rec = Recommender.from_settings(settings_from(None).with_(llm_backend="none"))
    lam = rec.settings.mmr_lambda
    out: dict[str, dict[str, object]] = {}
    for variant in args.variants.split(","):
        CrsDataset.conversations = VARIANTS[variant]  # type: ignore[method-assign]
        cases, plain = tuning.fit_cases(rec, args.data, args.limit)
        content = active_weights(rec, rec.catalog("movies"), content=True)
        total = sum(len(c.turn.targets) for c in cases)
        for w in WEIGHTS:
            by_fold = [0] * FOLDS
            for c in cases:
                weights = {**(content if c.content else plain)}
                if c.content:
                    weights["dialogues"] = w
                by_fold[fold_of(c.turn.dialog_id)] += c.hits(weights, lam)
            out[f"{variant} {w}"] = {
                "recall@10": round(sum(by_fold) / total, 4),
                "hits_by_fold": by_fold,
            }
            print(variant, w, out[f"{variant} {w}"], file=sys.stderr, flush=True)
        alone = {n: (1.0 if n == "dialogues" else 0.0) for n in plain}
        hits = sum(c.hits(alone, lam) for c in cases)
        out[f"{variant} alone"] = {"recall@10": round(hits / total, 4)}
        print(variant, "alone", out[f"{variant} alone"], file=sys.stderr, flush=True)
    print(json.dumps(out, indent=1))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
