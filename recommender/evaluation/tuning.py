"""Learn the fusion weights of a catalogue on the fit half of a ReDial-format dataset.

Coordinate ascent on R@10: each weight in turn tries every value of a grid while the others stay,
and a change is kept only when it finds more ground-truth items in the top ten. Candidates are
retrieved once per turn (``Recommender.retrieve``); each trial then runs the app's own fusion
arithmetic (``scoring.scale``, a weighted sum, ``scoring.mmr`` with the pool ``order`` uses) over
the fit-half turns, ranked with tables from the other folds of the fit half (``crs.FOLDS``). The
eval half is never read. The result is ``fusion.json`` beside the catalogue, which ``rank`` reads.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from recommender.evaluation.crs import (
    K_MAX,
    CrsDataset,
    Turn,
    active_weights,
    candidates_cache,
    prepared_groups,
)
from recommender.evaluation.metrics import rank_of
from recommender.rank.scoring import mmr, scale
from recommender.signals import Signal

if TYPE_CHECKING:
    from recommender.pipeline import Recommender

__all__ = ["TUNED", "tune_weights", "write_fusion"]

log = logging.getLogger(__name__)

# Signals whose weights a text-only dialogue set can learn (``signals.Declared.tuned``).
TUNED = tuple(s.value for s in Signal if s.tuned)
# Trial values of a weight: multiples of its current value, and shares of the largest weight.
STEPS = (0.25, 0.5, 0.7, 1.4, 2.0, 4.0)
SHARES = (0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
ROUNDS = 4  # passes over the signals, at most
CUTOFF = 10  # the metric tuned: recall at this depth
# With content, popularity may weigh at most this share of the largest other weight (chosen on
# the request set's tuning half together with ReDial's fit half: docs/evaluation.md).
POPULARITY_CAP = 0.1
CONTENT_SIGNALS = tuple(s.value for s in Signal if s.content)


@dataclass
class _Case:
    """One turn's candidates, ready for fast re-weighting."""

    turn: Turn
    ids: list[str]  # candidate ids, aligned with the columns below
    names: list[str]  # signal names, aligned with the rows of ``scaled``
    scaled: np.ndarray  # (signals, candidates): each signal min-max scaled as ``fuse`` does
    positions: np.ndarray  # (candidates,) rows of ``text``
    text: np.ndarray  # the catalogue's item vectors (shared by the cases of one catalogue)
    content: bool  # the turn's profile asks for something (``retrieval.has_content``)
    raw: np.ndarray | None = None  # (signals, candidates) unscaled, when asked for (experiments)

    def score(self, weights: Mapping[str, float]) -> np.ndarray:
        """The weighted sum of the scaled signals, as ``fuse`` computes it."""
        w = np.array([weights.get(n, 0.0) for n in self.names], dtype=np.float32)
        return w @ self.scaled if len(self.names) else np.zeros(len(self.ids), np.float32)

    def top(self, weights: Mapping[str, float], lam: float) -> list[str]:
        """The first CUTOFF + |seen| items of ``order(k=K_MAX + |seen|)`` for these weights."""
        return self.top_by(self.score(weights), lam)

    def top_by(self, score: np.ndarray, lam: float) -> list[str]:
        """The first CUTOFF + |seen| items MMR picks from any score over the candidates."""
        # ``order`` asks MMR for K_MAX + |seen| items from a pool of as many; its first picks
        # are the same when fewer are asked from the same pool.
        seen = len(self.turn.seen)
        pool = max(50, K_MAX + seen)
        # MMR looks only at the ``pool`` best: copy just their vectors (the same picks, ~20x
        # less memory traffic per trial than all candidates').
        best = np.argsort(-score, kind="stable")[:pool]
        picked = mmr(score[best], self.text[self.positions[best]], CUTOFF + seen, lam, pool=pool)
        return [self.ids[int(best[j])] for j in picked]

    def hits(self, weights: Mapping[str, float], lam: float) -> int:
        return self.hits_of(self.top(weights, lam))

    def hits_of(self, ranked: Sequence[str]) -> int:
        """Ground-truth items of the turn in the top CUTOFF of ``ranked`` (seen left out)."""
        found = 0
        for target in self.turn.targets:
            rank = rank_of(target, ranked, self.turn.seen)
            found += rank is not None and rank <= CUTOFF
        return found


def fit_cases(
    rec: Recommender, folder: Path, limit: int | None = None, keep_raw: bool = False
) -> tuple[list[_Case], dict[str, float]]:
    """Every fit-half turn retrieved once, and the weights ``rank`` would use now; ``keep_raw``
    also keeps each signal's raw values (to try other scalings)."""
    dataset = CrsDataset.load(folder)
    cases: list[_Case] = []
    start: dict[str, float] = dict(rec.settings.weights)
    with prepared_groups(rec, dataset, "fit", limit) as (groups, _):
        for group in groups:
            data = group.data
            start = active_weights(rec, data)
            for turn, candidates in candidates_cache(rec, group):
                names = sorted(candidates.signals)
                scaled = (
                    np.stack([scale(candidates.signals[n]) for n in names])
                    if names
                    else np.zeros((0, len(candidates.positions)), np.float32)
                )
                cases.append(
                    _Case(
                        turn,
                        [data.items[int(p)].id for p in candidates.positions],
                        names,
                        scaled.astype(np.float32),
                        candidates.positions,
                        data.text,
                        candidates.content,
                        np.stack([candidates.signals[n] for n in names]).astype(np.float32)
                        if keep_raw and names
                        else None,
                    )
                )
    return cases, start


def tune_weights(
    rec: Recommender,
    folder: Path,
    limit: int | None = None,
    rounds: int = ROUNDS,
    say: Callable[[str], None] = log.info,
    popularity_cap: float = POPULARITY_CAP,
    other_caps: Sequence[float] = (),
) -> dict[str, Any]:
    """Weights maximising fit-half R@10, one set per condition; nothing is written.

    ``weights`` are learned on the turns whose profile holds no content (chit-chat), and
    ``content_weights`` on the others with popularity held to at most ``popularity_cap`` of the
    largest weight: when a person asks for something, what they asked for leads the ranking.
    """
    started = time.perf_counter()
    cases, start = fit_cases(rec, folder, limit)
    lam = rec.settings.mmr_lambda
    say(f"retrieved {len(cases)} fit-half turns once")
    chat = [c for c in cases if not c.content]
    content = [c for c in cases if c.content]
    results = {
        "weights": _ascend(chat, start, lam, rounds, None, lambda line: say("chat: " + line)),
        "content_weights": _ascend(
            content, start, lam, rounds, popularity_cap, lambda line: say("content: " + line)
        ),
    }
    for cap in other_caps:  # for the record: what other caps would reach on the fit half
        results[f"content_weights_cap_{cap:g}"] = _ascend(
            content, start, lam, rounds, cap, _prefixed(say, f"cap {cap:g}: ")
        )
    targets = max(sum(len(c.turn.targets) for c in cases), 1)
    found = sum(c.hits(results["weights"]["weights"], lam) for c in chat) + sum(
        c.hits(results["content_weights"]["weights"], lam) for c in content
    )
    return {
        "weights": results["weights"]["weights"],
        "content_weights": results["content_weights"]["weights"],
        "about": (
            f"learned by `magpie eval crs --split fit --tune` on {Path(folder).resolve().name}: "
            f"coordinate ascent on R@{CUTOFF} over {len(cases)} fit-half turns ({targets} items), "
            f"{len(chat)} without content (weights) and {len(content)} with (content_weights, "
            f"popularity at most {popularity_cap:g} of the largest weight); popularity and "
            f"co-mentions from the other folds; MMR lambda {lam:g}"
        ),
        f"fit_recall@{CUTOFF}": round(found / targets, 4),
        f"start_recall@{CUTOFF}": round(
            sum(c.hits(_normalised(start), lam) for c in cases) / targets, 4
        ),
        "conditions": {
            name: {k: v for k, v in r.items() if k != "weights" or "_cap_" in name}
            for name, r in results.items()
        },
        "seconds": round(time.perf_counter() - started, 1),
    }


def _ascend(
    cases: list[_Case],
    start: Mapping[str, float],
    lam: float,
    rounds: int,
    cap: float | None,
    say: Callable[[str], None],
) -> dict[str, Any]:
    """Coordinate ascent on R@CUTOFF over ``cases`` from ``start`` (popularity capped if asked)."""
    targets = max(sum(len(c.turn.targets) for c in cases), 1)

    def hits(weights: Mapping[str, float]) -> int:
        return sum(c.hits(weights, lam) for c in cases)

    weights = _capped(_normalised(start), cap)
    best = hits(weights)
    history = [{"weights": dict(weights), f"recall@{CUTOFF}": round(best / targets, 4)}]
    say(f"start: R@{CUTOFF} {best / targets:.4f} with {_short(weights)}")
    for round_ in range(rounds):
        changed = False
        for name in TUNED:
            for value in _trials(weights, name):
                trial = _capped(_normalised({**weights, name: value}), cap)
                found = hits(trial)
                if found > best:
                    best, weights, changed = found, trial, True
                    history.append(
                        {"weights": dict(weights), f"recall@{CUTOFF}": round(best / targets, 4)}
                    )
                    say(
                        f"round {round_ + 1}: {name} {weights[name]:g} -> R@{CUTOFF} {best / targets:.4f}"
                    )
        if not changed:
            break
    return {
        "weights": {k: weights[k] for k in sorted(weights)},
        "turns": len(cases),
        f"fit_recall@{CUTOFF}": round(best / targets, 4),
        f"start_recall@{CUTOFF}": history[0][f"recall@{CUTOFF}"],
        "history": history,
    }


def _prefixed(say: Callable[[str], None], prefix: str) -> Callable[[str], None]:
    return lambda line: say(prefix + line)


def _capped(weights: Mapping[str, float], cap: float | None) -> dict[str, float]:
    """Popularity held to at most ``cap`` of the largest weight of a signal that carries what was
    asked (text, keywords, wanted words, liked titles); feedback, which fires only on a
    thumbs-down, is no yardstick.

    >>> _capped({"text": 1.0, "feedback": 4.0, "popularity": 0.5}, 0.1)
    {'text': 1.0, 'feedback': 4.0, 'popularity': 0.1}
    """
    out = dict(weights)
    if cap is None:
        return out
    top = max((v for k, v in out.items() if k in CONTENT_SIGNALS), default=0.0)
    out["popularity"] = min(out.get("popularity", 0.0), float(f"{cap * top:.3g}"))
    return out


def write_fusion(path: Path, tuned: Mapping[str, Any]) -> None:
    """``fusion.json`` as ``retrieval`` reads it (the search path stays in the command's output)."""
    keep = {k: v for k, v in tuned.items() if k not in {"conditions", "seconds"}}
    keep["conditions"] = {
        name: {k: v for k, v in part.items() if k != "history"}
        for name, part in tuned.get("conditions", {}).items()
    }
    path.write_text(json.dumps(keep, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _short(weights: Mapping[str, float]) -> str:
    return ", ".join(f"{k} {v:g}" for k, v in sorted(weights.items()) if v)


def _trials(weights: Mapping[str, float], name: str) -> list[float]:
    """Values to try for one weight: off, scaled, or a share of the largest tuned weight."""
    current = weights.get(name, 0.0)
    top = max((weights.get(n, 0.0) for n in TUNED), default=1.0) or 1.0
    values = {0.0, *(current * f for f in STEPS), *(top * f for f in SHARES)}
    return sorted(v for v in (float(f"{v:.3g}") for v in values) if v != current)


def _normalised(weights: Mapping[str, float]) -> dict[str, float]:
    """The tuned weights scaled so the largest is 1 (fusion compares them only with each other;
    the untuned ones, image and novelty, keep their meaning beside weights of the usual size).

    >>> _normalised({"text": 0.1, "cooccur": 0.4, "novelty": 0.3})
    {'text': 0.25, 'cooccur': 1.0, 'novelty': 0.3}
    """
    top = max((weights.get(n, 0.0) for n in TUNED), default=0.0)
    if top <= 0:
        return dict(weights)
    return {k: (float(f"{v / top:.3g}") if k in TUNED else v) for k, v in weights.items()}
