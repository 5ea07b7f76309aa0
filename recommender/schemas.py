"""Typed records that cross module boundaries.

Pydantic models with ``extra="forbid"`` for what is read from files, users or the LLM
(catalogue rows, the profile, sessions); frozen dataclasses for what the code makes itself.
This module imports nothing from the package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "AttributeValue",
    "CatalogRow",
    "Change",
    "ChatMessage",
    "ImageRef",
    "ImageUnderstanding",
    "Item",
    "Notice",
    "Profile",
    "ProfileUpdate",
    "Range",
    "ScoredItem",
    "Session",
    "Transcript",
    "TurnResult",
]

# Numbers, words, flags or short lists of words: enough for price, year, genre, colour, cast.
AttributeValue = str | int | float | bool | list[str]

# Ids become Chroma ids and appear in URLs and prompts: keep them plain.
_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,199}$")
_MAX_TEXT = 20_000  # characters; longer descriptions are cut, not rejected


class CatalogRow(BaseModel):
    """One catalogue item as written in a JSONL or CSV file."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str
    title: str = Field(min_length=1, max_length=500)
    description: str = ""
    categories: list[str] = Field(default_factory=list)
    # Free-form typed fields: brand, genres, year, price, colour, cast ...
    attributes: dict[str, AttributeValue] = Field(default_factory=dict)
    # Path to a photo, relative to the catalogue file (or absolute).
    image: str | None = None
    # Where the row comes from and under which licence, shown on cards and in credits.
    source: str | None = None
    licence: str | None = None

    @field_validator("id")
    @classmethod
    def _plain_id(cls, value: str) -> str:
        if not _ID_PATTERN.match(value):
            raise ValueError("id must be 1-200 letters, digits, '.', '_', ':' or '-'")
        return value

    @field_validator("description")
    @classmethod
    def _cap_description(cls, value: str) -> str:
        return value[:_MAX_TEXT]

    @field_validator("categories")
    @classmethod
    def _clean_categories(cls, value: list[str]) -> list[str]:
        return [c.strip() for c in value if c and c.strip()]


@dataclass(frozen=True)
class Item:
    """A catalogue item as the engine sees it (image path resolved)."""

    id: str
    title: str
    description: str = ""
    categories: tuple[str, ...] = ()
    attributes: dict[str, AttributeValue] = field(default_factory=dict)
    image: str | None = None  # absolute path, or None
    source: str | None = None
    licence: str | None = None

    @classmethod
    def from_row(cls, row: CatalogRow, image_path: str | None = None) -> Item:
        return cls(
            id=row.id,
            title=row.title,
            description=row.description,
            categories=tuple(row.categories),
            attributes=dict(row.attributes),
            image=image_path,
            source=row.source,
            licence=row.licence,
        )

    def number(self, name: str) -> float | None:
        """A numeric attribute (price, year ...) or None when absent or not a number."""
        value = self.attributes.get(name)
        if isinstance(value, bool) or value is None:
            return None
        if isinstance(value, int | float):
            return float(value)
        try:
            return float(str(value))
        except ValueError:
            return None

    def values(self, name: str) -> list[str]:
        """A word-like attribute as a list: ``["Steven Soderbergh"]`` for a list or a string."""
        value = self.attributes.get(name)
        if isinstance(value, list):
            return [str(v) for v in value]
        return [value] if isinstance(value, str) else []

    def words(self) -> list[str]:
        """Categories and word-like attribute values, lower-cased: what constraints match against."""
        out = [c.lower() for c in self.categories]
        for value in self.attributes.values():
            if isinstance(value, str):
                out.append(value.lower())
            elif isinstance(value, list):
                out.extend(v.lower() for v in value)
        return out

    def text(self) -> str:
        """The text that is embedded and keyword-indexed for this item."""
        parts = [self.title]
        if self.categories:
            parts.append("Categories: " + ", ".join(self.categories))
        for key, value in self.attributes.items():
            if isinstance(value, list):
                value = ", ".join(value)
            parts.append(f"{key}: {value}")
        if self.description:
            parts.append(self.description)
        return ". ".join(str(p) for p in parts)


class Range(BaseModel):
    """A numeric constraint; either end may be open."""

    model_config = ConfigDict(extra="forbid")

    min: float | None = None
    max: float | None = None

    def contains(self, value: float) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)


class ImageRef(BaseModel):
    """A photo the user showed, kept as its embedding and the words understood from it."""

    model_config = ConfigDict(extra="forbid")

    name: str
    words: list[str] = Field(default_factory=list)
    vector: list[float] = Field(default_factory=list, repr=False)
    model: str = ""  # the image model that made the vector; vectors of other models are ignored


class Profile(BaseModel):
    """What the user likes, dislikes and needs; the whole conversation folded into one record."""

    model_config = ConfigDict(extra="forbid")

    liked: list[str] = Field(default_factory=list)  # catalogue ids
    disliked: list[str] = Field(default_factory=list)  # catalogue ids, never shown again
    seen: list[str] = Field(
        default_factory=list
    )  # catalogue ids the user has seen: not recommended
    wanted: list[str] = Field(default_factory=list)  # attribute words: "comedy", "red", "running"
    avoided: list[str] = Field(default_factory=list)  # attribute words that rule an item out
    # Describing words refused that are no attribute of the catalogue ("violent", "sad"): items
    # whose text is close to them are pushed down, not ruled out (rank/retrieval.py).
    shunned: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)  # catalogue categories asked for
    # What the item should be about, in words no catalogue field holds ("chess", "car chases"):
    # retrieval looks for them in the items' own text (read/topics.py, rank/retrieval.py).
    topics: list[str] = Field(default_factory=list)
    ranges: dict[str, Range] = Field(default_factory=dict)  # "price", "year" ...
    images: list[ImageRef] = Field(default_factory=list)  # reference photos
    intent: str = ""  # a short free-text summary of what is wanted now
    # What retrieval looks for: the intent without what it refuses ("a funny heist movie,"
    # of "a funny heist movie, nothing too violent"); "" falls back to the intent.
    query: str = ""
    # The liked ids the latest request centres on ("something like X", "more like #2"); the
    # other liked items still count, for less (rank/retrieval.py). Empty: all count alike.
    focus: list[str] = Field(default_factory=list)

    def is_empty(self) -> bool:
        return not (
            self.liked
            or self.disliked
            or self.wanted
            or self.avoided
            or self.shunned
            or self.categories
            or self.topics
            or self.ranges
            or self.images
            or self.intent
        )

    def public(self) -> dict[str, Any]:
        """The profile as shown to people and scripts: image vectors left out."""
        data = self.model_dump(exclude={"images"})
        data["images"] = [{"name": im.name, "words": im.words} for im in self.images]
        return data


@dataclass(frozen=True)
class Change:
    """What one message, vote or photo changes in a profile (``profile.merge``). A profile is
    state; a change is what was said: the reader's ``Reading.said``, a critique's, a vote's.

    >>> Change(liked=("a",)).liked, Change().ranges
    (('a',), {})
    """

    liked: tuple[str, ...] = ()  # catalogue ids
    disliked: tuple[str, ...] = ()
    seen: tuple[str, ...] = ()
    wanted: tuple[str, ...] = ()  # attribute words
    avoided: tuple[str, ...] = ()
    shunned: tuple[str, ...] = ()  # refused describing words that no attribute carries
    categories: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()  # what the item is to be about: no field holds it ("chess")
    ranges: dict[str, Range] = field(default_factory=dict)  # field -> bounds
    images: tuple[ImageRef, ...] = ()
    intent: str = ""  # what is wanted now, in the person's words ("" keeps the last)
    query: str = ""  # ... without what it refuses: what retrieval looks for ("" keeps the last)
    focus: tuple[str, ...] = ()  # liked ids this message centres on (replaces the focus)
    # A new request replaces earlier wishes rather than adding to them: "kinds" (the wanted
    # words: "a comedy" after "a thriller"), "things" (wanted words and categories: "something
    # for yoga" after "a jacket"), "wishes" (wanted words, categories, bounds and focus:
    # "something like X instead"); "" adds (a refinement). Refusals always stay.
    fresh: Literal["", "kinds", "things", "wishes"] = ""
    # Wanted words this message replaces while it adds: a shop's other values of the facets it
    # names ("in blue" after "a red jacket for women" drops red, keeps women and jackets).
    drop: tuple[str, ...] = ()


class ProfileUpdate(BaseModel):
    """What the LLM reads from the latest message, as it writes it (the JSON schema it fills).

    Titles rather than ids: linking a title to a catalogue id is done in code.
    """

    model_config = ConfigDict(extra="forbid")

    liked_titles: list[str] = Field(default_factory=list, max_length=20)
    disliked_titles: list[str] = Field(default_factory=list, max_length=20)
    seen_titles: list[str] = Field(default_factory=list, max_length=20)
    wanted: list[str] = Field(default_factory=list, max_length=20)
    avoided: list[str] = Field(default_factory=list, max_length=20)
    categories: list[str] = Field(default_factory=list, max_length=10)
    ranges: dict[str, Range] = Field(default_factory=dict)
    intent: str = Field(default="", max_length=300)


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"]
    content: str
    # The person's message began a new request ("something like X instead"): the words of
    # earlier requests no longer say what this conversation is about (``sessions.said_so_far``).
    new_request: bool = False


class Session(BaseModel):
    """One conversation: what is needed to continue it, turn after turn (saved by ``--session``)."""

    model_config = ConfigDict(extra="forbid")

    catalog: str
    profile: Profile = Field(default_factory=Profile)
    history: list[ChatMessage] = Field(default_factory=list)
    shown: list[list[str]] = Field(default_factory=list)  # item ids shown, one list per turn
    language: str = ""  # the last message's language ("en", "zh"); before any, the browser's
    version: int = 1

    def last_shown(self) -> list[str]:
        return self.shown[-1] if self.shown else []


@dataclass(frozen=True)
class Transcript:
    """What Whisper heard."""

    text: str
    language: str = "en"
    duration_s: float = 0.0  # length of the audio that was transcribed
    truncated: bool = False  # True when the note was cut at the length limit


@dataclass(frozen=True)
class ImageUnderstanding:
    """What the image model read from one photo."""

    vector: list[float]  # L2-normalised embedding for visual similarity
    labels: list[tuple[str, float]]  # (word, probability), best first
    colours: list[str]  # dominant colour names, most covering first
    model: str = ""  # which image model made the vector

    def words(self, min_probability: float = 0.15) -> list[str]:
        """Words for the text profile; labels below ``min_probability`` are not trusted."""
        out = [w for w, p in self.labels if p >= min_probability][:3]
        return out + self.colours[:2]


@dataclass(frozen=True)
class ScoredItem:
    """An item ranked for this turn, with how each signal contributed."""

    item: Item
    score: float
    signals: dict[str, float]  # signal name -> weighted contribution
    reason: str = ""


@dataclass(frozen=True)
class Notice:
    """Something a person should know about their input ("that photo is empty"): a key of the
    strings files and its fields, rendered in the person's language where it is shown (the page,
    the command line: ``strings.notice``), never earlier."""

    key: str  # "notice.photo_empty": a section and a name of languages/<code>/ui.toml
    fields: dict[str, str | int | float | Notice] = field(default_factory=dict)  # a Notice nests


@dataclass
class TurnResult:
    """Everything a turn produced; ``magpie ask --json`` prints this."""

    transcript: str | None = None
    image_words: list[str] = field(default_factory=list)
    profile: Profile = field(default_factory=Profile)
    items: list[ScoredItem] = field(default_factory=list)
    reply: str = ""
    notices: list[Notice] = field(default_factory=list)  # what the person should know (bad input)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage of this turn
    language: str = "en"  # what the reply, reasons and notices are written in

    def to_json(self, notices: list[str] | None = None) -> dict[str, Any]:
        """The turn as JSON; ``notices`` are the notices rendered (``strings.notice``), else
        their keys."""
        return {
            "transcript": self.transcript,
            "image_words": self.image_words,
            "profile": self.profile.public(),
            "items": [
                {
                    "id": s.item.id,
                    "title": s.item.title,
                    "categories": list(s.item.categories),
                    "attributes": s.item.attributes,
                    "image": s.item.image,
                    "score": round(s.score, 6),
                    "signals": {k: round(v, 6) for k, v in s.signals.items()},
                    "reason": s.reason,
                }
                for s in self.items
            ],
            "reply": self.reply,
            "notices": notices if notices is not None else [n.key for n in self.notices],
            "language": self.language,
        }
