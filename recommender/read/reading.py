"""Read a message once into a typed ``Reading``: what it names, wants, avoids and bounds.

The rule reader: titles (linked to catalogue ids), the catalogue's own words (wanted, or
avoided after a negation cue), categories, budgets and year ranges, and critiques of the last
list ("more like #2", "cheaper"). Deterministic and fast, so a turn never waits on the LLM for
it. Word lists come from the language file (``text.language``), vocabulary and synonyms from
the catalogue; all normalisation goes through ``text``. A message is first told its language
(``langid.detect``: ``Reading.language``); one in Chinese, Spanish, French or German is read
through its English gloss (``lexicon.gloss``), so it gives the profile its English twin gives.
Numbers (budgets, years, lengths) are read by ``quantities``.

>>> from recommender.schemas import Item
>>> from recommender.read.linking import TitleLinker, VocabularyLinker
>>> items = [Item("st", "Super Troopers", attributes={"year": 2001, "genres": ["comedy"]}),
...          Item("ex", "The Exorcist", attributes={"year": 1973, "genres": ["horror"]})]
>>> r = read_message("I loved Super Troopers, no horror, from the 90s", TitleLinker(items),
...                  VocabularyLinker(items))
>>> r.liked, r.avoided, r.ranges["year"].min, r.ranges["year"].max
(('st',), ('horror',), 1990.0, 1999.0)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from recommender.languages import pack
from recommender.read.critique import Critique, read_critique, year_direction
from recommender.read.gloss import gloss
from recommender.read.langid import detect
from recommender.read.linking import Mention, TitleLinker, VocabularyLinker
from recommender.read.ordinals import ranked_out
from recommender.read.quantities import read_quantities
from recommender.schemas import Item, Profile, Range
from recommender.text import normalise

__all__ = ["Reading", "read_message"]

_EN = pack().reader
_INTENT_CHARS = 300  # the free-text intent kept from a message


# A cue turns what follows in its clause into something to avoid: "no horror", "not red";
# not a bound: "no more than $80", "nothing before 1990" (quantities.py reads those).
_NOT_A_BOUND = (
    r"(?!\s+(?:more|longer|less|fewer|shorter|later|earlier|older|newer)\s+than\b)"
    r"(?!\s+(?:over|above|under|below|before|after)\s+[$£€]?\s*\d)(?!\s+than\b)"
)
_NEGATION = re.compile(
    r"\b(?:"
    + "|".join(_EN.negation)
    + r")\b"
    + _NOT_A_BOUND
    + r"\s*(?:"
    + "|".join(rf"{w}\s+" for w in _EN.negation_soften)
    + r")?",
    re.I,
)
# The user did not enjoy a title they name ("I didn't like Cats").
_DISLIKE_CUE = re.compile(r"(?:" + "|".join(_EN.dislike) + r")", re.I)
_SEEN_CUE = re.compile(r"\b(?:" + "|".join(_EN.seen) + r")\b", re.I)
_COMMA = re.compile(r"\s*,\s*")
# "no horror, or gore": the same negation goes on.
_GOES_ON = re.compile(r"(?:" + "|".join(_EN.negation_goes_on) + r")\b", re.I)
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
    measures: Mapping[str, str] | None = None,
    named: Mapping[str, Sequence[str]] | None = None,
    ordinals: Mapping[str, Sequence[str]] | None = None,
) -> Reading:
    """Read ``text``; ``shown`` are the items of the last list (what "#2" refers to);
    ``measures`` the catalogue's numeric fields with a unit (``{"runtime": "minutes"}``);
    ``named`` those bounded by name (``{"metacritic": ["metacritic", "metascore"]}``);
    ``ordinals`` fields whose values rank (``{"mpaa_rating": ["G", "PG", ...]}``).

    A message in another language is read through its English gloss (``lexicon.gloss``).
    """
    code = detect(text)
    english = gloss(text, code)
    critique = read_critique(english, shown)
    if not english.strip():
        return Reading(text=text, language=code, gloss=english, critique=critique)
    delta = Profile()
    mentions: list[Mention] = []
    ranked, rest = ranked_out(english, ordinals or {})
    for clause in _clauses(rest):
        mentions.extend(_read_clause(clause, delta, titles, vocabulary))
    delta.ranges.update(read_quantities(english, measures, named))
    for value in ranked:
        _add(delta.avoided, value)
    _relative_to_named(english, mentions, titles, delta, critique)
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


def _relative_to_named(
    english: str,
    mentions: Sequence[Mention],
    titles: TitleLinker,
    delta: Profile,
    critique: Critique,
) -> None:
    """ "Like The Shining but newer": a bare comparative next to a named title is relative to
    that title's year, not to the list shown before (a stated year still wins)."""
    years = [y for m in mentions if (y := titles.year(m.item_id)) is not None]
    way = year_direction(english) if years and "year" not in delta.ranges else None
    if way is None:
        return
    delta.ranges["year"] = Range(min=max(years) + 1) if way == "min" else Range(max=min(years) - 1)
    critique.delta.ranges.pop("year", None)


def _clauses(text: str) -> list[str]:
    parts = [p for p in _CLAUSE.split(text) if p and p.strip()]
    return parts or [text]


def _split_negations(text: str) -> list[tuple[bool, str]]:
    """[(negated, span)]: the words after a negation cue are negated up to a comma ("anything
    but horror, a thriller" avoids horror only) or the clause end; "no horror, or gore" goes on.

    >>> _split_negations("anything but horror, a thriller")
    [(False, ''), (True, 'horror'), (False, ',a thriller')]
    """
    out: list[tuple[bool, str]] = []
    for n, part in enumerate(_COMMA.split(text)):
        negated_before = bool(out) and out[-1][0] and _GOES_ON.match(part) is not None
        m = None if negated_before else _NEGATION.search(part)
        if negated_before:
            out.append((True, part))
        elif m:
            out += [(False, part[: m.start()]), (True, part[m.end() :])]
        else:
            out.append((False, ("," if n else "") + part))
    return out


def _add(target: list[str], value: str) -> None:
    if value and value not in target:
        target.append(value)
