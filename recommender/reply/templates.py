"""Template replies and reasons: what Magpie says when no LLM writes (or its text is dropped).

Built only from the item's own fields, the profile and the item's strongest signals, so every
word is true of the item; also the profile in plain words (``describe_profile``), for people
and for prompts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from recommender.catalogue.spec import CatalogSpec
from recommender.languages import pack
from recommender.read.linking import TitleLinker
from recommender.reply.strings import say, setting, value, values
from recommender.schemas import Item, Profile, Range, ScoredItem
from recommender.signals import Signal
from recommender.text import keyword_tokens, normalise

__all__ = ["describe_profile", "template_reason", "template_reply", "template_text"]

_SIGNALS = tuple(s.value for s in Signal if s.declared.reason)  # a reason may say these


_ANY = CatalogSpec(name="any")  # no catalogue given: the default field roles, no kind field
_MAX_WORD_CHARS = 40  # longer attribute strings are text, not words (VocabularyLinker's rule)
# A value shared with a liked item is named only when at most this share of the catalogue has it:
# a director or a fine genre tells why, "United States" or "comedy" does not.
_TELLING_SHARE = 0.05


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
    if profile.avoided or profile.shunned:
        avoids = [*values(lang, list(profile.avoided)), *profile.shunned]
        parts.append(say(lang, "describe.avoids", items=items(avoids, False)))
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
    scored: ScoredItem,
    profile: Profile,
    titles: TitleLinker | None,
    liked: Sequence[Item] = (),
    share: Callable[[str], float] | None = None,
    lang: str = "en",
    spec: CatalogSpec | None = None,
) -> str:
    """One grounded sentence from the item's fields and its strongest signals, in ``lang``;
    ``spec`` says which fields hold its date, money and kind (``[fields]``, ``kind_fields``).

    Where a field ties the item to the request (a wanted word it carries, a range it falls in, a
    rare value it shares with a film the user liked), the reason says that fact; the signal's
    name ("close to what you described") is only the last resort. ``liked`` are the liked items
    and ``share`` gives the share of the catalogue's items carrying a word (rare = telling).

    >>> film = Item("m", "Up", attributes={"year": 2009, "genres": ["animation", "comedy"]})
    >>> scored, films = ScoredItem(film, 1.0, {"popularity": 0.9}), CatalogSpec(
    ...     name="films", kind_fields=("genres",))
    >>> template_reason(scored, Profile(), None, spec=films), template_reason(
    ...     scored, Profile(), None, lang="zh", spec=films)
    ('A 2009 animation/comedy — a popular pick.', '2009年的动画/喜剧片——很受欢迎。')
    """
    item = scored.item
    spec = spec or _ANY
    roles = spec.fields
    facts = []
    year = item.attributes.get(roles.date)
    genres = item.attributes.get(spec.kind_fields[0]) if spec.kind_fields else None
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
    price, budget = item.number(roles.money), profile.ranges.get(roles.money)
    if price is not None and budget is not None and budget.max is not None:
        facts.append(
            say(lang, "reason.within_budget", price=_money(price), budget=_money(budget.max))
        )
    ties = _ties(item, profile, liked, share or (lambda _: 0.0), lang, roles.money)
    joined = say(lang, "reason.ties_join")
    if not ties:
        liked_names = say(lang, "describe.list").join(
            _name(i, titles) for i in profile.liked[-2:]
        ) or say(lang, "reason.your_picks")
        top = sorted(
            ((v, k) for k, v in scored.signals.items() if v > 0.05 and k in _SIGNALS),
            reverse=True,
        )[:2]
        # Two signals can say the same thing (text and keyword: the words the description uses).
        ties = list(dict.fromkeys(_why(k, item, profile, liked_names, lang) for _, k in top))
        joined = say(lang, "reason.why_join")
    text = say(lang, "reason.facts_join").join(facts)
    if ties:
        text = (text + say(lang, "reason.why_after") if text else "") + joined.join(ties)
    if not text:
        return say(lang, "reason.fallback")
    if setting(lang, "reason.capitalise"):
        text = text[:1].upper() + text[1:]
    return text + say(lang, "reason.end")


def _name(item_id: str, titles: TitleLinker | None) -> str:
    return titles.title(item_id) if titles else item_id


def _values(item: Item) -> list[tuple[str, str]]:
    """(field, value) for each word-like attribute value, in the item's field order."""
    out = []
    for key, raw in item.attributes.items():
        for v in raw if isinstance(raw, list) else [raw] if isinstance(raw, str) else []:
            if len(v) <= _MAX_WORD_CHARS:
                out.append((key, v))
    return out


def _field(key: str, lang: str = "en") -> str:
    return value(lang, key).replace("_", " ")


def _ties(
    item: Item,
    profile: Profile,
    liked: Sequence[Item],
    share: Callable[[str], float],
    lang: str = "en",
    money: str = "",
) -> list[str]:
    """Facts of the item that answer the request, most telling first (at most two); a budget
    (the ``money`` field's range) is said apart, by ``template_reason``.

    >>> heist = Item("k", "The Killing", attributes={"year": 1956, "tags": ["heist"],
    ...              "director": ["Stanley Kubrick"]})
    >>> liked = Item("p", "Paths of Glory", attributes={"director": ["Stanley Kubrick"]})
    >>> _ties(heist, Profile(wanted=["heist"], liked=["p"]), [liked], lambda w: 0.01)
    ['heist (tags), as you asked', 'Stanley Kubrick (director), as in Paths of Glory']
    >>> _ties(heist, Profile(ranges={"year": Range(min=1950, max=1959)}), [], lambda w: 0.0)
    ['year 1956, within the 1950-1959 you asked for']
    """
    own_values = _values(item)
    out = []
    for word in profile.wanted:
        hit = next(((k, v) for k, v in own_values if normalise(v) == normalise(word)), None)
        if hit is not None:
            shown = value(lang, hit[1])
            out.append(say(lang, "reason.tie_asked", value=shown, field=_field(hit[0], lang)))
    for key, rng in profile.ranges.items():
        number = item.number(key)
        if key != money and number is not None and rng.contains(number):
            within = _within(rng, lang)
            field_ = _field(key, lang)
            out.append(
                say(lang, "reason.tie_range", field=field_, number=_num(number), within=within)
            )
    own = {(k, normalise(v)): v for k, v in own_values}
    shared = [
        (share(normalise(v)), n, k, own[(k, normalise(v))], other)
        for other in liked
        if other.id != item.id
        for n, (k, v) in enumerate(_values(other))
        if (k, normalise(v)) in own and share(normalise(v)) <= _TELLING_SHARE
    ]
    if shared:
        _, _, key, word, other = min(shared, key=lambda t: (t[0], t[1]))
        shown, field_ = value(lang, word), _field(key, lang)
        out.append(say(lang, "reason.tie_as_in", value=shown, field=field_, title=other.title))
    return out[:2]


def _within(rng: Range, lang: str = "en") -> str:
    """How a value sits in the asked range, in words.

    >>> _within(Range(min=2000, max=2009)), _within(Range(max=90)), _within(Range(min=2010))
    ('within the 2000-2009 you asked for', 'at most the 90 you asked for', 'at least the 2010 you asked for')
    >>> _within(Range(min=1990, max=1999), "zh")
    '在你要的 1990–1999 之内'
    """
    if rng.min is not None and rng.max is not None:
        return say(lang, "reason.within_between", low=_num(rng.min), high=_num(rng.max))
    if rng.min is not None:
        return say(lang, "reason.within_at_least", low=_num(rng.min))
    return say(lang, "reason.within_at_most", high=_num(rng.max or 0))


def _why(signal: str, item: Item, profile: Profile, liked: str, lang: str) -> str:
    """A signal in words; for ``attribute`` only the wanted words the item really has."""
    if signal == "attribute":
        own = {normalise(w) for w in item.words()} | set(keyword_tokens(item.title))
        hits = [w for w in profile.wanted if normalise(w) in own]
        if not hits:  # matched on a genre guessed from the films people mention with it
            return say(lang, "reason.attribute_guessed")
        wanted = say(lang, "reason.wanted_join").join(values(lang, hits[:3]))
        return say(lang, "reason.attribute", wanted=wanted)
    if signal in ("text", "keyword") and profile.intent:
        # Words of the request that the item's own description uses say more than "close to".
        said = set(keyword_tokens(item.description)) - set(keyword_tokens(item.title))
        # The request's own words ("christmas"), not their stems ("christma"), and not a
        # frequent word ("under $200" says nothing of the item).
        common = pack().reader.common_words
        words = list(
            dict.fromkeys(
                w
                for w in normalise(profile.intent).split()
                if keyword_tokens(w) and keyword_tokens(w)[0] in said and w not in common
            )
        )
        if words:
            return say(
                lang, "reason.description", words=say(lang, "reason.wanted_join").join(words[:2])
            )
    if signal == "collab":  # learned from the same co-mentions: the same words
        signal = "cooccur"
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
    profile: Profile,
    items: Sequence[ScoredItem],
    titles: TitleLinker | None,
    liked: Sequence[Item] = (),
    share: Callable[[str], float] | None = None,
    lang: str = "en",
    spec: CatalogSpec | None = None,
) -> str:
    lines = [template_reply(profile, items, titles, lang)]
    lines += [
        f"#{n}: {template_reason(s, profile, titles, liked, share, lang, spec=spec)}"
        for n, s in enumerate(items, start=1)
    ]
    return "\n".join(lines)
