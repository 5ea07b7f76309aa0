"""What each button and message of the page does, over one engine and per-session state.

``ChatHandlers`` holds the process-wide ``Recommender``; every method takes the person's state
(the engine ``Session``, the chat log, their uploaded files) and returns it, so nothing about a
person lives in the handlers. Handlers return named outputs (``TurnOutputs``, ``VoteOutputs``,
``ResetOutputs``); ``ui.py`` binds each field to its component by the same names. The engine's
typed turn events become page state in one place, ``TurnView.show``. The chat log is a list of
Chatbot messages plus our own ``items`` key on replies (the item records a reply showed), which
👍/👎 on a message needs. Everything said is in the person's language (``language_for``): the
page's language selector when set, else their last message's, else their browser's.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from recommender.app import memory
from recommender.app.cards import CardStyle, md_escape, profile_markdown, render_cards
from recommender.app.slots import ReplySlots
from recommender.app.uploads import delete_uploads, echoable, own_copies, split_files
from recommender.app.views import (
    LoadOutputs,
    Log,
    ResetOutputs,
    TurnOutputs,
    TurnView,
    VoteOutputs,
    chat_view,
    reply_items,
)
from recommender.errors import MagpieError
from recommender.events import ItemsRanked
from recommender.reply.strings import SUPPORTED, browser_language, choose, notice, say, supported
from recommender.schemas import Profile, ScoredItem, Session
from recommender.text import at_most, clean_text

if TYPE_CHECKING:
    from recommender.pipeline import Recommender

__all__ = ["ChatHandlers", "delete_uploads", "split_files"]

log = logging.getLogger(__name__)


class ChatHandlers:
    """The page's event handlers; ``default_catalog`` is used until a person picks one."""

    def __init__(self, rec: Recommender, default_catalog: str) -> None:
        self.rec = rec
        self.default_catalog = default_catalog
        # Cards are computed for everyone at once (ms of work each); the reply, the slow part,
        # takes one of ``turn_concurrency`` slots, in arrival order.
        self.reply_slots = ReplySlots(rec.settings.turn_concurrency)
        # Per browser session (``gr.Request.session_hash``): how many times it was reset. A turn
        # still running after a reset (new conversation, Forget me, another catalogue) would
        # write the old session back into the page's state; it stops instead.
        self._resets: dict[str, int] = {}
        self._resets_lock = threading.Lock()
        # Per browser session: the catalogues whose remembered profile its session holds. A
        # session made before the browser's copy came back (a message sent while the page was
        # still loading) is folded into the copy, not written over it (``remember``).
        self._recalled: dict[str, set[str]] = {}

    # ---- which turn is current ----

    def _reset_count(self, request: Any) -> tuple[str | None, int]:
        key = getattr(request, "session_hash", None)
        with self._resets_lock:
            return key, self._resets.get(key, 0) if key is not None else 0

    def _reset(self, request: Any) -> None:
        key = getattr(request, "session_hash", None)
        if key is not None:
            with self._resets_lock:
                self._resets[key] = self._resets.get(key, 0) + 1

    def end_session(self, request: gr.Request | None = None) -> None:
        """The browser left (``demo.unload``): nothing is kept of its session."""
        key = getattr(request, "session_hash", None)
        if key is not None:
            with self._resets_lock:
                self._resets.pop(key, None)
                self._recalled.pop(key, None)

    def _while_current(self, request: Any, updates: Iterator[TurnOutputs]) -> Iterator[TurnOutputs]:
        """A turn's updates for as long as its browser session has not been reset since it
        began; after a reset it stops (its slot is freed) and writes nothing more."""
        key, began = self._reset_count(request)
        try:
            for update in updates:
                if key is not None and self._reset_count(request)[1] != began:
                    log.info("a turn outlived a reset of its session: stopped")
                    return
                yield update
        finally:
            close = getattr(updates, "close", None)
            if close is not None:
                close()

    # ---- views ----

    def style(self, catalog: str) -> CardStyle:
        try:
            spec = self.rec.catalogues.spec(catalog)
        except MagpieError:
            return CardStyle()
        return CardStyle.of(spec, self.rec.settings)

    def language_for(
        self, choice: str | None, session: Session | None, text: str, request: Any
    ) -> str:
        """The language to speak now (``strings.choose``)."""
        return choose(choice, text, session.language if session else "", request)

    def profile_view(
        self, session: Session | None, profile: Profile | None = None, lang: str = "en"
    ) -> str:
        if session is None:
            return profile_markdown(Profile(), catalog=self.default_catalog, lang=lang)
        loaded = self.rec.catalogues.loaded(session.catalog)
        return profile_markdown(
            profile or session.profile,
            loaded.titles.title if loaded is not None else None,
            catalog=session.catalog,
            lang=lang,
            fields=loaded.spec.fields if loaded is not None else None,
            formats=loaded.spec.card_format if loaded is not None else None,
        )

    def last_items(self, session: Session, log_: Log) -> list[ScoredItem]:
        """The items of the latest reply that showed any, rebuilt from the catalogue."""
        data = self.rec.catalogues.loaded(session.catalog)  # never a load (nor its errors) here
        if data is None:
            return []
        for message in reversed(log_):
            if message.get("items"):
                return [
                    ScoredItem(
                        data.items[data.position[r["id"]]], r["score"], r["signals"], r["reason"]
                    )
                    for r in message["items"]
                    if r["id"] in data.position
                ]
        return []

    def cards_view(
        self, session: Session | None, log_: Log | None, lang: str, profile: Profile | None = None
    ) -> str:
        """The latest cards, with ``profile``'s votes (default: the session's), in ``lang``."""
        if session is None:
            return render_cards([], lang=lang)
        return render_cards(
            self.last_items(session, log_ or []),
            profile or session.profile,
            style=self.style(session.catalog),
            lang=lang,
        )

    # ---- a turn ----

    def chat(
        self,
        message: dict[str, Any] | None,
        catalog: str,
        session: Session | None,
        log_: Log | None,
        uploads: list[str] | None,
        language: str | None = None,
        request: gr.Request | None = None,
    ) -> Iterator[TurnOutputs]:
        """A message (text, photos, a voice note) in; the turn streamed out. ``language``: the
        selector ("auto", "en", "zh")."""
        yield from self._while_current(
            request,
            self._turn(message or {}, catalog, session, log_, uploads, False, language, request),
        )

    def refresh(
        self,
        catalog: str,
        session: Session | None,
        log_: Log | None,
        uploads: list[str] | None,
        language: str | None = None,
        request: gr.Request | None = None,
    ) -> Iterator[TurnOutputs]:
        """A turn without a message: new picks after the 👍/👎 given since the last one."""
        if session is None or not session.shown:
            lang = self.language_for(language, session, "", request)
            gr.Info(say(lang, "chat.ask_first_refresh"))
        yield from self._while_current(
            request, self._turn({}, catalog, session, log_, uploads, True, language, request)
        )

    def _turn(
        self,
        message: dict[str, Any],
        catalog: str,
        session: Session | None,
        log_: Log | None,
        uploads: list[str] | None,
        refresh: bool,
        language: str | None,
        request: gr.Request | None,
    ) -> Iterator[TurnOutputs]:
        limits = self.rec.settings
        text = at_most(message.get("text"), limits.max_text_chars).strip()
        sent = [str(f) for f in message.get("files") or []]
        files = own_copies(sent[: limits.max_files])  # a thousand files are not copied
        log_ = list(log_ or [])
        uploads = list(uploads or []) + files
        catalog = catalog or self.default_catalog
        if session is None or session.catalog != catalog:
            session, log_ = self.rec.new_session(catalog), []
        if not session.language:  # until the person writes, the browser's language
            session.language = supported(browser_language(request))
        lang = self.language_for(language, session, text, request)
        forced = language if language in SUPPORTED else None  # the engine decides otherwise
        log_ = _bounded(log_, limits.max_chat_messages, say(lang, "chat.trimmed"))
        images, audio, notes = split_files(files, lang)
        if len(sent) > limits.max_files:
            left_out = len(sent) - limits.max_files
            notes.append(say(lang, "chat.files_left_out", limit=limits.max_files, count=left_out))
        # The box is emptied when its message is taken; a refresh leaves what is typed there.
        clear: dict[str, Any] = {} if refresh else {"value": None}
        box_busy = gr.MultimodalTextbox(interactive=False, **clear)
        box_free = gr.MultimodalTextbox(interactive=True, **clear)
        view = TurnView(
            log=log_,
            profile=session.profile,
            cards=self.cards_view(session, log_, lang),
            style=self.style(session.catalog),
            notes=notes,
            record={"catalog": session.catalog, "status": "streaming"},
            lang=lang,
        )

        def out(box: Any = box_busy) -> TurnOutputs:
            return TurnOutputs(
                turn=dict(view.record),
                profile_record=view.profile.public(),
                profile=self.profile_view(session, view.profile, view.lang),
                chat=chat_view(view.log),
                cards=view.cards,
                box=box,
                session=session,
                log=view.log,
                uploads=uploads,
            )

        if refresh and session.shown:
            log_.append({"role": "user", "content": say(lang, "chat.refresh")})
        elif text or images or audio:
            # Shown as the engine reads it: cut to max_text_chars, control and bidi characters
            # dropped; files shown back only when they are pictures within the limits (a
            # decompression bomb is not handed to the browser to decode).
            shown, _ = clean_text(text, self.rec.settings.max_text_chars)
            parts: list[Any] = [md_escape(shown)] if shown else []
            parts += [{"path": p} for p in images if echoable(p, self.rec.settings)]
            parts += [{"path": audio}] if audio else []
            log_.append({"role": "user", "content": parts or ["📎"]})
        else:
            if notes:
                log_.append({"role": "assistant", "content": "⚠️ " + md_escape(" ".join(notes))})
            view.record["status"] = "done"  # nothing to answer: the turn is over, not streaming
            yield out(box_free)
            return
        view.at = len(log_)
        log_.append({"role": "assistant", "content": "…"})
        yield out()

        holding = False
        try:
            for event in self.rec.turn(session, text, images=images, audio=audio, language=forced):
                view.show(event)
                yield out()
                if isinstance(event, ItemsRanked):
                    # The engine writes the reply only when asked for the next event: wait
                    # for a reply slot here, with the cards already on screen.
                    yield from self._wait_for_slot(view, out)
                    holding = True
        except MagpieError as e:  # bad input or a failing model: say so, keep the session
            log.info("turn stopped: %s", e)
            view.fail(notice(view.lang, e), session.profile)
        except Exception:
            log.exception("turn failed")
            view.fail(say(view.lang, "chat.failed"), session.profile)
        finally:
            if holding:
                self.reply_slots.release()
        view.record["status"] = "done"
        view.record["turn_s"] = view.elapsed()
        log.info(
            "turn: cards %s s, first token %s s, whole %s s",
            view.record.get("cards_s"),
            view.record.get("first_token_s"),
            view.record["turn_s"],
        )
        yield out(box_free)

    def _wait_for_slot(self, view: TurnView, out: Any) -> Iterator[TurnOutputs]:
        """Take a reply slot; while waiting, the reply bubble says how many replies are ahead."""
        waited = False
        for ahead in self.reply_slots.wait():
            view.log[view.at]["content"] = (
                say(view.lang, "chat.waiting_one")
                if ahead == 1
                else say(view.lang, "chat.waiting", count=ahead)
            )
            waited = True
            yield out()
        if waited:
            view.log[view.at]["content"] = "…"  # our turn: the reply comes next

    # ---- feedback ----

    def vote(
        self,
        item: str,
        liked: bool,
        session: Session | None,
        log_: Log | None,
        language: str | None = None,
        request: gr.Request | None = None,
    ) -> VoteOutputs:
        """👍 (liked true) or 👎 on one item: a card number such as "#2", or an item id."""
        lang = self.language_for(language, session, "", request)
        if session is None:
            raise gr.Error(say(lang, "chat.ask_first_rate"))
        items = self.last_items(session, log_ or [])
        ref = (item or "").strip()
        item_id = ref
        if ref.startswith("#") and ref[1:].isdigit():
            n = int(ref[1:])
            if not 1 <= n <= len(items):
                raise gr.Error(say(lang, "chat.no_card", ref=ref))
            item_id = items[n - 1].item.id
        try:
            self.rec.feedback(session, item_id, bool(liked))
        except MagpieError as e:
            log.info("vote refused: %s", e)
            raise gr.Error(notice(lang, e)) from e
        return self._voted(session, log_ or [], lang)

    def card_vote(
        self,
        session: Session | None,
        log_: Log | None,
        language: str | None,
        evt: gr.EventData,
        request: gr.Request | None = None,
    ) -> VoteOutputs:
        """A 👍/👎 button on a card (the cards' HTML sends the item id and the vote)."""
        item = getattr(evt, "item", "")
        liked = getattr(evt, "liked", False)
        return self.vote(str(item or ""), bool(liked), session, log_, language, request)

    def message_vote(
        self,
        session: Session | None,
        log_: Log | None,
        language: str | None,
        evt: gr.LikeData,
        request: gr.Request | None = None,
    ) -> VoteOutputs:
        """👍/👎 on a reply rates every item that reply showed."""
        log_ = log_ or []
        lang = self.language_for(language, session, "", request)
        index = evt.index
        skip = VoteOutputs(gr.skip(), gr.skip(), gr.skip(), gr.skip())
        if session is None or not isinstance(index, int) or not 0 <= index < len(log_):
            return skip
        liked = {True: True, "Like": True, False: False, "Dislike": False}.get(evt.liked)
        records = reply_items(log_, index)
        if liked is None or not records:
            return skip
        for r in records:
            try:
                self.rec.feedback(session, r["id"], liked)
            except MagpieError as e:
                log.info("message feedback skipped: %s", e)
        gr.Info(say(lang, "chat.noted_more" if liked else "chat.noted_less", count=len(records)))
        return self._voted(session, log_, lang)

    def _voted(self, session: Session, log_: Log, lang: str) -> VoteOutputs:
        """What the page shows once a vote is in: the profile, its panel and the cards."""
        profile = session.profile
        return VoteOutputs(
            profile.public(),
            self.profile_view(session, lang=lang),
            self.cards_view(session, log_, lang, profile),
            session,
        )

    # ---- resets ----

    def new_conversation(
        self,
        catalog: str,
        session: Session | None,
        uploads: list[str] | None,
        language: str | None = None,
        request: gr.Request | None = None,
    ) -> ResetOutputs:
        """A fresh chat; what was liked, disliked or seen in this catalogue is kept."""
        self._reset(request)
        lang = self.language_for(language, session, "", request)
        fresh = self._fresh(catalog, lang)
        if session is not None and session.catalog == fresh.catalog:
            fresh.profile = memory.lasting(session.profile)
        return self._cleared(fresh, uploads, say(lang, "chat.new_conversation"))

    def forget_me(
        self,
        catalog: str,
        session: Session | None,
        uploads: list[str] | None,
        language: str | None = None,
        request: gr.Request | None = None,
    ) -> ResetOutputs:
        """Everything about this person goes: profile, chat and uploaded files."""
        self._reset(request)
        delete_uploads(uploads)
        lang = self.language_for(language, None, "", request)
        fresh = self._fresh(catalog, lang)
        return self._cleared(fresh, [], say(lang, "chat.forgotten"))

    def switch_catalog(
        self,
        catalog: str,
        uploads: list[str] | None,
        language: str | None = None,
        session: Session | None = None,
        stored: Any = None,
        request: gr.Request | None = None,
    ) -> ResetOutputs:
        """Another catalogue: a new conversation (item ids differ between catalogues), with
        what this browser remembers of the person there."""
        lang = self.language_for(language, session, "", request)
        fresh = self._fresh(catalog, lang)
        try:
            self.rec.catalog(fresh.catalog, progress=True)
        except MagpieError as e:
            log.warning("catalogue %s unavailable: %s", fresh.catalog, e)
            raise gr.Error(notice(lang, e)) from e
        fresh.profile = self._recall(stored, fresh.catalog, request)
        self._reset(request)
        return self._cleared(fresh, uploads, say(lang, "chat.switched", catalog=fresh.catalog))

    # ---- what the browser remembers (memory.py) ----

    def _recall(self, stored: Any, catalog: str, request: Any = None) -> Profile:
        """What the browser remembers in ``catalog`` (items the catalogue still has); the
        session it goes into now holds it."""
        data = self.rec.catalogues.loaded(catalog)
        key = getattr(request, "session_hash", None)
        if key is not None:
            with self._resets_lock:
                self._recalled.setdefault(key, set()).add(catalog)
        return memory.recall(stored, catalog, (lambda i: i in data.position) if data else None)

    def _holds_recall(self, catalog: str, request: Any) -> bool:
        key = getattr(request, "session_hash", None)
        with self._resets_lock:
            return key is None or catalog in self._recalled.get(key, set())

    def welcome(
        self,
        catalog: str,
        stored: Any,
        language: str | None = None,
        request: gr.Request | None = None,
    ) -> tuple[Session, dict[str, Any], str]:
        """The page opens: a session with what this browser remembers of the person in
        ``catalog`` (nothing on a first visit). -> (session, profile_record, profile)."""
        session = self._fresh(catalog, self.language_for(language, None, "", request))
        session.profile = self._recall(stored, session.catalog, request)
        lang = session.language
        return session, session.profile.public(), self.profile_view(session, lang=lang)

    def remember(
        self, session: Session | None, stored: Any, request: gr.Request | None = None
    ) -> Any:
        """The browser's copy after a turn, a vote or a reset: the session's lasting profile.
        A session that never held the copy (made before it came back) is folded into it."""
        if session is None:
            return gr.skip()
        if not self._holds_recall(session.catalog, request):
            kept = self._recall(stored, session.catalog, request)
            session.profile = memory.with_lasting(
                session.profile, memory.folded(kept, session.profile)
            )
        return memory.remember(stored, session.catalog, session.profile)

    def forget_stored(self) -> tuple[dict[str, Any], str]:
        """ "Forget me" clears the browser's copy too, and the last profile file sent down."""
        return memory.forget(), ""

    def export(
        self, session: Session | None, stored: Any, request: gr.Request | None = None
    ) -> str:
        """The profile file to download: what this browser remembers, this session included."""
        if session is not None:
            stored = self.remember(session, stored, request)
        return memory.to_json(stored)

    def load_profile(
        self,
        file: Any,
        catalog: str,
        session: Session | None,
        log_: Log | None,
        language: str | None = None,
        request: gr.Request | None = None,
    ) -> LoadOutputs:
        """A profile file loaded: it becomes what this browser remembers, and the session's
        lasting profile; this conversation's wishes stay. A bad file changes nothing."""
        lang = self.language_for(language, session, "", request)
        path = getattr(file, "name", file)
        try:
            if not path:
                raise MagpieError(key="notice.profile_unreadable")
            loaded = memory.read_file(str(path))
        except MagpieError as e:
            log.info("profile file refused: %s", e)
            gr.Warning(notice(lang, e))
            return LoadOutputs(*(gr.skip() for _ in LoadOutputs._fields))
        finally:
            _discard(path)  # Gradio's copy of the file: read once, not kept
        self._reset(request)  # a reply still streaming must not write the old profile back
        if session is None or session.catalog != (catalog or self.default_catalog):
            session, log_ = self._fresh(catalog, lang), []
        stored = loaded.model_dump(mode="json")
        kept = self._recall(stored, session.catalog, request)
        entry = loaded.catalogues.get(session.catalog)
        wanted = len({*entry.liked, *entry.disliked, *entry.seen}) if entry else 0
        have = len({*kept.liked, *kept.disliked, *kept.seen})
        session.profile = memory.with_lasting(session.profile, kept)
        said = say(
            lang,
            "chat.profile_loaded",
            liked=len(kept.liked),
            disliked=len(kept.disliked),
            seen=len(kept.seen),
            avoided=len(kept.avoided) + len(kept.shunned),
        )
        if wanted > have:
            said += " " + say(lang, "chat.profile_left_out", count=wanted - have)
        gr.Info(said)
        return LoadOutputs(
            stored=stored,
            session=session,
            profile_record=session.profile.public(),
            profile=self.profile_view(session, lang=lang),
            cards=self.cards_view(session, log_, lang),
            chat=chat_view(log_ or []),
            log=log_ or [],
        )

    def _fresh(self, catalog: str, lang: str) -> Session:
        fresh = self.rec.new_session(catalog or self.default_catalog)
        fresh.language = lang
        return fresh

    def _cleared(self, fresh: Session, uploads: list[str] | None, note: str) -> ResetOutputs:
        lang = fresh.language
        return ResetOutputs(
            turn={"catalog": fresh.catalog, "status": "reset"},
            profile_record=fresh.profile.public(),
            profile=self.profile_view(fresh, lang=lang),
            chat=[],
            cards=render_cards([], note=note, lang=lang),
            session=fresh,
            log=[],
            uploads=list(uploads or []),
            box=gr.MultimodalTextbox(interactive=True),
        )


def _discard(path: Any) -> None:
    """Delete Gradio's copy of an uploaded file, and only a file in Gradio's upload folder."""
    if not path:
        return
    try:
        file = Path(str(path)).resolve()
        if Path(gr.utils.get_upload_folder()).resolve() in file.parents and file.is_file():
            file.unlink()
    except OSError as e:
        log.warning("could not delete a loaded profile file: %s", e)


def _bounded(log_: Log, most: int, note: str) -> Log:
    """The chat, its oldest messages dropped beyond ``most`` (every update sends the whole chat
    to the browser), the first line saying so (``note``)."""
    if len(log_) <= most:
        return log_
    return [{"role": "assistant", "content": note}, *log_[-(most - 1) :]]
