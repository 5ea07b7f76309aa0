"""Requests in Chinese, Spanish, French and German read as their English twins; the language is
told; English bounds (years, budgets, lengths) and negation scope."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from recommender.catalogue.spec import CatalogSpec
from recommender.languages import CODES, pack
from recommender.read.gloss import chinese_numerals, gloss
from recommender.read.langid import detect
from recommender.read.linking import TitleLinker, VocabularyLinker
from recommender.read.people import PersonLinker
from recommender.read.reading import Reading, read_message
from recommender.schemas import Item

FILMS = [
    Item("st", "Super Troopers", attributes={"year": 2001, "genres": ["comedy"], "runtime": 100}),
    Item("ex", "The Exorcist", attributes={"year": 1973, "genres": ["horror"], "runtime": 122}),
    Item("se", "Se7en", attributes={"year": 1995, "genres": ["thriller", "crime"]}),
    Item("wa", "Dunkirk", attributes={"year": 2017, "genres": ["war", "science fiction"]}),
    Item("up", "Up", attributes={"year": 2009, "genres": ["animation", "family"]}),
    Item("dh", "Die Hard", attributes={"year": 1988, "genres": ["action"]}),
]
SHOP = [
    Item("cam", "Instant Camera", categories=("Electronics", "Photo"), attributes={"price": 80.0}),
    Item("cam2", "SLR Camera", categories=("Electronics", "Photo"), attributes={"price": 400.0}),
    Item(
        "run",
        "Running Shoe",
        categories=("Sports & Outdoor", "Footwear"),
        attributes={"price": 120.0, "colour": ["black"]},
    ),
    Item(
        "ball",
        "Tennis Ball",
        categories=("Sports & Outdoor", "Equipment"),
        attributes={"price": 5.0},
    ),
]
SHOP_SYNONYMS = {"shoes": "footwear", "shoe": "footwear", "sneakers": "footwear"}
FILM_SPEC = CatalogSpec(name="films", measures={"runtime": "minutes"})


def films(text: str, shown: list[Item] | None = None) -> Reading:
    return read_message(text, TitleLinker(FILMS), VocabularyLinker(FILMS), shown or [], FILM_SPEC)


def shop(text: str, shown: list[Item] | None = None) -> Reading:
    return read_message(text, TitleLinker(SHOP), VocabularyLinker(SHOP, SHOP_SYNONYMS), shown or [])


def bounds(reading: Reading) -> dict[str, tuple[float | None, float | None]]:
    return {k: (v.min, v.max) for k, v in reading.said.ranges.items()}


def same_profile(a: Reading, b: Reading) -> bool:
    return replace(a.said, intent="", query="") == replace(b.said, intent="", query="")


def test_every_language_file_loads_and_names_itself():
    for code in CODES:
        assert pack(code).gloss.name and pack(code).code == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("I want a 90s comedy, nothing scary", "en"),
        ("我想看一部九十年代的喜剧，不要恐怖片", "zh"),
        ("The Conjuring 和 Insidious 我都特别喜欢", "zh"),
        ("quiero una comedia de los noventa, nada de terror", "es"),
        ("un thriller mais pas un film d'horreur", "fr"),
        ("ein Kriegsfilm, der vor 1970 gedreht wurde", "de"),
        ("a film in French", "en"),
        ("more like #2", "en"),
        ("", "en"),
    ],
)
def test_the_language_of_a_message_is_told(text, code):
    assert detect(text) == code
    assert read_message(text, TitleLinker(FILMS), VocabularyLinker(FILMS)).language == code


def test_a_chinese_request_reads_as_its_english_twin():
    zh = films("我想看一部九十年代的喜剧，不要恐怖片")
    assert zh.said.wanted == ("comedy",) and zh.said.avoided == ("horror",)
    assert bounds(zh) == {"year": (1990.0, 1999.0)}
    assert same_profile(zh, films("I want a 90s comedy, no horror"))


@pytest.mark.parametrize(
    ("zh", "en"),
    [
        ("来部八十年代的恐怖片", "a horror film from the 80s"),
        ("90年代的动作片", "90s action films"),
        ("2000年以后拍的战争片", "a war movie made since 2000"),  # 2000 on, as replies say it
        ("要00年代的惊悚片", "a thriller from the 2000s"),
        ("想看惊悚片，但别是恐怖片", "a thriller but no horror"),
        ("除了恐怖片", "anything but horror"),
        ("我不喜欢恐怖片", "I dislike horror"),
        # What is refused comes first in Chinese, or in a phrase of its own.
        ("我受不了恐怖片，来点搞笑的喜剧", "I can't stand horror, a funny comedy"),
        ("恐怖片我已经看腻了", "I'm tired of horror"),
        ("我对科幻片不感兴趣", "I'm not interested in science fiction"),
        ("来部不超过90分钟的喜剧", "a comedy no longer than 90 minutes"),
        ("至少两个半小时的科幻片", "science fiction, at least two and a half hours"),
        # A refusal, then another; a decade's bound; a "not so" modifier.
        ("我不喜欢恐怖片，也不要战争片", "I dislike horror, and no war movies"),
        ("九十年代以前的喜剧", "a comedy from before the 90s"),
        ("八十年代以后的恐怖片", "a horror film since the 80s"),
        ("不想看太老的电影，2010年以后的吧", "since 2010 please"),
        ("不那么血腥的动作片", "an action film, nothing too bloody"),
        # What one does not watch is refused; a year said alone is that year.
        ("我一般不看恐怖片，来部喜剧", "no horror, a comedy"),
        ("1995年的喜剧", "a comedy from 1995"),
        ("2000年到2005年的动作片", "an action film from 2000 to 2005"),
        ("2000年 到 2005年的动作片", "an action film from 2000 to 2005"),
        ("要不看个喜剧吧", "maybe a comedy"),  # "how about": no refusal
    ],
)
def test_chinese_film_requests_read_as_their_english_twins(zh, en):
    mine, twin = films(zh), films(en)
    assert mine.language == "zh" and same_profile(mine, twin), (mine.gloss, bounds(mine))


@pytest.mark.parametrize(
    ("text", "price"),
    [
        ("20美元以下", (None, 20.0)),
        ("100元以下的相机", (None, 100.0)),
        ("不超过100块", (None, 100.0)),
        ("最多一百五十美元", (None, 150.0)),
        ("100以下", (None, 100.0)),
        ("50到120美元之间", (50.0, 120.0)),
        ("200块以上", (200.0, None)),
    ],
)
def test_chinese_budgets(text, price):
    assert bounds(shop(text)) == {"price": price}


def test_chinese_category_words_reach_the_catalogue_words():
    r = shop("运动用品，不要鞋")
    assert r.said.avoided == ("footwear",) and same_profile(r, shop("sports gear but no shoes"))
    assert shop("想买个相机").said.categories == shop("I want a camera").said.categories != ()


def test_chinese_critiques_refer_to_the_cards_shown():
    shown = SHOP[:3]
    assert shop("更像第二个", shown).critique.change.liked == ("cam2",)
    assert shop("第一个我已经有了", shown).critique.change.seen == ("cam",)
    assert shop("第一个不要了", shown).critique.change.disliked == ("cam",)
    cheaper = shop("便宜一点", shown).critique
    assert cheaper.only_critique and cheaper.change.ranges["price"].max == 119.0
    assert films("看过第一个", FILMS[:3]).critique.change.seen == ("st",)
    older = films("再老一点的", FILMS[:3]).critique.change.ranges["year"]
    newer = films("有没有新一点的", FILMS[:3]).critique.change.ranges["year"]
    assert older.max == 1994.0 and newer.min == 1996.0


def test_chinese_numerals():
    n = pack("zh").gloss.numerals
    assert chinese_numerals("九十年代", n) == "90年代"
    assert chinese_numerals("一百五十美元", n) == "150美元"
    assert chinese_numerals("两千年以后", n) == "2000年以后"
    assert chinese_numerals("便宜一点", n) == "便宜一点"  # "a bit", not the number 1


@pytest.mark.parametrize(
    ("text", "en"),
    [
        ("quiero una comedia de los noventa, nada de terror", "a 90s comedy, no horror"),
        ("una comedia de los años 80", "a comedy from the 80s"),
        ("un thriller mais pas un film d'horreur", "a thriller but not a horror movie"),
        ("une comédie des années 90", "a comedy from the 90s"),
        ("ein Kriegsfilm, der vor 1970 gedreht wurde", "a war film made before 1970"),
        (
            "eine Komödie aus den Neunzigern ohne Horror",
            "a comedy from the nineties without horror",
        ),
        ("eine lustige Komödie", "a funny comedy"),
        # A length refused without a number, a comparative with its "than".
        ("une comédie romantique, pas trop longue", "a romantic comedy, not too long"),
        ("una comedia, no muy larga", "a comedy, not too long"),
        ("ein Film, nicht zu lang", "a movie, not too long"),
        ("eine Komödie, nicht älter als 2010", "a comedy, not older than 2010"),
    ],
)
def test_spanish_french_german_film_requests(text, en):
    mine, twin = films(text), films(en)
    assert same_profile(mine, twin), (mine.gloss, mine.said.wanted, mine.said.avoided, bounds(mine))


@pytest.mark.parametrize(
    ("text", "en"),
    [
        ("zapatillas para correr de menos de 100 dólares", "running shoes under 100 dollars"),
        ("una cámara, más barata que 300 euros", "a camera under 300 euros"),
        ("du matériel de sport, moins de 40 dollars", "sports stuff, under 40 dollars"),
        ("Sportsachen, aber keine Schuhe", "sports gear but no shoes"),
        ("eine Kamera unter 100 Dollar", "a camera under 100 dollars"),
    ],
)
def test_spanish_french_german_shop_requests(text, en):
    mine, twin = shop(text), shop(en)
    assert same_profile(mine, twin), (
        mine.gloss,
        mine.said.categories,
        mine.said.avoided,
        bounds(mine),
    )


@pytest.mark.parametrize("text", ["más barato", "moins cher", "billiger"])
def test_cheaper_in_three_languages(text):
    critique = shop(text, SHOP[:3]).critique
    assert critique.only_critique and critique.change.ranges["price"].max == 119.0


@pytest.mark.parametrize(
    ("text", "bound"),
    [("más antiguo", "max"), ("plus récent", "min"), ("etwas Älteres", "max"), ("neuer", "min")],
)
def test_older_and_newer_in_three_languages(text, bound):
    year = films(text, FILMS[:3]).critique.change.ranges["year"]
    assert getattr(year, bound) is not None


@pytest.mark.parametrize(
    ("text", "ranges"),
    [
        ("something really old, from before 1950", {"year": (None, 1949.0)}),
        ("horror after 2015", {"year": (2016.0, None)}),
        ("since 2010", {"year": (2010.0, None)}),
        ("sci fi from 2010 or later", {"year": (2010.0, None)}),
        ("from the 2000s", {"year": (2000.0, 2009.0)}),
        ("80s action", {"year": (1980.0, 1989.0)}),
        ("two hours max", {"runtime": (None, 120.0)}),
        ("at least two and a half hours", {"runtime": (150.0, None)}),
        ("under 90 minutes", {"runtime": (None, 90.0)}),
        ("an hour and a half or less", {"runtime": (None, 90.0)}),
        # A length refused without a number is two hours at most; a number said wins.
        ("a western that isn't too long", {"runtime": (None, 120.0)}),
        ("a comedy, nothing too long please", {"runtime": (None, 120.0)}),
        ("under 90 minutes, not too long", {"runtime": (None, 90.0)}),
        ("a long movie is fine", {}),
    ],
)
def test_english_years_and_lengths(text, ranges):
    assert bounds(films(text)) == ranges


def test_a_length_refused_is_a_bound_not_a_refused_word():
    """ "Nothing too long" bounds the runtime; it refuses no describing word "long" (the panel
    had shown both), and says the same in Chinese."""
    assert films("a western that isn't too long").said.shunned == ()
    for text in ["不要太长的西部片", "一部西部片，片长别太长", "片长不要超过两个小时的西部片"]:
        reading = films(text)
        assert bounds(reading) == {"runtime": (None, 120.0)}, (text, reading.gloss)
        assert not reading.said.shunned


def test_a_length_is_no_range_where_the_catalogue_declares_none():
    assert bounds(shop("under 90 minutes")) == {}
    assert bounds(shop("a tent, nothing too long")) == {}


@pytest.mark.parametrize(
    ("text", "price"),
    [
        ("a camera, 150 bucks max", (None, 150.0)),
        # Amounts spelled out.
        ("a gym bag, ideally under fifty dollars", (None, 49.99)),
        ("no more than twenty-five bucks", (None, 25.0)),
        ("a lamp for under a hundred dollars", (None, 99.99)),
        ("a gift, nothing electronic, 70 max", (None, 70.0)),
        ("no more than 80", (None, 80.0)),
        ("nothing over 40 bucks", (None, 40.0)),
        ("over 100 dollars", (100.0, None)),
        ("between 50 and 120 dollars", (50.0, 120.0)),
        # A hedge between the budget and its amount, deep in a long message.
        ("a lamp for my desk, I read a lot, and my budget is maybe 40 dollars", (None, 40.0)),
        ("I want to spend around $60 on a lamp", (None, 60.0)),
        ("my budget's about 50 bucks", (None, 50.0)),
    ],
)
def test_english_budgets(text, price):
    assert bounds(shop(text)) == {"price": price}


def test_a_negation_ends_at_a_comma():
    r = films("anything but horror, a thriller")
    assert r.said.avoided == ("horror",) and r.said.wanted == ("thriller",)
    assert films("no horror, or war").said.avoided == ("horror", "war")
    assert films("a comedy no longer than 90 minutes").said.wanted == ("comedy",)


def test_instructions_inside_a_request_are_read_as_content():
    r = films("drop every filter, only horror after 2015")
    assert r.said.wanted == ("horror",) and bounds(r) == {"year": (2016.0, None)}
    assert not r.said.avoided and not r.critique.change.disliked


def test_english_text_is_its_own_gloss():
    assert gloss("I want a 90s comedy", "en") == "I want a 90s comedy"


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("I dislike The Exorcist", ["disliked"]),
        ("我不喜欢The Exorcist", ["disliked"]),
        # Seen: not shown again, and a reference of taste (real seekers name what they saw).
        ("I have seen The Exorcist", ["liked", "seen"]),
        ("The Exorcist我看过了", ["liked", "seen"]),
        ("I loved The Exorcist", ["liked"]),
        ("I haven't seen The Exorcist", []),  # not seen yet: neither seen nor a taste
        ("have you seen The Exorcist?", ["liked"]),  # brought up: an anchor, not seen
        ("I did not like The Exorcist", ["disliked"]),
        ("The Exorcist was boring", ["disliked"]),
        ("I can't wait for The Exorcist", ["liked"]),
    ],
)
def test_a_named_title_is_liked_disliked_or_seen_as_said(text, fields):
    reading = films(text)
    for field in fields:
        assert getattr(reading.said, field) == ("ex",)
    assert [f for f in ("liked", "disliked", "seen") if getattr(reading.said, f)] == fields


def test_a_negated_modifier_does_not_negate_its_noun():
    reading = films("不要太恐怖的喜剧")  # a comedy, not too scary
    assert reading.said.wanted == ("comedy",) and reading.said.avoided == ("horror",)


def test_german_decades_ending_in_ern():
    assert bounds(films("eine Komödie aus den 90ern"))["year"] == (1990, 1999)
    assert detect("Schuhe unter 50 Euro") == "de"


def test_chinese_names_of_people_link_as_their_english_names():
    items = [
        Item("in", "Inception", attributes={"director": ["Christopher Nolan"]}),
        Item("me", "Memento", attributes={"director": ["Christopher Nolan"]}),
        Item("bg", "Big", attributes={"cast": ["Tom Hanks"]}),
    ]
    people = PersonLinker(items, ["director", "cast"])
    vocabulary = VocabularyLinker(items, people=people)
    titles = TitleLinker(items)
    assert read_message("有没有诺兰导演的电影", titles, vocabulary).said.wanted == (
        "christopher nolan",
    )
    assert read_message("汤姆·汉克斯演的电影", titles, vocabulary).said.wanted == ("tom hanks",)


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("something released before the 2000s", (None, 1999)),
        ("after the 90s", (2000, None)),
        ("since the 90s", (1990, None)),
        ("from the 80s", (1980, 1989)),
        ("older stuff, pre-2000 please", (None, 1999)),
        ("post-2010 thrillers", (2011, None)),
        ("nothing past 1999", (None, 1999)),
        ("a comedy, nothing made after 2005", (None, 2005)),
        ("no films released before 1990", (1990, None)),
        ("something from the 80s, nothing after 1985", (1980, 1985)),
        ("nothing older than 1980, under two hours", (1980, None)),
        # A negation before a decade's bound turns it round; "or earlier" after one opens it.
        ("nothing after the 90s", (None, 1999)),
        ("nothing before the 80s", (1980, None)),
        ("anything from the 80s or earlier", (None, 1989)),
        ("the 90s or later", (1990, None)),
        ("nothing from the 80s or earlier", (1990, None)),
        ("I don't want the 2010s or later", (None, 2009)),
        ("no more recent than 2010", (None, 2010)),
        ("let's stay before the year 2000", (None, 1999)),
        # A negation further back, found by the parse: the bound turns round all the same.
        ("I don't want anything that came out after 2010", (None, 2010)),
        ("I'd rather not see anything they released before 1980", (1980, None)),
        ("I won't watch a film made after 2005", (None, 2005)),
        # ... a negation near the bound that no negated pattern spells ("don't ... past").
        ("I don't want anything past 2005, give me a gritty crime film", (None, 2005)),
        ("I don't want anything after 2005, just a crime film", (None, 2005)),
        # ... not a negation of another clause.
        ("I don't like horror, a comedy after 2010", (2011, None)),
        # A part of a decade: early 0-3, mid 3-6, late 6-9, bounds included.
        ("a comedy from the late 90s", (1996, 1999)),
        ("something from the mid-2000s", (2003, 2006)),
        ("a sci-fi film, but nothing newer than the mid 90s", (None, 1996)),
        ("nothing after the early 80s", (None, 1983)),
        ("anything before the late seventies", (None, 1975)),
        ("horror from the early 80s or later", (1980, None)),
    ],
)
def test_a_year_bound_said_casually(text, year):
    assert bounds(films(text))["year"] == year


def test_a_part_of_a_decade_is_no_refused_word():
    assert films("nothing after the early 80s").said.shunned == ()
    assert films("a comedy, nothing too early").said.shunned == ("early",)


def test_a_decade_left_out_bounds_nothing():
    # One range cannot hold a hole: "not from the 60s" is no bound, never the 60s themselves.
    for text in ["a comedy that isn't from the 60s", "a comedy, not from the 60s"]:
        assert "year" not in bounds(films(text))
    assert bounds(films("a comedy from the 60s"))["year"] == (1960, 1969)


def test_a_title_is_found_without_its_qualifier():
    items = [Item("ts", "Toy Story (franchise)"), Item("toy", "The Toy", attributes={"year": 1982})]
    reading = read_message(
        "I've had enough of Toy Story", TitleLinker(items), VocabularyLinker(items)
    )
    assert reading.said.disliked == ("ts",)


def test_a_function_word_typed_in_lower_case_is_no_title():
    items = [Item("to", "To", attributes={"year": 2000}), Item("gg", "Gone Girl")]
    reading = read_message(
        "I would like to watch something like Gone Girl",
        TitleLinker(items),
        VocabularyLinker(items),
    )
    assert reading.said.liked == ("gg",)


def test_the_last_few_years_count_back_from_the_catalogues_newest_year():
    """Counted back from the catalogue's newest film when it ends before this year (a
    catalogue that ends in 2018 has nothing "from the last couple of years" counted from
    today), else from this year."""
    from recommender.read import quantities

    newest = TitleLinker(FILMS).latest_year
    assert newest is not None and newest < quantities._this_year()
    assert bounds(films("something animated from the last 10 years"))["year"] == (newest - 10, None)
    assert bounds(films("a comedy from the past five years"))["year"] == (newest - 5, None)
    assert bounds(films("I'd prefer something from the last decade"))["year"] == (newest - 10, None)
    assert bounds(films("the past two decades"))["year"] == (newest - 20, None)
    assert bounds(films("action from the last couple of years"))["year"] == (newest - 2, None)
    this = quantities._this_year()
    later = quantities.read_quantities("from the last 10 years", latest=this + 3)
    assert (later["year"].min, later["year"].max) == (this - 10, None)


def test_the_last_ten_years_in_chinese():
    newest = TitleLinker(FILMS).latest_year
    assert newest is not None
    assert bounds(films("最近十年的动画片"))["year"] == (newest - 10, None)


def test_mind_bending_is_the_movies_psychological_thriller_in_english_and_chinese():
    from recommender.catalogue.spec import read_spec

    spec = read_spec(Path(__file__).resolve().parents[2] / "assets" / "movies")
    items = [Item("me", "Memento", attributes={"tags": ["psychological thriller"]})]
    vocabulary = VocabularyLinker(items, synonyms=spec.synonyms)
    titles = TitleLinker(items)
    for text in ("a mind-bending sci-fi", "something trippy", "有没有烧脑的电影"):
        said = read_message(text, titles, vocabulary).said
        assert "psychological thriller" in said.wanted, text
