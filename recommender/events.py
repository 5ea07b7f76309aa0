"""What a turn emits, step by step: one small record per kind of event.

``Recommender.turn`` yields these as each becomes ready, so a UI can show the transcript,
the photo's words, the cards and the streamed reply without waiting for the whole turn;
``views.TurnView.show`` turns each into page state in one place, the CLI prints them. ``at_s`` is the
time since the turn began.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from recommender.schemas import Profile, ScoredItem, TurnResult

__all__ = ["Done", "Heard", "ItemsRanked", "ProfileRead", "Seen", "Token", "TurnEvent"]


@dataclass(frozen=True)
class Heard:
    """The voice note's transcript ('' when nothing could be heard)."""

    transcript: str
    at_s: float = 0.0
    language: str | None = None  # ISO 639-1 code Whisper heard ("en", "zh"); None: unknown


@dataclass(frozen=True)
class Seen:
    """The words read from the photos (labels, colours)."""

    words: list[str] = field(default_factory=list)
    at_s: float = 0.0


@dataclass(frozen=True)
class ProfileRead:
    """The profile after this message, before ranking, and the language to answer in."""

    profile: Profile
    at_s: float = 0.0
    language: str = "en"  # "en", "zh": the reply, reasons and notices are written in it


@dataclass(frozen=True)
class ItemsRanked:
    """The ranked items, before their reasons are written: the cards can show now."""

    items: list[ScoredItem]
    at_s: float = 0.0


@dataclass(frozen=True)
class Token:
    """A piece of the streamed reply."""

    text: str
    at_s: float = 0.0


@dataclass(frozen=True)
class Done:
    """The whole turn: items with reasons, the final reply, notices and per-stage timings."""

    result: TurnResult
    at_s: float = 0.0


TurnEvent = Heard | Seen | ProfileRead | ItemsRanked | Token | Done
