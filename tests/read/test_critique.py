from recommender.profile import like
from recommender.read.critique import read_critique
from recommender.schemas import Item

SHOWN = [
    Item("a", "A", attributes={"price": 50.0, "year": 1980}),
    Item("b", "B", attributes={"price": 100.0, "year": 1995}),
    Item("c", "C", attributes={"price": 150.0, "year": 2010}),
]


def test_more_like_number():
    c = read_critique("more like #2", SHOWN)
    assert c.change.liked == ("b",) and c.only_critique


def test_ordinal_and_seen_and_not():
    assert read_critique("more like the third one", SHOWN).change.liked == ("c",)
    assert read_critique("seen #1", SHOWN).change.seen == ("a",)
    assert read_critique("not #3 please", SHOWN).change.disliked == ("c",)


def test_out_of_range_reference_is_ignored():
    assert read_critique("more like #9", SHOWN).change.liked == ()


def test_cheaper_and_older_are_relative_to_shown():
    assert read_critique("cheaper", SHOWN).change.ranges["price"].max == 99.0
    assert read_critique("older", SHOWN).change.ranges["year"].max == 1994
    assert read_critique("newer", SHOWN).change.ranges["year"].min == 1996


def test_the_last_price_refused_is_cheaper():
    for text in ("not the pricey ones", "nothing too expensive please", "too pricey"):
        assert read_critique(text, SHOWN).change.ranges["price"].max == 99.0, text


def test_recent_with_nothing_shown_is_the_catalogues_last_years():
    # Nothing to compare with: "recent" counts back from the newest the catalogue has, and it
    # is no critique that cannot apply.
    c = read_critique("something recent", [], latest=2019)
    assert c.change.ranges["year"].min == 2009 and not c.notes and not c.only_critique
    assert (
        read_critique("a comedy, something newer", [], latest=2019).change.ranges["year"].min
        == 2009
    )
    # "older" with nothing shown still has nothing to compare with.
    assert read_critique("older", [], latest=2019).notes
    # Shown items stay the reference.
    assert (
        read_critique("something more recent", SHOWN, latest=2019).change.ranges["year"].min == 1996
    )


def test_critique_with_new_request_is_not_only_critique():
    c = read_critique("cheaper, and I want hiking boots", SHOWN)
    assert "price" in c.change.ranges and not c.only_critique


def test_like_delta():
    assert like("x", True).liked == ("x",) and like("x", False).disliked == ("x",)


def test_a_stated_bound_is_not_made_relative():
    # "newer than 2005" is the rule reader's (year >= 2005), not "newer than the items shown".
    c = read_critique("more like #2 but newer than 2005", SHOWN)
    assert c.change.liked == ("b",) and "year" not in c.change.ranges


def test_a_critique_the_catalogue_cannot_apply_is_said_and_keeps_the_intent():
    movies = [Item("m", "M", attributes={"year": 2001})]
    c = read_critique("cheaper", movies)
    assert c.only_critique and not c.change.ranges
    assert [n.key for n in c.notes] == ["notice.critique_no_field"]
    assert c.notes[0].fields["field"] == "price"


def test_a_list_of_references_carries_its_critique():
    assert read_critique("seen #1 and #2", SHOWN).change.seen == ("a", "b")
    five = [*SHOWN, Item("d", "D"), Item("e", "E")]
    assert read_critique("not #3, #4 or the last one", five).change.disliked == ("c", "d", "e")
    # A new clause ends the list.
    assert read_critique("seen #1 and I want something older", SHOWN).change.seen == ("a",)


def test_not_that_colour_refuses_the_colour_most_of_the_last_cards_share():
    shown = [
        Item("a", "Juno Jacket (Blue)", attributes={"colour": ["blue"]}),
        Item("b", "Nadia Shell (Blue)", attributes={"colour": ["blue"]}),
        Item("c", "Inez Jacket (Red)", attributes={"colour": ["red"]}),
    ]
    for text in ("not that colour", "other colors please", "a different colour"):
        critique = read_critique(text, shown)
        assert critique.change.avoided == ("blue",) and critique.only_critique, text
    assert read_critique("a different colour for #3", shown).change.avoided == ("red",)
    assert read_critique("not that colour", []).change.avoided == ()
    films = [Item("m", "Up", attributes={"genres": ["animation"]})]
    assert read_critique("not that colour", films).change.avoided == ()  # no colours to refuse


def test_not_as_old_as_a_named_title_starts_after_it():
    from recommender.read.linking import TitleLinker, VocabularyLinker
    from recommender.read.reading import read_message

    films = [
        Item("mg", "Mean Girls", attributes={"year": 2004, "genres": ["comedy"]}),
        Item("al", "Alien", attributes={"year": 1979, "genres": ["horror"]}),
    ]
    titles, words = TitleLinker(films), VocabularyLinker(films)
    newer = read_message("movies like Mean Girls but not as old", titles, words)
    assert newer.critique.change.ranges["year"].min == 2005
    assert "old" not in newer.said.shunned  # a bound, not a describing word refused
    older = read_message("something like Alien but not so new", titles, words)
    assert older.critique.change.ranges["year"].max == 1978
    assert "old" in read_message("a comedy, nothing old", titles, words).said.shunned


def test_a_one_word_title_before_a_particle_is_a_verb():
    from recommender.read.titles import TitleLinker

    titles = TitleLinker([Item("fr", "Freaks", attributes={"year": 1932})])
    assert not titles.find("my girlfriend freaks out easily")
    assert [m.item_id for m in titles.find("i loved freaks out of all the old ones")] == ["fr"]


def test_an_everyday_title_before_a_series_word_and_a_year_phrase():
    from recommender.read.linking import TitleLinker, VocabularyLinker
    from recommender.read.reading import read_message

    films = [
        Item("saw", "Saw", attributes={"year": 2004, "genres": ["horror"]}),
        Item("war", "War", attributes={"year": 2007, "genres": ["action"]}),
        Item("l5", "The Last Five Years", attributes={"year": 2014, "genres": ["musical"]}),
    ]
    titles, words = TitleLinker(films), VocabularyLinker(films)
    said = read_message("a horror, but I've had it with the Saw franchise", titles, words).said
    assert said.disliked == ("saw",) and said.wanted == ("horror",)
    assert not read_message("War films please", titles, words).said.liked
    counted = read_message("a musical from the last 5 years", titles, words)
    assert not counted.said.liked and counted.said.ranges["year"].min == 2014 - 5
