"""What the scripts that choose one setting on ReDial's fit half share: their arguments, the
turns retrieved once by the app's own path (``tuning.fit_cases``: tables from the other folds),
and hits counted fold by fold (a choice should hold on every fold, not on the sum)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from recommender.cli.console import settings_from
from recommender.evaluation import tuning
from recommender.evaluation.crs import FOLDS, active_weights, fold_of
from recommender.evaluation.run import SHARED
from recommender.pipeline import Recommender

Weights = Mapping[str, float]


def arguments(doc: str) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--data", type=Path, default=SHARED / "redial")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--json", type=Path, default=None)
    return ap.parse_args()


def fit_half(args: argparse.Namespace) -> tuple[Recommender, list, Weights, Weights]:
    """The app without its language model, every fit-half turn, and the shipped weights of
    turns without and with content."""
    rec = Recommender.from_settings(settings_from(None).with_(llm_backend="none"))
    cases, plain = tuning.fit_cases(rec, args.data, args.limit)
    content = active_weights(rec, rec.catalog("movies"), content=True)
    return rec, cases, plain, content


def hits_by_fold(cases: Iterable, ranked: Callable[[object], list[str]]) -> list[int]:
    """Targets in each turn's top ten, ``ranked`` giving a turn's list, summed per fold."""
    by_fold = [0] * FOLDS
    for case in cases:
        by_fold[fold_of(case.turn.dialog_id)] += case.hits_of(ranked(case))
    return by_fold


def report(out: dict, path: Path | None) -> None:
    print(json.dumps(out, indent=1))
    if path:
        path.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
