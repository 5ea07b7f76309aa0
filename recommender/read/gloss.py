"""Gloss a message in another language into the English the rule reader understands.

Magpie's rule reader (``reading.py``) reads English cues; each other language has a word-list
file (``languages/<code>/reading.toml``, read by ``languages.pack``) that maps its words and number
phrases onto that English and onto the catalogues' own (English) words. So a Chinese request and
its English twin give the same canonical profile: "我想看一部九十年代的喜剧，不要恐怖片" is
read as "want the 90s comedy, no horror". Titles and names written in Latin letters stay as written.

>>> gloss("我想看一部九十年代的喜剧，不要恐怖片", "zh")
'want the 90s comedy, no horror'
>>> gloss("100美元以下的跑鞋", "zh")
'100 dollars or less running shoes'
>>> gloss("quiero una comedia de los noventa, nada de terror", "es")
'quiero una comedy from the nineties, no horror'
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from recommender.languages import CODES, DEFAULT, pack
from recommender.text import fold

__all__ = ["chinese_numerals", "gloss", "unread", "warm"]

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Chinese punctuation NFKC leaves alone, as the English reader's clause marks.
_PUNCTUATION = str.maketrans({"、": ",", "。": ".", "《": " ", "》": " ", "·": " ", "～": "~"})
# A lone numeral character counts as a number only before these (not in "一点", "一起", "一部").
_SINGLE_BEFORE = "十百千万岁年个半小分美元块刀欧到至"


def gloss(text: str, code: str) -> str:
    """``text`` as the English the rule reader understands; English text is returned as is."""
    if code == DEFAULT:
        return text
    lex = pack(code).gloss
    text = _prepared(text, code)
    if lex.script == "han":
        text = "".join(_han_word(code, token) for token in _segment(code, text))
    elif lex.words:
        table = _word_pattern(code)
        text = _replace(table, text, lambda m: f" {lex.words[fold(m.group(0))]} ")
    if lex.script == "han":
        text = re.sub(f"[{_HAN}]+", " ", text)
    text = re.sub(r"\s+([,.!?;])", r"\1", re.sub(r"\s+", " ", text))
    return text.strip()


def unread(text: str, code: str) -> list[str]:
    """The Chinese words of ``text`` its gloss leaves out, that say what a film is about
    rather than how one asks: runs of words the word list does not know, standing where a
    topic does (``topic_before``, ``topic_after``), not filler alone ("推荐一部讲潜艇的片子":
    潜艇, submarine). Retrieval looks for them by meaning
    (``Signal.TOPIC``); other languages' words are read by their English gloss only.

    >>> unread("推荐一部讲潜艇的片子", "zh"), unread("有什么好看的喜剧吗", "zh")
    (['潜艇'], [])
    >>> unread("给我推荐几部关于时间循环的科幻片", "zh")
    ['时间循环']
    """
    lex = pack(code).gloss
    if lex.script != "han":
        return []
    tokens = _segment(code, _prepared(text, code))
    out: list[str] = []
    # Where a topic stands: after "关于", "讲", "有" (about, with), or before "题材", "电影"
    # ("机器人电影", a robot film); not any word the list lacks ("有什么好看的": how good).
    for at, token in enumerate(tokens):
        run: list[str] = []
        if token in lex.topic_before:
            for word in tokens[at + 1 :]:
                if not _unknown(word, lex):
                    break
                run.append(word)
        elif token in lex.topic_after:
            for word in reversed(tokens[:at]):
                if not _unknown(word, lex):
                    break
                run.insert(0, word)
            while run and run[0] in lex.filler:  # "一部" of "推荐一部机器人电影"
                run.pop(0)
        if run and not all(w in lex.filler for w in run) and "".join(run) not in out:
            out.append("".join(run))
    return out


def _unknown(token: str, lex: Any) -> bool:
    """A Chinese word of two characters or more that the word list does not gloss (a filler
    word too: "时间" of "时间循环" is one; a run of filler alone is no topic)."""
    return (
        bool(re.fullmatch(f"[{_HAN}]{{2,}}", token))
        and token not in lex.words
        and token not in lex.topic_before
        and token not in lex.topic_after
    )


def _prepared(text: str, code: str) -> str:
    """``text`` with its numerals as digits and its number phrases in English (``rewrites``)."""
    lex = pack(code).gloss
    text = unicodedata.normalize("NFKC", text).translate(_PUNCTUATION)
    if lex.numerals:
        text = chinese_numerals(text, lex.numerals)
    for pattern, english in lex.rewrites:
        text = _replace(pattern, text, functools.partial(_expand, english))
    return text


def _expand(english: str, m: re.Match[str]) -> str:
    return m.expand(english)


def _replace(pattern: re.Pattern[str], text: str, english: Callable[[re.Match[str]], str]) -> str:
    """Replace matches found on ``fold(text)`` (lower case, no accents, same offsets)."""
    out, last = [], 0
    for m in pattern.finditer(fold(text)):
        out += [text[last : m.start()], english(m)]
        last = m.end()
    return "".join(out) + text[last:]


def warm() -> None:
    """Load the Chinese word segmenter now (about 1-3 s) rather than on the first Chinese message."""
    for code in CODES:
        if pack(code).gloss.script == "han":
            _segmenter(code)


def _segment(code: str, text: str) -> list[str]:
    """Chinese words by jieba, which knows the word list too: "马上" (at once) stays one word,
    so its "马" (horse) is not read (docs/evaluation.md, "Languages", measures it)."""
    return list(_segmenter(code).cut(text))


@functools.cache
def _segmenter(code: str) -> Any:  # a jieba.Tokenizer
    try:
        import jieba
    except ImportError as e:  # pinned in requirements.txt
        raise ImportError("Chinese messages need jieba: pip install jieba==0.42.1") from e
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for word in pack(code).gloss.words:
        tokenizer.add_word(word)
    return tokenizer


def _han_word(code: str, token: str) -> str:
    """A Chinese word's English: the word list's, else that of its longest listed parts of two
    characters or more ("恐怖片子" -> horror); a word of its own is not read by its characters."""
    words = pack(code).gloss.words
    if token in words:
        return f" {words[token]} "
    if len(token) < 3:
        return token
    return _replace(_word_pattern(code, 2), token, lambda m: f" {words[m.group(0)]} ")


@functools.cache
def _word_pattern(code: str, shortest: int = 1) -> re.Pattern[str]:
    lex = pack(code).gloss
    # Longest first: regex alternation takes the first that matches, so "恐怖片" beats "恐怖".
    keys = sorted((k for k in lex.words if len(k) >= shortest), key=len, reverse=True)
    body = "|".join(re.escape(k) for k in keys)
    if lex.script == "han":
        return re.compile(f"(?:{body})")
    return re.compile(rf"(?<![\w'])(?:{body})(?![\w'])")


def chinese_numerals(text: str, numerals: dict[str, int]) -> str:
    """Chinese numerals as digits: "九十年代" -> "90年代", "一百五十美元" -> "150美元".

    >>> from recommender.languages import pack
    >>> n = pack("zh").gloss.numerals
    >>> [chinese_numerals(t, n) for t in ("九十年代", "一百五", "二零一零年", "十二岁", "一点", "两个半小时")]
    ['90年代', '150', '2010年', '12岁', '一点', '2个半小时']
    """
    chars = "".join(numerals)
    pattern = re.compile(f"[{chars}]+")

    def convert(m: re.Match[str]) -> str:
        run = m.group(0)
        after = text[m.end() : m.end() + 1]
        before = text[max(0, m.start() - 1) : m.start()]
        lone = len(run) == 1 and run not in "十百千万"
        if lone and (not after or after not in _SINGLE_BEFORE) and before != "第":
            return run
        return str(_value(run, numerals))

    return pattern.sub(convert, text)


def _value(run: str, numerals: dict[str, int]) -> int:
    values = [numerals[c] for c in run]
    if all(v < 10 for v in values):  # digit by digit: "二零一零" (a year), "九零"
        return int("".join(str(v) for v in values))
    total, section, digit, last_unit = 0, 0, 0, 1
    for v in values:
        if v < 10:
            digit = v
        elif v == 10000:
            total += (section + digit) * v
            section, digit, last_unit = 0, 0, v
        else:
            section += (digit or 1) * v
            digit, last_unit = 0, v
    # "一百五" is 150: a digit after a unit counts a tenth of that unit.
    tail = digit * last_unit // 10 if digit and last_unit >= 100 and len(run) > 1 else digit
    return total + section + tail
