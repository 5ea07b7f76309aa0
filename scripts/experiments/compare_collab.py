"""Co-mentions against EASE on ReDial's fit half, from the annotated titles alone (seconds).

For every fit-half recommendation turn, items are scored by the rows of the movies annotated
earlier in its dialogue (``prev_entity``), with tables learned from the other folds of the fit half
(as ``magpie eval crs --split fit``); ties go to the more popular. R@10 over the turns that have an
earlier movie. Chooses EASE's lambda and neighbour count (``recommender/collab.py``) before the
app's own path is measured; the eval half is never read.

    MAGPIE_SHARED_DATA=../shared/data .venv/bin/python scripts/experiments/compare_collab.py
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from recommender.catalogue.collab import collab_table, ease_table
from recommender.catalogue.side_tables import side_tables
from recommender.catalogue.spec import read_spec
from recommender.evaluation.crs import FOLDS, CrsDataset, fold_of, write_tables
from recommender.evaluation.redial import dialogue_movies, is_fit

ASSETS = Path(__file__).resolve().parents[2] / "assets" / "movies"
LAMBDAS = (1.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0)
KS = (20, 50, 100)
CUT = 10


def recall(scores: np.ndarray, popularity: np.ndarray, turns: list, position: dict) -> tuple:
    """(hits, targets) of R@CUT; ``scores`` (turns, n)."""
    hits = total = 0
    for row, turn in zip(scores, turns, strict=True):
        s = row + 1e-6 * np.log1p(popularity)
        for seen in turn.seen:
            s[position[seen]] = -np.inf
        top = set(np.argsort(-s, kind="stable")[:CUT].tolist())
        for t in turn.targets:
            total += 1
            hits += position[t] in top
    return hits, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    shared = Path(os.environ.get("MAGPIE_SHARED_DATA", "../shared/data"))
    parser.add_argument("--data", type=Path, default=shared / "redial")
    args = parser.parse_args()
    dataset = CrsDataset.load(args.data)
    ids = sorted(set(dataset.ids.values()))
    position = {item: n for n, item in enumerate(ids)}
    fit_ids = [d for d in dataset.dialogues if is_fit(d)]
    turns = [t for t in dataset.turns("fit") if t.seen]
    print(f"{len(turns)} fit-half turns with an earlier movie, {len(fit_ids)} fit dialogues")
    results: dict[str, list[int]] = {}

    def add(name: str, matrix, fold_turns: list, popularity: np.ndarray) -> None:
        liked = np.zeros((len(fold_turns), len(ids)), dtype=np.float32)
        for r, t in enumerate(fold_turns):
            liked[r, [position[i] for i in t.seen]] = 1.0
        scores = np.asarray((csr_matrix(liked) @ matrix).todense())
        h, n = recall(scores, popularity, fold_turns, position)
        got = results.setdefault(name, [0, 0])
        got[0] += h
        got[1] += n

    with tempfile.TemporaryDirectory() as tmp:
        for fold in range(FOLDS):
            own = [t for t in turns if fold_of(t.dialog_id) == fold]
            learn = [d for d in fit_ids if fold_of(d) != fold]
            folder = write_tables(Path(tmp) / f"f{fold}", ASSETS, *dataset.tables(learn))
            scales = read_spec(ASSETS).cooccur
            popularity, cooccur, _, _ = side_tables(folder, position, scales)
            add("co-mentions + MovieLens (today)", cooccur, own, popularity)
            add("popularity", csr_matrix((len(ids), len(ids)), dtype=np.float32), own, popularity)
            no_ml = write_tables(Path(tmp) / f"g{fold}", None, *dataset.tables(learn))
            add("co-mentions only", side_tables(no_ml, position, scales)[1], own, popularity)
            baskets = [
                [dataset.ids[i] for i in dialogue_movies(dataset.dialogues[d], dataset.names)]
                for d in learn
            ]
            for lam in LAMBDAS:
                for k in KS:
                    table = ease_table(baskets, lam, k)
                    (folder / "collab.json").write_text(json.dumps({"neighbours": table}), "utf-8")
                    add(
                        f"EASE lambda {lam:g} k {k}",
                        collab_table(folder, position),
                        own,
                        popularity,
                    )
    for name, (h, n) in results.items():
        print(f"{name:40s} R@{CUT} {h / max(n, 1):.4f} ({h}/{n})")


if __name__ == "__main__":
    main()
