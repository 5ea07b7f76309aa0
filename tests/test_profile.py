from conftest import movie_spec

from recommender.profile import merge, update
from recommender.read.linking import TitleLinker, VocabularyLinker
from recommender.read.reading import read_message
from recommender.schemas import Change, Item, Profile, Range

MOVIES = [
    Item(
        "super-troopers",
        "Super Troopers",
        categories=("movie", "comedy"),
        attributes={"year": 2001, "genres": ["comedy"]},
    ),
    Item(
        "police-academy",
        "Police Academy",
        categories=("movie", "comedy"),
        attributes={"year": 1984, "genres": ["comedy"]},
    ),
    Item(
        "the-ring",
        "The Ring",
        categories=("movie", "horror"),
        attributes={"year": 2002, "genres": ["horror"]},
    ),
    Item(
        "it-2017",
        "It",
        categories=("movie", "horror"),
        attributes={"year": 2017, "genres": ["horror"]},
    ),
    Item(
        "alien",
        "Alien",
        categories=("movie", "science fiction"),
        attributes={"year": 1979, "genres": ["science fiction"]},
    ),
]


class _Reader:
    """Reads a message as a turn does, with the movies catalogue's synonyms."""

    def __init__(self, items):
        self.titles = TitleLinker(items)
        self.vocabulary = VocabularyLinker(items, movie_spec().synonyms)

    def read(self, text: str) -> Profile:
        return update(Profile(), read_message(text, self.titles, self.vocabulary))


def extractor(items=MOVIES):
    return _Reader(items)


def test_liked_title_and_genre_synonym():
    delta = extractor().read("I loved Super Troopers (2001), I want something just as funny")
    assert delta.liked == ["super-troopers"]
    assert "comedy" in delta.categories or "comedy" in delta.wanted


def test_negation_and_year_floor():
    delta = extractor().read("no horror, and nothing before 1990")
    assert "horror" in delta.avoided
    assert "horror" not in delta.wanted and "horror" not in delta.categories
    assert delta.ranges["year"].min == 1990
    assert delta.ranges["year"].max is None


def test_disliked_title():
    delta = extractor().read("I didn't like The Ring at all")
    assert delta.disliked == ["the-ring"] and delta.liked == []


def test_common_word_title_needs_evidence():
    assert extractor().read("it was great, show me it").liked == []
    assert extractor().read("I liked It (2017)").liked == ["it-2017"]


def test_budget_patterns():
    read = extractor().read
    assert read("running shoes under $100").ranges["price"].max == 99.99  # under: $100 is not
    assert read("running shoes, $100 max").ranges["price"].max == 100
    assert read("between 50 and 80 dollars").ranges["price"].model_dump() == {"min": 50, "max": 80}
    assert read("something over €1.5k").ranges["price"].min == 1500
    assert "price" not in read("films after 1990").ranges


def test_decades():
    assert extractor().read("a comedy from the 80s").ranges["year"].model_dump() == {
        "min": 1980,
        "max": 1989,
    }
    assert extractor().read("nineties thrillers").ranges["year"].model_dump() == {
        "min": 1990,
        "max": 1999,
    }
    # "from the 2000s" is a decade, not "from 2000 on" (the page's own example read it so).
    heist = extractor().read("A funny heist movie from the 2000s, nothing too violent")
    assert heist.ranges["year"].model_dump() == {"min": 2000, "max": 2009}

    # A year said alone is that year; an open end or a second year says otherwise.
    def year(text: str) -> dict[str, float | None]:
        return extractor().read(text).ranges["year"].model_dump()

    assert year("films from 2000") == {"min": 2000, "max": 2000}
    assert year("a comedy from 1995") == year("a 1995 comedy") == {"min": 1995, "max": 1995}
    assert year("a thriller released in 2003") == {"min": 2003, "max": 2003}
    assert year("films from 2000 on") == year("from 2000 onwards") == {"min": 2000, "max": None}
    assert year("movies from 2010 to now") == {"min": 2010, "max": None}
    assert year("films from 2000 to 2005") == year("a 2000-2005 film") == {"min": 2000, "max": 2005}
    assert year("from 1995 or earlier") == {"min": None, "max": 1995}
    assert "year" not in extractor().read("nothing from 1995").ranges  # one year: no range says it
    assert "year" not in extractor().read("a 2000 dollar laptop").ranges
    assert year("a comedy from 1995 and upbeat") == {"min": 1995, "max": 1995}  # not "and up"


def test_anything_but_is_one_negated_wish():
    delta = extractor().read("anything but horror please")
    assert delta.avoided == ["horror"] and "horror" not in delta.wanted


def test_merge_later_statements_win():
    profile = merge(
        Profile(), Change(liked=("a",), wanted=("red",), ranges={"price": Range(max=100)})
    )
    profile = merge(
        profile, Change(disliked=("a",), avoided=("red",), ranges={"price": Range(max=80)})
    )
    assert profile.liked == [] and profile.disliked == ["a"]
    assert profile.wanted == [] and profile.avoided == ["red"]
    assert profile.ranges["price"].max == 80


def test_merge_contradicting_range_keeps_latest():
    profile = merge(
        Profile(ranges={"year": Range(min=2000)}), Change(ranges={"year": Range(max=1990)})
    )
    assert profile.ranges["year"].model_dump() == {"min": None, "max": 1990}


def test_merge_is_pure():
    base = Profile(liked=["a"])
    merge(base, Change(disliked=("a",)))
    assert base.liked == ["a"]


SHOP = [
    Item("tent", "Tent", categories=("Sports & Outdoor", "Camping")),
    Item("road-bike", "Road Bike", categories=("Sports & Outdoor", "Cycling")),
    Item("chair", "Comfy Padded Chair", categories=("Home & Garden", "Furniture")),
    Item("sofa", "Grey Fabric Sofa", categories=("Home & Garden", "Furniture")),
    Item("shoe", "Running Shoe", categories=("Sports & Outdoor", "Footwear")),
]


def test_a_kind_of_thing_is_not_a_liked_title():
    delta = extractor(SHOP).read("I need a tent for camping, or a road bike")
    assert delta.liked == []
    assert extractor(SHOP).read("I loved the Tent").liked == ["tent"]


def test_a_word_describing_a_film_is_not_the_film_so_titled():
    films = [*MOVIES, Item("heist", "Heist", categories=("movie",), attributes={"year": 2001})]
    assert extractor(films).read("A funny heist movie from the 2000s").liked == []
    assert extractor(films).read("I loved Heist, the Mamet movie").liked == ["heist"]


def test_a_new_category_replaces_the_last_one():
    profile = merge(Profile(), Change(categories=("Furniture",), wanted=("grey",)))
    profile = merge(profile, Change(categories=("Footwear",)))
    assert profile.categories == ["Footwear"] and profile.wanted == ["grey"]


def test_a_stated_bound_beats_the_relative_critique():
    from recommender.read.critique import read_critique
    from recommender.read.reading import Reading
    from recommender.schemas import Item, Range

    shown = [Item("a", "A", attributes={"year": 1999}), Item("b", "B", attributes={"year": 2001})]
    critique = read_critique("older ones, like before 1990", shown)
    assert critique.change.ranges  # "older" alone would bound the year below the shown ones
    said = Change(ranges={"year": Range(max=1989)})
    reading = Reading("older ones, like before 1990", said=said, critique=critique)
    assert update(Profile(), reading).ranges["year"].max == 1989


def test_a_comparative_beside_a_named_title_is_relative_to_its_year():
    read = extractor().read
    newer = read("something like Police Academy but newer")
    assert newer.liked == ["police-academy"] and newer.ranges["year"].model_dump() == {
        "min": 1985,
        "max": None,
    }
    assert read("like Super Troopers, only older").ranges["year"].max == 2000
    # A stated year wins over the title's.
    assert read("like Alien but newer than 2000").ranges["year"].min == 2001


def test_typed_slips_of_the_vocabulary_are_read_as_meant():
    read = extractor().read
    assert read("a good horor film").wanted == ["horror"]
    assert read("some comdey from the 80s").wanted == ["comedy"]
    # A real word is not a slip ("honor" is not "horror").
    assert read("a film about honor").wanted == []


def test_what_a_film_is_about_is_kept_and_replaced_like_a_wish():
    reader = extractor()
    said = reader.read("a horror movie about a haunted house")
    assert said.wanted == ["horror"] and said.topics == ["haunted house"]

    def turn(profile: Profile, text: str) -> Profile:
        return update(profile, read_message(text, reader.titles, reader.vocabulary))

    # A new topic replaces the last one and keeps the kind; "also" adds.
    profile = turn(said, "something about a dog")
    assert profile.topics == ["dog"] and profile.wanted == ["horror"]
    assert turn(profile, "also with robots").topics == ["dog", "robots"]
    # A new kind keeps the topic ("a comedy" after "a dog movie"); a new request drops it.
    assert turn(turn(Profile(), "a dog movie"), "a comedy instead").topics == []
    assert turn(turn(Profile(), "a dog movie"), "a comedy").topics == ["dog"]
    # Refused later, it goes.
    assert turn(profile, "actually no dogs").topics == []


def test_a_kind_refused_by_degree_stays_allowed():
    reader = extractor()

    def turn(profile: Profile, text: str) -> Profile:
        return update(profile, read_message(text, reader.titles, reader.vocabulary))

    # "nothing too gory" after a horror request asks for fewer gory ones, not no horror.
    profile = turn(turn(Profile(), "a horror movie"), "nothing too gory")
    assert profile.wanted == ["horror"] and profile.avoided == [] and profile.shunned == ["gory"]
    # Said outright, the kind is refused.
    assert reader.read("no horror, nothing too gory, a thriller").avoided == ["horror"]
    assert reader.read("nothing gory").avoided == ["horror"]
    # Who it is for is no refusal: "not too scary for my kids" is for the kids.
    films = [*MOVIES, Item("up", "Up", attributes={"year": 2009, "genres": ["family"]})]
    kids = extractor(films).read("something spooky but not too scary for my kids")
    assert "family" in kids.wanted and kids.avoided == [] and kids.shunned == ["scary"]


LUMA = [
    Item("e-red", "Erika Running Short (Red)", categories=("Women", "Shorts")),
    Item("e-blue", "Erika Running Short (Blue)", categories=("Women", "Shorts")),
    Item("a-red", "Ana Running Short (Red)", categories=("Women", "Shorts")),
    Item("s-red", "Sybil Running Short (Red)", categories=("Women", "Shorts")),
    Item("c-red", "Cronus Yoga Pant (Red)", categories=("Women", "Pants")),
]


def test_a_refused_product_name_leaves_out_that_product_not_its_kind():
    from recommender.catalogue.spec import CatalogSpec

    spec = CatalogSpec(name="luma", variants=True)
    reader = _Reader(LUMA)

    def said(text: str):
        return read_message(text, reader.titles, reader.vocabulary, (), spec).said

    # "Erika" names one product (in two colours): no category of shorts.
    refused = said("running shorts, anything but the Erika ones")
    assert set(refused.disliked) == {"e-red", "e-blue"} and refused.avoided == ()
    assert said("nothing from the Cronus line").disliked == ("c-red",)
    assert said("nothing from the Cronus line").shunned == ()
