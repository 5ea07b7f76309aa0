"""Earlier conversations as a signal: what people who talked like this one were recommended.

A catalogue folder may hold ``dialogues.json`` (each earlier conversation's seeker words and the
items it mentioned) and ``dialogues.npz`` (those words embedded by the text model named in the
JSON). A turn's query vector finds the ``NEIGHBOURS`` nearest conversations; each votes for its
items with its cosine (negative ones vote nothing), and an item's votes are the ``dialogues``
signal (``rank.retrieval``). It is session k-nearest-neighbours (Jannach & Ludewig, RecSys 2017)
over words instead of clicks: a prior for what gets recommended in talk like this, which co-
mentions and EASE cannot give before a title is liked.

Built from ReDial's fit half for the movies (``scripts/build/build_dialogues.py``; in
``magpie eval crs`` from the dataset's own fit half, fold by fold like the other tables).

>>> import numpy as np
>>> talk = Dialogues(("heist", "horror"), np.eye(2, dtype=np.float32), [[0, 1], [2]], 3, "m")
>>> [round(float(v), 2) for v in talk.votes(np.array([0.8, 0.6], dtype=np.float32), k=2)]
[0.8, 0.8, 0.6]
>>> [round(float(v), 2) for v in talk.votes(np.array([1.0, -0.5], dtype=np.float32), k=2)]
[1.0, 1.0, 0.0]
>>> talk.votes(np.ones(3, dtype=np.float32)).tolist()  # another model's width: no votes
[0.0, 0.0, 0.0]
"""

from __future__ import annotations

import functools
import json
import logging
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from recommender.models.base import TextEmbedder, embed_queries

__all__ = ["NEIGHBOURS", "Dialogues", "read_dialogues", "write_dialogues"]

log = logging.getLogger(__name__)

# Conversations that vote: chosen on ReDial's fit half (content turns R@10 with the query
# vector, each fold's votes from the other folds: k 20 0.180, k 50 0.182 at the weights tried;
# docs/evaluation.md).
NEIGHBOURS = 50
WORDS_FILE, VECTORS_FILE = "dialogues.json", "dialogues.npz"


@dataclass(frozen=True)
class Dialogues:
    """Earlier conversations: their words, vectors (rows, L2-normalised) and items."""

    words: tuple[str, ...]
    vectors: np.ndarray  # (conversations, dim) float32
    baskets: Sequence[Sequence[int]]  # each conversation's item positions
    n_items: int
    model: str  # the text model that made ``vectors``
    matrix: Any = field(init=False, repr=False)  # csr (conversations, n_items): who named what

    def __post_init__(self) -> None:
        from scipy.sparse import csr_matrix

        rows = [r for r, basket in enumerate(self.baskets) for _ in basket]
        cols = [c for basket in self.baskets for c in basket]
        shape = (len(self.baskets), self.n_items)
        ones = np.ones(len(cols), dtype=np.float32)
        object.__setattr__(self, "matrix", csr_matrix((ones, (rows, cols)), shape=shape))

    def votes(self, query: np.ndarray, k: int = NEIGHBOURS) -> np.ndarray:
        """(n_items,) each item's votes from the ``k`` conversations nearest ``query``; none
        when the vectors were made by a model of another width (a catalogue built without the
        registry, which embeds them again)."""
        if self.vectors.ndim != 2 or self.vectors.shape[1] != query.shape[-1]:
            return np.zeros(self.n_items, dtype=np.float32)
        sims = self.vectors @ query.astype(np.float32)
        k = min(k, len(sims))
        if k == 0:
            return np.zeros(self.n_items, dtype=np.float32)
        near = np.argpartition(-sims, k - 1)[:k]
        weight = np.zeros(len(sims), dtype=np.float32)
        weight[near] = np.maximum(sims[near], 0.0)
        return np.asarray(self.matrix.T @ weight, dtype=np.float32).ravel()

    def embedded(self, embed: Callable[[Sequence[str]], np.ndarray], model: str) -> Dialogues:
        """The same conversations with vectors of another text model."""
        vectors = np.asarray(embed([w or "-" for w in self.words]), dtype=np.float32)
        vectors = vectors.reshape(len(self.words), -1)
        return Dialogues(self.words, _unit(vectors), self.baskets, self.n_items, model)

    def for_model(self, text: TextEmbedder) -> Dialogues:
        """These conversations as ``text`` embeds them: embedded again when another model made
        the shipped vectors (the votes need the query's model)."""
        if self.model == text.name:
            return self
        log.info("embedding %d earlier dialogues with %s", len(self.words), text.name)
        return self.embedded(functools.partial(embed_queries, text), text.name)


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def read_dialogues(folder: Path | None, position: dict[str, int]) -> Dialogues | None:
    """``dialogues.json`` and ``dialogues.npz`` of a catalogue folder, or None without them
    (or when they disagree: a warning, and no signal)."""
    if folder is None or not (folder / WORDS_FILE).is_file():
        return None
    try:
        data = json.loads((folder / WORDS_FILE).read_text(encoding="utf-8"))
        rows = data["dialogues"]
        with np.load(folder / VECTORS_FILE, allow_pickle=False) as npz:
            vectors = npz["vectors"].astype(np.float32)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, zipfile.BadZipFile) as e:
        log.warning("ignoring the earlier dialogues of %s: %s", folder, e)
        return None
    if vectors.ndim != 2 or len(vectors) != len(rows):
        log.warning("ignoring %s: %d vectors for %d dialogues", folder, len(vectors), len(rows))
        return None
    vectors = _unit(vectors)
    baskets = [[position[i] for i in row.get("items", ()) if i in position] for row in rows]
    words = tuple(str(row.get("words", "")) for row in rows)
    return Dialogues(words, vectors, baskets, len(position), str(data.get("model", "")))


def write_dialogues(
    folder: Path,
    conversations: Iterable[tuple[str, Sequence[str]]],
    embed: Callable[[Sequence[str]], np.ndarray],
    model: str,
    about: str = "",
) -> None:
    """Write ``dialogues.json`` and ``dialogues.npz``: each conversation's words and item ids,
    and the words embedded by ``model`` (float16)."""
    talk = [(words, sorted(set(items))) for words, items in conversations]
    rows = [{"words": words, "items": items} for words, items in talk]
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"about": about, "model": model, "dialogues": rows}
    (folder / WORDS_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    vectors = embed([words or "-" for words, _ in talk]) if talk else np.zeros((0, 1))
    np.savez_compressed(folder / VECTORS_FILE, vectors=np.asarray(vectors, dtype=np.float16))
