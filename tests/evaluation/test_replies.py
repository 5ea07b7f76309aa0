"""``magpie eval replies``: the checks fail on what a person would call a bad reply, and the set
covers what the issue asks for."""

from __future__ import annotations

from collections import Counter

from conftest import ScriptedLLM, engine

from recommender.evaluation.replies import (
    judge_turn,
    load_cases,
    names_fact,
    run_case,
)
from recommender.schemas import Item

UP = Item(
    "up",
    "Up",
    "An old man flies his house to South America with balloons.",
    ("movie",),
    {"year": 2009, "genres": ["animation", "comedy"], "director": ["Pete Docter"]},
)
CARS = Item(
    "cars",
    "Cars",
    "A race car learns to slow down.",
    ("movie",),
    {"year": 2006, "genres": ["animation"]},
)


def test_a_good_turn_passes_every_check():
    reasons = ["A 2009 animation by Pete Docter.", "Animation from 2006 about a race car."]
    assert judge_turn("Here are 2 picks: animation.", reasons, [UP, CARS], "en") == {}


def test_each_check_fails_on_its_own_fault():
    items = [UP, CARS]
    good = ["A 2009 animation by Pete Docter.", "Animation from 2006 about a race car."]
    assert "no_refusal" in judge_turn("I'm sorry, I can't help with that.", good, items, "en")
    assert "language" in judge_turn("这些都是动画片。", good, items, "en")
    assert "reason_each_card" in judge_turn("Two picks for you.", good[:1], items, "en")
    # Its title is not a fact of an item; another item's facts are not its own.
    assert "reason_fact" in judge_turn("Two picks for you.", ["Up is great.", good[1]], items, "en")
    assert "no_field_names" in judge_turn(
        "Two picks for you.", ["animation (genres), as you asked.", good[1]], items, "en"
    )
    # The same words once each item's own facts are masked: said twice.
    same = ["A 2009 animation, a popular pick.", "A 2006 animation, a popular pick."]
    assert "distinct" in judge_turn("Two picks for you.", same, items, "en")
    assert "length" in judge_turn("Two picks. Really. Truly. Yes.", good, items, "en")
    assert "says_none" in judge_turn("Two picks for you.", good, items, "en", ["says_none"])
    assert "asks_back" in judge_turn("Two picks for you.", good, items, "en", ["asks_back"])
    assert "asks_back" not in judge_turn("Anything in mind?", good, items, "en", ["asks_back"])


def test_chinese_facts_count_in_chinese():
    assert names_fact("2009年的动画片，Pete Docter执导。", UP, "zh")
    assert (
        judge_turn("为你找到 1 个推荐：动画。", ["2009年的动画片，Pete Docter执导。"], [UP], "zh")
        == {}
    )


def test_the_set_covers_languages_catalogues_photos_and_voices():
    cases = load_cases()
    turns = [t for c in cases for t in c["turns"]]
    assert len(turns) >= 60
    assert Counter(c["lang"] for c in cases).keys() == {"en", "zh"}
    assert {c["catalogue"] for c in cases} == {"movies", "shop", "pictures"}
    assert sum("image" in t for t in turns) >= 4
    assert sum("audio" in t or "speak" in t for t in turns) >= 4
    assert sum("says_none" in t.get("expect", ()) for t in turns) >= 4
    assert sum("asks_back" in t.get("expect", ()) for t in turns) >= 3


def test_a_case_runs_through_the_app_and_a_refusing_model_never_shows(settings, tmp_path):
    llm = ScriptedLLM(
        json_reply={"opening": "I'm sorry, I can't help with that.", "reasons": ["Sorry."] * 2}
    )
    rec = engine(settings, [UP, CARS], llm=llm)
    case = {"id": "c", "catalogue": "movies", "lang": "en", "turns": [{"text": "an animation"}]}
    [record] = run_case(rec, case, tmp_path)
    assert record.failures == {}, record
    assert "sorry" not in record.reply.casefold()
    assert all("Sorry" not in r for r in record.reasons)
