"""Template replies and reasons: what Magpie says when no LLM writes (or its text is dropped).

Built only from the item's own fields, the profile and the item's strongest signals, so every
word is true of the item; also the profile in plain words (``describe_profile``), for people
and for prompts.
"""

from __future__ import annotations

from collections.abc import Sequence

from .linking import TitleLinker
from .schemas import Item, Profile, ScoredItem
from .text import keyword_tokens, normalise

__all__ = ["describe_profile", "template_reason", "template_reply", "template_text"]

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
