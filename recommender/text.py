"""All text normalisation, and the word lists of each language (``languages/<code>.toml``).

Every reader of text (title linking, the message reader, BM25, reasons, evaluation) folds and
tokenises through these few functions, so "Amélie", "amelie" and "AMELIE" always meet.

>>> normalise("Amélie & Co.: Part II")
'amelie and co part ii'
>>> keyword_tokens("Running shoes for the city")
['running', 'shoe', 'city']
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError

__all__ = [
    "LANGUAGES",
    "Language",
    "Lexicon",
    "clean_text",
    "fold",
    "keyword_tokens",
    "language",
    "lexicon",
    "ngrams",
    "normalise",
    "stem",
    "tokens",
    "word_spans",
]

LANGUAGES_DIR = Path(__file__).resolve().parent / "languages"
DEFAULT_LANGUAGE = "en"
# The languages a message may be written in: one word-list file each in ``languages/``.
LANGUAGES = ("en", "zh", "es", "fr", "de")

# Lists of regular-expression alternatives each language file gives for numbers and ranges.
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
    "year_max_after",
    "articles",
)
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Control characters and bidi overrides: never part of what a person means to say.
_CONTROL = re.compile(
    r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
)


@dataclass(frozen=True)
class Language:
    """One language's word lists (see ``languages/en.toml`` for what each is for)."""

    code: str
    stop_words: frozenset[str]  # BM25 ignores these
    common_words: frozenset[str]  # one-word titles that are ordinary words
    not_attributes: frozenset[str]  # never a catalogue attribute word
    spellings: dict[str, str]  # variant spelling -> the one matched
    negation: tuple[str, ...]  # regex alternatives
    negation_soften: tuple[str, ...]
    dislike: tuple[str, ...]
    seen: tuple[str, ...]
    clause_breaks: tuple[str, ...]
    decades: dict[str, int]  # "nineties" -> 9
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
    year_max_after: tuple[str, ...]
    articles: tuple[str, ...]
    number_words: dict[str, int]  # "two" -> 2
    half: str  # "and a half"
    units: dict[str, dict[str, float]]  # unit -> {regex alternative: how many of the unit}
    # Budget cues that leave the amount itself out: "under $20" is $19.99 at most.
    budget_below: tuple[str, ...] = ()
    # Bounds on ranked values (ordinals.py): "nothing rated above PG", "no R", "PG or lower".
    rank_above: tuple[str, ...] = ()
    rank_not: tuple[str, ...] = ()
    rank_at_most_after: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lexicon:
    """What every language file gives: how to tell the language, and how to read it in English.

    The rule reader understands English; a message in another language is first glossed into
    the English it means (``lexicon.gloss``) through ``rewrites`` and ``words``.
    """

    code: str
    name: str  # the language's name for itself
    script: str  # "latin" or "han"
    markers: frozenset[str]  # frequent words of the language, accents stripped (langid.py)
    letters: str  # letters only this language (of ours) uses
    rewrites: tuple[tuple[re.Pattern[str], str], ...]  # regex -> English, applied in order
    words: dict[str, str]  # word or phrase -> the English it means
    numerals: dict[str, int]  # numeral characters -> value (Chinese: 一 -> 1, 十 -> 10)


@functools.cache
def lexicon(code: str) -> Lexicon:
    """The glossing lists of ``code`` (one of ``LANGUAGES``), read once per process."""
    path = LANGUAGES_DIR / f"{code}.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return Lexicon(
            code=code,
            name=raw["name"],
            script=raw.get("script", "latin"),
            markers=frozenset(raw["markers"]),
            letters=raw.get("letters", ""),
            rewrites=tuple((re.compile(a, re.I), b) for a, b in raw.get("rewrites", [])),
            words={fold(k): v for k, v in raw.get("words", {}).items()},
            numerals={k: int(v) for k, v in raw.get("numerals", {}).items()},
        )
    except (OSError, KeyError, ValueError, re.error, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"cannot read the word lists of language {code!r}") from e


@functools.cache
def language(code: str = DEFAULT_LANGUAGE) -> Language:
    """The word lists of ``code``, read once per process."""
    path = LANGUAGES_DIR / f"{code}.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return Language(
            code=code,
            stop_words=frozenset(raw["stop_words"]),
            common_words=frozenset(raw["common_words"]),
            not_attributes=frozenset(raw["not_attributes"]),
            spellings=dict(raw["spellings"]),
            negation=tuple(raw["negation"]),
            negation_soften=tuple(raw["negation_soften"]),
            dislike=tuple(raw["dislike"]),
            seen=tuple(raw["seen"]),
            clause_breaks=tuple(raw["clause_breaks"]),
            decades={k: int(v) for k, v in raw["decades"].items()},
            ordinals={k: int(v) for k, v in raw["ordinals"].items()},
            number_words={k: int(v) for k, v in raw["number_words"].items()},
            half=raw["half"],
            units={u: {k: float(v) for k, v in alts.items()} for u, alts in raw["units"].items()},
            budget_below=tuple(raw.get("budget_below", ())),
            rank_above=tuple(raw.get("rank_above", ())),
            rank_not=tuple(raw.get("rank_not", ())),
            rank_at_most_after=tuple(raw.get("rank_at_most_after", ())),
            **{name: tuple(raw[name]) for name in _PATTERN_LISTS},
        )
    except (OSError, KeyError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"cannot read the word lists of language {code!r}") from e


def clean_text(text: str, limit: int) -> tuple[str, bool]:
    """Normalise unicode, drop control and bidi-override characters, cap the length.

    >>> clean_text("hi\\u202e there\\x00", 100)
    ('hi there', False)
    """
    text = unicodedata.normalize("NFKC", text or "")
    text = _CONTROL.sub("", text)
    text = re.sub(r"[ \t]+", " ", text).strip()
    return (text[:limit], True) if len(text) > limit else (text, False)


def normalise(text: str) -> str:
    """Lower-case, strip accents, '&' -> 'and', punctuation to spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower().replace("&", " and ")
    return " ".join(_TOKEN.findall(text.replace("'s ", " ")))


def tokens(text: str) -> list[str]:
    return normalise(text).split()


def fold(text: str) -> str:
    """Lower-case and strip accents while keeping character offsets (one char in, one out).

    >>> fold("Amélie")
    'amelie'
    """
    out = []
    for c in text:
        d = unicodedata.normalize("NFKD", c)
        base = "".join(x for x in d if not unicodedata.combining(x)) or c
        out.append(base[0].lower() if base else c)
    return "".join(out)


def word_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the words of ``fold(text)`` (title linking keeps offsets)."""
    return [(m.start(), m.end()) for m in _TOKEN.finditer(fold(text))]


def stem(word: str) -> str:
    """A crude plural stripper, enough to match 'shoes' with 'shoe' and 'comedies' with 'comedy'.

    >>> [stem(w) for w in ("shoes", "comedies", "boxes", "glass")]
    ['shoe', 'comedy', 'box', 'glass']
    """
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("es") and word[-3] in "sxz":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def keyword_tokens(text: str, lang: str = DEFAULT_LANGUAGE) -> list[str]:
    """Lower-cased, plural-stripped words without stop words: what BM25 sees."""
    stop = language(lang).stop_words
    return [stem(w) for w in normalise(text).split() if w not in stop and len(w) > 1]


def ngrams(words: list[str], n: int) -> list[str]:
    """Phrases of ``n`` down to 1 words, longest first.

    >>> ngrams(["sci", "fi", "film"], 2)
    ['sci fi', 'fi film', 'sci', 'fi', 'film']
    """
    out: list[str] = []
    for size in range(n, 0, -1):
        out.extend(" ".join(words[i : i + size]) for i in range(len(words) - size + 1))
    return out
