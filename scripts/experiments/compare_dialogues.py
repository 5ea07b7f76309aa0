"""The two collaborative signals of issue 11 on ReDial's fit half, on the app's own candidates.

Every fit-half recommendation turn is retrieved once by the app's path with tables from the
other folds of the fit half (``tuning.fit_cases``; EASE's ``collab.json`` included), then fused
with the weights of ``assets/movies/fusion.json`` while one weight varies; R@10 per condition
(chit-chat turns use ``weights``, turns with content ``content_weights``). The eval half is never
read. About 10 minutes on 2 busy cores.

1. ``collab`` (EASE rows of the liked titles, ``recommender/collab.py``): its content weight,
   at most the largest weight (so the popularity cap, a share of the largest, still holds), with
   co-mentions kept or switched off.
2. Nearest fit-half dialogues: the seeker's words so far (``crs.seeker_text``, the app's text
   model) against the seeker words of each fit-half dialogue of the *other* folds; the ``k`` most
   similar dialogues vote for the movies they mention (or only those recommended), each vote
   weighted by the similarity; added as one more scaled signal (only to the candidates the app
   retrieved; also reported alone over every movie, ties to the more popular).

    MAGPIE_SHARED_DATA=../shared/data .venv/bin/python scripts/experiments/compare_dialogues.py [--limit N]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from recommender.config import load_settings
from recommender.evaluation.crs import CrsDataset, fold_of, seeker_text
from recommender.evaluation.redial import dialogue_movies, is_fit
from recommender.evaluation.run import SHARED
from recommender.evaluation.tuning import fit_cases
from recommender.models.base import embed_queries
from recommender.pipeline import Recommender
from recommender.rank.scoring import scale

FUSION = Path(__file__).resolve().parents[2] / "assets" / "movies" / "fusion.json"
KS = (10, 30)
WEIGHTS = (0.0, 0.1, 0.2, 0.35, 0.7)
COLLAB = (0.0, 0.1, 0.2, 0.35, 0.5, 0.7, 1.0)
CUT = 10


def dialogue_text(turns: list[dict]) -> str:
    """The seeker's words over the whole dialogue (its longest context)."""
    longest = max(turns, key=lambda t: len(t["context"]))
    return seeker_text(longest["context"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N fit-half turns")
    parser.add_argument("--data", type=Path, default=SHARED / "redial")
    args = parser.parse_args()
    rec = Recommender.from_settings(load_settings())
    dataset = CrsDataset.load(args.data)
    fusion = json.loads(FUSION.read_text(encoding="utf-8"))
    fit_ids = [d for d in dataset.dialogues if is_fit(d)]
    train = np.stack(
        embed_queries(
            rec.models.text, [dialogue_text(dataset.dialogues[d]) or "-" for d in fit_ids]
        )
    )
    folds = np.array([fold_of(d) for d in fit_ids])
    baskets = {
        "mentioned": [
            {dataset.ids[i] for i in dialogue_movies(dataset.dialogues[d], dataset.names)}
            for d in fit_ids
        ],
        "recommended": [
            {dataset.ids[i] for t in dataset.dialogues[d] for i in t["rec"] if i in dataset.ids}
            for d in fit_ids
        ],
    }
    cases, _ = fit_cases(rec, args.data, args.limit)
    said = [seeker_text(c.turn.context) for c in cases]
    queries = np.stack(embed_queries(rec.models.text, [s or "-" for s in said]))
    print(f"{len(cases)} fit-half turns, {len(fit_ids)} fit dialogues")
    lam = rec.settings.mmr_lambda
    content = [c for c in cases if c.content]
    chat = [c for c in cases if not c.content]
    n_content = max(sum(len(c.turn.targets) for c in content), 1)
    n_chat = max(sum(len(c.turn.targets) for c in chat), 1)
    fired = sum("collab" in c.names for c in chat)
    print(f"collab fires on {fired} of {len(chat)} chit-chat turns")
    print(f"chit-chat R@{CUT} {sum(c.hits(fusion['weights'], lam) for c in chat) / n_chat:.4f}")
    found: dict[tuple[float, float], int] = {}
    for cooc in (fusion["content_weights"]["cooccur"], 0.0):
        for w in COLLAB:
            trial = {**fusion["content_weights"], "cooccur": cooc, "collab": w}
            found[(cooc, w)] = sum(c.hits(trial, lam) for c in content)
        line = ", ".join(f"{w:g}: {found[(cooc, w)] / n_content:.4f}" for w in COLLAB)
        print(f"content R@{CUT}, cooccur {cooc:g}, by collab weight: {line}")
    cooc, w = max(found, key=lambda key: (found[key], -key[1]))
    chosen = {**fusion["content_weights"], "cooccur": cooc, "collab": w}
    print(f"chosen: cooccur {cooc:g}, collab {w:g}; the nearest dialogues are added to these")
    ids = sorted(set(dataset.ids.values()))
    position = {item: n for n, item in enumerate(ids)}
    popularity = {
        f: np.zeros(len(ids)) for f in range(5)
    }  # per fold, from the other folds: ties in the signal alone
    for f in range(5):
        for item, n in dataset.tables([d for d in fit_ids if fold_of(d) != f])[0].items():
            popularity[f][position[item]] = n
    targets = {
        cond: max(sum(len(c.turn.targets) for c in cases if c.content == cond), 1)
        for cond in (False, True)
    }
    for kind, sets in baskets.items():
        for k in KS:
            alone = 0
            per_weight = {(cond, w): 0 for cond in (False, True) for w in WEIGHTS}
            for case, q, words in zip(cases, queries, said, strict=True):
                fold = fold_of(case.turn.dialog_id)
                others = np.flatnonzero(folds != fold)
                sims = train[others] @ q if words else np.zeros(len(others))
                top = others[np.argsort(-sims, kind="stable")[:k]]
                votes = np.zeros(len(ids))
                for d, s in zip(top, sims[np.argsort(-sims, kind="stable")[:k]], strict=True):
                    for item in sets[int(d)]:
                        votes[position[item]] += max(float(s), 0.0)
                # The signal alone over every movie, seen ones removed.
                order = np.lexsort((-popularity[fold], -votes))
                ranked = [ids[int(i)] for i in order if ids[int(i)] not in case.turn.seen][:CUT]
                alone += sum(t in ranked for t in case.turn.targets)
                # Fused with the app's other signals on its own candidates.
                extra = scale(np.array([votes[position[i]] for i in case.ids], dtype=np.float32))
                base = chosen if case.content else fusion["weights"]
                names = case.names
                case.names = [*names, "dialogues"]
                scaled = case.scaled
                case.scaled = np.vstack([scaled, extra[None, :]])
                for w in WEIGHTS:
                    per_weight[(case.content, w)] += case.hits(
                        {**base, "dialogues": w}, rec.settings.mmr_lambda
                    )
                case.names, case.scaled = names, scaled
            total = targets[False] + targets[True]
            print(f"{kind} k={k}: alone R@{CUT} {alone / total:.4f}")
            for cond in (False, True):
                line = ", ".join(
                    f"{w:g}: {per_weight[(cond, w)] / targets[cond]:.4f}" for w in WEIGHTS
                )
                print(f"  {'content' if cond else 'chit-chat'} R@{CUT} by weight: {line}")


if __name__ == "__main__":
    main()
