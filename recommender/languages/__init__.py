"""A language is a folder: ``languages/<code>/`` holds what Magpie reads and says in it.

    reading.toml   how to tell the language (``markers``, ``letters``) and gloss it into the
                   English the reader reads (``words``, ``rewrites``, ``numerals``); English's
                   also holds the reader's cue lists (negation, budgets, years, units...) and
                   the words that make two spellings of a name one name
    words.txt      frequent words, where there is a list (English: a typed word that is one is
                   meant, not mistyped; scripts/build/build_words.py)
    ui.toml        every string a person sees, for the languages Magpie answers in (en, zh)

``pack(code)`` reads a folder once into one typed ``LanguagePack``: the only loader of these
files. A new language is a new folder (and its tests); ``CODES`` finds it.

>>> pack("zh").gloss.script, pack("en").cues.ordinals["second"], "reply.picks" in pack("zh").ui
('han', 2, True)
>>> CODES[0], "de" in CODES, pack("de").ui is None
('en', True, True)
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recommender.errors import ConfigError

__all__ = [
    "CODES",
    "DEFAULT",
    "DIR",
    "CritiqueCues",
    "Cues",
    "Gloss",
    "LanguagePack",
    "NameWords",
    "ReplyChecks",
    "StanceWords",
    "TopicWords",
    "pack",
]

DIR = Path(__file__).resolve().parent
DEFAULT = "en"  # the reader's language: every other one is glossed into it
# Every folder with a reading.toml, English first (it wins a tie when telling languages apart).
CODES = (
    DEFAULT,
    *sorted(p.name for p in DIR.iterdir() if (p / "reading.toml").is_file() and p.name != DEFAULT),
)

# Cue lists that are regular-expression alternatives for numbers and ranges.
_PATTERN_LISTS = (
    "currency_before",
    "currency_after",
    "thousands",
    "price_words",
    "budget_max",
    "budget_min",
    "budget_max_after",
    "budget_min_after",
    "between",
    "range_joiners",
    "year_min",
    "year_after",
    "year_max",
    "year_before",
    "year_min_after",
    "decade_since",
    "year_max_after",
    "articles",
)


@dataclass(frozen=True)
class Gloss:
    """How to tell the language and read it in English (``read.langid``, ``read.gloss``)."""

    name: str  # the language's name for itself
    script: str  # "latin" or "han"
    markers: frozenset[str]  # frequent words of the language, accents stripped
    letters: str  # letters only this language (of ours) uses
    rewrites: tuple[tuple[re.Pattern[str], str], ...]  # regex -> English, applied in order
    words: dict[str, str]  # word or phrase (folded) -> the English it means
    numerals: dict[str, int]  # numeral characters -> value (Chinese: 一 -> 1, 十 -> 10)
    # Words of asking, not of what is asked ("好看", "有没有"): never a topic (``gloss.unread``)
    filler: frozenset[str] = frozenset()
    topic_before: frozenset[str] = frozenset()  # "关于" X, "讲" X: X is what a film is about
    topic_after: frozenset[str] = frozenset()  # X "题材", X "电影"


@dataclass(frozen=True)
class CritiqueCues:
    """How a critique of the last list is said (``read.critique``): regex alternatives."""

    card_words: tuple[str, ...]  # "card 2", "no. 3"
    ordinal_before: str  # "the second"
    ordinal_after: str  # "the second one"
    list_joiners: tuple[str, ...]  # "seen #1 and #2"
    more_like: tuple[str, ...]
    less_like: tuple[str, ...]
    seen: tuple[str, ...]
    than: str  # "cheaper than $50" states its own bound: no critique
    cheaper: tuple[str, ...]
    pricier: tuple[str, ...]
    older: tuple[str, ...]
    newer: tuple[str, ...]
    older_than_title: tuple[str, ...]  # true comparatives only ("like X but older")
    newer_than_title: tuple[str, ...]
    filler: tuple[str, ...]  # words that say nothing beyond a critique
    other_colour: tuple[str, ...] = ()  # "not that colour": the last list's colour is refused


@dataclass(frozen=True)
class StanceWords:
    """Trigger words of ``read.stance``, lower case, every form (``reading.toml [stance]`` says
    what each is for); the dependency parse decides what each one reaches."""

    refuse: frozenset[str] = frozenset()  # "hate", "skip", "tired", "without"
    refuse_subject: frozenset[str] = frozenset()  # "westerns *bore* me": the subject refused
    object_speaker: frozenset[str] = frozenset()  # ... when the object is one of these: "me"
    # A verb that refuses with one of its particles: "pass *on*", "stay *away*".
    refuse_with: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # Said of the speaker (with a particle, where one is listed): "I'm *done* with", "so *over*".
    refuse_of_speaker: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # A verb with "it" for its object that refuses with a particle: "I've *had it with* Saw".
    refuse_it: Mapping[str, frozenset[str]] = field(default_factory=dict)
    it: frozenset[str] = frozenset()  # that object: "it"
    speaker: frozenset[str] = frozenset()  # "I", "we": who "is over" something
    idioms: frozenset[str] = frozenset()  # "over the *moon*": no refusal
    refusal_nouns: frozenset[str] = frozenset()  # "X is a *no*", "a hard *pass*"
    decline: frozenset[str] = frozenset()  # "no thanks", "nope": a sentence that only declines
    surfeit: frozenset[str] = frozenset()  # "too *much* Nolan": under "too", a refusal
    excess: frozenset[str] = frozenset()  # "*too* much"
    negative: frozenset[str] = frozenset()  # "no", "nothing": they refuse their noun
    but: frozenset[str] = frozenset()  # "anything but horror"
    everything: frozenset[str] = frozenset()  # ... before "but": a refusal
    other_than: tuple[str, ...] = ()  # "other than action": (first word, second word)
    tolerate: frozenset[str] = frozenset()  # negated, no refusal: "don't mind"
    necessity: frozenset[str] = frozenset()  # "doesn't *have* to be animated": no refusal
    neg_raising: frozenset[str] = frozenset()  # "I don't *think* I like X": X's clause
    see: frozenset[str] = frozenset()  # seeing verbs: "seen", "watched"
    know: frozenset[str] = frozenset()  # "never *heard* of X": negated, no taste either way
    other: frozenset[str] = frozenset()  # the person spoken to: "have you seen X?"
    bad: frozenset[str] = frozenset()  # "X was boring": disliked
    refer: frozenset[str] = frozenset()  # "it", "those": a film already named
    refer_people: frozenset[str] = frozenset()  # "he", "she": describe only with "be"
    wish: frozenset[str] = frozenset()  # "want", "looking": a kind after them is asked for
    perfect: frozenset[str] = frozenset()  # "haven't seen X": not seen yet
    be: frozenset[str] = frozenset()  # "is X a comedy?"
    only: frozenset[str] = frozenset()  # "only comedies": the exception to a refusal
    anchor: frozenset[str] = frozenset()  # "something like X"
    additive: frozenset[str] = frozenset()  # "also": a refinement
    additive_first: frozenset[str] = frozenset()  # ... or a first "and", "but"
    afresh: frozenset[str] = frozenset()  # "instead": a new request
    heads: frozenset[str] = frozenset()  # "something for yoga": a request, not "in blue"
    generic: frozenset[str] = frozenset()  # "movie", "stuff": never a refused describing word
    pointing: frozenset[str] = frozenset()  # "I loved *it*": the one item just shown
    pointing_plural: frozenset[str] = frozenset()  # "loved *them*": the few items just shown
    praise: frozenset[str] = frozenset()  # "loved it", "it was great": liked
    # What a bare answer calls the item just shown: "a *classic*", "great *pick*", "my *favorite*".
    verdicts: frozenset[str] = frozenset()
    # Praise only heard of or guessed at says nothing of taste: "I heard it's good", "it looks good".
    hearsay: frozenset[str] = frozenset()
    absent: frozenset[str] = frozenset()  # "kids are *asleep*": who is watching, no wish
    place: frozenset[str] = frozenset()  # "the kids are *at* grandma's": likewise
    fillers: frozenset[str] = frozenset()  # "oh", "haha": before a bare answer
    yes: frozenset[str] = frozenset()  # "yes", "I do": a bare answer taking a question's kinds
    no: frozenset[str] = frozenset()  # "nope", "not really": ... refusing them
    yes_no_openers: frozenset[str] = frozenset()  # "*do* you like...?": a yes-or-no question
    lead_ins: frozenset[str] = frozenset()  # "*so*, do you like...?": before the opener
    report: frozenset[str] = frozenset()  # "my brother *says* it is amazing": not the speaker's
    habit: frozenset[str] = frozenset()  # "I *usually* watch comedies": a habit, not this wish
    contrast: frozenset[str] = frozenset()  # "... *but* tonight something scary": a habit set aside
    occasion: frozenset[str] = frozenset()  # "... dramas. *This time* a comedy": likewise
    past_occasion: frozenset[str] = frozenset()  # "*last time* I picked a horror": likewise


@dataclass(frozen=True)
class TopicWords:
    """What a request says its item is about when no catalogue field holds it (``read.topics``,
    ``reading.toml [topics]`` says what each is for)."""

    about: frozenset[str] = frozenset()  # "a film *about* chess", "something *with* robots"
    setting: frozenset[str] = frozenset()  # "*set* on a submarine"
    places: frozenset[str] = frozenset()  # "set *on* a submarine", "*in* space"
    owners: frozenset[str] = frozenset()  # "with *my* kids": who watches, not what about
    # "with a good *plot*", "with *my* kids": how well made, who watches, not what about
    quality: frozenset[str] = frozenset()
    grading: frozenset[str] = frozenset()  # "*good* car chases": not part of the topic


@dataclass(frozen=True)
class Cues:
    """The reader's word lists (English's ``reading.toml`` says what each is for)."""

    stop_words: frozenset[str]  # BM25 ignores these
    common_words: frozenset[str]  # one-word titles that are ordinary words
    asking_words: frozenset[str]  # words that ask ("recommend", "hi"), not what for
    not_attributes: frozenset[str]  # never a catalogue attribute word
    spellings: dict[str, str]  # variant spelling -> the one matched
    decades: dict[str, int]  # "nineties" -> 9
    decade_parts: dict[str, tuple[int, int]]  # "late" -> (6, 9): the years of a decade it covers
    ordinals: dict[str, int]  # "second" -> 2, "last" -> -1
    currency_before: tuple[str, ...]  # regex alternatives, like the cues above
    currency_after: tuple[str, ...]
    thousands: tuple[str, ...]
    price_words: tuple[str, ...]
    budget_max: tuple[str, ...]
    budget_min: tuple[str, ...]
    budget_max_after: tuple[str, ...]  # the bound after the number: "150 bucks max"
    budget_min_after: tuple[str, ...]
    between: tuple[str, ...]
    range_joiners: tuple[str, ...]
    year_min: tuple[str, ...]  # "since 2010": 2010 on
    year_after: tuple[str, ...]  # "after 2015": 2016 on
    year_max: tuple[str, ...]
    year_before: tuple[str, ...]
    year_min_after: tuple[str, ...]  # "2010 or later"
    decade_since: tuple[str, ...]  # "since the 90s": open-ended
    year_max_after: tuple[str, ...]
    articles: tuple[str, ...]
    number_words: dict[str, int]  # "two" -> 2
    half: str  # "and a half"
    units: dict[str, dict[str, float]]  # unit -> {regex alternative: how many of the unit}
    # unit -> {regex alternative: the most it allows}: "not too long" is two hours at most
    short_of: dict[str, dict[str, float]]
    critique: CritiqueCues
    title_kind_words: tuple[str, ...]  # "heist movie": a description, not the film "Heist"
    title_indefinite: frozenset[str]  # "a laptop": a common noun, not a title
    negation_goes_on: tuple[str, ...]  # "no horror, or gore"
    negation_bound_comparatives: tuple[str, ...]  # "no more than $80": a bound, not a wish
    negation_bound_prepositions: tuple[str, ...]  # "nothing before 1990"
    than: str
    # Budget cues that leave the amount itself out: "under $20" is $19.99 at most.
    budget_below: tuple[str, ...] = ()
    # Bounds on ranked values (read.ordinals): "nothing rated above PG", "no R", "PG or lower".
    rank_above: tuple[str, ...] = ()
    rank_not: tuple[str, ...] = ()
    rank_at_most_after: tuple[str, ...] = ()
    year_negations: frozenset[str] = frozenset()  # "nothing made after 2005": a bound's opposite
    recent_years: tuple[str, ...] = ()  # "the last 10 years": from this year minus 10
    recent_unit: str = "years?"
    year_nouns: tuple[str, ...] = ()  # "before the year 2000"
    year_exact: tuple[str, ...] = ()  # "a comedy from 1995", "made in 1995": that year alone
    year_span_joiners: tuple[str, ...] = ()  # "from 2000 to 2005", "1990-1995"
    year_to_now: tuple[str, ...] = ()  # "from 2010 to now": open-ended
    stance: StanceWords = field(default_factory=lambda: StanceWords())  # read.stance
    topics: TopicWords = field(default_factory=lambda: TopicWords())  # read.topics


@dataclass(frozen=True)
class NameWords:
    """The few words that make two spellings of a name the same name, and the language's
    frequent words (a typed word that is one is meant, not mistyped): ``read.fuzzy``."""

    numbers: Mapping[str, int] = field(default_factory=dict)  # "eleven" -> 11
    joiners: frozenset[str] = frozenset()  # dropped wherever they stand ("and": "Fast & Furious")
    sequel: frozenset[str] = frozenset()  # dropped before a number ("Part II" = "2")
    articles: tuple[str, ...] = ()  # a leading one may be left out ("The Matrix" = "Matrix")
    title_cues: frozenset[str] = frozenset()  # words before a title ("seen It")
    verb_objects: frozenset[str] = frozenset()  # after a word, these make it a verb ("loved it")
    verb_particles: frozenset[str] = frozenset()  # ... and these, with no cue ("freaks out")
    series_words: frozenset[str] = frozenset()  # "the Saw franchise": a capitalised title
    words: frozenset[str] = frozenset()  # real words: "silly" is no typo of "Sully"

    def typo_of(self, typed: str, name: str) -> bool:
        """``typed`` may be a slip of ``name``'s word: it differs and is no word of its own.

        >>> lex = NameWords(words=frozenset(["silly"]))
        >>> lex.typo_of("silly", "sully"), lex.typo_of("clikc", "click")
        (False, True)
        """
        return typed != name and typed not in self.words


@dataclass(frozen=True)
class ReplyChecks:
    """What the language model's text in this language may not do (``reply.explain``)."""

    echo: tuple[str, ...] = ()  # regex alternatives: talk about the prompt, not to the person
    refusal: tuple[str, ...] = ()  # regex alternatives: a refusal, never shown
    min_reply: int = 20  # characters: a shorter reply is a fragment
    min_reason: int = 12


@dataclass(frozen=True)
class LanguagePack:
    """Everything Magpie knows of one language, read once from its folder."""

    code: str
    gloss: Gloss
    names: NameWords
    cues: Cues | None = None  # the reader's cues: English only (the others are glossed)
    ui: dict[str, Any] | None = None  # "section.key" -> string (or setting); None: not spoken
    reply: ReplyChecks = field(default_factory=ReplyChecks)

    @property
    def reader(self) -> Cues:
        """The cues, for the reader's own language; an error for a glossed one."""
        if self.cues is None:
            raise ConfigError(f"language {self.code!r} is glossed, not read: it has no cues")
        return self.cues


@functools.cache
def pack(code: str = DEFAULT) -> LanguagePack:
    """The language ``code`` (one of ``CODES``), read once per process."""
    folder = DIR / code
    try:
        raw = tomllib.loads((folder / "reading.toml").read_text(encoding="utf-8"))
        listed = folder / "words.txt"
        ui = folder / "ui.toml"
        return LanguagePack(
            code=code,
            gloss=_gloss(raw),
            names=NameWords(
                numbers={k: int(v) for k, v in raw.get("name_numbers", {}).items()},
                joiners=frozenset(raw.get("name_joiners", ())),
                sequel=frozenset(raw.get("sequel_words", ())),
                articles=tuple(raw.get("name_articles", ())),
                title_cues=frozenset(raw.get("title_cues", ())),
                verb_objects=frozenset(raw.get("verb_objects", ())),
                verb_particles=frozenset(raw.get("verb_particles", ())),
                series_words=frozenset(raw.get("series_words", ())),
                words=frozenset(
                    w for w in listed.read_text(encoding="utf-8").split() if not w.startswith("#")
                )
                if listed.is_file()
                else frozenset(),
            ),
            cues=_cues(raw) if "stop_words" in raw else None,
            ui=_flat(tomllib.loads(ui.read_text(encoding="utf-8"))) if ui.is_file() else None,
            reply=_reply(raw.get("reply", {})),
        )
    except (OSError, KeyError, ValueError, re.error, tomllib.TOMLDecodeError) as e:
        raise ConfigError(
            f"cannot read the files of language {code!r} ({folder.name}/): {e}"
        ) from e


def _gloss(raw: dict[str, Any]) -> Gloss:
    from recommender.text import fold  # text reads its stop words from here: not at the top

    return Gloss(
        name=raw["name"],
        script=raw.get("script", "latin"),
        markers=frozenset(raw["markers"]),
        letters=raw.get("letters", ""),
        rewrites=tuple((re.compile(a, re.I), b) for a, b in raw.get("rewrites", [])),
        words={fold(k): v for k, v in raw.get("words", {}).items()},
        numerals={k: int(v) for k, v in raw.get("numerals", {}).items()},
        filler=frozenset(raw.get("filler", ())),
        topic_before=frozenset(raw.get("topic_before", ())),
        topic_after=frozenset(raw.get("topic_after", ())),
    )


def _cues(raw: dict[str, Any]) -> Cues:
    return Cues(
        stop_words=frozenset(raw["stop_words"]),
        common_words=frozenset(raw["common_words"]),
        asking_words=frozenset(raw.get("asking_words", ())),
        not_attributes=frozenset(raw["not_attributes"]),
        spellings=dict(raw["spellings"]),
        decades={k: int(v) for k, v in raw["decades"].items()},
        decade_parts={k: (int(v[0]), int(v[1])) for k, v in raw.get("decade_parts", {}).items()},
        ordinals={k: int(v) for k, v in raw["ordinals"].items()},
        number_words={k: int(v) for k, v in raw["number_words"].items()},
        half=raw["half"],
        units={u: {k: float(v) for k, v in alts.items()} for u, alts in raw["units"].items()},
        short_of={
            u: {k: float(v) for k, v in alts.items()} for u, alts in raw.get("short_of", {}).items()
        },
        critique=_critique(raw["critique"]),
        title_kind_words=tuple(raw["title_kind_words"]),
        title_indefinite=frozenset(raw["title_indefinite"]),
        negation_goes_on=tuple(raw["negation_goes_on"]),
        negation_bound_comparatives=tuple(raw["negation_bound_comparatives"]),
        negation_bound_prepositions=tuple(raw["negation_bound_prepositions"]),
        than=raw["than"],
        budget_below=tuple(raw.get("budget_below", ())),
        rank_above=tuple(raw.get("rank_above", ())),
        rank_not=tuple(raw.get("rank_not", ())),
        rank_at_most_after=tuple(raw.get("rank_at_most_after", ())),
        year_negations=frozenset(raw.get("year_negations", ())),
        recent_years=tuple(raw.get("recent_years", ())),
        recent_unit=raw.get("recent_unit", "years?"),
        year_nouns=tuple(raw.get("year_nouns", ())),
        year_exact=tuple(raw.get("year_exact", ())),
        year_span_joiners=tuple(raw.get("year_span_joiners", ())),
        year_to_now=tuple(raw.get("year_to_now", ())),
        stance=_stance(raw.get("stance", {})),
        topics=TopicWords(**{k: frozenset(v) for k, v in raw.get("topics", {}).items()}),
        **{name: tuple(raw[name]) for name in _PATTERN_LISTS},
    )


def _stance(raw: dict[str, Any]) -> StanceWords:
    tables = ("refuse_with", "refuse_of_speaker", "refuse_it")
    words: dict[str, Any] = {k: frozenset(v) for k, v in raw.items() if k not in tables}
    words["other_than"] = tuple(raw.get("other_than", ()))
    for table in tables:
        words[table] = {k: frozenset(v) for k, v in raw.get(table, {}).items()}
    return StanceWords(**words)


def _critique(raw: dict[str, Any]) -> CritiqueCues:
    return CritiqueCues(**_frozen(raw))


def _reply(raw: dict[str, Any]) -> ReplyChecks:
    return ReplyChecks(**_frozen(raw))


def _frozen(raw: dict[str, Any]) -> dict[str, Any]:
    """A TOML table with its lists as tuples (what the frozen records hold)."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}


def _flat(data: dict[str, Any]) -> dict[str, Any]:
    """ui.toml's sections as "section.key" entries; ``[values]`` stays one table."""
    flat: dict[str, Any] = {}
    for section, entries in data.items():
        if isinstance(entries, dict) and section != "values":
            flat.update({f"{section}.{k}": v for k, v in entries.items()})
        else:
            flat[section] = entries
    return flat
