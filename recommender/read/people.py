"""People named in text (film makers, actors, authors ...) as the catalogue writes them.

Which attributes hold people is the catalogue's say (``link_fields`` in ``catalog.toml``); this
module only knows names. A full name links within a few typing errors ("denzel washingon"); a
surname alone ("scorsese gangster flicks") links to its most frequent holder when that holder
clearly dominates, and never when the surname is an ordinary word (the language's common words)
or, written in lower case, a word of some title or of the language ("wood", "king", "french").

>>> from recommender.schemas import Item
>>> items = [Item(str(n), f"Film {n}", attributes={"made_by": ["Quentin Tarantino"]})
...          for n in range(3)] + [Item("x", "Stone", attributes={"with": ["Emma Stone"]})]
>>> people = PersonLinker(items, ("made_by", "with"))
>>> people.find("tarentino movies"), people.find("emma stone"), people.find("a stone")
(['quentin tarantino'], ['emma stone'], [])
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from recommender.languages import NameWords, pack
from recommender.read.fuzzy import FuzzyIndex, fast_fold, name_tokens, span_tokens
from recommender.schemas import Item
from recommender.text import normalise

__all__ = ["PersonLinker"]

# Longest name, in words, looked for ("george roy hill", "samuel l jackson", "brian doyle murray").
_MAX_NAME_TOKENS = 4
# A surname alone stands for its most frequent holder when the holder has at least this share
# of the items of everyone with that surname (tuning half of the request set).
SURNAME_SHARE = 0.6
_MIN_TYPO = 7  # a mistyped name word has at least this many letters ("tarentino", "scorcese")
_MIN_SURNAME = 4  # shorter surnames ("lee", "fox") are too often something else
_SUFFIXES = frozenset(["jr", "sr", "2", "3", "4"])  # "Robert Downey Jr.": the surname is "downey"


class PersonLinker:
    """Finds people of the catalogue in text; returns them as the catalogue's own values."""

    def __init__(
        self, items: Sequence[Item], fields: Iterable[str], lex: NameWords | None = None
    ) -> None:
        self._lex = lex or pack().names
        lang = pack().reader
        self._stop = lang.stop_words
        self._common = lang.common_words | lang.stop_words
        self.fields = tuple(fields)
        mentions: Counter[str] = Counter()  # a name as written -> items naming it
        for item in items:
            mentions.update(set(self._names(item)))
        counts: Counter[str] = Counter()  # catalogue value (normalised) -> items naming it
        keys: dict[str, str] = {}  # canonical key -> value
        for name, n in mentions.items():
            value = normalise(name)
            key = " ".join(name_tokens(name, self._lex))
            if value and key:
                counts[value] += n
                keys.setdefault(key, value)
        title_words = {w for item in items for w in re.findall(r"[a-z]+", item.title.lower())}
        # The catalogue's other words ("french" is a language, "western" a genre): no surname.
        others = {w for item in items for w in item.words() if " " not in w} - set(mentions)
        self._other = {normalise(w) for w in others}
        self._full = {k: v for k, v in keys.items() if " " in k or self._alone_ok(k)}
        self._surnames = self._dominant_surnames(keys, counts)
        # Names that are ordinary words elsewhere in the catalogue need a capital letter.
        self._capital_only = {k for k in (*self._surnames, *self._full) if k in title_words}
        self._value = {**self._surnames, **self._full}  # canonical key -> catalogue value
        self._name_words = {w for k in self._full for w in k.split() if w not in self._common}
        self._index: FuzzyIndex[str] = FuzzyIndex({k: k for k in self._value})

    def _names(self, item: Item) -> list[str]:
        out: list[str] = []
        for name in self.fields:
            value = item.attributes.get(name)
            if isinstance(value, str):
                out.append(value)
            elif isinstance(value, list):
                out.extend(str(v) for v in value)
        return out

    def _alone_ok(self, word: str) -> bool:
        return len(word) >= _MIN_SURNAME and word not in self._common and not word.isdigit()

    def _dominant_surnames(self, keys: dict[str, str], counts: Counter[str]) -> dict[str, str]:
        holders: dict[str, Counter[str]] = defaultdict(Counter)
        for key, value in keys.items():
            words = [w for w in key.split() if w not in _SUFFIXES]
            if len(words) > 1:
                holders[words[-1]][value] += counts[value]
        out = {}
        for surname, by_value in holders.items():
            value, n = by_value.most_common(1)[0]
            dominant = n >= SURNAME_SHARE * sum(by_value.values())
            if self._alone_ok(surname) and dominant and surname not in self._other:
                out[surname] = value
        return out

    @property
    def surnames(self) -> frozenset[str]:
        """Surnames that stand alone for one person ("scorsese"), in canonical form."""
        return frozenset(self._surnames)

    def find(self, text: str, plain: frozenset[str] = frozenset()) -> list[str]:
        """People named in ``text``, as the catalogue writes them (normalised), in order; a word
        in ``plain`` (used as a verb or adverb, lower case) is never a slip of a surname alone
        (a slip in a full name still is: "clint eastwod", which the tagger calls a verb)."""
        if not self._index:
            return []
        spans = span_tokens(text, self._lex)
        folded = fast_fold(text)
        hits: list[tuple[int, int, int, str]] = []  # (first, -length, edits, value)
        for i, (_, _, word) in enumerate(spans):
            if not word:
                continue
            exact_only = word in self._stop  # "will ferrell": a name, never a typo of one
            parts: list[str] = []
            for j in range(i, min(len(spans), i + _MAX_NAME_TOKENS)):
                if not spans[j][2]:
                    break
                parts.append(spans[j][2])
                if spans[j][2] in self._stop:
                    continue
                key = " ".join(parts)
                if len(parts) > 1 and not any(w in self._name_words for w in parts):
                    continue  # a typo leaves one word of a full name whole
                if exact_only:
                    near = [(key, 0)] if len(parts) > 1 and key in self._value else []
                else:
                    near = self._index.near(key)
                if not near:
                    continue
                matched, edits = near[0]
                if edits and len(parts) == 1 and plain.intersection(parts):
                    continue  # "my friend keeps rambling": a verb, not a slip of "Rampling"
                if edits and not all(
                    x == y or (len(x) >= _MIN_TYPO and self._lex.typo_of(x, y))
                    for x, y in zip(key.split(), matched.split(), strict=False)
                ):
                    continue  # "stone" is a word, not a slip of "Stine"; "korean" of "Korman"
                surface = text[spans[i][0] : spans[j][1]]
                lower = surface == folded[spans[i][0] : spans[j][1]]
                if lower and (matched in self._capital_only or matched in self._lex.words):
                    continue  # "a stone", "in french": words, unless written as a name
                if len(parts) == 1 and "-" in surface and "-" not in self._value[matched]:
                    continue  # "something space-y" is no Kevin Spacey
                hits.append((i, -(j - i + 1), edits, self._value[matched]))
        chosen: list[tuple[int, str]] = []
        taken: set[int] = set()
        for at, minus_len, _, value in sorted(hits, key=lambda h: (h[1], h[2], h[0])):
            words = set(range(at, at - minus_len))
            if not words & taken:  # longest names first, then the nearest
                taken |= words
                chosen.append((at, value))
        out: list[str] = []
        for _, value in sorted(chosen):
            if value not in out:
                out.append(value)
        return out
