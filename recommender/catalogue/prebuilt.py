"""Prebuilt item vectors shipped beside a catalogue, so a first start loads instead of embeds.

A catalogue folder may hold ``vectors/<modality>-<model>.npz``: the vectors one model made for
its rows, as float16, keyed by each row's content key (text: the validated row and the model
name; photos: the photo file's bytes and the model name). Ingestion takes a vector from here
when the key of the row as it is now matches, and embeds the rest as usual, so an edited row,
another model or a user's own catalogue simply miss and are embedded. A file also records the
model's fingerprint (package versions, weight hashes) and its width: a file made by another build
of a model with the same name is ignored as a whole, with a warning. ``scripts/build/build_vectors.py``
writes the files from an up-to-date index.

>>> content_key("abc", "minilm") == content_key("abc", "minilm"), len(content_key("abc", "x"))
(True, 32)
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

__all__ = ["VECTORS_DIR", "content_key", "load_vectors", "vectors_path", "write_vectors"]

log = logging.getLogger(__name__)

VECTORS_DIR = "vectors"
_SLUG = re.compile(r"[^A-Za-z0-9._-]+")


def content_key(*parts: str) -> str:
    """A short stable hash of what a vector was made from (never of where the files sit)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def vectors_path(folder: Path, modality: str, model: str) -> Path:
    """``vectors/text-use-multilingual.npz``: one file per modality and model."""
    return folder / VECTORS_DIR / f"{modality}-{_SLUG.sub('_', model)}.npz"


def load_vectors(
    folder: Path | None, modality: str, model: str, fingerprint: str = "", dim: int = 0
) -> dict[str, np.ndarray]:
    """Content key -> L2-normalised float32 vector; empty when the folder ships none for ``model``
    (or ships vectors of another ``fingerprint`` or width ``dim``, when those are given)."""
    if folder is None:
        return {}
    path = vectors_path(folder, modality, model)
    if not path.is_file():
        return {}
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["model"]) != model:
                return {}
            made_by = str(data["fingerprint"]) if "fingerprint" in data.files else ""
            keys = [str(k) for k in data["keys"]]
            vectors = data["vectors"].astype(np.float32)
    except (OSError, KeyError, ValueError) as e:
        log.warning("ignoring unreadable prebuilt vectors %s: %s", path, e)
        return {}
    if fingerprint and made_by and made_by != fingerprint:
        log.warning("ignoring %s: made by %r, the model now is %r", path, made_by, fingerprint)
        return {}
    if dim and vectors.ndim == 2 and vectors.shape[1] != dim:
        log.warning("ignoring %s: %d-d vectors, the model makes %d-d", path, vectors.shape[1], dim)
        return {}
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = vectors / np.where(norms > 0, norms, 1.0)
    return dict(zip(keys, vectors, strict=True))


def write_vectors(
    folder: Path,
    modality: str,
    model: str,
    keys: Sequence[str],
    vectors: np.ndarray,
    fingerprint: str = "",
) -> Path:
    """Write the vectors of ``model`` for ``keys`` as float16 (sorted by key: reproducible)."""
    path = vectors_path(folder, modality, model)
    path.parent.mkdir(parents=True, exist_ok=True)
    order = np.argsort(np.asarray(keys))
    np.savez_compressed(
        path,
        model=np.asarray(model),
        fingerprint=np.asarray(fingerprint),
        keys=np.asarray(keys)[order],
        vectors=np.asarray(vectors, dtype=np.float16)[order],
    )
    return path
