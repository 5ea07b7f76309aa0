"""The words items carry: postings (word -> the items holding it), genres guessed from
co-mentions, and a fine word's broader kind learned from the items ("heist" -> crime).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from recommender.schemas import Item
from recommender.text import normalise

__all__ = [
    "GUESS_SHARE",
    "KIND_AT_MOST",
    "NONE",
    "broader_words",
    "guess_words",
    "postings",
]

# Chosen on ReDial's fit half (1,617 turns; docs/evaluation.md): the share of an item's
# co-mentions a genre needs to be guessed for it.
GUESS_SHARE = 0.34

NONE = np.zeros(0, dtype=np.int64)  # no positions

# A word is broader than a fine one ("crime" than "heist") when nearly all items carrying the
# fine word carry it too, it is carried by several times as many items, and it still narrows the
# catalogue (not "english", which most films carry).
BROADER_SHARE = 0.8
BROADER_MIN_ITEMS = 3  # a fine word on fewer items says too little about its kind
BROADER_WIDER = 3.0  # the broader word is on at least this many times as many items
BROADER_AT_MOST = 0.25  # ... and on at most this share of the catalogue
KIND_AT_MOST = 0.9  # a kind word (catalog.kinds) on a larger share of the items tells nothing


def postings(per_item: Sequence[frozenset[str]]) -> dict[str, np.ndarray]:
    """word -> the positions of the items holding it."""
    lists: dict[str, list[int]] = {}
    for position, words in enumerate(per_item):
        for word in words:
            lists.setdefault(word, []).append(position)
    return {w: np.asarray(p, dtype=np.int64) for w, p in lists.items()}


def guess_words(
    items: Sequence[Item], cooccur: Any, key: str | None, share: float = GUESS_SHARE
) -> list[frozenset[str]]:
    """For items without ``key``: the values of ``key`` that most of their co-mentioned items share.

    Many recent films have no metadata, yet people mention them beside films that do: a film
    named with comedies is probably a comedy. A value is kept when its co-mention-weighted share
    among the item's described neighbours reaches ``share`` (at most three values). Guesses only
    strengthen a soft match; they never filter and are never shown as facts.
    """
    empty: frozenset[str] = frozenset()
    guessed = [empty] * len(items)
    if cooccur.nnz == 0 or key is None:
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


def broader_words(
    word: str, postings: dict[str, np.ndarray], words: Sequence[frozenset[str]], most: int = 2
) -> tuple[str, ...]:
    """The catalogue's broader words for ``word``, learned from the items themselves: the kind
    of thing a fine genre, a brand or a topic is ("heist" -> "crime", "slasher" -> "horror").

    A request for a fine word the catalogue rarely records ("a heist movie from the 2000s") can
    then fall back on its kind: items of the kind rank above items of neither.

    >>> words = [frozenset({"heist", "crime"})] * 3 + [frozenset({"crime"})] * 7 + [
    ...     frozenset({"comedy"})] * 30
    >>> broader_words("heist", postings(words), words), broader_words("crime", postings(words), words)
    (('crime',), ())
    """
    holders = postings.get(word, NONE)
    if len(holders) < BROADER_MIN_ITEMS:
        return ()
    counts: Counter[str] = Counter(w for i in holders for w in words[i] if w != word)
    n = len(words)
    found = [
        (count, w)
        for w, count in counts.items()
        if count >= BROADER_SHARE * len(holders)
        and BROADER_WIDER * len(holders) <= len(postings.get(w, NONE)) <= BROADER_AT_MOST * n
    ]
    return tuple(w for _, w in sorted(found, key=lambda cw: (-cw[0], cw[1]))[:most])
