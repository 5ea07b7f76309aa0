"""Understanding a message's photos within the limits (settings only), and catalogue photo paths
that stay inside their folder."""

from __future__ import annotations

import io

from conftest import said, write_jsonl
from PIL import Image

from recommender.catalogue.rows import read_rows, resolve_image
from recommender.models.image_io import open_image_within
from recommender.read.understand import understand
from recommender.schemas import ImageUnderstanding


def png(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("1", (width, height)).save(buf, "PNG")  # tiny file, many pixels
    return buf.getvalue()


class CountingEncoder:
    name, dim = "counting", 3

    def __init__(self) -> None:
        self.sizes: list[tuple[int, int]] = []

    def encode(self, images):
        self.sizes += [im.size for im in images]
        return [ImageUnderstanding([1.0, 0.0, 0.0], [("thing", 0.9)], ["black"]) for _ in images]


def test_a_large_photo_is_shrunk_as_soon_as_it_is_decoded(settings):
    image = open_image_within(png(6000, 3000), settings)
    assert max(image.size) == settings.max_photo_side == 1024 and image.size == (1024, 512)


def test_photos_beyond_the_limit_are_left_out_with_a_notice(settings):
    encoder = CountingEncoder()
    photos = [png(2000, 2000) for _ in range(settings.max_photos + 3)]
    read = understand("", photos, image_encoder=encoder, limits=settings)
    assert len(encoder.sizes) == settings.max_photos == len(read.images)
    assert all(max(size) <= settings.max_photo_side for size in encoder.sizes)
    assert any("3 were left out" in n for n in said(read.notices))


def test_catalogue_photos_cannot_point_outside_their_folder(tmp_path):
    from conftest import HashEmbedder

    from recommender.catalogue.index import VectorIndex
    from recommender.catalogue.ingest import ingest
    from recommender.catalogue.spec import read_spec
    from recommender.config import load_settings

    folder = tmp_path / "cat"
    (folder / "images").mkdir(parents=True)
    Image.new("RGB", (8, 8)).save(folder / "images" / "ok.png")
    (tmp_path / "secret.png").write_bytes(png(8, 8))
    rows = [
        {"id": "a", "title": "Inside", "image": "images/ok.png"},
        {"id": "b", "title": "Up and out", "image": "../secret.png"},
        {"id": "c", "title": "Absolute", "image": str(tmp_path / "secret.png")},
        {"id": "d", "title": "Not a picture", "image": "catalog.jsonl"},
    ]
    write_jsonl(folder / "catalog.jsonl", rows)
    parsed = {row.id: row for _, row in read_rows(folder / "catalog.jsonl")[0]}
    assert resolve_image(parsed["a"], folder) == (folder / "images" / "ok.png").resolve()
    assert [resolve_image(parsed[i], folder) for i in "bcd"] == [None, None, None]

    settings = load_settings(env={}, data_dir=str(tmp_path / "data"))
    report = ingest(read_spec(folder), VectorIndex(settings), HashEmbedder(), CountingEncoder())
    assert report.images == 1
    assert sum("outside the catalogue folder" in str(e) for e in report.skipped) == 3
