"""Template reasons say the catalogue fact that ties an item to the request."""

from __future__ import annotations

from conftest import FILM_SPEC

from recommender.reply.grounding import ground
from recommender.reply.templates import template_reason
from recommender.schemas import Item, Profile, Range, ScoredItem

KILLING = Item(
    "killing",
    "The Killing",
    description="Johnny Clay plans one last heist at a racetrack.",
    attributes={
        "year": 1956,
        "genres": ["crime", "drama"],
        "tags": ["heist", "film noir"],
        "director": ["Stanley Kubrick"],
        "country": ["United States"],
    },
)
PATHS = Item(
    "paths",
    "Paths of Glory",
    attributes={"director": ["Stanley Kubrick"], "country": ["United States"], "genres": ["war"]},
)
COMMON = {"united states": 0.6, "crime": 0.2, "drama": 0.4}


def share(word: str) -> float:
    return COMMON.get(word, 0.001)


def test_reason_names_the_wanted_fine_genre_and_the_decade():
    profile = Profile(wanted=["heist"], ranges={"year": Range(min=1950, max=1959)})
    reason = template_reason(ScoredItem(KILLING, 1.0, {"text": 0.5}), profile, None, spec=FILM_SPEC)
    assert reason == (
        "A 1956 crime/drama — heist (tags), as you asked; "
        "year 1956, within the 1950-1959 you asked for."
    )
    assert "close to what you described" not in reason


def test_reason_names_a_rare_value_shared_with_a_liked_item_not_a_common_one():
    profile = Profile(liked=["paths"])
    scored = ScoredItem(KILLING, 1.0, {"cooccur": 0.4})
    reason = template_reason(scored, profile, None, liked=[PATHS], share=share, spec=FILM_SPEC)
    assert "Stanley Kubrick (director), as in Paths of Glory" in reason
    assert "United States" not in reason
    # Only a common value shared: the signal's words are the fallback.
    only_country = Item("x", "X", attributes={"country": ["United States"]})
    reason = template_reason(
        scored, profile, None, liked=[only_country], share=share, spec=FILM_SPEC
    )
    assert "United States" not in reason and "often enjoyed by people who liked" in reason


def test_text_match_names_request_words_the_description_uses():
    profile = Profile(intent="a tense heist at a racetrack")
    reason = template_reason(ScoredItem(KILLING, 1.0, {"text": 0.5}), profile, None, spec=FILM_SPEC)
    assert "its description mentions heist and racetrack" in reason


def test_ground_fills_missing_reasons_with_tied_facts():
    profile = Profile(wanted=["film noir"])
    _, reasons = ground(
        "", [ScoredItem(KILLING, 1.0, {"attribute": 0.3})], None, profile, spec=FILM_SPEC
    )
    assert reasons == ["A 1956 crime/drama — film noir (tags), as you asked."]


def test_a_reason_quotes_the_request_s_own_word_once():
    lamp = Item("l", "Lamp", "A Christmas lamp picture.", ("seasonal",))
    scored = ScoredItem(lamp, 1.0, {"text": 0.5, "keyword": 0.4})
    reason = template_reason(
        scored, Profile(intent="Something for a Christmas card"), None, spec=FILM_SPEC
    )
    assert "christmas" in reason and "christma " not in reason + " "
    assert reason.count("its description mentions") == 1, reason


def test_a_reason_never_quotes_a_frequent_word_of_the_request():
    chair = Item("c", "Chair", "A comfy chair, under a blanket or not.", ("furniture",))
    scored = ScoredItem(chair, 1.0, {"keyword": 0.5})
    reason = template_reason(
        scored, Profile(intent="a comfy chair under $200"), None, spec=FILM_SPEC
    )
    assert "comfy" in reason and "under" not in reason, reason
