"""Earlier conversations on disk: read back, embedded again for another text model, and a
broken file costs the signal, not the catalogue."""

import numpy as np

from recommender.catalogue.dialogues import read_dialogues, write_dialogues


def test_vectors_of_another_model_are_made_again(tmp_path, embedder):
    talk = [("a funny comedy", ["a", "b"]), ("", ["c"])]  # empty words are embedded as "-"
    write_dialogues(tmp_path, talk, lambda texts: np.ones((len(texts), 3)), "another-model")
    position = {"a": 0, "b": 1, "c": 2}
    shipped = read_dialogues(tmp_path, position)
    assert shipped is not None and shipped.model == "another-model"
    assert shipped.vectors.shape == (2, 3)  # another model's width: no votes for this query
    query = embedder.embed(["a funny comedy"])[0]
    assert not shipped.votes(query).any()
    ours = shipped.for_model(embedder)
    assert ours.model == embedder.name and ours.vectors.shape == (2, embedder.dim)
    assert np.isclose(np.linalg.norm(ours.vectors[0]), 1.0)  # unit rows, as the query's
    assert np.allclose(ours.votes(query, k=1), [1.0, 1.0, 0.0], atol=1e-5)  # its own words
    assert ours.for_model(embedder) is ours


def test_a_broken_file_costs_the_signal_not_the_catalogue(tmp_path):
    write_dialogues(tmp_path, [("words", ["a"])], lambda texts: np.ones((len(texts), 3)), "m")
    (tmp_path / "dialogues.npz").write_bytes(b"PK\x03\x04 not a zip")
    assert read_dialogues(tmp_path, {"a": 0}) is None
    (tmp_path / "dialogues.json").write_text("{not json", encoding="utf-8")
    assert read_dialogues(tmp_path, {"a": 0}) is None
    assert read_dialogues(tmp_path / "missing", {"a": 0}) is None
