"""Catalogue reading and ingestion into a real (embedded) Chroma, with the hashing embedder."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import HashEmbedder, write_jsonl

from recommender.catalog import ingest, read_rows
from recommender.errors import CatalogError
from recommender.index import VectorIndex

ROWS = [
    {
        "id": "boot-1",
        "title": "Trail boots",
        "categories": ["Footwear"],
        "attributes": {"price": 120.0},
    },
    {
        "id": "shoe-1",
        "title": "Running shoes",
        "categories": ["Footwear"],
        "attributes": {"price": 80.0},
    },
    {
        "id": "lamp-1",
        "title": "Desk lamp",
        "categories": ["Home"],
        "attributes": {"price": 30.0, "colour": "red"},
    },
]


def test_bad_rows_are_named_by_line_and_skipped(tmp_path):
    path = write_jsonl(
        tmp_path / "c.jsonl",
        [
            ROWS[0],
            "{not json",
            {"id": "x", "title": "", "categories": []},  # empty title
            {"id": "bad id!", "title": "T"},
            {"id": "y", "title": "T", "colour": "red"},  # unknown field: extra="forbid"
            ROWS[1],
            ROWS[0],  # duplicate id
        ],
    )
    rows, errors = read_rows(path)
    assert [r.id for _, r in rows] == ["boot-1", "shoe-1"]
    assert [e.line for e in errors] == [2, 3, 4, 5, 7]
    assert "duplicate" in str(errors[-1]) and "line 7" in str(errors[-1])


def test_csv_rows(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        "id,title,categories,price,colour,sizes\n"
        "a,Blue mug,Kitchen|Mugs,9.5,blue,S|M\n"
        "b,,Kitchen,3,red,\n",
        encoding="utf-8",
    )
    rows, errors = read_rows(path)
    assert len(rows) == 1 and len(errors) == 1 and errors[0].line == 3
    row = rows[0][1]
    assert row.categories == ["Kitchen", "Mugs"]
    assert row.attributes == {"price": 9.5, "colour": "blue", "sizes": ["S", "M"]}


def test_unknown_format_and_missing_file(tmp_path):
    with pytest.raises(CatalogError):
        read_rows(tmp_path / "nope.jsonl")
    (tmp_path / "c.xml").write_text("<x/>")
    with pytest.raises(CatalogError):
        read_rows(tmp_path / "c.xml")


def test_ingest_is_idempotent_updates_changes_and_removes(tmp_path, settings):
    index = VectorIndex(settings)
    embedder = HashEmbedder()
    path = write_jsonl(tmp_path / "catalog.jsonl", ROWS)
    first = ingest(path, "shopx", index, embedder, progress=False)
    assert (first.added, first.updated, first.unchanged) == (3, 0, 0)

    calls = embedder.calls
    second = ingest(path, "shopx", index, embedder, progress=False)
    assert (second.added, second.updated, second.unchanged, second.removed) == (0, 0, 3, 0)
    assert embedder.calls == calls  # nothing re-embedded

    changed = [dict(ROWS[0], title="Trail boots, waterproof"), ROWS[1]]
    third = ingest(write_jsonl(path, changed), "shopx", index, embedder, progress=False)
    assert (third.added, third.updated, third.unchanged, third.removed) == (0, 1, 1, 1)

    loaded = index.load("shopx")
    assert [i.id for i in loaded.items] == ["boot-1", "shoe-1"]
    assert loaded.items[0].title == "Trail boots, waterproof"
    assert loaded.text.shape == (2, embedder.dim)
    assert np.allclose(np.linalg.norm(loaded.text, axis=1), 1.0, atol=1e-5)
    assert index.catalogs() == ["shopx"]


def test_ingest_resumes_after_an_interruption(tmp_path, settings):
    index = VectorIndex(settings)
    rows = [{"id": f"i{n:04d}", "title": f"Item number {n}"} for n in range(300)]
    path = write_jsonl(tmp_path / "catalog.jsonl", rows)

    class Interrupted(Exception):
        pass

    def stop_after_first_batch(done: int, total: int) -> None:
        raise Interrupted

    with pytest.raises(Interrupted):
        ingest(path, "big", index, HashEmbedder(), progress=False, on_batch=stop_after_first_batch)
    written = index.count("big", "text")
    assert 0 < written < 300
    resumed = ingest(path, "big", index, HashEmbedder(), progress=False)
    assert resumed.unchanged == written and resumed.added == 300 - written
    assert index.count("big", "text") == 300


def test_a_new_text_model_re_embeds_everything(tmp_path, settings):
    index = VectorIndex(settings)
    path = write_jsonl(tmp_path / "catalog.jsonl", ROWS)
    ingest(path, "shopx", index, HashEmbedder(), progress=False)

    class Other(HashEmbedder):
        name = "other-embedder"

    report = ingest(path, "shopx", index, Other(dim=64), progress=False)
    assert report.added == 3 and index.load("shopx").text.shape == (3, 64)


def test_nearest_neighbours_come_from_chroma(tmp_path, settings):
    index = VectorIndex(settings)
    embedder = HashEmbedder()
    ingest(write_jsonl(tmp_path / "catalog.jsonl", ROWS), "shopx", index, embedder, progress=False)
    hits = index.query("shopx", "text", embedder.embed(["running shoes"])[0], 2)
    assert hits[0][0] == "shoe-1"


def test_catalogue_names_are_checked(tmp_path, settings):
    path = write_jsonl(tmp_path / "catalog.jsonl", ROWS)
    with pytest.raises(CatalogError):
        ingest(path, "bad name", VectorIndex(settings), HashEmbedder(), progress=False)
