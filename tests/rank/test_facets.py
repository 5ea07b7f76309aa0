"""A shop's facets and variants: "for women, in blue" filters, a refinement replaces only its
facet, one colour of a product per list, and a category "Bras & Tanks" named by its halves."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from recommender.catalogue.catalogue import Catalogue
from recommender.catalogue.spec import CatalogSpec
from recommender.profile import merge
from recommender.rank.constraints import Limit, allowed
from recommender.read.reading import read_message
from recommender.schemas import Item, Profile


def _item(sku: str, title: str, colour: str, gender: str, kind: str = "Jackets") -> Item:
    attrs = {"colour": [colour], "gender": [gender], "price": 50.0}
    return Item(sku, title, categories=("Tops", kind), attributes=attrs)


ITEMS = [
    _item("WJ1-blue", "Juno Jacket (Blue)", "blue", "Women"),
    _item("WJ1-red", "Juno Jacket (Red)", "red", "Women"),
    _item("WJ2-red", "Nadia Shell (Red)", "red", "Women"),
    _item("MJ1-blue", "Taurus Shell (Blue)", "blue", "Men"),
    _item("MJ1-red", "Taurus Shell (Red)", "red", "Men"),
    _item("WT1-blue", "Zoe Tank (Blue)", "blue", "Women", "Bras & Tanks"),
    _item("MT1-blue", "Atlas Tank (Blue)", "blue", "Men", "Tanks"),
]


def _shop(embedder) -> Catalogue:
    spec = CatalogSpec.bare("sportswear").model_copy(
        update={"facet_fields": ("colour", "gender"), "variants": True}
    )
    return Catalogue.build(spec, ITEMS, embedder.embed([i.text() for i in ITEMS]))


def _ids(data: Catalogue, mask: np.ndarray) -> set[str]:
    return {data.items[p].id for p in np.flatnonzero(mask)}


def test_asked_facet_values_keep_only_the_items_that_have_them(embedder):
    data = _shop(embedder)
    gate = allowed(data, Profile(wanted=["jackets", "women", "blue"], categories=["Jackets"]))
    assert _ids(data, gate.mask) == {"WJ1-blue"}
    # Nothing is blue, for women and a tank top at once... tanks for women exist, so colour
    # (listed first) is what gives way when nothing meets them all.
    gate = allowed(data, Profile(wanted=["women", "red"], categories=["Tanks", "Bras & Tanks"]))
    assert _ids(data, gate.mask) == {"WT1-blue"}
    assert gate.relaxed == (Limit("colour", words=("red",)),)


def test_a_facet_refinement_replaces_only_that_facet(embedder):
    data = _shop(embedder)
    first = read_message("a red jacket for women", data.titles, data.vocabulary, spec=data.spec)
    profile = merge(Profile(), first.said)
    assert {"red", "women"} <= set(profile.wanted) and profile.categories == ["Jackets"]
    then = read_message("in blue", data.titles, data.vocabulary, spec=data.spec)
    assert then.said.fresh == "" and "red" in then.said.drop
    profile = merge(profile, then.said)
    assert "women" in profile.wanted and "blue" in profile.wanted and "red" not in profile.wanted
    assert profile.categories == ["Jackets"]
    # A new kind of request still starts over.
    other = read_message("a tank top for men", data.titles, data.vocabulary, spec=data.spec)
    assert other.said.fresh == "kinds"


def test_a_category_is_named_by_either_half_of_its_name(embedder):
    data = _shop(embedder)
    assert set(data.vocabulary.categories_in("a tank top")) == {"Tanks", "Bras & Tanks"}


def test_a_list_shows_one_colour_of_a_product_while_others_remain(embedder):
    from recommender.rank.ranking import Ranker

    data = _shop(embedder)
    groups = data.variant_group
    position = data.position
    assert groups[position["WJ1-blue"]] == groups[position["WJ1-red"]]
    assert groups[position["WJ1-blue"]] != groups[position["WJ2-red"]]

    class Settings:
        weights: ClassVar[dict[str, float]] = {"text": 1.0}
        top_k = 3
        mmr_lambda = 1.0

    from recommender.rank.retrieval import Candidates

    positions = np.array([position[i] for i in ("WJ1-blue", "WJ1-red", "MJ1-blue", "MJ1-red")])
    scores = np.array([1.0, 0.99, 0.5, 0.4])
    candidates = Candidates(positions=positions, signals={"text": scores}, sources={})
    picked = Ranker(Settings(), None, None).order(data, candidates)  # type: ignore[arg-type]
    assert [s.item.id for s in picked] == ["WJ1-blue", "MJ1-blue", "WJ1-red"]


def test_a_refused_word_rules_out_values_it_is_part_of(embedder):
    items = [
        Item("p1", "Kratos Pant", attributes={"material": ["Organic Cotton", "Polyester"]}),
        Item("p2", "Caesar Pant", attributes={"material": ["Wool"]}),
        Item("p3", "Cotton Tee", attributes={"material": ["Cotton"]}),
    ]
    data = Catalogue.build(
        CatalogSpec.bare("sportswear"), items, embedder.embed([i.text() for i in items])
    )
    assert _ids(data, allowed(data, Profile(avoided=["cotton"])).mask) == {"p2"}
    # Wanting a word still asks for the value itself, not every value holding it.
    assert data.having(["cotton"]).any(axis=1).tolist() == [False, False, True]


def test_something_of_no_named_kind_starts_a_new_kind_of_thing(embedder):
    data = _shop(embedder)
    first = read_message("a red jacket under $60", data.titles, data.vocabulary, spec=data.spec)
    profile = merge(Profile(), first.said)
    assert profile.categories == ["Jackets"]
    then = read_message("something blue for women", data.titles, data.vocabulary, spec=data.spec)
    assert then.said.fresh == "things"
    profile = merge(profile, then.said)
    assert profile.categories == [] and set(profile.wanted) == {"blue", "women"}
    assert "price" in profile.ranges  # a bound stays until a new request replaces it


def test_a_facet_gives_way_to_fill_a_list_the_exact_items_first(embedder):
    from recommender.rank.constraints import notes
    from recommender.rank.ranking import Ranker
    from recommender.rank.retrieval import Candidates

    data = _shop(embedder)
    profile = Profile(wanted=["women", "blue"], categories=["Jackets"])
    gate = allowed(data, profile, fill=3)
    # One blue women's jacket: the red ones fill the list; men's jackets (gender, not given
    # up while colour suffices) and other kinds do not.
    assert _ids(data, gate.exact) == {"WJ1-blue"}
    assert _ids(data, gate.mask) == {"WJ1-blue", "WJ1-red", "WJ2-red"}
    assert gate.widened == (Limit("colour", words=("blue",)),)
    assert [n.key for n in notes(gate)] == ["constraint.few"]
    assert allowed(data, profile).exact is None  # no list to fill: as before

    class Settings:
        weights: ClassVar[dict[str, float]] = {"text": 1.0}
        top_k = 3
        mmr_lambda = 1.0

    position = data.position
    ids = ("WJ2-red", "WJ1-red", "WJ1-blue")  # the exact item scores lowest
    positions = np.array([position[i] for i in ids])
    candidates = Candidates(
        positions=positions, signals={"text": np.array([1.0, 0.9, 0.1])}, sources={}, gate=gate
    )
    picked = Ranker(Settings(), None, None).order(data, candidates)  # type: ignore[arg-type]
    # The exact one first, then another product; another colour of one shown only at the end.
    assert [s.item.id for s in picked] == ["WJ1-blue", "WJ2-red", "WJ1-red"]


def test_exact_items_first_one_colour_of_a_product_while_others_remain():
    from recommender.rank.ranking import _exact_first

    # Candidates 0-2: one product in three colours, all exact; 3, 4: two other products.
    score = np.array([0.9, 0.8, 0.7, 0.6, 0.5])
    vectors = np.eye(5)
    groups = np.array([1, 1, 1, 2, 3])
    exact = np.array([True, True, True, False, False])
    assert _exact_first(score, vectors, 3, 1.0, groups, exact) == [0, 3, 4]
    assert _exact_first(score, vectors, 5, 1.0, groups, exact) == [0, 3, 4, 1, 2]
