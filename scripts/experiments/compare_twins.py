"""Read every Chinese, Spanish, French and German request of the request set and its English
twin with the rule reader, and compare the profiles field by field.

    python scripts/experiments/compare_twins.py [--split tune|test|all] [--show]

Twins share a ``group`` in ``recommender/evaluation/requests.jsonl``. Each case's turns are
folded into a profile as a turn does (``read_message`` then ``profile.update``); critiques refer
to the same five items of the catalogue for both twins (the first five with a year or a price),
so "更像第二个" and "more like #2" can be compared. Fields compared: liked, disliked, seen,
wanted, avoided, categories, ranges. Needs no model and no index: only the catalogue rows.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from recommender.catalogue.rows import load_items  # noqa: E402
from recommender.catalogue.spec import read_spec  # noqa: E402
from recommender.evaluation.requests import load_cases, split_of  # noqa: E402
from recommender.profile import update  # noqa: E402
from recommender.read.linking import TitleLinker, VocabularyLinker  # noqa: E402
from recommender.read.reading import read_message  # noqa: E402
from recommender.schemas import Profile  # noqa: E402

FIELDS = ("liked", "disliked", "seen", "wanted", "avoided", "categories", "ranges")


def linkers(name: str):  # type: ignore[no-untyped-def]
    spec = read_spec(ROOT / "assets" / name)
    items, _ = load_items(spec.rows_path)
    shown = [i for i in items if i.number("year") or i.number("price")][:5]
    return TitleLinker(items), VocabularyLinker(items, spec.synonyms), shown


def fields(profile: Profile) -> dict[str, object]:
    data = profile.model_dump(include=set(FIELDS))
    data = {k: sorted(v) if isinstance(v, list) else v for k, v in data.items()}
    data["ranges"] = {k: (r["min"], r["max"]) for k, r in sorted(data["ranges"].items())}
    return data


def replay(turns, titles, vocabulary, shown) -> tuple[Profile, list[str]]:  # type: ignore[no-untyped-def]
    profile, languages = Profile(), []
    for n, text in enumerate(turns):
        reading = read_message(text, titles, vocabulary, shown if n else ())
        languages.append(getattr(reading, "language", "en"))  # main before 12: none
        profile = update(profile, reading)
    return profile, languages


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="all", choices=("tune", "test", "all"))
    ap.add_argument("--show", action="store_true", help="print every disagreement")
    args = ap.parse_args()
    cases = [c for c in load_cases() if args.split == "all" or split_of(c) == args.split]
    english = {c.group: c for c in load_cases() if c.lang == "en"}
    cats = {c.catalogue for c in cases}
    built = {name: linkers(name) for name in cats}
    per_lang: dict[str, list[int]] = defaultdict(
        lambda: [0, 0, 0, 0]
    )  # cases, agree, fields ok, fields
    detected: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for case in cases:
        if case.lang == "en" or case.group not in english:
            continue
        titles, vocabulary, shown = built[case.catalogue]
        mine, langs = replay(case.turns, titles, vocabulary, shown)
        twin, _ = replay(english[case.group].turns, titles, vocabulary, shown)
        a, b = fields(mine), fields(twin)
        same = [f for f in FIELDS if a[f] == b[f]]
        row = per_lang[case.lang]
        row[0] += 1
        row[1] += len(same) == len(FIELDS)
        row[2] += len(same)
        row[3] += len(FIELDS)
        detected[case.lang][0] += sum(lang == case.lang for lang in langs)
        detected[case.lang][1] += len(langs)
        if args.show and len(same) < len(FIELDS):
            diff = {f: (a[f], b[f]) for f in FIELDS if a[f] != b[f]}
            print(f"{case.id}: {list(case.turns)} vs {list(english[case.group].turns)}: {diff}")
    print(f"\nsplit: {args.split}")
    print("| language | cases | same profile | fields agreeing | turns detected |")
    print("|---|---|---|---|---|")
    total = [0, 0, 0, 0]
    for lang, (n, agree, ok, nf) in sorted(per_lang.items()):
        total = [total[0] + n, total[1] + agree, total[2] + ok, total[3] + nf]
        d = detected[lang]
        print(
            f"| {lang} | {n} | {agree} of {n} | {ok} of {nf} ({ok / nf:.0%}) | {d[0]} of {d[1]} |"
        )
    n, agree, ok, nf = total
    if n:
        print(f"| all | {n} | {agree} of {n} ({agree / n:.0%}) | {ok} of {nf} ({ok / nf:.0%}) | |")


if __name__ == "__main__":
    main()
