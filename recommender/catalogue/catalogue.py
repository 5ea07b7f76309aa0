"""One catalogue in memory, frozen and complete: items, vectors, side tables, the keyword index
and the linkers the reader uses, all aligned by position (``Catalogue.build``)."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from recommender.catalogue.collab import collab_table
from recommender.catalogue.dialogues import Dialogues, read_dialogues
from recommender.catalogue.keywords import KeywordIndex
from recommender.catalogue.side_tables import side_tables
from recommender.catalogue.spec import CatalogSpec
from recommender.catalogue.words import KIND_AT_MOST, NONE, broader_words, guess_words, postings
from recommender.read.aliases import read_aliases
from recommender.read.linking import TitleLinker, VocabularyLinker
from recommender.read.people import PersonLinker
from recommender.schemas import Item
from recommender.text import keyword_tokens, normalise, title_key

__all__ = ["Catalogue"]

_VARIANT = re.compile(r"\s*\([^()]*\)\s*$")  # "Juno Jacket (Blue)": the variant's qualifier
_DESCRIBES_WORDS = 5  # words beyond its title a description needs to tell what an item is about


@dataclass(frozen=True)
class Catalogue:
    """One catalogue in memory: items, their vectors and side tables, all aligned by position."""

    spec: CatalogSpec
    items: list[Item]
    text: np.ndarray  # (n, d) L2-normalised
    image: np.ndarray  # (n, d2) L2-normalised; zero rows for items without a photo
    has_image: np.ndarray  # (n,) bool
    popularity: np.ndarray  # (n,) raw counts (zeros when the catalogue has none)
    cooccur: Any  # scipy.sparse.csr_matrix (n, n); empty when the catalogue has none
    collab: Any  # scipy.sparse.csr_matrix (n, n): EASE weights, row = liked item; may be empty
    weights: dict[str, float]  # learned fusion weights (fusion.json), may be empty
    content_weights: dict[str, float]  # ... for a profile that asks for something (may be empty)
    position: dict[str, int]  # id -> position
    numbers: dict[str, np.ndarray]  # "price" -> (n,) with NaN where absent
    words: list[frozenset[str]]  # per item: categories and attribute words, normalised
    guessed: list[frozenset[str]]  # per item: genres guessed from co-mentions (if it has none)
    described: np.ndarray  # (n,) bool: the item has word attributes of its own
    keywords: KeywordIndex
    titles: TitleLinker
    vocabulary: VocabularyLinker
    postings: dict[str, np.ndarray] = field(default_factory=dict, repr=False)  # word -> positions
    guess_postings: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    title_postings: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    # normalised title -> positions, for titles more than one row carries ("Jaws" the film and
    # the ride): excluding one excludes them all
    same_title: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    # Earlier conversations and the items they named (dialogues.json): a signal of their own.
    dialogues: Dialogues | None = field(default=None, repr=False)
    _broader: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)  # a cache

    def broader(self, word: str) -> tuple[str, ...]:
        """The broader words of ``word`` among this catalogue's items (``words.broader_words``);
        none for a person's name: a director's films are not a kind of film."""
        if word not in self._broader:
            person = word in self._people
            self._broader[word] = () if person else broader_words(word, self.postings, self.words)
        return self._broader[word]

    @cached_property
    def kinds(self) -> list[frozenset[str]]:
        """Per item: its kind words (``spec.kind_fields``, else categories, plus guessed ones),
        less any word nearly every item carries (the "movie" category)."""
        out = []
        for item, guessed in zip(self.items, self.guessed, strict=True):
            if self.spec.kind_fields:
                words = {
                    normalise(str(v)) for name in self.spec.kind_fields for v in item.values(name)
                }
            else:
                words = {normalise(c) for c in item.categories}
            out.append(frozenset(w for w in words | guessed if self.share(w) < KIND_AT_MOST))
        return out

    @cached_property
    def facets(self) -> dict[str, dict[str, np.ndarray]]:
        """Per facet field (``spec.facet_fields``): each of its values (normalised) -> the
        positions of the items that have it."""
        return {
            name: postings(
                [frozenset(normalise(str(v)) for v in i.values(name)) for i in self.items]
            )
            for name in self.spec.facet_fields
        }

    @cached_property
    def variant_group(self) -> np.ndarray:
        """(n,) ints: rows whose titles differ only by a closing bracketed qualifier
        ("Juno Jacket (Blue)", "Juno Jacket (Green)") share a group (``spec.variants``)."""
        keys = [title_key(_VARIANT.sub("", item.title)) for item in self.items]
        ids = {key: n for n, key in enumerate(dict.fromkeys(keys))}
        return np.array([ids[key] for key in keys], dtype=np.int64)

    @cached_property
    def has_description(self) -> np.ndarray:
        """(n,) bool: the item has a description that says more than its title (what it is
        about can be told only from one; "Football is a film." does not tell it)."""

        def says_more(item: Item) -> bool:
            own = set(normalise(item.title).split())
            return len(set(normalise(item.description).split()) - own) > _DESCRIBES_WORDS

        return np.array([says_more(item) for item in self.items], dtype=bool)

    def kind_weight(self, word: str) -> float:
        """How much sharing ``word`` says of two items' kind: its inverse share, log(n / items
        carrying it), so a shared "heist" tells more than a shared "action"."""
        return float(np.log(1.0 / max(self.share(word), 1.0 / max(1, len(self.items)))))

    @cached_property
    def kind_weights(self) -> np.ndarray:  # (n,) the summed kind_weight of each item's kind words
        return np.array([sum(self.kind_weight(w) for w in k) for k in self.kinds], dtype=np.float32)

    @cached_property
    def topic_keywords(self) -> KeywordIndex:
        """BM25 over what each item is about: its text without its people's fields and the
        words of their names (``spec.link_fields``), so "the stone age" finds no film for
        Emma Stone in it, and "gore" none of Gore Verbinski's (built on first use: 0.5-0.9 s
        for the 6,281 films on 2 cores; the app builds it at start, ``Recommender.warm``)."""
        people = set(self.spec.link_fields)
        texts = []
        for item in self.items:
            names = {w for f in people for v in item.values(f) for w in keyword_tokens(v)}
            # Its text (title, kinds, tags, description) without its people's fields or names.
            bare = dataclasses.replace(
                item, attributes={k: v for k, v in item.attributes.items() if k not in people}
            )
            texts.append(" ".join(w for w in keyword_tokens(bare.text()) if w not in names))
        return KeywordIndex(texts)

    @cached_property
    def _people(self) -> frozenset[str]:
        names: set[str] = set()
        for item in self.items:
            for field_name in self.spec.link_fields:
                names.update(normalise(v) for v in item.values(field_name))
        return frozenset(names)

    @cached_property
    def part_postings(self) -> dict[str, np.ndarray]:
        """Each word of a several-word value -> the items holding that value ("cotton" ->
        the items made of "Organic Cotton")."""
        return postings(
            [
                frozenset(part for w in words if " " in w for part in w.split())
                for words in self.words
            ]
        )

    def having(
        self,
        words: Iterable[str],
        guessed: bool = False,
        titles: bool = False,
        parts: bool = False,
    ) -> np.ndarray:
        """(n, len(words)) bool: which items carry each (normalised) word in their attributes or
        categories, or, if asked, among their guessed words, their title's words ("no birds"
        rules out Angry Birds; "war films" is not asking for Star Wars) or inside a value of
        several words ("no cotton" rules out organic cotton); from postings built once, so a
        turn never loops over the items."""
        words = list(words)
        out = np.zeros((len(self.items), len(words)), dtype=bool)
        for j, word in enumerate(words):
            out[self.postings.get(word, NONE), j] = True
            if parts:
                out[self.part_postings.get(word, NONE), j] = True
            if guessed:
                out[self.guess_postings.get(word, NONE), j] = True
            if titles:
                out[self.title_postings.get(word, NONE), j] = True
        return out

    @property
    def name(self) -> str:
        return self.spec.name

    @cached_property
    def _word_counts(self) -> Counter[str]:
        return Counter(w for words in self.words for w in words)

    def share(self, word: str) -> float:
        """The share of items that carry ``word`` (normalised) among their words: a value two
        items share tells more the rarer it is (a director, not a country)."""
        return self._word_counts.get(normalise(word), 0) / max(1, len(self.items))

    @classmethod
    def build(
        cls,
        spec: CatalogSpec,
        items: list[Item],
        text: np.ndarray,
        image_ids: Sequence[str] = (),
        image: np.ndarray | None = None,
    ) -> Catalogue:
        position = {item.id: i for i, item in enumerate(items)}
        n = len(items)
        d2 = image.shape[1] if image is not None and image.size else 1
        image_full = np.zeros((n, d2), dtype=np.float32)
        has_image = np.zeros(n, dtype=bool)
        if image is not None and image.size:
            for row, item_id in enumerate(image_ids):
                if item_id in position:
                    image_full[position[item_id]] = image[row]
                    has_image[position[item_id]] = True
        popularity, cooccur, weights, content_weights = side_tables(
            spec.folder, position, spec.cooccur
        )
        numeric_keys = {
            k
            for item in items
            for k, v in item.attributes.items()
            if isinstance(v, int | float) and not isinstance(v, bool)
        }
        numbers = {
            key: np.array(
                [item.number(key) if item.number(key) is not None else np.nan for item in items],
                dtype=np.float64,
            )
            for key in numeric_keys
        }
        words = [
            frozenset(normalise(w) for w in item.words()) | frozenset(keyword_tokens(item.title))
            for item in items
        ]
        described = np.array(
            [
                any(v for v in item.attributes.values() if isinstance(v, str | list))
                for item in items
            ],
            dtype=bool,
        )
        pop = {item.id: float(popularity[i]) for i, item in enumerate(items)}
        people = PersonLinker(items, spec.link_fields) if spec.link_fields else None
        # The kind a film named beside comedies probably has: its first kind field's words.
        guessed = guess_words(items, cooccur, spec.kind_fields[0] if spec.kind_fields else None)
        return cls(
            spec=spec,
            items=items,
            text=text.astype(np.float32),
            image=image_full,
            has_image=has_image,
            popularity=popularity,
            cooccur=cooccur,
            collab=collab_table(spec.folder, position),
            dialogues=read_dialogues(spec.folder, position),
            weights=weights,
            content_weights=content_weights,
            position=position,
            numbers=numbers,
            words=words,
            guessed=guessed,
            described=described,
            keywords=KeywordIndex([item.text() for item in items]),
            titles=TitleLinker(
                items,
                pop,
                names=people.surnames if people else frozenset(),
                date=spec.fields.date,
                aliases=read_aliases(spec.folder, pop),
            ),
            vocabulary=VocabularyLinker(items, spec.synonyms, people, spec.facet_fields),
            postings=postings([frozenset(normalise(w) for w in item.words()) for item in items]),
            title_postings=postings([frozenset(keyword_tokens(item.title)) for item in items]),
            guess_postings=postings(guessed),
            same_title={
                title: positions
                for title, positions in postings(
                    [frozenset([title_key(item.title)]) for item in items]
                ).items()
                if len(positions) > 1
            },
        )
