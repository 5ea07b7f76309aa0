"""Ranked values a message bounds: "nothing rated above PG", "PG-13 or lower", "no R-rated".

A catalogue lists a field's values in order (``catalog.toml`` ``[ordinals]``: a film's rating,
G < PG < PG-13 < R < NC-17); the cue words come from the language file (``rank_*``). A bound
becomes avoided values, so the hard constraints (``constraints.py``) apply it like "no horror".

>>> ranks = {"mpaa_rating": ("G", "PG", "PG-13", "R", "NC-17")}
>>> out, rest = ranked_out("an animated movie, nothing rated above PG", ranks)
>>> out, rest.strip()
(['pg 13', 'r', 'nc 17'], 'an animated movie,')
>>> ranked_out("something my kid can watch, nothing rated R", ranks)[0], ranked_out("PG-13 or lower", ranks)[0]
(['r', 'nc 17'], ['r', 'nc 17'])
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from recommender.languages import pack
from recommender.text import normalise

__all__ = ["ranked_out"]

_EN = pack().reader


def _any(alternatives: Sequence[str]) -> str:
    return "(?:" + "|".join(alternatives) + ")"


def ranked_out(text: str, ordinals: Mapping[str, Sequence[str]]) -> tuple[list[str], str]:
    """The values (normalised) a bound in ``text`` rules out, over every ranked field, and the
    text without the bounds (so "nothing rated above PG" does not also avoid "PG" itself)."""
    out: list[str] = []
    for values in ordinals.values():
        if not values:
            continue
        # Longest first, so "PG-13" is not read as "PG".
        names = sorted(values, key=len, reverse=True)
        value = r"(" + _any([re.escape(v).replace(r"\-", r"[\s-]?") for v in names]) + r")"
        rank = {normalise(v): n for n, v in enumerate(values)}
        bounds = (
            (rf"\b{_any(_EN.rank_above)}\s*{value}(?![\w-])", 1),  # above PG: PG-13 on
            (rf"\b{_any(_EN.rank_not)}\s*{value}(?![\w-])", 0),  # nothing rated R: R on
            (rf"(?<![\w-]){value}\s*{_any(_EN.rank_at_most_after)}\b", 1),  # PG or lower
        )
        for pattern, step in bounds:
            for m in reversed(list(re.finditer(pattern, text, re.I))):
                first = rank[normalise(m.group(1))] + step
                for v in values[first:]:
                    if normalise(v) not in out:
                        out.append(normalise(v))
                # Blanked to the same length: offsets into the text stay true.
                text = text[: m.start()] + " " * (m.end() - m.start()) + text[m.end() :]
    return out, text
