"""The single-signal baselines ``magpie eval crs`` reports beside the app (same items, same turns).

Each ranks the whole catalogue by one score: popularity (fit-half mentions), BM25 over the
dialogue so far, dense similarity to the seeker's words, co-mentions with the liked items, and the EASE
weights of the liked items (when the catalogue has collab.json).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from recommender.catalogue.catalogue import Catalogue
    from recommender.evaluation.crs import Turn
    from recommender.schemas import Profile

__all__ = ["baseline_lists", "by_score"]


def by_score(data: Catalogue, score: np.ndarray, k: int) -> list[str]:
    """The ``k`` best items by ``score``; ties go to the more popular, then catalogue order."""
    order = np.lexsort((np.arange(len(score)), -data.popularity, -score))[:k]
    return [data.items[int(i)].id for i in order]


def baseline_lists(
    data: Catalogue, turn: Turn, profile: Profile, said: np.ndarray | None, k: int
) -> dict[str, list[str]]:
    """The baselines' lists; ``said`` is the embedding of ``seeker_text`` (None: nothing said)."""
    text = " ".join(line for line in turn.context if line.strip())
    n = len(data.items)
    zeros = np.zeros(n, dtype=np.float32)
    bm25 = data.keywords.scores(text)
    dense = data.text @ said if said is not None else zeros
    liked = [data.position[i] for i in profile.liked if i in data.position]
    cooc = zeros
    if liked and data.cooccur.nnz:
        cooc = np.asarray(data.cooccur[liked].sum(axis=0)).ravel()
    lists = {
        "popularity": by_score(data, zeros, k),
        "bm25": by_score(data, bm25, k),
        "dense": by_score(data, dense, k),
        "cooccur": by_score(data, cooc, k),
    }
    if data.collab.nnz:
        collab = np.asarray(data.collab[liked].sum(axis=0)).ravel() if liked else zeros
        lists["ease"] = by_score(data, collab, k)
    return lists
