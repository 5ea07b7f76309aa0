"""The turn, wired: read (understand the input, then the message) -> profile -> rank -> reply
(explain) -> session.

``Recommender.turn`` is a generator of typed events (``events.py``) so a UI can show the
transcript, the cards and the streamed reply as each becomes ready; ``Recommender.ask`` runs a
whole turn and returns its ``TurnResult``. The engine is shared by every session of a process
and keeps no per-turn state: everything about a turn travels in its events and its result.
``Recommender.from_settings`` is the one place that builds real models; tests pass fakes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from recommender.catalogue.registry import Catalogues
from recommender.config import Settings
from recommender.errors import CatalogError, LLMError, MagpieError
from recommender.events import Done, Heard, ItemsRanked, ProfileRead, Seen, Token, TurnEvent
from recommender.models.registry import ROLES, Models
from recommender.profile import like, llm_update, merge, query_text, update
from recommender.rank.constraints import notes as constraint_notes
from recommender.rank.ranking import Ranker
from recommender.read import gloss, stance
from recommender.read.reading import Reading, read_message
from recommender.read.understand import understand
from recommender.reply.explain import Explainer
from recommender.reply.prompts import PromptBook
from recommender.reply.situation import situation
from recommender.reply.strings import DEFAULT as DEFAULT_LANGUAGE
from recommender.reply.strings import message_language, supported
from recommender.reply.templates import describe_profile
from recommender.schemas import (
    Change,
    ChatMessage,
    ImageRef,
    Notice,
    Profile,
    ScoredItem,
    Session,
    TurnResult,
)
from recommender.sessions import said_so_far, shown_before
from recommender.text import at_most, keyword_tokens

if TYPE_CHECKING:
    from recommender.catalogue.catalogue import Catalogue
    from recommender.catalogue.index import VectorIndex

__all__ = ["Models", "Recommender"]

log = logging.getLogger(__name__)

_SHOWN_TURNS_KEPT = 20  # lists remembered per session (for "#2" and demoting repeats)


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
        self.catalogues = Catalogues(settings, index, models)
        self.ranker = Ranker(settings, models, index)

    @classmethod
    def from_settings(cls, settings: Settings) -> Recommender:
        """Real models (loaded lazily, once per process) and the configured Chroma index."""
        from recommender.catalogue.index import VectorIndex
        from recommender.models.registry import real_models

        return cls(settings, real_models(settings), VectorIndex(settings))

    # ---- catalogues and start-up ------------------------------------------------------

    def catalogs(self) -> list[str]:
        return self.catalogues.names()

    def catalog(self, name: str, progress: bool = False) -> Catalogue:
        return self.catalogues.get(name, progress)

    def add_catalog(self, data: Catalogue) -> None:
        self.catalogues.add(data)

    def warm(
        self, catalogs: Sequence[str] = (), progress: Callable[[str], None] | None = None
    ) -> dict[str, float]:
        """Load every model and the given catalogues now (start-up), not on the first turn.

        Returns seconds per step; ``progress`` hears a line before each step (a status line).
        A model that cannot load is logged and left off (its inputs then get a notice).
        """
        timings: dict[str, float] = {}
        for role in ROLES:
            if progress:
                progress(f"loading the {role} model")
            t = time.perf_counter()
            try:
                self.models.get(role)
            except MagpieError as e:
                log.warning("the %s model is unavailable: %s", role, e)
            timings[f"model_{role}"] = time.perf_counter() - t
        if progress:
            progress("loading the Chinese word segmenter")
        t = time.perf_counter()
        gloss.warm()
        timings["chinese_words"] = time.perf_counter() - t
        if progress:
            progress("loading the English parser")
        t = time.perf_counter()
        stance.warm()
        timings["parser"] = time.perf_counter() - t
        for catalog in catalogs:
            if progress:
                progress(f"opening the {catalog} catalogue")
            t = time.perf_counter()
            try:
                self.catalog(catalog, progress=progress is not None).topic_keywords  # noqa: B018
            except MagpieError as e:  # the other catalogues still open
                log.warning("the %s catalogue is unavailable: %s", catalog, e)
            timings[f"catalog_{catalog}"] = time.perf_counter() - t
        return timings

    def new_session(self, catalog: str | None = None) -> Session:
        return Session(catalog=catalog or self.settings.catalog)

    # ---- a turn -----------------------------------------------------------------------

    def ask(
        self,
        session: Session,
        text: str = "",
        images: Sequence[Any] = (),
        audio: Any = None,
        language: str | None = None,
    ) -> TurnResult:
        """Run a whole turn; ``session`` is updated in place."""
        result = TurnResult()
        for event in self.turn(session, text, images, audio, language):
            if isinstance(event, Done):
                result = event.result
        return result

    def turn(
        self,
        session: Session,
        text: str = "",
        images: Sequence[Any] = (),
        audio: Any = None,
        language: str | None = None,
    ) -> Iterator[TurnEvent]:
        """The turn's events. ``language`` ("en", "zh") fixes the reply's language (the page's
        selector); None: the message's own, else the conversation's last, else English."""
        s = self.settings
        text = at_most(text, s.max_text_chars)  # the command line and the API enter here too
        timer = _Timer()
        data = self.catalog(session.catalog)
        before = session.profile  # a 👍/👎 given while this turn runs replaces it: kept below
        t = timer.start
        # The turn's language, known before anything is read (its notices are rendered in it where
        # they are shown): the selector's, else the typed message's, else the conversation's. A
        # voice note alone speaks the language it was said in (below).
        lang = supported(language or message_language(text) or session.language or DEFAULT_LANGUAGE)

        heard = understand(
            text,
            images,
            audio,
            image_encoder=self.models.optional("image") if images else None,
            transcriber=self.models.optional("speech") if audio is not None else None,
            limits=s,
        )
        llm = self.models.optional("llm")
        t = timer.mark("understand", t)
        if heard.transcript is not None:
            yield Heard(heard.transcript, timer.elapsed(), heard.transcript_language)
        if heard.images:
            yield Seen(heard.image_words, timer.elapsed())

        t = time.perf_counter()
        reading = self._read(session, heard.text, data)
        if language is None and not message_language(text) and message_language(heard.text):
            lang = supported(reading.language)  # a voice note without typed words
        if llm is None and self.models.failure("llm") is not None:
            heard.notices.append(Notice("chat.no_llm"))
        heard.notices.extend(reading.critique.notes)
        absent = not_stocked(reading.things, data)
        if absent:  # "headphones" in a shop that sells none: say so, show the nearest
            heard.notices.append(Notice("chat.not_stocked", {"words": ", ".join(absent)}))
        t = timer.mark("profile_rules", t)
        profile = self._profile(session, reading, heard.images, data, timer, t)
        t = time.perf_counter()
        yield ProfileRead(profile, timer.elapsed(), lang)

        candidates = self.ranker.retrieve(
            data,
            profile,
            query_text(profile, heard.image_words),
            demote=shown_before(session),
            said="" if reading.said.fresh else said_so_far(session),
        )
        items = self.ranker.order(data, candidates)
        heard.notices.extend(constraint_notes(candidates.gate, lang))
        t = timer.mark("retrieve_score", t)
        yield ItemsRanked(items, timer.elapsed())

        explainer = Explainer(
            llm,
            self.prompts,
            data.spec.domain,
            s.llm_max_tokens,
            llm_reasons=s.llm_reasons,
            # From when the reply starts: time spent waiting for a reply slot is not its own.
            deadline=time.perf_counter() + s.turn_deadline_s,
            language=lang,
            liked=[data.items[data.position[i]] for i in profile.liked if i in data.position],
            share=data.share,
            spec=data.spec,
        )
        explanation = explainer.explain(
            heard.text or query_text(profile, heard.image_words),
            profile,
            items,
            data.titles,
            situation(reading, profile, data),
        )
        first = None
        for piece in explanation:
            if first is None:
                first = timer.elapsed()
            yield Token(piece, timer.elapsed())
        reply, reasons = explanation.finish()
        timer.mark("explain", t)
        timer.stages["first_token"] = first if first is not None else timer.elapsed()
        items = [
            ScoredItem(i.item, i.score, i.signals, r) for i, r in zip(items, reasons, strict=True)
        ]
        self._remember(
            session,
            heard.text,
            heard.transcript,
            reply,
            items,
            profile,
            before,
            bool(reading.said.fresh),
        )
        session.language = lang
        timer.stages["turn"] = timer.elapsed()
        result = TurnResult(
            heard.transcript,
            heard.image_words,
            session.profile,  # with any 👍/👎 given while the turn ran
            items,
            reply,
            heard.notices,
            dict(timer.stages),
            lang,
        )
        yield Done(result, timer.elapsed())

    def _read(self, session: Session, text: str, data: Catalogue) -> Reading:
        shown = [data.items[data.position[i]] for i in session.last_shown() if i in data.position]
        last = session.history[-1] if session.history else None
        asked = last.content if last is not None and last.role == "assistant" else ""
        return read_message(text, data.titles, data.vocabulary, shown, data.spec, asked)

    def _profile(
        self,
        session: Session,
        reading: Reading,
        images: Sequence[ImageRef],
        data: Catalogue,
        timer: _Timer,
        since: float,
    ) -> Profile:
        """The session's profile after this message (the session itself is not changed)."""
        llm_change = None
        if self.settings.profile_llm and reading.text and not reading.critique.only_critique:
            llm = self.models.optional("llm")
            if llm is not None:
                try:
                    llm_change = llm_update(
                        llm,
                        self.prompts,
                        session.history,
                        reading.text,
                        data.titles,
                        data.vocabulary,
                        history_turns=self.settings.max_history_turns,
                        ranged=data.spec.ranged,
                    )
                except LLMError as e:
                    log.warning("LLM profile update skipped: %s", e)
                timer.mark("profile_llm", since)
        return update(session.profile, reading, images, llm_change)

    def _remember(
        self,
        session: Session,
        text: str,
        transcript: str | None,
        reply: str,
        items: list[ScoredItem],
        profile: Profile,
        before: Profile,
        new_request: bool = False,
    ) -> None:
        """The turn into the session: its messages, its list and its profile, with the votes
        given while it ran (they changed the session's profile from ``before``), and whether the
        message began a new request."""
        now = session.profile
        voted = Change(
            liked=tuple(i for i in now.liked if i not in before.liked),
            disliked=tuple(i for i in now.disliked if i not in before.disliked),
        )
        if text:
            marked = f"🎤 {transcript}" if transcript and text == transcript else text
            session.history.append(
                ChatMessage(role="user", content=marked, new_request=new_request)
            )
        session.history.append(ChatMessage(role="assistant", content=reply))
        session.history = session.history[-2 * max(self.settings.max_history_turns, 1) * 4 :]
        session.shown.append([i.item.id for i in items])
        session.shown = session.shown[-_SHOWN_TURNS_KEPT:]
        session.profile = merge(profile, voted)

    def read_message(
        self, session: Session, text: str, data: Catalogue | None = None
    ) -> tuple[Profile, str]:
        """A typed message read into the profile as a turn reads it (the session is left as it
        was): the new profile and the text retrieval matches. Evaluation replays dialogues so."""
        profile, query, _ = self.read_turn(session, text, data)
        return profile, query

    def read_turn(
        self, session: Session, text: str, data: Catalogue | None = None
    ) -> tuple[Profile, str, bool]:
        """``read_message``, and whether the message begins a new request (it replaces the
        earlier wishes: "something like X instead")."""
        data = data or self.catalog(session.catalog)
        reading = self._read(session, text, data)
        profile = self._profile(session, reading, [], data, _Timer(), time.perf_counter())
        return profile, query_text(profile), bool(reading.said.fresh)

    # ---- ranking (the same path evaluation uses) --------------------------------------

    def rank(self, data: Catalogue, profile: Profile, query: str, **kw: Any) -> list[ScoredItem]:
        return self.ranker.rank(data, profile, query, **kw)

    # ---- feedback ---------------------------------------------------------------------

    def feedback(self, session: Session, item_id: str, liked: bool) -> Profile:
        """A thumbs-up or thumbs-down on one item; returns the new profile."""
        data = self.catalog(session.catalog)
        if item_id not in data.position:
            raise CatalogError(key="notice.no_such_item")  # the id is not echoed: it is input
        session.profile = merge(session.profile, like(item_id, liked))
        return session.profile

    def describe(self, session: Session) -> str:
        data = self.catalogues.loaded(session.catalog)
        titles = data.titles if data else None
        return describe_profile(session.profile, titles, session.language or DEFAULT_LANGUAGE)


def not_stocked(things: Sequence[str], data: Catalogue) -> list[str]:
    """The things asked for (``Reading.things``) that no item's text names, in any form the
    keyword index keeps ("headphones" in a shop that sells none)."""
    return [
        thing
        for thing in things
        if (tokens := keyword_tokens(thing)) and not any(data.keywords.knows(t) for t in tokens)
    ]
