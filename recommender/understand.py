"""Understanding: turn raw input (text, photos, a voice note) into words and vectors.

Bad input never ends a turn: each problem becomes a notice for the chat and the rest of the
turn goes on with what could be read.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError, MagpieError
from .schemas import ImageRef

if TYPE_CHECKING:
    from .models.base import ImageEncoder, Transcriber

__all__ = ["Understanding", "clean_text", "understand"]

log = logging.getLogger(__name__)

_CONTROL = re.compile(
    r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
)


@dataclass
class Understanding:
    """What was read from one message."""

    text: str = ""  # typed text plus the transcript, cleaned
    transcript: str | None = None
    images: list[ImageRef] = field(default_factory=list)
    image_words: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def clean_text(text: str, limit: int) -> tuple[str, bool]:
    """Normalise unicode, drop control and bidi-override characters, cap the length.

    >>> clean_text("hi\\u202e there\\x00", 100)
    ('hi there', False)
    """
    text = unicodedata.normalize("NFKC", text or "")
    text = _CONTROL.sub("", text)
    text = re.sub(r"[ \t]+", " ", text).strip()
    return (text[:limit], True) if len(text) > limit else (text, False)


def understand(
    text: str,
    images: Sequence[str | bytes | Path] = (),
    audio: str | Path | None = None,
    *,
    image_encoder: ImageEncoder | None = None,
    transcriber: Transcriber | None = None,
    max_text_chars: int = 2000,
    max_audio_s: float = 30.0,
    max_upload_mb: float = 20.0,
    max_image_pixels: int = 40_000_000,
) -> Understanding:
    out = Understanding()
    typed, cut = clean_text(text, max_text_chars)
    if cut:
        out.notices.append(
            f"Your message was long, so I read the first {max_text_chars} characters."
        )

    if audio is not None:
        if transcriber is None:
            out.notices.append(
                "Voice notes are switched off here, so I could not listen to that one."
            )
        else:
            try:
                transcript = transcriber.transcribe(str(audio))
                heard, _ = clean_text(transcript.text, max_text_chars)
                out.transcript = heard
                if transcript.truncated:
                    out.notices.append(
                        f"That voice note was long; I listened to the first {int(max_audio_s)} seconds."
                    )
            except MagpieError as e:
                out.notices.append(str(e))
            except Exception as e:  # a decoder crash must not end the session
                log.exception("transcription failed")
                out.notices.append(
                    "I couldn't understand that voice note. Could you type it instead?"
                )
                del e
    out.text = " ".join(t for t in (typed, out.transcript or "") if t)

    if images:
        if image_encoder is None:
            out.notices.append("Photos are switched off here, so I could not look at that one.")
        else:
            from .models.vision import open_image

            opened, names = [], []
            for n, source in enumerate(images, start=1):
                name = Path(source).name if isinstance(source, str | Path) else f"photo-{n}"
                try:
                    opened.append(
                        open_image(
                            source,
                            max_bytes=int(max_upload_mb * 2**20),
                            max_pixels=max_image_pixels,
                        )
                    )
                    names.append(name)
                except InputError as e:
                    out.notices.append(f"{name}: {e}")
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
                    out.notices.append(str(e))
    return out
