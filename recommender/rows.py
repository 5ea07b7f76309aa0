"""Catalogues: read and validate rows (JSONL or CSV), then embed and upsert them into the index.

Ingestion is idempotent and resumable: each row's hash (its validated content plus the model
name) is stored beside its vector, rows whose hash is already stored are skipped, and work is
written batch by batch, so an interrupted run picks up where it stopped. A bad row is reported
with its line number and skipped; the others go in.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import ValidationError

from .errors import CatalogError, InputError, RowError
from .schemas import CatalogRow, Item

if TYPE_CHECKING:
    from .config import Settings
    from .index import VectorIndex
    from .models.base import ImageEncoder, TextEmbedder

__all__ = [
    "IngestReport",
    "bundled_catalogs",
    "catalog_dir",
    "check_name",
    "ingest",
    "load_items",
    "read_rows",
    "row_text",
]

log = logging.getLogger(__name__)

CATALOG_FILE = "catalog.jsonl"  # a bundled catalogue is assets/<name>/catalog.jsonl
_TEXT_BATCH = 128  # rows embedded and written per step (MiniLM: ~340 short texts/s on 2 cores)
_IMAGE_BATCH = 16
_MAX_FILE_MB = 512
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,59}")
# CSV columns that are row fields; every other column becomes an attribute.
_CSV_FIELDS = {"id", "title", "description", "categories", "image", "source", "licence"}
_CSV_LIST_SEP = "|"  # categories and list attributes in CSV: "Footwear|Running"


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    images: int = 0  # photos embedded this run
    skipped: list[RowError] = field(default_factory=list)
    seconds: float = 0.0
    text_seconds: float = 0.0  # time spent embedding text
    image_seconds: float = 0.0


def bundled_catalogs(settings: Settings) -> dict[str, Path]:
    """Catalogues shipped in ``assets/``: name -> catalogue file."""
    root = Path(settings.assets_dir)
    if not root.is_dir():
        return {}
    return {p.parent.name: p for p in sorted(root.glob(f"*/{CATALOG_FILE}"))}


def catalog_dir(settings: Settings, name: str) -> Path | None:
    """The folder holding a catalogue's side files (popularity, co-occurrence, learned weights)."""
    bundled = bundled_catalogs(settings)
    if name in bundled:
        return bundled[name].parent
    record = _registry(settings) / f"{name}.json"
    if record.is_file():
        return Path(json.loads(record.read_text(encoding="utf-8"))["folder"])
    return None


def _registry(settings: Settings) -> Path:
    return Path(settings.data_dir) / "catalogs"


def read_rows(path: Path) -> tuple[list[tuple[int, CatalogRow]], list[RowError]]:
    """Validated rows with their line numbers, and the problems of the rows that failed."""
    if not path.is_file():
        raise CatalogError(f"no catalogue file at {path}")
    if path.stat().st_size > _MAX_FILE_MB * 2**20:
        raise CatalogError(f"{path.name} is larger than {_MAX_FILE_MB} MB")
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
            yield (
                line,
                data if isinstance(data, dict) else RowError(line, "a row must be a JSON object"),
            )


def _csv(path: Path) -> Iterator[tuple[int, dict[str, Any] | RowError]]:
    with path.open(encoding="utf-8", errors="replace", newline="") as f:
        reader = csv.DictReader(f)
        for record in reader:
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


def _resolve_image(row: CatalogRow, folder: Path) -> Path | None:
    if not row.image:
        return None
    path = Path(row.image)
    path = path if path.is_absolute() else (folder / path)
    return path.resolve()


def _hash(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def ingest(
    path: Path,
    name: str,
    index: VectorIndex,
    text_embedder: TextEmbedder,
    image_encoder: ImageEncoder | None = None,
    *,
    progress: bool = True,
    max_image_mb: float = 20.0,
    on_batch: Callable[[int, int], None] | None = None,
) -> IngestReport:
    """Validate ``path`` and bring catalogue ``name`` in the index up to date with it."""
    started = time.perf_counter()
    check_name(name)
    rows_with_lines, errors = read_rows(path)
    report = IngestReport(skipped=errors)
    folder = path.resolve().parent
    rows = [row for _, row in rows_with_lines]
    images = [_resolve_image(row, folder) for row in rows]

    # Text: re-embed only what changed (content or model).
    index.prepare(name, "text", text_embedder.name, text_embedder.dim)
    stored = index.hashes(name, "text")
    wanted = {row.id for row in rows}
    hashes = [
        _hash(row.model_dump_json(exclude_none=True), str(img or ""), text_embedder.name)
        for row, img in zip(rows, images, strict=True)
    ]
    todo = [
        i for i, (row, h) in enumerate(zip(rows, hashes, strict=True)) if stored.get(row.id) != h
    ]
    report.unchanged = len(rows) - len(todo)
    gone = sorted(set(stored) - wanted)
    bar = _bar(len(todo), f"{name}: text", progress)
    for start in range(0, len(todo), _TEXT_BATCH):
        batch = todo[start : start + _TEXT_BATCH]
        t = time.perf_counter()
        vectors = text_embedder.embed([row_text(rows[i]) for i in batch])
        report.text_seconds += time.perf_counter() - t
        index.upsert(
            name,
            "text",
            [rows[i].id for i in batch],
            vectors,
            [rows[i] for i in batch],
            [hashes[i] for i in batch],
            [str(images[i]) if images[i] else None for i in batch],
        )
        for i in batch:
            if rows[i].id in stored:
                report.updated += 1
            else:
                report.added += 1
        bar.update(len(batch))
        if on_batch:
            on_batch(start + len(batch), len(todo))
    bar.close()
    if gone:
        index.delete(name, "text", gone)
        report.removed = len(gone)

    # Photos: hash of the file bytes and the image model.
    if image_encoder is not None and any(images):
        from .models.vision import open_image

        index.prepare(name, "image", image_encoder.name, image_encoder.dim)
        stored_images = index.hashes(name, "image")
        pending: list[tuple[int, str]] = []
        for i, img in enumerate(images):
            if img is None:
                continue
            if not img.is_file():
                report.skipped.append(
                    RowError(rows_with_lines[i][0], f"photo not found: {rows[i].image}")
                )
                continue
            h = _hash(hashlib.sha256(img.read_bytes()).hexdigest(), image_encoder.name)
            if stored_images.get(rows[i].id) != h:
                pending.append((i, h))
        image_gone = sorted(
            set(stored_images) - {rows[i].id for i, img in enumerate(images) if img}
        )
        bar = _bar(len(pending), f"{name}: photos", progress)
        for start in range(0, len(pending), _IMAGE_BATCH):
            photos = pending[start : start + _IMAGE_BATCH]
            opened, kept = [], []
            for i, h in photos:
                photo = images[i]
                assert photo is not None  # only rows with a photo are pending
                try:
                    opened.append(
                        open_image(
                            photo, max_bytes=int(max_image_mb * 2**20), max_pixels=40_000_000
                        )
                    )
                    kept.append((i, h))
                except InputError as e:
                    report.skipped.append(
                        RowError(rows_with_lines[i][0], f"photo {rows[i].image}: {e}")
                    )
            if kept:
                t = time.perf_counter()
                seen = image_encoder.encode(opened)
                report.image_seconds += time.perf_counter() - t
                vectors = np.stack([np.asarray(s.vector, dtype=np.float32) for s in seen])
                index.upsert(
                    name,
                    "image",
                    [rows[i].id for i, _ in kept],
                    vectors,
                    [rows[i] for i, _ in kept],
                    [h for _, h in kept],
                    [str(images[i]) for i, _ in kept],
                )
                report.images += len(kept)
            bar.update(len(photos))
        bar.close()
        if image_gone:
            index.delete(name, "image", image_gone)

    _remember(index.settings, name, folder)
    report.seconds = time.perf_counter() - started
    return report


def _remember(settings: Settings, name: str, folder: Path) -> None:
    """Record where a catalogue came from, so its side files are found at load time."""
    registry = _registry(settings)
    registry.mkdir(parents=True, exist_ok=True)
    (registry / f"{name}.json").write_text(json.dumps({"folder": str(folder)}), encoding="utf-8")


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _bar(total: int, label: str, show: bool) -> Any:
    if not show or total == 0:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, desc=label, unit="item", leave=True)


def load_items(path: Path) -> tuple[list[Item], list[RowError]]:
    """Rows of a catalogue file as engine items (no index involved: evaluation, tests)."""
    rows, errors = read_rows(path)
    folder = path.resolve().parent
    items = []
    for _, row in rows:
        image = _resolve_image(row, folder)
        items.append(Item.from_row(row, str(image) if image else None))
    return items, errors


def check_name(name: str) -> str:
    """A catalogue name becomes part of Chroma collection names: keep it plain."""
    if not _NAME.fullmatch(name or "") or "__" in name:
        raise CatalogError(f"catalogue names are 1-60 letters, digits, '-' or '_' (got {name!r})")
    return name
