"""Candidates and raw signals: genre guesses from co-mentions, and popularity gated by the wants."""

import json

import numpy as np
from scipy.sparse import csr_matrix

from recommender.catalog import CatalogSpec, Catalogue, guess_words
from recommender.retrieval import Query, Retriever
from recommender.schemas import Item, Profile

ITEMS = [
    Item("c1", "Laugh One", attributes={"genres": ["comedy"], "year": 2001}),
    Item("c2", "Laugh Two", attributes={"genres": ["comedy", "crime"], "year": 2004}),
    Item("h1", "Scream One", attributes={"genres": ["horror"], "year": 1990}),
    Item("n1", "Mystery Hit", attributes={"year": 2018}),  # no metadata; mentioned with comedies
    Item("n2", "Blank Hit", attributes={"year": 2018}),  # no metadata, no co-mentions
]


def _data(tmp_path, embedder) -> Catalogue:
    side = tmp_path / "side"
    side.mkdir()
    mentions = {"c1": 5, "c2": 4, "h1": 50, "n1": 40, "n2": 60}
    (side / "popularity.json").write_text(json.dumps({"mentions": mentions}))
    pairs = {"n1": {"c1": 6, "c2": 5, "h1": 1}}
    (side / "cooccur.json").write_text(json.dumps({"pairs": pairs}))
    text = embedder.embed([item.text() for item in ITEMS])
    return Catalogue.build(CatalogSpec.bare("films", folder=side), ITEMS, text)


def test_genres_are_guessed_from_co_mentioned_items_only_where_missing(tmp_path, embedder):
    data = _data(tmp_path, embedder)
    guessed = dict(zip([i.id for i in ITEMS], data.guessed, strict=True))
    assert "comedy" in guessed["n1"]
    assert "horror" not in guessed["n1"]  # too small a share of its co-mentions
    assert guessed["n2"] == frozenset()  # nothing to go on
    assert guessed["c1"] == frozenset()  # has its own genres
    assert data.described.tolist() == [True, True, True, False, False]
    no_co_mentions = csr_matrix((len(ITEMS), len(ITEMS)), dtype=np.float32)
    assert guess_words(ITEMS, no_co_mentions) == [frozenset()] * len(ITEMS)


def test_popularity_is_kept_by_matching_and_unknown_items_only(tmp_path, embedder):
    data = _data(tmp_path, embedder)
    profile = Profile(wanted=["comedy"])
    got = Retriever(data).candidates(Query(profile, "comedy", embedder.embed(["comedy"])[0]))
    ids = [data.items[p].id for p in got.positions]
    signal = dict(zip(ids, got.signals["popularity"].tolist(), strict=True))
    match = dict(zip(ids, got.signals["attribute"].tolist(), strict=True))
    assert match == {"c1": 1.0, "c2": 1.0, "h1": 0.0, "n1": 1.0, "n2": 0.0}
    assert np.isclose(signal["h1"], 0.3 * np.log1p(50))  # a known horror film: a share only
    assert np.isclose(signal["n2"], np.log1p(60))  # unknown: all of it
    assert np.isclose(signal["n1"], np.log1p(40))  # guessed comedy: all of it
    # Without wants, popularity is the plain prior.
    plain = Retriever(data).candidates(Query(Profile(), "", None))
    assert np.allclose(np.sort(plain.signals["popularity"]), np.sort(np.log1p([5, 4, 50, 40, 60])))
