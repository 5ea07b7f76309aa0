"""A catalogue's side tables: popularity, co-mentions and learned weights read from its folder,
genres guessed from co-mentions, and word postings (word -> the items holding it).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .schemas import Item
from .text import normalise

__all__ = [
    "GUESS_SHARE",
    "KIND_AT_MOST",
    "NONE",
    "broader_words",
    "collab_table",
    "guess_words",
    "postings",
    "side_tables",
    "title_key",
]

# Chosen on ReDial's fit half (1,617 turns; docs/evaluation.md): the share of an item's
# co-mentions a genre needs to be guessed for it.
GUESS_SHARE = 0.34

# Co-ratings count half as much as co-mentions in a dialogue.
_COOCCUR_BLOCKS = (("pairs", 1.0), ("movielens", 0.5))

NONE = np.zeros(0, dtype=np.int64)  # no positions

# A word is broader than a fine one ("crime" than "heist") when nearly all items carrying the
# fine word carry it too, it is carried by several times as many items, and it still narrows the
# catalogue (not "english", which most films carry).
BROADER_SHARE = 0.8
BROADER_MIN_ITEMS = 3  # a fine word on fewer items says too little about its kind
BROADER_WIDER = 3.0  # the broader word is on at least this many times as many items
BROADER_AT_MOST = 0.25  # ... and on at most this share of the catalogue
KIND_AT_MOST = 0.9  # a kind word (catalog.kinds) on a larger share of the items tells nothing


def title_key(title: str) -> str:
    """A title folded so that rows of one film meet ("The Conjuring" and "Conjuring").

    >>> title_key("The Conjuring") == title_key("conjuring"), title_key("A Star Is Born")
    (True, 'star is born')
    """
    key = normalise(title)
    for article in ("the ", "a ", "an "):
        if key.startswith(article) and len(key) > len(article):
            return key[len(article) :]
    return key


def postings(per_item: Sequence[frozenset[str]]) -> dict[str, np.ndarray]:
    """word -> the positions of the items holding it."""
    lists: dict[str, list[int]] = {}
    for position, words in enumerate(per_item):
        for word in words:
            lists.setdefault(word, []).append(position)
    return {w: np.asarray(p, dtype=np.int64) for w, p in lists.items()}


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
    if cooccur.nnz == 0:
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


def side_tables(
    folder: Path | None, position: dict[str, int]
) -> tuple[np.ndarray, Any, dict[str, float], dict[str, float]]:
    """popularity.json, cooccur.json and fusion.json of a catalogue folder, where present.

    fusion.json holds ``weights`` (a profile without content: chit-chat) and, optionally,
    ``content_weights`` (a profile that asks for something; ``retrieval.has_content``)."""
    from scipy.sparse import csr_matrix

    n = len(position)
    popularity = np.zeros(n, dtype=np.float32)
    cooccur = csr_matrix((n, n), dtype=np.float32)
    weights: dict[str, float] = {}
    content: dict[str, float] = {}
    if folder is None:
        return popularity, cooccur, weights, content
    pop_file = folder / "popularity.json"
    if pop_file.is_file():
        data = json.loads(pop_file.read_text(encoding="utf-8"))
        counts = data.get("mentions", data) if isinstance(data, dict) else {}
        for item_id, count in counts.items():
            if item_id in position and isinstance(count, int | float):
                popularity[position[item_id]] = float(count)
    co_file = folder / "cooccur.json"
    if co_file.is_file():
        data = json.loads(co_file.read_text(encoding="utf-8"))
        rows, cols, vals = [], [], []
        for block, scale in _COOCCUR_BLOCKS:
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
    fusion_file = folder / "fusion.json"
    if fusion_file.is_file():
        data = json.loads(fusion_file.read_text(encoding="utf-8"))
        weights = {k: float(v) for k, v in data.get("weights", {}).items()}
        content = {k: float(v) for k, v in data.get("content_weights", {}).items()}
    return popularity, cooccur, weights, content


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


def collab_table(folder: Path | None, position: dict[str, int]) -> Any:
    """collab.json of a catalogue folder (learned item-item weights, ``collab.ease_table``) as a
    sparse (n, n) matrix: row ``a`` holds how much liking ``a`` speaks for each item; empty when
    the folder has none. Not symmetrised: EASE's weights are directed."""
    from scipy.sparse import csr_matrix

    n = len(position)
    path = folder / "collab.json" if folder is not None else None
    if path is None or not path.is_file():
        return csr_matrix((n, n), dtype=np.float32)
    data = json.loads(path.read_text(encoding="utf-8"))
    rows, cols, vals = [], [], []
    for a, neighbours in (data.get("neighbours") or {}).items():
        if a not in position:
            continue
        for b, weight in neighbours.items():
            if b in position and b != a:
                rows.append(position[a])
                cols.append(position[b])
                vals.append(float(weight))
    return csr_matrix((np.asarray(vals, np.float32), (rows, cols)), shape=(n, n))
