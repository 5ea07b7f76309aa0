"""Hard constraints over a whole catalogue, and what gives way when nothing meets them all.

A profile's constraints cut the catalogue before any source retrieves, so every source draws
from items that may be shown (a top-200 by text similarity no longer comes back empty once
"from the 80s" is applied). Some constraints never give way: an excluded item (liked,
disliked or seen), an avoided word, a budget. The others (other numeric ranges such as a decade
or a running time, a shop's facets, then asked-for categories) are dropped one at a time,
softest first, when nothing meets them all; what was dropped is named so the reply can say so.
When a few items meet everything but fewer than a list holds, facets give way for the rest of
the list only (``fill``): the three green hoodies come first, then hoodies of other colours, and
the reply says so.

>>> describe(Limit("year", 1980, 1989)), describe(Limit("price", high=20), "zh")
('year 1980-1989', '价格 不超过 20')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from recommender.reply.strings import say, value, values
from recommender.schemas import Notice
from recommender.text import normalise, title_key

if TYPE_CHECKING:
    from recommender.catalogue.catalogue import Catalogue
    from recommender.schemas import Profile, Range

__all__ = ["Allowed", "Limit", "allowed", "describe", "notes"]


@dataclass(frozen=True)
class Limit:
    """One constraint, to be said back: a range over ``key``, or words (``key`` "not": avoided,
    "category": asked-for categories)."""

    key: str
    low: float | None = None
    high: float | None = None
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Allowed:
    mask: np.ndarray  # (n,) bool over the catalogue's items
    relaxed: tuple[Limit, ...] = ()  # constraints dropped so that something could be shown
    blocking: tuple[Limit, ...] = ()  # when nothing at all can be shown: those in the way
    constrained: bool = False  # a range, category or avoided word cuts the catalogue
    # When facets gave way to fill a list: the items that meet everything (they come first),
    # and the facets the others leave out. None: every allowed item meets everything.
    exact: np.ndarray | None = None
    widened: tuple[Limit, ...] = ()


def describe(limit: Limit, lang: str | None = None) -> str:
    """A constraint as a person reads it, in ``lang`` (field and category names translated)."""
    if limit.key == "shown":
        return say(lang, "constraint.shown")
    if limit.key in {"not", "category"} or limit.words:
        key = limit.key if limit.key in {"not", "category"} else "category"
        return say(lang, f"constraint.{key}", words=", ".join(values(lang, limit.words)))
    field = value(lang, limit.key)
    if limit.low is not None and limit.high is not None:
        return say(
            lang, "constraint.between", field=field, low=f"{limit.low:g}", high=f"{limit.high:g}"
        )
    if limit.high is not None:
        return say(lang, "constraint.at_most", field=field, high=f"{limit.high:g}")
    if limit.low is not None:
        return say(lang, "constraint.at_least", field=field, low=f"{limit.low:g}")
    return field


def _limit(key: str, rng: Range) -> Limit:
    return Limit(key, rng.min, rng.max)


def _in_range(values: np.ndarray, rng: Range) -> np.ndarray:
    ok = ~np.isnan(values)
    if rng.min is not None:
        ok &= values >= rng.min
    if rng.max is not None:
        ok &= values <= rng.max
    return ok


def allowed(
    data: Catalogue, profile: Profile, exclude: frozenset[str] = frozenset(), fill: int = 0
) -> Allowed:
    """The items a profile allows, relaxing the softest constraints until one is left; when
    fewer than ``fill`` are left, facets also give way for the rest of the list (``exact``)."""
    n = len(data.items)
    firm = np.ones(n, dtype=bool)
    firm_labels: list[Limit] = []
    for item_id in exclude:
        if item_id in data.position:
            position = data.position[item_id]
            firm[position] = False
            # Another row of the same title is the same film to the person who named it.
            firm[data.same_title.get(title_key(data.items[position].title), position)] = False
    if profile.avoided:
        # An item's guessed words count too: a film guessed to be a horror film is not shown
        # to someone who said "no horror".
        avoided = sorted({normalise(w) for w in profile.avoided})
        firm &= ~data.having(avoided, guessed=True, titles=True, parts=True).any(axis=1)
        firm_labels.append(Limit("not", words=tuple(avoided)))
    soft: list[tuple[Limit, np.ndarray]] = []
    for key, rng in profile.ranges.items():
        values = data.numbers.get(key)
        if values is None:
            continue  # this catalogue has no such field: the constraint cannot apply
        if key == data.spec.fields.money:  # a budget never gives way
            firm &= _in_range(values, rng)
            firm_labels.append(_limit(key, rng))
        else:
            soft.append((_limit(key, rng), _in_range(values, rng)))
    asked = {normalise(w) for w in profile.wanted}
    for name, holders in data.facets.items():
        # "a jacket for women, in blue": a shop's facet values asked for keep only the items
        # that have one of them (any colour named, any gender), before categories give way.
        named = sorted(asked & set(holders))
        if named:
            having = np.zeros(n, dtype=bool)
            for word in named:
                having[holders[word]] = True
            soft.append((Limit(name, words=tuple(named)), having))
    if profile.categories:
        wanted = sorted({normalise(c) for c in profile.categories})
        soft.append(
            (
                Limit("category", words=tuple(wanted)),
                np.asarray(data.having(wanted).any(axis=1), dtype=bool),
            )
        )

    constrained = bool(firm_labels or soft)
    if not firm.any() and not firm_labels:  # every item is liked, disliked or seen already
        return Allowed(firm, (), (Limit("shown"),), constrained)
    if not firm.any():
        return Allowed(firm, (), tuple(firm_labels), constrained)
    mask = firm.copy()
    for _, part in soft:
        mask &= part
    relaxed: list[Limit] = []
    # Softest first: numeric ranges in the order given, facets in the catalogue's order, then
    # categories (what was asked for).
    while not mask.any() and soft:
        label, _ = soft.pop(0)
        relaxed.append(label)
        mask = firm.copy()
        for _, part in soft:
            mask &= part
    if 0 < mask.sum() < fill:
        return _filled(mask, firm, soft, set(data.facets), fill, tuple(relaxed), constrained)
    return Allowed(mask, tuple(relaxed), (), constrained)


def _filled(
    exact: np.ndarray,
    firm: np.ndarray,
    soft: list[tuple[Limit, np.ndarray]],
    facets: set[str],
    fill: int,
    relaxed: tuple[Limit, ...],
    constrained: bool,
) -> Allowed:
    """``exact`` widened by dropping facets, softest first, until ``fill`` items are allowed
    (or no facet is left to drop); the exact items stay marked to come first."""
    kept, widened = list(soft), []
    wider = exact
    for label, _ in soft:
        if wider.sum() >= fill or label.key not in facets:
            continue
        kept = [(other, part) for other, part in kept if other is not label]
        widened.append(label)
        wider = firm.copy()
        for _, part in kept:
            wider &= part
    if not widened or wider.sum() <= exact.sum():
        return Allowed(exact, relaxed, (), constrained)
    return Allowed(wider | exact, relaxed, (), constrained, exact, tuple(widened))


def notes(gate: Allowed | None, lang: str | None = None) -> list[Notice]:
    """What the reply says when constraints gave way, or when nothing can be shown at all.

    The limits are written in ``lang`` now; the sentence around them where it is shown.

    >>> notes(Allowed(np.ones(2, bool), relaxed=(Limit("year", 1980, 1989),)))
    [Notice(key='constraint.relaxed', fields={'limits': 'year 1980-1989'})]
    >>> notes(Allowed(np.zeros(2, bool), blocking=(Limit("price", high=5),)))
    [Notice(key='constraint.blocked', fields={'limits': 'price up to 5'})]
    """
    if gate is None:
        return []
    if gate.blocking:
        listed = "; ".join(describe(limit, lang) for limit in gate.blocking)
        return [Notice("constraint.blocked", {"limits": listed})]
    out = []
    if gate.relaxed:
        listed = "; ".join(describe(limit, lang) for limit in gate.relaxed)
        out.append(Notice("constraint.relaxed", {"limits": listed}))
    if gate.exact is not None and gate.widened:
        listed = "; ".join(describe(limit, lang) for limit in gate.widened)
        count = int(gate.exact.sum())
        out.append(Notice("constraint.few", {"count": count, "limits": listed}))
    return out
