"""The four models of a process, each loaded once, on first use, from a setting.

``Models`` holds a factory (or a ready model, e.g. a test fake) per role; ``real_models``
gives the factories for the configured presets, paths or hub ids. Importing this module loads
no model library: each ``load_*`` imports its own inside.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from recommender.errors import MagpieError

if TYPE_CHECKING:
    from recommender.config import Settings
    from recommender.models.base import ChatLLM, ImageEncoder, TextEmbedder, Transcriber

__all__ = ["ROLES", "Models", "real_models"]

log = logging.getLogger(__name__)

ROLES = ("text", "image", "speech", "llm")


class Models:
    """The four models, each built on first use by a factory (or given ready, e.g. fakes)."""

    def __init__(self, **factories: Callable[[], Any] | Any) -> None:
        unknown = set(factories) - set(ROLES)
        if unknown:
            raise TypeError(f"unknown model roles: {', '.join(sorted(unknown))}")
        self._factories = factories
        self._loaded: dict[str, Any] = {}
        self._failed: dict[str, MagpieError] = {}
        self._lock = threading.Lock()

    def get(self, role: str) -> Any:
        """The model of ``role``, loaded on first use. A load that failed is remembered and its
        error raised again at once: a missing model costs one attempt, not one per turn."""
        with self._lock:
            if role in self._failed:
                raise self._failed[role]
            if role not in self._loaded:
                factory = self._factories.get(role)
                try:
                    self._loaded[role] = (
                        factory() if callable(factory) and not _is_model(factory) else factory
                    )
                except MagpieError as e:
                    log.warning("the %s model is unavailable: %s", role, e)
                    self._failed[role] = e
                    raise
            return self._loaded[role]

    def optional(self, role: str) -> Any:
        """The model, or None when it is switched off or failed to load (the turn degrades)."""
        try:
            return self.get(role)
        except MagpieError:
            return None

    def failure(self, role: str) -> MagpieError | None:
        """Why ``role`` failed to load, or None (it loaded, is off, or was not tried yet)."""
        return self._failed.get(role)

    @property
    def text(self) -> TextEmbedder:
        return self.get("text")

    @property
    def image(self) -> ImageEncoder | None:
        return self.get("image")

    @property
    def speech(self) -> Transcriber | None:
        return self.get("speech")

    @property
    def llm(self) -> ChatLLM | None:
        return self.get("llm")


def _is_model(obj: Any) -> bool:
    return any(hasattr(obj, m) for m in ("embed", "encode", "transcribe", "stream"))


def real_models(settings: Settings) -> Models:
    """The configured models, loaded lazily (once per process)."""
    from recommender.models.llm import load_llm
    from recommender.models.speech import Decoding, load_transcriber
    from recommender.models.text import load_text_embedder
    from recommender.models.vision import load_image_encoder

    return Models(
        text=lambda: load_text_embedder(settings.text_model, settings.cache_dir),
        image=lambda: load_image_encoder(settings.image_model, settings.cache_dir),
        speech=lambda: load_transcriber(
            settings.speech_model,
            settings.cache_dir,
            settings.max_audio_s,
            int(settings.max_upload_mb * 2**20),
            Decoding.of(settings),
        ),
        llm=lambda: load_llm(settings),
    )
