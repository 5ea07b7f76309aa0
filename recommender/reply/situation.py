"""What a reply's opening must say beyond the picks: the catalogue has nothing of what was asked,
or there is nothing to rank by and one question back would help (``templates.template_reply``).

Read from the message (its English gloss) and the profile after it: a short request whose words
no item's text uses ("something for the kitchen") is *unknown* to the catalogue; a profile with
no wish, title, bound or photo, from a message with no word the catalogue knows ("recommend me
something", "asdf"), is *vague*. The question offers the catalogue's three commonest kinds.
"""

from __future__ import annotations

import functools
import weakref
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from recommender.languages import pack
from recommender.text import keyword_tokens

if TYPE_CHECKING:
    from recommender.catalogue.catalogue import Catalogue
    from recommender.read.reading import Reading
    from recommender.schemas import Profile

__all__ = ["Situation", "situation"]

# A request this long or shorter, of words no item uses, is one the catalogue cannot serve; a
# longer one may still be served by meaning (the dense text signal finds plants for "gardening").
_SHORT_REQUEST = 2
_QUOTED_CHARS = 24  # a message in another language is quoted as typed, at most this long


@dataclass(frozen=True)
class Situation:
    """What the opening must say beyond the picks."""

    unknown: tuple[str, ...] = ()  # the message's words no item uses (it said nothing else)
    options: tuple[str, ...] = ()  # the catalogue's commonest kinds, most common first
    vague: bool = False  # nothing to rank by: no wish, no title, no bound, no photo
    # A shop's facet fields -> their values (``spec.facet_fields``): "black" is said as "in
    # black", "men" as "for men", not as kinds of thing.
    facets: Mapping[str, frozenset[str]] = field(default_factory=dict)


def situation(reading: Reading, profile: Profile, data: Catalogue) -> Situation:
    """The situation of a turn: ``reading`` is the message read, ``profile`` the profile after it."""
    said = reading.said
    understood = bool(
        said.liked
        or said.disliked
        or said.seen
        or said.wanted
        or said.avoided
        or said.categories
        or said.topics
        or said.ranges
        or reading.critique.notes
        or reading.critique.only_critique
    )
    asking = _asking()
    asked = [t for t in keyword_tokens(reading.gloss) if t not in asking]
    known = any(map(data.keywords.knows, asked))
    unknown: tuple[str, ...] = ()
    if 0 < len(asked) <= _SHORT_REQUEST and not understood and not known:
        words = [w for w in reading.gloss.split() if keyword_tokens(w) and w not in asking]
        english = reading.language == "en"
        unknown = tuple(words[:3]) if english else (reading.text.strip()[:_QUOTED_CHARS],)
    empty = not (
        profile.liked
        or profile.wanted
        or profile.categories
        or profile.topics
        or profile.ranges
        or profile.images
        or profile.avoided
        or profile.shunned
        or profile.disliked
    )
    return Situation(
        unknown=unknown,
        options=kinds_on_offer(data),
        vague=empty and not known,
        facets=data.vocabulary.facets,
    )


@functools.cache
def _asking() -> frozenset[str]:
    """The asking words as the keyword index sees them (stemmed), read once."""
    return frozenset(t for w in pack().reader.asking_words for t in keyword_tokens(w))


def kinds_on_offer(data: Catalogue) -> tuple[str, ...]:
    """The catalogue's three commonest kinds: values of its first kind field, else its top
    categories. Computed once per catalogue (a catalogue is frozen; a re-ingest is a new one)."""
    cached = _OFFER.get(id(data))
    if cached is not None and cached[0]() is data:
        return cached[1]
    field = data.spec.kind_fields[0] if data.spec.kind_fields else None
    counts: Counter[str] = Counter()
    for item in data.items:
        raw = item.attributes.get(field) if field else list(item.categories[:1])
        counts.update(v for v in (raw if isinstance(raw, list) else []) if isinstance(v, str))
    offer = tuple(w for w, _ in counts.most_common(3))
    _OFFER[id(data)] = (weakref.ref(data), offer)  # a weak one: an old catalogue may go
    return offer


_OFFER: dict[int, tuple[weakref.ref[Catalogue], tuple[str, ...]]] = {}
