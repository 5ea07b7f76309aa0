"""Errors Magpie raises on purpose.

Every message is written for the person chatting: safe to show in the UI as it is.
Causes are chained with ``raise ... from e`` so logs keep the technical detail.

    MagpieError                  base; ``str(e)`` is a user-facing sentence
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
    """Base class; the message is safe to show to a user."""


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
