"""Read a message once into a typed ``Reading``: what it names, wants, avoids and bounds.

The rule reader: titles (linked to catalogue ids), the catalogue's own words (wanted, or
avoided after a negation cue), categories, budgets and year ranges, and critiques of the last
list ("more like #2", "cheaper"). Deterministic and fast, so a turn never waits on the LLM for
it. Word lists come from the language file (``text.language``), vocabulary and synonyms from
the catalogue; all normalisation goes through ``text``.

>>> from recommender.schemas import Item
>>> from recommender.linking import TitleLinker, VocabularyLinker
>>> items = [Item("st", "Super Troopers", attributes={"year": 2001, "genres": ["comedy"]}),
...          Item("ex", "The Exorcist", attributes={"year": 1973, "genres": ["horror"]})]
>>> r = read_message("I loved Super Troopers, no horror, from the 90s", TitleLinker(items),
...                  VocabularyLinker(items))
>>> r.liked, r.avoided, r.ranges["year"].min, r.ranges["year"].max
(('st',), ('horror',), 1990.0, 1999.0)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .critique import Critique, read_critique
from .langid import detect
from .lexicon import gloss
from .linking import Mention, TitleLinker, VocabularyLinker
from .schemas import Item, Profile, Range
from .text import language, normalise

__all__ = ["Reading", "read_message"]

_EN = language()
_INTENT_CHARS = 300  # the free-text intent kept from a message


def _any(alternatives: tuple[str, ...]) -> str:
    return "(?:" + "|".join(alternatives) + ")"


_NUM = r"(\d+(?:[.,]\d+)?)\s*(" + "|".join(_EN.thousands) + ")?"
_MONEY = _any(_EN.currency_before) + r"?\s*" + _NUM + r"\s*" + _any(_EN.currency_after) + "?"
_BUDGET_MAX = re.compile(r"\b" + _any(_EN.budget_max) + r"\s*" + _MONEY, re.I)
_BUDGET_MIN = re.compile(r"\b" + _any(_EN.budget_min) + r"\s*" + _MONEY, re.I)
_BUDGET_BETWEEN = re.compile(
    r"\b"
    + _any(_EN.between)
    + r"\s*"
    + _MONEY
    + r"\s*"
    + _any(_EN.range_joiners)
    + r"\s*"
    + _MONEY,
    re.I,
)
_PRICE_WORD = re.compile(r"[$£€]|\b" + _any(_EN.price_words) + r"\b", re.I)
# A year, not a decade: "from the 2000s" is 2000-2009 (``_DECADE``), not "from 2000 on".
_YEAR = r"((?:19|20)\d\d)(?!'?s\b)"
_ARTICLE = r"\s*" + _any(tuple(rf"{a}\s*" for a in _EN.articles)) + "?"
_YEAR_MIN = re.compile(r"\b" + _any(_EN.year_min) + _ARTICLE + _YEAR, re.I)
_YEAR_MAX = re.compile(r"\b" + _any(_EN.year_max) + _ARTICLE + _YEAR, re.I)
_DECADE = re.compile(
    r"\b(?:the\s*)?(?:(19|20)?(\d)0'?s|(" + "|".join(_EN.decades) + r"))\b",
    re.I,
)
# A cue turns what follows in its clause into something to avoid: "no horror", "not red".
_NEGATION = re.compile(
    r"\b(?:"
    + "|".join(_EN.negation)
    + r")\b\s*(?:"
    + "|".join(rf"{w}\s+" for w in _EN.negation_soften)
    + r")?",
    re.I,
)
# The user did not enjoy a title they name ("I didn't like Cats").
_DISLIKE_CUE = re.compile(r"(?:" + "|".join(_EN.dislike) + r")", re.I)
_SEEN_CUE = re.compile(r"\b(?:" + "|".join(_EN.seen) + r")\b", re.I)
_CLAUSE = re.compile(r"[.!?;\n]|" + "|".join(rf"\b{w}\b" for w in _EN.clause_breaks), re.I)


@dataclass(frozen=True)
class Reading:
    """What one message says. Ids are catalogue ids; words are the catalogue's own words."""

    text: str  # the message as read
    language: str = "en"  # the language it is written in ("en", "zh", "es", "fr", "de")
    gloss: str = ""  # the English the rules read (the text itself when English); "" if empty
    mentions: tuple[Mention, ...] = ()  # every title named, in order (offsets in ``gloss``)
    liked: tuple[str, ...] = ()  # ids named with liking (or neutrally)
    disliked: tuple[str, ...] = ()  # ids named with a dislike cue
    seen: tuple[str, ...] = ()  # ids the user says they have seen
    wanted: tuple[str, ...] = ()  # attribute words asked for
    avoided: tuple[str, ...] = ()  # attribute words (or categories) negated
    categories: tuple[str, ...] = ()  # catalogue categories asked for
    ranges: dict[str, Range] = field(default_factory=dict)  # "price", "year"
    critique: Critique = field(default_factory=lambda: Critique(Profile(), False))

    @property
    def intent(self) -> str:
        return self.text.strip()[:_INTENT_CHARS]

    def said(self) -> Profile:
        """What the words of the message add to a profile (critiques apart)."""
        if not self.text.strip():
            return Profile()
        return Profile(
            liked=list(self.liked),
            disliked=list(self.disliked),
            seen=list(self.seen),
            wanted=list(self.wanted),
            avoided=list(self.avoided),
            categories=list(self.categories),
            ranges={k: v.model_copy() for k, v in self.ranges.items()},
            intent=self.intent,
        )


def read_message(
    text: str,
    titles: TitleLinker,
    vocabulary: VocabularyLinker,
    shown: Sequence[Item] = (),
) -> Reading:
    """Read ``text``; ``shown`` are the items of the last list (what "#2" refers to).

    A message in another language is read through its English gloss (``lexicon.gloss``).
    """
    code = detect(text)
    english = gloss(text, code)
    critique = read_critique(english, shown)
    if not english.strip():
        return Reading(text=text, language=code, gloss=english, critique=critique)
    delta = Profile()
    mentions: list[Mention] = []
    for clause in _clauses(english):
        mentions.extend(_read_clause(clause, delta, titles, vocabulary))
    _read_numbers(english, delta)
    return Reading(
        text=text,
        language=code,
        gloss=english,
        mentions=tuple(mentions),
        liked=tuple(delta.liked),
        disliked=tuple(delta.disliked),
        seen=tuple(delta.seen),
        wanted=tuple(delta.wanted),
        avoided=tuple(delta.avoided),
        categories=tuple(delta.categories),
        ranges=dict(delta.ranges),
        critique=critique,
    )


def _read_clause(
    clause: str, delta: Profile, titles: TitleLinker, vocabulary: VocabularyLinker
) -> list[Mention]:
    mentions = titles.find(clause)
    negative = bool(_DISLIKE_CUE.search(clause))
    seen = bool(_SEEN_CUE.search(clause))
    for mention in mentions:
        target = delta.seen if seen else (delta.disliked if negative else delta.liked)
        _add(target, mention.item_id)
    # Remove the titles before looking for words, so "Police Academy" adds no "police" genre.
    rest = clause
    for mention in reversed(mentions):
        rest = rest[: mention.start] + " " + rest[mention.end :]
    for negated, span in _split_negations(rest):
        for word in vocabulary.words_in(span):
            _add(delta.avoided if negated else delta.wanted, word)
        for category in vocabulary.categories_in(span):
            if negated:
                _add(delta.avoided, normalise(category))
            else:
                _add(delta.categories, category)
    return mentions


def _read_numbers(text: str, delta: Profile) -> None:
    price = Range()
    between = _BUDGET_BETWEEN.search(text)
    if between:
        price.min = _money(between.group(1), between.group(2))
        price.max = _money(between.group(3), between.group(4))
    else:
        for m in _BUDGET_MAX.finditer(text):
            if not _is_year(m.group(1)) or _PRICE_WORD.search(m.group(0)):
                price.max = _money(m.group(1), m.group(2))
        for m in _BUDGET_MIN.finditer(text):
            if not _is_year(m.group(1)) or _PRICE_WORD.search(m.group(0)):
                price.min = _money(m.group(1), m.group(2))
    if price.min is not None or price.max is not None:
        delta.ranges["price"] = price

    year = Range()
    for m in _YEAR_MIN.finditer(text):
        year.min = float(m.group(1))
    for m in _YEAR_MAX.finditer(text):
        if not m.group(0).lower().startswith("up to") or year.max is None:
            year.max = float(m.group(1))
    decade = _DECADE.search(text)
    if decade and year.min is None and year.max is None:
        if decade.group(3):
            start = 1900 + 10 * _EN.decades[decade.group(3).lower()]
        else:
            century = (
                int(decade.group(1)) * 100
                if decade.group(1)
                else (1900 if int(decade.group(2)) > 2 else 2000)
            )
            start = century + 10 * int(decade.group(2))
        year = Range(min=start, max=start + 9)
    if year.min is not None or year.max is not None:
        delta.ranges["year"] = year


def _clauses(text: str) -> list[str]:
    parts = [p for p in _CLAUSE.split(text) if p and p.strip()]
    return parts or [text]


def _split_negations(text: str) -> list[tuple[bool, str]]:
    """[(negated, span)]: the words after a negation cue are negated up to the clause end."""
    out: list[tuple[bool, str]] = []
    last = 0
    for m in _NEGATION.finditer(text):
        if m.start() > last:
            out.append((False, text[last : m.start()]))
        out.append((True, text[m.end() :]))
        last = len(text)
        break
    if last < len(text):
        out.append((False, text[last:]))
    return out


def _money(number: str, thousands: str | None) -> float:
    value = float(number.replace(",", ""))
    return value * 1000 if thousands else value


def _is_year(number: str) -> bool:
    return bool(re.fullmatch(r"(19|20)\d\d", number))


def _add(target: list[str], value: str) -> None:
    if value and value not in target:
        target.append(value)
