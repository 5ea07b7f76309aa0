"""A catalogue folder's side tables: popularity, co-mentions and learned fusion weights."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["side_tables"]

# Co-ratings count half as much as co-mentions in a dialogue.
_COOCCUR_BLOCKS = (("pairs", 1.0), ("movielens", 0.5))


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
