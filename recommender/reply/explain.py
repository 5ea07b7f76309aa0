"""Explanation: a short reply and one grounded reason per item.

The LLM streams its text; each sentence is shown only once it passes the grounding rules
(``grounding``), and ``Explanation.finish`` applies them to the whole: sentences naming a
catalogue title that was not retrieved are dropped, and a missing or ungrounded reason is
replaced by a template reason built from the item's own fields and its score breakdown. Without
an LLM (or when it fails) the template writes everything.

Everything is in the turn's ``language`` ("en", "zh"): the prompt asks the LLM for it, a sentence
in another language is dropped like an ungrounded one, templates fill gaps in the same language.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from recommender.catalogue.spec import CatalogSpec
from recommender.errors import LLMError
from recommender.read.linking import TitleLinker
from recommender.reply.grounding import (
    ECHO,
    REPLY_SENTENCES,
    ends_reply,
    fact_text,
    ground,
    keep_grounded,
    reply_part,
)
from recommender.reply.sentences import (
    ENDS,
    SENTENCE,
    in_language,
    joiner,
    latin_words,
    numbers_in,
)
from recommender.reply.strings import prompt_language
from recommender.reply.templates import describe_profile, template_text
from recommender.schemas import Item, Profile, ScoredItem

if TYPE_CHECKING:
    from recommender.models.base import ChatLLM
    from recommender.reply.prompts import PromptBook

__all__ = ["Explainer", "Explanation"]

log = logging.getLogger(__name__)

_REPLY_TOKENS = 60  # the opening reply alone: two short sentences
_DESCRIPTION_CHARS = 240  # per item in the prompt: enough to ground a reason, cheap to prefill


@dataclass
class Explanation:
    """A streamed explanation; iterate for text pieces, then call ``finish``."""

    pieces: Iterator[str]
    items: Sequence[ScoredItem]
    titles: TitleLinker | None
    profile: Profile
    fallback: bool = False  # True when the template wrote it
    reply_only: bool = False  # the LLM was asked for the opening reply only
    language: str = "en"  # the language the reply must be in
    raw: list[str] = field(default_factory=list)
    liked: Sequence[Item] = ()  # the liked items, for reasons naming what an item shares
    share: Callable[[str], float] | None = None  # share of the catalogue carrying a word
    spec: CatalogSpec | None = None  # the catalogue's field roles and kind fields
    _words: set[str] = field(default_factory=set)  # Latin words a Chinese sentence may use
    _listed: set[str] = field(default_factory=set)  # the items' titles, case-folded

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
        self._listed = {s.item.title.casefold() for s in self.items}
        self._words = latin_words(
            " ".join(fact_text(s) for s in self.items)
            + " "
            + describe_profile(self.profile, self.titles)
        )
        facts = numbers_in(
            " ".join(fact_text(s) for s in self.items)
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
            *sentences, buffer = SENTENCE.split(buffer)
            for sentence in sentences:
                if not showing or not self._shows(sentence, shown, allowed, facts):
                    showing = showing and not ends_reply(sentence)
                    continue
                shown.append(sentence)
                yield joiner(shown) + sentence
                showing = len(shown) < REPLY_SENTENCES
        if showing and buffer.strip() and self._shows(buffer.strip(), shown, allowed, facts):
            yield joiner([*shown, buffer.strip()]) + buffer.strip()

    def _shows(self, sentence: str, shown: list[str], allowed: set[str], facts: set[str]) -> bool:
        sentence = sentence.strip()
        return (
            bool(sentence)
            and not ends_reply(sentence)
            and sentence.endswith(ENDS)
            and sentence not in shown
            and not ECHO.search(sentence)
            and in_language(sentence, self.language, self._words)
            and keep_grounded(sentence, allowed, self.titles, facts, self._listed) == sentence
        )

    def finish(self) -> tuple[str, list[str]]:
        """(reply, one reason per item), grounded. Consumes any pieces not yet read."""
        for _ in self:
            pass
        text = "".join(self.raw)
        if self.reply_only and not self.fallback:
            text = reply_part(text)
        return ground(
            text,
            self.items,
            self.titles,
            self.profile,
            self.liked,
            self.share,
            self.language,
            spec=self.spec,
        )


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
        lang = self.language
        if self.llm is None or not items:
            text = template_text(
                profile, items, titles, self.liked, self.share, lang, spec=self.spec
            )
            return Explanation(
                iter([text]),
                items,
                titles,
                profile,
                True,
                language=lang,
                liked=self.liked,
                share=self.share,
                spec=self.spec,
            )
        messages = [
            {
                "role": "system",
                "content": self.prompts.render(
                    "explain_system" if self.llm_reasons else "reply_system",
                    domain=self.domain,
                    language=prompt_language(lang),
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
                            _item_card(i + 1, s, self.spec, brief=not self.llm_reasons)
                            for i, s in enumerate(items)
                        ],
                        ensure_ascii=False,
                    ),
                ),
            },
        ]
        pieces = self._stream(messages, profile, items, titles)
        return Explanation(
            pieces,
            items,
            titles,
            profile,
            reply_only=not self.llm_reasons,
            language=lang,
            liked=self.liked,
            share=self.share,
            spec=self.spec,
        )

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
                        yield template_text(
                            profile,
                            items,
                            titles,
                            self.liked,
                            self.share,
                            self.language,
                            spec=self.spec,
                        )
                    break
                produced = True
                yield piece
        except LLMError as e:
            log.warning("explanation fell back to templates: %s", e)
            if not produced:
                yield template_text(
                    profile, items, titles, self.liked, self.share, self.language, spec=self.spec
                )


def _item_card(
    number: int, scored: ScoredItem, spec: CatalogSpec | None = None, brief: bool = False
) -> dict[str, object]:
    """The item as the prompt shows it: the fields its card shows (``spec.card_attributes``).
    ``brief`` (the reply only) keeps the few a one-line reply can use, its date, money and kind:
    every prompt token costs first-token time on a CPU."""
    item = scored.item
    spec = spec or CatalogSpec(name="any")
    card: dict[str, object] = {"n": number, "title": item.title}
    roles = spec.fields
    keys = (roles.date, roles.money, *spec.kind_fields[:1])
    if not brief:
        keys = tuple(dict.fromkeys((*keys, *spec.card_attributes)))
    for key in keys:
        if key in item.attributes:
            card[key] = item.attributes[key]
    if item.categories:
        card["categories"] = list(item.categories[-1:] if brief else item.categories[:4])
    if item.description and not brief:
        card["about"] = item.description[:_DESCRIPTION_CHARS]
    return card
