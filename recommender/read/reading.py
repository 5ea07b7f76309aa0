"""Read a message once into a typed ``Reading``: what it names, wants, avoids and bounds.

The rule reader: titles (linked to catalogue ids; a Chinese title first becomes the catalogue's,
``aliases``), the catalogue's own words, categories, budgets and year ranges, and critiques of
the last list ("more like #2", "cheaper"). Whether a word is wanted or refused, a title liked,
disliked or seen, is read from the sentence's dependency parse (``stance``), and so is whether
the message is a new request, which replaces the last one's wishes, or a refinement, which adds
to them (``Change.fresh``). Deterministic and fast (a parse takes a few ms), so a turn never
waits on the LLM for it. Word lists come from the language's folder (``languages.pack``),
vocabulary, synonyms and field roles from the catalogue; all normalisation goes through
``text``. A message is first told its language (``langid.detect``: ``Reading.language``); one in
Chinese, Spanish, French or German is read through its English gloss (``gloss.gloss``), so it
gives the profile its English twin gives. Numbers (budgets, years, lengths) are read by ``quantities``.

What a message says is one shape: ``Reading.said`` is the ``Change`` its words make,
``Reading.critique`` what it says of the last list. ``profile.update`` folds both.

>>> from recommender.schemas import Item
>>> from recommender.read.linking import TitleLinker, VocabularyLinker
>>> items = [Item("st", "Super Troopers", attributes={"year": 2001, "genres": ["comedy"]}),
...          Item("ex", "The Exorcist", attributes={"year": 1973, "genres": ["horror"]})]
>>> r = read_message("I loved Super Troopers, no horror, from the 90s", TitleLinker(items),
...                  VocabularyLinker(items))
>>> r.said.liked, r.said.avoided, r.said.ranges["year"].min, r.said.ranges["year"].max
(('st',), ('horror',), 1990.0, 1999.0)
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from recommender.catalogue.spec import CatalogSpec
from recommender.languages import pack
from recommender.read.critique import (
    Critique,
    comparative_words,
    read_critique,
    year_direction,
)
from recommender.read.gloss import gloss, unread
from recommender.read.langid import detect
from recommender.read.linking import Mention, TitleLinker, VocabularyLinker
from recommender.read.ordinals import ranked_out
from recommender.read.quantities import read_quantities, recent_spans, short_of_words
from recommender.read.stance import (
    Parsed,
    adds_on,
    anchored,
    answer_to_question,
    answered,
    asked_things,
    asks_afresh,
    asks_yes_or_no,
    by_degree,
    named_only,
    negated_at,
    parse,
    plain_words,
    pointed_stance,
    pointers,
    refused_back,
    refused_names,
    refused_words,
    said_later,
    stands_alone,
    title_stance,
    wished_text,
    word_runs,
)
from recommender.read.topics import described
from recommender.schemas import Change, Item, Range
from recommender.text import normalise

__all__ = ["Reading", "read_message"]

_EN = pack().reader
_INTENT_CHARS = 300  # the free-text intent kept from a message


@dataclass(frozen=True)
class Reading:
    """What one message says. Ids are catalogue ids; words are the catalogue's own words."""

    text: str  # the message as read
    language: str = "en"  # the language it is written in ("en", "zh", "es", "fr", "de")
    gloss: str = ""  # the English the rules read (the text itself when English); "" if empty
    mentions: tuple[Mention, ...] = ()  # every title named, in order (offsets in ``gloss``)
    # What its words say: titles liked (or named neutrally), disliked or seen; words wanted or
    # avoided; categories; the bounds it states; its intent.
    said: Change = field(default_factory=Change)
    critique: Critique = field(default_factory=Critique)  # what it says of the last list
    # Nouns naming what is asked for that the catalogue's words do not know ("headphones" in
    # a shop without any): the pipeline says so when no item's text has them either.
    things: tuple[str, ...] = ()


@dataclass
class _Draft:
    """A reading's lists while its clauses are read (``Reading.said`` once done)."""

    liked: list[str] = field(default_factory=list)
    disliked: list[str] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)
    wanted: list[str] = field(default_factory=list)
    avoided: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)

    def done(self, ranges: dict[str, Range], intent: str) -> Change:
        return Change(
            liked=tuple(self.liked),
            disliked=tuple(self.disliked),
            seen=tuple(self.seen),
            wanted=tuple(self.wanted),
            avoided=tuple(self.avoided),
            categories=tuple(self.categories),
            ranges=ranges,
            intent=intent,
            focus=tuple(self.liked),
        )


def read_message(
    text: str,
    titles: TitleLinker,
    vocabulary: VocabularyLinker,
    shown: Sequence[Item] = (),
    spec: CatalogSpec | None = None,
    asked: str = "",
) -> Reading:
    """Read ``text``; ``shown`` are the items of the last list (what "#2" refers to); ``asked``
    what the other side said just before (a bare "I do!" answers "Do you like westerns?"); ``spec``
    the catalogue's numeric fields with a unit (``measures``: ``{"runtime": "minutes"}``), those
    bounded by name (``named_ranges``), those whose values rank (``ordinals``) and its field roles
    (``fields``: which field a budget or a decade bounds).

    A message in another language is read through its English gloss (``gloss.gloss``).
    """
    spec = spec or _ANY
    code = detect(text)
    native = titles.aliases.translate(text)  # a Chinese title as the catalogue's
    english = gloss(native, code)
    critique = read_critique(english, shown, spec.fields, titles.latest_year)
    intent = text.strip()[:_INTENT_CHARS]
    if not english.strip():  # no word the rules read: the words still ask (dense retrieval)
        said = Change(intent=intent, query=intent)
        return Reading(text, code, english, said=said, critique=critique)
    draft = _Draft()
    ranked, rest = ranked_out(english, spec.ordinals)
    mentions, parsed = _read_words(rest, draft, titles, vocabulary)
    if 0 < len(shown) <= _POINTED_AT_MOST:  # "Seen Heat?" - "Yes, loved it!"
        # A word can point back only before the message names a title of its own: "loved it"
        # after "I watched Avengers" is Avengers.
        _pointed_at(rest, mentions, [i.id for i in shown], draft)
    untitled = _blank_titles(english, mentions)  # "Scream from 1996" bounds no year
    ranges = read_quantities(
        untitled,
        spec.measures,
        spec.named_ranges,
        spec.fields,
        # Parsed only when a year cue asks (most messages have none).
        lambda at: negated_at(parse(untitled), at),
        titles.latest_year,
    )
    for value in ranked:
        _add(draft.avoided, value)
    if spec.variants:  # "anything but the Erika ones": that product, in every colour
        for name in refused_names(parsed):
            for item_id in vocabulary.named(name):
                _add(draft.disliked, item_id)
    if asked and not mentions:
        _answered_kinds(english, asked, titles, vocabulary, draft)
    if not 0 < len(shown) <= _POINTED_AT_MOST:
        # "thrillers ... my partner can't stand them": no few items just shown for "them" to be
        for phrase in refused_back(parsed):
            for word in vocabulary.words_in(phrase):
                if word in draft.wanted:
                    draft.wanted.remove(word)
                _add(draft.avoided, word)
    # What retrieval looks for: not what the message refuses (English: the other languages'
    # words are embedded as written, and their gloss is a list of words, not a sentence).
    query = wished_text(parsed)[:_INTENT_CHARS] if code == "en" else intent
    # A kind both asked for and refused ("something spooky, nothing gory": both horror) is
    # asked for; the refused word is kept apart, to push the goriest down ("shun"). So is a
    # kind refused only by degree ("zombies... nothing too gory": fewer gory ones, not none of
    # horror), unless a word of the message refuses it outright ("no horror, nothing too gory").
    refused, degree = refused_words(parsed), by_degree(parsed)
    outright = {v for w in refused if w not in degree for v in vocabulary.words_in(w)}
    softened = {v for w in degree for v in vocabulary.words_in(w)} - outright
    both = (set(draft.wanted) & set(draft.avoided)) | (softened & set(draft.avoided))
    draft.avoided[:] = [w for w in draft.avoided if w not in both]
    # "like Mean Girls but not as old", "nothing too long": bounds, no describing word refused;
    # nor a piece of a hyphenated word the vocabulary reads whole ("sick of rom-coms").
    bounds = (
        comparative_words(english) | short_of_words(english) | _linked_pieces(english, vocabulary)
    )
    shunned = tuple(
        w
        for w in refused
        if (not (found := vocabulary.words_in(w)) or both.intersection(found))
        and w not in bounds
        and not (spec.variants and vocabulary.named(w))  # a product's name: left out above
    )
    # What the film is to be about: by the parse of the English (or of the gloss: "关于狗的电影"
    # reads "dogs movie"), and in Chinese the words the gloss leaves out where a topic stands
    # ("讲潜艇的片子": 潜艇), which retrieval looks for by meaning.
    # Not of a Spanish, French or German gloss: it keeps the words it does not know ("ein
    # movie"), which are no topics.
    clean = code == "en" or pack(code).gloss.script == "han"
    topics = _topics(parsed, english, vocabulary, draft, shunned) if clean else ()
    topics += tuple(w for w in unread(native, code) if w not in topics)
    said = dataclasses.replace(
        draft.done(ranges, intent), shunned=shunned, query=query, topics=topics
    )
    anchors = [n for n, m in enumerate(mentions) if m.item_id in said.liked and anchored(parsed, n)]
    said = dataclasses.replace(said, fresh=_fresh(parsed, bool(anchors), said))
    if said.fresh == "kinds" and not said.categories:
        said = _facet_refinement(said, vocabulary.facets)
    # The catalogue's own name for its items is no thing it lacks: "pictures (drawings and
    # photos of things)" has drawings.
    domain = {w.removesuffix("s") for w in normalise(spec.domain).split()}
    things = (
        tuple(
            w
            for w in asked_things(parsed)
            if not vocabulary.words_in(w)
            and not vocabulary.categories_in(w)
            and w.removesuffix("s") not in domain
        )
        if code == "en"
        else ()
    )
    return Reading(
        text=text,
        language=code,
        gloss=english,
        mentions=tuple(mentions),
        said=said,
        critique=_relative_to_named(english, mentions, titles, ranges, critique, spec.fields.date),
        things=things,
    )


def _topics(
    parsed: Parsed,
    english: str,
    vocabulary: VocabularyLinker,
    draft: _Draft,
    shunned: tuple[str, ...],
) -> tuple[str, ...]:
    """What the item is to be about that no word of the catalogue's says ("a film about
    chess"), nor a word of a wanted phrase ("coming of age": the genre, not "age"). A surname
    alone that is a word of a topic ("set in Paris", "set in New York") is no person (Jerry
    Paris, Michael York)."""

    def read(text: str) -> set[str]:
        return {*vocabulary.words_in(text), *vocabulary.categories_in(text)}

    def known(phrase: str) -> bool:
        """Read whole ("sci fi"), or word by word ("zombies"); "civil war" is not."""
        whole = read(phrase)
        if not whole:
            return False
        each = [read(w) for w in phrase.split()]
        return bool(whole - set().union(*each)) or all(each)

    found = described(parsed, known)
    said = f" {normalise(english)} "
    lowered = {word for t in found for word in normalise(t).split()}
    draft.wanted[:] = [  # ("a movie set in New York": not Michael York)
        w
        for w in draft.wanted
        if not (" " in w and w.split()[-1] in lowered and f" {w} " not in said)
    ]
    return tuple(
        t
        for t in found
        if t not in shunned
        and not any(set(t.lower().split()) <= set(w.split()) for w in draft.wanted)
    )


_ANY = CatalogSpec(name="any")  # a message read without a catalogue's spec: the default roles
_POINTED_AT_MOST = 3  # "loved them": a few items just shown; "them" of a list of five is vague


def _fresh(
    parsed: Parsed, anchored: bool, said: Change
) -> Literal["", "kinds", "things", "wishes"]:
    """Does the message replace the last request's wishes, and which? A request centred on a
    title ("something like X") or said to be new ("something else") replaces them all; one
    that names kinds of its own ("a comedy") replaces the kinds, and the kind of thing too
    when it asks for "something" of no named category ("something for yoga" after "a
    jacket"); "also", "too", or a first "and"/"but" make it a refinement, which adds."""
    if adds_on(parsed):
        return ""
    if anchored or asks_afresh(parsed):
        return "wishes"
    if said.wanted and not said.categories and stands_alone(parsed):
        return "things"
    return "kinds" if said.wanted or said.categories or said.topics else ""


def _facet_refinement(said: Change, facets: Mapping[str, frozenset[str]]) -> Change:
    """A message whose wanted words are all a shop's facet values ("in blue", "for men")
    refines the request: it replaces the values of those facets only.

    >>> colours = {"colour": frozenset({"red", "blue"}), "gender": frozenset({"men"})}
    >>> _facet_refinement(Change(wanted=("blue",), fresh="kinds"), colours).drop
    ('red',)
    """
    wanted = set(said.wanted)
    touched = [values for values in facets.values() if wanted & values]
    if not touched or not wanted <= set().union(*touched):
        return said
    drop = tuple(sorted(set().union(*touched) - wanted))
    return dataclasses.replace(said, fresh="", drop=drop)


def _read_words(
    text: str, draft: _Draft, titles: TitleLinker, vocabulary: VocabularyLinker
) -> tuple[list[Mention], Parsed]:
    """Titles and the catalogue's words in ``text``, each where the message stands towards it
    (``stance``: the dependency parse, not a list of phrasings)."""
    mentions = _not_in_names(_apart(titles.find(text)), text, vocabulary)
    counted = recent_spans(text)  # "from the last 5 years" names no "The Last Five Years"
    mentions = [
        m
        for m in mentions
        if not (m.surface.islower() and any(m.start < e and s < m.end for s, e in counted))
    ]
    parsed = parse(text, tuple((m.start, m.end) for m in mentions))
    for n, mention in enumerate(mentions):
        how = title_stance(parsed, n)
        if named_only(parsed, n):
            # Liked or seen only for being named: the words up to the next title may say
            # otherwise ("we tried The Notebook and it was way too sappy").
            end = mentions[n + 1].start if n + 1 < len(mentions) else len(text)
            if said_later(text[mention.end : end]) == "disliked":
                if how == "seen":
                    _add(draft.seen, mention.item_id)
                how = "disliked"
        if how == "seen":  # named as seen: not shown again, and a reference of taste
            _add(draft.seen, mention.item_id)
        if how in ("liked", "seen"):
            _add(draft.liked, mention.item_id)
        elif how == "disliked":
            _add(draft.disliked, mention.item_id)
    # Titles are blanked first, so "Police Academy" adds no "police" genre.
    plain = plain_words(parsed)
    for stance, span in word_runs(parsed):
        if stance == "describe":  # "it was funny": said of a film on the table, not asked
            continue
        negated = stance == "avoid"
        named = vocabulary.people_in(span, plain)
        found = vocabulary.words_in(span, plain, named)
        people = [normalise(n) for n in named if " " in n]
        for word in found:
            if any(word != name and re.search(rf"\b{re.escape(word)}\b", name) for name in people):
                continue  # "Chevy Chase" names a person, not the film kind "chase"
            _add(draft.avoided if negated else draft.wanted, word)
        for category in vocabulary.categories_in(span):
            if negated:
                _add(draft.avoided, normalise(category))
            else:
                _add(draft.categories, category)
    return mentions, parsed


_TITLE_YEAR = re.compile(
    r"\s*(?:\(\s*|,\s*)?(?:(?:"
    + "|".join((*_EN.year_exact, "in", "of"))
    + r")\s+)?(?:19|20)\d\d\b\s*\)?",
    re.I,
)


def _blank_titles(text: str, mentions: Sequence[Mention]) -> str:
    """``text`` with its titles blanked, each with the year said right after it ("I loved
    Scream from 1996", "Heat (1995)"): a title's numbers and words bound nothing ("Blade Runner
    2049", "Under Siege"). Offsets stay true."""
    for m in mentions:
        year = _TITLE_YEAR.match(text, m.end)
        end = year.end() if year else m.end
        text = text[: m.start] + " " * (end - m.start) + text[end:]
    return text


def _pointed_at(
    text: str, mentions: Sequence[Mention], item_ids: Sequence[str], draft: _Draft
) -> None:
    """What ``text`` says of the items just shown through the words that point at them: "I
    loved it", "seen that one, it was boring" of one item, "loved them both" of a few; each
    word is read as a title in its place would be. Without one, a bare answer: "Yes I have,
    a classic!", "Haha yeah, great movie". A word points back only before the message names
    a title of its own: "loved it" after "I watched Avengers" is Avengers."""
    before = text[: min(m.start for m in mentions)] if mentions else text
    if not before.strip():
        return
    spans = pointers(parse(before), plural=len(item_ids) > 1)
    said = {pointed_stance(parse(before, (span,), placeholder=False)) for span in spans}
    if not spans:
        said = {answered(parse(text, tuple((m.start, m.end) for m in mentions)))}
    for item_id in item_ids:
        if "seen" in said:
            _add(draft.seen, item_id)
        if "disliked" in said:  # "seen that one, it was boring"
            _add(draft.disliked, item_id)
        elif said & {"liked", "seen"}:
            _add(draft.liked, item_id)


_QUESTION = re.compile(r"[^.!?]*\?")


def _answered_kinds(
    text: str, asked: str, titles: TitleLinker, vocabulary: VocabularyLinker, draft: _Draft
) -> None:
    """A bare yes or no to a question about kinds ("Do you like westerns?" - "I do!", "Nope")
    wants or refuses the kinds the last question names; a question that names a title asks
    about the film ("How about comedies? Have you seen Heat?" - "No" refuses no comedy)."""
    answer = answer_to_question(text)
    questions = _QUESTION.findall(asked)
    if answer is None or not questions or titles.find(questions[-1]):
        return
    if not asks_yes_or_no(questions[-1]):
        return  # "What are you in the mood for: drama or comedy?" - "yes please" picks none
    for word in vocabulary.words_in(questions[-1]):
        if answer and word not in draft.avoided:
            _add(draft.wanted, word)
        elif not answer and word not in draft.wanted:
            _add(draft.avoided, word)


def _not_in_names(
    mentions: list[Mention], text: str, vocabulary: VocabularyLinker
) -> list[Mention]:
    """Titles that are part of a person's name said in full are the name's: "keanu reeves
    action movie" names Keanu Reeves, not the film "Keanu"."""
    if not mentions or vocabulary.people is None:
        return mentions
    names = [normalise(n) for n in vocabulary.people.find(text)]
    names = [n for n in names if " " in n]
    return [
        m
        for m in mentions
        if not any(
            re.search(rf"\b{re.escape(normalise(m.surface))}\b", n)
            and re.search(rf"\b{re.escape(n)}\b", normalise(text))
            for n in names
        )
    ]


def _apart(mentions: Sequence[Mention]) -> list[Mention]:
    """The mentions in order, none overlapping an earlier one."""
    out: list[Mention] = []
    for m in sorted(mentions, key=lambda m: (m.start, -m.end)):
        if not out or m.start >= out[-1].end:
            out.append(m)
    return out


def _relative_to_named(
    english: str,
    mentions: Sequence[Mention],
    titles: TitleLinker,
    stated: dict[str, Range],
    critique: Critique,
    date: str,
) -> Critique:
    """ "Like The Shining but newer": a bare comparative next to a named title is relative to
    that title's year, not to the list shown before (a stated year still wins: ``profile``)."""
    years = [y for m in mentions if (y := titles.year(m.item_id)) is not None]
    way = year_direction(english) if years and date not in stated else None
    if way is None:
        return critique
    bound = Range(min=max(years) + 1) if way == "min" else Range(max=min(years) - 1)
    change = dataclasses.replace(critique.change, ranges={**critique.change.ranges, date: bound})
    return dataclasses.replace(critique, change=change)


_HYPHENATED = re.compile(r"\b[^\W_]+(?:-[^\W_]+)+\b")


def _linked_pieces(text: str, vocabulary: VocabularyLinker) -> frozenset[str]:
    """The pieces, lower case, of the hyphenated words the vocabulary reads whole ("rom-coms":
    "rom", "coms"), which the parse splits.

    >>> from recommender.schemas import Item
    >>> words = VocabularyLinker([Item("a", "A", attributes={"genres": ["sci-fi"]})])
    >>> sorted(_linked_pieces("no sci-fi, no x-ray", words))
    ['fi', 'sci']
    """
    return frozenset(
        piece
        for m in _HYPHENATED.finditer(text)
        if vocabulary.words_in(m.group())
        for piece in m.group().lower().split("-")
    )


def _add(target: list[str], value: str) -> None:
    if value and value not in target:
        target.append(value)
