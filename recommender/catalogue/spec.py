"""A catalogue is a folder: its rows, photos, side tables and a small ``catalog.toml``.

``CatalogSpec`` is what the folder says about itself (name, domain phrase, vocabulary, the
attributes a card shows, examples, credits); ``catalogue.Catalogue`` is one catalogue in memory.
Nothing in the code names a catalogue: a new one is a new folder under ``assets/`` (or
``magpie ingest DIR``).

>>> spec = CatalogSpec.bare("mine")
>>> spec.title, spec.domain, spec.file
('Mine', 'items', 'catalog.jsonl')
"""

from __future__ import annotations

import json
import logging
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from recommender.catalogue.rows import check_name
from recommender.errors import CatalogError
from recommender.files import write_atomic
from recommender.text import normalise

if TYPE_CHECKING:
    from recommender.config import Settings

__all__ = [
    "MIN_SUPPORT",
    "ROW_FILES",
    "SPEC_FILE",
    "CatalogSpec",
    "Example",
    "FieldRoles",
    "find_specs",
    "read_spec",
    "remember",
]

log = logging.getLogger(__name__)

SPEC_FILE = "catalog.toml"
# Mentions a liked item needs before co-occurrence speaks for it, unless a catalogue says
# otherwise (``[signals] min_support``): on ReDial's fit half, one or two dialogues are noise.
MIN_SUPPORT = 3
ROW_FILES = ("catalog.jsonl", "catalog.csv")  # looked for, in order, when the spec names none


class Example(BaseModel):
    """A starter shown under the chat: a typed request, with photos or a voice note."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = ""
    files: tuple[str, ...] = ()  # absolute once the spec is read


class FieldRoles(BaseModel):
    """What some of a catalogue's fields are, for the code that must know (``[fields]`` in
    ``catalog.toml``): no other part of the code names a catalogue field. A role whose field
    the rows lack never fires (a catalogue without prices reads no budgets)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    money: str = "price"  # a budget bounds it, "cheaper" lowers it; a card shows it first
    money_max: str = "price_max"  # the top of a price range ("$20-$40")
    date: str = "year"  # decades and years bound it; "newer" and "like X but older" move it
    options: str = "options"  # an item's variants (sizes): never shown as a fact
    colour: str = "colour"  # "not that colour" refuses the last list's value of it

    @property
    def money_fields(self) -> frozenset[str]:
        return frozenset({self.money, self.money_max})


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
        variants: bool = False

    class _Vocabulary(BaseModel):
        model_config = ConfigDict(extra="forbid")
        synonyms: dict[str, str] = Field(default_factory=dict)
        link_fields: list[str] = Field(default_factory=list)
        kind_fields: list[str] = Field(default_factory=list)
        facet_fields: list[str] = Field(default_factory=list)
        describing: dict[str, list[str]] = Field(default_factory=dict)

    class _Signals(BaseModel):
        model_config = ConfigDict(extra="forbid")
        min_support: int = MIN_SUPPORT

    catalogue: _Catalogue = Field(default_factory=_Catalogue)
    cards: _Cards = Field(default_factory=_Cards)
    vocabulary: _Vocabulary = Field(default_factory=_Vocabulary)
    fields: FieldRoles = Field(default_factory=FieldRoles)
    cooccur: dict[str, float] = Field(default_factory=dict)
    signals: _Signals = Field(default_factory=lambda: _SpecFile._Signals())
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
    # Rows whose titles differ only by a bracketed qualifier are variants of one product
    # ("Juno Jacket (Blue)"): a list shows one of them unless nothing else is left.
    variants: bool = False
    synonyms: dict[str, str] = Field(default_factory=dict)  # everyday word -> catalogue word
    # Describing words refused softly ("nothing too violent") -> the catalogue's words that carry
    # them ("horror", "war"): items carrying any go down (the refused_kind signal); none is cut.
    describing: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    # Numeric fields people bound with a unit: "runtime" -> "minutes" ("two hours max").
    measures: dict[str, str] = Field(default_factory=dict)
    # Numeric fields people bound by naming them: "metacritic" -> ["metacritic", "metascore"].
    named_ranges: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    # Fields whose values rank, lowest first: "mpaa_rating" -> ("G", "PG", ...) (ordinals.py).
    ordinals: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    link_fields: tuple[str, ...] = ()  # attributes holding people's names ("author"): people.py
    # Attributes that say what kind of item it is ("genres"); categories when none are named.
    kind_fields: tuple[str, ...] = ()
    # Attributes a shop filters by ("colour", "gender"): a value asked for keeps only the items
    # that have it, and gives way (first listed, first) when nothing else meets the request.
    facet_fields: tuple[str, ...] = ()
    fields: FieldRoles = FieldRoles()  # money, date...: what the code must know of a field
    # How much each block of cooccur.json counts ("movielens" -> 0.5); 1 for the others.
    cooccur: dict[str, float] = Field(default_factory=dict)
    # Mentions a liked item needs before co-occurrence speaks for it (popularity.json counts):
    # pairs from one or two dialogues are noise; a store's own links are not (0).
    min_support: int = MIN_SUPPORT
    examples: tuple[Example, ...] = ()

    @classmethod
    def bare(
        cls, name: str, folder: Path | None = None, file: str = "catalog.jsonl"
    ) -> CatalogSpec:
        """Defaults for a catalogue without a ``catalog.toml`` (a bare JSONL or CSV file)."""
        return cls(name=check_name(name), folder=folder, file=file, title=_title(name))

    @property
    def ranged(self) -> frozenset[str]:
        """The numeric fields a message may bound: money, date, measured and named ones."""
        return frozenset({self.fields.money, self.fields.date, *self.measures, *self.named_ranges})

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
        variants=written.cards.variants,
        synonyms={normalise(k): normalise(v) for k, v in written.vocabulary.synonyms.items()},
        describing={
            normalise(k): tuple(normalise(w) for w in v)
            for k, v in written.vocabulary.describing.items()
        },
        measures=dict(written.ranges),
        named_ranges={k: tuple(v) for k, v in written.named_ranges.items()},
        ordinals={k: tuple(v) for k, v in written.ordinals.items()},
        link_fields=tuple(written.vocabulary.link_fields),
        kind_fields=tuple(written.vocabulary.kind_fields),
        facet_fields=tuple(written.vocabulary.facet_fields),
        fields=written.fields,
        cooccur=dict(written.cooccur),
        min_support=written.signals.min_support,
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
    write_atomic(registry / f"{spec.name}.json", json.dumps(record))
