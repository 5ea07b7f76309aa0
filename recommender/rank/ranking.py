"""The ranking path: a profile in, scored items out (retrieval, then fusion and MMR).

The app and the evaluation rank through the same two calls: ``retrieve`` (candidates with
every raw signal) and ``order`` (fusion with named weights, MMR, the per-item breakdown);
evaluation retrieves once and orders many times to ablate and tune the weights.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from recommender.models.base import embed_queries
from recommender.rank.retrieval import Candidates, Query, Retriever
from recommender.rank.scoring import fuse, mmr
from recommender.schemas import Profile, ScoredItem

if TYPE_CHECKING:
    from recommender.catalogue.catalogue import Catalogue
    from recommender.catalogue.index import VectorIndex
    from recommender.config import Settings
    from recommender.models.registry import Models

__all__ = ["Ranker", "weights_for"]

_MAX_REFERENCE_PHOTOS = 3  # the latest photos shown are the reference for visual similarity


def weights_for(settings: Settings, data: Catalogue, content: bool) -> dict[str, float]:
    """The fusion weights of a turn: settings, then the catalogue's learned ones; a profile with
    content (``retrieval.has_content``) takes the content weights where the catalogue has them."""
    weights = {**settings.weights, **data.weights}
    if content and data.content_weights:
        weights.update(data.content_weights)
    return weights


class Ranker:
    """Retrieval + fusion over one process's models and index (stateless per turn)."""

    def __init__(self, settings: Settings, models: Models, index: VectorIndex | None) -> None:
        self.settings = settings
        self.models = models
        self.index = index

    def rank(
        self,
        data: Catalogue,
        profile: Profile,
        query_text: str,
        *,
        demote: frozenset[str] = frozenset(),
        k: int | None = None,
    ) -> list[ScoredItem]:
        """Retrieval + fusion for a profile: the app's ranking path (also used by evaluation)."""
        return self.order(data, self.retrieve(data, profile, query_text, demote=demote), k)

    def retrieve(
        self,
        data: Catalogue,
        profile: Profile,
        query_text: str,
        *,
        demote: frozenset[str] = frozenset(),
        said: str = "",
    ) -> Candidates:
        """The candidates of a profile with every raw signal (the first half of ``rank``).
        ``said``: the person's words in the earlier turns (``sessions.said_so_far``); earlier
        conversations vote by them and this turn's request together (docs/evaluation.md)."""
        talk = f"{said} {query_text}".strip() if said.strip() else ""
        about = " ".join(profile.topics)
        texts = [t for t in (query_text, talk, about) if t.strip()]  # one batch: one model call
        vectors = iter(embed_queries(self.models.text, texts)) if texts else iter(())
        vector = next(vectors) if query_text.strip() else None
        spoken = next(vectors) if talk else None
        topic = next(vectors) if about else None
        image_name = (
            getattr(self.models.optional("image"), "name", None) if profile.images else None
        )
        images = [
            np.asarray(im.vector, dtype=np.float32)
            for im in profile.images[-_MAX_REFERENCE_PHOTOS:]
            if im.vector and im.model == image_name
        ]
        query = Query(
            profile=profile,
            text=query_text,
            vector=vector,
            images=images,
            exclude=frozenset(profile.liked)
            | frozenset(profile.disliked)
            | frozenset(profile.seen),
            demote=demote,
            shun=embed_queries(self.models.text, [" ".join(profile.shunned)])[0]
            if profile.shunned
            else None,
            fill=self.settings.top_k,
            said=spoken,
            topic=topic,
        )
        return Retriever(data, self.index, self.settings.candidates).candidates(query)

    def order(
        self,
        data: Catalogue,
        candidates: Candidates,
        k: int | None = None,
        weights: dict[str, float] | None = None,
    ) -> list[ScoredItem]:
        """Fusion + MMR over retrieved candidates (the second half of ``rank``).

        ``weights`` replaces the configured ones (settings, then the catalogue's fusion.json):
        evaluation ablates and tunes them on candidates retrieved once.
        """
        s = self.settings
        if len(candidates.positions) == 0:
            return []
        if weights is None:
            weights = weights_for(s, data, candidates.content)
        fused = fuse(candidates.signals, weights)
        groups = data.variant_group[candidates.positions] if data.spec.variants else None
        gate = candidates.gate
        picked = _exact_first(
            fused.score,
            data.text[candidates.positions],
            k or s.top_k,
            s.mmr_lambda,
            groups,
            gate.exact[candidates.positions]
            if gate is not None and gate.exact is not None
            else None,
        )
        return [
            ScoredItem(
                item=data.items[int(candidates.positions[j])],
                score=float(fused.score[j]),
                signals={str(name): float(part[j]) for name, part in fused.contributions.items()},
            )
            for j in picked
        ]


def _exact_first(
    score: np.ndarray,
    vectors: np.ndarray,
    k: int,
    lam: float,
    groups: np.ndarray | None,
    exact: np.ndarray | None,
) -> list[int]:
    """MMR over the candidates; where facets gave way to fill the list (``exact``: those that
    meet everything), the exact ones first, then the others, a product once while others
    remain (its other colours only when nothing else is left)."""
    if exact is None:
        return mmr(score, vectors, k, lam, groups=groups)
    picked: list[int] = []
    for part in (np.flatnonzero(exact), np.flatnonzero(~exact)):
        if groups is not None:
            part = _best_of_each(part, score, groups, {int(g) for g in groups[picked]})
        if len(picked) < k and len(part):
            chosen = mmr(score[part], vectors[part], k - len(picked), lam)
            picked += [int(part[j]) for j in chosen]
    if len(picked) < k:  # only other colours of products shown are left
        rest = np.array([j for j in range(len(score)) if j not in set(picked)], dtype=np.int64)
        if len(rest):
            chosen = mmr(score[rest], vectors[rest], k - len(picked), lam)
            picked += [int(rest[j]) for j in chosen]
    return picked


def _best_of_each(
    part: np.ndarray, score: np.ndarray, groups: np.ndarray, taken: set[int]
) -> np.ndarray:
    """The best-scored candidate of each product in ``part`` whose product is not ``taken``."""
    best: dict[int, int] = {}
    for j in part.tolist():
        g = int(groups[j])
        if g not in taken and (g not in best or score[j] > score[best[g]]):
            best[g] = j
    return np.array(sorted(best.values()), dtype=np.int64)
