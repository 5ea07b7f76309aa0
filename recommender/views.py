"""The page's side of a turn: the state it shows, and the named outputs handlers return.

``TurnView.show`` is the one place where the engine's typed events (``events.py``) become what
the page shows: the chat log, the cards, the turn record. ``TurnOutputs``, ``VoteOutputs`` and
``ResetOutputs`` name what each handler returns; ``ui.py`` binds the same names to components,
so no handler depends on a positional order.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .cards import CardStyle, md_escape, render_cards
from .events import Done, Heard, ItemsRanked, ProfileRead, Seen, Token, TurnEvent
from .schemas import Profile, ScoredItem

__all__ = ["Log", "ResetOutputs", "TurnOutputs", "TurnView", "VoteOutputs", "chat_view"]

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
    started: float = field(default_factory=time.perf_counter)

    def elapsed(self) -> float:
        return round(time.perf_counter() - self.started, 3)

    def show(self, event: TurnEvent) -> None:
        """The one translation of typed engine events into what the page shows."""
        if isinstance(event, Heard):
            heard = f"🎤 *heard:* “{md_escape(event.transcript)}”" if event.transcript else "🎤 …"
            self._insert({"role": "user", "content": heard})
        elif isinstance(event, Seen):
            words = md_escape(", ".join(event.words) or "nothing I can name")
            self._insert({"role": "assistant", "content": f"👀 I see: {words}"})
        elif isinstance(event, ProfileRead):
            self.profile = event.profile
        elif isinstance(event, ItemsRanked):
            self.record["cards_s"] = self.elapsed()
            self.record["items"] = [_item_record(n, s) for n, s in enumerate(event.items, 1)]
            # No 👍/👎 yet: a vote now would race the turn that is writing the profile.
            self.cards = render_cards(
                event.items, self.profile, votes=False, note="Writing reasons…", style=self.style
            )
        elif isinstance(event, Token):
            self.record.setdefault("first_token_s", self.elapsed())
            self.reply += event.text
            self.log[self.at]["content"] = md_escape(self.reply)
        elif isinstance(event, Done):
            result = event.result
            self.profile = result.profile
            self.record.update(result.to_json())
            self.record["items"] = [_item_record(n, s) for n, s in enumerate(result.items, 1)]
            body = md_escape(result.reply.strip()) or "Here is what I found."
            if result.items:
                body += "\n\n" + _listing(result.items)
            self.log[self.at] = {
                "role": "assistant",
                "content": body,
                "items": self.record["items"],
            }
            for notice in [*self.notes, *result.notices]:
                self.log.append({"role": "assistant", "content": "⚠️ " + md_escape(notice)})
            empty = "" if result.items else "Nothing matched; try saying it another way."
            self.cards = render_cards(result.items, self.profile, note=empty, style=self.style)

    def fail(self, message: str, profile: Profile) -> None:
        """The turn stopped: say so where the reply would be; the profile stays as it was."""
        self.log[self.at] = {"role": "assistant", "content": "⚠️ " + md_escape(message)}
        self.profile = profile

    def _insert(self, message: dict[str, Any]) -> None:
        self.log.insert(self.at, message)
        self.at += 1
