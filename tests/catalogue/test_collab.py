"""EASE item-item weights: the closed form, the side table, its loader and the retrieval signal."""

import json
from fractions import Fraction

import numpy as np
import pytest

from recommender.catalogue.catalogue import Catalogue
from recommender.catalogue.collab import collab_table, ease, ease_table, neighbours
from recommender.catalogue.spec import CatalogSpec
from recommender.rank.retrieval import UNMATCHED_POPULARITY, Query, Retriever
from recommender.schemas import Item, Profile


def test_ease_matches_the_closed_form_worked_by_hand():
    # Three users over three items: XᵀX + I = [[3,2,0],[2,4,1],[0,1,2]], determinant 13, inverse
    # [[7,-4,2],[-4,6,-3],[2,-3,8]] / 13; B[i, j] = -P[i, j] / P[j, j] off the diagonal.
    x = np.array([[1, 1, 0], [1, 1, 0], [0, 1, 1]])
    b = ease(x, lam=1.0)
    f = Fraction
    want = [[0, f(4, 6), f(-2, 8)], [f(4, 7), 0, f(3, 8)], [f(-2, 7), f(3, 6), 0]]
    assert np.allclose(b, np.array(want, dtype=np.float64), atol=1e-6)
    assert np.all(np.diag(b) == 0)


def test_ease_rebuilds_rows_better_than_nothing_and_shrinks_with_lambda():
    rng = np.random.default_rng(0)
    x = (rng.random((40, 12)) < 0.3).astype(np.float32)
    small, large = ease(x, 0.5), ease(x, 500.0)
    err = lambda b: float(((x - x @ b) ** 2).sum())  # noqa: E731
    assert err(small) < err(np.zeros_like(small))
    assert np.abs(large).sum() < np.abs(small).sum()  # a stronger penalty, smaller weights


def test_neighbours_keep_the_k_largest_positive_weights():
    b = np.array([[0.0, 0.5, 0.7, -0.2], [0.1, 0.0, -0.3, 0.0], [0, 0, 0, 0], [0.2, 0.2, 0.9, 0]])
    got = neighbours(b, ["a", "b", "c", "d"], k=2)
    assert got == {"a": {"c": 0.7, "b": 0.5}, "b": {"a": 0.1}, "d": {"c": 0.9, "a": 0.2}}


def test_ease_table_links_items_named_together():
    baskets = [{"x", "y"}, {"x", "y"}, {"x", "y", "z"}, {"z", "w"}, {"z", "w"}]
    table = ease_table(baskets, lam=1.0)
    assert max(table["x"], key=table["x"].get) == "y"
    assert max(table["w"], key=table["w"].get) == "z"
    assert "w" not in table.get("x", {})  # never named together, explained by nothing
    assert ease_table([]) == {}


ITEMS = [Item(i, f"Film {i.upper()}", attributes={"year": 2000}) for i in ("a", "b", "c", "d")]


def _catalogue(tmp_path, embedder, table: dict | None) -> Catalogue:
    side = tmp_path / "side"
    side.mkdir(parents=True)
    if table is not None:
        (side / "collab.json").write_text(json.dumps({"neighbours": table}))
    text = embedder.embed([item.text() for item in ITEMS])
    return Catalogue.build(CatalogSpec.bare("films", folder=side), ITEMS, text)


def test_collab_table_is_directed_and_skips_unknown_ids(tmp_path, embedder):
    table = {"a": {"c": 0.5, "zzz": 1.0, "a": 2.0}, "zzz": {"b": 1.0}, "d": {"b": 0.25}}
    data = _catalogue(tmp_path, embedder, table)
    m = data.collab.toarray()
    p = data.position
    assert m[p["a"], p["c"]] == 0.5 and m[p["c"], p["a"]] == 0.0  # not symmetrised
    assert m[p["d"], p["b"]] == 0.25
    assert m.sum() == 0.75  # the unknown id and the self-link are dropped
    assert collab_table(None, p).nnz == 0
    assert collab_table(tmp_path, p).nnz == 0  # no collab.json there


def test_liked_items_bring_their_ease_neighbours_as_the_collab_signal(tmp_path, embedder):
    data = _catalogue(tmp_path, embedder, {"a": {"c": 0.5, "d": 0.1}, "b": {"d": 0.3}})
    got = Retriever(data).candidates(Query(Profile(liked=["a", "b"]), "", None, exclude={"a", "b"}))
    ids = [data.items[int(p)].id for p in got.positions]
    collab = dict(zip(ids, got.signals["collab"].tolist(), strict=True))
    assert collab == pytest.approx({"c": 0.5, "d": 0.4})
    assert got.sources["collab"] == 2
    none = _catalogue(tmp_path / "x", embedder, None)
    plain = Retriever(none).candidates(Query(Profile(liked=["a"]), "", None, exclude={"a"}))
    assert "collab" not in plain.signals


def test_collab_orders_what_was_asked_for_rather_than_overriding_it(tmp_path, embedder):
    """Like popularity, an item known to lack every wanted word keeps only a share of it."""
    items = [
        Item("a", "Liked", attributes={"genres": ["crime"]}),
        Item("c", "Crime", attributes={"genres": ["crime"]}),
        Item("h", "Horror", attributes={"genres": ["horror"]}),
    ]
    side = tmp_path / "side"
    side.mkdir()
    (side / "collab.json").write_text(json.dumps({"neighbours": {"a": {"c": 0.5, "h": 0.5}}}))
    spec = CatalogSpec.bare("films", folder=side).model_copy(update={"kind_fields": ["genres"]})
    data = Catalogue.build(spec, items, embedder.embed([i.title for i in items]))
    got = Retriever(data).candidates(
        Query(Profile(liked=["a"], wanted=["crime"]), "crime", None, exclude=frozenset({"a"}))
    )
    ids = [data.items[int(p)].id for p in got.positions]
    collab = dict(zip(ids, got.signals["collab"].tolist(), strict=True))
    assert collab["c"] == pytest.approx(0.5)
    assert collab["h"] == pytest.approx(0.5 * UNMATCHED_POPULARITY)
