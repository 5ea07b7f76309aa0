"""All text normalisation (the word lists of each language are ``languages.pack``).

Every reader of text (title linking, the message reader, BM25, reasons, evaluation) folds and
tokenises through these few functions, so "Amélie", "amelie" and "AMELIE" always meet.

>>> normalise("Amélie & Co.: Part II")
'amelie and co part ii'
>>> keyword_tokens("Running shoes for the city")
['running', 'shoe', 'city']
"""

from __future__ import annotations

import re
import unicodedata

from recommender.languages import DEFAULT, pack

__all__ = [
    "at_most",
    "clean_text",
    "fold",
    "in_unit",
    "keyword_tokens",
    "ngrams",
    "normalise",
    "stem",
    "title_key",
    "tokens",
    "word_spans",
]

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Control characters and bidi overrides: never part of what a person means to say.
_CONTROL = re.compile(
    r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
)


def at_most(text: str | None, limit: int) -> str:
    """``text`` cut to one character more than ``limit``, first thing where a message enters: no
    later step walks a multi-megabyte message (telling its language took ~1.35 s a MB with the
    interpreter lock held), and ``clean_text`` still sees that it was cut.

    >>> at_most("abcdef", 3), at_most(None, 3)
    ('abcd', '')
    """
    return (text or "")[: limit + 1]


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


def keyword_tokens(text: str, lang: str = DEFAULT) -> list[str]:
    """Lower-cased, plural-stripped words without stop words: what BM25 sees."""
    stop = pack(lang).reader.stop_words
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


def title_key(title: str) -> str:
    """A title folded so that rows of one film meet ("The Conjuring" and "Conjuring").

    >>> title_key("The Conjuring") == title_key("conjuring"), title_key("A Star Is Born")
    (True, 'star is born')
    """
    key = normalise(title)
    for article in ("the ", "a ", "an "):
        if key.startswith(article) and len(key) > len(article):
            return key[len(article) :]
    return key


def in_unit(value: str, card_format: str | None) -> str:
    """A value as the catalogue's cards show it (``spec.card_format``: "{} min").

    >>> in_unit("120", "{} min"), in_unit("1995", None)
    ('120 min', '1995')
    """
    return card_format.replace("{}", value) if card_format else value
