"""Names as people type them: one canonical form, and a fuzzy matcher for typos (rapidfuzz).

A catalogue name ("Ocean's Eleven", "Back to the Future Part II", "Spider-Man") and the words
of a message are both reduced to the same token form, so spelling variants meet exactly:
apostrophes go ("ocean's" -> "oceans"), number words and Roman numerals become digits
("eleven" -> "11", "ii" -> "2"), and joining words ("and", "part" before a number) drop out.
What still differs (a typo, a space too many) is left to ``FuzzyIndex``: an edit distance
that grows with the length of the name, never changing a number ("Rocky 2" is not "Rocky 3").

>>> name_tokens("Back to the Future Part II")
['back', 'to', 'the', 'future', '2']
>>> name_tokens("Ocean's Eleven") == name_tokens("oceans 11")
True
>>> index = FuzzyIndex({"superbad": 0, "step brothers": 1, "rocky 2": 2})
>>> index.best("superbd"), index.best("stepbrothers"), index.best("rocky 3")
((0, 1), (1, 1), None)
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Mapping
from typing import Generic, TypeVar

from rapidfuzz import process
from rapidfuzz.distance import OSA

from recommender.languages import NameWords, pack
from recommender.text import fold

__all__ = [
    "FuzzyIndex",
    "fast_fold",
    "max_edits",
    "name_tokens",
    "plain_words",
    "span_tokens",
]

T = TypeVar("T")

_WORD = re.compile(r"[a-z0-9]+(?:['’.\-][a-z0-9]+)*")  # "ocean's", "spider-man", "e.t"
_JOINERS = re.compile(r"['’.\-]")
_ROMAN = {
    "ii": 2, "iii": 3, "iv": 4, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "xi": 11, "xii": 12,
    "xiii": 13, "xiv": 14, "xv": 15, "xvi": 16,
}  # fmt: skip  # "i", "v" and "x" are left alone: "I", "V for Vendetta", "X-Men"

# Edits allowed between a typed span and a name, by the name's length in characters (spaces
# included): chosen on ReDial's fit half (``magpie eval linking --split fit``, docs/linking.md).
# Below the first length nothing fuzzy is linked: short names are too close to other words.
EDIT_STEPS = ((5, 1), (9, 2))
_LONGEST = 400  # longest name looked up fuzzily, in characters (longer ones match exactly only)
# ... and within that, the edits one word of the name may carry.
WORD_STEPS = ((4, 1), (8, 2))


def max_edits(length: int, steps: tuple[tuple[int, int], ...] = EDIT_STEPS) -> int:
    """Edits allowed for a name (or, with ``WORD_STEPS``, a word) of ``length`` characters.

    >>> [max_edits(n) for n in (4, 5, 8, 9, 30)]
    [0, 1, 1, 2, 2]
    """
    allowed = 0
    for at_least, edits in steps:
        if length >= at_least:
            allowed = edits
    return allowed


def _canon(word: str, following: str, lex: NameWords) -> str:
    """One word in canonical form; '' when it drops out."""
    word = _JOINERS.sub("", word)
    if word in lex.joiners:
        return ""
    if word in lex.sequel and (
        following.isdigit() or following in _ROMAN or following in lex.numbers
    ):
        return ""
    if word in lex.numbers:
        return str(lex.numbers[word])
    if word in _ROMAN:
        return str(_ROMAN[word])
    return word


def fast_fold(text: str) -> str:
    """``text.fold`` (one character in, one out), without its per-character work for ASCII."""
    return text.lower() if text.isascii() else fold(text)


def span_tokens(text: str, lex: NameWords | None = None) -> list[tuple[int, int, str]]:
    """The words of ``text`` as (start, end, canonical form); the form is '' for dropped words.

    >>> [t for _, _, t in span_tokens("Rocky Part II and more")]
    ['rocky', '', '2', '', 'more']
    """
    lex = lex or pack().names
    folded = fast_fold(text)
    found = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(folded)]
    out = []
    for n, (start, end, word) in enumerate(found):
        following = _JOINERS.sub("", found[n + 1][2]) if n + 1 < len(found) else ""
        out.append((start, end, _canon(word, following, lex)))
    return out


def name_tokens(name: str, lex: NameWords | None = None) -> list[str]:
    """A name's canonical words (what ``span_tokens`` gives a message, without offsets)."""
    return [t for _, _, t in span_tokens(name, lex) if t]


def plain_words(text: str) -> str:
    """The words as written, folded, without apostrophes or hyphens: how a name was spelled.

    >>> plain_words("Ocean's Eleven"), plain_words("oceans 11")
    ('oceans eleven', 'oceans 11')
    """
    return " ".join(_JOINERS.sub("", m.group()) for m in _WORD.finditer(fast_fold(text)))


def _word_by_word(span: str, key: str, extra: int = 0) -> bool:
    """Each word is a slip of the name's word, its first letter kept: "movie actually" is not
    "Love Actually", "the mood" not "The Wood".

    >>> _word_by_word("ocens 11", "oceans 11"), _word_by_word("movie actually", "love actually")
    (True, False)
    >>> _word_by_word("stepbrothers", "step brothers")
    True
    """
    typed, name = span.split(), key.split()
    if len(typed) != len(name):  # a space missing or too many: only that
        return bool(OSA.distance(span.replace(" ", ""), key.replace(" ", "")) == 0)
    return all(
        a == b or (a[0] == b[0] and OSA.distance(a, b) <= max_edits(len(b), WORD_STEPS) + extra)
        for a, b in zip(typed, name, strict=True)
    )


def _digits(key: str) -> tuple[str, ...]:
    return tuple(t for t in key.split() if t.isdigit())


class FuzzyIndex(Generic[T]):
    """Names (canonical keys) -> a payload, looked up with the edits ``max_edits`` allows.

    A span is compared only with names of a length within reach that share its first letter;
    rapidfuzz computes the optimal-string-alignment distance (a swap counts as one edit).
    """

    def __init__(self, keys: Mapping[str, T]) -> None:
        self._payload = dict(keys)
        # People rarely mistype the first letter of a name (and a wrong first letter makes
        # another word: "theaters" / "Cheaters"): keys are bucketed by (first letter, length),
        # so a span meets a few dozen names, not thousands.
        by_letter: dict[str, list[str]] = defaultdict(list)
        for key in self._payload:
            by_letter[key[0]].append(key)
        # Per first letter, the keys by length, and where each length starts: a span's choices
        # are one slice.
        self._sorted = {c: sorted(keys, key=len) for c, keys in by_letter.items()}
        self._starts = {
            c: [bisect.bisect_left([len(k) for k in keys], n) for n in range(_LONGEST + 2)]
            for c, keys in self._sorted.items()
        }

    def __len__(self) -> int:
        return len(self._payload)

    def exact(self, key: str) -> T | None:
        return self._payload.get(key)

    def best(self, span: str, extra: int = 0) -> tuple[T, int] | None:
        """(payload, edits) of the nearest name within reach of ``span``; None when none is.

        Ties go to the name seen first. Numbers must agree exactly.
        """
        found = self.near(span, extra)
        return found[0] if found else None

    def near(self, span: str, extra: int = 0) -> list[tuple[T, int]]:
        """Every name within reach of ``span``, nearest first; ``extra`` edits are allowed
        beyond ``max_edits`` (where other evidence, such as a matching year, backs the match)."""
        # A dropped letter makes the span shorter than the name: reach as for one more letter.
        reach = max_edits(len(span) + 1) + extra
        if reach == 0:
            hit = self._payload.get(span)
            return [] if hit is None else [(hit, 0)]
        keys, starts = self._sorted.get(span[0]), self._starts.get(span[0])
        if keys is None or starts is None:
            return []
        lo = starts[min(max(len(span) - reach, 0), _LONGEST + 1)]
        hi = starts[min(len(span) + reach + 1, _LONGEST + 1)]
        choices = keys[lo:hi]
        if not choices:
            return []
        digits = _digits(span)
        out = []
        for key, edits, _ in process.extract(
            span, choices, scorer=OSA.distance, score_cutoff=reach, limit=8
        ):
            if (
                edits <= max_edits(len(key)) + extra
                and _digits(key) == digits
                and _word_by_word(span, key, extra)
            ):
                out.append((self._payload[key], int(edits)))
        out.sort(key=lambda pair: pair[1])
        return out
