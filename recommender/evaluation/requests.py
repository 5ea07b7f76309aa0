"""``magpie eval requests``: does Magpie show what a person typed?

A committed set of typed requests (``requests.jsonl`` beside this module: single and multi-turn,
budgets, ranges, decades, negations, liked titles, critiques; English with Chinese, Spanish,
French and German twins) is replayed through the app's own path (``Recommender.ask``), and the
five cards shown after the last turn are checked against named catalogue fields, never against
anything the system wrote:

- HARD checks, every card: ``range`` (a numeric field within bounds; a card without the field
  fails), ``avoid`` (no avoided word in the field), ``exclude`` (ids that must not be shown), and
  the critiques ``below_previous`` / ``older_than_previous`` / ``newer_than_previous`` (below or
  above the median of the previous turn's cards) and ``not_previous`` (a card shown before).
- SOFT checks, at least ``min`` (3) of the five cards: ``content`` (the field holds one of the
  words) and ``like_previous`` (shares a value of the field with a card of the previous turn).

A case passes when every check holds. Cases split by ``md5(group) % 2`` (twins share a group):
0 is the tuning half, 1 the test half, which is what is reported. The set was written before
any tuning and is not edited to pass.
"""

from __future__ import annotations

import hashlib
import json
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from recommender.errors import CatalogError
from recommender.evaluation.beyond import ListMetrics
from recommender.evaluation.report import table

if TYPE_CHECKING:
    from recommender.pipeline import Recommender
    from recommender.schemas import Item

__all__ = [
    "REQUESTS_FILE",
    "Case",
    "Check",
    "evaluate_requests",
    "load_cases",
    "requests_markdown",
    "split_of",
]

REQUESTS_FILE = Path(__file__).resolve().parent / "requests.jsonl"
CARDS = 5  # the cards a person sees first
SPLITS = ("tune", "test")
_SPLIT_NAMES = {"tune": "tuning half", "test": "test half", "all": "all cases"}
HARD = {
    "range",
    "avoid",
    "exclude",
    "below_previous",
    "older_than_previous",
    "newer_than_previous",
    "not_previous",
}


class Check(BaseModel):
    """One thing the cards must show, read from a named catalogue field."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal[
        "range",
        "avoid",
        "exclude",
        "content",
        "below_previous",
        "older_than_previous",
        "newer_than_previous",
        "not_previous",
        "like_previous",
    ]
    field: str = ""  # "year", "price", "genres", "categories", "kind" ...
    min: float | None = None  # range: lower bound; content / like_previous: cards needed
    max: float | None = None
    words: tuple[str, ...] = ()  # avoid
    any: tuple[str, ...] = ()  # content
    ids: tuple[str, ...] = ()  # exclude
    positions: tuple[int, ...] = ()  # not_previous: card numbers of the previous turn
    position: int = 0  # like_previous: a card number of the previous turn


class Case(BaseModel):
    """A request as a person types it, with what its cards must show."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    catalogue: str
    lang: str = "en"
    group: str  # twins (one request in several languages) share a group, and so a split
    kinds: tuple[str, ...] = ()
    turns: tuple[str, ...] = Field(min_length=1)
    checks: tuple[Check, ...] = Field(min_length=1)


def load_cases(path: Path = REQUESTS_FILE) -> list[Case]:
    if not path.is_file():
        raise CatalogError(f"no request set at {path}")
    lines = path.read_text(encoding="utf-8").splitlines()
    return [Case.model_validate_json(line) for line in lines if line.strip()]


def split_of(case: Case) -> str:
    """``tune`` or ``test``, by the md5 of the case's group (stable across runs and machines)."""
    return SPLITS[int(hashlib.md5(case.group.encode("utf-8")).hexdigest(), 16) % 2]


def _values(item: Item, name: str) -> list[str]:
    if name == "categories":
        return [c.lower() for c in item.categories]
    value = item.attributes.get(name)
    if isinstance(value, list):
        return [str(v).lower() for v in value]
    return [] if value is None else [str(value).lower()]


def _median(items: Sequence[Item], name: str) -> float | None:
    values = [v for v in (i.number(name) for i in items) if v is not None]
    return statistics.median(values) if values else None


def judge(check: Check, cards: Sequence[Item], previous: Sequence[Item]) -> str | None:
    """None when ``check`` holds for ``cards``; else why not (for the report)."""
    kind, f = check.type, check.field
    if kind == "range":
        for item in cards:
            v = item.number(f)
            if v is None or (check.min is not None and v < check.min):
                return f"{item.title}: {f} {v} outside {check.min}-{check.max}"
            if check.max is not None and v > check.max:
                return f"{item.title}: {f} {v} outside {check.min}-{check.max}"
        return None
    if kind == "avoid":
        words = {w.lower() for w in check.words}
        for item in cards:
            hit = words & set(_values(item, f))
            if hit:
                return f"{item.title}: {f} has {sorted(hit)}"
        return None
    if kind == "exclude":
        shown = [i.title for i in cards if i.id in check.ids]
        return f"shown although excluded: {shown}" if shown else None
    if kind in {"below_previous", "older_than_previous", "newer_than_previous"}:
        anchor = _median(previous, f)
        if anchor is None:
            return f"the previous cards have no {f}"
        for item in cards:
            v = item.number(f)
            ok = v is not None and (v > anchor if kind == "newer_than_previous" else v < anchor)
            if not ok:
                return f"{item.title}: {f} {v} vs the previous median {anchor}"
        return None
    if kind == "not_previous":
        ids = {previous[p - 1].id for p in check.positions if 1 <= p <= len(previous)}
        again = [i.title for i in cards if i.id in ids]
        return f"shown again: {again}" if again else None
    needed = int(check.min) if check.min is not None else 3
    if kind == "content":
        words = {w.lower() for w in check.any}
        carrying = sum(bool(words & set(_values(item, f))) for item in cards)
        return (
            None
            if carrying >= needed
            else f"{carrying} of {len(cards)} have {f} in {sorted(words)}"
        )
    if kind == "like_previous":
        if not 1 <= check.position <= len(previous):
            return f"no card #{check.position} before"
        ref = set(_values(previous[check.position - 1], f))
        sharing = sum(bool(ref & set(_values(item, f))) for item in cards)
        return (
            None
            if sharing >= needed
            else f"{sharing} of {len(cards)} share {f} with #{check.position}"
        )
    raise ValueError(kind)


@dataclass
class Outcome:
    case: Case
    passed: bool
    failures: list[str] = field(default_factory=list)
    cards: list[str] = field(default_factory=list)  # titles shown after the last turn
    ids: list[str] = field(default_factory=list)  # ... and their ids
    seconds: float = 0.0


def run_case(rec: Recommender, case: Case) -> Outcome:
    """Replay the case's turns in one session; judge the cards of the last turn."""
    started = time.perf_counter()
    session = rec.new_session(case.catalogue)
    previous: list[Item] = []
    cards: list[Item] = []
    for text in case.turns:
        previous = cards
        result = rec.ask(session, text)
        cards = [s.item for s in result.items[:CARDS]]
    failures = [
        f"{c.type}: {why}"
        for c in case.checks
        if (why := judge(c, cards, previous) if cards else "no cards") is not None
    ]
    return Outcome(
        case,
        not failures,
        failures,
        [i.title for i in cards],
        [i.id for i in cards],
        time.perf_counter() - started,
    )


def _rate(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    n = len(outcomes)
    passed = sum(o.passed for o in outcomes)
    return {"pass": round(passed / n, 3) if n else 0.0, "passed": passed, "cases": n}


def evaluate_requests(
    rec: Recommender,
    split: str = "test",
    limit: int | None = None,
    path: Path = REQUESTS_FILE,
    progress: Callable[[int, int], None] | None = None,
    catalogue: str | None = None,
) -> dict[str, Any]:
    """The pass rates of the split (``tune``, ``test`` or ``all``), overall and by language,
    catalogue and kind, with every failing case and why: the stable JSON of the command.
    ``catalogue`` keeps that catalogue's cases only."""
    started = time.perf_counter()
    cases = [c for c in load_cases(path) if split == "all" or split_of(c) == split]
    cases = [c for c in cases if catalogue in (None, c.catalogue)]
    cases = cases[:limit] if limit else cases
    outcomes = []
    for n, case in enumerate(cases, start=1):
        outcomes.append(run_case(rec, case))
        if progress:
            progress(n, len(cases))
    lists: dict[str, ListMetrics] = {}
    for o in outcomes:  # coverage, diversity, novelty, popularity of the cards (beyond.py)
        data = rec.catalogues.get(o.case.catalogue)
        metrics = lists.setdefault(o.case.catalogue, ListMetrics(data.text, data.popularity))
        metrics.add(o.case.group, [data.position[i] for i in o.ids if i in data.position])
    by: dict[str, dict[str, list[Outcome]]] = defaultdict(lambda: defaultdict(list))
    for o in outcomes:
        by["language"][o.case.lang].append(o)
        by["catalogue"][o.case.catalogue].append(o)
        for kind in o.case.kinds:
            by["kind"][kind].append(o)
    return {
        "split": split,
        **({"only": catalogue} if catalogue else {}),
        "settings": {
            "text_model": rec.settings.text_model,
            "profile_llm": rec.settings.profile_llm,
            "top_k": rec.settings.top_k,
        },
        "overall": _rate(outcomes),
        **{axis: {k: _rate(v) for k, v in sorted(groups.items())} for axis, groups in by.items()},
        "beyond": {name: m.summary() for name, m in sorted(lists.items())},
        "failures": [
            {"id": o.case.id, "turns": list(o.case.turns), "why": o.failures, "cards": o.cards}
            for o in outcomes
            if not o.passed
        ],
        "seconds": round(time.perf_counter() - started, 1),
    }


def requests_markdown(result: dict[str, Any]) -> str:
    """The report: pass rates by axis, then each failing case."""
    o = result["overall"]
    only = f" ({result['only']} only)" if result.get("only") else ""
    lines = [
        f"# Typed requests, {_SPLIT_NAMES[result['split']]}{only}: {o['passed']} of {o['cases']} pass "
        f"({o['pass']:.0%})",
        "",
        "A case passes when the five cards shown after its last turn meet every hard constraint "
        "and at least 3 carry the asked content, read from catalogue fields.",
    ]
    for axis in ("language", "catalogue", "kind"):
        rows = result.get(axis, {})
        if rows:
            lines += ["", f"## By {axis}", "", f"| {axis} | pass | cases passed |", "|---|---|---|"]
            lines += [
                f"| {k} | {v['pass']:.0%} | {v['passed']} of {v['cases']} |"
                for k, v in rows.items()
            ]
    beyond = {k: v for k, v in result.get("beyond", {}).items() if v}
    if beyond:
        lines += [
            "",
            "## The cards, beyond accuracy (per catalogue; coverage: the share of its items shown)",
            "",
            table(beyond, ["coverage", "ild", "novelty", "popularity_share"], first="catalogue"),
        ]
    if result["failures"]:
        lines += ["", "## Failing cases", ""]
        for f in result["failures"]:
            said = " → ".join(json.dumps(t, ensure_ascii=False) for t in f["turns"])
            lines.append(f"- `{f['id']}` {said}: {'; '.join(f['why'])}")
    lines += ["", f"{result['seconds']} s."]
    return "\n".join(lines)
