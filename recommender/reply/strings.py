"""What Magpie says, in the person's language: ``languages/<code>/ui.toml``, and which language.

Every string a person sees (the reply a template writes, item reasons, the profile panel, card
labels, notices, the page's own labels) comes from one file per language through ``say``; a
missing key or placeholder is an error, never a blank. Attribute values (genres, categories)
may be shown translated through the file's ``[values]`` table (``value``); titles never are.

Which language a reply is in: the language selector on the page when set, else the language of
the message (``message_language``), else the conversation's last one, else the browser's.

>>> say("zh", "reply.picks", count=3)
'为你找到 3 个推荐。'
>>> message_language("推荐几部喜剧电影"), message_language("a funny movie"), message_language("#2")
('zh', 'en', None)
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Sequence
from typing import Any

from recommender.errors import (
    CatalogError,
    ConfigError,
    InputError,
    MagpieError,
    ModelUnavailable,
)
from recommender.languages import CODES, DEFAULT, pack
from recommender.read.langid import detect, has_han
from recommender.schemas import Notice

__all__ = [
    "DEFAULT",
    "SUPPORTED",
    "browser_language",
    "choose",
    "from_locale",
    "has",
    "language_name",
    "message_language",
    "notice",
    "page_strings",
    "placeholders",
    "prompt_language",
    "said_in",
    "say",
    "say_nth",
    "setting",
    "supported",
    "unit_format",
    "value",
    "values",
]

# The languages Magpie answers in: those with a ui.toml; anything else is answered in English.
SUPPORTED = tuple(code for code in CODES if pack(code).ui is not None)

# A letter of any script (Han characters included): a message without one has no language.
_LETTER = re.compile(r"[^\W\d_]")


def message_language(text: str) -> str | None:
    """The language a message is written in (``langid.detect``, as ``Reading.language``), or
    None when it has no words to tell by (a photo alone, "#2", "👍"): the conversation's
    language then stays.

    >>> message_language("更像第2个"), message_language("una comedia"), message_language("👍 #2")
    ('zh', 'es', None)
    """
    return detect(text) if _LETTER.search(text or "") else None


def supported(code: str | None) -> str:
    """The supported language for a code ("zh-CN" -> "zh", "es" -> "en", None -> "en").

    >>> supported("zh-Hans-CN"), supported("EN_gb"), supported("fr"), supported(None)
    ('zh', 'en', 'en', 'en')
    """
    base = (code or "").replace("_", "-").split("-")[0].strip().lower()
    return base if base in SUPPORTED else DEFAULT


def from_locale(accept_language: str | None) -> str | None:
    """The first supported language of a browser's Accept-Language header, or None.

    >>> from_locale("zh-CN,zh;q=0.9,en;q=0.8"), from_locale("de-DE,de;q=0.9"), from_locale("")
    ('zh', None, None)
    """
    ranked = []
    for n, part in enumerate((accept_language or "").split(",")):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        ranked.append((-weight, n, tag.strip()))
    for _, _, tag in sorted(ranked):
        base = tag.replace("_", "-").split("-")[0].lower()
        if base in SUPPORTED:
            return base
    return None


def browser_language(request: object) -> str | None:
    """The first supported language of a browser's locale, from a ``gr.Request``'s
    Accept-Language header (None without a request or a supported language)."""
    headers = getattr(request, "headers", None)
    return from_locale(headers.get("accept-language")) if headers is not None else None


def choose(choice: str | None, text: str = "", last: str = "", request: object = None) -> str:
    """The language to speak now: the page selector's ``choice`` ("en", "zh"; "auto" or None
    defer), else the message's (``text``), else the conversation's ``last``, else the browser's.

    >>> choose("zh", "a funny film"), choose("auto", "a funny film", "zh"), choose(None, "", "zh")
    ('zh', 'en', 'zh')
    """
    if choice in SUPPORTED:
        return str(choice)
    return supported(message_language(text) or last or browser_language(request))


def _table(code: str) -> dict[str, Any]:
    table = pack(code).ui
    if table is None:
        raise ConfigError(f"language {code!r} has no ui.toml: Magpie does not answer in it")
    return table


def placeholders(template: str) -> set[str]:
    """The ``{name}`` fields of a string.

    >>> sorted(placeholders("{count} picks for {who}"))
    ['count', 'who']
    """
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def say(lang: str | None, key: str, /, **fields: object) -> str:
    """The string ``key`` ("section.name") in ``lang`` with its fields filled in; a field
    missing or one the string does not use is an error (as for prompts)."""
    table = _table(supported(lang))
    if key not in table:
        raise ConfigError(f"no string {key!r} in {supported(lang)}/ui.toml")
    raw = table[key]
    if not isinstance(raw, str):
        raise ConfigError(f"{key!r} is a setting, not a string (use setting())")
    wanted = placeholders(raw)
    if wanted != set(fields):
        raise ConfigError(f"string {key!r}: needs {sorted(wanted)}, was given {sorted(fields)}")
    return raw.format(**fields) if wanted else raw


def has(lang: str | None, key: str) -> bool:
    """Whether ``lang``'s ui.toml holds the string ``key`` (a wording some fields have of their
    own, as ``summary.facet_colour``)."""
    return key in _table(supported(lang))


def say_nth(lang: str | None, key: str, n: int, /, **fields: object) -> str:
    """Wording ``n`` (mod their number) of the list of wordings ``key``, filled in: card ``n``
    of a list takes wording ``n``, so the reasons of one list never read alike.

    >>> say_nth("en", "reason.year", 0, year=1999), say_nth("en", "reason.year", 1, year=1999)
    ('from 1999', 'made in 1999')
    """
    table = _table(supported(lang))
    raw = table.get(key)
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{key!r} in {supported(lang)}/ui.toml is not a list of wordings")
    chosen = str(raw[n % len(raw)])
    wanted = placeholders(chosen)
    if wanted != set(fields):
        raise ConfigError(f"string {key!r}: needs {sorted(wanted)}, was given {sorted(fields)}")
    return chosen.format(**fields) if wanted else chosen


def setting(lang: str | None, key: str) -> Any:
    """A non-text entry of the strings file (``reason.capitalise``)."""
    return _table(supported(lang))[key]


def said_in(lang: str | None, words: Sequence[str]) -> list[str]:
    """The person's own words (``Profile.topics``) that are in ``lang``'s script: a Chinese
    request's topic read from its English gloss ("dogs" of "关于狗的电影") is not said back in
    English to a person writing Chinese.

    >>> said_in("zh", ["dogs", "潜艇"]), said_in("en", ["dogs", "潜艇"])
    (['潜艇'], ['dogs'])
    """
    han = supported(lang) == "zh"
    return [w for w in words if has_han(w) == han]


def unit_format(lang: str | None, card_format: str | None) -> str | None:
    """A catalogue's card format ("{} min") as ``lang`` writes it (its ``[values]``: "{}分钟").

    >>> unit_format("zh", "{} min"), unit_format("en", "{} min"), unit_format("zh", None)
    ('{}分钟', '{} min', None)
    """
    return value(lang, card_format) if card_format else None


def value(lang: str | None, word: str) -> str:
    """An attribute value (a genre, a category, a range's name) as shown in ``lang``: its
    entry in the file's ``[values]``, else the word as the catalogue has it.

    >>> value("zh", "comedy"), value("zh", "Comedy"), value("zh", "Tampopo"), value("en", "comedy")
    ('喜剧', '喜剧', 'Tampopo', 'comedy')
    """
    table: dict[str, str] = _table(supported(lang)).get("values", {})
    if word in table:
        return table[word]
    folded = unicodedata.normalize("NFKC", word).casefold()
    for key, shown in table.items():
        if key.casefold() == folded:
            return shown
    return word


def values(lang: str | None, words: list[str] | tuple[str, ...]) -> list[str]:
    return [value(lang, w) for w in words]


def word_as_said(lang: str | None, word: str) -> str:
    """An English word the reader took from a message in ``lang`` (a refused describing word:
    "别太血腥" is read as "bloody"), as that language says it: its ``[values]`` entry, else
    the first word of the language's gloss table that reads as it, else the word.

    >>> word_as_said("zh", "bloody"), word_as_said("zh", "comedy"), word_as_said("en", "bloody")
    ('血腥', '喜剧', 'bloody')
    """
    shown = value(lang, word)
    if shown != word:
        return shown
    glossed = pack(supported(lang)).gloss.words
    return next((said for said, english in glossed.items() if english == word), word)


def language_name(lang: str) -> str:
    """The language's own name ("English", "中文"), for the selector."""
    return str(_table(supported(lang))["name"])


def prompt_language(lang: str | None) -> str:
    """How the reply prompt names the language the LLM must answer in."""
    return str(_table(supported(lang))["prompt_name"])


def page_strings(lang: str) -> dict[str, str]:
    """The page's own strings in ``lang``, keyed as ``gr.I18n`` wants them (``mp_intro``...)."""
    prefix = "page."
    return {k[len(prefix) :]: v for k, v in _table(supported(lang)).items() if k.startswith(prefix)}


# The plain line an error without a key is shown as, by its kind (first match).
_PLAIN = (
    (InputError, "notice.input_unreadable"),
    (CatalogError, "notice.catalogue_unavailable"),
    (ModelUnavailable, "notice.model_unavailable"),
)

# Notice fields that hold a catalogue word ("price", "genres"): shown through ``value``.
_VALUE_FIELDS = frozenset({"field"})


def notice(lang: str | None, said: Notice | MagpieError | str) -> str:
    """A notice, or an error a person may see, in ``lang``: a keyed one in the language's words;
    an error without a key as a plain line for its kind (its own sentence may name a server
    path or echo input: the caller logs it).

    >>> notice("zh", Notice("notice.photo_empty"))
    '这张照片是空的（0 字节）。'
    >>> from recommender.errors import AudioError, CatalogError
    >>> notice("en", AudioError(key="notice.voice_silent")).startswith("That voice note seems")
    True
    >>> notice("en", CatalogError("cannot read /srv/data/catalog.jsonl"))
    'That catalogue cannot be opened right now.'
    """
    if isinstance(said, str):
        return said
    if isinstance(said, MagpieError):
        if said.key is None:
            kind = next((k for t, k in _PLAIN if isinstance(said, t)), "chat.failed")
            return say(lang, kind)
        said = Notice(said.key, dict(said.fields))  # type: ignore[arg-type]
    fields = {
        k: notice(lang, v)
        if isinstance(v, Notice)
        else value(lang, v)
        if k in _VALUE_FIELDS and isinstance(v, str)
        else v
        for k, v in said.fields.items()
    }
    return say(lang, said.key, **fields)
