"""How people type a film's name: the perturbations of ``magpie eval linking``.

A canonical mention ("Back to the Future Part II (1989)") becomes what a person might type
("back to the future 2"): a typo, "11" <-> "Eleven", no leading "The", "2" / "II" / "Part 2",
punctuation or a subtitle dropped; then lower case, and the year dropped, each by chance. The
random generator is the caller's, seeded per message, so a run is repeatable.
"""

from __future__ import annotations

import random
import re

from recommender.languages import pack
from recommender.read.fuzzy import plain_words

__all__ = ["KINDS", "P_LOWER", "P_NO_YEAR", "as_typed", "perturb"]

# How a person may type a film's name, and how often (weights among the kinds that apply to a
# title). The year is dropped on top with ``P_NO_YEAR``, lower case with ``P_LOWER``.
KINDS = {
    "as-written": 1.0,
    "typo": 3.0,
    "number-word": 4.0,
    "no-article": 3.0,
    "sequel": 4.0,
    "no-punctuation": 2.0,
    "no-subtitle": 2.0,
}
P_NO_YEAR = 0.8
P_LOWER = 0.5
_SEQUEL = re.compile(
    r"^(?P<head>\S.*?)\s+(?:Part\s+)?(?P<num>[2-9]|II|III|IV|VI|VII|VIII|IX)(?P<tail>\s*:.*)?$"
)
_ROMAN = {2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI", 7: "VII", 8: "VIII", 9: "IX"}
_PUNCT = re.compile(r"[:,.!?'’\-]")
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")  # a QWERTY keyboard: slips hit a neighbour
_NEIGHBOURS = {
    c: "".join(row[j] for j in (i - 1, i + 1) if 0 <= j < len(row))
    for row in _ROWS
    for i, c in enumerate(row)
}


def perturb(title: str, kind: str, rng: random.Random, titles: set[str]) -> str | None:
    """``title`` typed the way ``kind`` says; None when the kind does not apply to it.

    >>> rng = random.Random(0)
    >>> perturb("Ocean's Eleven", "number-word", rng, set())
    "Ocean's 11"
    >>> perturb("Back to the Future Part II", "sequel", random.Random(1), set())
    'Back to the Future 2'
    >>> perturb("Up", "typo", rng, set()) is None
    True
    """
    lex = pack().names
    if kind == "as-written":
        return title
    if kind == "typo":
        return _typo(title, rng)
    if kind == "number-word":
        words = {str(v): k for k, v in lex.numbers.items() if 1 <= v <= 20}
        digits = {v: k for k, v in words.items()}
        for n, word in enumerate(parts := title.split(" ")):
            bare = word.strip(":,.!?").lower()
            if bare in words:
                parts[n] = word.replace(bare, words[bare].capitalize())
                return " ".join(parts)
            if bare in digits:
                parts[n] = word.lower().replace(bare, digits[bare])
                return " ".join(parts)
        return None
    if kind == "no-article":
        return title[4:] if title.startswith("The ") and len(title) > 8 else None
    if kind == "sequel":
        m = _SEQUEL.match(title)
        if not m:
            return None
        num = m.group("num")
        value = int(num) if num.isdigit() else next(k for k, v in _ROMAN.items() if v == num)
        written = m.group(0)[len(m.group("head")) :].split(":")[0].strip()
        forms = [f for f in (str(value), _ROMAN[value], f"Part {value}") if f != written]
        return f"{m.group('head')} {rng.choice(forms)}{m.group('tail') or ''}"
    if kind == "no-punctuation":
        out = re.sub(r"\s+", " ", _PUNCT.sub(lambda c: " " if c.group() == "-" else "", title))
        return out.strip() if out.strip() != title else None
    if kind == "no-subtitle":
        head = title.split(":", 1)[0].strip()
        # Only where the shorter name is not itself another film ("Alien: Resurrection").
        bare = plain_words(head).removeprefix("the ")
        if ":" not in title or len(head) < 4 or bare in titles or f"the {bare}" in titles:
            return None
        return head
    raise ValueError(kind)


def _typo(title: str, rng: random.Random) -> str | None:
    """A keyboard slip (a letter dropped, doubled, swapped with the next, or a neighbouring
    key) in a word of 4+ letters, never its first letter; a second slip only in a word of 8+.
    """
    words = title.split(" ")
    long = [n for n, w in enumerate(words) if sum(c.isalpha() for c in w) >= 4]
    if not long:
        return None
    n = rng.choice(long)
    word = words[n]
    slips = 2 if len(word) >= 8 and rng.random() < 0.3 else 1
    for _ in range(slips):
        letters = [i for i, c in enumerate(word) if c.isalpha()][1:]
        i = rng.choice(letters)
        slip = rng.choice(("drop", "double", "swap", "neighbour"))
        if slip == "drop":
            word = word[:i] + word[i + 1 :]
        elif slip == "double":
            word = word[:i] + word[i] + word[i:]
        elif slip == "swap" and i + 1 < len(word):
            word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        else:
            near = _NEIGHBOURS.get(word[i].lower(), word[i])
            word = word[:i] + rng.choice(near) + word[i + 1 :]
    words[n] = word
    return " ".join(words)


def as_typed(title: str, year: str, rng: random.Random, titles: set[str]) -> tuple[str, list[str]]:
    """A canonical mention as a person might type it, with the labels of what was done."""
    options = [(k, perturb(title, k, rng, titles)) for k in KINDS]
    usable = [(k, t) for k, t in options if t is not None]
    kind, text = rng.choices(usable, weights=[KINDS[k] for k, _ in usable])[0]
    labels = [kind]
    if rng.random() < P_LOWER:
        text = text.lower()
        labels.append("lower-case")
    if rng.random() < P_NO_YEAR:
        labels.append("no-year")
    else:
        text = f"{text} ({year})"
    return text or title, labels
