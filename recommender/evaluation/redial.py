"""The ReDial data format, as published with He et al. (CIKM 2023): read, split, name the items.

A dataset folder holds ``test.jsonl`` (one recommender turn a line: ``context``, ``rec``,
``prev_entity``, ``dialog_id`` ...), ``entity2id.json`` (DBpedia resource -> integer id) and
``item_ids.json`` (the integer ids that are recommendable items). The bundled movie catalogue
(``scripts/build/build_catalogs.py``) and ``magpie eval crs`` share these functions, so a dataset's
items get exactly the ids the catalogue gives them.

>>> parse_name("Cats_(2019_film)")
('Cats', 2019, '')
>>> is_fit("test_20001"), is_fit("test_20005")
(True, False)
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import urllib.parse
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = [
    "DBPEDIA_PREFIX",
    "catalogue_ids",
    "co_mentions",
    "dialogue_movies",
    "is_fit",
    "load_redial",
    "parse_name",
    "safe_id",
    "split_of",
]

DBPEDIA_PREFIX = "<http://dbpedia.org/resource/"  # entity2id.json keys are "<...resource/X>"
SERIES_WORDS = ("series", "franchise", "season", "serial")  # disambiguators kept in the title
_ID_BAD = re.compile(r"[^A-Za-z0-9._:\-]+")  # outside CatalogRow's id pattern
_DISAMBIGUATOR = re.compile(r"^(.*?)_\(([^()]*)\)$")
# Fields of a turn holding entity ids: what a dialogue "mentions" for popularity and co-mentions.
_ENTITY_FIELDS = ("entity", "prev_entity", "rec")


def is_fit(dialog_id: str) -> bool:
    """The fit half of a dataset (MISSION.md, Evaluation); the other half is reported on."""
    return int(hashlib.md5(dialog_id.encode()).hexdigest(), 16) % 2 == 0


def split_of(dialog_id: str) -> str:
    return "fit" if is_fit(dialog_id) else "eval"


def safe_id(name: str, taken: set[str]) -> str:
    """A readable id matching CatalogRow's pattern, unique among ``taken``."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    base = re.sub(r"_+", "_", _ID_BAD.sub("_", folded)).strip("_.:-")[:190] or "item"
    out, n = base, 2
    while out in taken:
        out, n = f"{base}_{n}", n + 1
    taken.add(out)
    return out


def catalogue_ids(movies: dict[int, str]) -> dict[int, str]:
    """Dataset item -> catalogue id: the DBpedia name made safe, clashes numbered in name order."""
    taken: set[str] = set()
    return {i: safe_id(movies[i], taken) for i in sorted(movies, key=lambda i: (movies[i], i))}


def parse_name(resource: str) -> tuple[str, int | None, str]:
    """DBpedia name -> (title, year from the name, kind kept in the title or '').

    >>> parse_name("Pitch_Perfect_(film_series)")
    ('Pitch Perfect (film series)', None, 'film series')
    """
    name, year, kind = resource, None, ""
    match = _DISAMBIGUATOR.match(resource)
    if match:
        name, note = match.groups()
        found = re.match(r"((?:18|19|20)\d\d)_", note)
        year = int(found.group(1)) if found and note.endswith("film") else None
        if any(word in note for word in SERIES_WORDS):
            kind = note.replace("_", " ")
            name = f"{name}_({note})"
    return name.replace("_", " ").strip(), year, kind


def load_redial(folder: Path) -> tuple[dict[int, str], dict[str, list[dict[str, Any]]]]:
    """(item id -> DBpedia name, dialogue id -> its turns in file order)."""
    entity2id = json.loads((folder / "entity2id.json").read_text(encoding="utf-8"))
    names = {
        i: urllib.parse.unquote(e.removeprefix(DBPEDIA_PREFIX).removesuffix(">"))
        for e, i in entity2id.items()
    }
    item_ids = json.loads((folder / "item_ids.json").read_text(encoding="utf-8"))
    movies = {i: names[i] for i in item_ids if i in names}
    dialogues: dict[str, list[dict[str, Any]]] = defaultdict(list)
    with (folder / "test.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                turn = json.loads(line)
                dialogues[turn["dialog_id"]].append(turn)
    return movies, dict(dialogues)


def dialogue_movies(turns: Iterable[dict[str, Any]], movies: dict[int, str]) -> set[int]:
    """The movie ids annotated anywhere in a dialogue (entity, prev_entity, rec), de-duplicated."""
    return {i for t in turns for f in _ENTITY_FIELDS for i in t.get(f, ()) if i in movies}


def co_mentions(
    dialogues: Iterable[list[dict[str, Any]]], movies: dict[int, str], ids: dict[int, str]
) -> tuple[Counter[str], dict[str, Counter[str]]]:
    """(dialogues mentioning each item, dialogues mentioning both items of a pair, both ways).

    What popularity.json ("mentions") and cooccur.json ("pairs") hold, keyed by catalogue id.
    """
    mentions: Counter[str] = Counter()
    pairs: dict[str, Counter[str]] = defaultdict(Counter)
    for turns in dialogues:
        seen = sorted(ids[i] for i in dialogue_movies(turns, movies))
        mentions.update(seen)
        for n, a in enumerate(seen):
            for b in seen[n + 1 :]:
                pairs[a][b] += 1
                pairs[b][a] += 1
    return mentions, dict(pairs)
