"""Read a message once into a typed ``Reading``: what it names, wants, avoids and bounds.

The rule reader: titles (linked to catalogue ids), the catalogue's own words (wanted, or
avoided after a negation cue), categories, budgets and year ranges, and critiques of the last
list ("more like #2", "cheaper"). Deterministic and fast, so a turn never waits on the LLM for
it. Word lists come from the language's folder (``languages.pack``), vocabulary, synonyms and
field roles from the catalogue; all normalisation goes through ``text``. A message is first told
its language (``langid.detect``: ``Reading.language``); one in Chinese, Spanish, French or German
is read through its English gloss (``gloss.gloss``), so it gives the profile its English twin
gives. Numbers (budgets, years, lengths) are read by ``quantities``.

What a message says is one shape: ``Reading.said`` is the ``Change`` its words make,
``Reading.critique`` what it says of the last list. ``profile.update`` folds both.

>>> from recommender.schemas import Item
>>> from recommender.read.linking import TitleLinker, VocabularyLinker
>>> items = [Item("st", "Super Troopers", attributes={"year": 2001, "genres": ["comedy"]}),
...          Item("ex", "The Exorcist", attributes={"year": 1973, "genres": ["horror"]})]
>>> r = read_message("I loved Super Troopers, no horror, from the 90s", TitleLinker(items),
...                  VocabularyLinker(items))
>>> r.said.liked, r.said.avoided, r.said.ranges["year"].min, r.said.ranges["year"].max
(('st',), ('horror',), 1990.0, 1999.0)
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from recommender.catalogue.spec import CatalogSpec
from recommender.languages import pack
from recommender.read.critique import Critique, read_critique, year_direction
from recommender.read.gloss import gloss
from recommender.read.langid import detect
from recommender.read.linking import Mention, TitleLinker, VocabularyLinker
from recommender.read.ordinals import ranked_out
from recommender.read.quantities import read_quantities
from recommender.schemas import Change, Item, Range
from recommender.text import normalise

__all__ = ["Reading", "read_message"]

_EN = pack().reader
_INTENT_CHARS = 300  # the free-text intent kept from a message


# A cue turns what follows in its clause into something to avoid: "no horror", "not red";
# not a bound: "no more than $80", "nothing before 1990" (quantities.py reads those).
_NOT_A_BOUND = (
    rf"(?!\s+(?:{'|'.join(_EN.negation_bound_comparatives)})\s+{_EN.than}\b)"
    rf"(?!\s+(?:{'|'.join(_EN.negation_bound_prepositions)})\s+[$£€]?\s*\d)(?!\s+{_EN.than}\b)"
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
    # What its words say: titles liked (or named neutrally), disliked or seen; words wanted or
    # avoided; categories; the bounds it states; its intent.
    said: Change = field(default_factory=Change)
    critique: Critique = field(default_factory=Critique)  # what it says of the last list


@dataclass
class _Draft:
    """A reading's lists while its clauses are read (``Reading.said`` once done)."""

    liked: list[str] = field(default_factory=list)
    disliked: list[str] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)
    wanted: list[str] = field(default_factory=list)
    avoided: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)

    def done(self, ranges: dict[str, Range], intent: str) -> Change:
        lists = {k: tuple(v) for k, v in dataclasses.asdict(self).items()}
        return Change(**lists, ranges=ranges, intent=intent)


def read_message(
    text: str,
    titles: TitleLinker,
    vocabulary: VocabularyLinker,
    shown: Sequence[Item] = (),
    spec: CatalogSpec | None = None,
) -> Reading:
    """Read ``text``; ``shown`` are the items of the last list (what "#2" refers to); ``spec``
    the catalogue's numeric fields with a unit (``measures``: ``{"runtime": "minutes"}``), those
    bounded by name (``named_ranges``), those whose values rank (``ordinals``) and its field roles
    (``fields``: which field a budget or a decade bounds).

    A message in another language is read through its English gloss (``gloss.gloss``).
    """
    spec = spec or _ANY
    code = detect(text)
    english = gloss(text, code)
    critique = read_critique(english, shown, spec.fields)
    intent = text.strip()[:_INTENT_CHARS]
    if not english.strip():  # no word the rules read: the words still ask (dense retrieval)
        return Reading(text, code, english, said=Change(intent=intent), critique=critique)
    draft = _Draft()
    mentions: list[Mention] = []
    ranked, rest = ranked_out(english, spec.ordinals)
    for clause in _clauses(rest):
        mentions.extend(_read_clause(clause, draft, titles, vocabulary))
    ranges = read_quantities(english, spec.measures, spec.named_ranges, spec.fields)
    for value in ranked:
        _add(draft.avoided, value)
    return Reading(
        text=text,
        language=code,
        gloss=english,
        mentions=tuple(mentions),
        said=draft.done(ranges, intent),
        critique=_relative_to_named(english, mentions, titles, ranges, critique, spec.fields.date),
    )


_ANY = CatalogSpec(name="any")  # a message read without a catalogue's spec: the default roles


def _read_clause(
    clause: str, draft: _Draft, titles: TitleLinker, vocabulary: VocabularyLinker
) -> list[Mention]:
    mentions = titles.find(clause)
    negative = bool(_DISLIKE_CUE.search(clause))
    seen = bool(_SEEN_CUE.search(clause))
    for mention in mentions:
        target = draft.seen if seen else (draft.disliked if negative else draft.liked)
        _add(target, mention.item_id)
    # Remove the titles before looking for words, so "Police Academy" adds no "police" genre.
    rest = clause
    for mention in reversed(mentions):
        rest = rest[: mention.start] + " " + rest[mention.end :]
    for negated, span in _split_negations(rest):
        for word in vocabulary.words_in(span):
            _add(draft.avoided if negated else draft.wanted, word)
        for category in vocabulary.categories_in(span):
            if negated:
                _add(draft.avoided, normalise(category))
            else:
                _add(draft.categories, category)
    return mentions


def _relative_to_named(
    english: str,
    mentions: Sequence[Mention],
    titles: TitleLinker,
    stated: dict[str, Range],
    critique: Critique,
    date: str,
) -> Critique:
    """ "Like The Shining but newer": a bare comparative next to a named title is relative to
    that title's year, not to the list shown before (a stated year still wins: ``profile``)."""
    years = [y for m in mentions if (y := titles.year(m.item_id)) is not None]
    way = year_direction(english) if years and date not in stated else None
    if way is None:
        return critique
    bound = Range(min=max(years) + 1) if way == "min" else Range(max=min(years) - 1)
    change = dataclasses.replace(critique.change, ranges={**critique.change.ranges, date: bound})
    return dataclasses.replace(critique, change=change)


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
