"""The real-words yardstick: its lines are well formed and drawn as documented, and its scoring
counts what it says. The real run (``magpie eval reader``) needs the bundled catalogue."""

from __future__ import annotations

import hashlib
from collections import Counter

from recommender.evaluation.reader import (
    LABEL_KINDS,
    SEEKERS_FILE,
    _Titles,
    _titles,
    _words,
    _years,
    load,
)
from recommender.schemas import Item, Range


def test_the_yardstick_is_real_seekers_split_by_hash():
    rows = load(SEEKERS_FILE)
    assert len(rows) >= 300 and len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        dialog = row["id"].rsplit("-", 1)[0]
        assert int(hashlib.md5(dialog.encode()).hexdigest(), 16) % 2 == 0  # ReDial's fit half
        half = "tune" if int(hashlib.sha1(row["id"].encode()).hexdigest(), 16) % 2 == 0 else "test"
        assert row["half"] == half
        labels = row["labels"]
        for name in ("liked", "disliked", "seen", "neutral"):
            assert all(title in row["text"] for title in labels[name]), (row["id"], name)
        assert set(labels["wanted"]) | set(labels["avoided"]) <= LABEL_KINDS
    counts = Counter((r["half"], r["draw"]) for r in rows)
    assert min(counts.values()) >= 60, counts


FILMS = [
    Item("a1", "Alien", attributes={"year": 1979}),
    Item("a2", "Alien", attributes={"year": 2030}),
    Item("j", "Jaws", attributes={}),
]


def test_a_labelled_title_is_its_films_of_that_title_and_year():
    titles = _Titles(FILMS, "year")
    assert titles.ids("Alien (1980)") == {"a1"}  # a year within one
    assert titles.ids("Alien") == {"a1", "a2"}
    assert titles.ids("Jaws (1975)") == {"j"}  # the catalogue has no year: the title decides
    assert titles.ids("Nope (2022)") == frozenset()


def test_scores_count_hits_errors_and_misses():
    c = _titles(["a1", "x"], [frozenset({"a1"}), frozenset({"j"})], accepted=set())
    assert (c.tp, c.fp, c.fn) == (1, 1, 1)
    assert _titles(["x"], [], accepted={"x"}).fp == 0  # a neutral title read as liked
    w = _words(["Horror", "comedy"], ["horror", "drama"])
    assert (w.tp, w.fp, w.fn) == (1, 1, 1)
    assert _years(Range(min=1980, max=1989), {"year_min": 1980, "year_max": 1989}).tp == 1
    wrong = _years(Range(min=1980), {"year_min": 1980, "year_max": 1989})
    assert (wrong.tp, wrong.fp, wrong.fn) == (0, 1, 1)
    nothing = _years(None, {"year_min": None, "year_max": None})  # nothing read, nothing labelled
    assert (nothing.tp, nothing.fp, nothing.fn) == (0, 0, 0)
    missed = _years(None, {"year_min": 1990, "year_max": None})
    assert (missed.tp, missed.fp, missed.fn) == (0, 0, 1)
