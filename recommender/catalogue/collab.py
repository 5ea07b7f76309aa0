"""Collaborative item-item weights learned from which items people name together: EASE.

EASE (Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019) fits an item-item
matrix ``B`` with a zero diagonal that best rebuilds each user's row from the other items of the
row, with an L2 penalty ``lam``; its closed form is ``P = (XᵀX + lam·I)⁻¹``,
``B = I - P·diag(1/diag(P))``. Here a "user" is a dialogue and ``X`` says which items it mentions.
Unlike a co-mention count, ``B`` discounts a pair that other items already explain (two films
always named with the same blockbuster). A person's score for item ``j`` is ``Σ_{i liked} B[i, j]``.

Pure numpy: the side table (``collab.json``) keeps each item's strongest neighbours, and
``collab_table`` reads it back into a sparse matrix.

>>> import numpy as np
>>> X = np.array([[1, 1, 0], [1, 1, 0], [0, 1, 1]], dtype=np.float32)
>>> B = ease(X, lam=1.0)
>>> [[round(float(v), 3) for v in row] for row in B]  # 2/3, -1/4; 4/7, 3/8; -2/7, 1/2
[[0.0, 0.667, -0.25], [0.571, 0.0, 0.375], [-0.286, 0.5, 0.0]]
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["EASE_LAMBDA", "EASE_NEIGHBOURS", "collab_table", "ease", "ease_table", "neighbours"]

# Chosen on ReDial's fit half (five folds, docs/evaluation.md): the L2 penalty of EASE.
EASE_LAMBDA = 20.0
# Neighbours kept per item in collab.json: the app sums rows of liked items, so only the
# strongest links matter; keeps the file near 1 MB.
EASE_NEIGHBOURS = 50
_DIGITS = 4  # significant digits kept in the JSON


def ease(x: np.ndarray, lam: float) -> np.ndarray:
    """(items, items) EASE weights of a (users, items) 0/1 matrix; zero diagonal."""
    x = np.asarray(x, dtype=np.float64)
    gram = x.T @ x + lam * np.eye(x.shape[1])
    p = np.linalg.inv(gram)
    b = -p / np.diag(p)[None, :]
    np.fill_diagonal(b, 0.0)
    return b.astype(np.float32)


def neighbours(
    b: np.ndarray, ids: Sequence[str], k: int = EASE_NEIGHBOURS
) -> dict[str, dict[str, float]]:
    """Each item's ``k`` largest positive weights, ``{a: {b: B[a, b]}}``, rounded.

    >>> neighbours(np.array([[0.0, 0.5, -0.1], [0.2, 0.0, 0.3], [0.0, 0.0, 0.0]]), "xyz", k=1)
    {'x': {'y': 0.5}, 'y': {'z': 0.3}}
    """
    out: dict[str, dict[str, float]] = {}
    for a, row in zip(ids, b, strict=True):
        top = np.argsort(-row, kind="stable")[:k]
        kept = {ids[int(j)]: float(f"{row[j]:.{_DIGITS}g}") for j in top if row[j] > 0}
        if kept:
            out[a] = kept
    return out


def ease_table(
    baskets: Iterable[Iterable[str]], lam: float = EASE_LAMBDA, k: int = EASE_NEIGHBOURS
) -> dict[str, dict[str, float]]:
    """EASE neighbours of the items named in ``baskets`` (one set of item ids per dialogue).

    >>> ease_table([{"a", "b"}, {"a", "b"}, {"b", "c"}], lam=1.0)
    {'a': {'b': 0.6667}, 'b': {'a': 0.5714, 'c': 0.375}, 'c': {'b': 0.5}}
    """
    rows = [sorted(set(b)) for b in baskets]
    ids = sorted({i for row in rows for i in row})
    if not ids:
        return {}
    column = {item: j for j, item in enumerate(ids)}
    x = np.zeros((len(rows), len(ids)), dtype=np.float32)
    for r, row in enumerate(rows):
        x[r, [column[i] for i in row]] = 1.0
    return neighbours(ease(x, lam), ids, k)


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
