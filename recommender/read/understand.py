"""Understanding: turn raw input (text, photos, a voice note) into words and vectors.

Bad input never ends a turn: each problem becomes a typed notice (``schemas.Notice``, shown in
the person's language by the page or the command line) and the rest of the turn goes on with
what could be read.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from recommender.errors import InputError, MagpieError
from recommender.schemas import ImageRef, Notice
from recommender.text import clean_text

if TYPE_CHECKING:
    from recommender.config import Settings
    from recommender.models.base import ImageEncoder, Transcriber

__all__ = ["Understanding", "understand"]

log = logging.getLogger(__name__)


@dataclass
class Understanding:
    """What was read from one message."""

    text: str = ""  # typed text plus the transcript, cleaned
    transcript: str | None = None
    transcript_language: str | None = None  # what Whisper detected ("en", "zh"...)
    images: list[ImageRef] = field(default_factory=list)
    image_words: list[str] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)


def understand(
    text: str,
    images: Sequence[str | bytes | Path] = (),
    audio: str | Path | None = None,
    *,
    image_encoder: ImageEncoder | None = None,
    transcriber: Transcriber | None = None,
    limits: Settings,
) -> Understanding:
    """Read one message; ``limits`` gives the size limits (``Settings.max_*``)."""
    max_text_chars, max_audio_s = limits.max_text_chars, limits.max_audio_s
    out = Understanding()
    typed, cut = clean_text(text, max_text_chars)
    if cut:
        out.notices.append(Notice("notice.text_cut", {"limit": max_text_chars}))

    if audio is not None:
        if transcriber is None:
            out.notices.append(Notice("notice.voice_off"))
        else:
            try:
                transcript = transcriber.transcribe(str(audio))
                heard, _ = clean_text(transcript.text, max_text_chars)
                out.transcript = heard
                out.transcript_language = transcript.language
                if transcript.truncated:
                    out.notices.append(Notice("notice.voice_cut", {"seconds": int(max_audio_s)}))
            except MagpieError as e:
                out.notices.append(_notice(e, "notice.voice_failed"))
            except Exception as e:  # a decoder crash must not end the session
                log.exception("transcription failed")
                out.notices.append(Notice("notice.voice_failed"))
                del e
    out.text = " ".join(t for t in (typed, out.transcript or "") if t)

    if images:
        if image_encoder is None:
            out.notices.append(Notice("notice.photos_off"))
        else:
            from recommender.models.image_io import open_image_within

            opened, names = [], []
            if len(images) > limits.max_photos:
                left_out = len(images) - limits.max_photos
                out.notices.append(
                    Notice(
                        "notice.photos_left_out", {"limit": limits.max_photos, "count": left_out}
                    )
                )
            for n, source in enumerate(images[: limits.max_photos], start=1):
                name = Path(source).name if isinstance(source, str | Path) else f"photo-{n}"
                try:
                    opened.append(open_image_within(source, limits))
                    names.append(name)
                except InputError as e:
                    problem = _notice(e, "notice.photo_damaged")
                    out.notices.append(
                        Notice("notice.photo_named", {"name": name, "problem": problem})
                    )
            if opened:
                try:
                    for name, seen in zip(names, image_encoder.encode(opened), strict=True):
                        words = seen.words()
                        out.images.append(
                            ImageRef(
                                name=name,
                                words=words,
                                vector=list(seen.vector),
                                model=image_encoder.name,
                            )
                        )
                        out.image_words.extend(w for w in words if w not in out.image_words)
                except MagpieError as e:
                    out.notices.append(_notice(e, "notice.photo_model_failed"))
    return out


def _notice(error: MagpieError, otherwise: str) -> Notice:
    """The error's own notice, or ``otherwise`` for one without a key (its English sentence is
    logged, not shown: it may name a server path)."""
    if error.key is None:
        log.warning("%s", error)
        return Notice(otherwise)
    return Notice(error.key, dict(error.fields))  # type: ignore[arg-type]
