"""What each button and message of the page does, over one engine and per-session state.

``ChatHandlers`` holds the process-wide ``Recommender``; every method takes the person's state
(the engine ``Session``, the chat log, their uploaded files) and returns it, so nothing about a
person lives in the handlers. The chat log is a list of Chatbot messages plus our own ``items``
key on replies (the item records a reply showed), which 👍/👎 on a message needs.
"""

from __future__ import annotations

import logging
import mimetypes
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from .cards import md_escape, profile_markdown, render_cards
from .errors import MagpieError
from .schemas import Profile, ScoredItem, Session

if TYPE_CHECKING:
    from .pipeline import Recommender

__all__ = ["ChatHandlers", "delete_uploads", "split_files"]

log = logging.getLogger(__name__)

_IMAGE_EXT = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff"}
_AUDIO_EXT = {".wav", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".flac", ".webm", ".aac"}

Log = list[dict[str, Any]]


def split_files(paths: list[str]) -> tuple[list[str], str | None, list[str]]:
    """Photos, the voice note (the first audio file) and notices about what was left out.

    >>> split_files(["a.JPG", "b.wav", "c.mp3", "d.pdf"])[0:2]
    (['a.JPG'], 'b.wav')
    """
    images, audio, notes = [], None, []
    for path in paths:
        ext = Path(path).suffix.lower()
        kind = (mimetypes.guess_type(path)[0] or "").split("/")[0]
        if ext in _IMAGE_EXT or kind == "image":
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


def _item_record(n: int, s: ScoredItem) -> dict[str, Any]:
    item = s.item
    return {
        "number": n,
        "id": item.id,
        "title": item.title,
        "categories": list(item.categories),
        "attributes": item.attributes,
        "reason": s.reason,
        "score": round(s.score, 6),
        "signals": {k: round(v, 6) for k, v in s.signals.items()},
        "has_image": bool(item.image),
    }


def _listing(items: list[ScoredItem]) -> str:
    """The numbered titles under a reply, so "more like #2" still reads well later."""
    return "\n".join(
        f"{n}. **{md_escape(s.item.title)}**" + (f" — {md_escape(s.reason)}" if s.reason else "")
        for n, s in enumerate(items, start=1)
    )


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


def chat_view(log_: Log) -> Log:
    """The chat log as Chatbot messages (our bookkeeping keys left out)."""
    return [{"role": m["role"], "content": m["content"]} for m in log_]


class ChatHandlers:
    """The page's event handlers; ``default_catalog`` is used until a person picks one."""

    def __init__(self, rec: Recommender, default_catalog: str) -> None:
        self.rec = rec
        self.default_catalog = default_catalog

    # ---- views ----

    def profile_view(self, session: Session | None, profile: Profile | None = None) -> str:
        if session is None:
            return profile_markdown(Profile(), catalog=self.default_catalog)
        try:
            titles = self.rec.catalog(session.catalog).titles
        except MagpieError:
            titles = None
        return profile_markdown(
            profile or session.profile,
            titles.title if titles is not None else None,
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

    # ---- a turn ----

    def chat(
        self,
        message: dict[str, Any] | None,
        catalog: str,
        session: Session | None,
        log_: Log | None,
        uploads: list[str] | None,
    ) -> Iterator[tuple[Any, ...]]:
        """A message (text, photos, a voice note) in; the turn streamed out."""
        yield from self._turn(message or {}, catalog, session, log_, uploads, refresh=False)

    def refresh(
        self, catalog: str, session: Session | None, log_: Log | None, uploads: list[str] | None
    ) -> Iterator[tuple[Any, ...]]:
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
    ) -> Iterator[tuple[Any, ...]]:
        rec = self.rec
        text = (message.get("text") or "").strip()
        files = [str(f) for f in message.get("files") or []]
        log_ = list(log_ or [])
        uploads = list(uploads or []) + files
        catalog = catalog or self.default_catalog
        if session is None or session.catalog != catalog:
            session, log_ = rec.new_session(catalog), []
        images, audio, notes = split_files(files)
        # The box is emptied when its message is taken; a refresh leaves what is typed there.
        clear: dict[str, Any] = {} if refresh else {"value": None}
        box_busy = gr.MultimodalTextbox(interactive=False, **clear)
        box_free = gr.MultimodalTextbox(interactive=True, **clear)
        record: dict[str, Any] = {"catalog": session.catalog, "status": "streaming"}
        profile = session.profile
        cards = render_cards(self.last_items(session, log_), profile)

        def out(box: Any = box_busy) -> tuple[Any, ...]:
            return (
                dict(record),
                profile.public(),
                self.profile_view(session, profile),
                chat_view(log_),
                cards,
                box,
                session,
                log_,
                uploads,
            )

        if refresh and session.shown:
            log_.append({"role": "user", "content": "↻ *Refresh my picks with my ratings*"})
        elif text or images or audio:
            parts: list[Any] = [md_escape(text)] if text else []  # shown as typed
            parts += [{"path": p} for p in [*images, *([audio] if audio else [])]]
            log_.append({"role": "user", "content": parts})
        else:
            if notes:
                log_.append({"role": "assistant", "content": "⚠️ " + md_escape(" ".join(notes))})
            yield out(box_free)
            return
        at = len(log_)  # where the reply goes; "heard" and "I see" are put before it
        log_.append({"role": "assistant", "content": "…"})
        yield out()

        started = time.perf_counter()
        reply = ""
        try:
            for event in rec.turn(session, text, images=images, audio=audio):
                if event.kind == "heard":
                    heard = f"🎤 *heard:* “{md_escape(event.data)}”" if event.data else "🎤 …"
                    log_.insert(at, {"role": "user", "content": heard})
                    at += 1
                elif event.kind == "seen":
                    words = md_escape(", ".join(event.data) or "nothing I can name")
                    log_.insert(at, {"role": "assistant", "content": f"👀 I see: {words}"})
                    at += 1
                elif event.kind == "profile":
                    profile = event.data
                elif event.kind == "items":
                    record["cards_s"] = round(time.perf_counter() - started, 3)
                    record["items"] = [_item_record(n, s) for n, s in enumerate(event.data, 1)]
                    # No 👍/👎 yet: a vote now would race the turn that is writing the profile.
                    cards = render_cards(event.data, profile, votes=False, note="Writing reasons…")
                elif event.kind == "token":
                    record.setdefault("first_token_s", round(time.perf_counter() - started, 3))
                    reply += event.data
                    log_[at]["content"] = md_escape(reply)
                elif event.kind == "done":
                    result = event.data
                    profile = result.profile
                    record.update(result.to_json())
                    record["items"] = [_item_record(n, s) for n, s in enumerate(result.items, 1)]
                    body = md_escape(result.reply.strip()) or "Here is what I found."
                    if result.items:
                        body += "\n\n" + _listing(result.items)
                    log_[at] = {"role": "assistant", "content": body, "items": record["items"]}
                    for notice in [*notes, *result.notices]:
                        log_.append({"role": "assistant", "content": "⚠️ " + md_escape(notice)})
                    empty = "" if result.items else "Nothing matched; try saying it another way."
                    cards = render_cards(result.items, profile, note=empty)
                yield out()
        except MagpieError as e:  # bad input or a failing model: say so, keep the session
            log.info("turn stopped: %s", e)
            log_[at] = {"role": "assistant", "content": "⚠️ " + md_escape(str(e))}
            profile = session.profile
        except Exception:
            log.exception("turn failed")
            log_[at] = {
                "role": "assistant",
                "content": "⚠️ Something went wrong on my side. Your conversation is kept; "
                "please try again.",
            }
            profile = session.profile
        record["status"] = "done"
        record["turn_s"] = round(time.perf_counter() - started, 3)
        log.info(
            "turn: cards %s s, first token %s s, whole %s s",
            record.get("cards_s"),
            record.get("first_token_s"),
            record["turn_s"],
        )
        yield out(box_free)

    # ---- feedback ----

    def vote(
        self, item: str, liked: bool, session: Session | None, log_: Log | None
    ) -> tuple[Any, ...]:
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
        return profile.public(), self.profile_view(session), render_cards(items, profile), session

    def card_vote(
        self, session: Session | None, log_: Log | None, evt: gr.EventData
    ) -> tuple[Any, ...]:
        """A 👍/👎 button on a card (the cards' HTML sends the item id and the vote)."""
        data = getattr(evt, "_data", None) or {}
        return self.vote(str(data.get("item", "")), bool(data.get("liked")), session, log_)

    def message_vote(
        self, session: Session | None, log_: Log | None, evt: gr.LikeData
    ) -> tuple[Any, ...]:
        """👍/👎 on a reply rates every item that reply showed."""
        log_ = log_ or []
        index = evt.index
        if session is None or not isinstance(index, int) or not 0 <= index < len(log_):
            return (gr.skip(),) * 4
        liked = {True: True, "Like": True, False: False, "Dislike": False}.get(evt.liked)
        records = _reply_items(log_, index)
        if liked is None or not records:
            return (gr.skip(),) * 4
        for r in records:
            try:
                self.rec.feedback(session, r["id"], liked)
            except MagpieError as e:
                log.info("message feedback skipped: %s", e)
        word = "more" if liked else "less"
        gr.Info(f"Noted: {word} like the {len(records)} picks of that reply.")
        profile = session.profile
        items = self.last_items(session, log_)
        return profile.public(), self.profile_view(session), render_cards(items, profile), session

    # ---- resets ----

    def new_conversation(
        self, catalog: str, session: Session | None, uploads: list[str] | None
    ) -> tuple[Any, ...]:
        """A fresh chat; what was liked, disliked or seen in this catalogue is kept."""
        fresh = self.rec.new_session(catalog or self.default_catalog)
        if session is not None and session.catalog == fresh.catalog:
            kept = session.profile
            fresh.profile = Profile(liked=kept.liked, disliked=kept.disliked, seen=kept.seen)
        return self._cleared(fresh, uploads, "New conversation: what you rated is kept.")

    def forget_me(
        self, catalog: str, session: Session | None, uploads: list[str] | None
    ) -> tuple[Any, ...]:
        """Everything about this person goes: profile, chat and uploaded files."""
        delete_uploads(uploads)
        fresh = self.rec.new_session(catalog or self.default_catalog)
        return self._cleared(fresh, [], "Forgotten: your profile, chat and uploads are gone.")

    def switch_catalog(self, catalog: str, uploads: list[str] | None) -> tuple[Any, ...]:
        """Another catalogue: a new conversation (item ids differ between catalogues)."""
        fresh = self.rec.new_session(catalog or self.default_catalog)
        try:
            self.rec.catalog(fresh.catalog, progress=True)
        except MagpieError as e:
            raise gr.Error(str(e)) from e
        return self._cleared(fresh, uploads, f"Catalogue: {fresh.catalog}. What do you like?")

    def _cleared(self, fresh: Session, uploads: list[str] | None, note: str) -> tuple[Any, ...]:
        return (
            {"catalog": fresh.catalog, "status": "reset"},
            fresh.profile.public(),
            self.profile_view(fresh),
            [],
            render_cards([], note=note),
            fresh,
            [],
            list(uploads or []),
        )
