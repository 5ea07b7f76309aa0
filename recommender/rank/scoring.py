"""Fusion scoring: named signals -> one score per candidate -> a diversified top list.

Pure functions over numpy arrays; no model, no store. Each signal arrives as raw values for
the candidate set; each is scaled to [0, 1] over the candidates, multiplied by its weight
and summed. The top of the list is then re-ordered by maximal marginal relevance (MMR) so
five near-identical items do not fill the screen.

>>> import numpy as np
>>> signals = {"text": np.array([0.9, 0.8, 0.1]), "keyword": np.array([0.0, 2.0, 1.0])}
>>> fused = fuse(signals, {"text": 1.0, "keyword": 0.5})
>>> [round(float(s), 3) for s in fused.score]
[1.0, 1.375, 0.25]
>>> fused.contributions["keyword"].round(3).tolist()
[0.0, 0.5, 0.25]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

__all__ = ["Fused", "fuse", "mmr", "scale"]


@dataclass(frozen=True)
class Fused:
    score: np.ndarray  # (n,) total per candidate
    contributions: dict[str, np.ndarray]  # signal -> (n,) weighted, scaled contribution


def scale(values: np.ndarray) -> np.ndarray:
    """Map raw signal values to [0, 1] over the candidate set; a flat signal gives zeros.

    Min-max over the candidates: only the order and spacing within this turn matter.

    >>> scale(np.array([2.0, 4.0, 3.0])).tolist()
    [0.0, 1.0, 0.5]
    >>> scale(np.array([0.0, 0.0])).tolist()
    [0.0, 0.0]
    >>> scale(np.array([0.0, 0.0, 5.0])).tolist()
    [0.0, 0.0, 1.0]
    """
    values = np.asarray(values, dtype=np.float32)
    if values.size == 0:
        return values
    low = float(values.min())
    high = float(values.max())
    if high - low <= 1e-9:
        return np.zeros_like(values)
    return (values - low) / (high - low)


def fuse(signals: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> Fused:
    """Weighted sum of scaled signals. Unknown or zero-weighted signals contribute nothing;
    negative weights push down (e.g. similarity to a disliked item)."""
    n = len(next(iter(signals.values()))) if signals else 0
    total = np.zeros(n, dtype=np.float32)
    contributions: dict[str, np.ndarray] = {}
    for name, raw in signals.items():
        weight = float(weights.get(name, 0.0))
        if weight == 0.0:
            continue
        part = weight * scale(raw)
        contributions[name] = part
        total += part
    return Fused(total, contributions)


def mmr(
    scores: np.ndarray,
    vectors: np.ndarray,
    k: int,
    lam: float = 0.75,
    pool: int = 50,
    groups: np.ndarray | None = None,
) -> list[int]:
    """Pick ``k`` positions greedily: relevance minus redundancy with what is already picked.

    ``vectors`` are L2-normalised rows aligned with ``scores``. ``lam=1`` is the plain sort.
    ``groups`` (aligned ints) marks variants of one product: one of each is picked, while
    other products remain.

    >>> v = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    >>> mmr(np.array([1.0, 0.99, 0.8]), v, k=2, lam=0.5)
    [0, 2]
    >>> mmr(np.array([1.0, 0.99, 0.8]), v, k=2, lam=1.0)
    [0, 1]
    >>> mmr(np.array([1.0, 0.99, 0.8]), v, k=2, lam=1.0, groups=np.array([7, 7, 8]))
    [0, 2]
    """
    if len(scores) == 0 or k <= 0:
        return []
    order = np.argsort(-scores, kind="stable")
    if groups is not None:
        # The best of each product first; its other variants only when nothing else is left.
        first = np.zeros(len(order), dtype=bool)
        first[np.unique(groups[order], return_index=True)[1]] = True
        order = np.concatenate([order[first], order[~first]])
    order = order[: max(pool, k)]
    if lam >= 1.0 or len(order) <= 1:
        return [int(i) for i in order[:k]]
    relevance = scale(scores[order])
    sims = vectors[order] @ vectors[order].T
    chosen: list[int] = [0]
    redundancy = sims[0].copy()
    while len(chosen) < min(k, len(order)):
        gain = lam * relevance - (1.0 - lam) * redundancy
        gain[chosen] = -np.inf
        if groups is not None:
            taken = np.isin(groups[order], groups[order[chosen]])
            if not taken.all():
                gain[taken] = -np.inf
        best = int(np.argmax(gain))
        chosen.append(best)
        redundancy = np.maximum(redundancy, sims[best])
    return [int(order[i]) for i in chosen]
