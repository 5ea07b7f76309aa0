"""Wikipedia's American films 1930-2023 for the movies catalogue (scripts/build/build_catalogs.py).

The shared data set ``wikipedia-movies`` (its README: the "List of American films of YEAR" pages
scraped by prust/wikipedia-movie-data at 91ae721) gives, per film, its title, year, cast and the
lead paragraph of its article (``extract``, CC BY-SA 4.0). Thumbnails are never read.

A catalogue movie is joined on its normalised title and year (within YEAR_TOLERANCE; the exact
year first; two films of that title and year: skipped), or, where no film here has its title
("Borat", "Mad Max 2"), on its DBpedia name being the film's article name with the year again
within tolerance. A movie whose DBpedia name is the
article of another film than the title and year found is skipped: its year came from a wrong
earlier join ("A Ghost Story" dated 1981 by Wikidata's "Ghost Story"); so is one whose director
differs from the film's, unless the article is its DBpedia name. A movie without a year is
joined only when its title names one film here and one catalogue movie, and the article is its
DBpedia name or a cast or director name is shared. The lead's first sentence gives the fine
genres ("is a 2001 American heist comedy film" -> heist) and the director; the sentences after it
that tell the story, not the production or the reception, give a plot line where the row has no
summary yet (scripts/build/wikipedia_leads.py reads the lead).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from scripts.build.film_knowledge import COARSE, TOPICS, YEAR_TOLERANCE, Knowledge, Movie
from scripts.build.wikipedia_leads import read_lead

CREDIT = (
    "fine genres, plot, director, cast: Wikipedia (CC BY-SA 4.0) via wikipedia-movie-data 91ae721"
)
LICENCE = "CC-BY-SA-4.0 (Wikipedia text)"
FIRST_DECADE, LAST_YEAR = 1930, 2023  # what the data set's per-decade files hold
TOP_CAST = 5  # as many names as the Wikidata join keeps (movie_metadata.TOP_CAST)
GAINED = ("tags", "genres", "director", "cast", "year")  # fields counted in the README
RECENT = (2015, 2018)  # the years no earlier source covers, up to ReDial's collection (2018)
# The data set's own coarse labels (genres.json) that are the catalogue's coarse genres.
LIST_GENRES = {"animated": "animation", "historical": "history", "sports": "sport"}
DISAMBIGUATOR = re.compile(r"_\(([^()]*)\)$")
JOIN_COUNTS = ("by_title_year", "by_article", "no_year_by_article", "no_year_by_person",
               "article_disagrees", "article_year_differs", "director_disagrees", "not_a_film",
               "no_year_ambiguous", "no_year_unchecked")  # fmt: skip


@dataclass(frozen=True)
class Film:
    """One film of the data set (listed twice when the lists of two years have it: one film)."""

    title: str
    year: int
    href: str  # article name, decoded ('Ocean\'s_Eleven_(2001_film)'); '' when missing
    cast: tuple[str, ...]
    genres: tuple[str, ...]  # the data set's coarse labels, lower case
    extract: str  # the lead paragraph, whitespace collapsed


# ---------------------------------------------------------------- reading


def load(folder: Path) -> list[Film]:
    """Every film of the per-decade files, in file order; a missing folder stops the build."""
    paths = sorted(folder.glob("movies-*.json"))
    if not paths:
        raise SystemExit(f"no movies-*.json in {folder} (the shared wikipedia-movies data)")
    films = []
    for path in paths:
        for entry in json.loads(path.read_text(encoding="utf-8")):
            films.append(
                Film(
                    title=list_title(entry["title"]),
                    year=int(entry["year"]),
                    href=unquote(entry.get("href") or ""),
                    cast=cast_names(entry.get("cast", [])),
                    genres=tuple(g.lower() for g in entry.get("genres", [])),
                    extract=" ".join((entry.get("extract") or "").split()),
                )
            )
    return films


def cast_names(cast: list[str]) -> tuple[str, ...]:
    """The list's cast without its notes: 'Michael Dunn (actor)' -> 'Michael Dunn'; '(narrator)',
    'voices of', 'Cast:' dropped; each name once."""
    names = (re.sub(r"\s*\([^()]*\)$", "", c).strip() for c in cast)
    return tuple(
        dict.fromkeys(
            n
            for n in names
            if n and (n[0].isupper() or n[0].isdigit()) and not re.search(r"[():]", n)
        )
    )


def list_title(title: str) -> str:
    """The lists' titles as they are read: 'Goonies, The' -> 'The Goonies'."""
    return re.sub(r"^(.*), (The|A|An)$", r"\2 \1", title.strip())


# ---------------------------------------------------------------- matching


def is_about_a_film(name: str) -> bool:
    """A DBpedia name that is no film's: 'Jaws_(ride)', 'Lou_(German_singer)', 'X_(novel)'."""
    found = DISAMBIGUATOR.search(name)
    return found is None or bool(re.search(r"film|movie|sequence", found.group(1), re.I))


def pick(films: list[Film], year: int) -> Film | None:
    """The one film of that year, else the one within YEAR_TOLERANCE (one article = one film)."""
    for near in (0, YEAR_TOLERANCE):
        found = {f.href or id(f): f for f in films if abs(f.year - year) <= near}
        if len(found) == 1:
            return next(iter(found.values()))
        if found:
            return None  # two films of that year (or one exact and one near): skip
    return None


@dataclass
class Joined:
    """Which film each movie was joined to, and how."""

    films: dict[int, Film]
    how: Counter


def match(
    movies: dict[int, Movie],
    films: list[Film],
    years: dict[int, int],
    title_key: Callable[[str], str],
    normalise: Callable[[str], str],
) -> Joined:
    """Each catalogue movie's film, by title and year, its article name, or its unique title."""
    index: dict[str, list[Film]] = defaultdict(list)
    by_article: dict[str, Film] = {}
    for film in films:
        index[title_key(film.title)].append(film)
        by_article.setdefault(film.href, film)
    by_key = Counter(m.key for m in movies.values())
    joined: dict[int, Film] = {}
    how: Counter = Counter(dict.fromkeys(JOIN_COUNTS, 0))
    for i, movie in sorted(movies.items()):
        if not is_about_a_film(movie.name):
            how["not_a_film"] += 1
            continue
        candidates = index.get(movie.key, [])
        article = by_article.get(movie.name)
        year = years.get(i)
        if year is not None:
            film = pick(candidates, year)
            if film is not None and article is not None and film.href != article.href:
                how["article_disagrees"] += 1
                continue
            way = "by_title_year"
            if film is not None and film.href != movie.name and _directors_differ(film, movie):
                how["director_disagrees"] += 1
                continue
            if film is None and article is not None and not candidates:  # the title differs
                if abs(article.year - year) > YEAR_TOLERANCE:
                    how["article_year_differs"] += 1
                    continue
                film, way = article, "by_article"
        else:
            distinct = {f.href or id(f): f for f in candidates}
            if len(distinct) != 1 or by_key[movie.key] != 1:
                how["no_year_ambiguous"] += bool(distinct)
                continue
            film = next(iter(distinct.values()))
            people = {normalise(p) for p in film.cast} | {
                normalise(p) for p in read_lead(film.extract).directors
            }
            ours = {normalise(p) for p in (*movie.attributes.get("cast", []),
                                           *movie.attributes.get("director", []))}  # fmt: skip
            if film.href == movie.name:
                way = "no_year_by_article"
            elif people & ours:
                way = "no_year_by_person"
            else:
                how["no_year_unchecked"] += 1
                continue
        if film is not None:
            joined[i] = film
            how[way] += 1
    return Joined(joined, how)


def _directors_differ(film: Film, movie: Movie) -> bool:
    """Both name directors and no surname is shared ('One Day' 2010, Taiwanese, is not Lone
    Scherfig's 2011 'One Day'). Spellings differ too often for whole names: 'D.J.'/'D. J.'."""
    ours = movie.attributes.get("director", [])
    theirs = read_lead(film.extract).directors
    surnames = [{n.split()[-1].lower().rstrip(".") for n in names} for names in (ours, theirs)]
    return bool(ours and theirs) and not surnames[0] & surnames[1]


# ---------------------------------------------------------------- what a film gives a movie


def add_knowledge(
    movies: dict[int, Movie], joined: Joined, found: dict[int, Knowledge], years: dict[int, int]
) -> dict:
    """Lay each joined film's fields over the earlier sources' (never overwriting), in ``found``."""
    agree = Counter(dict.fromkeys(("used", "director_checked", "director_agrees"), 0))
    for i, film in sorted(joined.films.items()):
        attrs = movies[i].attributes
        k = found.setdefault(i, Knowledge())
        lead = read_lead(film.extract)
        used = False
        new_tags = [t for t in lead.tags if t not in k.tags]
        k.tags.extend(new_tags)
        used |= bool(new_tags)
        genres = lead.genres + [
            g for g in (LIST_GENRES.get(x, x) for x in film.genres) if g in COARSE
        ]
        has_genres = attrs.get("genres") or k.attributes.get("genres")
        if genres and not has_genres and not any(t in COARSE for t in k.tags):
            k.attributes["genres"] = list(dict.fromkeys(genres))
            used = True
        if i not in years and "year" not in k.attributes:
            k.attributes["year"] = film.year
            used = True
        if attrs.get("director") and lead.directors:
            agree["director_checked"] += 1
            agree["director_agrees"] += bool(set(lead.directors) & set(attrs["director"]))
        if lead.directors and not (attrs.get("director") or k.attributes.get("director")):
            k.attributes["director"] = lead.directors
            used = True
        if film.cast and not (attrs.get("cast") or k.attributes.get("cast")):
            k.attributes["cast"] = list(film.cast[:TOP_CAST])
            used = True
        if lead.plot and not k.summary:
            k.summary = lead.plot
            k.tags.extend(t for t, w in TOPICS.items() if w.search(lead.plot) and t not in k.tags)
            used = True
        if used:
            k.credits.append(CREDIT)
            k.licences.append(LICENCE)
        agree["used"] += used
    return dict(agree)


def join(
    folder: Path,
    movies: dict[int, Movie],
    found: dict[int, Knowledge],
    years: dict[int, int],
    title_key: Callable[[str], str],
    normalise: Callable[[str], str],
) -> tuple[dict[int, Film], dict]:
    """Join the data set in ``folder`` into ``found``; the films joined and the join's counts."""
    films = load(folder)
    known = dict(years)  # a year an earlier source (a Wikipedia opening) gave counts too
    known |= {i: k.attributes["year"] for i, k in found.items() if "year" in k.attributes}
    joined = match(movies, films, known, title_key, normalise)
    stats = {f"wikipedia_{k}": v for k, v in sorted(joined.how.items())}
    stats |= {f"wikipedia_{k}": v for k, v in add_knowledge(movies, joined, found, known).items()}
    stats["wikipedia_films"] = len({f.href or id(f) for f in films})
    stats["wikipedia_joined"] = len(joined.films)
    return joined.films, stats


# ---------------------------------------------------------------- the README's figures


def gains(
    after: dict[int, dict],
    before: dict[int, dict],
    summaries_before: dict[int, str],
    summaries_after: dict[int, str],
) -> dict:
    """How many movies gained each field from this join, and the 2015-2018 films' genres."""
    out = {
        f"wikipedia_gave_{field}": sum(
            bool(after[i].get(field)) and not before[i].get(field) for i in after
        )
        for field in GAINED
    }
    out["wikipedia_gave_more_tags"] = sum(
        len(after[i].get("tags", [])) > len(before[i].get("tags", [])) for i in after
    )
    out["wikipedia_gave_plot"] = sum(
        bool(summaries_after.get(i)) and not summaries_before.get(i) for i in after
    )
    recent = [i for i in after if RECENT[0] <= after[i].get("year", 0) <= RECENT[1]]
    bare = [i for i in recent if not before[i].get("genres")]
    out["recent_movies"] = len(recent)
    out["recent_without_genres"] = len(bare)
    out["recent_gained_genres"] = sum(bool(after[i].get("genres")) for i in bare)
    return out


def decade_table(
    years: dict[int, int | None],
    joined: Iterable[int],
    tags_before: set[int],
    tags_after: set[int],
) -> str:
    """Markdown rows: per decade, movies with that year, joined, with fine genres before/after."""
    joined = set(joined)
    groups: dict[str, list[int]] = defaultdict(list)
    for i, year in years.items():
        if year is None:
            label = "no year"
        elif year < FIRST_DECADE:
            label = f"before {FIRST_DECADE}"
        else:
            label = f"{year // 10 * 10}s"
        groups[label].append(i)
    order = sorted(k for k in groups if k[0].isdigit())
    lines = []
    for label in [f"before {FIRST_DECADE}", *order, "no year"]:
        ids = groups.get(label, [])
        lines.append(
            f"| {label} | {len(ids):,} | {sum(i in joined for i in ids):,} | "
            f"{sum(i in tags_before for i in ids):,} | {sum(i in tags_after for i in ids):,} |"
        )
    return "\n".join(lines)
