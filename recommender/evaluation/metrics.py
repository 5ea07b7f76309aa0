"""Ranking metrics per ground-truth item, and bootstrap confidence intervals.

The protocol of He et al. (CIKM 2023, ``src/tools/evaluate.py``): every ground-truth item of a
turn is scored on its own against the turn's list; already mentioned items are removed from the
list before it is cut at K ("exclude seen"). A hit at rank r (1-based) gives recall 1,
NDCG 1/log2(r+1) and reciprocal rank 1/r when r <= K, else 0.

>>> rank_of("b", ["a", "seen", "b", "c"], seen={"seen"})
2
>>> scores = target_scores(2)
>>> scores["recall@1"], scores["recall@10"], round(scores["ndcg@10"], 3), scores["mrr@10"]
(0.0, 1.0, 0.631, 0.5)
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence

import numpy as np

__all__ = ["METRICS", "bootstrap_ci", "rank_of", "summarise", "target_scores"]

# The figures reported for every system, in table order.
METRICS = ("recall@1", "recall@10", "recall@50", "ndcg@10", "mrr@10")
BOOTSTRAP_SAMPLES = 1000
CONFIDENCE = 0.95


def rank_of(target: str, ranked: Sequence[str], seen: Collection[str] = ()) -> int | None:
    """1-based rank of ``target`` once ``seen`` items are removed from ``ranked``; None if absent."""
    rank = 0
    for item in ranked:
        if item in seen:
            continue
        rank += 1
        if item == target:
            return rank
    return None


def target_scores(rank: int | None) -> dict[str, float]:
    """Every metric of ``METRICS`` for one ground-truth item found at ``rank`` (None: missed).

    >>> target_scores(None)["recall@50"], target_scores(50)["recall@50"], target_scores(51)["recall@50"]
    (0.0, 1.0, 0.0)
    """
    out: dict[str, float] = {}
    for name in METRICS:
        kind, k = name.split("@")
        hit = rank is not None and rank <= int(k)
        if not hit:
            out[name] = 0.0
        elif kind == "recall":
            out[name] = 1.0
        elif kind == "ndcg":
            out[name] = 1.0 / math.log2(rank + 1)  # type: ignore[operator]
        else:
            out[name] = 1.0 / rank  # type: ignore[operator]
    return out


def bootstrap_ci(
    values: Sequence[float] | np.ndarray,
    groups: Sequence[str] | None = None,
    samples: int = BOOTSTRAP_SAMPLES,
    confidence: float = CONFIDENCE,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of ``values``.

    With ``groups`` (one dialogue id per value) whole dialogues are resampled: the targets of one
    dialogue are not independent, so resampling them one by one would make the interval too narrow.

    >>> low, high = bootstrap_ci([0.0, 1.0] * 50)
    >>> 0.38 < low < 0.5 < high < 0.62
    True
    >>> bootstrap_ci([1.0, 1.0, 1.0])
    (1.0, 1.0)
    """
    x = np.asarray(values, dtype=np.float64)
    if x.size == 0:
        return (float("nan"), float("nan"))
    if groups is None:
        sums, counts = x, np.ones_like(x)
    else:
        _, index = np.unique(np.asarray(groups, dtype=object), return_inverse=True)
        sums = np.bincount(index, weights=x).astype(np.float64)
        counts = np.bincount(index).astype(np.float64)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(sums), size=(samples, len(sums)))
    means = sums[draws].sum(axis=1) / counts[draws].sum(axis=1)
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return (float(low), float(high))


def summarise(
    per_target: Sequence[Mapping[str, float]], groups: Sequence[str] | None = None
) -> dict[str, object]:
    """Means of every metric and their 95% intervals: ``{"recall@10": 0.2, ..., "ci95": {...}}``.

    >>> s = summarise([target_scores(1), target_scores(None)])
    >>> s["recall@1"], s["mrr@10"], sorted(s["ci95"]) == sorted(METRICS)
    (0.5, 0.5, True)
    """
    out: dict[str, object] = {}
    ci: dict[str, list[float]] = {}
    for name in METRICS:
        values = [row[name] for row in per_target]
        out[name] = round(float(np.mean(values)), 4) if values else float("nan")
        low, high = bootstrap_ci(values, groups)
        ci[name] = [round(low, 4), round(high, 4)]
    out["ci95"] = ci
    return out
