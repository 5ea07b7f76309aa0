"""A person's files: which are photos and which a voice note, which may be shown back, and
deleting them when the person asks or the session ends (``chat.py`` and ``ui.py`` use these).
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING

import gradio as gr

from recommender.reply.strings import say

if TYPE_CHECKING:
    from recommender.config import Settings

__all__ = ["delete_uploads", "echoable", "split_files"]

log = logging.getLogger(__name__)

_IMAGE_EXT = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff"}
_AUDIO_EXT = {".wav", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".flac", ".webm", ".aac"}


def split_files(paths: list[str], lang: str = "en") -> tuple[list[str], str | None, list[str]]:
    """Photos, the voice note (the first audio file) and notices (in ``lang``) about what was
    left out.

    >>> split_files(["a.JPG", "b.wav", "c.mp3", "d.pdf"])[0:2]
    (['a.JPG'], 'b.wav')
    """
    images, audio, notes = [], None, []
    for path in paths:
        ext = Path(path).suffix.lower()
        kind = (mimetypes.guess_type(path)[0] or "").split("/")[0]
        if ext in _IMAGE_EXT:  # by suffix only: an SVG ("image/svg+xml") is a document
            images.append(path)
        elif ext in _AUDIO_EXT or kind == "audio":
            if audio is None:
                audio = path
            else:
                notes.append(say(lang, "chat.one_voice_note", name=Path(path).name))
        else:
            notes.append(say(lang, "chat.not_readable", name=Path(path).name))
    return images, audio, notes


def echoable(path: str, limits: Settings) -> bool:
    """A photo may be shown back in the chat: small enough, and its header declares no more
    pixels than a photo may have (checked without decoding it)."""
    try:
        if Path(path).stat().st_size > limits.max_upload_mb * 2**20:
            return False
        from PIL import Image

        with Image.open(path) as image:
            return image.width * image.height <= limits.max_image_pixels
    except Exception:  # unreadable: not shown back; the turn says what went wrong
        return False


def delete_uploads(paths: list[str] | None) -> None:
    """Delete files Gradio stored for a session (only inside Gradio's upload folder)."""
    root = Path(gr.utils.get_upload_folder()).resolve()
    for raw in paths or []:
        try:
            path = Path(raw).resolve()
            if root in path.parents and path.is_file():
                path.unlink()
                if path.parent != root and not any(path.parent.iterdir()):
                    path.parent.rmdir()
        except OSError as e:
            log.warning("could not delete upload %s: %s", raw, e)
