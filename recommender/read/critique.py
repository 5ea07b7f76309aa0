"""Critiques of the last list: "more like #2", "cheaper", "older", "seen #1".

A critique is a typed part of a message's ``Reading``: the items of the last list it refers to
and the bounds relative to them, as a ``Change``; whether nothing else was said; notices. The
profile update folds it in last (``profile.update``). Word-level wishes ("not red", "no horror")
are read by ``reading.read_message``.

>>> from recommender.schemas import Item
>>> shown = [Item("a", "A", attributes={"price": 80.0}), Item("b", "B", attributes={"price": 120.0})]
>>> c = read_critique("more like #2 but cheaper", shown)
>>> c.change.liked, c.change.ranges["price"].max, c.only_critique
(('b',), 119.0, True)
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from recommender.catalogue.spec import FieldRoles
from recommender.languages import pack
from recommender.schemas import Change, Item, Notice, Range

__all__ = ["Critique", "comparative_words", "read_critique", "year_direction"]

_CUES = pack().reader.critique


def _either(words: tuple[str, ...]) -> str:
    return "|".join(words)


_REF = (
    rf"(?:#\s*(\d{{1,2}})|(?:{_either(_CUES.card_words)})\s*(\d{{1,2}})"
    rf"|{_CUES.ordinal_before}\s+({_either(tuple(pack().reader.ordinals))})"
    rf"(?:\s+{_CUES.ordinal_after})?)"
)
_MORE_LIKE = re.compile(rf"\b(?:{_either(_CUES.more_like)})\s+" + _REF, re.I)
_LESS_LIKE = re.compile(rf"(?:\b(?:{_either(_CUES.less_like)})\s+|👎\s*)" + _REF, re.I)
_SEEN = re.compile(rf"\b(?:{_either(_CUES.seen)})\s+" + _REF, re.I)
_THUMB_UP = re.compile(r"👍\s*" + _REF, re.I)
# "seen #1 and #2", "not #3, #4 or the last one": a list carries on its critique.
_JOINERS = "|".join(rf"\b{w}\b" for w in _CUES.list_joiners)
_AND_REF = re.compile(rf"\s*(?:,|&|{_JOINERS})\s*(?:,\s*)?" + _REF, re.I)
# "newer than 2005" states its own bound (the rule reader takes it): only a bare comparative is
# relative to the items shown.
_NOT_THAN = rf"\b(?!\s*{_CUES.than}\s+\$?\d)"


def _comparative(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{_either(words)})" + _NOT_THAN, re.I)


# "not that colour", "a different colour for #3": the card named, else the last list.
_OTHER_COLOUR = (
    re.compile(rf"\b(?:{_either(_CUES.other_colour)})\b(?:\s+(?:of|on|for)\s+{_REF})?", re.I)
    if _CUES.other_colour
    else None
)
_CHEAPER = _comparative(_CUES.cheaper)
_PRICIER = _comparative(_CUES.pricier)
_OLDER = _comparative(_CUES.older)
_NEWER = _comparative(_CUES.newer)


# Only true comparatives: "a classic like Casablanca" is not "older than Casablanca".
_NEWER_THAN = _comparative(_CUES.newer_than_title)
_OLDER_THAN = _comparative(_CUES.older_than_title)


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


def comparative_words(text: str) -> frozenset[str]:
    """The words of the year and price comparatives in ``text``, lower case: "not as old" is a
    bound, not the describing word "old" refused.

    >>> sorted(comparative_words("like Mean Girls but not as old"))
    ['as', 'not', 'old']
    >>> sorted(comparative_words("not the pricey ones"))
    ['not', 'pricey', 'the']
    """
    found = [*_NEWER_THAN.finditer(text), *_OLDER_THAN.finditer(text)]
    # ... nor is "not the pricey ones" the word "pricey" refused: "cheaper", a price bound
    found += [*_CHEAPER.finditer(text), *_PRICIER.finditer(text)]
    return frozenset(w.lower() for m in found for w in m.group(0).split())


# What is left of a message after removing critique phrases: if only these words remain,
# the message was a pure critique and the previous intent still holds.
_FILLER = re.compile(rf"\b(?:{_either(_CUES.filler)})\b", re.I)


@dataclass(frozen=True)
class Critique:
    """What a message says of the last list."""

    # Items of the last list it likes, dislikes or has seen; bounds relative to the list (or to a
    # title named beside a comparative: ``reading``), which a stated bound overrides.
    change: Change = field(default_factory=Change)
    only_critique: bool = False  # nothing else was said: keep the previous intent for retrieval
    notes: tuple[Notice, ...] = ()  # critiques that cannot apply here, said back to the user


def _said_else(rest: str) -> bool:
    """Whether words other than filler are left once the critique phrases are taken out."""
    return bool(re.sub(r"[\W\d_]+", " ", _FILLER.sub(" ", rest)).strip())


def _reference(match: re.Match[str], shown: Sequence[Item]) -> Item | None:
    number = match.group(1) or match.group(2)
    n = int(number) if number else pack().reader.ordinals[match.group(3).lower()]
    if n == -1:
        return shown[-1] if shown else None
    return shown[n - 1] if 1 <= n <= len(shown) else None


# With nothing shown, "something recent" is relative to the newest the catalogue has: this many
# years back from it.
RECENT_YEARS = 10


def read_critique(
    text: str,
    shown: Sequence[Item],
    fields: FieldRoles | None = None,
    latest: float | None = None,
) -> Critique:
    """Critiques of the items shown last turn; ``fields`` says which field "cheaper" and "older"
    move (``fields.money``, ``fields.date``). With nothing shown, "recent" or "newer" is
    ``RECENT_YEARS`` back from ``latest``, the catalogue's newest date: no comparison.

    >>> read_critique("a recent comedy", [], latest=2018).change.ranges["year"].min
    2008.0
    """
    fields = fields or FieldRoles()
    liked: list[str] = []
    disliked: list[str] = []
    seen: list[str] = []
    ranges: dict[str, Range] = {}
    rest = text
    notes: list[Notice] = []
    recognised = False
    missing: list[int] = []  # card numbers asked for that the last list does not have
    for pattern, target in (
        (_SEEN, seen),
        (_LESS_LIKE, disliked),
        (_THUMB_UP, liked),
        (_MORE_LIKE, liked),
    ):
        for first in pattern.finditer(text):
            m: re.Match[str] | None = first
            end = first.end()
            while m is not None:
                item = _reference(m, shown)
                if item is not None and item.id not in liked + disliked + seen:
                    target.append(item.id)
                elif item is None and (m.group(1) or m.group(2)):
                    missing.append(int(m.group(1) or m.group(2)))
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
        (_CHEAPER, fields.money, "max", -1.0),
        (_PRICIER, fields.money, "min", 1.0),
        (_OLDER, fields.date, "max", -1.0),
        (_NEWER, fields.date, "min", 1.0),
    ):
        if found := pattern.search(text):
            value = anchor(key)
            if value is None and not shown and pattern is _NEWER and latest is not None:
                ranges[key] = Range(min=float(latest - RECENT_YEARS))  # "something recent"
                rest = pattern.sub(" ", rest)
                continue
            if value is not None:
                value = round(value + step, 2) if key == fields.money else value + step
                ranges[key] = Range(**{bound: value})
            elif shown:
                notes.append(
                    Notice("notice.critique_no_field", {"field": key, "phrase": found.group(0)})
                )
            recognised = True
            rest = pattern.sub(" ", rest)
    avoided: list[str] = []
    if _OTHER_COLOUR is not None and (found := _OTHER_COLOUR.search(rest)):
        # "not that colour": the colour most of the last cards share (or the named card's).
        card = _reference(found, shown) if found.lastindex else None
        colours = [
            c.lower()
            for item in ([card] if card is not None else shown)
            for c in item.values(fields.colour)
        ]
        if colours:
            top, count = Counter(colours).most_common(1)[0]
            avoided = [top] if count * 2 >= len(colours) or card is not None else colours[:1]
        recognised = True
        rest = rest.replace(found.group(0), " ")
    if missing and not shown:
        notes.append(Notice("notice.critique_nothing_shown"))
    elif missing:
        notes.append(
            Notice("notice.critique_no_such_item", {"number": missing[0], "count": len(shown)})
        )
    elif recognised and not shown and not _said_else(rest):
        notes.append(Notice("notice.critique_nothing_shown"))
    said_else = _said_else(rest)
    touched = recognised or bool(liked or disliked or seen)
    change = Change(
        liked=tuple(liked),
        disliked=tuple(disliked),
        seen=tuple(seen),
        avoided=tuple(avoided),
        ranges=ranges,
        focus=tuple(liked),  # "more like #2" centres on #2
    )
    return Critique(change, only_critique=touched and not said_else, notes=tuple(notes))
