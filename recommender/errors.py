"""Errors Magpie raises on purpose.

An error a person may meet names its sentence by a key of the strings files (``key`` and
``fields``, as ``schemas.Notice``), so the page and the command line show it in the person's
language; ``str(e)`` is the English one. An error without a key is shown on the page as a plain
line for its kind (``strings.notice``): its own sentence may name a server path or echo input,
and is logged. Causes are chained with ``raise ... from e`` so logs keep the technical detail.

>>> str(ImageError(key="notice.photo_empty"))
'That photo is empty (0 bytes).'
>>> e = AudioError(key="notice.voice_too_large", size=40, limit=25)
>>> e.key, e.fields
('notice.voice_too_large', {'size': 40, 'limit': 25})

    MagpieError                  base; ``str(e)`` is an English sentence (the CLI prints it)
    ├── ConfigError              a setting is missing or malformed
    ├── ModelUnavailable         weights missing, a checksum mismatch, a backend not installed
    ├── InputError               bad user input: corrupt image, silent audio, a huge file
    │   ├── ImageError
    │   └── AudioError
    ├── CatalogError             a catalogue file or row cannot be used
    │   └── RowError             one row failed validation (carries its line number)
    ├── IndexError_              the vector store failed (named so it does not shadow the builtin)
    └── LLMError                 the language model failed or produced unusable output
"""

from __future__ import annotations

__all__ = [
    "AudioError",
    "CatalogError",
    "ConfigError",
    "ImageError",
    "IndexError_",
    "InputError",
    "LLMError",
    "MagpieError",
    "ModelUnavailable",
    "RowError",
]


class MagpieError(Exception):
    """Base class; a keyed error's sentence is safe to show anyone, a keyless one's is logged.

    ``MagpieError("a sentence")`` carries its English sentence; ``MagpieError(key=..., **fields)``
    names a sentence of the strings files (``languages/<code>/ui.toml``) instead.
    """

    key: str | None = None  # "notice.photo_empty": the sentence in every language
    fields: dict[str, object]

    def __init__(self, *args: object, key: str | None = None, **fields: object) -> None:
        super().__init__(*args)
        if key is not None:
            self.key = key
        self.fields = fields

    def __str__(self) -> str:
        if self.key is not None and not self.args:
            from recommender.reply.strings import say  # the strings import errors: not at the top

            return say("en", self.key, **self.fields)
        return super().__str__()


class ConfigError(MagpieError):
    """A setting is missing or malformed."""


class ModelUnavailable(MagpieError):
    """A model cannot be loaded: missing package, missing weights or a bad checksum."""


class InputError(MagpieError):
    """User input Magpie cannot use; the turn goes on without it."""


class ImageError(InputError):
    """An uploaded image is corrupt, empty or too large."""


class AudioError(InputError):
    """A voice note is corrupt, silent, too long or unintelligible."""


class CatalogError(MagpieError):
    """A catalogue file cannot be read or ingested."""


class RowError(CatalogError):
    """One catalogue row failed validation."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


class IndexError_(MagpieError):  # noqa: N801 - trailing underscore avoids the builtin
    """The vector store failed."""


class LLMError(MagpieError):
    """The language model failed or returned something unusable."""
