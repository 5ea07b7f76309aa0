"""``magpie eval linking``: how well typed titles and names link to catalogue items and people.

Two sources of gold, neither written by the linker:

- **ReDial, perturbed.** ReDial's messages name films in canonical form ("Super Troopers
  (2001)") and its turns list the films' entity ids, so each message's films are known. Each such
  mention is rewritten as a person might type it (``perturb``: year dropped, lower case, typos,
  "11" <-> "Eleven", no leading "The", "2" / "II" / "Part 2", no punctuation, no subtitle), with
  a fixed seed per message, and the linker reads the rewritten message.
- **The request set** (``requests.jsonl``): the ids a liked-title case excludes are the films it
  names; the people of a case are the values its content checks ask of a person-valued field
  (the catalogue's ``link_fields``). Movie cases without such checks name nobody, so whatever
  links there is a false positive.

Precision and recall are micro-averaged over messages (sets of ids or names per message). Per
perturbation kind, each gold mention is linked right, linked to another film, or missed.
"""

from __future__ import annotations

import random
import re
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recommender.errors import CatalogError
from recommender.evaluation.perturb import as_typed
from recommender.evaluation.redial import catalogue_ids, is_fit, load_redial, parse_name
from recommender.evaluation.requests import REQUESTS_FILE, load_cases, split_of
from recommender.read.fuzzy import name_tokens, plain_words
from recommender.text import normalise

if TYPE_CHECKING:
    from recommender.catalogue.catalogue import Catalogue
    from recommender.config import Settings

__all__ = ["Gold", "evaluate_linking", "gold_messages", "linking_markdown", "text_only"]

SEED = 11  # the perturbations of a message depend on this, its dialogue and its position only
_YEAR = re.compile(r"\s*\(((?:18|19|20)\d\d)\)")  # "Super Troopers (2001)": a canonical mention
_TIMED_RUNS = 3  # a message is timed this many times, the fastest counts


@dataclass(frozen=True)
class Gold:
    """One message with the catalogue ids it names, after perturbation."""

    dialog_id: str
    text: str  # as the linker reads it
    ids: frozenset[str]
    kinds: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (id, perturbation labels) per mention
    spans: tuple[tuple[int, int], ...] = ()  # where each mention sits in ``text``
    # Films the dialogue's annotations list but this message does not name in canonical form:
    # people also name films loosely ("have you seen it?"), so linking one is not scored.
    unscored: frozenset[str] = frozenset()


# ---------------------------------------------------------------- gold from ReDial


def gold_messages(
    data: Catalogue, folder: Path, split: str, limit: int | None = None, seed: int = SEED
) -> tuple[list[Gold], dict[str, int]]:
    """The perturbed messages of ``split`` ('fit', 'eval' or 'all'), and what was left out."""
    names, dialogues = load_redial(folder)
    ids = catalogue_ids(names)
    known = set(data.position)
    plain_title = {
        i: plain_words(data.items[data.position[c]].title) for i, c in ids.items() if c in known
    }
    years = {
        i: (data.items[data.position[c]].number(data.spec.fields.date) or parse_name(names[i])[1])
        for i, c in ids.items()
        if c in known
    }
    titles = set(plain_title.values())
    by_title: dict[str, list[int]] = defaultdict(list)
    for i, t in plain_title.items():
        by_title[t].append(i)
    skipped: Counter[str] = Counter()
    out: list[Gold] = []
    chosen = [d for d in sorted(dialogues) if split == "all" or (split == "fit") == is_fit(d)]
    for dialog_id in chosen[:limit] if limit else chosen:
        turns = dialogues[dialog_id]
        last = max(turns, key=lambda t: len(t["context"]))
        mentioned = {
            i for t in turns for f in ("entity", "prev_entity", "rec") for i in t.get(f, ())
        }
        for n, message in enumerate([*last["context"], last["resp"]]):
            if not message.strip():
                continue
            rng = random.Random(f"{seed}:{dialog_id}:{n}")
            gold = _one_message(message, mentioned, plain_title, years, by_title, titles, ids, rng)
            if gold is None:
                skipped["a canonical mention names no known film"] += 1
                continue
            others = frozenset(ids[i] for i in mentioned if i in ids) - gold[1]
            out.append(Gold(dialog_id, *gold, unscored=others))
    return out, dict(skipped)


def _one_message(
    message: str,
    mentioned: set[int],
    plain_title: dict[int, str],
    years: dict[int, Any],
    by_title: dict[str, list[int]],
    titles: set[str],
    ids: dict[int, str],
    rng: random.Random,
) -> tuple[str, frozenset[str], tuple[Any, ...], tuple[Any, ...]] | None:
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", message)]
    pieces: list[str] = []
    kinds: list[tuple[str, tuple[str, ...]]] = []
    spans: list[tuple[int, int]] = []
    at = 0
    for year_match in _YEAR.finditer(message):
        year = int(year_match.group(1))
        before = [w for w in words if w[1] <= year_match.start() and w[0] >= at]
        found = None
        for k in range(min(len(before), 14), 0, -1):  # the longest title ending before "(year)"
            start = before[-k][0]
            typed = plain_words(message[start : year_match.start()])
            same = by_title.get(typed, [])
            # A film of that year, else one whose year is unknown; the dialogue's own first.
            films = [i for i in same if years.get(i) and _year_fits(years[i], year)] or [
                i for i in same if not years.get(i)
            ]
            films = [i for i in films if i in mentioned] or films
            if len(films) == 1:
                found = (start, films[0])
                break
        if found is None:
            return None
        start, film = found
        title = message[start : year_match.start()].strip()
        text, labels = as_typed(title, year_match.group(1), rng, titles - {plain_title[film]})
        pieces.append(message[at:start])
        begin = sum(len(p) for p in pieces)
        pieces.append(text)
        spans.append((begin, begin + len(text)))
        kinds.append((ids[film], tuple(labels)))
        at = year_match.end()
    pieces.append(message[at:])
    return "".join(pieces), frozenset(k for k, _ in kinds), tuple(kinds), tuple(spans)


def _year_fits(known: Any, typed: int) -> bool:
    return known is None or abs(int(known) - typed) <= 1


# ---------------------------------------------------------------- scoring


@dataclass
class _Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    examples: list[dict[str, Any]] = field(default_factory=list)

    def add(self, predicted: Iterable[str], gold: Iterable[str], example: dict[str, Any]) -> None:
        p, g = set(predicted), set(gold)
        self.tp += len(p & g)
        self.fp += len(p - g)
        self.fn += len(g - p)
        if (p != g) and len(self.examples) < 40:
            self.examples.append({**example, "missed": sorted(g - p), "wrong": sorted(p - g)})

    def figures(self) -> dict[str, Any]:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        return {
            "precision": round(precision, 3),
            "recall": round(recall, 3),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


def _redial_figures(data: Catalogue, golds: Sequence[Gold]) -> dict[str, Any]:
    tally = _Tally()
    per_kind: dict[str, Counter[str]] = defaultdict(Counter)
    times: list[float] = []
    unscored = 0
    people = data.vocabulary.people
    for g in golds:
        took = []
        for _ in range(_TIMED_RUNS):  # best of three: the load of other processes not counted
            started = time.perf_counter()
            found = data.titles.find(g.text)
            if people is not None:
                people.find(g.text)
            took.append(time.perf_counter() - started)
        times.append(min(took))
        no_year = {i for i, labels in g.kinds if "no-year" in labels}
        linked = [_as_gold(data, m.item_id, g.ids, no_year) for m in found]
        scored = [i for i in linked if i in g.ids or i not in g.unscored]
        unscored += len(found) - len(scored)
        tally.add(scored, g.ids, {"text": g.text[:300]})
        for (gold_id, labels), (start, end) in zip(g.kinds, g.spans, strict=True):
            over = [
                _as_gold(data, m.item_id, g.ids, no_year)
                for m in found
                if m.start < end and m.end > start
            ]
            # A film named twice links once (its first mention): the second is not missed.
            named = gold_id in over or (not over and gold_id in linked)
            outcome = "right" if named else ("wrong" if over else "missed")
            for label in labels:
                per_kind[label][outcome] += 1
    kinds = {}
    for label, c in sorted(per_kind.items()):
        n = sum(c.values())
        kinds[label] = {
            "mentions": n,
            "recall": round(c["right"] / n, 3) if n else 0.0,
            "precision": round(c["right"] / (c["right"] + c["wrong"]), 3)
            if c["right"] + c["wrong"]
            else 1.0,
            "missed": c["missed"],
            "wrong film": c["wrong"],
        }
    ms = sorted(1000 * t for t in times) or [0.0]
    return {
        "messages": len(golds),
        "mentions": sum(len(g.kinds) for g in golds),
        **tally.figures(),
        "unscored": unscored,
        "by_kind": kinds,
        "ms_per_message": {
            "mean": round(statistics.fmean(ms), 2),
            "p95": round(ms[int(0.95 * (len(ms) - 1))], 2),
        },
        "errors": tally.examples,
    }


def _as_gold(data: Catalogue, linked: str, gold: Iterable[str], no_year: Iterable[str] = ()) -> str:
    """The gold id ``linked`` cannot be told apart from by its text, else ``linked``: the same
    title, and the same year, or none known (ReDial's annotations pick one of such twins), or
    none typed (``no_year``: "Ghostbusters" is the 1984 film or the 2016 one; the linker takes
    the better known)."""
    a = data.items[data.position[linked]]
    for other in gold:
        b = data.items[data.position[other]] if other in data.position else None
        if b is None or other == linked or name_tokens(a.title) != name_tokens(b.title):
            continue
        ya, yb = a.number(data.spec.fields.date), b.number(data.spec.fields.date)
        if ya is None or yb is None or ya == yb or other in no_year:
            return other
    return linked


def _request_figures(data: Catalogue, split: str, path: Path) -> dict[str, Any]:
    """Titles (liked-title cases) and people (person-valued content checks) of the request set."""
    fields = set(data.spec.link_fields)
    people = data.vocabulary.people
    titles, names = _Tally(), _Tally()
    by_lang: dict[str, _Tally] = defaultdict(_Tally)
    cases = [
        c
        for c in load_cases(path)
        if c.catalogue == data.name and (split == "all" or split_of(c) == split)
    ]
    for case in cases:
        gold_ids = {i for c in case.checks if c.type == "exclude" for i in c.ids}
        linked = {m.item_id for t in case.turns for m in data.titles.find(t)}
        named = "liked-title" in case.kinds
        right = linked & gold_ids
        # A case names each distinct title once: its excluded ids of one title count once.
        wanted_titles = {
            plain_words(data.items[data.position[i]].title).removeprefix("the ")
            for i in gold_ids
            if i in data.position
        }
        hit_titles = {
            plain_words(data.items[data.position[i]].title).removeprefix("the ") for i in right
        }
        tally = _Tally()
        tally.tp = len(hit_titles) if named else 0
        tally.fn = len(wanted_titles - hit_titles) if named else 0
        tally.fp = len(linked - gold_ids) if named else len(linked)
        for t in (titles, by_lang[case.lang]):
            t.tp, t.fp, t.fn = t.tp + tally.tp, t.fp + tally.fp, t.fn + tally.fn
            if (tally.fp or tally.fn) and len(t.examples) < 40:
                t.examples.append(
                    {"id": case.id, "turns": list(case.turns), "linked": sorted(linked)}
                )
        gold_people = {
            v.lower()
            for c in case.checks
            if c.type == "content" and c.field in fields
            for v in c.any
        }
        found = {p for t in case.turns for p in (people.find(_untitled(data, t)) if people else [])}
        if case.lang == "en":
            names.add(
                found,
                {normalise(p) for p in gold_people},
                {"id": case.id, "turns": list(case.turns)},
            )
    return {
        "cases": len(cases),
        "titles": {**titles.figures(), "errors": titles.examples},
        "titles_by_language": {k: v.figures() for k, v in sorted(by_lang.items())},
        "people_en": {**names.figures(), "errors": names.examples},
    }


def _untitled(data: Catalogue, text: str) -> str:
    """The text without the titles linked in it, as the reader hands it to the word linkers."""
    for m in reversed(data.titles.find(text)):
        text = text[: m.start] + " " + text[m.end :]
    return text


def text_only(settings: Settings, name: str) -> Catalogue:
    """A catalogue's items and linkers as the app builds them, without vectors (none needed)."""
    import numpy as np

    from recommender.catalogue.catalogue import Catalogue
    from recommender.catalogue.rows import load_items
    from recommender.catalogue.spec import find_specs

    spec = find_specs(settings).get(name)
    if spec is None:
        raise CatalogError(f"no catalogue {name!r}")
    items, _ = load_items(spec.rows_path)
    return Catalogue.build(spec, items, np.zeros((len(items), 1), dtype=np.float32))


def evaluate_linking(
    data: Catalogue,
    folder: Path,
    split: str = "fit",
    limit: int | None = None,
    requests: Path = REQUESTS_FILE,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """The stable JSON of ``magpie eval linking`` for one catalogue (ReDial's items)."""
    started = time.perf_counter()
    golds, skipped = gold_messages(data, folder, split, limit)
    if progress:
        progress(f"{len(golds)} messages")
    request_split = {"fit": "tune", "eval": "test", "all": "all"}[split]
    return {
        "split": split,
        "seed": SEED,
        "redial": {**_redial_figures(data, golds), "skipped": skipped},
        "requests": {"split": request_split, **_request_figures(data, request_split, requests)},
        "seconds": round(time.perf_counter() - started, 1),
    }


def linking_markdown(result: dict[str, Any]) -> str:
    r, q = result["redial"], result["requests"]
    lines = [
        f"# Linking, ReDial {result['split']} half (perturbed, seed {result['seed']}) and the "
        f"request set's {q['split']} half",
        "",
        "| gold | messages | precision | recall | tp | fp | fn |",
        "|---|---|---|---|---|---|---|",
        f"| ReDial titles | {r['messages']} | {r['precision']:.3f} | {r['recall']:.3f} | "
        f"{r['tp']} | {r['fp']} | {r['fn']} |",
        f"| request titles | {q['cases']} | {q['titles']['precision']:.3f} | "
        f"{q['titles']['recall']:.3f} | {q['titles']['tp']} | {q['titles']['fp']} | "
        f"{q['titles']['fn']} |",
        f"| request people (en) | | {q['people_en']['precision']:.3f} | "
        f"{q['people_en']['recall']:.3f} | {q['people_en']['tp']} | {q['people_en']['fp']} | "
        f"{q['people_en']['fn']} |",
        "",
        "## ReDial mentions by perturbation (a mention counts under each of its labels)",
        "",
        "| kind | mentions | recall | precision | missed | wrong film |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {k} | {v['mentions']} | {v['recall']:.3f} | {v['precision']:.3f} | {v['missed']} | "
        f"{v['wrong film']} |"
        for k, v in r["by_kind"].items()
    ]
    ms = r["ms_per_message"]
    lines += [
        "",
        f"Titles and people: {ms['mean']} ms a message on average, p95 {ms['p95']} ms "
        f"(best of {_TIMED_RUNS} runs). "
        f"Messages left out (a canonical mention naming no known film): "
        f"{sum(r['skipped'].values())}. Links to a film the dialogue mentions elsewhere, not "
        f"named canonically in that message, not scored: {r['unscored']}. "
        f"{result['seconds']} s.",
    ]
    return "\n".join(lines)
