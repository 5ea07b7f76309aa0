"""Explanation: a short reply and one grounded reason per item.

The LLM streams its text; ``Explanation.finish`` then enforces in code what the prompt only
asks: sentences naming a catalogue title that was not retrieved are dropped, and a missing
or ungrounded reason is replaced by a template reason built from the item's own fields and
its score breakdown. Without an LLM (or when it fails) the template writes everything.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import LLMError
from .linking import TitleLinker
from .schemas import Item, Profile, ScoredItem
from .text import keyword_tokens, normalise

if TYPE_CHECKING:
    from .models.base import ChatLLM
    from .prompts import PromptBook

__all__ = ["Explainer", "Explanation", "describe_profile", "template_reason", "template_reply"]

log = logging.getLogger(__name__)

_REASON_LINE = re.compile(r"^\s*(?:#|\*\*#?|item\s*)?(\d{1,2})\s*(?:\*\*)?\s*[:.)\-]\s*(.+)$", re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_CARD_KEYS = ("year", "price", "brand", "genres", "director", "colour", "color")
_REPLY_TOKENS = 60  # the opening reply alone: two short sentences
_REPLY_SENTENCES = 2
# A small model's reply that talks about the prompt rather than to the person is dropped.
_ECHO = re.compile(r"\(data\)|\bjson\b|\bthe user\b|\byou'?re welcome\b|\bpicks are\b", re.I)
_DESCRIPTION_CHARS = 240  # per item in the prompt: enough to ground a reason, cheap to prefill
_SIGNAL_WORDS = {
    "text": "close to what you described",
    "keyword": "matches your words",
    "image": "looks like your photo",
    "cooccur": "often enjoyed by people who liked {liked}",
    "liked_sim": "similar to {liked}",
    "attribute": "has {wanted}, as you asked",
    "feedback": "unlike what you turned down",
    "popularity": "a popular pick",
}


@dataclass
class Explanation:
    """A streamed explanation; iterate for text pieces, then call ``finish``."""

    pieces: Iterator[str]
    items: Sequence[ScoredItem]
    titles: TitleLinker | None
    profile: Profile
    fallback: bool = False  # True when the template wrote it
    reply_only: bool = False  # the LLM was asked for the opening reply only
    raw: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[str]:
        """The pieces as they come, for a template; for the LLM, whole sentences, each shown
        only once it has passed the same checks as the final reply (listed titles only, no
        invented numbers, no prompt talk, at most two): nothing is shown and then taken back."""
        if self.fallback:
            for piece in self.pieces:
                self.raw.append(piece)
                yield piece
            return
        allowed = {s.item.id for s in self.items}
        facts = _numbers_in(
            " ".join(_fact_text(s) for s in self.items)
            + " "
            + describe_profile(self.profile, self.titles)
        )
        shown: list[str] = []
        buffer = ""
        showing = True
        for piece in self.pieces:
            self.raw.append(piece)
            if not showing:
                continue  # the rest (reasons) is read by ``finish``
            buffer += piece
            *sentences, buffer = _SENTENCE.split(buffer)
            for sentence in sentences:
                if not showing or not self._shows(sentence, shown, allowed, facts):
                    showing = showing and not _ends_reply(sentence)
                    continue
                shown.append(sentence)
                yield (" " if len(shown) > 1 else "") + sentence
                showing = len(shown) < _REPLY_SENTENCES
        if showing and buffer.strip() and self._shows(buffer.strip(), shown, allowed, facts):
            yield (" " if shown else "") + buffer.strip()

    def _shows(self, sentence: str, shown: list[str], allowed: set[str], facts: set[str]) -> bool:
        sentence = sentence.strip()
        return (
            bool(sentence)
            and not _ends_reply(sentence)
            and sentence[-1:] in ".!?"
            and sentence not in shown
            and not _ECHO.search(sentence)
            and _keep_grounded(sentence, allowed, self.titles, facts) == sentence
        )

    def finish(self) -> tuple[str, list[str]]:
        """(reply, one reason per item), grounded. Consumes any pieces not yet read."""
        for _ in self:
            pass
        text = "".join(self.raw)
        if self.reply_only and not self.fallback:
            text = _reply_part(text)
        return ground(text, self.items, self.titles, self.profile)


class Explainer:
    """Writes the reply for a turn with the LLM, or with templates."""

    def __init__(
        self,
        llm: ChatLLM | None,
        prompts: PromptBook,
        domain: str = "movies and products",
        max_tokens: int = 220,
        llm_reasons: bool = False,
        deadline: float = float("inf"),  # time.perf_counter() by which the reply must be done
    ) -> None:
        self.llm = llm
        self.deadline = deadline
        self.prompts = prompts
        self.domain = domain
        self.max_tokens = max_tokens
        # False: the LLM writes only the opening reply; reasons come from the item's fields and
        # score breakdown (a 0.5B model invents facts in reasons; see README, "Explanations").
        self.llm_reasons = llm_reasons

    def explain(
        self,
        request: str,
        profile: Profile,
        items: Sequence[ScoredItem],
        titles: TitleLinker | None,
    ) -> Explanation:
        if self.llm is None or not items:
            text = template_text(profile, items, titles)
            return Explanation(iter([text]), items, titles, profile, fallback=True)
        messages = [
            {
                "role": "system",
                "content": self.prompts.render(
                    "explain_system" if self.llm_reasons else "reply_system", domain=self.domain
                ),
            },
            {
                "role": "user",
                "content": self.prompts.render(
                    "explain_user",
                    request=json.dumps(request[:500], ensure_ascii=False),
                    preferences=json.dumps(describe_profile(profile, titles), ensure_ascii=False),
                    items=json.dumps(
                        [
                            _item_card(i + 1, s, brief=not self.llm_reasons)
                            for i, s in enumerate(items)
                        ],
                        ensure_ascii=False,
                    ),
                ),
            },
        ]
        pieces = self._stream(messages, profile, items, titles)
        return Explanation(pieces, items, titles, profile, reply_only=not self.llm_reasons)

    def _stream(
        self,
        messages: list[dict[str, str]],
        profile: Profile,
        items: Sequence[ScoredItem],
        titles: TitleLinker | None,
    ) -> Iterator[str]:
        assert self.llm is not None
        produced = False
        try:
            for piece in self.llm.stream(
                messages,
                max_tokens=self.max_tokens if self.llm_reasons else _REPLY_TOKENS,
                temperature=0.3,
                numbered_lines=len(items) if self.llm_reasons else None,
            ):
                if time.perf_counter() > self.deadline:
                    # The turn's deadline: what was said so far is grounded as usual (a cut
                    # sentence is dropped); nothing said yet: the template reply.
                    log.warning("the reply ran past the turn's deadline and was cut")
                    if not produced:
                        yield template_text(profile, items, titles)
                    break
                produced = True
                yield piece
        except LLMError as e:
            log.warning("explanation fell back to templates: %s", e)
            if not produced:
                yield template_text(profile, items, titles)


def _item_card(number: int, scored: ScoredItem, brief: bool = False) -> dict[str, object]:
    """The item as the prompt shows it. ``brief`` (the reply only) keeps the few fields a one-line
    reply can use: every prompt token costs first-token time on a CPU."""
    item = scored.item
    card: dict[str, object] = {"n": number, "title": item.title}
    keys = ("year", "price", "genres") if brief else _CARD_KEYS
    for key in keys:
        if key in item.attributes:
            card[key] = item.attributes[key]
    if item.categories:
        card["categories"] = list(item.categories[-1:] if brief else item.categories[:4])
    if item.description and not brief:
        card["about"] = item.description[:_DESCRIPTION_CHARS]
    return card


def ground(
    text: str, items: Sequence[ScoredItem], titles: TitleLinker | None, profile: Profile
) -> tuple[str, list[str]]:
    """Split LLM text into reply and reasons; drop what names unlisted titles; fill gaps."""
    allowed = {s.item.id for s in items}
    facts = _numbers_in(
        " ".join(_fact_text(s) for s in items) + " " + describe_profile(profile, titles)
    )
    reply_lines: list[str] = []
    reasons: dict[int, str] = {}
    for line in text.splitlines():
        match = _REASON_LINE.match(line)
        if match and 1 <= int(match.group(1)) <= len(items):
            reasons.setdefault(int(match.group(1)), match.group(2).strip())
        elif line.strip() and not reasons:
            reply_lines.append(line.strip())
    reply = _tidy(_keep_grounded(" ".join(reply_lines), allowed, titles, facts))
    if len(reply) < 20 or reply.endswith(":"):  # a fragment ("The picks have in common:")
        reply = ""
    out: list[str] = []
    for n, scored in enumerate(items, start=1):
        reason = _keep_grounded(
            reasons.get(n, ""),
            allowed,
            titles,
            _numbers_in(_fact_text(scored)) | facts_of_profile(profile, titles),
        )
        out.append(reason if len(reason) >= 12 else template_reason(scored, profile, titles))
    return (reply or template_reply(profile, items, titles)), out


def _keep_grounded(
    text: str, allowed: set[str], titles: TitleLinker | None, facts: set[str]
) -> str:
    """The sentences that name only listed titles and state only numbers found in the facts."""
    if not text:
        return ""
    kept = [
        s
        for s in _SENTENCE.split(text.strip())
        if _numbers_in(s) <= facts
        and (titles is None or all(m.item_id in allowed for m in titles.find(s)))
    ]
    return " ".join(kept).strip()


def _tidy(text: str, most: int = _REPLY_SENTENCES) -> str:
    """Whole sentences only (a reply cut by the token limit loses its tail), no repeats, and
    at most ``most`` of them.

    >>> _tidy("Both are comedies. Both are comedies. They are from the 2000s. The Tripod is a")
    'Both are comedies. They are from the 2000s.'
    >>> _tidy("You're welcome! The request (data) is for a film. These are all comedies.")
    'These are all comedies.'
    """
    kept: list[str] = []
    for sentence in _SENTENCE.split(text.strip()):
        if sentence[-1:] in ".!?" and sentence not in kept and not _ECHO.search(sentence):
            kept.append(sentence)
    return " ".join(kept[:most])


def _numbers_in(text: str) -> set[str]:
    """Numbers as written, without separators or trailing zeros ("1,299.00" -> "1299")."""
    out = set()
    for raw in _NUMBER.findall(text):
        value = raw.replace(",", "")
        if "." in value:
            value = value.rstrip("0").rstrip(".")
        out.add(value)
    return out


def _fact_text(scored: ScoredItem) -> str:
    item = scored.item
    return " ".join([item.title, item.description, *map(str, item.attributes.values())])


def facts_of_profile(profile: Profile, titles: TitleLinker | None) -> set[str]:
    return _numbers_in(describe_profile(profile, titles))


def _ends_reply(sentence: str) -> bool:
    """The reply is over where the numbered reasons or a list begin."""
    return any(
        _REASON_LINE.match(line) or line.lstrip().startswith(("-", "*"))
        for line in sentence.strip().splitlines()
    )


def _reply_part(text: str) -> str:
    """The opening reply of reply-only output: up to the first numbered or list line."""
    lines = []
    for line in text.strip().splitlines():
        if _REASON_LINE.match(line) or line.lstrip().startswith(("-", "*")):
            break
        lines.append(line)
    return "\n".join(lines)


def describe_profile(profile: Profile, titles: TitleLinker | None = None) -> str:
    """The profile in plain words, for people and for prompts.

    >>> from recommender.schemas import Range
    >>> describe_profile(Profile(wanted=["comedy"], avoided=["horror"], ranges={"year": Range(min=1990)}))
    'wants comedy; avoids horror; year from 1990'
    """
    name = titles.title if titles else (lambda i: i)
    parts = []
    if profile.liked:
        parts.append("liked " + ", ".join(name(i) for i in profile.liked[-5:]))
    if profile.disliked:
        parts.append("disliked " + ", ".join(name(i) for i in profile.disliked[-5:]))
    if profile.categories:
        parts.append("looking for " + ", ".join(profile.categories))
    if profile.wanted:
        parts.append("wants " + ", ".join(profile.wanted))
    if profile.avoided:
        parts.append("avoids " + ", ".join(profile.avoided))
    for key, rng in profile.ranges.items():
        if rng.min is not None and rng.max is not None:
            parts.append(f"{key} {_num(rng.min)}-{_num(rng.max)}")
        elif rng.min is not None:
            parts.append(f"{key} from {_num(rng.min)}")
        elif rng.max is not None:
            parts.append(f"{key} up to {_num(rng.max)}")
    if profile.images:
        parts.append("photo: " + ", ".join(w for im in profile.images[-2:] for w in im.words[:3]))
    return "; ".join(parts) or "nothing yet"


def _money(x: float) -> str:
    """A price as people write it.

    >>> _money(89.0), _money(12.5)
    ('$89', '$12.50')
    """
    return f"${x:.0f}" if float(x).is_integer() else f"${x:.2f}"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.2f}"


def template_reason(scored: ScoredItem, profile: Profile, titles: TitleLinker | None) -> str:
    """One grounded sentence from the item's fields and its strongest signals."""
    item = scored.item
    facts = []
    year = item.attributes.get("year")
    genres = item.attributes.get("genres")
    if isinstance(genres, list) and genres:
        facts.append(("a " + str(year) + " " if year else "a ") + "/".join(genres[:2]))
    elif year:
        facts.append(f"from {year}")
    elif item.categories:
        facts.append(item.categories[-1])
    # The card already shows price and brand; the reason says how they fit what was asked.
    price, budget = item.number("price"), profile.ranges.get("price")
    if price is not None and budget is not None and budget.max is not None:
        facts.append(f"{_money(price)}, within your {_money(budget.max)} budget")
    liked = (
        ", ".join((titles.title(i) if titles else i) for i in profile.liked[-2:]) or "your picks"
    )
    wanted = ", ".join(profile.wanted[:3]) or "features"
    top = sorted(
        ((v, k) for k, v in scored.signals.items() if v > 0.05 and k in _SIGNAL_WORDS), reverse=True
    )[:2]
    why = [_why(k, item, profile, liked, wanted) for _, k in top]
    text = ", ".join(facts)
    if why:
        text = (text + " — " if text else "") + " and ".join(why)
    return (text[:1].upper() + text[1:] + ".") if text else "A close match for your request."


def _why(signal: str, item: Item, profile: Profile, liked: str, wanted: str) -> str:
    """A signal in words; for ``attribute`` only the wanted words the item really has."""
    if signal == "attribute":
        own = {normalise(w) for w in item.words()} | set(keyword_tokens(item.title))
        hits = [w for w in profile.wanted if normalise(w) in own]
        if not hits:  # matched on a genre guessed from the films people mention with it
            return "often mentioned alongside films of that kind"
        wanted = " and ".join(hits[:3])
    return _SIGNAL_WORDS[signal].format(liked=liked, wanted=wanted)


def template_reply(
    profile: Profile, items: Sequence[ScoredItem], titles: TitleLinker | None
) -> str:
    if not items:
        return (
            "I couldn't find anything that fits all of that. Try loosening a constraint "
            f"(now: {describe_profile(profile, titles)})."
        )
    summary = describe_profile(profile, titles)
    return f"Here are {len(items)} picks" + (
        f" for you ({summary})." if summary != "nothing yet" else "."
    )


def template_text(profile: Profile, items: Sequence[ScoredItem], titles: TitleLinker | None) -> str:
    lines = [template_reply(profile, items, titles)]
    lines += [f"#{n}: {template_reason(s, profile, titles)}" for n, s in enumerate(items, start=1)]
    return "\n".join(lines)
