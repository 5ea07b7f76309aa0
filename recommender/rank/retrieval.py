"""Retrieval: candidates from several sources, hard constraints, raw signals per candidate.

Sources: dense text (Chroma ANN when an index is given, exact numpy otherwise), image
(Chroma ANN over photo vectors), BM25 keywords (bm25s), co-occurrence neighbours of liked
items, dense neighbours of liked items, items of asked-for categories, and popularity as a
fallback; earlier conversations near the query vote for what they named (``dialogues``).
Every candidate then gets every signal computed exactly from in-memory arrays, so fusion
compares like with like whichever source brought an item in.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from recommender.rank.constraints import Allowed, allowed
from recommender.schemas import Profile
from recommender.signals import Signal
from recommender.text import keyword_tokens, normalise

if TYPE_CHECKING:
    from recommender.catalogue.catalogue import Catalogue
    from recommender.catalogue.index import VectorIndex
    from recommender.catalogue.keywords import KeywordIndex

__all__ = [
    "UNMATCHED_POPULARITY",
    "Candidates",
    "Query",
    "Retriever",
    "describe_sources",
    "has_content",
]

log = logging.getLogger(__name__)

# Chosen on ReDial's fit half (1,617 turns; docs/evaluation.md): the share of its popularity an
# item keeps when it has none of the wanted attributes (with tables.GUESS_SHARE: R@10
# 0.152 -> 0.174).
UNMATCHED_POPULARITY = 0.3
# What an item carrying only a wanted word's broader kind counts for that word: half, so items
# of the fine word itself stay first and items of the kind come before items of neither.
BROADER_CREDIT = 0.5
# What a word guessed from co-mentions counts for, against one the item's own data gives: a
# film with no metadata co-mentioned with dramas may be a drama; one recorded as a drama is.
# It costs ReDial's fit half (R@10 0.143 at 1, 0.124 at 0.75 or 0.5, before collab) and gains
# one tuning-half request ("cheer me up" no longer gives Deadpool 2, which has no genres):
# following the request wins (docs/evaluation.md).
GUESSED_CREDIT = 0.75
# The liked items' kind counts as half a wanted word: what the person says comes first. On
# ReDial's fit half (R@10, with collab damped like popularity) 0.140 at a half against 0.138 at
# a whole word; the request set's tuning half is 93/96 with either.
LIKED_KIND_WEIGHT = 0.5
# With liked titles and no wanted word, earlier conversations vote only for films at least this
# near the liked ones' kind, as a share of the nearest (R@10 on ReDial's fit half 0.170 -> 0.168
# at 0.5 or 0.7; R@50 0.319 -> 0.313 at 0.5, 0.312 at 0.7): "I loved Ocean's Eleven and The
# Italian Job" gives heist films, not the Fargo and Superbad that crowd also named.
LIKED_VOTES_AT_LEAST = 0.5
# With a topic asked for ("a film about chess"), earlier conversations vote only for films
# whose text says it at least this much, as a share of the film saying it most (BM25).
TOPIC_VOTES_AT_LEAST = 0.5
# A topic no item's text has a word of ("潜艇") is matched by meaning: the share of the
# catalogue nearest it counts as about it (1%: some 270 of the movies).
TOPIC_NEAREST_SHARE = 0.01
# ... and so is one fewer than this many items' text has, for this much of a word said.
TOPIC_FEW = 10
# An item whose text has only some words of a topic ("car" of "car chases") counts this much.
PART_CREDIT = 0.3
TOPIC_NEAR_CREDIT = 0.5
# The share of the candidates nearest a thumbs-down item or a refused describing word that go
# down (``_unlike``); the others are left in their order. On ReDial's fit half (46 turns with a
# disliked film, 150 with a refused word) R@10 0.1759 with the plain similarity, 0.1750 here
# (371 of 2,120 targets against 373): a thumbs-down is a promise, not a fit.
UNLIKE_SHARE = 0.1
# Catalogues up to this many items are ranked whole (every allowed item is a candidate); larger
# ones rank the union of each source's top ``per_source``.
EXHAUSTIVE_MAX = 10_000
# A liked item the latest request does not centre on (``Profile.focus``: "something like X",
# "more like #2") counts this much of one it does, in every liked-item signal.
UNFOCUSED_WEIGHT = 0.5


@dataclass(frozen=True)
class Query:
    """What one turn retrieves with."""

    profile: Profile
    text: str  # the words to match: intent, wanted words, categories
    vector: np.ndarray | None  # embedding of ``text``
    images: Sequence[np.ndarray] = ()  # reference photo vectors in this catalogue's image space
    exclude: frozenset[str] = frozenset()  # ids never to return (liked, disliked, seen)
    demote: frozenset[str] = frozenset()  # ids shown before: allowed but pushed down
    shun: np.ndarray | None = None  # embedding of the refused describing words (``shunned``)
    fill: int = 0  # a list's length: facets give way for the rest when fewer meet everything
    # Embedding of what the person said this conversation, then the request: earlier
    # conversations vote by it (None: by ``vector``).
    said: np.ndarray | None = None
    # Embedding of the topics (``Profile.topics``): what they are matched by where no item's
    # text has their words (Chinese, or a word no item uses).
    topic: np.ndarray | None = None


@dataclass(frozen=True)
class Candidates:
    positions: np.ndarray  # (m,) item positions
    signals: dict[str, np.ndarray]  # Signal -> (m,) raw values
    sources: dict[str, int]  # how many candidates each source brought (for logs and benches)
    gate: Allowed | None = None  # the hard constraints applied, and any relaxed to show something
    content: bool = False  # the profile asks for something (weights: ``ranking.weights_for``)


class Retriever:
    """Builds the candidate set for a query and computes every raw signal."""

    def __init__(
        self, data: Catalogue, index: VectorIndex | None = None, per_source: int = 200
    ) -> None:
        self.data = data
        self.index = index
        self.per_source = per_source

    def candidates(self, query: Query) -> Candidates:
        data, k = self.data, self.per_source
        profile = query.profile
        gate = allowed(data, profile, query.exclude, query.fill)
        ok = gate.mask
        pool: dict[str, np.ndarray] = {}  # source -> positions
        liked = [data.position[i] for i in profile.liked if i in data.position]
        weight = _focus_weights(data, profile, liked)
        disliked = [data.position[i] for i in profile.disliked if i in data.position]

        text_sim = None
        if query.vector is not None:
            if self.index is not None and not gate.constrained:
                pool[Signal.TEXT] = self._ann("text", query.vector, k)
            else:
                # Within hard constraints the nearest items may all be cut: search the allowed
                # items exactly (one matrix-vector product).
                text_sim = data.text @ query.vector
                pool[Signal.TEXT] = _top(_within(text_sim, ok), k)
        keyword = data.keywords.scores(query.text)
        pool[Signal.KEYWORD] = _top(_within(keyword, ok), k, positive=True)
        topic = _topic(data, profile.topics, query.topic) if profile.topics else None
        if topic is not None:
            pool[Signal.TOPIC] = _top(_within(topic, ok), k, positive=True)
        image_sim = None
        if query.images and data.has_image.any():
            refs = np.stack(query.images).astype(np.float32)
            image_sim = (data.image @ refs.T).max(axis=1)
            image_sim[~data.has_image] = 0.0
            if self.index is not None and not gate.constrained:
                pool[Signal.IMAGE] = np.concatenate([self._ann("image", r, k) for r in refs])
            else:
                pool[Signal.IMAGE] = _top(_within(image_sim, ok), k, positive=True)
        cooc = None
        # Co-mentions and EASE weights learned from one or two dialogues are noise (a single
        # dialogue that named The Italian Job beside a horror film put it first for "I loved
        # Ocean's Eleven and The Italian Job"): below ``spec.min_support`` mentions they are
        # left out.
        counted = bool(data.popularity.any())  # no mention counts: nothing to judge by
        support = data.spec.min_support
        supported = bool(liked) and (not counted or data.popularity[liked].sum() >= support)
        if liked and supported and data.cooccur.nnz:
            cooc = _weighted_sum(data.cooccur, liked, weight)
            pool[Signal.COOCCUR] = _top(_within(cooc, ok), k, positive=True)
        collab = None
        if liked and supported and data.collab.nnz:
            collab = _weighted_sum(data.collab, liked, weight)
            pool[Signal.COLLAB] = _top(_within(collab, ok), k, positive=True)
        liked_sim = None
        if liked:
            liked_sim = ((data.text @ data.text[liked].T) * weight).max(axis=1)
            pool[Signal.LIKED_SIM] = _top(_within(liked_sim, ok), k)
        shared = _shared_people(data, liked, weight) if liked else None
        match_all = None
        if profile.wanted or liked:
            # Items carrying the wanted words (or the liked items' kind) are candidates whatever
            # their text similarity.
            match_all = _match(data, profile.wanted, liked, weight)
            tie = 1e-3 * np.log1p(data.popularity)
            pool[Signal.ATTRIBUTE] = _top(
                _within(np.where(match_all > 0, match_all + tie, 0.0), ok), k, positive=True
            )
        if profile.categories:
            pool["category"] = _top(_within(data.popularity + 1.0, ok), k, positive=True)
        # The most popular items are always candidates, not only a fallback: on ReDial's fit half
        # the other sources held only 34% of the movies people recommended, 61% with these.
        pool[Signal.POPULARITY] = _top(_within(data.popularity, ok), k, positive=True)
        if sum(len(p) for p in pool.values()) < k:
            pool[Signal.POPULARITY] = _top(_within(data.popularity + 1.0, ok), k, positive=True)

        if len(data.items) <= EXHAUSTIVE_MAX:
            # A small catalogue is ranked whole: no source's cut-off can lose the right item
            # (on ReDial's fit half 28% of the recommended movies were allowed but in no pool).
            positions = np.flatnonzero(ok).astype(np.int64)
        else:
            positions = np.unique(
                np.concatenate([p for p in pool.values() if len(p)] or [np.arange(0)])
            ).astype(np.int64)
            positions = positions[ok[positions]]

        signals: dict[str, np.ndarray] = {}
        vec = query.vector
        signals[Signal.TEXT] = (
            text_sim[positions]
            if text_sim is not None
            else (data.text[positions] @ vec if vec is not None else np.zeros(len(positions)))
        )
        signals[Signal.KEYWORD] = keyword[positions]
        if topic is not None:
            signals[Signal.TOPIC] = topic[positions]
        if image_sim is not None:
            signals[Signal.IMAGE] = image_sim[positions]
        if cooc is not None:
            signals[Signal.COOCCUR] = cooc[positions]
        if collab is not None:
            signals[Signal.COLLAB] = collab[positions]
        if liked_sim is not None:
            signals[Signal.LIKED_SIM] = liked_sim[positions]
        if shared is not None:
            signals[Signal.PEOPLE] = shared[positions]
        talk = query.said if query.said is not None else vec
        if data.dialogues is not None and talk is not None:
            # What people who talked like this were recommended (catalogue.dialogues).
            signals[Signal.DIALOGUES] = data.dialogues.votes(talk)[positions]
        popularity = np.log1p(data.popularity[positions])
        if match_all is not None:
            match = match_all[positions]
            guessed = data.guessed
            signals[Signal.ATTRIBUTE] = match
            # Popularity is a prior for what people ask for: an item known (or guessed) to have
            # none of the wanted attributes keeps only a share of it; one we know nothing about
            # keeps all of it (on ReDial's fit half, taking it away cost recall).
            known = np.array([data.described[p] or bool(guessed[p]) for p in positions])
            unmatched = np.where(known, UNMATCHED_POPULARITY, 1.0)
            prior = np.where(
                match > 0, UNMATCHED_POPULARITY + (1.0 - UNMATCHED_POPULARITY) * match, unmatched
            )
            popularity = popularity * prior
            # So is what people who liked the same titles liked (EASE), and what people who
            # talked alike were recommended: they order what was asked for rather than
            # overriding it ("a julia roberts rom com" is not any popular rom com).
            if Signal.COLLAB in signals:
                signals[Signal.COLLAB] = signals[Signal.COLLAB] * prior
            if Signal.DIALOGUES in signals and profile.wanted and len(positions):
                # Votes are a prior among the known items carrying the most of the wanted words
                # any candidate carries (all of them, where some item has them all): scaled
                # over the candidates, a vote for a mere western would outweigh "with Clint
                # Eastwood", and one for a film nothing is known of would put it among the
                # sci-fi asked for (ReDial's fit half reads 0.170 with or without those).
                # The words said, not the liked films' kind (``match`` is that when none is liked).
                asked = _match(data, profile.wanted)[positions] if liked else match
                best = (asked >= asked.max() - 1e-6) & known
                signals[Signal.DIALOGUES] = np.where(best, signals[Signal.DIALOGUES], 0.0)
            elif Signal.DIALOGUES in signals and liked and len(positions):
                # With liked titles and no words, the votes count among the films nearest the
                # liked ones' kind (at least ``LIKED_VOTES_AT_LEAST`` of the best match): the
                # crowd that talked of Ocean's Eleven also named Fargo and Superbad, which are
                # no heist films (ReDial's fit half: R@10 0.170 -> 0.168, docs/evaluation.md).
                near = match >= LIKED_VOTES_AT_LEAST * match.max()
                signals[Signal.DIALOGUES] = np.where(near, signals[Signal.DIALOGUES], 0.0)
        if topic is not None and signals[Signal.TOPIC].any():
            # What the item is to be about ("a film about chess") is asked for like a wanted
            # word: the priors order the items whose text says it, by how much it does (as
            # ``prior`` does above; a film whose plot has "car" is not one of car chases),
            # and earlier conversations vote only among those that say it most (the crowd
            # that asked for "a movie about a dog" also named Avengers: Infinity War; votes are
            # scaled over the candidates, so one vote for a film whose plot only has a car
            # would lead "car chases from the 90s").
            level = signals[Signal.TOPIC] / signals[Signal.TOPIC].max()
            about = UNMATCHED_POPULARITY + (1.0 - UNMATCHED_POPULARITY) * level
            popularity = popularity * about
            if Signal.COLLAB in signals:
                signals[Signal.COLLAB] = signals[Signal.COLLAB] * about
            if Signal.DIALOGUES in signals:
                strong = level >= TOPIC_VOTES_AT_LEAST
                signals[Signal.DIALOGUES] = np.where(strong, signals[Signal.DIALOGUES], 0.0)
        if disliked:
            near = (data.text[positions] @ data.text[disliked].T).max(axis=1)
            signals[Signal.FEEDBACK] = _unlike(near)
        if query.shun is not None:  # "nothing too violent": close to "violent" goes down,
            signals[Signal.SHUN] = _unlike(data.text[positions] @ query.shun.astype(np.float32))
        if profile.shunned:  # and so does a film of the kinds the catalogue gives it (war...)
            signals[Signal.REFUSED_KIND] = -_described(data, profile.shunned, profile.wanted)[
                positions
            ]
        signals[Signal.POPULARITY] = popularity
        if query.demote:
            signals[Signal.NOVELTY] = np.array(
                [0.0 if data.items[p].id in query.demote else 1.0 for p in positions],
                dtype=np.float32,
            )
        return Candidates(
            positions,
            signals,
            {s: len(p) for s, p in pool.items()},
            gate,
            has_content(profile),
        )

    def _ann(self, modality: str, vector: np.ndarray, k: int) -> np.ndarray:
        """Nearest items from the Chroma collection of this catalogue and modality."""
        assert self.index is not None
        hits = self.index.query(self.data.name, modality, vector, k)
        return np.array(
            [self.data.position[i] for i, _ in hits if i in self.data.position], dtype=np.int64
        )


def has_content(profile: Profile) -> bool:
    """Whether a profile asks for something (titles, words, ranges, categories, a photo): its
    ranking is then led by those signals, with popularity only a tie-breaker; without content
    (chit-chat) co-mentions and popularity may lead."""
    return bool(
        profile.liked
        or profile.wanted
        or profile.topics
        or profile.ranges
        or profile.categories
        or profile.images
    )


def _topic(data: Catalogue, topics: Sequence[str], vector: np.ndarray | None) -> np.ndarray:
    """(n,) how much each item is about the topics: BM25 of their words over the items' text
    (``Catalogue.topic_keywords``: its text without its people's names), a topic of several
    words in full only where an item has them all (``_spelled``);
    where no item has a word of them ("潜艇", a submarine), how far an item's text embedding
    stands above the ``TOPIC_NEAREST_SHARE`` nearest's threshold (0 for the rest), as the push
    down near a refused word does (``_unlike``); where few have ("skateboarding"), those first,
    then the nearest."""
    found = np.zeros(len(data.items), dtype=np.float32)
    for topic in topics:
        found += _spelled(data.topic_keywords, topic)
    if vector is None or np.count_nonzero(found) >= TOPIC_FEW or not data.has_description.any():
        return found
    # Among the items with a description: a title alone ("Football") tells no topic.
    near = np.where(data.has_description, data.text @ vector.astype(np.float32), -1.0)
    threshold = float(np.quantile(near[data.has_description], 1.0 - TOPIC_NEAREST_SHARE))
    near = np.maximum(near - threshold, 0.0)
    if not found.any():
        return near.astype(np.float32)
    # Few items say it ("skateboarding": one): those first, then the nearest by meaning.
    top = float(found.max())
    return (found / top + TOPIC_NEAR_CREDIT * near / max(float(near.max()), 1e-9)).astype(
        np.float32
    )


def _spelled(index: KeywordIndex, phrase: str) -> np.ndarray:
    """(n,) BM25 of a topic's words; an item with only some of them ("car" of "car chases")
    counts ``PART_CREDIT`` of its score, when some item has them all.

    >>> from recommender.catalogue.keywords import KeywordIndex
    >>> index = KeywordIndex(["a car chase in the city", "a red car", "a quiet garden"])
    >>> got = _spelled(index, "car chase")
    >>> bool(got[0] > got[1] > got[2] == 0)
    True
    """
    score = index.scores(phrase)
    words = keyword_tokens(phrase)
    if len(words) < 2:
        return score
    every = np.logical_and.reduce([index.scores(w) > 0 for w in words])
    if not every.any():
        return score
    return np.where(every, score, PART_CREDIT * score).astype(np.float32)


def _unlike(similarity: np.ndarray) -> np.ndarray:
    """A push down for the candidates nearest a refused item or word: minus how far each is
    above the ``UNLIKE_SHARE`` nearest's threshold, 0 for the rest. Minus the plain
    similarity would instead lift the farthest most ("not like The Notebook" had brought a
    documentary on the Black Panthers up among the romances).

    >>> [round(float(v), 2) for v in _unlike(np.linspace(0.0, 0.9, 10, dtype=np.float32))]
    [-0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.0, -0.09]
    """
    if len(similarity) == 0:
        return similarity
    threshold = float(np.quantile(similarity, 1.0 - UNLIKE_SHARE))
    return -np.maximum(similarity - threshold, 0.0).astype(np.float32)


def _within(values: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """``values`` where allowed, minus infinity elsewhere (so ``_top`` never picks those)."""
    return np.where(ok, values, -np.inf)


def _focus_weights(data: Catalogue, profile: Profile, liked: Sequence[int]) -> np.ndarray:
    """(len(liked),) each liked item's weight: 1 in the focus (or with no focus), else less."""
    focus = {data.position[i] for i in profile.focus if i in data.position}
    return np.array(
        [1.0 if not focus or p in focus else UNFOCUSED_WEIGHT for p in liked], dtype=np.float32
    )


def _shared_people(data: Catalogue, liked: Sequence[int], weight: np.ndarray) -> np.ndarray:
    """(n,) for each item, the people (``spec.link_fields``: director, cast) it shares with the
    liked items, each liked item's count times its focus weight: "I loved Ocean's Eleven" puts
    Soderbergh's, Clooney's and Pitt's other films up."""
    fields = data.spec.link_fields
    out = np.zeros(len(data.items), dtype=np.float32)
    if not fields:
        return out
    for n, position in enumerate(liked):
        names = sorted({normalise(v) for f in fields for v in data.items[position].values(f)})
        if names:
            out += float(weight[n]) * data.having(names).sum(axis=1).astype(np.float32)
    return out


def _weighted_sum(matrix: Any, rows: Sequence[int], weight: np.ndarray) -> np.ndarray:
    """(n,) the sum of a sparse matrix's ``rows``, each times its weight."""
    return np.asarray(matrix[rows].T @ weight).ravel().astype(np.float32)


def _match(
    data: Catalogue,
    wanted: Sequence[str],
    liked: Sequence[int] = (),
    weight: np.ndarray | None = None,
) -> np.ndarray:
    """(n,) the share of the wanted words each item carries (its own words or guessed ones);
    an item carrying only a wanted word's broader kind ("crime" for "heist") counts in part.
    The liked items' kind counts as ``LIKED_KIND_WEIGHT`` of a wanted word (``_liked_kind``)."""
    words = list(dict.fromkeys(normalise(w) for w in wanted))
    has = _carry(data, words)
    for j, word in enumerate(words):
        wider = data.broader(word)
        if wider:
            kind = _carry(data, wider).max(axis=1)
            has[:, j] = np.maximum(has[:, j], BROADER_CREDIT * kind)
    if liked:
        kind = LIKED_KIND_WEIGHT * _liked_kind(data, liked, weight)
        if not words:
            return kind.astype(np.float32)
        total = has.sum(axis=1) + kind
        return (total / (len(words) + LIKED_KIND_WEIGHT)).astype(np.float32)
    if has.shape[1] == 0:
        return np.zeros(len(data.items), dtype=np.float32)
    return has.mean(axis=1).astype(np.float32)


def _carry(data: Catalogue, words: Sequence[str]) -> np.ndarray:
    """(n, len(words)): 1 where an item carries a word, ``GUESSED_CREDIT`` where it is only
    guessed (from co-mentions) to."""
    own = data.having(words).astype(np.float32)
    guessed = data.having(words, guessed=True)
    return np.where(own > 0, own, GUESSED_CREDIT * guessed).astype(np.float32)


def _described(data: Catalogue, words: Sequence[str], wanted: Sequence[str] = ()) -> np.ndarray:
    """(n,) for each refused describing word, 1 where an item carries any of the catalogue's words
    for it (``spec.describing``: "violent" -> horror, war, slasher...), summed over the words;
    not the kinds ``wanted`` ("zombies, nothing too gory": the goriest zombie films go down, not
    every zombie film)."""
    out = np.zeros(len(data.items), dtype=np.float32)
    asked = {normalise(w) for w in wanted}
    for word in words:
        meant = [m for m in data.spec.describing.get(normalise(word), ()) if m not in asked]
        if meant:
            out += _carry(data, meant).max(axis=1)
    return out


def _liked_kind(
    data: Catalogue, liked: Sequence[int], weight: np.ndarray | None = None
) -> np.ndarray:
    """(n,) for each item, how far its kind words are a liked item's ("more like Ocean's Eleven":
    its comedy, crime and heist), averaged over the liked items that have a kind: shared words
    over the words of either (Jaccard), so a horror-thriller-comedy-crime film is no closer to
    a crime comedy than a crime comedy is; each word counts by its rarity
    (``Catalogue.kind_weight``), so sharing "heist" says more than sharing "action" (ReDial's
    fit half reads R@10 0.170 with either count)."""
    shares, weights = [], []
    for n, position in enumerate(liked):
        kind = sorted(data.kinds[position])
        if kind:
            rare = np.array([data.kind_weight(w) for w in kind], dtype=np.float32)
            shared = _carry(data, kind) @ rare
            shares.append(shared / np.maximum(rare.sum() + data.kind_weights - shared, 1e-6))
            weights.append(1.0 if weight is None else float(weight[n]))
    if not shares:
        return np.zeros(len(data.items), dtype=np.float32)
    return np.average(shares, axis=0, weights=weights).astype(np.float32)


def _top(values: np.ndarray, k: int, positive: bool = False) -> np.ndarray:
    if len(values) == 0:
        return np.arange(0)
    k = min(k, len(values))
    top = np.argpartition(-values, k - 1)[:k]
    top = top[np.isfinite(values[top])]
    if positive:
        top = top[values[top] > 0]
    return top.astype(np.int64)


def describe_sources(candidates: Candidates) -> str:
    return (
        ", ".join(f"{s}={n}" for s, n in candidates.sources.items())
        + f" -> {len(candidates.positions)}"
    )
