"""A person's files: a copy of each kept for them alone, which are photos and which a voice note,
which may be shown back, and deleting them when the person asks or the session ends (``chat.py``
and ``ui.py`` use these).

Gradio names a cached upload by its content, so two people who send the same photo (or the
page's own example photo) are handed one path. Each upload is therefore copied into a folder of
its own (``own_copies``) and only such copies are ever deleted; Gradio's cached original goes
when Gradio's cache expires (``delete_cache`` in ``ui.py``).
"""

from __future__ import annotations

import logging
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import gradio as gr

from recommender.reply.strings import say

if TYPE_CHECKING:
    from recommender.config import Settings

__all__ = ["delete_uploads", "echoable", "own_copies", "split_files"]

log = logging.getLogger(__name__)

_IMAGE_EXT = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff"}
_AUDIO_EXT = {".wav", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".flac", ".webm", ".aac"}
_OWN = "magpie-own"  # the folder, inside Gradio's upload folder, of the copies people own


def _own_root() -> Path:
    return Path(gr.utils.get_upload_folder()).resolve() / _OWN


def own_copies(paths: list[str]) -> list[str]:
    """A copy of each file, in a new folder of its own inside Gradio's upload folder (so the
    page may show it back); a file that cannot be copied is passed on as it is (the turn then
    says it could not be read)."""
    if not paths:
        return []
    folder = _own_root() / uuid.uuid4().hex
    out = []
    for n, raw in enumerate(paths):
        source = Path(raw)
        try:
            (folder / str(n)).mkdir(parents=True, exist_ok=True)
            target = folder / str(n) / source.name  # two "image.png" of one message stay two
            shutil.copyfile(source, target)
            out.append(str(target))
        except OSError as e:
            log.info("upload %s not copied: %s", source.name, e)
            out.append(raw)
    return out


def split_files(paths: list[str], lang: str = "en") -> tuple[list[str], str | None, list[str]]:
    """Photos, the voice note (the first audio file) and notices (in ``lang``) about what was
    left out.

    >>> split_files(["a.JPG", "b.wav", "c.mp3", "d.pdf"])[0:2]
    (['a.JPG'], 'b.wav')
    """
    images, audio, notes = [], None, []
    for path in paths:
        ext = Path(path).suffix.lower()
        if ext in _IMAGE_EXT:  # by suffix only: an SVG ("image/svg+xml") is a document
            images.append(path)
        elif ext in _AUDIO_EXT:  # by suffix only: a playlist ("audio/x-mpegurl") names files
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
    """Delete a person's own copies (``own_copies``); no other file, whatever the list says."""
    root = _own_root()
    for raw in paths or []:
        try:
            path = Path(raw).resolve()
            if root in path.parents and path.is_file():
                path.unlink()
                if path.parent != root and not any(path.parent.iterdir()):
                    path.parent.rmdir()
        except OSError as e:
            log.warning("could not delete upload %s: %s", raw, e)
