"""Re-run the fit-half choice of the popularity gate and the genre-guess share (README, "Evaluation").

    .venv/bin/python scripts/experiments/choose_popularity_gate.py [--limit N]

Replays ReDial's fit half (each of five folds ranked with tables learned from the other four,
as `magpie eval crs --split fit` does) once per variant and prints R@10, R@50 and NDCG@10 of the
app's ranking. The eval half is never read. About 2 min per variant on 2 cores.
"""

from __future__ import annotations

import argparse
import time

from recommender.catalogue import words as tables
from recommender.config import load_settings
from recommender.evaluation.crs import (
    K_MAX,
    CrsDataset,
    Scored,
    candidates_cache,
    prepared_groups,
)
from recommender.evaluation.run import SHARED
from recommender.pipeline import Recommender
from recommender.rank import retrieval

# name: (share of co-mentions a guessed genre needs, or None for no guesses;
#        share of popularity kept by an item with none of the wanted attributes)
VARIANTS = {
    "no gate, no guesses": (None, 1.0),
    "gate 0.3, no guesses": (None, 0.3),
    "guesses 0.34, no gate": (0.34, 1.0),
    "guesses 0.34, gate 0": (0.34, 0.0),
    "guesses 0.34, gate 0.3 (chosen)": (0.34, 0.3),
    "guesses 0.34, gate 0.5": (0.34, 0.5),
    "guesses 0.25, gate 0.3": (0.25, 0.3),
    "guesses 0.5, gate 0.3": (0.5, 0.3),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N fit-half turns")
    args = parser.parse_args()
    rec = Recommender.from_settings(load_settings())
    dataset = CrsDataset.load(SHARED / "redial")
    chosen = (tables.GUESS_SHARE, retrieval.UNMATCHED_POPULARITY)
    with prepared_groups(rec, dataset, "fit", args.limit) as (groups, _coverage):
        for name, (share, unmatched) in VARIANTS.items():
            started = time.perf_counter()
            retrieval.UNMATCHED_POPULARITY = unmatched  # read by Retriever at query time
            scored = Scored()
            for group in groups:
                data = group.data
                data.guessed = (
                    tables.guess_words(
                        data.items, data.cooccur, data.spec.kind_fields[0], share=share
                    )
                    if share is not None
                    else [frozenset()] * len(data.items)
                )
                app = Recommender(rec.settings, rec.models, None)
                for turn, candidates in candidates_cache(rec, group):
                    ranked = app.order(data, candidates, K_MAX + len(turn.seen))
                    scored.add("magpie", turn, [s.item.id for s in ranked])
                    scored.groups.extend([turn.dialog_id] * len(turn.targets))
            m = scored.summary()["magpie"]
            print(
                f"{name:34s} R@10 {m['recall@10']:.4f}  R@50 {m['recall@50']:.4f}  "
                f"NDCG@10 {m['ndcg@10']:.4f}  ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    tables.GUESS_SHARE, retrieval.UNMATCHED_POPULARITY = chosen


if __name__ == "__main__":
    main()
