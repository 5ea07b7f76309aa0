"""Critiques of the last list: "more like #2", "cheaper", "older", "seen #1".

Each critique becomes a profile delta; the next ranking then follows from the profile.
Word-level wishes ("not red", "no horror") are read by ``reading.read_message``.

>>> from recommender.schemas import Item
>>> shown = [Item("a", "A", attributes={"price": 80.0}), Item("b", "B", attributes={"price": 120.0})]
>>> c = read_critique("more like #2 but cheaper", shown)
>>> c.delta.liked, c.delta.ranges["price"].max, c.only_critique
(['b'], 119.0, True)
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from .schemas import Item, Profile, Range
from .text import language

__all__ = ["Critique", "read_critique", "year_direction"]

_REF = (
    r"(?:#\s*(\d{1,2})|(?:number|no\.?|item|option|card)\s*(\d{1,2})|the\s+("
    + "|".join(language().ordinals)
    + r")(?:\s+one)?)"
)
_MORE_LIKE = re.compile(
    r"\b(?:more\s+like|similar\s+to|like|love|loved|want|prefer)\s+" + _REF, re.I
)
_LESS_LIKE = re.compile(
    r"(?:\b(?:less\s+like|not|no|hate|dislike|don'?t\s+like|drop|remove|skip)\s+|👎\s*)" + _REF,
    re.I,
)
_SEEN = re.compile(r"\b(?:seen|watched|have|own|already\s+(?:seen|have|own))\s+" + _REF, re.I)
_THUMB_UP = re.compile(r"👍\s*" + _REF, re.I)
# "seen #1 and #2", "not #3, #4 or the last one": a list carries on its critique.
_AND_REF = re.compile(r"\s*(?:,|\band\b|&|\bor\b|\bnor\b)\s*(?:,\s*)?" + _REF, re.I)
# "newer than 2005" states its own bound (the rule reader takes it): only a bare comparative is
# relative to the items shown.
_NOT_THAN = r"\b(?!\s*than\s+\$?\d)"
_CHEAPER = re.compile(
    r"\b(?:cheaper|less\s+expensive|lower\s+price|more\s+affordable|too\s+expensive)" + _NOT_THAN,
    re.I,
)
_PRICIER = re.compile(
    r"\b(?:pricier|more\s+expensive|higher\s+end|fancier|too\s+cheap)" + _NOT_THAN, re.I
)
_OLDER = re.compile(r"\b(?:older|earlier|more\s+classic|classics?)" + _NOT_THAN, re.I)
_NEWER = re.compile(r"\b(?:newer|more\s+recent|recent|latest|modern)" + _NOT_THAN, re.I)


# Only true comparatives: "a classic like Casablanca" is not "older than Casablanca".
_NEWER_THAN = re.compile(r"\b(?:newer|more\s+recent)" + _NOT_THAN, re.I)
_OLDER_THAN = re.compile(r"\b(?:older|earlier)" + _NOT_THAN, re.I)


def year_direction(text: str) -> str | None:
    """Which year bound a bare comparative asks for: "min" ("newer"), "max" ("older") or None.

    >>> year_direction("like the shining but newer"), year_direction("newer than 2005")
    ('min', None)
    >>> year_direction("a classic like Casablanca"), year_direction("the latest Star Wars")
    (None, None)
    """
    newer, older = _NEWER_THAN.search(text), _OLDER_THAN.search(text)
    if bool(newer) == bool(older):
        return None
    return "min" if newer else "max"


# What is left of a message after removing critique phrases: if only these words remain,
# the message was a pure critique and the previous intent still holds.
_FILLER = re.compile(
    r"\b(?:please|but|and|a|bit|little|some|something|thanks|ok|okay|one|ones|"
    r"show|me|give|more|options|them|it|those|these|maybe|also|just|now|same|the)\b",
    re.I,
)


@dataclass(frozen=True)
class Critique:
    delta: Profile  # what the critique adds to the profile
    only_critique: bool  # nothing else was said: keep the previous intent for retrieval
    notes: tuple[str, ...] = ()  # critiques that cannot apply here, said back to the user


def _reference(match: re.Match[str], shown: Sequence[Item]) -> Item | None:
    number = match.group(1) or match.group(2)
    n = int(number) if number else language().ordinals[match.group(3).lower()]
    if n == -1:
        return shown[-1] if shown else None
    return shown[n - 1] if 1 <= n <= len(shown) else None


def read_critique(text: str, shown: Sequence[Item]) -> Critique:
    """Critiques of the items shown last turn, as a profile delta."""
    delta = Profile()
    rest = text
    notes: list[str] = []
    recognised = False
    for pattern, target in (
        (_SEEN, delta.seen),
        (_LESS_LIKE, delta.disliked),
        (_THUMB_UP, delta.liked),
        (_MORE_LIKE, delta.liked),
    ):
        for first in pattern.finditer(text):
            m: re.Match[str] | None = first
            end = first.end()
            while m is not None:
                item = _reference(m, shown)
                if item is not None and item.id not in delta.liked + delta.disliked + delta.seen:
                    target.append(item.id)
                rest = rest.replace(m.group(0), " ")
                m = _AND_REF.match(text, end)
                end = m.end() if m is not None else end

    def anchor(key: str) -> float | None:
        ref = [
            shown[int(n) - 1].number(key)
            for n in re.findall(r"#\s*(\d{1,2})", text)
            if 1 <= int(n) <= len(shown)
        ]
        values = [v for v in ref if v is not None] or [
            v for v in (i.number(key) for i in shown) if v is not None
        ]
        return statistics.median(values) if values else None

    for pattern, key, bound, step in (
        (_CHEAPER, "price", "max", -1.0),
        (_PRICIER, "price", "min", 1.0),
        (_OLDER, "year", "max", -1.0),
        (_NEWER, "year", "min", 1.0),
    ):
        if found := pattern.search(text):
            value = anchor(key)
            if value is not None:
                value = round(value + step, 2) if key == "price" else value + step
                delta.ranges[key] = Range(**{bound: value})
            elif shown:
                notes.append(f"The items shown have no {key}, so “{found.group(0)}” cannot apply.")
            recognised = True
            rest = pattern.sub(" ", rest)
    said_else = bool(re.sub(r"[\W\d_]+", " ", _FILLER.sub(" ", rest)).strip())
    touched = recognised or bool(delta.liked or delta.disliked or delta.seen)
    return Critique(delta, only_critique=touched and not said_else, notes=tuple(notes))
