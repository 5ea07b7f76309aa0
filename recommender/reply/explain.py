"""Explanation: a short reply and one grounded reason per item.

The LLM streams its text; ``Explanation.finish`` then enforces in code what the prompt only
asks: sentences naming a catalogue title that was not retrieved are dropped, and a missing
or ungrounded reason is replaced by a template reason built from the item's own fields and
its score breakdown. Without an LLM (or when it fails) the template writes everything.

Everything is in the turn's ``language`` ("en", "zh"): the prompt asks the LLM for it, a sentence
in another language is dropped like an ungrounded one, templates fill gaps in the same language.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from recommender.catalogue.spec import CatalogSpec
from recommender.errors import LLMError
from recommender.languages import CODES, pack
from recommender.read.linking import TitleLinker
from recommender.reply.sentences import (
    ENDS,
    SENTENCE,
    in_language,
    joiner,
    latin_words,
    marked_titles,
    numbers_in,
)
from recommender.reply.strings import prompt_language
from recommender.reply.templates import (
    describe_profile,
    template_reason,
    template_reply,
    template_text,
)
from recommender.schemas import Item, Profile, ScoredItem

if TYPE_CHECKING:
    from recommender.models.base import ChatLLM
    from recommender.reply.prompts import PromptBook

__all__ = ["Explainer", "Explanation", "ground"]

log = logging.getLogger(__name__)

# "#2: ...", "**2.** ...", "item 2) ...": the reason of card 2 (item words from every language).
_ITEM_WORDS = "".join(rf"|{w}\s*" for c in CODES for w in pack(c).reply.item_words)
_REASON_LINE = re.compile(
    rf"^\s*(?:#|\*\*#?{_ITEM_WORDS})?(\d{{1,2}})\s*(?:\*\*)?\s*[:.)\-]\s*(.+)$", re.I
)
_REPLY_TOKENS = 60  # the opening reply alone: two short sentences
_REPLY_SENTENCES = 2
# A small model's reply that talks about the prompt rather than to the person is dropped.
_ECHO = re.compile("|".join(w for c in CODES for w in pack(c).reply.echo), re.I)
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
            " ".join(_fact_text(s) for s in self.items)
            + " "
            + describe_profile(self.profile, self.titles)
        )
        facts = numbers_in(
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
            *sentences, buffer = SENTENCE.split(buffer)
            for sentence in sentences:
                if not showing or not self._shows(sentence, shown, allowed, facts):
                    showing = showing and not _ends_reply(sentence)
                    continue
                shown.append(sentence)
                yield joiner(shown) + sentence
                showing = len(shown) < _REPLY_SENTENCES
        if showing and buffer.strip() and self._shows(buffer.strip(), shown, allowed, facts):
            yield joiner([*shown, buffer.strip()]) + buffer.strip()

    def _shows(self, sentence: str, shown: list[str], allowed: set[str], facts: set[str]) -> bool:
        sentence = sentence.strip()
        return (
            bool(sentence)
            and not _ends_reply(sentence)
            and sentence.endswith(ENDS)
            and sentence not in shown
            and not _ECHO.search(sentence)
            and in_language(sentence, self.language, self._words)
            and _keep_grounded(sentence, allowed, self.titles, facts, self._listed) == sentence
        )

    def finish(self) -> tuple[str, list[str]]:
        """(reply, one reason per item), grounded. Consumes any pieces not yet read."""
        for _ in self:
            pass
        text = "".join(self.raw)
        if self.reply_only and not self.fallback:
            text = _reply_part(text)
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


def ground(
    text: str,
    items: Sequence[ScoredItem],
    titles: TitleLinker | None,
    profile: Profile,
    liked: Sequence[Item] = (),
    share: Callable[[str], float] | None = None,
    lang: str = "en",
    spec: CatalogSpec | None = None,
) -> tuple[str, list[str]]:
    """Split LLM text into reply and reasons; drop what names unlisted titles or is not in
    ``lang``; fill the gaps with templates in ``lang``."""
    allowed = {s.item.id for s in items}
    everything = " ".join(_fact_text(s) for s in items) + " " + describe_profile(profile, titles)
    facts, words = numbers_in(everything), latin_words(everything)
    listed = {s.item.title.casefold() for s in items}
    reply_lines: list[str] = []
    reasons: dict[int, str] = {}
    for line in text.splitlines():
        match = _REASON_LINE.match(line)
        if match and 1 <= int(match.group(1)) <= len(items):
            reasons.setdefault(int(match.group(1)), match.group(2).strip())
        elif line.strip() and not reasons:
            reply_lines.append(line.strip())
    reply = _tidy(
        _keep_grounded(" ".join(reply_lines), allowed, titles, facts, listed),
        lang=lang,
        words=words,
    )
    if len(reply) < pack(lang).reply.min_reply or reply.endswith((":", "：")):
        reply = ""  # a fragment ("The picks have in common:")
    out: list[str] = []
    for n, scored in enumerate(items, start=1):
        reason = _keep_grounded(
            reasons.get(n, ""),
            allowed,
            titles,
            numbers_in(_fact_text(scored)) | facts_of_profile(profile, titles),
            listed,
        )
        own = latin_words(_fact_text(scored) + " " + describe_profile(profile, titles))
        if not in_language(reason, lang, own) or len(reason) < pack(lang).reply.min_reason:
            reason = template_reason(scored, profile, titles, liked, share, lang, spec=spec)
        out.append(reason)
    return (reply or template_reply(profile, items, titles, lang)), out


def _keep_grounded(
    text: str,
    allowed: set[str],
    titles: TitleLinker | None,
    facts: set[str],
    listed: set[str] | None = None,
) -> str:
    """The sentences that name only listed titles and state only numbers found in the facts;
    with ``listed`` (the shown items' titles, case-folded), a title in Chinese title marks
    (《...》) must be one of them, exactly: "《八十年代的恐怖片》" is an invented title.

    >>> _keep_grounded("《Up》是动画片。《八十年代的恐怖片》很好看。", set(), None, set(), {"up"})
    '《Up》是动画片。'
    """
    if not text:
        return ""
    kept = [
        s.strip()
        for s in SENTENCE.split(text.strip())
        if numbers_in(s) <= facts
        and (titles is None or all(m.item_id in allowed for m in titles.find(s)))
        and (listed is None or marked_titles(s) <= listed)
    ]
    kept = [s for s in kept if s]
    return "".join(joiner(kept[: n + 1]) + s for n, s in enumerate(kept))


def _tidy(
    text: str, most: int = _REPLY_SENTENCES, lang: str = "en", words: set[str] | None = None
) -> str:
    """Whole sentences only (a reply cut by the token limit loses its tail), no repeats, in
    ``lang``, and at most ``most`` of them.

    >>> _tidy("Both are comedies. Both are comedies. They are from the 2000s. The Tripod is a")
    'Both are comedies. They are from the 2000s.'
    >>> _tidy("You're welcome! The request (data) is for a film. These are all comedies.")
    'These are all comedies.'
    >>> _tidy("这些都是喜剧。These are comedies. 都是2000年以后的电影。还有", lang="zh")
    '这些都是喜剧。都是2000年以后的电影。'
    """
    kept: list[str] = []
    for sentence in SENTENCE.split(text.strip()):
        sentence = sentence.strip()
        if (
            sentence.endswith(ENDS)
            and sentence not in kept
            and not _ECHO.search(sentence)
            and in_language(sentence, lang, words)
        ):
            kept.append(sentence)
    out = ""
    for n, sentence in enumerate(kept[:most]):
        out += joiner(kept[: n + 1]) + sentence
    return out


def _fact_text(scored: ScoredItem) -> str:
    item = scored.item
    return " ".join([item.title, item.description, *map(str, item.attributes.values())])


def facts_of_profile(profile: Profile, titles: TitleLinker | None) -> set[str]:
    return numbers_in(describe_profile(profile, titles))


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
