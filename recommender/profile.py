"""The preference profile: fold what a message says into it.

A profile is state; what a message, a vote or a photo says is a ``Change``. ``update`` folds a
``Reading`` (the rule reader's view of a message, ``read/reading.py``: the change its words make,
then its critique of the last list), the photos shown and, optionally, the LLM's reading
(``llm_update``: constrained JSON, titles linked to ids in code) into the profile, and is the one
place a stated bound beats a relative one. ``merge`` folds one change; it is pure and later
statements win.

>>> base = Profile(wanted=["comedy"], ranges={"year": Range(min=1980)})
>>> merge(base, Change(avoided=("comedy",), ranges={"year": Range(max=1999)})).model_dump(
...     include={"wanted", "avoided", "ranges"})
{'wanted': [], 'avoided': ['comedy'], 'ranges': {'year': {'min': 1980.0, 'max': 1999.0}}}
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pydantic import ValidationError

from recommender.errors import LLMError
from recommender.schemas import Change, ChatMessage, ImageRef, Profile, ProfileUpdate, Range
from recommender.text import normalise, stem

if TYPE_CHECKING:
    from recommender.models.base import ChatLLM
    from recommender.read.linking import TitleLinker, VocabularyLinker
    from recommender.read.reading import Reading
    from recommender.reply.prompts import PromptBook

__all__ = ["like", "llm_update", "merge", "query_text", "update"]

log = logging.getLogger(__name__)

_MAX_LIST = 30  # per profile list; the oldest entries fall off first


def _add(target: list[str], value: str) -> None:
    if value and value not in target:
        target.append(value)


def update(
    profile: Profile,
    reading: Reading,
    images: Sequence[ImageRef] = (),
    llm: Change | None = None,
) -> Profile:
    """The profile after one message: what it said, its photos, the LLM's reading, then its
    critique (which refers to the last list, so it comes last). Pure."""
    out = merge(profile, reading.said)
    if images:
        # The photo's vector carries what it looks like; its words (labels, colours) join the
        # query text only, not the wanted attributes: colour naming on product shots is noisy.
        out = merge(out, Change(images=tuple(images)))
    if llm is not None:
        out = merge(out, llm)
    critique = reading.critique.change
    stated = reading.said.ranges
    if set(critique.ranges) & set(stated):
        # "older ones, like before 1990": a bound the message states beats the relative one.
        kept = {k: v for k, v in critique.ranges.items() if k not in stated}
        critique = dataclasses.replace(critique, ranges=kept)
    out = merge(out, critique)
    if reading.critique.only_critique or not reading.text:
        out.intent, out.query = profile.intent, profile.query
    return out


def query_text(profile: Profile, image_words: Sequence[str] = ()) -> str:
    """The words retrieval matches: the intent, wanted words, categories and photo words."""
    words = [profile.query or profile.intent, *profile.wanted, *profile.categories, *image_words]
    return " ".join(w for w in words if w)


def like(item_id: str, liked: bool) -> Change:
    """A thumbs-up or thumbs-down on one item."""
    return Change(liked=(item_id,)) if liked else Change(disliked=(item_id,))


def merge(profile: Profile, delta: Change) -> Profile:
    """Fold ``delta`` into ``profile``; later statements override earlier ones. Pure.

    A new request (``delta.fresh``) first drops the wishes it replaces; what was refused,
    liked, disliked or seen stays.

    >>> p = Profile(wanted=["thriller"], avoided=["gore"], ranges={"year": Range(min=1990)})
    >>> merge(p, Change(wanted=("comedy",), fresh="kinds")).model_dump(
    ...     include={"wanted", "avoided", "ranges"})
    {'wanted': ['comedy'], 'avoided': ['gore'], 'ranges': {'year': {'min': 1990.0, 'max': None}}}
    >>> merge(p, Change(liked=("x",), focus=("x",), fresh="wishes")).model_dump(
    ...     include={"wanted", "ranges", "focus"})
    {'wanted': [], 'ranges': {}, 'focus': ['x']}
    """
    out = profile.model_copy(deep=True)
    # A new request replaces the wishes it names: "about a dog" after "a horror movie" keeps
    # horror; "a comedy" after "a dog movie" keeps the dog.
    topics_only = bool(delta.topics) and not (delta.wanted or delta.categories)
    if delta.fresh and not (delta.fresh == "kinds" and topics_only):
        out.wanted = []
    if delta.fresh in ("things", "wishes") or (delta.fresh and delta.topics):
        out.topics = []
    out.wanted = [w for w in out.wanted if w not in delta.drop]
    if delta.fresh in ("things", "wishes"):
        out.categories = []
    if delta.fresh == "wishes":
        out.ranges, out.focus = {}, []

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
    for word in delta.shunned:
        move(word, out.shunned)
        out.topics = [t for t in out.topics if stem(t) != stem(word)]  # "no dogs" after "dog"
    for topic in delta.topics:
        move(topic, out.topics, out.shunned)
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
    if delta.query:  # a refusal alone ("nothing too violent") keeps the last wish's query
        out.query = delta.query
    if delta.focus:
        out.focus = list(delta.focus)
    out.focus = [i for i in out.focus if i in out.liked]  # a dislike later takes it out
    for name in (
        "liked",
        "disliked",
        "seen",
        "wanted",
        "avoided",
        "shunned",
        "categories",
        "topics",
        "focus",
    ):
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
    history_turns: int = 2,
    ranged: frozenset[str] = frozenset(),
) -> Change:
    """Ask the LLM for a ``ProfileUpdate`` (schema-constrained) and link it to the catalogue;
    ``ranged`` are the fields it may bound (the catalogue's money, date and measured fields).

    Raises ``LLMError`` when the output is not valid JSON for the schema.
    """
    from recommender.models.base import complete

    context = "\n".join(f"{m.role}: {m.content}" for m in history[-2 * history_turns :])
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

    wanted: list[str] = []
    avoided: list[str] = []
    categories: list[str] = []
    named = set(vocabulary.words_in(message))
    for word in update.wanted:
        for known in vocabulary.words_in(word):
            if known in named or known in said:
                _add(wanted, known)
    for word in update.avoided:
        for known in vocabulary.words_in(word) or [
            normalise(c) for c in vocabulary.categories_in(word)
        ]:
            if known in named or known in said:
                _add(avoided, known)
    named_categories = set(vocabulary.categories_in(message))
    for category in update.categories:
        for known in vocabulary.categories_in(category):
            if known in named_categories:
                _add(categories, known)
    return Change(
        liked=tuple(titles.link_titles(update.liked_titles)),
        disliked=tuple(titles.link_titles(update.disliked_titles)),
        seen=tuple(titles.link_titles(update.seen_titles)),
        wanted=tuple(wanted),
        avoided=tuple(avoided),
        categories=tuple(categories),
        ranges={k: v for k, v in update.ranges.items() if k in ranged and grounded_range(v)},
        intent=update.intent,
    )


def _quote(text: str) -> str:
    """User and catalogue text go into prompts as JSON strings: data, never instructions."""
    return json.dumps(text, ensure_ascii=False)


def _first_json_object(text: str) -> str:
    start = text.find("{")
    end = text.rfind("}")
    if start < 0 or end <= start:
        raise ValueError("no JSON object")
    return text[start : end + 1]
