"""Chinese titles of the catalogue's movies: assets/movies/titles-zh.tsv (build_catalogs.py).

The shared data set ``zh-film-titles`` (its README: Chinese Wikipedia's conversion-group modules,
CC BY-SA 3.0/4.0) gives the mainland, Taiwan and Hong Kong titles of films by their original
title, without a year. A row links to the catalogue movie whose normalised title equals its
``original``; where several movies share that title, only the one named in clearly the most
fit-half dialogues (MENTION_FACTOR times the next, and at least that many) gets it. Originals
that carry a year ("Alfie (2004)") link to the movie of that title and year instead, and
originals that add an English title in brackets ("Il buono, il brutto, il cattivo (The Good, the
Bad and the Ugly)") link by either title. The Disney and Pixar lists end with characters, places
and people ("Abigail", "Axiom"): those rows are never read.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

COLUMNS = ("zh_cn", "zh_tw", "zh_hk")
HEADER = ("id", *COLUMNS)
# First row of each list's closing run of character, place and people names (titles.tsv order).
NAMES_FROM = {"Disney": "Abigail", "Pixar": "Axiom"}
MENTION_FACTOR = 3  # "clearly most": this many times the next movie's fit-half mentions
YEAR_TOLERANCE = 1  # as the other joins (scripts/build/film_knowledge.py)
COUNTS = ("linked_by_year", "linked_by_title", "linked_by_english", "shared_title_by_mentions",
          "skipped_shared_title", "skipped_year_not_found", "skipped_two_films_one_original",
          "skipped_already_linked")  # fmt: skip
WITH_YEAR = re.compile(r"^(.*\S)\s*\(((?:18|19|20)\d\d)(?: film)?\)$")
WITH_ENGLISH = re.compile(r"^(.*\S)\s*\(([^()]+)\)$")


def read_titles(path: Path) -> tuple[list[dict], int]:
    """The title rows, values cleaned ('《艺术家》' -> '艺术家'), and how many name rows were left out."""
    rows, names = [], 0
    with path.open(encoding="utf-8", newline="") as handle:
        in_names: set[str] = set()
        for row in csv.DictReader(handle, delimiter="\t"):
            module = (row.get("module") or "").strip()
            if NAMES_FROM.get(module) == row["original"].strip():
                in_names.add(module)
            if module in in_names:
                names += 1
                continue
            values = {c: (row.get(c) or "").strip().strip("《》").strip() for c in COLUMNS}
            if any(values.values()):
                rows.append({"original": row["original"].strip(), "module": module, **values})
    missing = set(NAMES_FROM) - in_names
    if missing:
        raise SystemExit(f"{path}: no list of names found for {sorted(missing)}: check NAMES_FROM")
    return rows, names


def merge(rows: list[dict]) -> dict[str, str] | None:
    """One set of titles from rows of one original: the first non-empty value per column, when
    every row shares a title with the first (the same film's variant translations); None when
    one shares none (two films of one name: 'Rocky IV' 洛奇4 / 洛奇5)."""
    first = {v for c in COLUMNS if (v := rows[0][c])}
    if any(not first & {r[c] for c in COLUMNS if r[c]} for r in rows[1:]):
        return None
    return {c: next((r[c] for r in rows if r[c]), "") for c in COLUMNS}


def link(
    titles: list[dict],
    movies: list[dict],
    mentions: dict[str, int],
    normalise: Callable[[str], str],
) -> tuple[dict[str, dict[str, str]], dict]:
    """Catalogue id -> its Chinese titles, and counts of what linked and what was skipped."""
    by_title: dict[str, list[dict]] = defaultdict(list)
    for movie in movies:
        by_title[normalise(movie["title"])].append(movie)
    # Group the rows by what they name: (normalised title, year or None), in three kinds.
    groups: dict[tuple[str, str, int | None], list[dict]] = defaultdict(list)
    for row in titles:
        dated = WITH_YEAR.match(row["original"])
        english = WITH_ENGLISH.match(row["original"])
        if dated:
            groups[("year", normalise(dated.group(1)), int(dated.group(2)))].append(row)
        elif english:
            groups[("english", normalise(english.group(2)), None)].append(row)
            groups[("english", normalise(english.group(1)), None)].append(row)
        else:
            groups[("title", normalise(row["original"]), None)].append(row)
    table: dict[str, dict[str, str]] = {}
    stats: Counter = Counter(dict.fromkeys(COUNTS, 0))
    for kind in ("year", "title", "english"):  # a dated original is the surest
        for (k, title, year), rows in sorted(groups.items(), key=lambda g: str(g[0])):
            if k != kind or not by_title.get(title):
                continue
            movie = _choose(by_title[title], year, mentions, stats)
            if movie is None:
                continue
            values = merge(rows)
            if values is None:
                stats["skipped_two_films_one_original"] += 1
            elif movie["id"] in table:
                stats["skipped_already_linked"] += 1
            else:
                table[movie["id"]] = values
                stats[f"linked_by_{kind}"] += 1
    return table, dict(sorted(stats.items()))


def _choose(movies: list[dict], year: int | None, mentions: dict[str, int], stats: Counter):
    if year is not None:
        dated = [m for m in movies if m["attributes"].get("year") is not None]
        for near in (0, YEAR_TOLERANCE):
            found = [m for m in dated if abs(m["attributes"]["year"] - year) <= near]
            if len(found) == 1:
                return found[0]
            if found:
                break
        stats["skipped_year_not_found"] += 1
        return None
    if len(movies) == 1:
        return movies[0]
    ranked = sorted(movies, key=lambda m: (-mentions.get(m["id"], 0), m["id"]))
    top, second = (mentions.get(m["id"], 0) for m in ranked[:2])
    if top >= MENTION_FACTOR * max(second, 1):
        stats["shared_title_by_mentions"] += 1
        return ranked[0]
    stats["skipped_shared_title"] += 1
    return None


def write_table(path: Path, table: dict[str, dict[str, str]]) -> int:
    """The side table, sorted by id; a value repeated in a row's columns is kept (each column is
    one region's title). Returns the number of rows."""
    lines = ["\t".join(HEADER)]
    for movie_id in sorted(table):
        values = [table[movie_id][c] for c in COLUMNS]
        if any("\t" in v or "\n" in v for v in values):
            raise SystemExit(f"{movie_id}: a title holds a tab or a line break")
        lines.append("\t".join([movie_id, *values]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(table)


def build(path: Path, out: Path, movies: list[dict], mentions: dict[str, int], normalise) -> dict:
    """Read ``path``, link it to ``movies`` and write ``out``; the counts for the README."""
    titles, names = read_titles(path)
    table, stats = link(titles, movies, mentions, normalise)
    return {
        "zh_rows_read": len(titles),
        "zh_name_rows_skipped": names,
        "zh_linked": write_table(out, table),
        **{f"zh_{k}": v for k, v in stats.items()},
    }
