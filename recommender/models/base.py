"""The model interfaces. Pure protocols: importing this loads no torch.

Each has one required method, so a test can pass a small deterministic fake.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypedDict, Unpack, runtime_checkable

if TYPE_CHECKING:
    import numpy as np
    from PIL.Image import Image

    from recommender.schemas import ImageUnderstanding, Transcript

__all__ = [
    "ChatLLM",
    "Generation",
    "GenerationOptions",
    "ImageEncoder",
    "TextEmbedder",
    "Transcriber",
    "embed_queries",
]


@runtime_checkable
class TextEmbedder(Protocol):
    """Sentences -> L2-normalised float32 vectors of shape (n, dim)."""

    name: str  # identifies the model; stored with vectors so a model change re-embeds
    dim: int
    # ``embed`` is the item (document) side; a model may add ``embed_query`` (embed_queries)

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def embed_queries(model: TextEmbedder, texts: Sequence[str]) -> np.ndarray:
    """Search queries -> vectors: ``model.embed_query`` where the model has a query side
    (e5's ``query:`` prefix, EmbeddingGemma's query prompt), else ``model.embed``."""
    query = getattr(model, "embed_query", None)
    return query(texts) if callable(query) else model.embed(texts)


@runtime_checkable
class ImageEncoder(Protocol):
    """Photos -> an embedding for visual similarity plus words (labels, colours)."""

    name: str
    dim: int

    def encode(self, images: Sequence[Image]) -> list[ImageUnderstanding]: ...


@runtime_checkable
class Transcriber(Protocol):
    """A voice note (a file path, or 16 kHz mono float32 samples) -> text."""

    name: str

    def transcribe(self, audio: str | np.ndarray) -> Transcript: ...


class GenerationOptions(TypedDict, total=False):
    """How to generate (the keywords of ``ChatLLM.stream``; ``Generation`` has the defaults)."""

    max_tokens: int
    temperature: float
    json_schema: dict[str, Any] | None


@dataclass(frozen=True)
class Generation:
    """``GenerationOptions`` with their defaults: ``Generation(**options)`` in a backend."""

    max_tokens: int = 256
    temperature: float = 0.2
    json_schema: dict[str, Any] | None = None  # constrain decoding to this schema where possible


@runtime_checkable
class ChatLLM(Protocol):
    """Chat messages -> streamed text pieces.

    ``messages`` are ``{"role": "system"|"user"|"assistant", "content": str}``. With
    ``json_schema`` the backend constrains decoding to that schema where it can (the reply's
    shape, the profile's); backends that cannot constrain rely on the prompt alone.
    """

    name: str

    def stream(
        self, messages: Sequence[dict[str, str]], **options: Unpack[GenerationOptions]
    ) -> Iterator[str]: ...


def complete(llm: ChatLLM, messages: Sequence[dict[str, str]], **kwargs: Any) -> str:
    """The whole reply of ``llm.stream`` as one string."""
    return "".join(llm.stream(messages, **kwargs))
