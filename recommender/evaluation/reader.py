"""The reader on real people's words: ``magpie eval reader``.

``seekers.jsonl`` holds 510 seeker lines of ReDial's *fit* half (drawn by
``scripts/build/draw_seekers.py``: 360 at random, 150 more among lines holding a negative word,
because real refusals are rare), each labelled from the message alone by annotators who never
ran or read the reader: titles liked, disliked, seen or named neutrally; kinds of film wanted or
avoided; people wanted or avoided; year bounds. The labels were frozen before the reader changed.
A hash of the line's id splits them into a tuning and a test half; the test half is read once.

Each line is read by the app's own reader (``Recommender`` catalogue, ``read_message`` with the
titles of the line before it as the list shown) and scored per field, micro-averaged:

- titles: a labelled title is its catalogue films of the same title (``text.title_key``) and,
  when both have one, a year within one; a title liked or named neutrally may be read as liked
  (the app takes a named title as an anchor), a disliked or seen one must be read as such;
- kinds: the reader's wanted/avoided words that are kind words (the labels' vocabulary or a
  value of the catalogue's kind fields), exact;
- people: the reader's words that are people of the catalogue, against the labelled names;
- years: the year bounds read, against the labelled pair (both ends must agree);
- back_liked, back_disliked, back_seen: what the line says of the titles of the line before
  that it does not name itself ("Have you seen X?" - "Yes, loved it"), against the labels'
  ``refers_back``; the title fields above score only the rest.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recommender.text import normalise, title_key

__all__ = ["SEEKERS_FILE", "evaluate_reader", "reader_markdown"]

SEEKERS_FILE = Path(__file__).with_name("seekers.jsonl")
# The kinds of film the annotators could write (their instructions' vocabulary).
LABEL_KINDS = frozenset(
    word.replace("_", " ")
    for word in [
        "action",
        "adventure",
        "animation",
        "biography",
        "comedy",
        "crime",
        "documentary",
        "drama",
        "family",
        "fantasy",
        "history",
        "horror",
        "music",
        "musical",
        "mystery",
        "romance",
        "science_fiction",
        "sport",
        "thriller",
        "war",
        "western",
        "romantic_comedy",
        "superhero",
        "black_comedy",
        "coming_of_age",
        "teen",
        "psychological_thriller",
        "parody",
        "supernatural",
        "slasher",
        "film_noir",
        "martial_arts",
        "disaster",
        "heist",
        "spy",
        "time_travel",
        "zombie",
        "vampire",
        "christmas",
        "gangster",
        "mockumentary",
        "horror_comedy",
        "slapstick",
        "indie",
    ]
)
FIELDS = (
    "liked",
    "disliked",
    "seen",
    "wanted",
    "avoided",
    "people_wanted",
    "people_avoided",
    "years",
    "back_liked",
    "back_disliked",
    "back_seen",
)
_YEAR = re.compile(r"\s*\(((?:18|19|20)\d\d)\)\s*$")
_YEAR_SLACK = 1
_BACK = ("liked", "disliked", "seen")  # what a line says of the titles of the line before


@dataclass
class _Count:
    tp: int = 0  # read and labelled
    fp: int = 0  # read, not labelled
    fn: int = 0  # labelled, not read

    def add(self, other: _Count) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    def figures(self) -> dict[str, float | int | None]:
        read, labelled = self.tp + self.fp, self.tp + self.fn
        return {
            "precision": round(self.tp / read, 3) if read else None,
            "recall": round(self.tp / labelled, 3) if labelled else None,
            "read": read,
            "labelled": labelled,
        }


@dataclass
class _Line:
    id: str
    half: str
    draw: str
    text: str
    counts: dict[str, _Count] = field(default_factory=dict)
    misses: dict[str, Any] = field(default_factory=dict)


def load(path: Path = SEEKERS_FILE) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


class _Titles:
    """Labelled titles ("Super Troopers (2001)") -> their catalogue ids."""

    def __init__(self, items: Iterable[Any], date: str) -> None:
        self._by_key: dict[str, list[tuple[str, int | None]]] = defaultdict(list)
        for item in items:
            year = item.attributes.get(date)
            self._by_key[title_key(item.title)].append(
                (item.id, int(year) if isinstance(year, int | float) else None)
            )

    def ids(self, label: str) -> frozenset[str]:
        m = _YEAR.search(label)
        year = int(m.group(1)) if m else None
        rows = self._by_key.get(title_key(_YEAR.sub("", label)), [])
        if year is not None:
            dated = [i for i, y in rows if y is not None and abs(y - year) <= _YEAR_SLACK]
            if dated:
                return frozenset(dated)
            return frozenset(i for i, y in rows if y is None)
        return frozenset(i for i, _ in rows)


def _titles(read: Iterable[str], gold: list[frozenset[str]], accepted: set[str]) -> _Count:
    """Read ids against labelled titles (each a set of ids); ``accepted`` ids are not errors."""
    read = set(read)
    hit = [g for g in gold if g & read]
    matched = set().union(*hit) if hit else set()
    fp = len([i for i in read if i not in matched and i not in accepted])
    return _Count(tp=len(hit), fp=fp, fn=len(gold) - len(hit))


def _words(read: Iterable[str], gold: Iterable[str]) -> _Count:
    read_set, gold_set = {normalise(w) for w in read}, {normalise(w) for w in gold}
    return _Count(
        tp=len(read_set & gold_set), fp=len(read_set - gold_set), fn=len(gold_set - read_set)
    )


def evaluate_reader(
    rec: Any,
    half: str = "tune",
    path: Path = SEEKERS_FILE,
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Per-field precision and recall of the reader on one half (``tune``, ``test`` or ``all``)."""
    from recommender.evaluation.crs import BASE_CATALOG
    from recommender.read.reading import read_message

    data = rec.catalog(BASE_CATALOG)
    date = data.spec.fields.date
    titles = _Titles(data.items, date)
    people_fields = data.spec.link_fields
    people = {
        normalise(str(v))
        for item in data.items
        for f in people_fields
        for v in (item.attributes.get(f) or [])
    }
    kinds = LABEL_KINDS | {
        normalise(str(v))
        for item in data.items
        for f in data.spec.kind_fields
        for v in (item.attributes.get(f) or [])
    }
    rows = [r for r in load(path) if half == "all" or r["half"] == half][:limit]
    lines: list[_Line] = []
    for n, row in enumerate(rows, start=1):
        shown = [data.items[data.position[m.item_id]] for m in data.titles.find(row["before"])]
        reading = read_message(
            row["text"], data.titles, data.vocabulary, shown, data.spec, row["before"]
        )
        said, gold = reading.said, row["labels"]
        ids = {
            k: [titles.ids(t) for t in gold[k]] for k in ("liked", "disliked", "seen", "neutral")
        }
        anchors = set().union(*ids["neutral"]) if ids["neutral"] else set()
        # The items of the line before that this line does not name: what it says of them
        # ("Have you seen X?" - "Yes, loved it") is scored against the "refers_back" labels.
        back = {i.id for i in shown} - {m.item_id for m in reading.mentions}
        earlier = {k: [titles.ids(t) for t in gold["refers_back"][k]] for k in _BACK}
        line = _Line(row["id"], row["half"], row.get("draw", "random"), row["text"])
        line.counts = {
            "liked": _titles(set(said.liked) - back, ids["liked"], anchors),
            "disliked": _titles(set(said.disliked) - back, ids["disliked"], set()),
            "seen": _titles(set(said.seen) - back, ids["seen"], set()),
            "wanted": _words([w for w in said.wanted if w in kinds], gold["wanted"]),
            "avoided": _words([w for w in said.avoided if w in kinds], gold["avoided"]),
            "people_wanted": _words([w for w in said.wanted if w in people], gold["people_wanted"]),
            "people_avoided": _words(
                [w for w in said.avoided if w in people], gold["people_avoided"]
            ),
            "years": _years(said.ranges.get(date), gold),
            **{
                f"back_{k}": _titles(set(getattr(said, k)) & back, earlier[k], set()) for k in _BACK
            },
        }
        wrong = {k: c for k, c in line.counts.items() if c.fp or c.fn}
        if wrong:
            line.misses = {
                "fields": sorted(wrong),
                "read": {
                    "liked": list(said.liked),
                    "disliked": list(said.disliked),
                    "seen": list(said.seen),
                    "wanted": list(said.wanted),
                    "avoided": list(said.avoided),
                    "years": _pair(said.ranges.get(date)),
                },
                "labels": {k: v for k, v in gold.items() if v and k != "note"},
            }
        lines.append(line)
        if progress:
            progress(n, len(rows))
    return _summary(lines, half)


def _pair(bounds: Any) -> list[int | None] | None:
    if bounds is None:
        return None
    return [
        None if bounds.min is None else int(bounds.min),
        None if bounds.max is None else int(bounds.max),
    ]


def _years(bounds: Any, gold: dict[str, Any]) -> _Count:
    read = _pair(bounds)
    labelled = None
    if gold.get("year_min") is not None or gold.get("year_max") is not None:
        labelled = [gold.get("year_min"), gold.get("year_max")]
    if read is None and labelled is None:
        return _Count()
    if read == labelled:
        return _Count(tp=1)
    return _Count(fp=int(read is not None), fn=int(labelled is not None))


def _summary(lines: list[_Line], half: str) -> dict[str, Any]:
    def total(group: list[_Line]) -> dict[str, Any]:
        out = {}
        for name in FIELDS:
            count = _Count()
            for line in group:
                count.add(line.counts.get(name, _Count()))
            out[name] = count.figures()
        return out

    draws = sorted({line.draw for line in lines})
    return {
        "half": half,
        "lines": len(lines),
        "fields": total(lines),
        "by_draw": {d: total([x for x in lines if x.draw == d]) for d in draws},
        "misses": [{"id": x.id, "text": x.text, **x.misses} for x in lines if x.misses],
    }


def reader_markdown(result: dict[str, Any]) -> str:
    def table(fields: dict[str, Any]) -> list[str]:
        rows = ["| field | precision | recall | read | labelled |", "|---|---:|---:|---:|---:|"]
        for name, f in fields.items():
            p = "–" if f["precision"] is None else f"{f['precision']:.3f}"
            r = "–" if f["recall"] is None else f"{f['recall']:.3f}"
            rows.append(f"| {name} | {p} | {r} | {f['read']} | {f['labelled']} |")
        return rows

    out = [
        f"# The reader on real seekers' words ({result['half']} half, {result['lines']} lines)",
        "",
        *table(result["fields"]),
    ]
    for draw, fields in result["by_draw"].items():
        out += ["", f"## {draw} draw", "", *table(fields)]
    out += ["", f"{len(result['misses'])} lines with a miss (in the JSON)."]
    return "\n".join(out) + "\n"
