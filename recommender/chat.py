"""What each button and message of the page does, over one engine and per-session state.

``ChatHandlers`` holds the process-wide ``Recommender``; every method takes the person's state
(the engine ``Session``, the chat log, their uploaded files) and returns it, so nothing about a
person lives in the handlers. Handlers return named outputs (``TurnOutputs``, ``VoteOutputs``,
``ResetOutputs``); ``ui.py`` binds each field to its component by the same names. The engine's
typed turn events become page state in one place, ``TurnView.show``. The chat log is a list of
Chatbot messages plus our own ``items`` key on replies (the item records a reply showed), which
👍/👎 on a message needs.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from .cards import CardStyle, md_escape, profile_markdown, render_cards
from .errors import MagpieError
from .events import ItemsRanked
from .schemas import Profile, ScoredItem, Session
from .slots import ReplySlots
from .text import clean_text
from .views import Log, ResetOutputs, TurnOutputs, TurnView, VoteOutputs, chat_view

if TYPE_CHECKING:
    from .config import Settings
    from .pipeline import Recommender

__all__ = ["ChatHandlers", "delete_uploads", "split_files"]

log = logging.getLogger(__name__)

_IMAGE_EXT = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff"}
_AUDIO_EXT = {".wav", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".flac", ".webm", ".aac"}


def split_files(paths: list[str]) -> tuple[list[str], str | None, list[str]]:
    """Photos, the voice note (the first audio file) and notices about what was left out.

    >>> split_files(["a.JPG", "b.wav", "c.mp3", "d.pdf"])[0:2]
    (['a.JPG'], 'b.wav')
    """
    images, audio, notes = [], None, []
    for path in paths:
        ext = Path(path).suffix.lower()
        kind = (mimetypes.guess_type(path)[0] or "").split("/")[0]
        if ext in _IMAGE_EXT:  # by suffix only: an SVG ("image/svg+xml") is a document
            images.append(path)
        elif ext in _AUDIO_EXT or kind == "audio":
            if audio is None:
                audio = path
            else:
                notes.append(
                    f"I listen to one voice note a message; {Path(path).name} was skipped."
                )
        else:
            notes.append(f"I can read photos and voice notes; {Path(path).name} was skipped.")
    return images, audio, notes


def _echoable(path: str, limits: Settings) -> bool:
    """A photo may be shown back in the chat: small enough, and its header declares no more
    pixels than a photo may have (checked without decoding it)."""
    try:
        if Path(path).stat().st_size > limits.max_upload_mb * 2**20:
            return False
        from PIL import Image

        with Image.open(path) as image:
            return image.width * image.height <= limits.max_image_pixels
    except Exception:  # unreadable: not shown back; the turn says what went wrong
        return False


def delete_uploads(paths: list[str] | None) -> None:
    """Delete files Gradio stored for a session (only inside Gradio's upload folder)."""
    root = Path(gr.utils.get_upload_folder()).resolve()
    for raw in paths or []:
        try:
            path = Path(raw).resolve()
            if root in path.parents and path.is_file():
                path.unlink()
                if path.parent != root and not any(path.parent.iterdir()):
                    path.parent.rmdir()
        except OSError as e:
            log.warning("could not delete upload %s: %s", raw, e)


def _reply_items(log_: Log, index: int) -> list[dict[str, Any]]:
    """The items of the reply at ``index``, or of the reply in the same run of assistant
    messages (the Chatbot groups "I see", the reply and notices into one bubble)."""
    if log_[index]["role"] != "assistant":
        return []
    start = end = index
    while start > 0 and log_[start - 1]["role"] == "assistant":
        start -= 1
    while end + 1 < len(log_) and log_[end + 1]["role"] == "assistant":
        end += 1
    for message in log_[start : end + 1]:
        if message.get("items"):
            return list(message["items"])
    return []


class ChatHandlers:
    """The page's event handlers; ``default_catalog`` is used until a person picks one."""

    def __init__(self, rec: Recommender, default_catalog: str) -> None:
        self.rec = rec
        self.default_catalog = default_catalog
        # Cards are computed for everyone at once (ms of work each); the reply, the slow part,
        # takes one of ``turn_concurrency`` slots, in arrival order.
        self.reply_slots = ReplySlots(rec.settings.turn_concurrency)

    # ---- views ----

    def style(self, catalog: str) -> CardStyle:
        try:
            spec = self.rec.catalogues.spec(catalog)
        except MagpieError:
            return CardStyle()
        return CardStyle(spec.card_attributes, spec.card_format)

    def profile_view(self, session: Session | None, profile: Profile | None = None) -> str:
        if session is None:
            return profile_markdown(Profile(), catalog=self.default_catalog)
        loaded = self.rec.catalogues.loaded(session.catalog)
        return profile_markdown(
            profile or session.profile,
            loaded.titles.title if loaded is not None else None,
            catalog=session.catalog,
        )

    def last_items(self, session: Session, log_: Log) -> list[ScoredItem]:
        """The items of the latest reply that showed any, rebuilt from the catalogue."""
        for message in reversed(log_):
            if message.get("items"):
                data = self.rec.catalog(session.catalog)
                return [
                    ScoredItem(
                        data.items[data.position[r["id"]]], r["score"], r["signals"], r["reason"]
                    )
                    for r in message["items"]
                    if r["id"] in data.position
                ]
        return []

    def _cards(self, session: Session, log_: Log, profile: Profile) -> str:
        return render_cards(
            self.last_items(session, log_), profile, style=self.style(session.catalog)
        )

    # ---- a turn ----

    def chat(
        self,
        message: dict[str, Any] | None,
        catalog: str,
        session: Session | None,
        log_: Log | None,
        uploads: list[str] | None,
    ) -> Iterator[TurnOutputs]:
        """A message (text, photos, a voice note) in; the turn streamed out."""
        yield from self._turn(message or {}, catalog, session, log_, uploads, refresh=False)

    def refresh(
        self, catalog: str, session: Session | None, log_: Log | None, uploads: list[str] | None
    ) -> Iterator[TurnOutputs]:
        """A turn without a message: new picks after the 👍/👎 given since the last one."""
        if session is None or not session.shown:
            gr.Info("Ask for something first; then rate the cards and refresh.")
        yield from self._turn({}, catalog, session, log_, uploads, refresh=True)

    def _turn(
        self,
        message: dict[str, Any],
        catalog: str,
        session: Session | None,
        log_: Log | None,
        uploads: list[str] | None,
        refresh: bool,
    ) -> Iterator[TurnOutputs]:
        text = (message.get("text") or "").strip()
        files = [str(f) for f in message.get("files") or []]
        log_ = list(log_ or [])
        uploads = list(uploads or []) + files
        catalog = catalog or self.default_catalog
        if session is None or session.catalog != catalog:
            session, log_ = self.rec.new_session(catalog), []
        images, audio, notes = split_files(files)
        # The box is emptied when its message is taken; a refresh leaves what is typed there.
        clear: dict[str, Any] = {} if refresh else {"value": None}
        box_busy = gr.MultimodalTextbox(interactive=False, **clear)
        box_free = gr.MultimodalTextbox(interactive=True, **clear)
        view = TurnView(
            log=log_,
            profile=session.profile,
            cards=self._cards(session, log_, session.profile),
            style=self.style(session.catalog),
            notes=notes,
            record={"catalog": session.catalog, "status": "streaming"},
        )

        def out(box: Any = box_busy) -> TurnOutputs:
            return TurnOutputs(
                turn=dict(view.record),
                profile_record=view.profile.public(),
                profile=self.profile_view(session, view.profile),
                chat=chat_view(view.log),
                cards=view.cards,
                box=box,
                session=session,
                log=view.log,
                uploads=uploads,
            )

        if refresh and session.shown:
            log_.append({"role": "user", "content": "↻ *Refresh my picks with my ratings*"})
        elif text or images or audio:
            # Shown as the engine reads it: cut to max_text_chars, control and bidi characters
            # dropped; files shown back only when they are pictures within the limits (a
            # decompression bomb is not handed to the browser to decode).
            shown, _ = clean_text(text, self.rec.settings.max_text_chars)
            parts: list[Any] = [md_escape(shown)] if shown else []
            parts += [{"path": p} for p in images if _echoable(p, self.rec.settings)]
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
            for event in self.rec.turn(session, text, images=images, audio=audio):
                view.show(event)
                yield out()
                if isinstance(event, ItemsRanked):
                    # The engine writes the reply only when asked for the next event: wait
                    # for a reply slot here, with the cards already on screen.
                    yield from self._wait_for_slot(view, out)
                    holding = True
        except MagpieError as e:  # bad input or a failing model: say so, keep the session
            log.info("turn stopped: %s", e)
            view.fail(str(e), session.profile)
        except Exception:
            log.exception("turn failed")
            view.fail(
                "Something went wrong on my side. Your conversation is kept; please try again.",
                session.profile,
            )
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
            plural = "reply" if ahead == 1 else "replies"
            view.log[view.at]["content"] = f"… (writing {ahead} other {plural} first)"
            waited = True
            yield out()
        if waited:
            view.log[view.at]["content"] = "…"  # our turn: the reply comes next

    # ---- feedback ----

    def vote(
        self, item: str, liked: bool, session: Session | None, log_: Log | None
    ) -> VoteOutputs:
        """👍 (liked true) or 👎 on one item: a card number such as "#2", or an item id."""
        if session is None:
            raise gr.Error("Ask for something first, then rate the cards.")
        items = self.last_items(session, log_ or [])
        ref = (item or "").strip()
        item_id = ref
        if ref.startswith("#") and ref[1:].isdigit():
            n = int(ref[1:])
            if not 1 <= n <= len(items):
                raise gr.Error(f"There is no card {ref} on screen.")
            item_id = items[n - 1].item.id
        try:
            profile = self.rec.feedback(session, item_id, bool(liked))
        except MagpieError as e:
            raise gr.Error(str(e)) from e
        return VoteOutputs(
            profile.public(),
            self.profile_view(session),
            self._cards(session, log_ or [], profile),
            session,
        )

    def card_vote(
        self, session: Session | None, log_: Log | None, evt: gr.EventData
    ) -> VoteOutputs:
        """A 👍/👎 button on a card (the cards' HTML sends the item id and the vote)."""
        item = getattr(evt, "item", "")
        liked = getattr(evt, "liked", False)
        return self.vote(str(item or ""), bool(liked), session, log_)

    def message_vote(
        self, session: Session | None, log_: Log | None, evt: gr.LikeData
    ) -> VoteOutputs:
        """👍/👎 on a reply rates every item that reply showed."""
        log_ = log_ or []
        index = evt.index
        skip = VoteOutputs(gr.skip(), gr.skip(), gr.skip(), gr.skip())
        if session is None or not isinstance(index, int) or not 0 <= index < len(log_):
            return skip
        liked = {True: True, "Like": True, False: False, "Dislike": False}.get(evt.liked)
        records = _reply_items(log_, index)
        if liked is None or not records:
            return skip
        for r in records:
            try:
                self.rec.feedback(session, r["id"], liked)
            except MagpieError as e:
                log.info("message feedback skipped: %s", e)
        word = "more" if liked else "less"
        gr.Info(f"Noted: {word} like the {len(records)} picks of that reply.")
        profile = session.profile
        return VoteOutputs(
            profile.public(),
            self.profile_view(session),
            self._cards(session, log_, profile),
            session,
        )

    # ---- resets ----

    def new_conversation(
        self, catalog: str, session: Session | None, uploads: list[str] | None
    ) -> ResetOutputs:
        """A fresh chat; what was liked, disliked or seen in this catalogue is kept."""
        fresh = self.rec.new_session(catalog or self.default_catalog)
        if session is not None and session.catalog == fresh.catalog:
            kept = session.profile
            fresh.profile = Profile(liked=kept.liked, disliked=kept.disliked, seen=kept.seen)
        return self._cleared(fresh, uploads, "New conversation: what you rated is kept.")

    def forget_me(
        self, catalog: str, session: Session | None, uploads: list[str] | None
    ) -> ResetOutputs:
        """Everything about this person goes: profile, chat and uploaded files."""
        delete_uploads(uploads)
        fresh = self.rec.new_session(catalog or self.default_catalog)
        return self._cleared(fresh, [], "Forgotten: your profile, chat and uploads are gone.")

    def switch_catalog(self, catalog: str, uploads: list[str] | None) -> ResetOutputs:
        """Another catalogue: a new conversation (item ids differ between catalogues)."""
        fresh = self.rec.new_session(catalog or self.default_catalog)
        try:
            self.rec.catalog(fresh.catalog, progress=True)
        except MagpieError as e:
            raise gr.Error(str(e)) from e
        return self._cleared(fresh, uploads, f"Catalogue: {fresh.catalog}. What do you like?")

    def _cleared(self, fresh: Session, uploads: list[str] | None, note: str) -> ResetOutputs:
        return ResetOutputs(
            turn={"catalog": fresh.catalog, "status": "reset"},
            profile_record=fresh.profile.public(),
            profile=self.profile_view(fresh),
            chat=[],
            cards=render_cards([], note=note),
            session=fresh,
            log=[],
            uploads=list(uploads or []),
        )
