"""Sentences of a reply in its language: where they end, how they join, and whether one is
in the reply's language (``explain.py`` grounds the LLM's text with these).

English sentences end at . ! ? followed by a space; Chinese ones at 。！？ with nothing after
them, and they join with no space.
"""

from __future__ import annotations

import re

from recommender.reply.strings import message_language

__all__ = [
    "ENDS",
    "SENTENCE",
    "in_language",
    "joiner",
    "latin_words",
    "marked_titles",
    "numbers_in",
]

SENTENCE = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*")
ENDS = (".", "!", "?", "。", "！", "？")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_BOOK_TITLE = re.compile(r"《([^》]{1,200})》")  # Chinese title marks


def joiner(sentences: list[str]) -> str:
    """What goes before the last of ``sentences``: nothing first, and nothing after a Chinese
    full stop; a space otherwise."""
    if len(sentences) < 2 or sentences[-2].endswith(("。", "！", "？")):
        return ""
    return " "


def in_language(text: str, lang: str, words: set[str] | None = None) -> bool:
    """A sentence is in the reply's language: Chinese when the reply is Chinese, not Chinese
    when it is English (a sentence without words, "#2.", passes either way). In a Chinese
    sentence every Latin word must come from ``words`` (the facts: titles, genres, brands),
    when given: a small model's stray English ("中国 junk") is not shown.

    >>> in_language("这些都是喜剧。", "zh"), in_language("These are comedies.", "zh")
    (True, False)
    >>> in_language("这些都是喜剧。", "en"), in_language("Up (2009) fits.", "en")
    (False, True)
    >>> in_language("Superbad 是喜剧。", "zh", {"superbad"}), in_language("这是 junk。", "zh", set())
    (True, False)
    """
    found = message_language(text)
    if found is None:
        return True
    if lang != "zh":
        return found != "zh"
    return found == "zh" and (words is None or latin_words(text) <= words)


def latin_words(text: str) -> set[str]:
    return {w.casefold() for w in _LATIN.findall(text)}


def marked_titles(text: str) -> set[str]:
    return {m.strip().casefold() for m in _BOOK_TITLE.findall(text)}


def numbers_in(text: str) -> set[str]:
    """Numbers as written, without separators or trailing zeros ("1,299.00" -> "1299")."""
    out = set()
    for raw in _NUMBER.findall(text):
        value = raw.replace(",", "")
        if "." in value:
            value = value.rstrip("0").rstrip(".")
        out.add(value)
    return out
