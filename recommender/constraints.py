"""Hard constraints over a whole catalogue, and what gives way when nothing meets them all.

A profile's constraints cut the catalogue before any source retrieves, so every source draws
from items that may be shown (a top-200 by text similarity no longer comes back empty once
"from the 80s" is applied). Some constraints never give way: an excluded item (liked,
disliked or seen), an avoided word, a budget. The others (other numeric ranges such as a decade
or a running time, then asked-for categories) are dropped one at a time, softest first, when
nothing meets them all; what was dropped is named so the reply can say so.

>>> from recommender.schemas import Range
>>> describe("year", Range(min=1980, max=1989)), describe("price", Range(max=20))
('year 1980-1989', 'price up to 20')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .text import normalise

if TYPE_CHECKING:
    from .catalog import Catalogue
    from .schemas import Profile, Range

__all__ = ["BUDGET", "Allowed", "allowed", "describe", "notes"]

BUDGET = "price"  # the range key the reader gives a budget: never relaxed


@dataclass(frozen=True)
class Allowed:
    mask: np.ndarray  # (n,) bool over the catalogue's items
    relaxed: tuple[str, ...] = ()  # constraints dropped so that something could be shown
    blocking: tuple[str, ...] = ()  # when nothing at all can be shown: the constraints in the way
    constrained: bool = False  # a range, category or avoided word cuts the catalogue


def describe(key: str, rng: Range) -> str:
    """A constraint as a person would read it (the range's own key and bounds)."""

    def num(v: float) -> str:
        return f"{v:g}"

    if rng.min is not None and rng.max is not None:
        return f"{key} {num(rng.min)}-{num(rng.max)}"
    if rng.max is not None:
        return f"{key} up to {num(rng.max)}"
    if rng.min is not None:
        return f"{key} from {num(rng.min)}"
    return key


def _in_range(values: np.ndarray, rng: Range) -> np.ndarray:
    ok = ~np.isnan(values)
    if rng.min is not None:
        ok &= values >= rng.min
    if rng.max is not None:
        ok &= values <= rng.max
    return ok


def allowed(data: Catalogue, profile: Profile, exclude: frozenset[str] = frozenset()) -> Allowed:
    """The items a profile allows, relaxing the softest constraints until one is left."""
    n = len(data.items)
    firm = np.ones(n, dtype=bool)
    firm_labels: list[str] = []
    for item_id in exclude:
        if item_id in data.position:
            firm[data.position[item_id]] = False
    if profile.avoided:
        # An item's guessed words count too: a film guessed to be a horror film is not shown
        # to someone who said "no horror".
        avoided = sorted({normalise(w) for w in profile.avoided})
        firm &= ~data.having(avoided, guessed=True).any(axis=1)
        firm_labels.append("not " + ", ".join(sorted(avoided)))
    soft: list[tuple[str, np.ndarray]] = []
    for key, rng in profile.ranges.items():
        values = data.numbers.get(key)
        if values is None:
            continue  # this catalogue has no such field: the constraint cannot apply
        if key == BUDGET:
            firm &= _in_range(values, rng)
            firm_labels.append(describe(key, rng))
        else:
            soft.append((describe(key, rng), _in_range(values, rng)))
    if profile.categories:
        wanted = sorted({normalise(c) for c in profile.categories})
        soft.append((", ".join(wanted), np.asarray(data.having(wanted).any(axis=1), dtype=bool)))

    constrained = bool(firm_labels or soft)
    if not firm.any():
        return Allowed(firm, (), tuple(firm_labels), constrained)
    mask = firm.copy()
    for _, part in soft:
        mask &= part
    relaxed: list[str] = []
    # Softest first: numeric ranges in the order given, then categories (what was asked for).
    while not mask.any() and soft:
        label, _ = soft.pop(0)
        relaxed.append(label)
        mask = firm.copy()
        for _, part in soft:
            mask &= part
    return Allowed(mask, tuple(relaxed), (), constrained)


def notes(gate: Allowed | None) -> list[str]:
    """What the reply says when constraints gave way, or when nothing can be shown at all.

    >>> notes(Allowed(np.ones(2, bool), relaxed=("year 1980-1989",)))
    ['Nothing meets everything you asked, so these leave out: year 1980-1989.']
    >>> notes(Allowed(np.zeros(2, bool), blocking=("price up to 5",)))
    ['Nothing in this catalogue meets all of: price up to 5. Loosen one and ask again.']
    """
    if gate is None:
        return []
    if gate.blocking:
        return [
            "Nothing in this catalogue meets all of: "
            + "; ".join(gate.blocking)
            + ". Loosen one and ask again."
        ]
    if gate.relaxed:
        return [
            "Nothing meets everything you asked, so these leave out: "
            + "; ".join(gate.relaxed)
            + "."
        ]
    return []
