"""Ingestion: embed a catalogue's rows and photos and upsert them into the index.

Idempotent and resumable: each row's hash (its validated content plus the model name) is
stored beside its vector, rows whose hash is already stored are skipped, and work is written
batch by batch, so an interrupted run picks up where it stopped. Rows that are gone from the
file are deleted. A bad row is reported with its line number and skipped; the others go in.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from recommender.catalogue.prebuilt import content_key, load_vectors
from recommender.catalogue.rows import read_rows, resolve_image, row_text
from recommender.catalogue.spec import CatalogSpec, remember
from recommender.errors import CatalogError, InputError, RowError
from recommender.files import locked
from recommender.schemas import CatalogRow

if TYPE_CHECKING:
    from recommender.catalogue.index import VectorIndex
    from recommender.models.base import ImageEncoder, TextEmbedder

__all__ = ["IngestReport", "image_key", "ingest", "text_key"]

_TEXT_BATCH = 128  # rows embedded and written per step (MiniLM: ~340 short texts/s on 2 cores)
_IMAGE_BATCH = 16
_PREBUILT_BATCH = 2_000  # prebuilt vectors written per step: only Chroma's upsert costs


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    images: int = 0  # photos embedded this run
    prebuilt: int = 0  # rows and photos whose vector came with the catalogue (prebuilt.py)
    skipped: list[RowError] = field(default_factory=list)
    seconds: float = 0.0
    text_seconds: float = 0.0  # time spent embedding text
    image_seconds: float = 0.0


def text_key(row: CatalogRow, model: str) -> str:
    """What a row's text vector depends on: its validated content and the model."""
    return content_key(row.model_dump_json(exclude_none=True), model)


def image_key(photo: Path, model: str) -> str:
    """What a photo's vector depends on: the file's bytes and the model."""
    return content_key(hashlib.sha256(photo.read_bytes()).hexdigest(), model)


def ingest(
    spec: CatalogSpec,
    index: VectorIndex,
    text_embedder: TextEmbedder,
    image_encoder: ImageEncoder | None = None,
    *,
    progress: bool = True,
    on_batch: Callable[[int, int], None] | None = None,
) -> IngestReport:
    """Validate the catalogue's rows and bring its collections in the index up to date.

    One ingest of a catalogue at a time, between processes too (the app's first build and a
    ``magpie ingest``, or two ingests): each holds the catalogue's lock file in the data folder,
    so none marks the catalogue complete while another is still writing it."""
    with locked(Path(index.settings.data_dir) / "locks" / spec.name):
        return _ingest(spec, index, text_embedder, image_encoder, progress, on_batch)


def _ingest(
    spec: CatalogSpec,
    index: VectorIndex,
    text_embedder: TextEmbedder,
    image_encoder: ImageEncoder | None,
    progress: bool,
    on_batch: Callable[[int, int], None] | None,
) -> IngestReport:
    started = time.perf_counter()
    limits = index.settings
    name = spec.name
    path = spec.rows_path
    rows_with_lines, errors = read_rows(path, limits.max_catalog_mb)
    if not rows_with_lines:
        # Never empty a catalogue because its file is empty or every row is bad.
        first = f": {errors[0]}" if errors else ""
        raise CatalogError(f"{path.name} has no valid rows{first}")
    report = IngestReport(skipped=errors)
    folder = path.resolve().parent
    rows = [row for _, row in rows_with_lines]
    images = [resolve_image(row, folder) for row in rows]

    # Text: re-embed only what changed (content or model).
    index.prepare(name, "text", text_embedder.name, text_embedder.dim)
    stored = index.hashes(name, "text")
    wanted = {row.id for row in rows}
    hashes = [
        # The photo's resolved path is part of what is stored (cards open it), so a moved
        # catalogue is written again; its vectors still come from the prebuilt file.
        content_key(row.model_dump_json(exclude_none=True), str(img or ""), text_embedder.name)
        for row, img in zip(rows, images, strict=True)
    ]
    todo = [
        i for i, (row, h) in enumerate(zip(rows, hashes, strict=True)) if stored.get(row.id) != h
    ]
    report.unchanged = len(rows) - len(todo)
    gone = sorted(set(stored) - wanted)
    changed = bool(todo or gone)
    if changed:
        index.mark(name, complete=False)  # served as complete only once this run ends
    shipped = (
        load_vectors(
            spec.folder,
            "text",
            text_embedder.name,
            getattr(text_embedder, "fingerprint", ""),
            text_embedder.dim,
        )
        if todo
        else {}
    )
    bar = _bar(len(todo), f"{name}: text", progress)
    # Rows with a prebuilt vector go first, in large batches: they cost only the upsert.
    todo.sort(key=lambda i: text_key(rows[i], text_embedder.name) not in shipped)
    start = 0
    while start < len(todo):
        prebuilt = text_key(rows[todo[start]], text_embedder.name) in shipped
        batch = todo[start : start + (_PREBUILT_BATCH if prebuilt else _TEXT_BATCH)]
        found = [shipped.get(text_key(rows[i], text_embedder.name)) for i in batch]
        if prebuilt:
            batch = [i for i, v in zip(batch, found, strict=True) if v is not None]
            vectors = np.stack([v for v in found if v is not None])
            report.prebuilt += len(batch)
        else:
            t = time.perf_counter()
            vectors = text_embedder.embed([row_text(rows[i]) for i in batch])
            report.text_seconds += time.perf_counter() - t
        start += len(batch)
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
            on_batch(start, len(todo))
    bar.close()
    if gone:
        index.delete(name, "text", gone)
        report.removed = len(gone)

    # Photos: hash of the file bytes and the image model.
    photos_written = False
    if image_encoder is not None and any(images):
        from recommender.models.image_io import open_image_within

        index.prepare(name, "image", image_encoder.name, image_encoder.dim)
        stored_images = index.hashes(name, "image")
        pending: list[tuple[int, str]] = []
        for i, img in enumerate(images):
            if img is None:
                if rows[i].image:
                    report.skipped.append(
                        RowError(
                            rows_with_lines[i][0],
                            f"photo {rows[i].image!r} is outside the catalogue folder "
                            "or not a picture file",
                        )
                    )
                continue
            if not img.is_file():
                report.skipped.append(
                    RowError(rows_with_lines[i][0], f"photo not found: {rows[i].image}")
                )
                continue
            h = image_key(img, image_encoder.name)
            if stored_images.get(rows[i].id) != h:
                pending.append((i, h))
        image_gone = sorted(
            set(stored_images) - {rows[i].id for i, img in enumerate(images) if img}
        )
        if pending or image_gone:
            index.mark(name, complete=False)
        shipped = load_vectors(spec.folder, "image", image_encoder.name) if pending else {}
        ready = [(i, h) for i, h in pending if h in shipped]
        if ready:
            index.upsert(
                name,
                "image",
                [rows[i].id for i, _ in ready],
                np.stack([shipped[h] for _, h in ready]),
                [rows[i] for i, _ in ready],
                [h for _, h in ready],
                [str(images[i]) for i, _ in ready],
            )
            report.prebuilt += len(ready)
        pending = [(i, h) for i, h in pending if h not in shipped]
        bar = _bar(len(pending), f"{name}: photos", progress)
        for start in range(0, len(pending), _IMAGE_BATCH):
            photos = pending[start : start + _IMAGE_BATCH]
            opened, kept = [], []
            for i, h in photos:
                photo = images[i]
                assert photo is not None  # only rows with a photo are pending
                try:
                    opened.append(open_image_within(photo, limits))
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
        photos_written = bool(ready or report.images or image_gone)

    complete, _ = index.state(name)
    wrote = changed or photos_written
    if wrote or not complete:
        # Last: a new generation, which other processes reload, only if anything was written
        # (a photo that fails to open every time must not make every run a new generation).
        index.mark(name, complete=True, new_generation=wrote)
    remember(limits, spec)
    report.seconds = time.perf_counter() - started
    return report


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
