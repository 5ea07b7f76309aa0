"""A catalogue folder's side tables: popularity, co-mentions and learned fusion weights."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["side_tables"]


def side_tables(
    folder: Path | None, position: dict[str, int], scales: Mapping[str, float] | None = None
) -> tuple[np.ndarray, Any, dict[str, float], dict[str, float]]:
    """popularity.json, cooccur.json and fusion.json of a catalogue folder, where present.

    cooccur.json holds blocks of co-counts (``{"pairs": {a: {b: count}}}``); ``scales`` says how
    much each block counts (``[cooccur]`` in catalog.toml: the movies' co-ratings count half as
    much as co-mentions in a dialogue), 1 where it says nothing.

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
        blocks = [k for k, v in data.items() if isinstance(v, dict)]
        weighted = sorted(((scales or {}).get(b, 1.0), b) for b in blocks)
        for scale, block in sorted(weighted, key=lambda sb: (-sb[0], sb[1])):
            for a, neighbours in data[block].items():
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
