"""The build's Wikipedia film leads and Chinese titles: what is read, what joins, what is skipped."""

from __future__ import annotations

from collections import Counter

from recommender.read.linking import normalise
from scripts.build import wikipedia_films as wf
from scripts.build import wikipedia_leads as leads
from scripts.build import zh_titles as zh
from scripts.build.film_knowledge import Knowledge, Movie
from scripts.build.movie_metadata import title_key

OCEANS = (
    "Ocean's Eleven is a 2001 American heist comedy film directed by Steven Soderbergh from a "
    "screenplay by Ted Griffin. The first installment in the Ocean's film trilogy, it is a remake "
    "of the 1960 Rat Pack film of the same name. The film features an ensemble cast including "
    "George Clooney and Brad Pitt. The story follows friends Danny Ocean and Rusty Ryan, who plan "
    "a heist of $160 million from casino owner Terry Benedict. It grossed $450 million."
)


def film(title: str, year: int, href: str = "", extract: str = "", cast=()) -> wf.Film:
    return wf.Film(title, year, href, tuple(cast), (), extract)


def movie(name: str, title: str, year: int | None = None, **attributes) -> Movie:
    return Movie(name, title, title_key(title), year, attributes)


def test_lead_gives_fine_genres_director_and_a_plot_line():
    lead = leads.read_lead(OCEANS)
    assert lead.about_a_film and lead.tags == ["heist"] and lead.genres == ["comedy"]
    assert lead.directors == ["Steven Soderbergh"]
    # the remake, cast and box-office sentences are not the story
    assert (
        lead.plot.startswith("The story follows friends Danny Ocean") and "grossed" not in lead.plot
    )


def test_a_lead_that_is_no_films_gives_nothing():
    lead = leads.read_lead("Pennywise is an American punk rock band from Hermosa Beach.")
    assert not lead.about_a_film and not lead.tags and not lead.plot


def test_genre_phrase_words_become_the_catalogues():
    assert leads.genre_phrase("X is a 1986 American coming-of-age comedy-drama film.") == (
        ["coming of age", "comedy-drama"],
        ["comedy", "drama"],
    )
    assert leads.genre_phrase("X was a 1946 American film noir directed by Y.") == (
        ["film noir"],
        [],
    )
    fine, coarse = leads.genre_phrase("X is a 2017 American computer-animated superhero film.")
    assert fine == ["computer animation", "superhero"] and coarse == ["animation"]


def test_title_and_year_join_skips_another_films_article_and_takes_its_own():
    films = [
        film("Ghost Story", 1981, "Ghost_Story_(1981_film)"),
        film("A Ghost Story", 2017, "A_Ghost_Story"),
        film("The Road Warrior", 1981, "Mad_Max_2"),
        film("Heat", 1995, "Heat_(1995_film)"),
        film("Heat", 1995, "Heat_(1995_TV_film)"),
    ]
    movies = {
        1: movie("A_Ghost_Story", "A Ghost Story", 1981),  # dated by a wrong earlier join
        2: movie("Mad_Max_2", "Mad Max 2", 1981),
        3: movie("Heat_(1995_film)", "Heat", 1995),  # two of that title and year
        4: movie("Jaws_(ride)", "Jaws", 1990),
    }
    years = {i: m.year for i, m in movies.items()}
    joined = wf.match(movies, films, years, title_key, normalise)
    assert set(joined.films) == {2}
    assert joined.how["article_disagrees"] == 1 and joined.how["by_article"] == 1
    assert joined.how["not_a_film"] == 1


def test_an_undated_movie_needs_a_unique_title_and_a_second_check():
    films = [
        film("Okja", 2017, "Okja"),
        film("Coco", 2017, "Coco_(2017_film)", cast=["Anthony Gonzalez"]),
        film("Cats", 1999, "Cats_(1999)"),
        film("Cats", 2019, "Cats_(2019_film)"),
    ]
    movies = {
        1: movie("Okja", "Okja"),
        2: movie("Coco", "Coco", cast=["Anthony Gonzalez"]),
        3: movie("Cats_(musical)", "Cats"),
    }
    joined = wf.match(movies, films, {}, title_key, normalise)
    assert set(joined.films) == {1, 2}
    assert joined.how["no_year_by_article"] == 1 and joined.how["no_year_by_person"] == 1


def test_a_join_fills_only_what_is_missing_and_credits_wikipedia():
    movies = {
        1: movie("Oceans_Eleven", "Ocean's Eleven", 2001, genres=["crime"], director=["S. S."]),
        2: movie("Okja", "Okja"),
    }
    found = {1: Knowledge(summary="A summary from another source.")}
    films = {
        1: film("Ocean's Eleven", 2001, extract=OCEANS, cast=["George Clooney", "Brad Pitt"]),
        2: film(
            "Okja", 2017, extract="Okja is a 2017 action-adventure film directed by Bong Joon-ho."
        ),
    }
    wf.add_knowledge(movies, wf.Joined(films, Counter()), found, {1: 2001})
    oceans, okja = found[1], found[2]
    assert oceans.tags == ["heist"] and "genres" not in oceans.attributes
    assert oceans.summary == "A summary from another source."  # never a second summary
    assert "director" not in oceans.attributes and oceans.attributes["cast"] == [
        "George Clooney",
        "Brad Pitt",
    ]
    assert okja.attributes == {
        "genres": ["action", "adventure"],
        "year": 2017,
        "director": ["Bong Joon-ho"],
    }
    assert wf.LICENCE in okja.licences and wf.CREDIT in okja.credits


def test_chinese_titles_skip_the_lists_of_names_and_pick_clear_favourites(tmp_path):
    path = tmp_path / "titles.tsv"
    path.write_text(
        "original\tzh_cn\tzh_tw\tzh_hk\tmodule\n"
        "Ocean's Eleven\t十一罗汉\t瞞天過海\t盜海豪情\tMovie\n"
        "Ocean's Eleven\t《十一罗汉》\t瞞天過海\t\tLuaMovie\n"
        "Heat\t热血\t烈火悍將\t\tMovie\n"
        "Alfie (2004)\t阿尔菲\t風流奇男子\t\tMovie\n"
        "Frozen\t冰雪奇缘\t冰雪奇緣\t魔雪奇緣\tDisney\n"
        "Abigail\t艾比姫尔\t艾比蓋兒\t\tDisney\n"
        "Frozen\t冰冻\t\t\tDisney\n"
        "Axiom\t真理号\t\t\tPixar\n",
        encoding="utf-8",
    )
    titles, names = zh.read_titles(path)
    assert names == 3 and [t["zh_cn"] for t in titles][:2] == ["十一罗汉", "十一罗汉"]
    movies = [
        {"id": "Oceans_Eleven", "title": "Ocean's Eleven", "attributes": {"year": 2001}},
        {"id": "Heat_1995", "title": "Heat", "attributes": {"year": 1995}},
        {"id": "Heat_1986", "title": "Heat", "attributes": {"year": 1986}},
        {"id": "Alfie_1966", "title": "Alfie", "attributes": {"year": 1966}},
        {"id": "Alfie_2004", "title": "Alfie", "attributes": {"year": 2004}},
        {"id": "Frozen_2013", "title": "Frozen", "attributes": {"year": 2013}},
    ]
    table, stats = zh.link(titles, movies, {"Heat_1995": 2, "Heat_1986": 1}, normalise)
    assert table["Oceans_Eleven"] == {"zh_cn": "十一罗汉", "zh_tw": "瞞天過海", "zh_hk": "盜海豪情"}
    assert "Heat_1995" not in table  # 2 mentions is not clearly more than 1
    assert table["Alfie_2004"]["zh_cn"] == "阿尔菲" and "Alfie_1966" not in table
    assert table["Frozen_2013"]["zh_cn"] == "冰雪奇缘"  # the character list's "Frozen" never read
    assert stats["skipped_shared_title"] == 1
    out = tmp_path / "titles-zh.tsv"
    assert zh.write_table(out, table) == 3
    assert out.read_text(encoding="utf-8").splitlines()[0] == "id\tzh_cn\tzh_tw\tzh_hk"
