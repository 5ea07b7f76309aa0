"""The bundled catalogues: valid rows, real files, matching side tables, a reproducible build."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SHARED

from recommender.schemas import CatalogRow

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "assets"
WHEEL_CACHE = (
    ROOT / ".cache" / "wheels"
)  # where scripts/build/build_catalogs.py keeps the RecBole wheel


def rows(name: str) -> list[CatalogRow]:
    lines = (ASSETS / name / "catalog.jsonl").read_text(encoding="utf-8").splitlines()
    return [CatalogRow.model_validate_json(line) for line in lines]


@pytest.fixture(scope="module")
def movies() -> dict[str, CatalogRow]:
    return {row.id: row for row in rows("movies")}


@pytest.fixture(scope="module")
def shared_data() -> Path:
    needed = ("redial", "vendure", "wikipedia-movies", "zh-film-titles")
    if not all((SHARED / name).is_dir() for name in needed):
        pytest.skip(f"the shared data sets are not at {SHARED}")
    return SHARED


@pytest.mark.parametrize("name", ["movies", "shop", "pictures", "luma"])
def test_catalogue_rows_validate_with_unique_sorted_ids(name):
    ids = [row.id for row in rows(name)]
    assert len(ids) == len(set(ids))
    assert ids == sorted(ids)


def test_shop_rows_have_photos_prices_and_credits():
    shop = rows("shop")
    credits = (ASSETS / "shop" / "CREDITS.md").read_text(encoding="utf-8")
    assert len(shop) == 54
    for row in shop:
        assert row.image and (ASSETS / "shop" / row.image).is_file(), row.id
        assert f"`{row.image}`" in credits
        price = row.attributes["price"]
        top = row.attributes.get("price_max", price)
        assert isinstance(price, float) and isinstance(top, float) and 0 < price <= top
        assert row.categories and row.licence and "Unsplash" in row.licence
    assert "GNU GENERAL PUBLIC LICENSE" in (ASSETS / "shop" / "LICENSE").read_text(encoding="utf-8")
    shoe = next(r for r in shop if r.id == "ultraboost-running-shoe")
    assert shoe.categories == ["Sports & Outdoor", "Footwear"]
    assert shoe.attributes["colour"] == ["blue", "pink"]


def test_luma_is_one_row_per_style_colour_with_its_photo_reviews_and_licence():
    luma = {row.id: row for row in rows("luma")}
    assert len(luma) == 469
    for row in luma.values():
        assert row.image and (ASSETS / "luma" / row.image).is_file(), row.id
        assert "OSL-3.0" in (row.licence or "") and "SKU" in (row.source or "")
    for name in ("LICENSE-OSL-3.0.txt", "LICENSE-AFL-3.0.txt"):
        assert b"License" in (ASSETS / "luma" / name).read_bytes()  # verbatim (one is Latin-1)
    hoodie = luma["MH01-black"]
    assert hoodie.title == "Chaz Kangeroo Hoodie (Black)"
    assert hoodie.attributes["colour"] == ["black"] and hoodie.attributes["gender"] == ["men"]
    assert hoodie.categories == ["Tops", "Hoodies & Sweatshirts"]
    assert "Size XS" in hoodie.attributes["options"]
    # Every colour of a style shares its rating; the review text follows the description.
    assert luma["MJ01-red"].attributes["rating"] == luma["MJ01-orange"].attributes["rating"]
    rated = [r for r in luma.values() if "rating" in r.attributes]
    assert all(1 <= r.attributes["rating"] <= 5 and r.attributes["reviews"] >= 1 for r in rated)
    assert all("Reviews: " in r.description for r in rated)
    # The Sprite ball the store labels "Red" is pink in its SKU and its photo.
    assert luma["24-WG081-pink"].attributes["colour"] == ["pink"]
    links = json.loads((ASSETS / "luma" / "cooccur.json").read_text(encoding="utf-8"))
    assert {"related", "upsell", "crosssell"} <= set(links)
    assert all(a in luma and set(b) <= set(luma) for t in ("related",) for a, b in links[t].items())


def test_luma_build_is_byte_for_byte(tmp_path):
    luma = SHARED / "magento-luma"
    if not luma.is_dir():
        pytest.skip(f"the Luma sample data is not at {luma}")
    script = ROOT / "scripts" / "build" / "build_luma.py"
    out = tmp_path / "luma"
    subprocess.run(
        [sys.executable, str(script), "--luma", str(luma), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    built = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    committed = sorted(
        p.relative_to(ASSETS / "luma")
        for p in (ASSETS / "luma").rglob("*")
        if p.is_file() and p.name != "catalog.toml" and "vectors" not in p.parts
    )
    assert built == committed
    for rel in built:
        assert (out / rel).read_bytes() == (ASSETS / "luma" / rel).read_bytes(), rel


def test_pictures_are_the_tux_paint_stamps_with_their_licence():
    pictures = rows("pictures")
    assert len(pictures) == 538
    for row in pictures:
        assert row.image and (ASSETS / "pictures" / row.image).is_file(), row.id
        assert row.categories and row.attributes["kind"] == row.categories[0]
        assert row.licence == "GPL-2.0-or-later"
    licence = (ASSETS / "pictures" / "LICENSE").read_text(encoding="utf-8")
    assert "GNU GENERAL PUBLIC LICENSE" in licence and "Version 2" in licence


def test_pictures_build_is_deterministic(tmp_path):
    source = SHARED / "tuxpaint"
    if not (source / "catalog.jsonl").is_file():
        pytest.skip(f"the Tux Paint data is not at {source}")
    script = ROOT / "scripts" / "build" / "build_pictures.py"
    subprocess.run(
        [sys.executable, str(script), "--tuxpaint", str(source), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    built = tmp_path / "catalog.jsonl"
    assert built.read_bytes() == (ASSETS / "pictures" / "catalog.jsonl").read_bytes()


def test_movies_cover_redial_with_years_and_metadata(movies):
    assert len(movies) >= 6000
    assert all(row.categories == ["movie"] for row in movies.values())
    with_year = [r for r in movies.values() if isinstance(r.attributes.get("year"), int)]
    assert len(with_year) >= 0.75 * len(movies)
    assert sum("genres" in r.attributes for r in movies.values()) >= 0.6 * len(movies)
    troopers = movies["Super_Troopers"]
    assert troopers.title == "Super Troopers"
    assert troopers.attributes["year"] == 2001
    assert "crime" in troopers.attributes["genres"]  # Wikidata's only genre for it
    assert troopers.attributes["director"] == ["Jay Chandrasekhar"]
    race = movies["Death_Race_2008_film"]
    assert (race.title, race.attributes["year"]) == ("Death Race", 2008)


def test_movies_carry_fine_genres_and_plot_text_with_their_licence(movies):
    """The open sources beyond Wikidata (scripts/build/film_knowledge.py): fine genres, summaries."""
    assert sum(bool(r.attributes.get("tags")) for r in movies.values()) >= 800
    for film in ("Rififi", "The_Town_2010_film", "The_Asphalt_Jungle"):
        assert "heist" in movies[film].attributes["tags"], film
    assert movies["The_Asphalt_Jungle"].attributes["tags"][:2] == ["film noir", "heist"]
    for row in movies.values():
        source, licence = row.source or "", row.licence or ""
        assert ("Wikipedia" in source) == ("CC-BY-SA" in licence), row.id
        assert ("CC BY-SA 4.0" in source) == ("CC-BY-SA-4.0" in licence), row.id
        assert len(row.description) < 1400, row.id  # one sentence of facts + a short summary
        assert not {"imdb_rating", "imdb_votes"} & set(row.attributes)
    readme = (ASSETS / "movies" / "README.md").read_text(encoding="utf-8")
    assert "| fine genres (tags) |" in readme and "CC BY-SA 3.0" in readme
    assert "CC BY-SA 4.0" in readme and "| decade |" in readme


def test_wikipedia_leads_reach_films_after_2014(movies):
    """scripts/build/wikipedia_films.py: the American film lists run to 2023, past every other
    source; a lead's first sentence gives fine genres ("a 2001 American heist comedy film")."""
    recent = [r for r in movies.values() if 2015 <= r.attributes.get("year", 0) <= 2018]
    assert sum("genres" in r.attributes for r in recent) >= 0.6 * len(recent)
    assert "heist" in movies["Ocean_s_Eleven"].attributes["tags"]
    assert "CC-BY-SA-4.0" in (movies["The_Hateful_Eight"].licence or "")


def test_chinese_titles_name_catalogue_movies(movies):
    lines = (ASSETS / "movies" / "titles-zh.tsv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "id\tzh_cn\tzh_tw\tzh_hk"
    rows = [line.split("\t") for line in lines[1:]]
    assert len(rows) > 1000 and all(len(r) == 4 and any(r[1:]) for r in rows)
    ids = [r[0] for r in rows]
    assert ids == sorted(set(ids)) and set(ids) <= set(movies)
    licence = (ASSETS / "movies" / "catalog.toml").read_text(encoding="utf-8")
    assert "titles-zh.tsv" in licence


def test_the_chinese_titles_written_here_name_films_the_lists_leave_out(movies):
    """titles-zh-known.tsv: famous films the Wikipedia lists miss (阿甘正传), never a film the
    lists already name, every id a catalogue movie."""
    known = (ASSETS / "movies" / "titles-zh-known.tsv").read_text(encoding="utf-8").splitlines()
    listed = (ASSETS / "movies" / "titles-zh.tsv").read_text(encoding="utf-8").splitlines()
    assert known[0] == "id\tzh_cn"
    rows = dict(line.split("\t") for line in known[1:])
    assert rows["Forrest_Gump"] == "阿甘正传" and set(rows) <= set(movies)
    assert not set(rows) & {line.split("\t")[0] for line in listed[1:]}
    licence = (ASSETS / "movies" / "catalog.toml").read_text(encoding="utf-8")
    assert "titles-zh-known.tsv" in licence


def test_side_tables_name_only_catalogue_movies(movies):
    popularity = json.loads((ASSETS / "movies" / "popularity.json").read_text(encoding="utf-8"))
    assert set(popularity["mentions"]) <= set(movies)
    assert all(isinstance(n, int) and n > 0 for n in popularity["mentions"].values())
    path = ASSETS / "movies" / "cooccur.json"
    assert path.stat().st_size < 3_000_000
    cooccur = json.loads(path.read_text(encoding="utf-8"))
    for block in ("pairs", "movielens"):
        for a, neighbours in cooccur[block].items():
            assert a in movies and set(neighbours) <= set(movies) and a not in neighbours
    pairs = cooccur["pairs"]
    assert all(pairs[b][a] == n for a, ns in pairs.items() for b, n in ns.items())
    assert max(len(ns) for ns in cooccur["movielens"].values()) <= 30


def test_collab_table_names_only_mentioned_movies(movies):
    from recommender.catalogue.collab import EASE_NEIGHBOURS

    path = ASSETS / "movies" / "collab.json"
    assert path.stat().st_size < 2_500_000
    table = json.loads(path.read_text(encoding="utf-8"))["neighbours"]
    popularity = json.loads((ASSETS / "movies" / "popularity.json").read_text(encoding="utf-8"))
    mentioned = set(popularity["mentions"])
    assert len(table) > 1000 and set(table) <= mentioned
    for a, neighbours in table.items():
        assert set(neighbours) <= mentioned and a not in neighbours
        assert 0 < len(neighbours) <= EASE_NEIGHBOURS
        assert all(w > 0 for w in neighbours.values())


def test_build_is_deterministic(shared_data, tmp_path):
    """A rebuild gives the committed files byte for byte (MovieLens when its wheel is cached)."""
    with_movielens = any(WHEEL_CACHE.glob("recbole*.whl"))
    command = [
        sys.executable,
        str(ROOT / "scripts" / "build" / "build_catalogs.py"),
        "--out",
        str(tmp_path),
        "--redial",
        str(shared_data / "redial"),
        "--vendure",
        str(shared_data / "vendure"),
        "--wikipedia",
        str(shared_data / "wikipedia-movies"),
        "--zh-titles",
        str(shared_data / "zh-film-titles" / "titles.tsv"),
    ]
    subprocess.run(
        command + ([] if with_movielens else ["--no-movielens"]), check=True, capture_output=True
    )
    built = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    # The build writes the catalogue folders; fusion.json is learned later by `magpie eval crs`,
    # catalog.toml is written by hand, vectors/ by scripts/build/build_vectors.py, dialogues.*
    # by scripts/build/build_dialogues.py (they need the text model), and assets/examples holds
    # the app's example inputs; titles-zh-known.tsv is written by hand.
    by_hand = {"fusion.json", "catalog.toml", "dialogues.json", "dialogues.npz"}
    committed = sorted(
        p.relative_to(ASSETS)
        for folder in ("movies", "shop")
        for p in (ASSETS / folder).rglob("*")
        if p.is_file()
        and p.name not in by_hand | {"titles-zh-known.tsv"}
        and "vectors" not in p.parts
    )
    assert built == committed
    for rel in built:
        if rel.name == "cooccur.json" and not with_movielens:
            new = json.loads((tmp_path / rel).read_text(encoding="utf-8"))
            old = json.loads((ASSETS / rel).read_text(encoding="utf-8"))
            assert new["pairs"] == old["pairs"]
        elif rel.name == "collab.json":
            # A matrix inverse: another CPU's BLAS may move the 4th digit or swap tied neighbours.
            new = json.loads((tmp_path / rel).read_text(encoding="utf-8"))["neighbours"]
            old = json.loads((ASSETS / rel).read_text(encoding="utf-8"))["neighbours"]
            assert set(new) == set(old)
            links = [(a, b) for a in old for b in old[a]]
            same = [(a, b) for a, b in links if abs(new[a].get(b, 0.0) - old[a][b]) < 1e-3]
            assert len(same) >= 0.99 * len(links)
        elif rel.name != "README.md" or with_movielens:
            assert (tmp_path / rel).read_bytes() == (ASSETS / rel).read_bytes(), rel


def test_no_catalogue_is_named_in_the_code():
    """A catalogue is a folder: its words, card attributes and examples live in its catalog.toml."""
    import re

    code = "\n".join(
        p.read_text(encoding="utf-8") for p in (ASSETS.parent / "recommender").rglob("*.py")
    )
    for word in ("tomatometer", "plant_type", "pixar", "couch"):
        assert not re.search(rf"\b{word}\b", code), word


def test_every_bundled_folder_reads_as_a_catalogue():
    from recommender.catalogue.spec import read_spec

    for name in ("movies", "shop", "pictures", "luma"):
        spec = read_spec(ASSETS / name)
        assert spec.name == name and spec.rows_path.is_file() and spec.licence and spec.examples
        for example in spec.examples:
            assert all(Path(f).is_file() for f in example.files), example


def test_the_movies_describing_words_name_kinds_its_films_carry():
    """[vocabulary.describing]: every kind a refused describing word stands for is a genre,
    tag or rating some film has (a misspelt kind would lower nothing)."""
    from recommender.catalogue.spec import read_spec
    from recommender.text import normalise

    spec = read_spec(ASSETS / "movies")
    assert "war" in spec.describing["violent"] and "slasher" in spec.describing["violent"]
    kinds: set[str] = set()
    for line in (ASSETS / "movies" / "catalog.jsonl").read_text(encoding="utf-8").splitlines():
        attributes = json.loads(line).get("attributes", {})
        kinds.update(
            normalise(k) for k in attributes.get("genres", []) + attributes.get("tags", [])
        )
        kinds.add(normalise(attributes.get("mpaa_rating") or "genres"))
    for word, meant in spec.describing.items():
        assert set(meant) <= kinds, (word, set(meant) - kinds)


@pytest.mark.parametrize("name", ["movies", "shop", "pictures", "luma"])
def test_prebuilt_vectors_cover_every_row_for_the_default_models(name):
    """Stale vectors (rows edited, model changed) would be embedded again at every first start:
    scripts/build/build_vectors.py must be rerun. Checked without loading any model."""
    from recommender.catalogue.ingest import image_key, text_key
    from recommender.catalogue.prebuilt import load_vectors
    from recommender.catalogue.rows import resolve_image
    from recommender.config import Settings

    folder = ASSETS / name
    text = load_vectors(folder, "text", Settings.text_model)
    missing = [r.id for r in rows(name) if text_key(r, Settings.text_model) not in text]
    assert not missing, f"{len(missing)} rows without a prebuilt vector, e.g. {missing[:3]}"
    photos = [p for p in (resolve_image(r, folder) for r in rows(name)) if p is not None]
    if photos:
        image = load_vectors(folder, "image", Settings.image_model)
        assert all(image_key(p, Settings.image_model) in image for p in photos)


@pytest.mark.models
def test_prebuilt_vectors_match_fresh_embeddings():
    from recommender.catalogue.ingest import text_key
    from recommender.catalogue.prebuilt import load_vectors
    from recommender.catalogue.rows import row_text
    from recommender.config import Settings
    from recommender.models.text import load_text_embedder

    embedder = load_text_embedder(Settings.text_model)
    shipped = load_vectors(ASSETS / "movies", "text", embedder.name)
    sample = rows("movies")[::500]
    fresh = embedder.embed([row_text(r) for r in sample])
    for row, vector in zip(sample, fresh, strict=True):
        assert float(shipped[text_key(row, embedder.name)] @ vector) > 0.999, row.id
