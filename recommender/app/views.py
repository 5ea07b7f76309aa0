"""The page's side of a turn: the state it shows, and the named outputs handlers return.

``TurnView.show`` is the one place where the engine's typed events (``events.py``) become what
the page shows: the chat log, the cards, the turn record. ``TurnOutputs``, ``VoteOutputs`` and
``ResetOutputs`` name what each handler returns; ``ui.py`` binds the same names to components,
so no handler depends on a positional order. What the view says is in the turn's language
(``lang``): the page's guess when the turn starts, the engine's once the profile is read.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from recommender.app.cards import CardStyle, md_escape, render_cards
from recommender.events import Done, Heard, ItemsRanked, ProfileRead, Seen, Token, TurnEvent
from recommender.reply.strings import notice, say
from recommender.schemas import Profile, ScoredItem

__all__ = [
    "LoadOutputs",
    "Log",
    "ResetOutputs",
    "TurnOutputs",
    "TurnView",
    "VoteOutputs",
    "chat_view",
    "reply_items",
]

Log = list[dict[str, Any]]


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


def chat_view(log_: Log) -> Log:
    """The chat log as Chatbot messages (our bookkeeping keys left out)."""
    return [{"role": m["role"], "content": m["content"]} for m in log_]


def reply_items(log_: Log, index: int) -> list[dict[str, Any]]:
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


class TurnOutputs(NamedTuple):
    """What a turn updates on the page, by name. Handlers fill it with values; ``ui.py`` fills
    the same names with the components they go to."""

    turn: Any  # dict: the turn record (items, reply, notices, timings)
    profile_record: Any  # dict: the profile as data
    profile: Any  # str: the profile panel (Markdown)
    chat: Any  # Log: Chatbot messages
    cards: Any  # str: HTML
    box: Any  # the message box (emptied; locked while streaming)
    session: Any  # Session
    log: Any  # Log, with our bookkeeping keys
    uploads: Any  # list[str]: paths of this person's uploads


class VoteOutputs(NamedTuple):
    """What a 👍/👎 updates (values as in ``TurnOutputs``)."""

    profile_record: Any
    profile: Any
    cards: Any
    session: Any


class LoadOutputs(NamedTuple):
    """What loading a profile file updates (values as in ``TurnOutputs``)."""

    stored: Any  # dict: what the browser remembers (memory.Memory as JSON)
    session: Any
    profile_record: Any
    profile: Any
    cards: Any
    chat: Any
    log: Any


class ResetOutputs(NamedTuple):
    """What a new conversation, "forget me" or another catalogue updates."""

    turn: Any
    profile_record: Any
    profile: Any
    chat: Any
    cards: Any
    session: Any
    log: Any
    uploads: Any
    box: Any  # the message box, free again (a reset may have stopped a turn that locked it)


@dataclass
class TurnView:
    """The page's state during one turn; ``show`` folds each engine event into it."""

    log: Log
    profile: Profile
    cards: str
    style: CardStyle
    notes: list[str] = field(default_factory=list)  # notices about skipped files
    record: dict[str, Any] = field(default_factory=dict)
    at: int = 0  # where the reply sits in the log ("heard" and "I see" go before it)
    reply: str = ""
    lang: str = "en"  # what the view's own words are in; the engine's choice from ProfileRead
    started: float = field(default_factory=time.perf_counter)

    def elapsed(self) -> float:
        return round(time.perf_counter() - self.started, 3)

    def show(self, event: TurnEvent) -> None:
        """The one translation of typed engine events into what the page shows."""
        lang = self.lang
        if isinstance(event, Heard):
            heard = (
                say(lang, "chat.heard", text=md_escape(event.transcript))
                if event.transcript
                else "🎤 …"
            )
            self._insert({"role": "user", "content": heard})
        elif isinstance(event, Seen):
            words = md_escape(", ".join(event.words) or say(lang, "chat.nothing_seen"))
            self._insert({"role": "assistant", "content": say(lang, "chat.seeing", words=words)})
        elif isinstance(event, ProfileRead):
            self.profile = event.profile
            self.lang = event.language
        elif isinstance(event, ItemsRanked):
            self.record["cards_s"] = self.elapsed()
            self.record["items"] = [_item_record(n, s) for n, s in enumerate(event.items, 1)]
            # No 👍/👎 yet: a vote now would race the turn that is writing the profile.
            self.cards = render_cards(
                event.items,
                self.profile,
                votes=False,
                note=say(lang, "cards.writing"),
                style=self.style,
                lang=lang,
            )
        elif isinstance(event, Token):
            self.record.setdefault("first_token_s", self.elapsed())
            self.reply += event.text
            self.log[self.at]["content"] = md_escape(self.reply)
        elif isinstance(event, Done):
            result = event.result
            self.profile = result.profile
            lang = self.lang = result.language
            shown = [notice(lang, n) for n in result.notices]
            self.record.update(result.to_json(shown))
            self.record["items"] = [_item_record(n, s) for n, s in enumerate(result.items, 1)]
            body = md_escape(result.reply.strip()) or say(lang, "reply.found")
            if result.items:
                body += "\n\n" + _listing(result.items)
            self.log[self.at] = {
                "role": "assistant",
                "content": body,
                "items": self.record["items"],
            }
            for said in [*self.notes, *shown]:
                self.log.append({"role": "assistant", "content": "⚠️ " + md_escape(said)})
            empty = "" if result.items else say(lang, "reply.nothing_matched")
            self.cards = render_cards(
                result.items, self.profile, note=empty, style=self.style, lang=lang
            )

    def fail(self, message: str, profile: Profile) -> None:
        """The turn stopped: say so where the reply would be; the profile stays as it was."""
        self.log[self.at] = {"role": "assistant", "content": "⚠️ " + md_escape(message)}
        self.profile = profile

    def _insert(self, message: dict[str, Any]) -> None:
        self.log.insert(self.at, message)
        self.at += 1
