"""Retrieval: candidates from several sources, hard constraints, raw signals per candidate.

Sources: dense text (Chroma ANN when an index is given, exact numpy otherwise), image
(Chroma ANN over photo vectors), BM25 keywords (bm25s), co-occurrence neighbours of liked
items, dense neighbours of liked items, items of asked-for categories, and popularity as a
fallback. Every candidate then gets every signal computed exactly from in-memory arrays, so
fusion compares like with like whichever source brought an item in.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .linking import TitleLinker, VocabularyLinker, _stem, normalise
from .schemas import Item, Profile

if TYPE_CHECKING:
    from .index import VectorIndex

__all__ = ["Candidates", "CatalogData", "KeywordIndex", "Query", "Retriever"]

log = logging.getLogger(__name__)

_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "with",
        "from",
        "by",
        "about",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "i",
        "me",
        "my",
        "we",
        "you",
        "your",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "some",
        "any",
        "something",
        "anything",
        "like",
        "just",
        "really",
        "very",
        "so",
        "too",
        "also",
        "want",
        "would",
        "could",
        "should",
        "can",
        "will",
        "please",
        "show",
        "give",
        "find",
        "me",
        "looking",
        "need",
        "get",
        "one",
        "more",
        "less",
        "not",
        "no",
    ]
)


def keyword_tokens(text: str) -> list[str]:
    """Lower-cased, plural-stripped words without stop words: what BM25 sees.

    >>> keyword_tokens("Running shoes for the city")
    ['running', 'shoe', 'city']
    """
    return [_stem(w) for w in normalise(text).split() if w not in _STOPWORDS and len(w) > 1]


class KeywordIndex:
    """BM25 over item texts (bm25s: sparse, fast at 100k items)."""

    def __init__(self, texts: Sequence[str]) -> None:
        import bm25s

        # bm25s pins its logger at DEBUG on import; let the application's levels decide.
        logging.getLogger("bm25s").setLevel(logging.NOTSET)
        self._bm25 = bm25s.BM25()
        corpus = [keyword_tokens(t) or [""] for t in texts]
        self._bm25.index(corpus, show_progress=False)
        self._vocab = self._bm25.vocab_dict
        self._n = len(texts)

    def scores(self, text: str) -> np.ndarray:
        """BM25 score of every item for ``text`` (zeros when no word is known)."""
        ids = [self._vocab[t] for t in keyword_tokens(text) if t in self._vocab]
        if not ids:
            return np.zeros(self._n, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(ids), dtype=np.float32)


# Chosen on ReDial's fit half (1,617 turns; README, "Evaluation"): the share of its popularity an
# item keeps when it has none of the wanted attributes, and the share of an item's co-mentions a
# genre needs to be guessed for it. Together: R@10 0.152 -> 0.174.
UNMATCHED_POPULARITY = 0.3
GUESS_SHARE = 0.34


@dataclass
class CatalogData:
    """One catalogue in memory: items, their vectors and the side tables."""

    name: str
    items: list[Item]
    text: np.ndarray  # (n, d) L2-normalised, aligned with items
    image: np.ndarray  # (n, d2) L2-normalised; zero rows for items without a photo
    has_image: np.ndarray  # (n,) bool
    popularity: np.ndarray  # (n,) raw counts
    cooccur: Any  # scipy.sparse.csr_matrix (n, n) or None
    weights: dict[str, float] = field(default_factory=dict)  # learned fusion weights, if any
    position: dict[str, int] = field(default_factory=dict)
    numbers: dict[str, np.ndarray] = field(default_factory=dict)  # "price" -> (n,) with NaN
    words: list[frozenset[str]] = field(default_factory=list)  # per item, normalised
    # Per item: genre words guessed from co-mentioned items, for items without their own.
    guessed: list[frozenset[str]] = field(default_factory=list)
    described: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  # has its own words
    keywords: KeywordIndex | None = None
    titles: TitleLinker | None = None
    vocabulary: VocabularyLinker | None = None

    @classmethod
    def build(
        cls,
        name: str,
        items: list[Item],
        text: np.ndarray,
        image_ids: Sequence[str] = (),
        image: np.ndarray | None = None,
        side_dir: Path | None = None,
    ) -> CatalogData:
        position = {item.id: i for i, item in enumerate(items)}
        n = len(items)
        d2 = image.shape[1] if image is not None and image.size else 1
        image_full = np.zeros((n, d2), dtype=np.float32)
        has_image = np.zeros(n, dtype=bool)
        if image is not None and image.size:
            for row, item_id in enumerate(image_ids):
                if item_id in position:
                    image_full[position[item_id]] = image[row]
                    has_image[position[item_id]] = True
        popularity, cooccur, weights = _side_tables(side_dir, position)
        numeric_keys = {
            k
            for item in items
            for k, v in item.attributes.items()
            if isinstance(v, int | float) and not isinstance(v, bool)
        }
        numbers = {
            key: np.array(
                [item.number(key) if item.number(key) is not None else np.nan for item in items],
                dtype=np.float64,
            )
            for key in numeric_keys
        }
        words = [
            frozenset(normalise(w) for w in item.words()) | frozenset(keyword_tokens(item.title))
            for item in items
        ]
        data = cls(
            name,
            items,
            text.astype(np.float32),
            image_full,
            has_image,
            popularity,
            cooccur,
            weights,
            position,
            numbers,
            words,
        )
        data.described = np.array(
            [
                any(v for v in item.attributes.values() if isinstance(v, str | list))
                for item in items
            ],
            dtype=bool,
        )
        data.guessed = guess_words(items, cooccur)
        data.keywords = KeywordIndex([item.text() for item in items])
        pop = {item.id: float(popularity[i]) for i, item in enumerate(items)}
        data.titles = TitleLinker(items, pop)
        data.vocabulary = VocabularyLinker(items)
        return data


def guess_words(
    items: Sequence[Item], cooccur: Any, key: str = "genres", share: float = GUESS_SHARE
) -> list[frozenset[str]]:
    """For items without ``key``: the values of ``key`` that most of their co-mentioned items share.

    Many recent films have no metadata, yet people mention them beside films that do: a film
    named with comedies is probably a comedy. A value is kept when its co-mention-weighted share
    among the item's described neighbours reaches ``share`` (at most three values). Guesses only
    strengthen a soft match; they never filter and are never shown as facts.
    """
    empty: frozenset[str] = frozenset()
    guessed = [empty] * len(items)
    if cooccur is None:
        return guessed
    values = []
    for item in items:
        raw = item.attributes.get(key)
        listed = raw if isinstance(raw, list) else [raw] if isinstance(raw, str) else []
        values.append([normalise(v) for v in listed])
    for i, own in enumerate(values):
        if own:
            continue
        row = cooccur.getrow(i)
        votes: dict[str, float] = {}
        total = 0.0
        for j, w in zip(row.indices, row.data, strict=True):
            if values[j]:
                total += float(w)
                for v in values[j]:
                    votes[v] = votes.get(v, 0.0) + float(w)
        if total > 0:
            top = sorted(votes.items(), key=lambda kv: -kv[1])[:3]
            guessed[i] = frozenset(v for v, w in top if w / total >= share)
    return guessed


def _side_tables(
    side_dir: Path | None, position: dict[str, int]
) -> tuple[np.ndarray, Any, dict[str, float]]:
    n = len(position)
    popularity = np.zeros(n, dtype=np.float32)
    cooccur = None
    weights: dict[str, float] = {}
    if side_dir is None:
        return popularity, cooccur, weights
    pop_file = side_dir / "popularity.json"
    if pop_file.is_file():
        data = json.loads(pop_file.read_text(encoding="utf-8"))
        counts = data.get("mentions", data) if isinstance(data, dict) else {}
        for item_id, count in counts.items():
            if item_id in position and isinstance(count, int | float):
                popularity[position[item_id]] = float(count)
    co_file = side_dir / "cooccur.json"
    if co_file.is_file():
        from scipy.sparse import csr_matrix

        data = json.loads(co_file.read_text(encoding="utf-8"))
        rows, cols, vals = [], [], []
        for block, scale in (("pairs", 1.0), ("movielens", 0.5)):
            for a, neighbours in (data.get(block) or {}).items():
                if a not in position:
                    continue
                for b, count in neighbours.items():
                    if b in position:
                        rows.append(position[a])
                        cols.append(position[b])
                        vals.append(scale * float(count))
        if vals:
            matrix = csr_matrix((np.asarray(vals, np.float32), (rows, cols)), shape=(n, n))
            matrix.sum_duplicates()
            # Symmetric, log-damped, normalised by the items' degrees (cosine-like).
            matrix = matrix.maximum(matrix.T).tocsr()
            matrix.data = np.log1p(matrix.data)
            degree = np.sqrt(np.asarray(matrix.sum(axis=1)).ravel() + 1.0)
            matrix = matrix.multiply(1.0 / degree[:, None]).multiply(1.0 / degree[None, :]).tocsr()
            cooccur = matrix
    fusion_file = side_dir / "fusion.json"
    if fusion_file.is_file():
        data = json.loads(fusion_file.read_text(encoding="utf-8"))
        weights = {k: float(v) for k, v in data.get("weights", {}).items()}
    return popularity, cooccur, weights


@dataclass(frozen=True)
class Query:
    """What one turn retrieves with."""

    profile: Profile
    text: str  # the words to match: intent, wanted words, categories
    vector: np.ndarray | None  # embedding of ``text``
    images: Sequence[np.ndarray] = ()  # reference photo vectors in this catalogue's image space
    exclude: frozenset[str] = frozenset()  # ids never to return (liked, disliked, seen)
    demote: frozenset[str] = frozenset()  # ids shown before: allowed but pushed down


@dataclass(frozen=True)
class Candidates:
    positions: np.ndarray  # (m,) item positions
    signals: dict[str, np.ndarray]  # signal -> (m,) raw values
    sources: dict[str, int]  # how many candidates each source brought (for logs and benches)


class Retriever:
    """Builds the candidate set for a query and computes every raw signal."""

    def __init__(
        self, data: CatalogData, index: VectorIndex | None = None, per_source: int = 200
    ) -> None:
        self.data = data
        self.index = index
        self.per_source = per_source

    def candidates(self, query: Query) -> Candidates:
        data, k = self.data, self.per_source
        n = len(data.items)
        profile = query.profile
        pool: dict[str, np.ndarray] = {}
        liked = [data.position[i] for i in profile.liked if i in data.position]
        disliked = [data.position[i] for i in profile.disliked if i in data.position]

        text_sim = None
        if query.vector is not None:
            if self.index is not None:
                pool["text"] = self._ann("text", query.vector, k)
            else:
                text_sim = data.text @ query.vector
                pool["text"] = _top(text_sim, k)
        keyword = data.keywords.scores(query.text) if data.keywords else np.zeros(n, np.float32)
        pool["keyword"] = _top(keyword, k, positive=True)
        image_sim = None
        if query.images and data.has_image.any():
            refs = np.stack(query.images).astype(np.float32)
            image_sim = (data.image @ refs.T).max(axis=1)
            image_sim[~data.has_image] = 0.0
            if self.index is not None:
                pool["image"] = np.concatenate([self._ann("image", r, k) for r in refs])
            else:
                pool["image"] = _top(image_sim, k, positive=True)
        cooc = None
        if liked and data.cooccur is not None:
            cooc = np.asarray(data.cooccur[liked].sum(axis=0)).ravel().astype(np.float32)
            pool["cooccur"] = _top(cooc, k, positive=True)
        liked_sim = None
        if liked:
            liked_sim = (data.text @ data.text[liked].T).max(axis=1)
            pool["liked_sim"] = _top(liked_sim, k)
        if profile.categories:
            wanted = {normalise(c) for c in profile.categories}
            in_cat = np.array([bool(wanted & w) for w in data.words])
            pool["category"] = _top(np.where(in_cat, data.popularity + 1.0, 0.0), k, positive=True)
        # The most popular items are always candidates, not only a fallback: on ReDial's fit half
        # the other sources held only 34% of the movies people recommended, 61% with these.
        pool["popularity"] = _top(data.popularity, k, positive=True)
        if not pool or sum(len(p) for p in pool.values()) < k:
            pool["popularity"] = _top(data.popularity, k)

        positions = np.unique(
            np.concatenate([p for p in pool.values() if len(p)] or [np.arange(0)])
        )
        positions = positions[self._allowed(positions, query)]

        signals: dict[str, np.ndarray] = {}
        vec = query.vector
        signals["text"] = (
            text_sim[positions]
            if text_sim is not None
            else (data.text[positions] @ vec if vec is not None else np.zeros(len(positions)))
        )
        signals["keyword"] = keyword[positions]
        if image_sim is not None:
            signals["image"] = image_sim[positions]
        if cooc is not None:
            signals["cooccur"] = cooc[positions]
        if liked_sim is not None:
            signals["liked_sim"] = liked_sim[positions]
        popularity = np.log1p(data.popularity[positions])
        if profile.wanted:
            wanted_words = [normalise(w) for w in profile.wanted]
            guessed = data.guessed or [frozenset()] * n
            match = np.array(
                [
                    sum(w in data.words[p] or w in guessed[p] for w in wanted_words)
                    / len(wanted_words)
                    for p in positions
                ],
                dtype=np.float32,
            )
            signals["attribute"] = match
            # Popularity is a prior for what people ask for: an item known (or guessed) to have
            # none of the wanted attributes keeps only a share of it; one we know nothing about
            # keeps all of it (on ReDial's fit half, taking it away cost recall).
            known = np.array([data.described[p] or bool(guessed[p]) for p in positions])
            unmatched = np.where(known, UNMATCHED_POPULARITY, 1.0)
            popularity = popularity * np.where(
                match > 0, UNMATCHED_POPULARITY + (1.0 - UNMATCHED_POPULARITY) * match, unmatched
            )
        if disliked:
            signals["feedback"] = -(data.text[positions] @ data.text[disliked].T).max(axis=1)
        signals["popularity"] = popularity
        if query.demote:
            signals["novelty"] = np.array(
                [0.0 if data.items[p].id in query.demote else 1.0 for p in positions],
                dtype=np.float32,
            )
        return Candidates(positions, signals, {s: len(p) for s, p in pool.items()})

    def _ann(self, modality: str, vector: np.ndarray, k: int) -> np.ndarray:
        """Nearest items from the Chroma collection of this catalogue and modality."""
        assert self.index is not None
        hits = self.index.query(self.data.name, modality, vector, k)
        return np.array(
            [self.data.position[i] for i, _ in hits if i in self.data.position], dtype=np.int64
        )

    def _allowed(self, positions: np.ndarray, query: Query) -> np.ndarray:
        """Hard constraints: excluded ids, numeric ranges, avoided words, asked-for categories."""
        data, profile = self.data, query.profile
        keep = np.ones(len(positions), dtype=bool)
        for j, p in enumerate(positions):
            if data.items[p].id in query.exclude:
                keep[j] = False
        for key, rng in profile.ranges.items():
            values = data.numbers.get(key)
            if values is None:
                continue  # this catalogue has no such field: the constraint cannot apply
            v = values[positions]
            ok = ~np.isnan(v)
            if rng.min is not None:
                ok &= v >= rng.min
            if rng.max is not None:
                ok &= v <= rng.max
            keep &= ok
        if profile.avoided:
            avoided = {normalise(w) for w in profile.avoided}
            for j, p in enumerate(positions):
                if keep[j] and (avoided & data.words[p]):
                    keep[j] = False
        if profile.categories:
            wanted = {normalise(c) for c in profile.categories}
            for j, p in enumerate(positions):
                if keep[j] and not (wanted & data.words[p]):
                    keep[j] = False
        return keep


def _top(values: np.ndarray, k: int, positive: bool = False) -> np.ndarray:
    if len(values) == 0:
        return np.arange(0)
    k = min(k, len(values))
    top = np.argpartition(-values, k - 1)[:k]
    if positive:
        top = top[values[top] > 0]
    return top.astype(np.int64)


def describe_sources(candidates: Candidates) -> str:
    return (
        ", ".join(f"{s}={n}" for s, n in candidates.sources.items())
        + f" -> {len(candidates.positions)}"
    )
