"""Catalogue reading and ingestion into a real (embedded) Chroma, with the hashing embedder."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import HashEmbedder, write_jsonl
from pydantic import ValidationError

from recommender.catalogue.index import VectorIndex
from recommender.catalogue.ingest import ingest
from recommender.catalogue.rows import read_rows
from recommender.catalogue.spec import read_spec
from recommender.errors import CatalogError


def spec(path, name):
    """A bare catalogue file as ``magpie ingest FILE --name NAME`` reads it."""
    return read_spec(path.parent, name, file=path.name)


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


def test_one_hostile_row_is_skipped_and_the_rest_is_read(tmp_path):
    """A field over the csv module's limit and a row nested deeper than the JSON parser goes
    are one bad row each, named by line, not the end of the ingest."""
    path = tmp_path / "c.csv"
    path.write_text(
        f"id,title,description\na,Blue mug,A mug\nb,Huge,{'x' * 200_000}\nc,Red mug,Another mug\n",
        encoding="utf-8",
    )
    rows, errors = read_rows(path)
    assert [r.id for _, r in rows] == ["a", "c"] and [e.line for e in errors] == [3]
    deep = "[" * 100_000 + "]" * 100_000
    path = write_jsonl(tmp_path / "d.jsonl", [ROWS[0], deep, ROWS[1]])
    rows, errors = read_rows(path)
    assert [r.id for _, r in rows] == ["boot-1", "shoe-1"] and [e.line for e in errors] == [2]


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
    first = ingest(spec(path, "shopx"), index, embedder, progress=False)
    assert (first.added, first.updated, first.unchanged) == (3, 0, 0)

    calls = embedder.calls
    second = ingest(spec(path, "shopx"), index, embedder, progress=False)
    assert (second.added, second.updated, second.unchanged, second.removed) == (0, 0, 3, 0)
    assert embedder.calls == calls  # nothing re-embedded

    changed = [dict(ROWS[0], title="Trail boots, waterproof"), ROWS[1]]
    third = ingest(spec(write_jsonl(path, changed), "shopx"), index, embedder, progress=False)
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
        ingest(
            spec(path, "big"),
            index,
            HashEmbedder(),
            progress=False,
            on_batch=stop_after_first_batch,
        )
    written = index.count("big", "text")
    assert 0 < written < 300
    resumed = ingest(spec(path, "big"), index, HashEmbedder(), progress=False)
    assert resumed.unchanged == written and resumed.added == 300 - written
    assert index.count("big", "text") == 300


def test_two_ingests_of_one_catalogue_take_turns(tmp_path, settings):
    """The app's first build and a ``magpie ingest`` (or two ingests) at once: the second waits
    for the first, so the catalogue is never marked complete while one is still writing."""
    import threading

    index = VectorIndex(settings)
    rows = [{"id": f"i{n:04d}", "title": f"Item number {n}"} for n in range(300)]
    path = write_jsonl(tmp_path / "catalog.jsonl", rows)
    writing, release = threading.Event(), threading.Event()

    def hold(done: int, total: int) -> None:
        writing.set()
        assert release.wait(10)

    first = threading.Thread(
        target=ingest, args=(spec(path, "big"), index, HashEmbedder()),
        kwargs={"progress": False, "on_batch": hold},
    )  # fmt: skip
    second = threading.Thread(
        target=ingest, args=(spec(path, "big"), index, HashEmbedder()), kwargs={"progress": False}
    )
    first.start()
    assert writing.wait(10)
    second.start()
    second.join(1.0)
    assert second.is_alive()  # waiting for the first ingest
    assert not index.state("big")[0]  # and nobody marked the half-written catalogue complete
    release.set()
    first.join(20)
    second.join(20)
    assert index.state("big")[0] and index.count("big", "text") == 300


def test_a_new_text_model_re_embeds_everything(tmp_path, settings):
    index = VectorIndex(settings)
    path = write_jsonl(tmp_path / "catalog.jsonl", ROWS)
    ingest(spec(path, "shopx"), index, HashEmbedder(), progress=False)

    class Other(HashEmbedder):
        name = "other-embedder"

    report = ingest(spec(path, "shopx"), index, Other(dim=64), progress=False)
    assert report.added == 3 and index.load("shopx").text.shape == (3, 64)


def test_nearest_neighbours_come_from_chroma(tmp_path, settings):
    index = VectorIndex(settings)
    embedder = HashEmbedder()
    ingest(
        spec(write_jsonl(tmp_path / "catalog.jsonl", ROWS), "shopx"),
        index,
        embedder,
        progress=False,
    )
    hits = index.query("shopx", "text", embedder.embed(["running shoes"])[0], 2)
    assert hits[0][0] == "shoe-1"


def test_catalogue_names_are_checked(tmp_path, settings):
    path = write_jsonl(tmp_path / "catalog.jsonl", ROWS)
    with pytest.raises(CatalogError):
        spec(path, "bad name")


# ---------------------------------------------------------------- a catalogue is a folder

TOY_TOML = """
[catalogue]
title = "Toy garden"
domain = "garden tools"
licence = "CC0-1.0"

[cards]
attributes = ["material", "brand"]
[cards.format]
weight = "{} kg"

[vocabulary.synonyms]
spade = "shovel"

[[examples]]
text = "A light spade"
files = ["images/rake.png"]
"""

GARDEN = [
    {
        "id": "shovel-1",
        "title": "Steel shovel",
        "categories": ["Tools", "shovel"],
        "attributes": {"price": 40.0, "material": "steel", "brand": "Digwell"},
    },
    {
        "id": "rake-1",
        "title": "Leaf rake",
        "categories": ["Tools", "rake"],
        "attributes": {"price": 20.0, "material": "bamboo", "brand": "Digwell"},
    },
    {
        "id": "hose-1",
        "title": "Garden hose",
        "categories": ["Watering"],
        "attributes": {"price": 35.0, "material": "rubber", "brand": "Aqua"},
    },
]


def garden(tmp_path):
    folder = tmp_path / "garden"
    folder.mkdir()
    write_jsonl(folder / "catalog.jsonl", GARDEN)
    (folder / "catalog.toml").write_text(TOY_TOML, encoding="utf-8")
    return folder


def test_a_folder_describes_itself(tmp_path):
    spec = read_spec(garden(tmp_path))
    assert (spec.name, spec.title, spec.domain, spec.file) == (
        "garden",
        "Toy garden",
        "garden tools",
        "catalog.jsonl",
    )
    assert spec.card_attributes == ("material", "brand") and spec.card_format == {"weight": "{} kg"}
    assert spec.synonyms == {"spade": "shovel"}
    assert spec.examples[0].files == (str((tmp_path / "garden" / "images" / "rake.png").resolve()),)
    with pytest.raises(ValidationError):  # frozen: a spec is shared by every session
        spec.title = "x"  # type: ignore[misc]


def test_a_folder_without_a_toml_gets_defaults_and_unknown_keys_are_refused(tmp_path):
    folder = tmp_path / "plain"
    folder.mkdir()
    write_jsonl(folder / "catalog.csv", [])
    spec = read_spec(folder)
    assert (spec.title, spec.domain, spec.file, spec.synonyms) == (
        "Plain",
        "items",
        "catalog.csv",
        {},
    )
    (folder / "catalog.toml").write_text('[catalogue]\ncolour = "red"\n', encoding="utf-8")
    with pytest.raises(CatalogError, match=r"catalog\.toml"):
        read_spec(folder)


def test_an_ingested_folder_is_found_and_asked(tmp_path, settings):
    """``magpie ingest DIR`` then a turn: the folder's synonyms, card attributes and domain work
    with no code naming the catalogue (real embedded Chroma, hashing embedder)."""
    from recommender.models.registry import Models
    from recommender.pipeline import Recommender

    folder = garden(tmp_path)
    index = VectorIndex(settings)
    report = ingest(read_spec(folder), index, HashEmbedder(), progress=False)
    assert report.added == 3
    rec = Recommender(
        settings, Models(text=HashEmbedder(), image=None, speech=None, llm=None), index
    )
    assert "garden" in rec.catalogs()
    assert rec.catalogues.spec("garden").domain == "garden tools"  # found again via the registry
    session = rec.new_session("garden")
    result = rec.ask(session, "a spade under $50")
    assert result.items and result.items[0].item.id == "shovel-1"  # "spade" -> the shovel category
    assert all(i.item.number("price") <= 50 for i in result.items)
    assert result.profile.categories == ["shovel"]


def test_prebuilt_vectors_are_loaded_and_only_changed_rows_embedded(tmp_path, settings):
    from recommender.catalogue.ingest import text_key
    from recommender.catalogue.prebuilt import write_vectors
    from recommender.catalogue.rows import read_rows

    folder = garden(tmp_path)
    embedder = HashEmbedder()
    rows = [row for _, row in read_rows(folder / "catalog.jsonl")[0]]
    keys = [text_key(row, embedder.name) for row in rows]
    write_vectors(folder, "text", embedder.name, keys, embedder.embed(["prebuilt"] * len(rows)))
    edited = [dict(GARDEN[0], title="Steel shovel, long handle"), *GARDEN[1:]]
    write_jsonl(folder / "catalog.jsonl", edited)

    counting = HashEmbedder()
    report = ingest(read_spec(folder), VectorIndex(settings), counting, progress=False)
    assert (report.added, report.prebuilt) == (3, 2)  # the edited row missed its key
    assert counting.calls == 1
    loaded = VectorIndex(settings).load("garden")
    shipped = embedder.embed(["prebuilt"])[0]
    by_id = dict(zip([i.id for i in loaded.items], loaded.text, strict=True))
    assert np.dot(by_id["rake-1"], shipped) > 0.999  # float16 round trip
    assert np.dot(by_id["shovel-1"], shipped) < 0.9  # embedded afresh


def test_prebuilt_vectors_of_another_model_are_ignored(tmp_path, settings):
    from recommender.catalogue.ingest import text_key
    from recommender.catalogue.prebuilt import write_vectors
    from recommender.catalogue.rows import read_rows

    folder = garden(tmp_path)
    rows = [row for _, row in read_rows(folder / "catalog.jsonl")[0]]
    other = "another-model"
    write_vectors(folder, "text", other, [text_key(r, other) for r in rows], np.eye(3, 64))
    report = ingest(read_spec(folder), VectorIndex(settings), HashEmbedder(), progress=False)
    assert (report.added, report.prebuilt) == (3, 0)


def _engine(settings, index=None):
    from recommender.models.registry import Models
    from recommender.pipeline import Recommender

    models = Models(text=HashEmbedder(), image=None, speech=None, llm=None)
    return Recommender(settings, models, index or VectorIndex(settings))


def test_an_interrupted_first_build_is_resumed_not_served(tmp_path, settings):
    """A kill during the first ingest (a Space restarting) leaves the catalogue marked
    incomplete; the next start resumes the ingest instead of serving part of it."""
    folder = tmp_path / "big"
    folder.mkdir()
    write_jsonl(
        folder / "catalog.jsonl", [{"id": f"i{n:04d}", "title": f"Item {n}"} for n in range(300)]
    )

    class Killed(Exception):
        pass

    def kill(done: int, total: int) -> None:
        raise Killed

    index = VectorIndex(settings)
    with pytest.raises(Killed):
        ingest(read_spec(folder), index, HashEmbedder(), progress=False, on_batch=kill)
    assert index.state("big")[0] is False and 0 < index.count("big", "text") < 300
    rec = _engine(settings.with_(assets_dir=tmp_path))  # "big" is now a bundled folder
    assert len(rec.catalog("big").items) == 300
    assert index.state("big")[0] is True


def test_a_catalogue_re_ingested_elsewhere_is_read_again(tmp_path, settings):
    """Another process (``magpie ingest``, a second app on the same Chroma) completes an ingest:
    a loaded catalogue sees the new rows once ``catalog_refresh_s`` has passed, with the
    catalog.toml as it is now."""
    from recommender.catalogue.registry import Catalogues

    now = [1000.0]  # the refresh clock, moved by hand: no sleeping, no load-dependent timing
    folder = garden(tmp_path)
    settings = settings.with_(catalog_refresh_s=5.0)
    ingest(read_spec(folder), VectorIndex(settings), HashEmbedder(), progress=False)
    rec = _engine(settings)
    rec.catalogues = Catalogues(settings, rec.index, rec.models, clock=lambda: now[0])
    assert len(rec.catalog("garden").items) == 3
    can = {
        "id": "can-1",
        "title": "Watering can",
        "categories": ["Watering"],
        "attributes": {"price": 15.0},
    }
    write_jsonl(folder / "catalog.jsonl", [*GARDEN, can])
    toml = folder / "catalog.toml"
    toml.write_text(TOY_TOML.replace('domain = "garden tools"', 'domain = "garden things"'))
    elsewhere = VectorIndex(settings)  # as another process would
    assert ingest(read_spec(folder), elsewhere, HashEmbedder(), progress=False).added == 1
    now[0] += 4.0
    assert len(rec.catalog("garden").items) == 3  # checked at most every catalog_refresh_s
    now[0] += 2.0
    assert "can-1" in rec.catalog("garden").position
    assert rec.catalog("garden").spec.domain == "garden things"
    result = rec.ask(rec.new_session("garden"), "a watering can")
    assert result.items[0].item.id == "can-1"


def test_an_empty_or_all_bad_file_never_empties_a_catalogue(tmp_path, settings):
    folder = garden(tmp_path)
    index = VectorIndex(settings)
    ingest(read_spec(folder), index, HashEmbedder(), progress=False)
    write_jsonl(folder / "catalog.jsonl", ["{not json"])
    with pytest.raises(CatalogError, match="no valid rows"):
        ingest(read_spec(folder), index, HashEmbedder(), progress=False)
    assert index.count("garden", "text") == 3


def test_a_second_run_that_writes_nothing_keeps_the_generation(tmp_path, settings):
    folder = garden(tmp_path)
    index = VectorIndex(settings)
    ingest(read_spec(folder), index, HashEmbedder(), progress=False)
    before = index.state("garden")
    ingest(read_spec(folder), index, HashEmbedder(), progress=False)
    assert index.state("garden") == before == (True, before[1]) and before[1]


def test_an_index_made_by_another_text_model_is_rebuilt(tmp_path, settings):
    """Upgrading (or setting) the text model on an existing data folder: the old vectors
    cannot answer the new model's queries (another width), so the catalogue is re-embedded."""

    class Wider(HashEmbedder):
        name = "wider-hash-embedder"

    folder = garden(tmp_path)
    settings = settings.with_(assets_dir=tmp_path)
    index = VectorIndex(settings)
    ingest(read_spec(folder), index, HashEmbedder(dim=64), progress=False)
    from recommender.models.registry import Models
    from recommender.pipeline import Recommender

    rec = Recommender(
        settings, Models(text=Wider(dim=96), image=None, speech=None, llm=None), index
    )
    assert rec.catalog("garden").text.shape[1] == 96
    assert index.model_of("garden", "text") == "wider-hash-embedder"
    assert rec.ask(rec.new_session("garden"), "a spade").items


def test_photo_paths_read_back_from_the_index_stay_in_the_catalogue_folder(tmp_path, settings):
    """Whoever can write to an unauthenticated Chroma server must not choose a file of this
    machine for the cards to open: a stored path outside the catalogue folder is dropped, and
    a card opens only picture formats within the configured limits."""
    from PIL import Image

    from recommender.app.cards import thumbnail_uri
    from recommender.models.registry import Models
    from recommender.pipeline import Recommender

    folder = garden(tmp_path)
    index = VectorIndex(settings)
    ingest(read_spec(folder), index, HashEmbedder(), progress=False)
    outside = tmp_path / "server-secret.png"
    Image.new("RGB", (8, 8), "red").save(outside)
    collection = index._collection("garden", "text")
    stored = collection.get(ids=["shovel-1"], include=["metadatas"])
    meta = dict(stored["metadatas"][0], image=str(outside))
    collection.update(ids=["shovel-1"], metadatas=[meta])
    rec = Recommender(
        settings, Models(text=HashEmbedder(), image=None, speech=None, llm=None), index
    )
    data = rec.catalog("garden")
    assert data.items[data.position["shovel-1"]].image is None
    # A file named like a picture but in another format is not decoded for a card.
    disguised = folder / "not-a-png.png"
    Image.new("RGB", (8, 8), "blue").save(disguised, format="PCX")
    assert thumbnail_uri(str(disguised)) is None
    assert thumbnail_uri(str(outside)).startswith("data:image/jpeg")
    assert thumbnail_uri(str(outside), max_pixels=10) is None  # the configured limit holds
