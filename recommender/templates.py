"""Template replies and reasons: what Magpie says when no LLM writes (or its text is dropped).

Built only from the item's own fields, the profile and the item's strongest signals, so every
word is true of the item; also the profile in plain words (``describe_profile``), for people
and for prompts. Every function takes the language to write in (``lang``: "en", "zh"); the
words come from ``languages/ui_<lang>.toml`` (``strings.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from .linking import TitleLinker
from .schemas import Item, Profile, ScoredItem
from .strings import say, setting, value, values
from .text import keyword_tokens, normalise

__all__ = ["describe_profile", "template_reason", "template_reply", "template_text"]

_SIGNALS = (
    "text",
    "keyword",
    "image",
    "cooccur",
    "liked_sim",
    "attribute",
    "feedback",
    "popularity",
)


def describe_profile(profile: Profile, titles: TitleLinker | None = None, lang: str = "en") -> str:
    """The profile in plain words, for people and for prompts; attribute words are shown in
    ``lang`` through its word list, titles as the catalogue has them.

    >>> from recommender.schemas import Range
    >>> p = Profile(wanted=["comedy"], avoided=["horror"], ranges={"year": Range(min=1990)})
    >>> describe_profile(p)
    'wants comedy; avoids horror; year from 1990'
    >>> describe_profile(p, lang="zh")
    '想要 喜剧；不要 恐怖；年份 1990 起'
    """
    name = titles.title if titles else (lambda i: i)

    def items(words: Sequence[str], shown: bool = True) -> str:
        return say(lang, "describe.list").join(values(lang, list(words)) if shown else words)

    parts = []
    if profile.liked:
        parts.append(
            say(lang, "describe.liked", items=items([name(i) for i in profile.liked[-5:]], False))
        )
    if profile.disliked:
        parts.append(
            say(
                lang,
                "describe.disliked",
                items=items([name(i) for i in profile.disliked[-5:]], False),
            )
        )
    if profile.categories:
        parts.append(say(lang, "describe.looking_for", items=items(profile.categories)))
    if profile.wanted:
        parts.append(say(lang, "describe.wants", items=items(profile.wanted)))
    if profile.avoided:
        parts.append(say(lang, "describe.avoids", items=items(profile.avoided)))
    for key, rng in profile.ranges.items():
        shown = value(lang, key)
        if rng.min is not None and rng.max is not None:
            parts.append(
                say(lang, "describe.between", key=shown, low=_num(rng.min), high=_num(rng.max))
            )
        elif rng.min is not None:
            parts.append(say(lang, "describe.from", key=shown, low=_num(rng.min)))
        elif rng.max is not None:
            parts.append(say(lang, "describe.up_to", key=shown, high=_num(rng.max)))
    if profile.images:
        words = [w for im in profile.images[-2:] for w in im.words[:3]]
        parts.append(say(lang, "describe.photo", items=items(words, False)))
    return say(lang, "describe.join").join(parts) or say(lang, "describe.nothing")


def _money(x: float) -> str:
    """A price as people write it.

    >>> _money(89.0), _money(12.5)
    ('$89', '$12.50')
    """
    return f"${x:.0f}" if float(x).is_integer() else f"${x:.2f}"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.2f}"


def template_reason(
    scored: ScoredItem, profile: Profile, titles: TitleLinker | None, lang: str = "en"
) -> str:
    """One grounded sentence from the item's fields and its strongest signals, in ``lang``.

    >>> from recommender.schemas import Item, ScoredItem
    >>> film = Item("m", "Up", attributes={"year": 2009, "genres": ["animation", "comedy"]})
    >>> scored = ScoredItem(film, 1.0, {"text": 0.9})
    >>> template_reason(scored, Profile(), None), template_reason(scored, Profile(), None, "zh")
    ('A 2009 animation/comedy — close to what you described.', '2009年的动画/喜剧片——和你描述的很接近。')
    """
    item = scored.item
    facts = []
    year = item.attributes.get("year")
    genres = item.attributes.get("genres")
    if isinstance(genres, list) and genres:
        kinds = say(lang, "reason.kinds_join").join(values(lang, [str(g) for g in genres[:2]]))
        facts.append(
            say(lang, "reason.kind_year", year=year, kinds=kinds)
            if year
            else say(lang, "reason.kind", kinds=kinds)
        )
    elif year:
        facts.append(say(lang, "reason.from_year", year=year))
    elif item.categories:
        facts.append(value(lang, item.categories[-1]))
    # The card already shows price and brand; the reason says how they fit what was asked.
    price, budget = item.number("price"), profile.ranges.get("price")
    if price is not None and budget is not None and budget.max is not None:
        facts.append(
            say(lang, "reason.within_budget", price=_money(price), budget=_money(budget.max))
        )
    liked = say(lang, "describe.list").join(
        (titles.title(i) if titles else i) for i in profile.liked[-2:]
    ) or say(lang, "reason.your_picks")
    top = sorted(
        ((v, k) for k, v in scored.signals.items() if v > 0.05 and k in _SIGNALS), reverse=True
    )[:2]
    why = [_why(k, item, profile, liked, lang) for _, k in top]
    text = say(lang, "reason.facts_join").join(facts)
    if why:
        text = (text + say(lang, "reason.why_after") if text else "") + say(
            lang, "reason.why_join"
        ).join(why)
    if not text:
        return say(lang, "reason.fallback")
    if setting(lang, "reason.capitalise"):
        text = text[:1].upper() + text[1:]
    return text + say(lang, "reason.end")


def _why(signal: str, item: Item, profile: Profile, liked: str, lang: str) -> str:
    """A signal in words; for ``attribute`` only the wanted words the item really has."""
    if signal == "attribute":
        own = {normalise(w) for w in item.words()} | set(keyword_tokens(item.title))
        hits = [w for w in profile.wanted if normalise(w) in own]
        if not hits:  # matched on a genre guessed from the films people mention with it
            return say(lang, "reason.attribute_guessed")
        wanted = say(lang, "reason.wanted_join").join(values(lang, hits[:3]))
        return say(lang, "reason.attribute", wanted=wanted)
    if signal in ("cooccur", "liked_sim"):
        return say(lang, f"reason.{signal}", liked=liked)
    return say(lang, f"reason.{signal}")


def template_reply(
    profile: Profile, items: Sequence[ScoredItem], titles: TitleLinker | None, lang: str = "en"
) -> str:
    """The opening reply a template writes.

    >>> template_reply(Profile(wanted=["comedy"]), [], None, "zh")
    '没有找到完全符合这些条件的结果。试着放宽一个条件吧（目前：想要 喜剧）。'
    """
    summary = describe_profile(profile, titles, lang)
    if not items:
        return say(lang, "reply.nothing", summary=summary)
    if summary == say(lang, "describe.nothing"):
        return say(lang, "reply.picks", count=len(items))
    return say(lang, "reply.picks_for", count=len(items), summary=summary)


def template_text(
    profile: Profile, items: Sequence[ScoredItem], titles: TitleLinker | None, lang: str = "en"
) -> str:
    lines = [template_reply(profile, items, titles, lang)]
    lines += [
        f"#{n}: {template_reason(s, profile, titles, lang)}" for n, s in enumerate(items, start=1)
    ]
    return "\n".join(lines)
