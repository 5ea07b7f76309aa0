"""Entity linking: find catalogue items, categories and attribute words named in free text.

Pure Python over the catalogue; built once per catalogue and shared by every turn.

>>> from recommender.schemas import Item
>>> items = [Item("pa-1984", "Police Academy", attributes={"year": 1984}),
...          Item("st-2001", "Super Troopers", attributes={"year": 2001})]
>>> linker = TitleLinker(items)
>>> [m.item_id for m in linker.find("I loved Super Troopers (2001) and police academy")]
['st-2001', 'pa-1984']
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .schemas import Item
from .text import fold, language, ngrams, normalise, stem, tokens, word_spans

__all__ = ["Mention", "TitleLinker", "VocabularyLinker"]

# Longest title, in tokens, that the n-gram scan looks for.
_MAX_TITLE_TOKENS = 12
_YEAR_AFTER = re.compile(r"^\s*\(?\s*((?:19|20)\d\d)\s*\)?")


@dataclass(frozen=True)
class Mention:
    """An item named in the text."""

    item_id: str
    start: int  # character offsets in the original text
    end: int
    surface: str  # the words as written


class TitleLinker:
    """Finds catalogue titles in text: longest match first, years disambiguate."""

    def __init__(self, items: Sequence[Item], popularity: dict[str, float] | None = None) -> None:
        popularity = popularity or {}
        by_title: dict[str, list[tuple[str, int | None]]] = defaultdict(list)
        for item in items:
            key = normalise(item.title)
            if not key:
                continue
            year = item.number("year")
            by_title[key].append((item.id, int(year) if year else None))
        # Most popular first, so an ambiguous title without a year links to the best known film.
        self._titles = {
            k: sorted(v, key=lambda e: -popularity.get(e[0], 0.0)) for k, v in by_title.items()
        }
        self._max = min(_MAX_TITLE_TOKENS, max((len(k.split()) for k in self._titles), default=1))
        self._titles_of = {item.id: item.title for item in items}

    def find(self, text: str) -> list[Mention]:
        """Items named in ``text``, in order of appearance, each at most once."""
        spans = word_spans(text)
        words = [fold(text)[s:e] for s, e in spans]
        out: list[Mention] = []
        seen: set[str] = set()
        i = 0
        while i < len(words):
            hit = None
            for n in range(min(self._max, len(words) - i), 0, -1):
                key = " ".join(words[i : i + n])
                candidates = self._titles.get(key)
                if not candidates:
                    continue
                start, end = spans[i][0], spans[i + n - 1][1]
                year_match = _YEAR_AFTER.match(text[end : end + 9])
                year = int(year_match.group(1)) if year_match else None
                if not self._plausible(key, text[start:end], year, start):
                    continue
                if year is None and i > 0 and words[i - 1] in _INDEFINITE and n <= 2:
                    continue  # "a tent", "a road bike": a kind of thing, not the item so titled
                if n == 1 and text[start:end].islower() and _KIND_AFTER.match(text[end:]):
                    continue  # "a funny heist movie": a kind of film, not the film "Heist"
                chosen = next((c for c in candidates if year and c[1] == year), None)
                if chosen is None and year and not any(c[1] is None for c in candidates):
                    # A year that matches none of the films of that title: nearest year wins.
                    chosen = min(candidates, key=lambda c: abs((c[1] or 0) - year))
                hit = (
                    (chosen or candidates[0])[0],
                    start,
                    end + (year_match.end() if year_match else 0),
                    n,
                )
                break
            if hit is None:
                i += 1
                continue
            item_id, start, end, n = hit
            if item_id not in seen:
                seen.add(item_id)
                out.append(Mention(item_id, start, end, text[start:end]))
            i += n
        return out

    @staticmethod
    def _plausible(key: str, surface: str, year: int | None, start: int) -> bool:
        words = key.split()
        if year is not None:
            return True
        if all(w in language().common_words for w in words):
            # "It", "Up", "Big": only with a capital letter that is not just the sentence start.
            return len(words) > 1 and surface[:1].isupper() and start > 0 and surface.istitle()
        if len(words) == 1 and len(key) < 4:
            return surface[:1].isupper()
        return True

    def title(self, item_id: str) -> str:
        return self._titles_of.get(item_id, item_id)

    def link_titles(self, titles: Iterable[str]) -> list[str]:
        """Ids for titles written by the LLM ("Super Troopers (2001)"); unknown titles dropped."""
        out: list[str] = []
        for title in titles:
            found = self.find(title if "(" in title else title.title())
            if found and found[0].item_id not in out:
                out.append(found[0].item_id)
        return out


# After a one-word title written in lower case, these make it a description ("heist movie").
_KIND_AFTER = re.compile(r"\s+(?:movie|film|flick|show|series)s?\b", re.IGNORECASE)


# Words before a short title that make it a common noun ("a laptop") rather than a title.
_INDEFINITE = frozenset(["a", "an", "some", "any", "another", "new", "good", "nice", "cheap"])


class VocabularyLinker:
    """Maps words in text onto the catalogue's own vocabulary: categories and attribute words.

    A query word maps to a category when it names the category, or when nearly all items
    whose title contains the word sit in that category ("shoes" -> Footwear).
    """

    _MIN_ITEMS = 2  # a title word must occur in at least this many items to stand for a category
    _PURITY = 0.8  # ... and this share of them must sit in the category

    def __init__(self, items: Sequence[Item], synonyms: Mapping[str, str] | None = None) -> None:
        lang = language()
        # The catalogue's own synonyms over the language's spelling variants ("grey" -> "gray").
        self._synonyms = {**lang.spellings, **(synonyms or {})}
        self._ignored = lang.not_attributes
        self._categories: dict[str, str] = {}  # normalised -> as written in the catalogue
        self._words: set[str] = set()  # attribute words (genres, colours, brands ...)
        in_category: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        title_count: dict[str, int] = defaultdict(int)
        members: dict[str, set[int]] = defaultdict(set)
        for n, item in enumerate(items):
            for category in item.categories:
                self._categories.setdefault(normalise(category), category)
                members[category].add(n)
            for word in item.words():
                if len(word) <= 40:
                    self._words.add(normalise(word))
            for word in {stem(w) for w in tokens(item.title)}:
                title_count[word] += 1
                for category in item.categories:
                    in_category[word][category] += 1
        self._members = {c: frozenset(m) for c, m in members.items()}
        self._n_items = len(items)
        self._title_word_category: dict[str, str] = {}
        for word, per_cat in in_category.items():
            total = title_count[word]
            if total < self._MIN_ITEMS or word in language().common_words:
                continue
            # The most specific category (fewest items) that still holds nearly all of them.
            pure = [c for c, n in per_cat.items() if n >= self._PURITY * total]
            if pure:
                self._title_word_category[word] = min(pure, key=lambda c: (self._size(items, c), c))

    def _size(self, items: Sequence[Item], category: str) -> int:
        if not hasattr(self, "_sizes"):
            sizes: dict[str, int] = defaultdict(int)
            for item in items:
                for c in item.categories:
                    sizes[c] += 1
            self._sizes = dict(sizes)
        return self._sizes.get(category, 0)

    def categories_in(self, text: str) -> list[str]:
        """Catalogue categories named or implied in ``text``, as the catalogue writes them."""
        norm = normalise(text)
        words = norm.split()
        found: list[str] = []
        phrases = ngrams(words, 3)
        for phrase in phrases:
            target = self._synonyms.get(phrase, phrase)
            for candidate in (target, stem(target)):
                cat = self._categories.get(candidate) or self._categories.get(candidate + "s")
                if cat and cat not in found:
                    found.append(cat)
        for word in words:
            cat = self._title_word_category.get(stem(word))
            if cat and cat not in found:
                found.append(cat)
        # "running shoes" finds Sports & Outdoor and Footwear: the narrower one is meant. A
        # category holding nearly the whole catalogue ("movie") constrains nothing: left out.
        return [
            c
            for c in found
            if not any(self._narrower(d, c) for d in found) and not self._everything(c)
        ]

    def _everything(self, category: str) -> bool:
        return self._n_items > 10 and len(self._members.get(category, ())) >= 0.9 * self._n_items

    def _narrower(self, a: str, b: str) -> bool:
        """Category ``a`` sits inside ``b``: all its items are among b's, and b has more."""
        inner, outer = self._members.get(a, frozenset()), self._members.get(b, frozenset())
        return bool(inner) and inner < outer

    def words_in(self, text: str) -> list[str]:
        """Attribute words of the catalogue (genres, colours, brands) named in ``text``."""
        words = normalise(text).split()
        found: list[str] = []
        for phrase in ngrams(words, 3):
            target = self._synonyms.get(phrase, phrase)
            for candidate in (target, stem(target)):
                if (
                    candidate in self._words
                    and candidate not in found
                    and candidate not in self._ignored
                ):
                    found.append(candidate)
        return found

    @property
    def categories(self) -> list[str]:
        return sorted(self._categories.values())
