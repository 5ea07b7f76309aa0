"""Entity linking: find catalogue items, categories, attribute words and people in free text.

Pure Python over the catalogue; built once per catalogue and shared by every turn. Titles are
found by ``titles.TitleLinker`` (re-exported here), people by ``people.PersonLinker``, which
``VocabularyLinker`` consults for the catalogue's person-valued attributes.

>>> from recommender.schemas import Item
>>> items = [Item("st", "Super Troopers", attributes={"genres": ["comedy"]})]
>>> VocabularyLinker(items).words_in("a funny comedy")
['comedy']
>>> VocabularyLinker(items).words_in("a good comdey")  # a slip of one of its words
['comedy']
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence

from recommender.languages import pack
from recommender.read.fuzzy import FuzzyIndex
from recommender.read.people import PersonLinker
from recommender.read.titles import Mention, TitleLinker
from recommender.schemas import Item
from recommender.text import ngrams, normalise, stem, tokens

__all__ = ["Mention", "TitleLinker", "VocabularyLinker"]


class VocabularyLinker:
    """Maps words in text onto the catalogue's own vocabulary: categories and attribute words.

    A query word maps to a category when it names the category, or when nearly all items
    whose title contains the word sit in that category ("shoes" -> Footwear).
    """

    _MIN_ITEMS = 2  # a title word must occur in at least this many items to stand for a category
    _MIN_SLIP = 5  # shorter typed words are never read as slips of the vocabulary's words
    _PURITY = 0.8  # ... and this share of them must sit in the category

    def __init__(
        self,
        items: Sequence[Item],
        synonyms: Mapping[str, str] | None = None,
        people: PersonLinker | None = None,
        facets: Sequence[str] = (),
    ) -> None:
        lang = pack().reader
        self.people = people  # names of people (directors, cast): surnames, typos
        # A shop's facet fields (spec.facet_fields) -> their values: "in blue" after "in red"
        # replaces the colour, not the rest of the request.
        self.facets: dict[str, frozenset[str]] = {
            name: frozenset(normalise(v) for item in items for v in item.values(name))
            for name in facets
        }
        # The catalogue's own synonyms over the language's spelling variants ("grey" -> "gray").
        self._synonyms = {**lang.spellings, **(synonyms or {})}
        self._ignored = lang.not_attributes
        self._categories: dict[str, str] = {}  # normalised -> as written in the catalogue
        self._words: set[str] = set()  # attribute words (genres, colours, brands ...)
        in_category: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        title_count: dict[str, int] = defaultdict(int)
        # The products a title word names (a product's colours are one): a word of a single
        # product is its name ("Erika" of the Erika Running Short), no kind of thing.
        products: dict[str, set[str]] = defaultdict(set)
        members: dict[str, set[int]] = defaultdict(set)
        for n, item in enumerate(items):
            for category in item.categories:
                self._categories.setdefault(normalise(category), category)
                members[category].add(n)
            for word in item.words():
                if len(word) <= 40:
                    self._words.add(normalise(word))
            product = normalise(re.sub(r"\s*\([^)]*\)\s*$", "", item.title))
            for word in {stem(w) for w in tokens(item.title)}:
                title_count[word] += 1
                products[word].add(product)
                for category in item.categories:
                    in_category[word][category] += 1
        # A category named "Bras & Tanks" is also named by each of its halves: "tanks" finds
        # it beside "Tanks".
        self._halves: dict[str, list[str]] = defaultdict(list)
        for key, category in self._categories.items():
            halves = key.split(" and ")
            for half in halves if len(halves) > 1 else ():
                self._halves[half.strip()].append(category)
        # One-word vocabulary, synonyms and categories, for typed slips ("mistery", "furnature").
        known = {w for w in self._words if " " not in w}
        known |= {w for w in self._synonyms if " " not in w}
        known |= {normalise(c) for c in self._categories if " " not in normalise(c)}
        self._known = frozenset(known)
        self._title_words = frozenset(title_count)  # stems: "jingle" names a film, not a slip
        # People's names are the person linker's to spell ("goodie" is no slip of Goldie).
        named = {
            w
            for item in items
            for f in (people.fields if people else ())
            for v in item.values(f)
            for w in normalise(v).split()
        }
        self._slips = FuzzyIndex({w: w for w in known - named if len(w) >= self._MIN_SLIP})
        self._members = {c: frozenset(m) for c, m in members.items()}
        self._n_items = len(items)
        # A product's own name ("Erika" of the Erika Running Short, in every colour): the
        # items a refusal of the name leaves out ("anything but the Erika ones").
        self._named: dict[str, tuple[str, ...]] = {}
        for item in items:
            first = stem(normalise(item.title).split()[0]) if item.title.strip() else ""
            if first and len(products[first]) == 1 and first not in pack().reader.common_words:
                self._named[first] = (*self._named.get(first, ()), item.id)
        self._title_word_category: dict[str, str] = {}
        for word, per_cat in in_category.items():
            total = title_count[word]
            if (
                total < self._MIN_ITEMS
                or len(products[word]) < self._MIN_ITEMS
                or word in pack().reader.common_words
            ):
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

    def _spelled(self, text: str) -> list[str]:
        """The normalised words of ``text``, a slip of a vocabulary word put right: a word the
        vocabulary does not know and the language's word list does not hold ("famly")."""
        slips = self._slips_of(text)
        return [slips.get(w, w) for w in normalise(text).split()]

    def _slips_of(self, text: str) -> dict[str, str]:
        """typed word -> the vocabulary word it is a slip of, for the words of ``text``."""
        real = pack().names.words
        out = {}
        for word in set(normalise(text).split()):
            if self._may_be_slip(word, real) and (hit := self._slips.best(word)):
                out[word] = hit[0]
        return out

    def people_in(self, text: str, plain: frozenset[str] = frozenset()) -> list[str]:
        """People named in ``text``; a slip of a vocabulary word is that word, not a name
        ("mistery" is mystery, not the actor Jimi Mistry); a word in ``plain`` is no slip of a
        name ("rambling" is not Charlotte Rampling)."""
        if not self.people:
            return []
        for typed, meant in self._slips_of(text).items():
            text = re.sub(rf"(?i)\b{re.escape(typed)}\b", meant, text)
        said = f" {normalise(text)} "
        return [
            name
            for name in self.people.find(text, plain)
            # A surname alone that is a word of the catalogue's ("not another Marvel movie":
            # the superhero films, not the actress Elizabeth Marvel) is that word.
            if f" {name} " in said or name.split()[-1] not in self._synonyms
        ]

    def _may_be_slip(self, word: str, real: frozenset[str]) -> bool:
        return (
            len(word) >= self._MIN_SLIP
            and word.isalpha()
            and word not in self._known
            and word not in real
            and stem(word) not in self._known
            and stem(word) not in self._title_words
        )

    def categories_in(self, text: str) -> list[str]:
        """Catalogue categories named or implied in ``text``, as the catalogue writes them."""
        words = self._spelled(text)
        found: list[str] = []
        phrases = ngrams(words, 3)
        for phrase in phrases:
            target = self._synonyms.get(phrase, phrase)
            for candidate in (target, stem(target)):
                cat = self._categories.get(candidate) or self._categories.get(candidate + "s")
                halves = self._halves.get(candidate) or self._halves.get(candidate + "s", [])
                for c in ([cat] if cat else []) + halves:
                    if c not in found:
                        found.append(c)
        for word in words:
            cat = self._title_word_category.get(stem(self._synonyms.get(word, word)))
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

    def words_in(
        self, text: str, plain: frozenset[str] = frozenset(), people: list[str] | None = None
    ) -> list[str]:
        """Attribute words of the catalogue (genres, colours, brands, people) named in ``text``;
        the words in ``plain`` are no slips of names (the parse used them as verbs); ``people``,
        when the caller has found them already (``people_in``), are not looked for again."""
        words = self._spelled(text)
        found: list[str] = list(self.people_in(text, plain) if people is None else people)
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

    def named(self, word: str) -> tuple[str, ...]:
        """The ids of the product whose own name ``word`` is (its first title word, the name
        of no other product), every colour of it; () for any other word.

        >>> shop = VocabularyLinker([Item("e1", "Erika Running Short (Red)"),
        ...     Item("e2", "Erika Running Short (Blue)"), Item("a", "Ana Running Short")])
        >>> shop.named("Erika"), shop.named("running")
        (('e1', 'e2'), ())
        """
        return self._named.get(stem(normalise(word)), ())

    @property
    def categories(self) -> list[str]:
        return sorted(self._categories.values())
