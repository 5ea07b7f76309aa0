"""The request benchmark: its checks read catalogue fields, its split is stable, and the
committed set is well formed. The real run (``magpie eval requests``) is in test_evaluate.py."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

from recommender.evaluation.requests import (
    REQUESTS_FILE,
    Case,
    Check,
    judge,
    load_cases,
    split_of,
)
from recommender.schemas import Item

ROOT = Path(__file__).resolve().parents[2]

FILMS = [
    Item("a", "A", attributes={"year": 1994, "genres": ["comedy"], "price": 10.0}),
    Item("b", "B", attributes={"year": 1996, "genres": ["comedy", "romance"], "price": 20.0}),
    Item("c", "C", attributes={"year": 1999, "genres": ["drama"], "price": 30.0}),
    Item("d", "D", attributes={"genres": ["comedy"]}),  # no year
]


def test_range_needs_the_field_on_every_card():
    check = Check(type="range", field="year", min=1990, max=1999)
    assert judge(check, FILMS[:3], []) is None
    assert "D" in (judge(check, FILMS, []) or "")  # unknown year: not shown to be in range
    assert judge(Check(type="range", field="year", max=1995), FILMS[:2], []) is not None


def test_avoid_exclude_and_content():
    assert judge(Check(type="avoid", field="genres", words=("horror",)), FILMS, []) is None
    assert judge(Check(type="avoid", field="genres", words=("Romance",)), FILMS, []) is not None
    assert judge(Check(type="exclude", ids=("c",)), FILMS, []) is not None
    content = Check(type="content", field="genres", any=("comedy",))
    assert judge(content, FILMS, []) is None  # 3 of 4
    assert judge(content, FILMS[1:], []) is not None  # 2 of 3


def test_critique_checks_are_relative_to_the_previous_cards():
    cheaper = Check(type="below_previous", field="price")
    assert judge(cheaper, FILMS[:1], FILMS[:3]) is None  # 10 < median 20
    assert judge(cheaper, FILMS[1:2], FILMS[:3]) is not None
    older = Check(type="older_than_previous", field="year")
    assert judge(older, FILMS[:1], FILMS[1:3]) is None
    assert judge(Check(type="not_previous", positions=(1,)), FILMS[:2], FILMS[1:]) is not None
    like_b = Check(type="like_previous", position=1, field="genres", min=1)  # B: comedy, romance
    like_c = Check(type="like_previous", position=2, field="genres", min=1)  # C: drama
    assert judge(like_b, FILMS[:1], FILMS[1:3]) is None  # A is a comedy too
    assert judge(like_c, FILMS[:1], FILMS[1:3]) is not None


def test_twins_share_a_split_and_the_split_is_stable():
    a = Case(
        id="x-en", catalogue="movies", group="g1", turns=("hi",), checks=(Check(type="exclude"),)
    )
    b = a.model_copy(update={"id": "x-zh", "lang": "zh"})
    assert (
        split_of(a) == split_of(b) == ("tune", "test")[int(hashlib.md5(b"g1").hexdigest(), 16) % 2]
    )


def test_the_committed_set_is_well_formed():
    cases = load_cases()
    assert len(cases) >= 150
    assert len({c.id for c in cases}) == len(cases)
    fields: dict[str, set[str]] = {}
    ids: dict[str, set[str]] = {}
    for name in {c.catalogue for c in cases}:
        lines = (ROOT / "assets" / name / "catalog.jsonl").read_text(encoding="utf-8").splitlines()
        rows = [json.loads(line) for line in lines]
        fields[name] = {"categories"} | {k for r in rows for k in r["attributes"]}
        ids[name] = {r["id"] for r in rows}
    for case in cases:
        for check in case.checks:
            assert not check.field or check.field in fields[case.catalogue], (case.id, check)
            assert set(check.ids) <= ids[case.catalogue], (case.id, check.ids)
    groups: dict[str, list[Case]] = {}
    for case in cases:
        groups.setdefault(case.group, []).append(case)
    for members in groups.values():
        assert len({m.checks for m in members}) == 1  # twins ask for the same thing
    twinned = sum(len(m) for m in groups.values() if {c.lang for c in m} >= {"en", "zh"})
    assert twinned >= 0.15 * len(cases)
    assert Counter(split_of(c) for c in cases)["test"] >= 0.35 * len(cases)
    assert REQUESTS_FILE.is_file()
