"""The turn, wired: understanding -> profile -> retrieval -> fusion -> explanation -> session.

``Recommender.turn`` is a generator of ``TurnEvent``s so a UI can show the transcript, the
cards and the streamed reply as each becomes ready; ``Recommender.ask`` runs a whole turn and
returns the ``TurnResult``. ``Recommender.from_settings`` is the one place that builds real
models; tests pass fakes through ``Models``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .config import Settings
from .errors import CatalogError, LLMError, MagpieError
from .explain import Explainer, describe_profile
from .feedback import like, read_critique
from .profile import RuleExtractor, llm_update, merge
from .prompts import PromptBook
from .retrieval import Candidates, CatalogData, Query, Retriever
from .schemas import ChatMessage, Profile, ScoredItem, Session, TurnResult
from .scoring import fuse, mmr
from .understand import understand

if TYPE_CHECKING:
    from .index import VectorIndex
    from .models.base import ChatLLM, ImageEncoder, TextEmbedder, Transcriber

__all__ = ["Models", "Recommender", "TurnEvent", "shown_before"]

log = logging.getLogger(__name__)

# Catalogue names mapped to a phrase for the explanation prompt.
_DOMAINS = {"movies": "movies", "shop": "products in an online shop"}


class Models:
    """The four models, each built on first use by a factory (or given ready, e.g. fakes)."""

    def __init__(self, **factories: Callable[[], Any] | Any) -> None:
        self._factories = factories
        self._loaded: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _get(self, name: str) -> Any:
        with self._lock:
            if name not in self._loaded:
                factory = self._factories.get(name)
                self._loaded[name] = (
                    factory() if callable(factory) and not _is_model(factory) else factory
                )
            return self._loaded[name]

    @property
    def text(self) -> TextEmbedder:
        return self._get("text")

    @property
    def image(self) -> ImageEncoder | None:
        return self._get("image")

    @property
    def speech(self) -> Transcriber | None:
        return self._get("speech")

    @property
    def llm(self) -> ChatLLM | None:
        return self._get("llm")


def _is_model(obj: Any) -> bool:
    return any(hasattr(obj, m) for m in ("embed", "encode", "transcribe", "stream"))


@dataclass
class TurnEvent:
    """One step of a turn: ``kind`` in heard | seen | profile | items | token | done."""

    kind: str
    data: Any = None
    at_s: float = 0.0  # seconds since the turn began


@dataclass
class _Timer:
    start: float = field(default_factory=time.perf_counter)
    stages: dict[str, float] = field(default_factory=dict)

    def mark(self, stage: str, since: float) -> float:
        now = time.perf_counter()
        self.stages[stage] = now - since
        return now

    def elapsed(self) -> float:
        return time.perf_counter() - self.start


class Recommender:
    """One engine for all catalogues and all sessions of a process (thread-safe reads)."""

    def __init__(
        self, settings: Settings, models: Models, index: VectorIndex | None = None
    ) -> None:
        self.settings = settings
        self.models = models
        self.index = index
        self.prompts = PromptBook(settings.prompts_dir)
        self._catalogs: dict[str, CatalogData] = {}
        self._catalog_lock = threading.Lock()  # guards the per-catalogue locks
        self._catalog_locks: dict[str, threading.Lock] = {}
        self.last_timings: dict[str, float] = {}

    @classmethod
    def from_settings(cls, settings: Settings) -> Recommender:
        """Real models (loaded lazily, once per process) and the configured Chroma index."""
        from .index import VectorIndex
        from .models.llm import load_llm
        from .models.speech import load_transcriber
        from .models.text import load_text_embedder
        from .models.vision import load_image_encoder

        models = Models(
            text=lambda: load_text_embedder(settings.text_model),
            image=lambda: load_image_encoder(settings.image_model, settings.cache_dir),
            speech=lambda: load_transcriber(
                settings.speech_model, settings.cache_dir, settings.max_audio_s
            ),
            llm=lambda: load_llm(settings),
        )
        return cls(settings, models, VectorIndex(settings))

    # ---- catalogues -------------------------------------------------------------------

    def catalogs(self) -> list[str]:
        from .catalog import bundled_catalogs

        names = set(bundled_catalogs(self.settings))
        if self.index is not None:
            names |= set(self.index.catalogs())
        return sorted(names)

    def catalog(self, name: str, progress: bool = False) -> CatalogData:
        """The catalogue in memory; a bundled one missing from the index is ingested first.

        One lock per catalogue: turns on a loaded catalogue never wait for another one to build.
        """
        data = self._catalogs.get(name)
        if data is not None:
            return data
        with self._catalog_lock:
            lock = self._catalog_locks.setdefault(name, threading.Lock())
        with lock:
            if name in self._catalogs:
                return self._catalogs[name]
            if self.index is None:
                raise CatalogError(f"no index to load catalogue {name!r} from")
            from .catalog import bundled_catalogs, catalog_dir, ingest

            if name not in self.index.catalogs():
                bundled = bundled_catalogs(self.settings)
                if name not in bundled:
                    known = ", ".join(sorted(set(bundled) | set(self.index.catalogs()))) or "none"
                    raise CatalogError(f"unknown catalogue {name!r} (known: {known})")
                log.info("building the %s index (first start)", name)
                ingest(
                    bundled[name],
                    name,
                    self.index,
                    self.models.text,
                    self._image_model_for_ingest(),
                    progress=progress,
                )
            loaded = self.index.load(name)
            data = CatalogData.build(
                name,
                loaded.items,
                loaded.text,
                loaded.image_ids,
                loaded.image,
                side_dir=catalog_dir(self.settings, name),
            )
            self._catalogs[name] = data
            return data

    def add_catalog(self, data: CatalogData) -> None:
        """Register an in-memory catalogue (tests, benchmarks, evaluation)."""
        with self._catalog_lock:
            self._catalogs[data.name] = data

    def _image_model_for_ingest(self) -> ImageEncoder | None:
        try:
            return self.models.image
        except MagpieError as e:
            log.warning("images will not be indexed: %s", e)
            return None

    def warm(
        self, catalogs: Sequence[str] = (), progress: Callable[[str], None] | None = None
    ) -> dict[str, float]:
        """Load every model and the given catalogues now (start-up), not on the first turn.

        Returns seconds per step; ``progress`` hears a line before each step (a status line).
        A model that cannot load is logged and left off (its inputs then get a notice).
        """
        timings: dict[str, float] = {}
        for name in ("text", "image", "speech", "llm"):
            if progress:
                progress(f"loading the {name} model")
            t = time.perf_counter()
            try:
                getattr(self.models, name)
            except MagpieError as e:
                log.warning("the %s model is unavailable: %s", name, e)
            timings[f"model_{name}"] = time.perf_counter() - t
        for catalog in catalogs:
            if progress:
                progress(f"opening the {catalog} catalogue")
            t = time.perf_counter()
            self.catalog(catalog, progress=progress is not None)
            timings[f"catalog_{catalog}"] = time.perf_counter() - t
        return timings

    def new_session(self, catalog: str | None = None) -> Session:
        return Session(catalog=catalog or self.settings.catalog)

    # ---- a turn ---------------------------------------------------------------------------

    def ask(
        self, session: Session, text: str = "", images: Sequence[Any] = (), audio: Any = None
    ) -> TurnResult:
        """Run a whole turn; ``session`` is updated in place."""
        result = TurnResult()
        for event in self.turn(session, text, images, audio):
            if event.kind == "done":
                result = event.data
        return result

    def turn(
        self, session: Session, text: str = "", images: Sequence[Any] = (), audio: Any = None
    ) -> Iterator[TurnEvent]:
        s = self.settings
        timer = _Timer()
        data = self.catalog(session.catalog)
        t = timer.start

        heard = understand(
            text,
            images,
            audio,
            image_encoder=self.models.image if images else None,
            transcriber=self.models.speech if audio is not None else None,
            max_text_chars=s.max_text_chars,
            max_audio_s=s.max_audio_s,
            max_upload_mb=s.max_upload_mb,
            max_image_pixels=s.max_image_pixels,
        )
        t = timer.mark("understand", t)
        if heard.transcript is not None:
            yield TurnEvent("heard", heard.transcript, timer.elapsed())
        if heard.images:
            yield TurnEvent("seen", heard.image_words, timer.elapsed())

        profile, query_text = self._update_profile(
            session, heard.text, heard.images, heard.image_words, data, timer, heard.notices
        )
        t = time.perf_counter()
        yield TurnEvent("profile", profile, timer.elapsed())

        items = self.rank(data, profile, query_text, demote=shown_before(session))
        t = timer.mark("retrieve_score", t)
        yield TurnEvent("items", items, timer.elapsed())

        explainer = Explainer(
            self.models.llm,
            self.prompts,
            _DOMAINS.get(data.name, "items"),
            s.llm_max_tokens,
            llm_reasons=s.llm_reasons,
        )
        explanation = explainer.explain(heard.text or query_text, profile, items, data.titles)
        first = None
        for piece in explanation:
            if first is None:
                first = timer.elapsed()
            yield TurnEvent("token", piece, timer.elapsed())
        reply, reasons = explanation.finish()
        timer.mark("explain", t)
        timer.stages["first_token"] = first if first is not None else timer.elapsed()
        items = [
            ScoredItem(i.item, i.score, i.signals, r) for i, r in zip(items, reasons, strict=True)
        ]

        if heard.text:
            marked = (
                f"🎤 {heard.transcript}"
                if heard.transcript and heard.text == heard.transcript
                else heard.text
            )
            session.history.append(ChatMessage(role="user", content=marked))
        session.history.append(ChatMessage(role="assistant", content=reply))
        session.history = session.history[-2 * max(s.max_history_turns, 1) * 4 :]
        session.shown.append([i.item.id for i in items])
        session.shown = session.shown[-20:]
        session.profile = profile
        timer.stages["turn"] = timer.elapsed()
        self.last_timings = dict(timer.stages)
        result = TurnResult(
            heard.transcript, heard.image_words, profile, items, reply, heard.notices
        )
        yield TurnEvent("done", result, timer.elapsed())

    def read_message(
        self, session: Session, text: str, data: CatalogData | None = None
    ) -> tuple[Profile, str]:
        """A typed message read into the profile as a turn reads it (the session is left as it
        was): the new profile and the text retrieval matches. Evaluation replays dialogues so."""
        data = data or self.catalog(session.catalog)
        return self._update_profile(session, text, [], [], data, _Timer(), [])

    def _update_profile(
        self,
        session: Session,
        text: str,
        images: list[Any],
        image_words: list[str],
        data: CatalogData,
        timer: _Timer,
        notices: list[str],
    ) -> tuple[Profile, str]:
        t = time.perf_counter()
        assert data.titles is not None and data.vocabulary is not None
        shown = [data.items[data.position[i]] for i in session.last_shown() if i in data.position]
        critique = read_critique(text, shown)
        notices.extend(critique.notes)
        rules = RuleExtractor(data.titles, data.vocabulary).read(text)
        profile = merge(session.profile, rules)
        if images:
            # The photo's vector carries what it looks like; its words (labels, colours) join the
            # query text only, not the wanted attributes: colour naming on product shots is noisy.
            profile = merge(profile, Profile(images=images))
        t = timer.mark("profile_rules", t)
        llm = (
            self.models.llm
            if self.settings.profile_llm and text and not critique.only_critique
            else None
        )
        if llm is not None:
            try:
                profile = merge(
                    profile,
                    llm_update(
                        llm, self.prompts, session.history, text, data.titles, data.vocabulary
                    ),
                )
            except LLMError as e:
                log.warning("LLM profile update skipped: %s", e)
            timer.mark("profile_llm", t)
        profile = merge(profile, critique.delta)
        if critique.only_critique or not text:
            profile.intent = session.profile.intent
        words = [profile.intent, *profile.wanted, *profile.categories, *image_words]
        return profile, " ".join(w for w in words if w)

    def rank(
        self,
        data: CatalogData,
        profile: Profile,
        query_text: str,
        *,
        demote: frozenset[str] = frozenset(),
        k: int | None = None,
    ) -> list[ScoredItem]:
        """Retrieval + fusion for a profile: the app's ranking path (also used by evaluation)."""
        return self.order(data, self.retrieve(data, profile, query_text, demote=demote), k)

    def retrieve(
        self,
        data: CatalogData,
        profile: Profile,
        query_text: str,
        *,
        demote: frozenset[str] = frozenset(),
    ) -> Candidates:
        """The candidates of a profile with every raw signal (the first half of ``rank``)."""
        s = self.settings
        vector = self.models.text.embed([query_text])[0] if query_text.strip() else None
        image_name = getattr(self.models.image, "name", None) if profile.images else None
        images = [
            np.asarray(im.vector, dtype=np.float32)
            for im in profile.images[-3:]
            if im.vector and im.model == image_name
        ]
        query = Query(
            profile=profile,
            text=query_text,
            vector=vector,
            images=images,
            exclude=frozenset(profile.liked)
            | frozenset(profile.disliked)
            | frozenset(profile.seen),
            demote=demote,
        )
        return Retriever(data, self.index, s.candidates).candidates(query)

    def order(
        self,
        data: CatalogData,
        candidates: Candidates,
        k: int | None = None,
        weights: dict[str, float] | None = None,
    ) -> list[ScoredItem]:
        """Fusion + MMR over retrieved candidates (the second half of ``rank``).

        ``weights`` replaces the configured ones (settings, then the catalogue's fusion.json):
        evaluation ablates and tunes them on candidates retrieved once.
        """
        s = self.settings
        if len(candidates.positions) == 0:
            return []
        if weights is None:
            weights = {**s.weights, **data.weights}
        fused = fuse(candidates.signals, weights)
        picked = mmr(fused.score, data.text[candidates.positions], k or s.top_k, s.mmr_lambda)
        return [
            ScoredItem(
                item=data.items[int(candidates.positions[j])],
                score=float(fused.score[j]),
                signals={name: float(part[j]) for name, part in fused.contributions.items()},
            )
            for j in picked
        ]

    # ---- feedback -------------------------------------------------------------------------

    def feedback(self, session: Session, item_id: str, liked: bool) -> Profile:
        """A thumbs-up or thumbs-down on one item; returns the new profile."""
        data = self.catalog(session.catalog)
        if item_id not in data.position:
            raise CatalogError(f"no item {item_id!r} in catalogue {session.catalog!r}")
        session.profile = merge(session.profile, like(item_id, liked))
        return session.profile

    def describe(self, session: Session) -> str:
        data = self._catalogs.get(session.catalog)
        return describe_profile(session.profile, data.titles if data else None)


def shown_before(session: Session) -> frozenset[str]:
    """Items shown in the last three turns: the ranking pushes them down."""
    return frozenset(i for turn in session.shown[-3:] for i in turn)


def load_session(path: Path, catalog: str | None, default: str = "movies") -> Session:
    """A session file, or a new session when the file does not exist yet.

    ``catalog`` is the one asked for explicitly (an existing file must belong to it);
    ``default`` names the catalogue of a new session when none is asked for.
    """
    if path.is_file():
        try:
            session = Session.model_validate_json(path.read_text(encoding="utf-8"))
        except ValueError as e:
            raise CatalogError(f"{path} is not a Magpie session file: {e}") from e
        if catalog and catalog != session.catalog:
            raise CatalogError(f"{path} belongs to catalogue {session.catalog!r}, not {catalog!r}")
        return session
    return Session(catalog=catalog or default)


def save_session(session: Session, path: Path) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_text(session.model_dump_json(indent=1), encoding="utf-8")
    tmp.replace(path)
