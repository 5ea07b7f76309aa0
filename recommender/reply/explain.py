"""Explanation: the opening of a reply and one grounded reason per card.

The template writes first, at once, from the items' own facts (``templates``): its opening is the
first sentence on the page whatever the model's speed. With a language model, the model then
fills a fixed JSON shape (``{"opening": ..., "reasons": [one per card]}``, decoding constrained to
the schema): its opening is shown as a second sentence once it has passed the grounding rules
(``grounding``), and ``Explanation.finish`` keeps each of its reasons only when it names a fact of
its own card, in the reply's language, without an unlisted title or an invented number, and in
words no other card's reason uses; any other card keeps its template reason. Without a model (or
when it fails, or runs past the turn's deadline) the template writes everything.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from recommender.catalogue.spec import CatalogSpec
from recommender.errors import LLMError
from recommender.read.linking import TitleLinker
from recommender.reply.grounding import ground_model_text, opening_sentence
from recommender.reply.strings import prompt_language
from recommender.reply.templates import (
    Situation,
    describe_profile,
    template_reason,
    template_reply,
)
from recommender.schemas import Item, Profile, ScoredItem

if TYPE_CHECKING:
    from recommender.models.base import ChatLLM
    from recommender.reply.prompts import PromptBook

__all__ = ["Explainer", "Explanation", "reply_schema"]

log = logging.getLogger(__name__)

_DESCRIPTION_CHARS = 120  # per item in the prompt: enough to ground a reason, cheap to prefill
# Bounds that keep the whole reply within the turn's budget on 2 cores (about 15 tokens a second
# under the schema's grammar for the 0.5B): a short opening, a one-line reason per card.
_OPENING_CHARS = 110
_REASON_CHARS = 100
_TOKENS_PER_REASON = 30
_OPENING_TOKENS = 35
_OPENING = re.compile(r'"opening"\s*:\s*"((?:[^"\\]|\\.)*)"')


def reply_schema(cards: int, reasons: bool = True) -> dict[str, Any]:
    """The JSON shape the model fills: one opening sentence, then exactly one reason per card.

    >>> reply_schema(2)["properties"]["reasons"]["minItems"]
    2
    """
    properties: dict[str, Any] = {
        "opening": {"type": "string", "minLength": 10, "maxLength": _OPENING_CHARS}
    }
    if reasons:
        properties["reasons"] = {
            "type": "array",
            "minItems": cards,
            "maxItems": cards,
            "items": {"type": "string", "minLength": 10, "maxLength": _REASON_CHARS},
        }
    return {"type": "object", "properties": properties, "required": list(properties)}


@dataclass
class Explanation:
    """A streamed explanation; iterate for text pieces (each follows the last), then call
    ``finish`` for the reply and one reason per card."""

    opening: str  # the template's, shown first
    reasons: list[str]  # the template's, one per card
    items: Sequence[ScoredItem]
    titles: TitleLinker | None
    profile: Profile
    language: str = "en"
    pieces: Iterator[str] = field(default_factory=lambda: iter(()))  # the model's JSON text
    raw: list[str] = field(default_factory=list)
    spec: CatalogSpec | None = None
    request: str = ""  # what was asked: the model's opening may not say it back
    _shown: list[str] = field(default_factory=list)
    _said: str | None = None  # the model's opening sentence, once read (None: not yet)

    def __iter__(self) -> Iterator[str]:
        """The template's opening at once, then the model's opening sentence when it has passed
        the grounding rules; the rest of the model's text (the reasons) is read by ``finish``."""
        if not self._shown:
            self._shown.append(self.opening)
            yield self.opening
        for piece in self.pieces:
            self.raw.append(piece)
            if self._said is None and (found := _OPENING.search("".join(self.raw))):
                self._said = self._second(found.group(1))
                if self._said:
                    self._shown.append(self._said)
                    yield self._said

    def _second(self, escaped: str) -> str:
        """The model's opening as the reply's second sentence ("" when it fails a rule); the
        template's opening is one sentence ending in . or 。, which the join follows."""
        try:
            text = json.loads(f'"{escaped}"')
        except json.JSONDecodeError:
            return ""
        if self.opening.count("?") + self.opening.count("？") or _sentences(self.opening) > 1:
            return ""  # the opening already asks or says two things: a third would crowd it
        sentence = opening_sentence(
            text, self.items, self.titles, self.profile, self.language, self.request
        )
        if not sentence or sentence.casefold() in self.opening.casefold():
            return ""
        return ("" if self.opening.endswith(("。", "！", "？")) else " ") + sentence

    def finish(self) -> tuple[str, list[str]]:
        """(reply, one reason per card). Consumes any pieces not yet read."""
        for _ in self:
            pass
        reply = self.opening + (self._said or "")
        text = "".join(self.raw)
        if not text.strip():
            return reply, list(self.reasons)
        reasons = ground_model_text(
            _reasons_in(text),
            self.reasons,
            self.items,
            self.titles,
            self.profile,
            self.language,
            self.spec,
            self.request,
        )
        return reply, reasons


_REASONS = re.compile(r'"reasons"\s*:\s*\[')
_STRING = re.compile(r'\s*"((?:[^"\\]|\\.)*)"\s*,?')


def _reasons_in(text: str) -> list[str]:
    r"""The whole reason strings of the model's JSON, in order, even when it was cut off at the
    deadline (the cut reason and those after it are left to the templates).

    >>> _reasons_in('{"opening": "Hi.", "reasons": ["One.", "Two, \\"quoted\\".", "Thr')
    ['One.', 'Two, "quoted".']
    """
    start = _REASONS.search(text)
    out: list[str] = []
    at = start.end() if start else len(text)
    while m := _STRING.match(text, at):
        try:
            out.append(str(json.loads(f'"{m.group(1)}"')))
        except json.JSONDecodeError:
            break
        at = m.end()
    return out


def _sentences(text: str) -> int:
    return len(re.findall(r"[.!?。！？](?=\s|$)", text.strip()))


class Explainer:
    """Writes the reply for a turn with the language model, or with templates."""

    def __init__(
        self,
        llm: ChatLLM | None,
        prompts: PromptBook,
        domain: str = "movies and products",
        max_tokens: int = 260,
        llm_reasons: bool = True,
        deadline: float = float("inf"),  # time.perf_counter() by which the reply must be done
        liked: Sequence[Item] = (),  # the liked items: a reason may name a value shared with one
        share: Callable[[str], float] | None = None,  # word -> share of items carrying it
        language: str = "en",  # what the reply, reasons and fallbacks are written in
        spec: CatalogSpec | None = None,  # what the prompt shows of an item; field roles
    ) -> None:
        self.spec = spec
        self.liked = liked
        self.share = share
        self.llm = llm
        self.language = language
        self.deadline = deadline
        self.prompts = prompts
        self.domain = domain
        self.max_tokens = max_tokens
        # False: the model writes only the opening sentence; every reason is the template's.
        self.llm_reasons = llm_reasons

    def explain(
        self,
        request: str,
        profile: Profile,
        items: Sequence[ScoredItem],
        titles: TitleLinker | None,
        situation: Situation | None = None,
    ) -> Explanation:
        lang = self.language
        opening = template_reply(profile, items, titles, lang, self.spec, situation)
        reasons = [
            template_reason(s, profile, titles, self.liked, self.share, lang, self.spec, n)
            for n, s in enumerate(items)
        ]
        explanation = Explanation(
            opening, reasons, items, titles, profile, lang, spec=self.spec, request=request
        )
        if self.llm is None or not items:
            return explanation
        messages = [
            {
                "role": "system",
                "content": self.prompts.render(
                    "reply_system" if self.llm_reasons else "opening_system",
                    domain=self.domain,
                    language=prompt_language(lang),
                    cards=len(items),
                ),
            },
            {
                "role": "user",
                "content": self.prompts.render(
                    "reply_user",
                    request=json.dumps(request[:400], ensure_ascii=False),
                    preferences=json.dumps(describe_profile(profile, titles), ensure_ascii=False),
                    opening=json.dumps(opening, ensure_ascii=False),
                    items=json.dumps(
                        [_item_card(i + 1, s, self.spec) for i, s in enumerate(items)],
                        ensure_ascii=False,
                    ),
                ),
            },
        ]
        explanation.pieces = self._stream(messages, len(items))
        return explanation

    def _stream(self, messages: list[dict[str, str]], cards: int) -> Iterator[str]:
        """The model's JSON text; cut at the turn's deadline (what came is still read)."""
        assert self.llm is not None
        budget = _OPENING_TOKENS + (_TOKENS_PER_REASON * cards if self.llm_reasons else 0)
        try:
            for piece in self.llm.stream(
                messages,
                max_tokens=min(self.max_tokens, budget),
                temperature=0.3,
                json_schema=reply_schema(cards, self.llm_reasons),
            ):
                if time.perf_counter() > self.deadline:
                    log.warning("the reply ran past the turn's deadline and was cut")
                    break
                yield piece
        except LLMError as e:
            log.warning("the reply fell back to templates: %s", e)


def _item_card(number: int, scored: ScoredItem, spec: CatalogSpec | None = None) -> dict[str, Any]:
    """The item as the prompt shows it: its card's fields, categories and the start of its
    description (every prompt token costs first-token time on a CPU)."""
    item = scored.item
    spec = spec or CatalogSpec(name="any")
    card: dict[str, Any] = {"n": number, "title": item.title}
    roles = spec.fields
    for key in dict.fromkeys((roles.date, roles.money, *spec.kind_fields, *spec.card_attributes)):
        raw = item.attributes.get(key)
        if raw not in (None, "", []):
            card[key] = raw[:3] if isinstance(raw, list) else raw
    if "director" in item.attributes and "director" not in card:
        card["director"] = item.attributes["director"]
    if item.categories:
        card["categories"] = list(item.categories[:2])
    if item.description:
        card["about"] = item.description[:_DESCRIPTION_CHARS]
    return card
