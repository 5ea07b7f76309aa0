"""``magpie eval crs``: conversational recommendation measured on a ReDial-format dataset.

Each turn's dialogue text is replayed through the app's own profile reader
(``Recommender.read_message``: seeker lines as user messages, the titles a recommender line
names as cards shown) and ranked by the app's own path (``Recommender.retrieve`` + ``order``,
which is ``rank``). The annotated entity ids serve only as ground truth and for exclude-seen.

The candidate set is the dataset's own item list: items whose DBpedia name gives an id of the
bundled movie catalogue take its row (title, year, Wikidata metadata) and vector; the others
become bare items (title and year from the name), embedded here. Popularity, co-mentions,
EASE weights (``collab.json``) and the earlier conversations (``dialogues.json``) are learned
from the dataset's fit half (for ``--split fit``:
from the other folds of the fit half, so no dialogue scores with what it taught); ``--split all``
uses the bundled tables, learned from ReDial's fit half. MovieLens co-ratings and the learned fusion weights (``fusion.json``)
come from the bundled catalogue in every case.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from recommender.catalogue.dialogues import write_dialogues
from recommender.evaluation.baselines import baseline_lists
from recommender.evaluation.beyond import BEYOND, ListMetrics
from recommender.evaluation.metrics import METRICS, rank_of, summarise, target_scores
from recommender.evaluation.redial import (
    catalogue_ids,
    co_mentions,
    dialogue_movies,
    is_fit,
    load_redial,
    parse_name,
)
from recommender.models.base import TextEmbedder, embed_queries
from recommender.schemas import ChatMessage, Item, Profile, Session
from recommender.sessions import SAID_CHARS

if TYPE_CHECKING:
    from recommender.catalogue.catalogue import Catalogue
    from recommender.pipeline import Recommender
    from recommender.rank.retrieval import Candidates

__all__ = ["BASELINES", "CrsDataset", "Turn", "evaluate_crs", "replay"]

log = logging.getLogger(__name__)

K_MAX = 50  # the longest list scored (R@50)
FOLDS = 5  # --split fit: tables for each fold are learned from the other folds of the fit half
BASE_CATALOG = "movies"  # the bundled catalogue whose rows, vectors and side tables are reused
DENSE_CHARS = SAID_CHARS  # dense baseline: the latest characters of the seeker's words
BASELINES = {
    "popularity": "fit-half mentions, most first",
    "bm25": "BM25 of the whole dialogue text over item texts",
    "dense": "the text model's cosine of the seeker's latest words to item texts",
    "cooccur": "co-mentions/co-ratings with the titles the seeker named",
    "ease": "EASE item-item weights (collab.json) of the titles the seeker named",
}
SEEKER, RECOMMENDER = "user", "assistant"


@dataclass(frozen=True)
class Turn:
    """One recommender turn with at least one ground-truth item not mentioned before."""

    dialog_id: str
    context: tuple[str, ...]  # the dialogue so far; the last line is the seeker's
    targets: tuple[str, ...]  # catalogue ids of the ground truth ("recommendation" condition)
    seen: frozenset[str]  # catalogue ids mentioned earlier: removed from every list


@dataclass
class CrsDataset:
    """A ReDial-format folder: items (with catalogue ids) and dialogues."""

    name: str
    names: dict[int, str]  # dataset item id -> DBpedia name
    ids: dict[int, str]  # dataset item id -> catalogue id
    dialogues: dict[str, list[dict[str, Any]]]

    @classmethod
    def load(cls, folder: Path) -> CrsDataset:
        names, dialogues = load_redial(folder)
        return cls(folder.resolve().name, names, catalogue_ids(names), dialogues)

    def turns(self, split: str, limit: int | None = None) -> list[Turn]:
        out: list[Turn] = []
        for dialog_id, turns in self.dialogues.items():
            if split != "all" and is_fit(dialog_id) != (split == "fit"):
                continue
            for t in turns:
                prev = set(t.get("prev_entity", ()))
                targets = tuple(self.ids[i] for i in t["rec"] if i in self.ids and i not in prev)
                if not targets:
                    continue
                seen = frozenset(self.ids[i] for i in prev if i in self.ids)
                out.append(Turn(dialog_id, tuple(t["context"]), targets, seen))
                if limit is not None and len(out) >= limit:
                    return out
        return out

    def tables(self, dialog_ids: Sequence[str]) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
        """Popularity and co-mention counts learned from these dialogues."""
        mentions, pairs = co_mentions((self.dialogues[d] for d in dialog_ids), self.names, self.ids)
        return dict(mentions), {a: dict(b) for a, b in pairs.items()}

    def collab(self, dialog_ids: Sequence[str]) -> dict[str, dict[str, float]]:
        """EASE neighbours (collab.json) learned from these dialogues' mentions."""
        from recommender.catalogue.collab import ease_table

        return ease_table(
            [self.ids[i] for i in dialogue_movies(self.dialogues[d], self.names)]
            for d in dialog_ids
        )

    def conversations(self, dialog_ids: Sequence[str]) -> list[tuple[str, list[str]]]:
        """Each dialogue's seeker words (as ``seeker_text`` reads its longest context) and the
        catalogue ids of the movies it mentions: ``dialogues.json``."""
        out = []
        for d in dialog_ids:
            turns = self.dialogues[d]
            longest = max(turns, key=lambda t: len(t["context"]))
            movies = dialogue_movies(turns, self.names)
            out.append((seeker_text(longest["context"]), [self.ids[i] for i in movies]))
        return out

    def learned(
        self,
        folder: Path,
        base_dir: Path | None,
        dialog_ids: Sequence[str],
        text: TextEmbedder | None = None,
    ) -> Path:
        """Every side table learned from these dialogues, written to ``folder`` (the earlier
        conversations too when a ``text`` model is given to embed them)."""
        write_tables(folder, base_dir, *self.tables(dialog_ids), self.collab(dialog_ids))
        if text is not None:
            embed = functools.partial(embed_queries, text)
            write_dialogues(folder, self.conversations(dialog_ids), embed, text.name)
        return folder


def fold_of(dialog_id: str) -> int:
    """A fold of the fit half, from hash bits the fit/eval split does not use."""
    return (int(hashlib.md5(dialog_id.encode()).hexdigest(), 16) >> 1) % FOLDS


# ---------------------------------------------------------------- the candidate catalogue


def candidate_items(
    dataset: CrsDataset, base: Catalogue, embed: Callable[[list[str]], np.ndarray]
) -> tuple[list[Item], np.ndarray, dict[str, Any]]:
    """The dataset's items (catalogue rows where the ids match), their vectors, and coverage."""
    items: list[Item] = []
    rows: list[np.ndarray | None] = []
    names = {c: dataset.names[i] for i, c in dataset.ids.items()}
    for item_id in sorted(names):
        pos = base.position.get(item_id)
        if pos is not None:
            items.append(base.items[pos])
            rows.append(base.text[pos])
            continue
        title, year, _ = parse_name(names[item_id])
        attributes: dict[str, Any] = {base.spec.fields.date: year} if year else {}
        description = f"{title} is a {year} film." if year else f"{title} is a film."
        items.append(Item(item_id, title, description, ("movie",), attributes))
        rows.append(None)
    missing = [n for n, r in enumerate(rows) if r is None]
    if missing:
        fresh = embed([items[n].text() for n in missing])
        for n, vector in zip(missing, fresh, strict=True):
            rows[n] = vector
    dim = base.text.shape[1]
    filled = [r for r in rows if r is not None]
    text = np.stack(filled).astype(np.float32) if filled else np.zeros((0, dim), np.float32)
    linked = len(items) - len(missing)
    metadata = sum(bool(set(i.attributes) - {base.spec.fields.date}) for i in items)
    coverage = {
        "items": len(items),
        "in_catalogue": linked,
        "with_metadata": metadata,
        "share_in_catalogue": round(linked / max(len(items), 1), 4),
        "share_with_metadata": round(metadata / max(len(items), 1), 4),
    }
    return items, text, coverage


def write_tables(
    folder: Path,
    base_dir: Path | None,
    mentions: dict[str, int],
    pairs: dict[str, dict[str, int]],
    collab: dict[str, dict[str, float]] | None = None,
) -> Path:
    """Side tables in the bundled format: learned co-mentions ("pairs") and counts (and EASE
    neighbours, when given), the base's other co-count blocks (its co-ratings) and weights."""
    folder.mkdir(parents=True, exist_ok=True)
    blocks: dict[str, Any] = {}
    if base_dir is not None and (base_dir / "cooccur.json").is_file():
        base = json.loads((base_dir / "cooccur.json").read_text("utf-8"))
        blocks = {k: v for k, v in base.items() if isinstance(v, dict) and k != "pairs"}
    (folder / "popularity.json").write_text(json.dumps({"mentions": mentions}), "utf-8")
    (folder / "cooccur.json").write_text(json.dumps({"pairs": pairs, **blocks}), "utf-8")
    if collab is not None:
        (folder / "collab.json").write_text(json.dumps({"neighbours": collab}), "utf-8")
    if base_dir is not None and (base_dir / "fusion.json").is_file():
        shutil.copy(base_dir / "fusion.json", folder / "fusion.json")
    return folder


@dataclass
class Prepared:
    """What one group of turns is ranked with."""

    data: Catalogue
    turns: list[Turn]
    tables: str  # where popularity and co-mentions come from


@contextmanager
def prepared_groups(
    rec: Recommender,
    dataset: CrsDataset,
    split: str,
    limit: int | None = None,
) -> Iterator[tuple[list[Prepared], dict[str, Any]]]:
    """The turns of ``split`` grouped by the side tables they must be ranked with."""
    from recommender.catalogue.catalogue import Catalogue

    base = rec.catalog(BASE_CATALOG)
    base_dir = base.spec.folder

    def build(folder: Path | None) -> Catalogue:
        # The bundled catalogue's vocabulary and synonyms, this dataset's items and tables.
        spec = base.spec.model_copy(update={"name": name, "folder": folder})
        data = Catalogue.build(spec, items, text)
        if data.dialogues is None:
            return data
        return dataclasses.replace(data, dialogues=data.dialogues.for_model(rec.models.text))

    items, text, coverage = candidate_items(dataset, base, rec.models.text.embed)
    # Bare items are not in the Chroma collection: such a catalogue is searched exactly.
    name = BASE_CATALOG if coverage["in_catalogue"] == coverage["items"] else f"eval-{dataset.name}"
    turns = dataset.turns(split, limit)
    fit_ids = [d for d in dataset.dialogues if is_fit(d)]
    with tempfile.TemporaryDirectory(prefix="magpie-eval-") as tmp:
        groups: list[Prepared] = []
        if split == "all":
            data = build(base_dir)
            groups.append(Prepared(data, turns, f"bundled ({BASE_CATALOG})"))
        elif split == "eval":
            side = dataset.learned(Path(tmp) / "eval", base_dir, fit_ids, rec.models.text)
            data = build(side)
            groups.append(Prepared(data, turns, f"fit half of {dataset.name}"))
        else:
            for fold in range(FOLDS):
                own = [t for t in turns if fold_of(t.dialog_id) == fold]
                if not own:
                    continue
                learn = [d for d in fit_ids if fold_of(d) != fold]
                side = dataset.learned(Path(tmp) / f"fold{fold}", base_dir, learn, rec.models.text)
                data = build(side)
                groups.append(Prepared(data, own, f"other folds of the fit half of {dataset.name}"))
        yield groups, coverage


# ---------------------------------------------------------------- replaying a dialogue


def roles(context: Sequence[str]) -> list[str]:
    """Who said each line: the last line is the seeker's, and the speakers alternate before it."""
    n = len(context)
    return [SEEKER if (n - 1 - i) % 2 == 0 else RECOMMENDER for i in range(n)]


def replay(
    rec: Recommender, data: Catalogue, context: Sequence[str]
) -> tuple[Profile, str, Session]:
    """The profile and query text the app would hold after this dialogue, and the session."""
    session = Session(catalog=data.name)
    query = ""
    for line, role in zip(context, roles(context), strict=True):
        if not line.strip():
            continue
        if role == SEEKER:
            session.profile, query, new = rec.read_turn(session, line, data)
            session.history.append(ChatMessage(role="user", content=line, new_request=new))
        else:
            session.shown.append([m.item_id for m in data.titles.find(line)])
            session.history.append(ChatMessage(role="assistant", content=line))
    return session.profile, query, session


def said_before(session: Session) -> str:
    """What the seeker said before the replayed turn's line, as the app has it when that
    line comes (``sessions.said_so_far``; ``replay`` has already added the line); nothing when
    the line begins a new request."""
    from recommender.sessions import said_so_far

    if session.history and session.history[-1].new_request:
        return ""
    return said_so_far(session.model_copy(update={"history": session.history[:-1]}))


# ---------------------------------------------------------------- systems


def seeker_text(context: Sequence[str]) -> str:
    """What the dense baseline reads: the seeker's latest words."""
    said = " ".join(
        line for line, role in zip(context, roles(context), strict=True) if role == SEEKER
    )
    return said.strip()[-DENSE_CHARS:]


def active_weights(rec: Recommender, data: Catalogue, content: bool = False) -> dict[str, float]:
    """The weights ``rank`` uses for this catalogue: settings, then its fusion.json (its content
    weights for a profile that asks for something)."""
    from recommender.rank.ranking import weights_for

    return weights_for(rec.settings, data, content)


def ablations(
    weights: dict[str, float], names: Iterable[str] | None = None
) -> dict[str, dict[str, float]]:
    """``magpie-no-<signal>``: the full weights with one signal switched off (every signal in
    ``names``, default those weighted; every turn must get the same systems)."""
    names = [n for n, w in weights.items() if w] if names is None else list(names)
    return {f"magpie-no-{name}": {**weights, name: 0.0} for name in names}


@dataclass
class Scored:
    """Per-target metric rows of every system, and the dialogue of each target."""

    rows: dict[str, list[dict[str, float]]] = field(default_factory=dict)
    groups: list[str] = field(default_factory=list)
    # Each system's top-10 lists, for coverage, diversity, novelty and popularity (beyond.py).
    lists: dict[str, ListMetrics] = field(default_factory=dict)

    def add(
        self, system: str, turn: Turn, ranked: Sequence[str], data: Catalogue | None = None
    ) -> None:
        rows = self.rows.setdefault(system, [])
        rows.extend(target_scores(rank_of(t, ranked, turn.seen)) for t in turn.targets)
        if data is not None:
            lists = self.lists.setdefault(system, ListMetrics(data.text, data.popularity))
            seen = set(turn.seen)
            top = [data.position[i] for i in ranked if i not in seen and i in data.position]
            lists.add(turn.dialog_id, top[:10], data.popularity)

    def summary(self) -> dict[str, dict[str, object]]:
        out = {name: summarise(rows, self.groups) for name, rows in self.rows.items()}
        for name, lists in self.lists.items():
            merged: dict[str, Any] = dict(out[name])
            extra: dict[str, Any] = dict(lists.summary())
            merged["ci95"] = {**merged.get("ci95", {}), **extra.pop("ci95", {})}
            out[name] = {**merged, **extra}
        return out


def evaluate_crs(
    rec: Recommender,
    folder: Path,
    split: str = "eval",
    limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Every system on the turns of ``split``: the stable JSON object of ``magpie eval crs``."""
    from recommender.rank.ranking import Ranker
    from recommender.sessions import shown_before

    started = time.perf_counter()
    dataset = CrsDataset.load(folder)
    no_mmr = rec.settings.with_(mmr_lambda=1.0)
    scored = Scored()
    fired: set[str] = set()
    done = total = content_turns = 0
    shares: list[float] = []  # popularity's part of a top-10 item's score, content turns
    tables: list[str] = []
    with prepared_groups(rec, dataset, split, limit) as (groups, coverage):
        total = sum(len(g.turns) for g in groups)
        weights: dict[str, float] = {}
        content_weights: dict[str, float] = {}
        for group in groups:
            data = group.data
            tables.append(group.tables)
            index = rec.index if data.name == BASE_CATALOG else None
            app = Ranker(rec.settings, rec.models, index)
            plain = Ranker(no_mmr, rec.models, index)
            weights = active_weights(rec, data)
            content_weights = active_weights(rec, data, content=True)
            said = [seeker_text(t.context) for t in group.turns]
            said_vectors = embed_queries(
                rec.models.text, [s or "-" for s in said]
            )  # one batched call
            for turn, words, said_vector in zip(group.turns, said, said_vectors, strict=True):
                profile, query, session = replay(rec, data, turn.context)
                k = K_MAX + len(turn.seen)
                candidates = app.retrieve(
                    data, profile, query, demote=shown_before(session), said=said_before(session)
                )
                shown = app.order(data, candidates, k)
                ids = [s.item.id for s in shown]
                scored.add("magpie", turn, ids, data)
                if candidates.content:
                    content_turns += 1
                    top = shown[:10]
                    shares.extend(
                        s.signals.get("popularity", 0.0) / s.score for s in top if s.score > 0
                    )
                heard = said_vector if words else None
                for name, ranked in baseline_lists(data, turn, profile, heard, k).items():
                    scored.add(name, turn, ranked, data)
                fired.update(candidates.signals)
                turn_weights = content_weights if candidates.content else weights
                both = sorted(
                    {n for n, w in {**weights, **content_weights}.items() if w}
                    | {n for n, w in weights.items() if w}
                )
                for name, w in ablations(turn_weights, both).items():
                    scored.add(name, turn, [s.item.id for s in app.order(data, candidates, k, w)])
                scored.add(
                    "magpie-no-mmr", turn, [s.item.id for s in plain.order(data, candidates, k)]
                )
                scored.groups.extend([turn.dialog_id] * len(turn.targets))
                done += 1
                if progress is not None:
                    progress(done, total)
    # Ablations of signals that never fired (image on a catalogue without photos) are left out.
    for name in list(scored.rows):
        if name.startswith("magpie-no-") and name.removeprefix("magpie-no-") not in fired | {"mmr"}:
            del scored.rows[name]
    systems = scored.summary()
    return {
        "dataset": dataset.name,
        "split": split,
        "n_turns": done,
        "n_targets": len(scored.groups),
        "coverage": coverage,
        "systems": systems,
        "metrics": list(METRICS),
        "beyond": list(BEYOND),
        "condition": "recommendation turns (ground truth not mentioned before), exclude seen",
        "baselines": BASELINES,
        "tables": sorted(set(tables)),
        "weights": {k: v for k, v in weights.items() if v},
        "content_weights": {k: v for k, v in content_weights.items() if v},
        "content_turns": content_turns,
        "popularity_share": round(float(np.mean(shares)), 4) if shares else 0.0,
        "mmr_lambda": rec.settings.mmr_lambda,
        "limit": limit,
        "seconds": round(time.perf_counter() - started, 1),
    }


def candidates_cache(rec: Recommender, group: Prepared) -> list[tuple[Turn, Candidates]]:
    """Retrieve once per turn (tuning re-orders the same candidates many times)."""
    from recommender.rank.ranking import Ranker
    from recommender.sessions import shown_before

    index = rec.index if group.data.name == BASE_CATALOG else None
    app = Ranker(rec.settings, rec.models, index)
    out = []
    for turn in group.turns:
        profile, query, session = replay(rec, group.data, turn.context)
        said = said_before(session)
        candidates = app.retrieve(
            group.data, profile, query, demote=shown_before(session), said=said
        )
        out.append((turn, candidates))
    return out
