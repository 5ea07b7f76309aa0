"""Template replies and reasons: what Magpie says when no LLM writes (or its text is dropped).

Built only from the item's own fields, the profile and the item's strongest signals, so every
word is true of the item; also the profile in plain words (``describe_profile``), for people
and for prompts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .linking import TitleLinker
from .schemas import Item, Profile, Range, ScoredItem
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


_MAX_WORD_CHARS = 40  # longer attribute strings are text, not words (VocabularyLinker's rule)
# A value shared with a liked item is named only when at most this share of the catalogue has it:
# a director or a fine genre tells why, "United States" or "comedy" does not.
_TELLING_SHARE = 0.05


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


def template_reason(
    scored: ScoredItem,
    profile: Profile,
    titles: TitleLinker | None,
    liked: Sequence[Item] = (),
    share: Callable[[str], float] | None = None,
) -> str:
    """One grounded sentence from the item's fields and its strongest signals.

    Where a field ties the item to the request (a wanted word it carries, a range it falls in, a
    rare value it shares with a film the user liked), the reason says that fact; the signal's
    name ("close to what you described") is only the last resort. ``liked`` are the liked items
    and ``share`` gives the share of the catalogue's items carrying a word (rare = telling).
    """
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
    ties = _ties(item, profile, liked, share or (lambda _: 0.0))
    if not ties:
        liked_names = ", ".join(_name(i, titles) for i in profile.liked[-2:]) or "your picks"
        wanted = ", ".join(profile.wanted[:3]) or "features"
        top = sorted(
            ((v, k) for k, v in scored.signals.items() if v > 0.05 and k in _SIGNAL_WORDS),
            reverse=True,
        )[:2]
        ties = [_why(k, item, profile, liked_names, wanted) for _, k in top]
    text = ", ".join(facts)
    if ties:
        text = (text + " — " if text else "") + "; ".join(ties)
    return (text[:1].upper() + text[1:] + ".") if text else "A close match for your request."


def _name(item_id: str, titles: TitleLinker | None) -> str:
    return titles.title(item_id) if titles else item_id


def _values(item: Item) -> list[tuple[str, str]]:
    """(field, value) for each word-like attribute value, in the item's field order."""
    out = []
    for key, value in item.attributes.items():
        for v in value if isinstance(value, list) else [value] if isinstance(value, str) else []:
            if len(v) <= _MAX_WORD_CHARS:
                out.append((key, v))
    return out


def _field(key: str) -> str:
    return key.replace("_", " ")


def _ties(
    item: Item,
    profile: Profile,
    liked: Sequence[Item],
    share: Callable[[str], float],
) -> list[str]:
    """Facts of the item that answer the request, most telling first (at most two).

    >>> heist = Item("k", "The Killing", attributes={"year": 1956, "tags": ["heist"],
    ...              "director": ["Stanley Kubrick"]})
    >>> liked = Item("p", "Paths of Glory", attributes={"director": ["Stanley Kubrick"]})
    >>> _ties(heist, Profile(wanted=["heist"], liked=["p"]), [liked], lambda w: 0.01)
    ['heist (tags), as you asked', 'Stanley Kubrick (director), as in Paths of Glory']
    >>> _ties(heist, Profile(ranges={"year": Range(min=1950, max=1959)}), [], lambda w: 0.0)
    ['year 1956, within the 1950-1959 you asked for']
    """
    values = _values(item)
    out = []
    for word in profile.wanted:
        hit = next(((k, v) for k, v in values if normalise(v) == normalise(word)), None)
        if hit is not None:
            out.append(f"{hit[1]} ({_field(hit[0])}), as you asked")
    for key, rng in profile.ranges.items():
        number = item.number(key)
        if key != "price" and number is not None and rng.contains(number):
            out.append(f"{_field(key)} {_num(number)}, {_within(rng)} you asked for")
    own = {(k, normalise(v)): v for k, v in values}
    shared = [
        (share(normalise(v)), n, k, own[(k, normalise(v))], other)
        for other in liked
        if other.id != item.id
        for n, (k, v) in enumerate(_values(other))
        if (k, normalise(v)) in own and share(normalise(v)) <= _TELLING_SHARE
    ]
    if shared:
        _, _, key, value, other = min(shared, key=lambda t: (t[0], t[1]))
        out.append(f"{value} ({_field(key)}), as in {other.title}")
    return out[:2]


def _within(rng: Range) -> str:
    """How a value sits in the asked range, in words.

    >>> _within(Range(min=2000, max=2009)), _within(Range(max=90)), _within(Range(min=2010))
    ('within the 2000-2009', 'at most the 90', 'at least the 2010')
    """
    if rng.min is not None and rng.max is not None:
        return f"within the {_num(rng.min)}-{_num(rng.max)}"
    if rng.min is not None:
        return f"at least the {_num(rng.min)}"
    return f"at most the {_num(rng.max or 0)}"


def _why(signal: str, item: Item, profile: Profile, liked: str, wanted: str) -> str:
    """A signal in words; for ``attribute`` only the wanted words the item really has."""
    if signal == "attribute":
        own = {normalise(w) for w in item.words()} | set(keyword_tokens(item.title))
        hits = [w for w in profile.wanted if normalise(w) in own]
        if not hits:  # matched on a genre guessed from the films people mention with it
            return "often mentioned alongside films of that kind"
        wanted = " and ".join(hits[:3])
    if signal in ("text", "keyword") and profile.intent:
        # Words of the request that the item's own description uses say more than "close to".
        said = set(keyword_tokens(item.description)) - set(keyword_tokens(item.title))
        words = list(dict.fromkeys(w for w in keyword_tokens(profile.intent) if w in said))
        if words:
            return "its description mentions " + " and ".join(words[:2])
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


def template_text(
    profile: Profile,
    items: Sequence[ScoredItem],
    titles: TitleLinker | None,
    liked: Sequence[Item] = (),
    share: Callable[[str], float] | None = None,
) -> str:
    lines = [template_reply(profile, items, titles)]
    lines += [
        f"#{n}: {template_reason(s, profile, titles, liked, share)}"
        for n, s in enumerate(items, start=1)
    ]
    return "\n".join(lines)
