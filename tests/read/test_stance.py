"""Stance by structure: one rule refuses any linked kind (genre, person, title, colour) however
the refusal is phrased; a description is not a wish; a new request replaces the last one's
wishes and a refinement adds to them; titles in Chinese link to their films."""

from __future__ import annotations

import pytest

from recommender.profile import merge, update
from recommender.read.linking import TitleLinker, VocabularyLinker
from recommender.read.people import PersonLinker
from recommender.read.reading import Reading, read_message
from recommender.schemas import Item, Profile, Range

FILMS = [
    Item(
        "oc",
        "Ocean's Eleven",
        attributes={"year": 2001, "genres": ["comedy", "crime"], "cast": ["George Clooney"]},
    ),
    Item("ij", "The Italian Job", attributes={"year": 2003, "genres": ["crime", "action"]}),
    Item("in", "Inception", attributes={"year": 2010, "genres": ["science fiction", "thriller"]}),
    Item(
        "nb",
        "The Notebook",
        attributes={"year": 2004, "genres": ["romance", "drama"], "cast": ["Ryan Gosling"]},
    ),
    Item("sc", "Scream", attributes={"year": 1996, "genres": ["horror"], "tags": ["slasher"]}),
    Item("mu", "Mamma Mia!", attributes={"year": 2008, "genres": ["musical", "comedy"]}),
    Item(
        "sh",
        "Shazam!",
        attributes={"year": 2019, "genres": ["superhero", "comedy"], "cast": ["Adam Sandler"]},
    ),
    Item("we", "Unforgiven", attributes={"year": 1992, "genres": ["western"]}),
]
ZH = {"盗梦空间": "in", "十一罗汉": "oc", "意大利任务": "ij"}


def films(text: str, shown: list[Item] | None = None) -> Reading:
    people = PersonLinker(FILMS, ["cast"])
    return read_message(
        text,
        TitleLinker(FILMS, aliases=ZH, names=people.surnames),
        VocabularyLinker(FILMS, people=people),
        shown or [],
    )


@pytest.mark.parametrize(
    ("text", "avoided", "wanted"),
    [
        ("honestly I can't do horror, something funny", ["horror"], []),
        ("I'm tired of superhero movies, give me a good drama", ["superhero"], ["drama"]),
        ("please skip anything with Adam Sandler", ["adam sandler"], []),
        ("not a big fan of musicals but I love westerns", ["musical"], ["western"]),
        ("anything but horror, a thriller", ["horror"], ["thriller"]),
        ("no horror, or slasher", ["horror", "slasher"], []),
        ("I'd rather not watch anything romantic", [], []),  # "romantic" is no genre here
        ("I don't really care for westerns", ["western"], []),
        ("I want a thriller but not horror", ["horror"], ["thriller"]),
        ("my boyfriend won't watch horror, only comedies", ["horror"], ["comedy"]),
        ("I don't mind horror", [], ["horror"]),
        ("a comedy no longer than 90 minutes", [], ["comedy"]),  # a bound, not a refusal
        ("I haven't seen any westerns", [], ["western"]),  # not yet seen is no refusal
        # A word with its particle, or said of the speaker after "be":
        ("I'm so over superhero stuff, give me a western", ["superhero"], ["western"]),
        ("pass on the slasher movies", ["slasher"], []),
        ("steer clear of horror please", ["horror"], []),
        ("stay away from musicals", ["musical"], []),
        ("keep the horror away, a western", ["horror"], ["western"]),
        ("I'm done with superhero films", ["superhero"], []),
        ("I'm allergic to musicals lol", ["musical"], []),
        ("a western over two hours long", [], ["western"]),  # "over" of a length: no refusal
        ("is it over? I want horror", [], ["horror"]),
        # Said of something else, or an idiom: no refusal.
        ("a western done with humour and style", [], ["western"]),
        ("I am over the moon for westerns", [], ["western"]),
        ("a western about people who pass on their traditions", [], ["western"]),
        ("we're through with westerns", ["western"], []),
        ("I don't think I like horror, a western", ["horror"], ["western"]),
        ("I think I like westerns", [], ["western"]),
        # A thing said to be a refusal, or declined in a sentence of its own.
        ("Adam Sandler is a no for me, a western", ["adam sandler"], ["western"]),
        ("musicals are a hard pass", ["musical"], []),
        ("horror? no thanks. a western?", ["horror"], ["western"]),
        ("I've had my fill of musicals", ["musical"], []),
        ("nah, just a western", [], ["western"]),
        ("I've had too many superhero movies lately, a western", ["superhero"], ["western"]),
        # Not required is not refused; a "not" before a new clause's subject is not its.
        ("a western, and it doesn't have to be a musical", [], ["western"]),
        ("I liked Scream. I have not It looks scary, a horror", [], ["horror"]),
        # Refused by someone watching with the speaker; the thing disliked as a verb's subject.
        ("my wife refuses to sit through anything with Adam Sandler", ["adam sandler"], []),
        ("musicals bore me to tears, how about a western", ["musical"], ["western"]),
        ("honestly slashers just annoy us", ["slasher"], []),
        ("I'm burned out on superhero films", ["superhero"], []),
        ("we got bored of musicals, a western please", ["musical"], ["western"]),
        # ... not when the one bored is someone else, or the speaker is the subject.
        ("the ending bored my dad, but we love a western", [], ["western"]),
        ("I annoy my sister with westerns all the time", [], ["western"]),
        # A fragment after "but" stands on its own: not what was seen, but what is asked for.
        ("we saw Scream already so not that one, but a western like it", [], ["western"]),
        # A break from a kind, the "from" on the noun or on the verb; no break, no refusal.
        ("I need a break from westerns, maybe a comedy", ["western"], ["comedy"]),
        ("taking a break from slashers, something with Adam Sandler", ["slasher"], []),
        ("a prison break western", [], ["western"]),
        # Idioms of having had enough: "good on", "keep X out", "had it with".
        ("I'm good on westerns for now, a comedy maybe", ["western"], ["comedy"]),
        ("keep Adam Sandler out of it, but a comedy", ["adam sandler"], ["comedy"]),
        ("a comedy, but I've had it with musicals", ["musical"], ["comedy"]),
        ("I'm good with westerns", [], ["western"]),
    ],
)
def test_a_refusal_is_read_from_the_sentence_not_from_a_phrase_list(text, avoided, wanted):
    said = films(text).said
    assert sorted(said.avoided) == sorted(avoided)
    assert "musical" not in said.wanted  # "doesn't have to be a musical" asks for none
    assert set(wanted) <= set(said.wanted) and not set(said.wanted) & set(avoided)


@pytest.mark.parametrize(
    "text",
    ["it was funny", "Are those scary?", "Is Inception a thriller?", "Scream was pretty creepy"],
)
def test_what_is_said_of_a_film_on_the_table_is_no_wish(text):
    assert not films(text).said.wanted


def test_are_there_any_asks_for_some():
    assert films("are there any good westerns?").said.wanted == ("western",)


def test_titles_take_their_own_stance_in_one_sentence():
    said = films("I did not like Scream, have not seen Unforgiven and loved The Notebook.").said
    assert said.disliked == ("sc",) and said.liked == ("nb",) and not said.seen
    said = films("I liked Inception but not The Notebook").said
    assert said.liked == ("in",) and said.disliked == ("nb",)
    assert films("The Notebook was too much for me, nothing like that").said.disliked == ("nb",)
    # A list of titles shares its stance, across commas.
    said = films("I liked Inception, but not Scream, The Notebook, or Unforgiven").said
    assert said.liked == ("in",) and set(said.disliked) == {"sc", "nb", "we"}
    # "But not Y." after a seeing: not seen, which is no taste either way.
    said = films("I saw Inception and loved it! But not Scream, or The Notebook.").said
    assert said.seen == ("in",) and not said.disliked and said.liked == ("in",)
    # A negation inside a title is the title's: "You Don't ..." says nothing of the film.
    titled = [*FILMS, Item("zo", "You Don't Mess with the Zohan", attributes={"year": 2008})]
    reading = read_message(
        "I loved You Don't Mess with the Zohan", TitleLinker(titled), VocabularyLinker(titled)
    )
    assert reading.said.liked == ("zo",)


def test_a_chinese_title_links_its_film_and_centres_the_request():
    reading = films("有没有像《盗梦空间》那样烧脑的电影")
    assert reading.said.liked == ("in",) and reading.said.focus == ("in",)
    assert reading.said.fresh == "wishes"
    assert films("我喜欢十一罗汉和意大利任务").said.liked == ("oc", "ij")


def test_a_new_request_replaces_the_last_ones_wishes_and_a_refinement_adds():
    profile = Profile(
        liked=["nb"], wanted=["romance", "comedy"], avoided=["horror"],
        ranges={"year": Range(min=2000)},
    )  # fmt: skip
    # Centred on a title: every wish goes, the refusal and the liked film stay.
    after = update(profile, films("something like Inception instead"))
    assert after.wanted == [] and after.ranges == {} and after.focus == ["in"]
    assert after.avoided == ["horror"] and after.liked == ["nb", "in"]
    # Kinds of its own replace the kinds; the bound stays.
    after = update(profile, films("a western"))
    assert after.wanted == ["western"] and after.ranges == profile.ranges
    # A refinement adds.
    for text in ("also a musical", "and a musical", "but a musical too"):
        after = update(profile, films(text))
        assert after.wanted == ["romance", "comedy", "musical"], text
    # Only a bound: a refinement.
    assert update(profile, films("from the 90s")).wanted == ["romance", "comedy"]


def test_more_like_a_card_centres_on_it():
    shown = [FILMS[0], FILMS[1]]
    profile = update(Profile(), films("I loved Ocean's Eleven and The Italian Job"))
    assert profile.focus == ["oc", "ij"]
    profile = update(profile, films("more like #2", shown))
    assert profile.focus == ["ij"] and profile.liked == ["oc", "ij"]
    # A dislike later takes a title out of the focus.
    assert merge(profile, films("I hated The Italian Job").said).focus == []


def test_a_refused_describing_word_is_kept_apart_from_what_is_looked_for():
    said = films("A funny heist movie from the 2000s, nothing too violent").said
    assert said.shunned == ("violent",) and "violent" not in said.query
    assert said.intent == "A funny heist movie from the 2000s, nothing too violent"
    # A word the tagger took for a name, written in lower case, is still a describing word;
    # the refusal's own words are not.
    said = films("we want something scary tonight, nothing with gore though").said
    assert "gore" in said.shunned
    assert films("steer clear of anything gory").said.shunned == ("gory",)
    # A refusal alone keeps the last wish's query.
    profile = update(Profile(), films("a funny heist movie"))
    assert update(profile, films("nothing too violent")).query == "a funny heist movie"


@pytest.mark.parametrize(
    ("text", "seen"),
    [
        ("I watched Inception last week", True),
        ("I have seen Inception", True),
        ("I want to watch Inception", False),  # a wish, not something done: never excluded
        ("I'd love to see Inception", False),
        ("have you seen Inception?", False),
        ("I also enjoyed watching Inception", True),  # a seeing under a past verb
        ("I'm looking forward to watching Inception", False),
        ("The only thriller I've ever seen was Inception", True),
    ],
)
def test_only_a_seeing_done_is_seen(text, seen):
    said = films(text).said
    assert said.liked == ("in",) and (said.seen == ("in",)) is seen


def test_a_negated_think_negates_the_clause_it_is_about():
    said = films("I don't think I've seen Inception").said  # not seen yet: neither
    assert not said.seen and not said.liked and not said.disliked


def test_a_circumstance_is_no_description_of_a_film():
    items = [Item("sh", "Running Short", attributes={"climate": ["hot"]})]
    titles, vocabulary = TitleLinker(items), VocabularyLinker(items)
    said = read_message("something to wear when it's really hot out", titles, vocabulary).said
    assert said.wanted == ("hot",)
    # What is said of a film on the table is still no wish.
    assert not films("I watched Scream, it was scary").said.wanted


def test_a_person_named_is_not_also_the_kind_a_word_of_the_name_is():
    chase = [
        *FILMS,
        Item("ca", "Car Chase", attributes={"tags": ["chase"], "cast": ["Chevy Chase"]}),
    ]
    people = PersonLinker(chase, ["cast"])
    titles = TitleLinker(chase, names=people.surnames)
    vocabulary = VocabularyLinker(chase, people=people)
    said = read_message("nothing with Chevy Chase", titles, vocabulary).said
    assert said.avoided == ("chevy chase",)  # not the films tagged "chase"
    assert read_message("a chase movie", titles, vocabulary).said.wanted == ("chase",)


def test_what_a_request_says_of_its_own_head_is_asked_for():
    # "that's more creepy" is said of the "anything" asked for, not of a film on the table.
    vocabulary = VocabularyLinker(FILMS, synonyms={"scary": "horror"})
    text = "I'm so over musicals. Anything scary that's more creepy than bloody?"
    said = read_message(text, TitleLinker(FILMS), vocabulary).said
    assert "horror" in said.wanted and said.avoided == ("musical",)
    # ... even where the tagger missed the relative clause ("got" makes it a complement).
    asked = "got anything from the early 2000s that's a good western?"
    assert films(asked).said.wanted == ("western",)
    assert not films("I watched Scream. That's a good western").said.wanted


def test_a_piece_of_a_hyphenated_word_read_whole_is_no_refused_word():
    vocabulary = VocabularyLinker(FILMS, synonyms={"rom coms": "comedy"})
    said = read_message("I'm so sick of rom-coms", TitleLinker(FILMS), vocabulary).said
    assert said.avoided == ("comedy",) and said.shunned == ()


@pytest.mark.parametrize(
    ("text", "liked", "disliked", "seen"),
    [
        ("Yes, I loved it!", ["sc"], [], []),
        ("I've seen that one, it was boring", [], ["sc"], ["sc"]),
        ("Oh I love that movie", ["sc"], [], []),
        ("I didn't like it", [], ["sc"], []),
        ("it was great", ["sc"], [], []),
        # Saying nothing of the film: an empty "it", a question, not having heard of it.
        ("it's raining here, something cozy", [], [], []),
        ("No, I haven't. What is it about?", [], [], []),
        ("No, I've never heard of that!", [], [], []),
        ("Yes! that is a freaky one. I couldn't believe it was her", [], [], []),
        # A pointing word that only opens a clause points at nothing.
        ("I'd love it if you found me a western", [], [], []),
        ("I think that a western would be good", [], [], []),
        ("I love that you asked! a western please", [], [], []),
        ("it's good to know, but a western please", [], [], []),
        # Written in capitals, with a question tacked on, or with the pointing word a subject.
        ("OH YES! WE LOVED IT!", ["sc"], [], []),
        ("I really enjoyed that one, got any more?", ["sc"], [], []),
        ("That's a great one.", ["sc"], [], []),
        # Only heard of, or guessed at: no taste.
        ("Not yet, but my brother says it is amazing", [], [], []),
        ("Never watched that one, it looks good though", [], [], []),
        # A bare answer, no word pointing at the film: a verdict on it.
        ("Yes I have, a real classic!", ["sc"], [], []),
        ("haha yeah, fantastic film", ["sc"], [], []),
        ("Oh yes, a slasher gem", ["sc"], [], []),
        ("Dull movie honestly", [], [], []),
        ("meh, boring movie", [], ["sc"], []),
        ("nope, not a good pick for me", [], ["sc"], []),
        # ... not a thank-you, nor praise asked for, asked about or said of something else.
        ("Great, thanks!", [], [], []),
        ("Can you recommend a classic from the 80s?", [], [], []),
        ("I want a good movie for tonight", [], [], []),
        ("Is that a good movie for kids?", [], [], []),
        ("my favorite actor is Ryan Gosling", [], [], []),
    ],
)
def test_a_word_pointing_at_the_one_item_shown_takes_a_titles_stance(text, liked, disliked, seen):
    # "Have you seen Scream?" - the reply points at it without naming it.
    said = films(text, shown=[FILMS[4]]).said
    assert (list(said.liked), list(said.disliked), list(said.seen)) == (liked, disliked, seen)


def test_plural_pointing_words_take_the_few_items_shown():
    shown = [FILMS[0], FILMS[1]]
    said = films("I've seen them both and loved them", shown=shown).said
    assert set(said.seen) == set(said.liked) == {"oc", "ij"}
    # Five cards are too many for "them"; one named title is not pointed at.
    assert not films("loved them", shown=FILMS[:5]).said.liked
    assert films("I loved Inception, it was great", shown=[FILMS[4]]).said.liked == ("in",)


@pytest.mark.parametrize(
    ("asked", "text", "wanted", "avoided"),
    [
        ("Do you like westerns?", "I do!", ["western"], []),
        ("Hi! Are you into musicals?", "oh yeah, love them", ["musical"], []),
        ("Do you enjoy horror movies?", "Nope, a western maybe", ["western"], ["horror"]),
        ("How about horror or westerns?", "haha, not really", [], ["horror", "western"]),
        # A question about a film asks about the film; other words answer nothing.
        ("Have you seen Scream? It's a horror movie", "Yes", [], []),
        ("How about westerns? Have you seen Unforgiven?", "No, I have not seen it", [], []),
        ("Do you like westerns?", "Yesterday I watched a musical", ["musical"], []),
        ("I love westerns. And you?", "nope", [], []),
        ("Do you like westerns?", "I'm not sure, I don't really mind", [], []),
        # An open question is no yes-or-no one: "yes please" picks none of its kinds.
        ("What are you in the mood for: horror or a western?", "yes please", [], []),
        ("Hi. Great. So, like, westerns?", "yes!", ["western"], []),
    ],
)
def test_a_bare_answer_takes_the_kinds_of_the_question_before(asked, text, wanted, avoided):
    people = PersonLinker(FILMS, ["cast"])
    said = read_message(
        text,
        TitleLinker(FILMS, names=people.surnames),
        VocabularyLinker(FILMS, people=people, synonyms={"scary": "horror"}),
        asked=asked,
    ).said
    assert (list(said.wanted), list(said.avoided)) == (wanted, avoided)


def test_a_refused_pronoun_refuses_the_kind_it_stands_for():
    # Nothing (or a whole list) on the table: "them" is the plural kind named before it.
    said = films("I usually go for westerns but my wife can't stand them, a musical maybe").said
    assert said.avoided == ("western",) and said.wanted == ("musical",)
    assert films("I love westerns but my kids hate them").said.avoided == ("western",)
    assert films("musicals? can't stand them", shown=FILMS[:5]).said.avoided == ("musical",)
    # ... not what is loved, nor the film just shown.
    assert films("I love westerns and my wife adores them").said.wanted == ("western",)
    said = films("westerns are fine but I hated them", shown=[FILMS[4]]).said
    assert "western" not in said.avoided


def test_only_words_before_a_named_title_point_back():
    # A word points back before the message names a title of its own; after it, at that title.
    said = films("I loved that one! I also liked Inception", shown=[FILMS[4]]).said
    assert set(said.liked) == {"sc", "in"}
    said = films("I watched Inception and loved it", shown=[FILMS[4]]).said
    assert said.liked == ("in",) and said.seen == ("in",)
    # A verdict said of the title named is that title's.
    assert films("Another favorite of mine is Inception", shown=[FILMS[4]]).said.liked == ("in",)


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("I usually watch comedies but tonight I want something scary", ["horror"]),
        ("I normally love westerns, but I'm in the mood for a musical today", ["musical"]),
        (
            "We always end up watching comedies, so something different, maybe a thriller",
            ["thriller"],
        ),
        # A habit with nothing set against it is a taste, and asked for.
        ("I usually like horror, any suggestions?", ["horror"]),
        ("I often watch thrillers, and I love a good western", ["thriller", "western"]),
        ("My wife usually picks westerns. This time I want a musical", ["musical"]),
        # Nothing set against the habit: a question, "but also", "and ... today".
        ("I always like a good thriller, what's your favourite of all time?", ["thriller"]),
        ("I always loved westerns, but also musicals", ["western", "musical"]),
        ("I usually watch westerns and I want one today", ["western"]),
        # An earlier occasion is set aside likewise, by this occasion anywhere after it.
        (
            "last time I picked a horror and everyone hated it, so this time maybe a comedy",
            ["comedy"],
        ),
        ("last night we watched a western. tonight a musical", ["musical"]),
        ("last time we loved a western, another one please", ["western"]),
        # "he" doing something with a kind tells his taste; "he was great" describes.
        ("my grandpa is visiting and he only watches old westerns", ["western"]),
    ],
)
def test_a_habit_set_against_this_times_wish_is_not_asked_for(text, wanted):
    vocabulary = VocabularyLinker(FILMS, synonyms={"scary": "horror"})
    said = read_message(text, TitleLinker(FILMS), vocabulary).said
    assert list(said.wanted) == wanted


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        # Where the children are tonight says who is watching, not what kind of film.
        ("the kids are at grandma's tonight, a western", ["western"]),
        ("kids are asleep finally, a western for us", ["western"]),
        ("the kids are in bed, something scary", ["horror"]),
        # ... while the children watching, or a film for them, asks for the family kind.
        ("the kids are with us tonight", ["family"]),
        ("a movie the kids are in the mood for", ["family"]),
        ("something for the kids", ["family"]),
    ],
)
def test_where_the_kids_are_is_no_wish(text, wanted):
    items = [*FILMS, Item("up", "Up", attributes={"year": 2009, "genres": ["family"]})]
    vocabulary = VocabularyLinker(items, synonyms={"kids": "family", "scary": "horror"})
    assert list(read_message(text, TitleLinker(items), vocabulary).said.wanted) == wanted


def test_a_verb_is_no_slip_of_a_name():
    items = [
        *FILMS,
        Item("ra", "Melancholia", attributes={"cast": ["Charlotte Rampling"]}),
        Item("rb", "Swimming Pool", attributes={"cast": ["Charlotte Rampling"]}),
    ]
    people = PersonLinker(items, ["cast"])
    titles, vocabulary = (
        TitleLinker(items, names=people.surnames),
        VocabularyLinker(items, people=people),
    )
    said = read_message("my friend keeps rambling about a western", titles, vocabulary).said
    assert said.wanted == ("western",)
    assert read_message("something with rampling", titles, vocabulary).said.wanted == (
        "charlotte rampling",
    )
    # A slip in a full name is still the name, though the tagger calls it a verb.
    said = read_message("movies starring charlotte rampleing", titles, vocabulary).said
    assert said.wanted == ("charlotte rampling",)


def test_a_year_said_after_a_title_is_the_titles():
    said = films("I loved Scream from 1996, something like it").said
    assert said.liked == ("sc",) and not said.ranges
    assert films("something like Scream (1996) but from the 2000s").said.ranges["year"].min == 2000


def test_a_kind_both_asked_for_and_refused_is_asked_for_and_the_refused_word_shunned():
    vocabulary = VocabularyLinker(FILMS, synonyms={"spooky": "horror", "gory": "horror"})
    text = "honestly I can't stand anything gory, but I'm in the mood for something spooky"
    said = read_message(text, TitleLinker(FILMS), vocabulary).said
    assert said.wanted == ("horror",) and not said.avoided and said.shunned == ("gory",)
    # Refused alone, it still refuses the kind.
    assert read_message("nothing gory", TitleLinker(FILMS), vocabulary).said.avoided == ("horror",)


@pytest.mark.parametrize(
    ("text", "liked", "disliked"),
    [
        # Named only ("we tried X"): what "it" is said to be after it decides.
        ("we tried The Notebook and it was way too sappy for us", [], ["nb"]),
        ("I saw Scream and it was too slow", [], ["sc"]),
        ("we tried The Notebook and it was great", ["nb"], []),
        # A word of liking on the title stands ("I loved X, it was too long" is still loved).
        ("I loved Inception, it was too long though", ["in"], []),
        # Praise said to excess is praise; "it" after another title is that title's.
        ("we tried Inception and it was too good", ["in"], []),
        ("we tried Inception, then Scream and it was too slow", ["in"], ["sc"]),
    ],
)
def test_what_it_is_said_to_be_after_a_title_named_only_decides(text, liked, disliked):
    said = films(text).said
    assert list(said.liked) == liked and list(said.disliked) == disliked


def test_the_catalogues_own_name_for_its_items_is_no_thing_it_lacks():
    """ "A cute animal picture" among pictures, "a drawing of a rocket" where the domain is
    "pictures (drawings and photos of things)": no thing asked for is missing; "a spaceship" is
    a thing asked for."""
    from recommender.catalogue.spec import CatalogSpec

    spec = CatalogSpec(name="pictures", domain="pictures (drawings and photos of things)")
    items = [Item("f", "Frog", categories=("animals",))]
    titles, words = TitleLinker(items), VocabularyLinker(items)
    for text in ("A cute animal picture", "a drawing of a rocket"):
        assert read_message(text, titles, words, [], spec).things == (), text
    assert read_message("a spaceship", titles, words, [], spec).things == ("spaceship",)


def test_too_on_a_describing_word_is_excess_not_as_well():
    from recommender.read.stance import adds_on, parse

    assert not adds_on(parse("an action film, nothing too bloody"))
    assert not adds_on(parse("a western that isn't too long"))
    assert adds_on(parse("something funny too"))
    assert adds_on(parse("I like comedies too"))
