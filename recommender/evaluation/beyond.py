"""Beyond accuracy: what a system's lists are like, whatever the ground truth (issue 24).

For every list a system shows (its top ``k``, seen items left out):
- **coverage**: the share of the catalogue that ever reaches a top ``k``, over all the lists;
- **intra-list diversity (ILD)**: the mean pairwise distance (1 - cosine) of the list's items
  in the catalogue's text vectors;
- **novelty**: the mean self-information of the list's items by popularity,
  ``-log2((mentions + 1) / (all mentions + items))``: a list of rarely named items is novel;
- **popularity share**: the share of the list's items in the catalogue's head, its most-mentioned
  items (``HEAD_SHARE`` of the catalogue).

Intervals are bootstrap intervals over dialogues, as for recall (coverage, a count of distinct
items, has none: see ``summary``). A change that raises recall by collapsing coverage shows here.

>>> vectors = np.eye(4, dtype=np.float32)
>>> lists = ListMetrics(vectors, np.array([9.0, 1.0, 0.0, 0.0]))
>>> lists.add("d1", [0, 1]); lists.add("d2", [0, 2])
>>> s = lists.summary(samples=50)
>>> s["coverage"], s["ild"], s["popularity_share"]
(0.75, 1.0, 0.5)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from recommender.evaluation.metrics import BOOTSTRAP_SAMPLES, bootstrap_ci

__all__ = ["BEYOND", "HEAD_SHARE", "ListMetrics"]

BEYOND = ("coverage", "ild", "novelty", "popularity_share")
HEAD_SHARE = 0.02  # the head: the catalogue's 2% most-mentioned items


@dataclass
class ListMetrics:
    """The lists one system showed on one catalogue (positions in it), with what they were."""

    vectors: np.ndarray  # (n, d) L2-normalised item vectors
    popularity: np.ndarray  # (n,) mentions
    groups: list[str] = field(default_factory=list)  # the dialogue of each list
    lists: list[np.ndarray] = field(default_factory=list)
    ild: list[float] = field(default_factory=list)
    novelty: list[float] = field(default_factory=list)
    head: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._tables: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def _by_popularity(self, popularity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Self-information and head membership of each item under these mention counts."""
        key = id(popularity)
        if key not in self._tables:
            pop = np.asarray(popularity, dtype=np.float64)
            n = len(pop)
            head = np.zeros(n, dtype=bool)
            if pop.any():
                head[np.argsort(-pop, kind="stable")[: max(1, round(HEAD_SHARE * n))]] = True
            self._tables[key] = (-np.log2((pop + 1.0) / (pop.sum() + n)), head)
        return self._tables[key]

    def add(
        self, group: str, positions: Sequence[int], popularity: np.ndarray | None = None
    ) -> None:
        """One list, as catalogue positions, best first (an empty list counts for nothing);
        ``popularity``: the mention counts the turn was ranked with (default the catalogue's)."""
        p = np.asarray(positions, dtype=np.int64)
        if not len(p):
            return
        info, head = self._by_popularity(self.popularity if popularity is None else popularity)
        self.groups.append(group)
        self.lists.append(p)
        v = self.vectors[p]
        if len(p) > 1:
            sim = v @ v.T
            pairs = sim[np.triu_indices(len(p), 1)]
            self.ild.append(float(np.mean(1.0 - pairs)))
        else:
            self.ild.append(0.0)
        self.novelty.append(float(np.mean(info[p])))
        self.head.append(float(np.mean(head[p])))

    def summary(self, samples: int = BOOTSTRAP_SAMPLES) -> dict[str, object]:
        """Means (coverage: the share of items shown) and the 95% intervals of the means."""
        if not self.lists:
            return {}
        n = len(self.vectors)
        out: dict[str, object] = {
            "coverage": round(len(np.unique(np.concatenate(self.lists))) / n, 4),
            "ild": round(float(np.mean(self.ild)), 4),
            "novelty": round(float(np.mean(self.novelty)), 4),
            "popularity_share": round(float(np.mean(self.head)), 4),
        }
        # Coverage has no interval: resampling dialogues repeats some and drops others, and a
        # count of distinct items over a resample is biased low (tried: the percentile interval
        # lay wholly below the estimate, the reflected one wholly above it).
        ci = {
            "ild": bootstrap_ci(self.ild, self.groups, samples),
            "novelty": bootstrap_ci(self.novelty, self.groups, samples),
            "popularity_share": bootstrap_ci(self.head, self.groups, samples),
        }
        if not np.asarray(self.popularity).any():  # no mention counts: nothing to say of either
            for name in ("novelty", "popularity_share"):
                del out[name], ci[name]
        out["ci95"] = {k: [round(lo, 4), round(hi, 4)] for k, (lo, hi) in ci.items()}
        return out
