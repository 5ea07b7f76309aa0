"""A catalogue is a folder: its rows, photos, side tables and a small ``catalog.toml``.

``CatalogSpec`` is what the folder says about itself (name, domain phrase, vocabulary, the
attributes a card shows, examples, credits); ``Catalogue`` is one catalogue in memory, frozen
and complete: items, vectors, side tables, the keyword index and the linkers. Nothing in the
code names a catalogue: a new one is a new folder under ``assets/`` (or ``magpie ingest DIR``).

>>> spec = CatalogSpec.bare("mine")
>>> spec.title, spec.domain, spec.file
('Mine', 'items', 'catalog.jsonl')
"""

from __future__ import annotations

import json
import logging
import tomllib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import CatalogError
from .keywords import KeywordIndex
from .linking import TitleLinker, VocabularyLinker
from .people import PersonLinker
from .rows import check_name
from .schemas import Item
from .tables import (
    KIND_AT_MOST,
    NONE,
    broader_words,
    collab_table,
    guess_words,
    postings,
    side_tables,
    title_key,
)
from .text import keyword_tokens, normalise

if TYPE_CHECKING:
    from .config import Settings

__all__ = [
    "SPEC_FILE",
    "CatalogSpec",
    "Catalogue",
    "Example",
    "find_specs",
    "guess_words",
    "read_spec",
]

log = logging.getLogger(__name__)

SPEC_FILE = "catalog.toml"
ROW_FILES = ("catalog.jsonl", "catalog.csv")  # looked for, in order, when the spec names none


class Example(BaseModel):
    """A starter shown under the chat: a typed request, with photos or a voice note."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = ""
    files: tuple[str, ...] = ()  # absolute once the spec is read


class _SpecFile(BaseModel):
    """The ``catalog.toml`` file as written (every key optional, unknown keys refused)."""

    model_config = ConfigDict(extra="forbid")

    class _Catalogue(BaseModel):
        model_config = ConfigDict(extra="forbid")
        title: str = ""
        domain: str = "items"
        file: str = ""
        licence: str = ""
        credits: str = ""

    class _Cards(BaseModel):
        model_config = ConfigDict(extra="forbid")
        attributes: list[str] = Field(default_factory=list)
        format: dict[str, str] = Field(default_factory=dict)

    class _Vocabulary(BaseModel):
        model_config = ConfigDict(extra="forbid")
        synonyms: dict[str, str] = Field(default_factory=dict)
        link_fields: list[str] = Field(default_factory=list)
        kind_fields: list[str] = Field(default_factory=list)

    catalogue: _Catalogue = Field(default_factory=_Catalogue)
    cards: _Cards = Field(default_factory=_Cards)
    vocabulary: _Vocabulary = Field(default_factory=_Vocabulary)
    ranges: dict[str, str] = Field(default_factory=dict)
    named_ranges: dict[str, list[str]] = Field(default_factory=dict)
    ordinals: dict[str, list[str]] = Field(default_factory=dict)
    examples: list[Example] = Field(default_factory=list)


class CatalogSpec(BaseModel):
    """What Magpie knows about a catalogue beyond its rows."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str  # becomes part of Chroma collection names: letters, digits, '-', '_'
    folder: Path | None = None  # None: an in-memory catalogue (tests, benchmarks)
    file: str = "catalog.jsonl"  # the rows, relative to ``folder``
    title: str = ""  # the name people see
    domain: str = "items"  # the phrase prompts use: "movies", "products in an online shop"
    licence: str = ""
    credits: str = ""
    card_attributes: tuple[str, ...] = ()  # shown on a card, in order (price first when present)
    card_format: dict[str, str] = Field(default_factory=dict)  # "runtime" -> "{} min"
    synonyms: dict[str, str] = Field(default_factory=dict)  # everyday word -> catalogue word
    # Numeric fields people bound with a unit: "runtime" -> "minutes" ("two hours max").
    measures: dict[str, str] = Field(default_factory=dict)
    # Numeric fields people bound by naming them: "metacritic" -> ["metacritic", "metascore"].
    named_ranges: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    # Fields whose values rank, lowest first: "mpaa_rating" -> ("G", "PG", ...) (ordinals.py).
    ordinals: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    link_fields: tuple[str, ...] = ()  # attributes holding people's names ("author"): people.py
    # Attributes that say what kind of item it is ("genres"); categories when none are named.
    kind_fields: tuple[str, ...] = ()
    examples: tuple[Example, ...] = ()

    @classmethod
    def bare(
        cls, name: str, folder: Path | None = None, file: str = "catalog.jsonl"
    ) -> CatalogSpec:
        """Defaults for a catalogue without a ``catalog.toml`` (a bare JSONL or CSV file)."""
        return cls(name=check_name(name), folder=folder, file=file, title=_title(name))

    @property
    def rows_path(self) -> Path:
        if self.folder is None:
            raise CatalogError(f"catalogue {self.name!r} has no folder")
        return self.folder / self.file


def _title(name: str) -> str:
    return name.replace("_", " ").replace("-", " ").capitalize()


def read_spec(folder: Path, name: str | None = None, file: str | None = None) -> CatalogSpec:
    """The spec of a catalogue folder: its ``catalog.toml`` where there is one, else defaults.

    ``name`` defaults to the folder's name; ``file`` overrides the rows file (a bare file given
    to ``magpie ingest``).
    """
    folder = folder.resolve()
    name = check_name(name or folder.name)
    toml = folder / SPEC_FILE
    written = _SpecFile()
    if toml.is_file():
        try:
            written = _SpecFile.model_validate(tomllib.loads(toml.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, ValidationError) as e:
            raise CatalogError(f"{toml} is not a valid catalogue description: {e}") from e
    c = written.catalogue
    rows = file or c.file or next((f for f in ROW_FILES if (folder / f).is_file()), ROW_FILES[0])
    return CatalogSpec(
        name=name,
        folder=folder,
        file=rows,
        title=c.title or _title(name),
        domain=c.domain,
        licence=c.licence,
        credits=c.credits,
        card_attributes=tuple(written.cards.attributes),
        card_format=dict(written.cards.format),
        synonyms={normalise(k): normalise(v) for k, v in written.vocabulary.synonyms.items()},
        measures=dict(written.ranges),
        named_ranges={k: tuple(v) for k, v in written.named_ranges.items()},
        ordinals={k: tuple(v) for k, v in written.ordinals.items()},
        link_fields=tuple(written.vocabulary.link_fields),
        kind_fields=tuple(written.vocabulary.kind_fields),
        examples=tuple(
            Example(text=e.text, files=tuple(str((folder / f).resolve()) for f in e.files))
            for e in written.examples
        ),
    )


def find_specs(settings: Settings) -> dict[str, CatalogSpec]:
    """Every known catalogue: the folders under ``assets/``, then those ``magpie ingest`` added.

    A bundled folder counts when it holds rows (``catalog.jsonl`` or ``catalog.csv``).
    """
    specs: dict[str, CatalogSpec] = {}
    root = Path(settings.assets_dir)
    if root.is_dir():
        for folder in sorted(p for p in root.iterdir() if p.is_dir()):
            if any((folder / f).is_file() for f in ROW_FILES):
                try:
                    specs[folder.name] = read_spec(folder)
                except CatalogError as e:
                    log.warning("skipping catalogue folder %s: %s", folder, e)
    registry = Path(settings.data_dir) / "catalogs"
    if registry.is_dir():
        for record in sorted(registry.glob("*.json")):
            if record.stem in specs:
                continue
            try:
                where = json.loads(record.read_text(encoding="utf-8"))
                specs[record.stem] = read_spec(
                    Path(where["folder"]), record.stem, where.get("file")
                )
            except (OSError, ValueError, KeyError, CatalogError) as e:
                log.warning("skipping ingested catalogue %s: %s", record.stem, e)
    return specs


def remember(settings: Settings, spec: CatalogSpec) -> None:
    """Record where an ingested catalogue lives, so its spec and side tables are found later."""
    registry = Path(settings.data_dir) / "catalogs"
    registry.mkdir(parents=True, exist_ok=True)
    record = {"folder": str(spec.folder), "file": spec.file}
    (registry / f"{spec.name}.json").write_text(json.dumps(record), encoding="utf-8")


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
    _broader: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)  # a cache

    def broader(self, word: str) -> tuple[str, ...]:
        """The broader words of ``word`` among this catalogue's items (``tables.broader_words``);
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
    def kind_sizes(self) -> np.ndarray:  # (n,) how many kind words each item has
        return np.array([len(k) for k in self.kinds], dtype=np.float32)

    @cached_property
    def _people(self) -> frozenset[str]:
        names: set[str] = set()
        for item in self.items:
            for field_name in self.spec.link_fields:
                names.update(normalise(v) for v in item.values(field_name))
        return frozenset(names)

    def having(
        self, words: Iterable[str], guessed: bool = False, titles: bool = False
    ) -> np.ndarray:
        """(n, len(words)) bool: which items carry each (normalised) word in their attributes or
        categories, or, if asked, among their guessed words or their title's words ("no birds"
        rules out Angry Birds; "war films" is not asking for Star Wars); from postings built
        once, so a turn never loops over the items."""
        words = list(words)
        out = np.zeros((len(self.items), len(words)), dtype=bool)
        for j, word in enumerate(words):
            out[self.postings.get(word, NONE), j] = True
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
        popularity, cooccur, weights, content_weights = side_tables(spec.folder, position)
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
        guessed = guess_words(items, cooccur)
        return cls(
            spec=spec,
            items=items,
            text=text.astype(np.float32),
            image=image_full,
            has_image=has_image,
            popularity=popularity,
            cooccur=cooccur,
            collab=collab_table(spec.folder, position),
            weights=weights,
            content_weights=content_weights,
            position=position,
            numbers=numbers,
            words=words,
            guessed=guessed,
            described=described,
            keywords=KeywordIndex([item.text() for item in items]),
            titles=TitleLinker(items, pop, names=people.surnames if people else frozenset()),
            vocabulary=VocabularyLinker(items, spec.synonyms, people),
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
