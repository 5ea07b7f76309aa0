"""The preference profile: read what a message says, fold it into the profile.

Two readers produce the same delta (a ``Profile`` holding only what this message adds):
``RuleExtractor`` (deterministic, always runs, keeps a turn alive when the LLM fails) and
``llm_update`` (constrained JSON from the chat LLM, then titles linked to ids in code).
``merge`` folds a delta into the profile; it is pure and later statements win.

>>> base = Profile(wanted=["comedy"], ranges={"year": Range(min=1980)})
>>> merge(base, Profile(avoided=["comedy"], ranges={"year": Range(max=1999)})).model_dump(
...     include={"wanted", "avoided", "ranges"})
{'wanted': [], 'avoided': ['comedy'], 'ranges': {'year': {'min': 1980.0, 'max': 1999.0}}}
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import ValidationError

from .errors import LLMError
from .linking import TitleLinker, VocabularyLinker, normalise
from .schemas import ChatMessage, Profile, ProfileUpdate, Range

if TYPE_CHECKING:
    from .models.base import ChatLLM
    from .prompts import PromptBook

__all__ = ["RuleExtractor", "llm_update", "merge"]

log = logging.getLogger(__name__)

_MAX_LIST = 30  # per profile list; the oldest entries fall off first
_NUM = r"(\d+(?:[.,]\d+)?)\s*(k)?"
_MONEY = r"(?:\$|£|€|usd|eur|gbp)?\s*" + _NUM + r"\s*(?:\$|£|€|dollars?|bucks|euros?|pounds?|usd)?"
_BUDGET_MAX = re.compile(
    r"\b(?:under|below|less than|cheaper than|at most|max(?:imum)?|up to|no more than|within|budget(?: of| is)?)\s*"
    + _MONEY,
    re.I,
)
_BUDGET_MIN = re.compile(r"\b(?:over|above|more than|at least|min(?:imum)?)\s*" + _MONEY, re.I)
_BUDGET_BETWEEN = re.compile(r"\bbetween\s*" + _MONEY + r"\s*(?:and|-|to)\s*" + _MONEY, re.I)
_PRICE_WORD = re.compile(
    r"[$£€]|\b(?:dollars?|bucks|euros?|pounds?|price|budget|cost|cheap)\b", re.I
)
_YEAR = r"((?:19|20)\d\d)"
_YEAR_MIN = re.compile(
    r"\b(?:nothing (?:before|older than)|not before|(?<!nothing )(?<!not )after|since|newer than|from|later than)"
    r"\s*(?:the\s*)?" + _YEAR,
    re.I,
)
_YEAR_MAX = re.compile(
    r"\b(?:nothing (?:after|newer than)|not after|(?<!nothing )(?<!not )before|older than|up to|until|"
    r"earlier than)\s*(?:the\s*)?" + _YEAR,
    re.I,
)
_DECADE = re.compile(
    r"\b(?:the\s*)?(?:(19|20)?(\d)0'?s|(twenties|thirties|forties|fifties|sixties|"
    r"seventies|eighties|nineties))\b",
    re.I,
)
_DECADE_WORDS = {
    "twenties": 2,
    "thirties": 3,
    "forties": 4,
    "fifties": 5,
    "sixties": 6,
    "seventies": 7,
    "eighties": 8,
    "nineties": 9,
}
# Words that turn what follows into something to avoid: "no horror", "not red", "nothing scary".
_NEGATION = re.compile(
    r"\b(?:no|not|nothing|without|never|avoid|hate|hated|dislike|disliked|don'?t (?:want|like)|"
    r"doesn'?t|isn'?t|except|anything but|no more|not a fan of|can'?t stand)\b\s*(?:too\s+|very\s+|any\s+)?",
    re.I,
)
# Cues that the user did not enjoy a film they name ("I didn't like Cats").
_DISLIKE_CUE = re.compile(
    r"(?:didn'?t (?:like|enjoy|care for)|did not (?:like|enjoy)|hated|disliked|boring|awful|terrible|"
    r"not a fan of|couldn'?t stand|can'?t stand|too scary for me|wasn'?t (?:good|great|funny)|hate)",
    re.I,
)
_SEEN_CUE = re.compile(
    r"\b(?:seen (?:it|that|them|those)|already (?:seen|watched|have|own)|watched (?:it|that))\b",
    re.I,
)
_CLAUSE = re.compile(r"[.!?;\n]|\bbut\b|\bhowever\b|\bthough\b|\band\b", re.I)


class RuleExtractor:
    """Deterministic profile reader: titles, budgets, years, categories, negations."""

    def __init__(self, titles: TitleLinker, vocabulary: VocabularyLinker) -> None:
        self.titles = titles
        self.vocabulary = vocabulary

    def read(self, text: str, *, speaker: str = "user") -> Profile:
        """What one message adds to the profile.

        ``speaker="assistant"``: items the assistant named are only marked as seen-in-dialogue
        when the user later says so; here they add nothing but are linkable later.
        """
        delta = Profile()
        if speaker != "user" or not text.strip():
            return delta
        for clause in _clauses(text):
            self._read_clause(clause, delta)
        self._read_numbers(text, delta)
        delta.intent = text.strip()[:300]
        return delta

    def _read_clause(self, clause: str, delta: Profile) -> None:
        mentions = self.titles.find(clause)
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
            for word in self.vocabulary.words_in(span):
                _add(delta.avoided if negated else delta.wanted, word)
            for category in self.vocabulary.categories_in(span):
                if negated:
                    _add(delta.avoided, normalise(category))
                else:
                    _add(delta.categories, category)

    def _read_numbers(self, text: str, delta: Profile) -> None:
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
                start = 1900 + 10 * _DECADE_WORDS[decade.group(3).lower()]
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


def merge(profile: Profile, delta: Profile) -> Profile:
    """Fold ``delta`` into ``profile``; later statements override earlier ones. Pure."""
    out = profile.model_copy(deep=True)

    def move(value: str, into: list[str], *away: list[str]) -> None:
        for lst in away:
            if value in lst:
                lst.remove(value)
        if value not in into:
            into.append(value)

    for item in delta.liked:
        move(item, out.liked, out.disliked)
    for item in delta.disliked:
        move(item, out.disliked, out.liked)
    for item in delta.seen:
        move(item, out.seen)
    for word in delta.wanted:
        move(word, out.wanted, out.avoided)
    for word in delta.avoided:
        move(word, out.avoided, out.wanted)
        out.categories = [c for c in out.categories if normalise(c) != word]
    if delta.categories:  # a new kind of thing asked for replaces the previous one
        out.categories = []
    for category in delta.categories:
        move(category, out.categories)
        out.avoided = [w for w in out.avoided if w != normalise(category)]
    for key, new in delta.ranges.items():
        old = out.ranges.get(key, Range())
        out.ranges[key] = Range(
            min=new.min if new.min is not None else old.min,
            max=new.max if new.max is not None else old.max,
        )
        low, high = out.ranges[key].min, out.ranges[key].max
        if low is not None and high is not None and low > high:
            # A new bound contradicts the old other bound: keep only what was just said.
            out.ranges[key] = new
    for image in delta.images:
        out.images = [i for i in out.images if i.name != image.name] + [image]
    if delta.intent:
        out.intent = delta.intent
    for name in ("liked", "disliked", "seen", "wanted", "avoided", "categories"):
        setattr(out, name, getattr(out, name)[-_MAX_LIST:])
    out.images = out.images[-5:]
    return out


def llm_update(
    llm: ChatLLM,
    prompts: PromptBook,
    history: Sequence[ChatMessage],
    message: str,
    titles: TitleLinker,
    vocabulary: VocabularyLinker,
    *,
    max_tokens: int = 160,
) -> Profile:
    """Ask the LLM for a ``ProfileUpdate`` (schema-constrained) and link it to the catalogue.

    Raises ``LLMError`` when the output is not valid JSON for the schema.
    """
    from .models.base import complete

    context = "\n".join(f"{m.role}: {m.content}" for m in history[-4:])
    messages = [
        {
            "role": "system",
            "content": prompts.render(
                "profile_system", categories=", ".join(vocabulary.categories[:40])
            ),
        },
        {
            "role": "user",
            "content": prompts.render(
                "profile_user", history=_quote(context), message=_quote(message)
            ),
        },
    ]
    raw = complete(
        llm,
        messages,
        max_tokens=max_tokens,
        temperature=0.0,
        json_schema=ProfileUpdate.model_json_schema(),
    )
    try:
        update = ProfileUpdate.model_validate_json(_first_json_object(raw))
    except (ValidationError, ValueError) as e:
        raise LLMError("the language model returned an unusable profile") from e

    # Small models copy the prompt's examples and invent constraints: numbers and vocabulary words
    # count only where the message states them. Titles count when they link to the catalogue.
    said = set(normalise(message).split())
    said_numbers = {float(n) for n in re.findall(r"\d+(?:\.\d+)?", message.replace(",", ""))}

    def grounded_range(rng: Range) -> bool:
        bounds = [b for b in (rng.min, rng.max) if b is not None]
        return bool(bounds) and all(b in said_numbers for b in bounds)

    delta = Profile(
        liked=titles.link_titles(update.liked_titles),
        disliked=titles.link_titles(update.disliked_titles),
        seen=titles.link_titles(update.seen_titles),
        ranges={
            k: v
            for k, v in update.ranges.items()
            if k in {"price", "year", "runtime", "rating"} and grounded_range(v)
        },
        intent=update.intent,
    )
    named = set(vocabulary.words_in(message))
    for word in update.wanted:
        for known in vocabulary.words_in(word):
            if known in named or known in said:
                _add(delta.wanted, known)
    for word in update.avoided:
        for known in vocabulary.words_in(word) or [
            normalise(c) for c in vocabulary.categories_in(word)
        ]:
            if known in named or known in said:
                _add(delta.avoided, known)
    named_categories = set(vocabulary.categories_in(message))
    for category in update.categories:
        for known in vocabulary.categories_in(category):
            if known in named_categories:
                _add(delta.categories, known)
    return delta


def _quote(text: str) -> str:
    """User and catalogue text go into prompts as JSON strings: data, never instructions."""
    return json.dumps(text, ensure_ascii=False)


def _first_json_object(text: str) -> str:
    start = text.find("{")
    end = text.rfind("}")
    if start < 0 or end <= start:
        raise ValueError("no JSON object")
    return text[start : end + 1]
