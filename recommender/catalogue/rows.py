"""Catalogue rows: read a JSONL or CSV file and validate every row.

A bad row is reported with its line number and skipped; the others go on. CSV columns that
are not row fields become attributes; ``|`` separates list values ("Footwear|Running").
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from recommender.errors import CatalogError, RowError
from recommender.schemas import CatalogRow, Item

__all__ = ["check_name", "load_items", "photo_within", "read_rows", "resolve_image", "row_text"]

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,59}")
# CSV columns that are row fields; every other column becomes an attribute.
_CSV_FIELDS = {"id", "title", "description", "categories", "image", "source", "licence"}
_CSV_LIST_SEP = "|"  # categories and list attributes in CSV: "Footwear|Running"
# What a catalogue row's photo may be (image_io opens these formats).
PHOTO_SUFFIXES = frozenset([".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff"])


def read_rows(
    path: Path, max_file_mb: float = 512.0
) -> tuple[list[tuple[int, CatalogRow]], list[RowError]]:
    """Validated rows with their line numbers, and the problems of the rows that failed."""
    if not path.is_file():
        raise CatalogError(f"no catalogue file at {path}")
    if path.stat().st_size > max_file_mb * 2**20:
        raise CatalogError(f"{path.name} is larger than {max_file_mb:g} MB")
    suffix = path.suffix.lower()
    if suffix in {".jsonl", ".ndjson"}:
        raw = _jsonl(path)
    elif suffix == ".csv":
        raw = _csv(path)
    else:
        raise CatalogError(f"{path.name}: catalogues are .jsonl or .csv files")
    rows: list[tuple[int, CatalogRow]] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for line, data in raw:
        if isinstance(data, RowError):
            errors.append(data)
            continue
        try:
            row = CatalogRow.model_validate(data)
        except ValidationError as e:
            errors.append(RowError(line, _explain(e)))
            continue
        if row.id in seen:
            errors.append(RowError(line, f"duplicate id {row.id!r} (first on line {seen[row.id]})"))
            continue
        seen[row.id] = line
        rows.append((line, row))
    return rows, errors


def _explain(error: ValidationError) -> str:
    parts = []
    for problem in error.errors()[:3]:
        where = ".".join(str(p) for p in problem["loc"]) or "row"
        parts.append(f"{where}: {problem['msg']}")
    return "; ".join(parts)


def _jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
    with path.open(encoding="utf-8", errors="replace") as f:
        for line, text in enumerate(f, start=1):
            if not text.strip():
                continue
            try:
                data = json.loads(text)
            except json.JSONDecodeError as e:
                yield line, RowError(line, f"not valid JSON ({e.msg})")
                continue
            except RecursionError:  # "[[[[...]]]]": deeper than Python's parser goes
                yield line, RowError(line, "nested too deeply to be a catalogue row")
                continue
            yield (
                line,
                data if isinstance(data, dict) else RowError(line, "a row must be a JSON object"),
            )


def _csv(path: Path) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
    with path.open(encoding="utf-8", errors="replace", newline="") as f:
        reader = csv.DictReader(f)
        try:
            _ = reader.fieldnames  # the header line: a row's line number is counted after it
        except csv.Error as e:
            yield 1, RowError(1, f"not a readable CSV header ({e})")
            return
        while True:
            starts = reader.line_num + 1  # the line the next row begins on
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as e:  # a field over the csv module's limit (128 KiB), a NUL...
                yield starts, RowError(starts, f"not a readable CSV row ({e})")
                continue
            line = reader.line_num
            if None in record:
                yield line, RowError(line, "more values than columns")
                continue
            data: dict[str, Any] = {"attributes": {}}
            for key, value in record.items():
                key = (key or "").strip()
                value = (value or "").strip()
                if not key or not value:
                    continue
                if key == "categories":
                    data[key] = [c for c in value.split(_CSV_LIST_SEP) if c.strip()]
                elif key in _CSV_FIELDS:
                    data[key] = value
                else:
                    data["attributes"][key] = _csv_value(value)
            yield line, data


def _csv_value(value: str) -> Any:
    """'12.5' -> 12.5, '1999' -> 1999, 'a|b' -> ['a', 'b'], otherwise the string."""
    if _CSV_LIST_SEP in value:
        return [v.strip() for v in value.split(_CSV_LIST_SEP) if v.strip()]
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return value


def row_text(row: CatalogRow) -> str:
    """The text embedded for a row (the same text ``Item.text`` gives the engine)."""
    return Item.from_row(row).text()


def resolve_image(row: CatalogRow, folder: Path) -> Path | None:
    """The row's photo, resolved; None when it has none, or when its path leaves the catalogue
    folder (absolute, ``../``, a link out) or is not a picture file: catalogue data never
    makes Magpie open a file of its choosing."""
    if not row.image:
        return None
    root = folder.resolve()
    path = (root / row.image).resolve()
    if root not in path.parents or path.suffix.lower() not in PHOTO_SUFFIXES:
        return None
    return path


def photo_within(image: str | None, folder: Path) -> str | None:
    """A photo path read back from the index, kept only where it still lies in the catalogue
    folder and names a picture file: whoever can write to a Chroma server must not choose a
    file of this machine for the cards to open.

    >>> photo_within("/etc/passwd", Path("/srv/shop")), photo_within("/srv/shop/a.jpg", Path("/srv/shop"))
    (None, '/srv/shop/a.jpg')
    """
    if not image:
        return None
    root = folder.resolve()
    path = Path(image).resolve()
    if root not in path.parents or path.suffix.lower() not in PHOTO_SUFFIXES:
        return None
    return str(path)


def load_items(path: Path) -> tuple[list[Item], list[RowError]]:
    """Rows of a catalogue file as engine items (no index involved: evaluation, tests)."""
    rows, errors = read_rows(path)
    folder = path.resolve().parent
    items = []
    for _, row in rows:
        image = resolve_image(row, folder)
        items.append(Item.from_row(row, str(image) if image else None))
    return items, errors


def check_name(name: str) -> str:
    """A catalogue name becomes part of Chroma collection names: keep it plain."""
    if not _NAME.fullmatch(name or "") or "__" in name:
        raise CatalogError(f"catalogue names are 1-60 letters, digits, '-' or '_' (got {name!r})")
    return name
