"""Template replies and reasons: what Magpie says when no LLM writes (or its text is dropped).

Built only from the item's own fields, the profile and the item's strongest signals, so every
word is true of the item; also the profile in plain words (``describe_profile``), for people
and for prompts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from recommender.catalogue.spec import CatalogSpec
from recommender.languages import pack
from recommender.read.linking import TitleLinker
from recommender.read.quantities import as_said
from recommender.reply.situation import Situation
from recommender.reply.strings import (
    has,
    said_in,
    say,
    say_nth,
    setting,
    unit_format,
    value,
    values,
)
from recommender.schemas import Item, Profile, ScoredItem
from recommender.signals import Signal
from recommender.text import in_unit, keyword_tokens, normalise, stem

__all__ = [
    "describe_profile",
    "summary",
    "template_reason",
    "template_reply",
]

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
    if topics := said_in(lang, profile.topics):
        parts.append(say(lang, "describe.about", items=items(topics, False)))
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
    n: int = 0,
) -> str:
    """One grounded sentence (two when the item's description has a short telling one) from
    the item's own facts, in ``lang``: what it is (its kinds, wanted ones first, and year; or its
    category), who made it, and what ties it to the request (a value shared with a liked item, a
    budget it fits, the photo, request words its description uses); a signal's name only when
    nothing else ties it. ``n`` is the card's place in its list: it picks each clause's wording,
    so the reasons of one list never read alike. ``spec`` names the date, money and kind fields;
    ``share`` gives the share of the catalogue carrying a word (a rare shared value is telling).

    >>> film = Item("m", "Up", attributes={"year": 2009, "genres": ["animation", "comedy"],
    ...             "director": ["Pete Docter"]})
    >>> films = CatalogSpec(name="films", kind_fields=("genres",))
    >>> scored = ScoredItem(film, 1.0, {"popularity": 0.9})
    >>> template_reason(scored, Profile(wanted=["comedy"]), None, spec=films)
    'A 2009 comedy and animation, directed by Pete Docter — a popular pick.'
    >>> template_reason(scored, Profile(), None, spec=films, n=1)
    'Animation and comedy from 2009, from director Pete Docter — widely liked.'
    >>> template_reason(scored, Profile(), None, lang="zh", spec=films)
    '2009年的动画喜剧片，Pete Docter执导——很受欢迎。'
    """
    item = scored.item
    spec = spec or _ANY
    share = share or (lambda _: 0.0)
    clauses = [c for c in (_identity(item, profile, spec, lang, n),) if c]
    people = _people(item, lang, n)
    ties = _ties(item, profile, liked, share, lang, spec, n)
    if not ties:
        ties = _signals(scored, profile, titles, lang, n)
    # The people go first when the reason would run long: a reason is read at a glance.
    while people and len("".join([*clauses, *people, *ties])) > _CLAUSE_CHARS[lang == "zh"]:
        people.pop()
    clauses += people
    text = say(lang, "reason.clause_join").join(clauses)
    if ties:
        text = (text + say(lang, "reason.then") if text else "") + say(
            lang, "reason.clause_join"
        ).join(ties)
    if not text:
        return say(lang, "reason.fallback")
    if setting(lang, "reason.capitalise"):
        text = text[:1].upper() + text[1:]
    if lang == "en":
        text = _AN.sub(lambda m: m.group(1) + "n ", text)  # "a adventure" -> "an adventure"
    text += say(lang, "reason.end")
    story = _story(item, lang)
    if story and len(text) + len(story) < _REASON_CHARS:
        text += " " + story
    return text


_REASON_CHARS = 200  # a reason and its story sentence, at most
_AN = re.compile(r"\b([Aa]) (?=[aeiouAEIOU])")
_CLAUSE_CHARS = (150, 60)  # its clauses, in characters: in English, in Chinese
_STORY_CHARS = (30, 130)  # a description sentence short enough to quote, long enough to tell
# The lead of an encyclopaedia entry ("X is a 1996 comedy film ... directed by ...") says what the
# reason's clauses say already; a story sentence tells something else.
_LEAD = re.compile(
    r"\b(?:is|was) an? (?:\d{4} )?[\w ,\-]*(?:film|movie)\b|\b(?:directed|written|produced) by\b"
    r"|\bstarring\b",
    re.I,
)


# Catalogue text is data: a sentence that talks to a reader of prompts, or links elsewhere, is
# never quoted as an item's story.
_NOT_A_STORY = re.compile(r"https?://|www\.|\binstructions?\b|\bprompt\b|\bignore\b", re.I)


def _story(item: Item, lang: str) -> str:
    """A short sentence of the item's own description that tells what it is about (English
    only: descriptions are), not its title again and not the "X is a 1996 film" lead.

    >>> _story(Item("d", "101 Dalmatians", "101 Dalmatians is a 1996 comedy film. Unlike the "
    ...     "1961 animated film, none of the animals speak."), "en")
    'Unlike the 1961 animated film, none of the animals speak.'
    """
    if lang != "en" or not item.description:
        return ""
    # Not after an initial or a short title ("the Swiss artist H. R. Giger", "Jr.", "Dr.").
    for sentence in re.split(
        r"(?<=[.!?])(?<!\b[A-Z]\.)(?<!\b[A-Z][a-z]\.)\s+", item.description.strip()
    ):
        low, high = _STORY_CHARS
        if (
            low <= len(sentence) <= high
            and sentence.endswith((".", "!"))
            and not _LEAD.search(sentence)
            and not _NOT_A_STORY.search(sentence)
            and normalise(sentence) != normalise(item.title)
        ):
            return sentence
    return ""


def _kinds(item: Item, profile: Profile, spec: CatalogSpec, lang: str) -> list[str]:
    """At most two of the item's kinds: the wanted ones it has first, a fine kind (a tag)
    before a broad one it contains ("heist" before "comedy", not "adventure comedy comedy")."""
    wanted = {normalise(w) for w in profile.wanted}
    own: list[tuple[int, int, str]] = []
    table = pack(lang).ui or {}
    for key, v in _values(item):  # a wanted word the item has, in its kind fields
        if (
            normalise(v) in wanted
            and key not in spec.link_fields
            and key not in spec.facet_fields  # said as "in blue", "for women"
            and f"reason_fields.{key}" not in table  # said by a clause of its own
            and key in spec.kind_fields  # none named: the item's category says what it is
        ):
            own.append((0, len(own), v))
    for key in spec.kind_fields:
        raw = item.attributes.get(key)
        for order, v in enumerate(raw if isinstance(raw, list) else []):
            if isinstance(v, str) and len(v) <= _MAX_WORD_CHARS:
                own.append((1, order, v))
    chosen: list[str] = []
    for _, _, v in sorted(own, key=lambda t: (t[0], t[1])):
        if lang != "en" and value(lang, v) == v:
            continue  # a kind without a word in this language is not said in it
        # Contained in one said already, in the catalogue's words or the reader's ("romance"
        # and "romantic comedy" are 爱情 and 爱情喜剧 in Chinese): said once.
        said = [(normalise(c), value(lang, c)) for c in chosen]
        shown = value(lang, v)
        if not any(
            normalise(v) in c or c in normalise(v) or shown in t or t in shown for c, t in said
        ):
            chosen.append(v)
        if len(chosen) == 2:
            break
    return values(lang, chosen)


def _identity(item: Item, profile: Profile, spec: CatalogSpec, lang: str, n: int) -> str:
    """What the item is: "a 1956 heist and crime", "from 1999", "from the plants range"."""
    year = item.attributes.get(spec.fields.date)
    kinds = _kinds(item, profile, spec, lang)
    if kinds:
        words = (
            say(lang, "reason.kinds_two", first=kinds[0], second=kinds[1])
            if len(kinds) == 2
            else kinds[0]
        )
        if year:
            return say_nth(lang, "reason.kind_year", n, year=year, kinds=words)
        return say_nth(lang, "reason.kind", n, kinds=words)
    if year:
        return say_nth(lang, "reason.year", n, year=year)
    if item.categories:
        category = value(lang, item.categories[-1])
        if lang == "en" or category != item.categories[-1]:
            return say_nth(lang, "reason.category", n, category=category.lower())
    return ""


def _people(item: Item, lang: str, n: int) -> list[str]:
    """Clauses for the fields the language has wordings for (``[reason_fields]``: director,
    brand, colour...): at most two fields, the first two values of each."""
    out = []
    table = pack(lang).ui or {}
    named: set[str] = set()  # a name said once: "by John Krasinski, with Emily Blunt"
    for key, raw in item.attributes.items():
        if f"reason_fields.{key}" not in table:
            continue
        listed = [v for v in (raw if isinstance(raw, list) else [raw]) if isinstance(v, str)]
        listed = [v for v in listed if v not in named]
        named.update(listed[:2])
        shown = [value(lang, v) for v in listed[:2]]  # "with Brad Pitt and Matt Damon"
        # A lower-case word without a word in this language ("black") is not said in it;
        # a name ("Nike", "Stanley Kubrick") is said as it is.
        untranslated = any(value(lang, v) == v and v.islower() for v in listed[:1])
        if lang != "en" and untranslated:
            continue  # a colour without a Chinese word is not said in Chinese
        if shown:
            joined = say(lang, "reason.people_join").join(shown)
            out.append(say_nth(lang, f"reason_fields.{key}", n, value=joined))
        if len(out) == 2:
            break
    return out


def _values(item: Item) -> list[tuple[str, str]]:
    """(field, value) for each word-like attribute value, in the item's field order."""
    out = []
    for key, raw in item.attributes.items():
        for v in raw if isinstance(raw, list) else [raw] if isinstance(raw, str) else []:
            if len(v) <= _MAX_WORD_CHARS:
                out.append((key, v))
    return out


def _ties(
    item: Item,
    profile: Profile,
    liked: Sequence[Item],
    share: Callable[[str], float],
    lang: str,
    spec: CatalogSpec,
    n: int,
) -> list[str]:
    """What ties the item to the request, beyond what it is: a budget it fits, a rare value it
    shares with a liked item (a director, a fine genre; not "United States"), at most two.

    >>> heist = Item("k", "The Killing", attributes={"tags": ["heist"],
    ...              "director": ["Stanley Kubrick"]})
    >>> liked = Item("p", "Paths of Glory", attributes={"director": ["Stanley Kubrick"]})
    >>> films = CatalogSpec(name="films", link_fields=("director",))
    >>> _ties(heist, Profile(liked=["p"]), [liked], lambda w: 0.01, "en", films, 0)
    ['Stanley Kubrick, as in Paths of Glory']
    """
    out = []
    if about := _topics_in(item, profile):  # "a film about chess": its text says chess
        joined = say(lang, "reason.wanted_join").join(about[:2])
        out.append(say_nth(lang, "reason.mentions", n, words=joined))
    price, budget = item.number(spec.fields.money), profile.ranges.get(spec.fields.money)
    if price is not None and budget is not None and budget.max is not None:
        out.append(
            say_nth(
                lang, "reason.budget", n, price=_money(price), budget=_money(as_said(budget.max))
            )
        )
    # A shared person or fine kind tells why; a shared country or language does not.
    telling = {*spec.link_fields, *spec.kind_fields}
    own = {(k, normalise(v)): v for k, v in _values(item) if k in telling}
    shared = [
        (share(normalise(v)), order, own[(k, normalise(v))], other)
        for other in liked
        if other.id != item.id
        for order, (k, v) in enumerate(_values(other))
        if (k, normalise(v)) in own and share(normalise(v)) <= _TELLING_SHARE
    ]
    if shared:
        _, _, word, other = min(shared, key=lambda t: (t[0], t[1]))
        out.append(say_nth(lang, "reason.link", n, value=value(lang, word), title=other.title))
    return out[:2]


def _topics_in(item: Item, profile: Profile) -> list[str]:
    """The topics asked for ("car chases") whose every word the item's own text uses.

    >>> _topics_in(Item("r", "Ronin", "Ronin has car chases through Paris."),
    ...            Profile(topics=["car chases", "chess"]))
    ['car chases']
    """
    if not profile.topics:
        return []
    own = set(keyword_tokens(f"{item.title} {item.description}"))
    return [t for t in profile.topics if (words := keyword_tokens(t)) and set(words) <= own]


def _signals(
    scored: ScoredItem, profile: Profile, titles: TitleLinker | None, lang: str, n: int
) -> list[str]:
    """The item's strongest signals in words, when no fact ties it to the request."""
    item = scored.item
    liked_names = (
        _name(profile.liked[-1], titles) if profile.liked else say(lang, "reason.your_picks")
    )
    # "Unlike what you turned down" is true of nearly every item (a thumbs-down pushes only
    # the nearest down): said only when nothing else is.
    top = sorted(
        ((k != "feedback", v, k) for k, v in scored.signals.items() if v > 0.05 and k in _SIGNALS),
        reverse=True,
    )[:2]
    out: list[str] = []
    for _, _, signal in top:
        said = _why(signal, item, profile, liked_names, lang, n)
        if said and said not in out:
            out.append(said)
    return out[:1] if len(out) > 1 and len(" ".join(out)) > 60 else out


def _name(item_id: str, titles: TitleLinker | None) -> str:
    return titles.title(item_id) if titles else item_id


def _why(signal: str, item: Item, profile: Profile, liked: str, lang: str, n: int) -> str:
    """A signal in words; for ``attribute``, nothing (the kinds already say the wanted words
    the item has) unless it matched on a kind guessed from the films mentioned with it."""
    if signal == "attribute":
        own = {normalise(w) for w in item.words()} | set(keyword_tokens(item.title))
        if any(normalise(w) in own for w in profile.wanted) or not profile.wanted:
            return ""
        # Matched on a kind guessed from what it is mentioned with: say which kind.
        wanted = say(lang, "reason.wanted_join").join(values(lang, list(profile.wanted[:2])))
        return say_nth(lang, "reason.attribute_guessed", n, wanted=wanted)
    if signal == "image":
        return say_nth(lang, "reason.photo", n)
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
            joined = say(lang, "reason.wanted_join").join(words[:2])
            return say_nth(lang, "reason.mentions", n, words=joined)
        return say_nth(lang, "reason.text", n)
    if signal == "collab":  # learned from the same co-mentions: the same words
        signal = "cooccur"
    if signal in ("cooccur", "liked_sim"):
        return say_nth(lang, f"reason.{signal}", n, liked=liked)
    if signal in ("popularity", "feedback", "dialogues"):
        return say_nth(lang, f"reason.{signal}", n)
    return ""


def summary(
    profile: Profile,
    titles: TitleLinker | None,
    lang: str = "en",
    spec: CatalogSpec | None = None,
    facets: Mapping[str, frozenset[str]] | None = None,
) -> str:
    """What was asked, as a phrase for the opening ("comedy and heist, from 2000 to 2009,
    nothing violent"); "" when nothing was. A shop's facet values (``facets``: field -> values)
    follow the kind they qualify ("jackets in blue for women").

    >>> from recommender.schemas import Range
    >>> summary(Profile(wanted=["comedy"], avoided=["horror"], ranges={"year": Range(min=1990,
    ...     max=1999), "price": Range(max=200)}), None)
    'comedy, from 1990 to 1999, price up to $200, nothing horror'
    >>> summary(Profile(wanted=["comedy"], ranges={"year": Range(min=2000)}), None, "zh")
    '喜剧，2000年以后'
    >>> shop = {"colour": frozenset({"blue"}), "gender": frozenset({"women"})}
    >>> summary(Profile(wanted=["jackets", "jacket", "women", "blue"], categories=["Jackets"]),
    ...     None, facets=shop)
    'jackets in blue for women'
    """
    spec = spec or _ANY
    facets = facets or {}
    listed = say(lang, "summary.list")
    parts = []
    faceted = {w for values_ in facets.values() for w in values_}
    headings = {normalise(c) for c in profile.categories}
    # What kind of thing first ("jackets and rainy", not "rainy and jackets").
    asked = sorted(
        (w for w in profile.wanted if normalise(w) not in faceted),
        key=lambda w: normalise(w) not in headings,
    )
    # A category is a heading in the catalogue ("Photo"); in an English sentence, a word.
    categories = [c.lower() for c in profile.categories] if lang == "en" else profile.categories
    # "plants" as a category and as a wanted word is said once; "jackets" and "jacket" too.
    kinds: dict[str, str] = {}
    for word in [*categories, *asked] if not facets or not asked else asked:
        kinds.setdefault(" ".join(stem(w) for w in normalise(word).split()), word)
    said = listed.join(values(lang, list(kinds.values())[:3])) if kinds else ""
    qualifiers = [
        say(lang, key if has(lang, key := f"summary.facet_{name}") else "summary.facet",
            words=listed.join(values(lang, named)))
        for name, held in facets.items()
        if (named := [w for w in profile.wanted if normalise(w) in held])
    ]  # fmt: skip
    if said or qualifiers:
        phrase = say(lang, "summary.qualified", kinds=said, facets=say(
            lang, "summary.facet_join").join(qualifiers)) if qualifiers else said  # fmt: skip
        parts.append(say(lang, "summary.kinds", words=phrase.strip()))
    if topics := said_in(lang, profile.topics):  # the person's own words, as said
        parts.append(say(lang, "summary.about", words=listed.join(topics[:3])))
    if profile.liked:
        names = listed.join(_name(i, titles) for i in profile.liked[-2:])
        parts.append(say(lang, "summary.liked", titles=names))
    for key, rng in profile.ranges.items():
        unit = unit_format(lang, spec.card_format.get(key))  # "{} min", "{}分钟"
        show = _money if key == spec.fields.money else (lambda x, unit=unit: in_unit(_num(x), unit))
        shown = value(lang, key).replace("_", " ")
        prefix = "summary.date_" if key == spec.fields.date else "summary."
        fields: dict[str, str] = {} if key == spec.fields.date else {"key": shown}
        if key == spec.fields.date and rng.min is not None and rng.min == rng.max:
            parts.append(say(lang, "summary.date_in", low=show(rng.min)))  # "from 1995"
        elif rng.min is not None and rng.max is not None:
            parts.append(
                say(lang, prefix + "between", low=show(rng.min), high=show(rng.max), **fields)
            )
        elif rng.min is not None:
            parts.append(say(lang, prefix + "from", low=show(rng.min), **fields))
        elif rng.max is not None and key == spec.fields.money and as_said(rng.max) != rng.max:
            parts.append(say(lang, "summary.under", high=_money(as_said(rng.max)), **fields))
        elif rng.max is not None:
            parts.append(say(lang, prefix + "up_to", high=show(rng.max), **fields))
    # The catalogue's own words only (a shunned phrase is the person's, shown in the profile
    # panel); in another language, those it has a word for.
    avoided = [value(lang, a) for a in profile.avoided if lang == "en" or value(lang, a) != a]
    if avoided:
        parts.append(say(lang, "summary.avoids", words=listed.join(avoided[:3])))
    if profile.images:
        parts.append(say(lang, "summary.photo"))
    return say(lang, "summary.join").join(parts)


def template_reply(
    profile: Profile,
    items: Sequence[ScoredItem],
    titles: TitleLinker | None,
    lang: str = "en",
    spec: CatalogSpec | None = None,
    situation: Situation | None = None,
) -> str:
    """The opening reply a template writes: what the picks are for; plainly, when the catalogue
    has nothing of what was asked (a wanted kind no pick has, words no item uses); a question
    back when there was nothing to rank by.

    >>> template_reply(Profile(wanted=["comedy"]), [], None, "zh")
    '没有找到完全符合这些条件的结果。试着放宽一个条件吧（目前：想要 喜剧）。'
    >>> up = ScoredItem(Item("u", "Up", attributes={"genres": ["animation"]}), 1.0, {})
    >>> template_reply(Profile(wanted=["horror"]), [up], None)
    'I found no horror that also fits the rest of what you asked; these come closest.'
    >>> template_reply(Profile(), [up], None, situation=Situation(options=("drama", "comedy"), vague=True))
    'Here are a few popular ones to start. What are you in the mood for: drama or comedy?'
    """
    situation = situation or Situation()
    if not items:
        return say(lang, "reply.nothing", summary=describe_profile(profile, titles, lang))
    if situation.unknown:
        said = say(lang, "reply.unknown", words=" ".join(situation.unknown[:3]))
        return said + _then(said) + _ask(lang, situation) if situation.vague else said
    carried = {normalise(w) for s in items for w in s.item.words()}
    # Only when no pick has any wanted word: "fruit or vegetables" answered with fruit is not
    # a miss; "science fiction before 1920" answered with none is.
    missing = [w for w in profile.wanted if normalise(w) not in carried]
    if missing and len(missing) == len(profile.wanted):
        listed = say(lang, "summary.list").join(values(lang, missing[:2]))
        return say(lang, "reply.missing", words=listed)
    if situation.vague and situation.options:
        said = say(lang, "reply.vague")
        return said + _then(said) + _ask(lang, situation)
    said = summary(profile, titles, lang, spec, situation.facets)
    if not said:
        return say(lang, "reply.picks", count=len(items))
    return say(lang, "reply.picks_for", count=len(items), summary=said)


def _then(sentence: str) -> str:
    """What joins a second sentence: nothing after a Chinese full stop, else a space."""
    return "" if sentence.endswith(("。", "！", "？")) else " "


def _ask(lang: str, situation: Situation) -> str:
    """One short question back: which of the catalogue's commonest kinds."""
    if not situation.options:
        return ""
    options = values(lang, list(situation.options[:3]))
    if len(options) > 1:
        shown = say(lang, "reply.options_join").join(options[:-1])
        shown += say(lang, "reply.options_last") + options[-1]
    else:
        shown = options[0]
    return say(lang, "reply.ask", options=shown)
