"""Numbers in a message: budgets, years and decades, and measures such as a film's length.

The cue words come from the language file (``languages/en/reading.toml``); a message in another language
arrives here as its English gloss. Which numeric fields take a measure is the catalogue's say
(``catalog.toml`` ``[ranges]``: ``runtime = "minutes"``), and so is which field money and dates
bound (``[fields]``: ``money``, ``date``; ``price`` and ``year`` unless it says otherwise).

>>> r = read_quantities("a thriller from the 2000s, two hours max, under $20", {"runtime": "minutes"})
>>> [(k, v.min, v.max) for k, v in r.items()]
[('runtime', None, 120.0), ('price', None, 19.99), ('year', 2000.0, 2009.0)]
>>> [(k, v.min, v.max) for k, v in read_quantities("before 1950, 150 bucks max").items()]
[('price', None, 150.0), ('year', None, 1949.0)]
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping, Sequence

from recommender.catalogue.spec import FieldRoles
from recommender.languages import pack
from recommender.schemas import Range

__all__ = ["as_said", "read_quantities", "recent_spans", "short_of_words"]

_EN = pack().reader


def _any(alternatives: tuple[str, ...] | list[str]) -> str:
    return "(?:" + "|".join(alternatives) + ")"


_NUM = r"(\d+(?:[.,]\d+)?)\s*(" + "|".join(_EN.thousands) + r")?\b"
_MONEY = _any(_EN.currency_before) + r"?\s*" + _NUM + r"\s*" + _any(_EN.currency_after) + "?"
_BUDGET_MAX = re.compile(r"\b" + _any(_EN.budget_max) + r"\s*" + _MONEY, re.I)
_BELOW = re.compile(r"\b" + _any(_EN.budget_below) + r"\b", re.I) if _EN.budget_below else None
CENT = 0.01  # the step below a price bound that leaves the amount out


def as_said(bound: float) -> float:
    """An upper price bound as the person said it: "under $80" is read as at most $79.99
    (``CENT`` below), and is said back as $80.

    >>> as_said(79.99), as_said(80.0), as_said(12.5)
    (80.0, 80.0, 12.5)
    """
    up = round(bound + CENT, 2)
    return up if up.is_integer() and not float(bound).is_integer() else bound


_BUDGET_MIN = re.compile(r"\b" + _any(_EN.budget_min) + r"\s*" + _MONEY, re.I)
_BUDGET_MAX_AFTER = re.compile(_MONEY + r"\s*" + _any(_EN.budget_max_after) + r"\b", re.I)
_BUDGET_MIN_AFTER = re.compile(_MONEY + r"\s*" + _any(_EN.budget_min_after) + r"\b", re.I)
_BETWEEN = re.compile(
    r"\b"
    + _any(_EN.between)
    + r"\s*"
    + _MONEY
    + r"\s*"
    + _any(_EN.range_joiners)
    + r"\s*"
    + _MONEY,
    re.I,
)
_PRICE_WORD = re.compile(r"[$£€]|\b" + _any(_EN.price_words) + r"\b", re.I)
# A year, not a decade: "from the 2000s" is 2000-2009 (``_DECADE``), not "from 2000 on".
_YEAR = r"((?:19|20)\d\d)(?!'?s\b)"
_ARTICLE = r"\s*" + _any(tuple(rf"{a}\s*" for a in _EN.articles)) + "?"


_YEAR_NOUN = (r"(?:" + _any(_EN.year_nouns) + r"\s*)?") if _EN.year_nouns else ""


def _year_cue(cues: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b" + _any(cues) + _ARTICLE + _YEAR_NOUN + _YEAR, re.I)


def _year_after(cues: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b" + _YEAR + r"\s*" + _any(cues) + r"\b", re.I)


# (pattern, which bound, what to add to the year, whether a negation just before turns it into
# its opposite, read by another pattern): "after 2015" starts at 2016; "nothing made after
# 2005" ends at 2005.
_YEARS = (
    (_year_cue(_EN.year_min), "min", 0, False),
    (_year_cue(_EN.year_after), "min", 1, True),
    (_year_after(_EN.year_min_after), "min", 0, False),
    (_year_cue(_EN.year_max), "max", 0, False),
    (_year_cue(_EN.year_before), "max", -1, True),
    (_year_after(_EN.year_max_after), "max", 0, False),
)
# "a comedy from 1995", "made in 1995", "a 1995 comedy": that year alone, unless an open end
# ("from 1995 on", "1995 or earlier") or a second year ("from 2000 to 2005") follows.
_YEAR_EXACT = (
    (_year_cue(_EN.year_exact), re.compile(r"\b(?:a|an)\s+" + _YEAR + r"\s+(?=[a-z])", re.I))
    if _EN.year_exact
    else ()
)
_YEAR_OPEN = re.compile(r"\s*" + _any(_EN.year_min_after + _EN.year_max_after) + r"\b", re.I)
_YEAR_SPAN = (
    re.compile(
        r"\b"
        + _YEAR
        + r"\s*"
        + _any(_EN.year_span_joiners)
        + r"\s*(?:"
        + _YEAR
        + r"\b|"
        + _any(_EN.year_to_now)
        + r"\b)",
        re.I,
    )
    if _EN.year_span_joiners
    else None
)
_NEGATED_BEFORE = 4  # words: how far before a bound cue a negation reaches
# A decade bounded: "before the 2000s" ends at 1999, "after the 90s" starts in 2000.
_DECADE_BOUNDS = (
    (re.compile(r"\b" + _any(_EN.year_before) + r"\s*$", re.I), "before"),
    (re.compile(r"\b" + _any(_EN.year_after) + r"\s*$", re.I), "after"),
    (re.compile(r"\b" + _any(_EN.decade_since) + r"\s*$", re.I), "since"),
)
_DECADE_OPEN_MAX = re.compile(r"\s*" + _any(_EN.year_max_after) + r"\b", re.I)
_DECADE_OPEN_MIN = re.compile(r"\s*" + _any(_EN.year_min_after) + r"\b", re.I)
_DECADE = re.compile(
    r"\b(?:"
    + _any(_EN.articles)
    + r"\s*)?"
    + (rf"(?:(?P<part>{'|'.join(_EN.decade_parts)})[\s-]*)?" if _EN.decade_parts else "")
    + r"(?:(?P<century>19|20)?(?P<tens>\d)0'?s|(?P<word>"
    + "|".join(_EN.decades)
    + r"))\b",
    re.I,
)
_NUMBER_WORD = _any(tuple(sorted(_EN.number_words, key=len, reverse=True)))
_HALF = r"(?:\s*(?:-\s*)?" + _EN.half.replace(" ", r"\s*-?\s*") + ")"
_AMOUNT = rf"(\d+(?:\.\d+)?|{_NUMBER_WORD})({_HALF})?"
# "the last 10 years", "the past couple of years" (``_year``: from now minus the number, now
# being this year or the catalogue's newest, whichever is earlier).
_RECENT = re.compile(
    r"\b(?:"
    + _any(_EN.recent_years)
    + rf")\s+(\d{{1,2}}|{_NUMBER_WORD})\s+(?:of\s+)?{_EN.recent_unit}\b",
    re.I,
)
# "the last decade", "the past two decades": ten years each.
_RECENT_DECADES = re.compile(
    r"\b(?:" + _any(_EN.recent_years) + rf")\s+(?:(\d{{1,2}}|{_NUMBER_WORD})\s+)?decades?\b",
    re.I,
)


def read_quantities(
    text: str,
    measures: Mapping[str, str] | None = None,
    named: Mapping[str, Sequence[str]] | None = None,
    fields: FieldRoles | None = None,
    negated: Callable[[int], bool] | None = None,
    latest: int | None = None,
) -> dict[str, Range]:
    """The ranges ``text`` states: a budget and years (on the ``fields.money`` and ``fields.date``
    fields), each field of ``measures``
    (field -> unit of ``languages/en/reading.toml`` ``[units]``) whose unit the text names, and each
    field of ``named`` (field -> the names people call it) bounded beside one of its names.
    ``negated`` says whether the word at a character stands under a negation further back
    than the few words the cues look at ("I don't want anything that came out after 2010"):
    the reader's parse (``stance.negated_at``). ``latest``: the catalogue's newest year; "the
    last few years" count back from it when it is before this year (a catalogue that ends in
    2018 has nothing "from the last couple of years" counted from today).

    >>> r = read_quantities("a horror film with a metacritic score of at least 70",
    ...                     named={"metacritic": ["metacritic"]})
    >>> [(k, v.min, v.max) for k, v in r.items()]
    [('metacritic', 70.0, None)]
    """
    fields = fields or FieldRoles()
    out: dict[str, Range] = {}
    text = _read_named(text, named or {}, out)
    text = _read_measures(text, measures or {}, out)
    price = _price(_spelled_money(text))
    if price.min is not None or price.max is not None:
        out[fields.money] = price
    now = min(latest, _this_year()) if latest else _this_year()
    year = _year(text, negated, now)
    if year.min is not None or year.max is not None:
        out[fields.date] = year
    return out


_MONEY_WORDS = re.compile(
    rf"\b({_NUMBER_WORD}(?:[\s-]+(?:and[\s-]+)?{_NUMBER_WORD})*)(?=\s*"
    + _any(_EN.currency_after)
    + r")",
    re.I,
)


def recent_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` counts back in years ("from the last 5 years", "the past decade"): no
    title is named there ("The Last Five Years").

    >>> recent_spans("a comedy from the last 5 years")
    [(18, 30)]
    """
    return [m.span() for p in (_RECENT, _RECENT_DECADES) for m in p.finditer(text)]


def _spelled_money(text: str) -> str:
    """Amounts of money spelled out as digits: "under fifty dollars" is "under 50 dollars",
    "two hundred bucks" "200 bucks", "twenty-five dollars" "25 dollars".

    >>> _spelled_money("ideally under fifty dollars"), _spelled_money("a hundred and twenty bucks")
    ('ideally under 50 dollars', '120 bucks')
    """

    def digits(m: re.Match[str]) -> str:
        total = current = 0
        words = re.split(r"[\s-]+", m.group(1).lower())
        if len(words) > 1 and _EN.number_words.get(words[0]) == 1 and words[0] != "one":
            words = words[1:]  # "a hundred", "a few": the article counts for nothing
        for word in words:
            n = _EN.number_words.get(word)
            if n is None:
                continue  # "and"
            if n in (100, 1000):
                current = max(current, 1) * n
                if n == 1000:
                    total, current = total + current, 0
            else:
                current += n
        value = total + current
        return str(value) if value > 1 or m.group(1).lower() == "one" else m.group(0)

    return _MONEY_WORDS.sub(digits, text)


def _read_measures(text: str, measures: Mapping[str, str], out: dict[str, Range]) -> str:
    """Read "under 90 minutes", "two hours max" into ``out``; returns the text without them,
    so a length is never read as a price."""
    for unit, alternatives in _EN.units.items():
        names = _any(tuple(sorted(alternatives, key=len, reverse=True)))
        amount = re.compile(rf"\b{_AMOUNT}\s*({names})\b({_HALF})?", re.I)
        fields = [f for f, u in measures.items() if u == unit]
        for m in list(amount.finditer(text))[::-1]:
            before, after = text[: m.start()], text[m.end() :]
            low = re.search(r"\b" + _any(_EN.budget_min) + r"\s*$", before, re.I)
            high = re.search(r"\b" + _any(_EN.budget_max) + r"\s*$", before, re.I)
            low_after = re.match(r"\s*" + _any(_EN.budget_min_after) + r"\b", after, re.I)
            high_after = re.match(r"\s*" + _any(_EN.budget_max_after) + r"\b", after, re.I)
            value = _amount(m, alternatives)
            cue_before, cue_after = low or high, low_after or high_after
            start = m.start() - (len(cue_before.group(0)) if cue_before else 0)
            end = m.end() + (len(cue_after.group(0)) if cue_after else 0)
            for f in fields:
                rng = out.setdefault(f, Range())
                if low or low_after:
                    rng.min = value
                elif high or high_after:
                    rng.max = value
            text = text[:start] + " " + text[end:]
        for pattern, most in _EN.short_of.get(unit, {}).items():
            # "not too long": a length refused without a number (a stated one wins).
            for m in list(re.finditer(rf"\b(?:{pattern})\b", text, re.I))[::-1]:
                for f in fields:
                    rng = out.setdefault(f, Range())
                    rng.max = most if rng.max is None else rng.max
                if fields:
                    text = text[: m.start()] + " " * (m.end() - m.start()) + text[m.end() :]
        for f in fields:
            if f in out and out[f].min is None and out[f].max is None:
                del out[f]
    return text


def short_of_words(text: str) -> frozenset[str]:
    """The words of the lengths refused without a number in ``text`` ("isn't too long"),
    lower case: a bound on the runtime, not the describing word "long" refused.

    >>> sorted(short_of_words("a western that isn't too long"))
    ["isn't", 'long', 'too']
    """
    found = [
        m
        for patterns in _EN.short_of.values()
        for pattern in patterns
        for m in re.finditer(rf"\b(?:{pattern})\b", text, re.I)
    ]
    return frozenset(w.lower() for m in found for w in m.group(0).split())


_SCORE = r"(\d{1,3}(?:\.\d+)?)\s*(?:%|percent\b|per\s*cent\b)?"
_NAMED_BOUNDS = (
    (re.compile(r"\b" + _any(_EN.budget_min) + r"\s*" + _SCORE, re.I), "min"),
    (re.compile(_SCORE + r"\s*" + _any(_EN.budget_min_after) + r"\b", re.I), "min"),
    (re.compile(r"\b" + _any(_EN.budget_max) + r"\s*" + _SCORE, re.I), "max"),
    (re.compile(_SCORE + r"\s*" + _any(_EN.budget_max_after) + r"\b", re.I), "max"),
)
_NAMED_REACH = 60  # characters between a field's name and its bound


def _read_named(text: str, named: Mapping[str, Sequence[str]], out: dict[str, Range]) -> str:
    """Read "a metacritic score of at least 70", "90% or more on rotten tomatoes" into ``out``:
    the bound nearest a name of the field; returns the text without it (so it is no price)."""
    for name, names in named.items():
        said = re.search(r"\b" + _any(tuple(re.escape(n) for n in names)) + r"\b", text, re.I)
        if said is None:
            continue
        nearest: dict[str, tuple[int, re.Match[str]]] = {}
        for pattern, bound in _NAMED_BOUNDS:
            for m in pattern.finditer(text):
                if re.search(r"[$£€]", m.group(0)):
                    continue
                gap = max(said.start() - m.end(), m.start() - said.end(), 0)
                if gap <= _NAMED_REACH and (bound not in nearest or gap < nearest[bound][0]):
                    nearest[bound] = (gap, m)
        if not nearest:
            continue
        rng = out.setdefault(name, Range())
        for bound, (_, m) in sorted(nearest.items(), key=lambda b: -b[1][1].start()):
            setattr(rng, bound, float(m.group(1)))
            text = text[: m.start()] + " " + text[m.end() :]
    return text


def _amount(m: re.Match[str], alternatives: Mapping[str, float]) -> float:
    number, half, unit, half_after = m.group(1), m.group(2), m.group(3), m.group(4)
    value = float(number) if number[0].isdigit() else float(_EN.number_words[number.lower()])
    if half or half_after:
        value += 0.5
    factor = next(f for alt, f in alternatives.items() if re.fullmatch(alt, unit, re.I))
    return round(value * factor, 2)


def _price(text: str) -> Range:
    price = Range()
    between = _BETWEEN.search(text)
    if between and (
        not (_is_year(between.group(1)) and _is_year(between.group(3)))
        or _PRICE_WORD.search(between.group(0))
    ):
        price.min = _money(between.group(1), between.group(2))
        price.max = _money(between.group(3), between.group(4))
        return price
    for pattern, bound in (
        (_BUDGET_MAX, "max"),
        (_BUDGET_MAX_AFTER, "max"),
        (_BUDGET_MIN, "min"),
        (_BUDGET_MIN_AFTER, "min"),
    ):
        for m in pattern.finditer(text):
            if not _is_year(m.group(1)) or _PRICE_WORD.search(m.group(0)):
                value = _money(m.group(1), m.group(2))
                if pattern is _BUDGET_MAX and _BELOW is not None and _BELOW.match(m.group(0)):
                    value = round(value - CENT, 2)
                setattr(price, bound, value)
    return price


def _this_year() -> int:
    return datetime.date.today().year


def _year(
    text: str, under_negation: Callable[[int], bool] | None = None, now: int | None = None
) -> Range:
    now = now or _this_year()
    year = Range()
    recent = _RECENT.search(text)
    if recent:  # "from the last 10 years"
        n = recent.group(1).lower()
        count = int(n) if n.isdigit() else _EN.number_words.get(n)
        if count:
            year.min = float(now - count)
    decades = _RECENT_DECADES.search(text)
    if decades and not recent:
        n = (decades.group(1) or "1").lower()
        count = int(n) if n.isdigit() else _EN.number_words.get(n)
        if count:
            year.min = float(now - 10 * count)
    for pattern, bound, step, negatable in _YEARS:
        for m in pattern.finditer(text):
            if bound == "max" and m.group(0).lower().startswith("up to") and year.max is not None:
                continue  # "up to" after a stated bound is a budget, not a year
            before = _clause_before(text, m.start())
            near = negatable and bool(_EN.year_negations & set(before))
            if near or (negatable and under_negation is not None and under_negation(m.start())):
                # "nothing made after 2005", "I don't want anything past 2005", "I don't want
                # anything that came out after 2010": the bound turns round, the year itself in.
                setattr(year, "max" if bound == "min" else "min", float(m.group(1)))
                continue
            setattr(year, bound, float(m.group(1)) + step)
    if year.min is None and year.max is None:
        year = _exact_year(text)
    between = _BETWEEN.search(text)
    years = between and _is_year(between.group(1)) and _is_year(between.group(3))
    if between and years and not _PRICE_WORD.search(between.group(0)):
        year = Range(min=float(between.group(1)), max=float(between.group(3)))
    span = _YEAR_SPAN.search(text) if _YEAR_SPAN is not None else None
    money = span and _PRICE_WORD.match(text[span.end() :].lstrip())  # "1900 to 2000 dollars"
    if span and not between and not money and not _PRICE_WORD.search(span.group(0)):
        negated = bool(_EN.year_negations & set(_clause_before(text, span.start())))
        end = float(span.group(2)) if span.group(2) else None  # "to now": open-ended
        if not negated and (end is None or end >= float(span.group(1))):
            year = Range(min=float(span.group(1)), max=end)
    decade = _DECADE.search(text)
    if decade and (year.min is None) != (year.max is None):
        # "from the 80s, nothing after 1985": the decade closes the other end.
        first, last = _decade_years(decade)
        if year.min is None and year.max is not None and first <= year.max <= last:
            year = Range(min=first, max=year.max)
        elif year.min is not None and year.max is None and first <= year.min <= last:
            year = Range(min=year.min, max=last)
    elif decade and year.min is None and year.max is None:
        first, last = _decade_years(decade)  # "the 90s": 1990-1999; "the mid 90s": 1993-1996
        year = Range(min=first, max=last)
        preceding = text[: decade.start()]
        bounded = False
        for cue, bound in _DECADE_BOUNDS:
            window = preceding[-30:]
            found = cue.search(window)
            if found:
                before = _clause_before(window, found.start())
                negated = bool(_EN.year_negations & set(before))
                year = _decade_bound(bound, first, last, negated)
                bounded = True
                break
        following = text[decade.end() : decade.end() + 20]
        refused = bool(_EN.year_negations & set(_clause_before(preceding, len(preceding)))) or (
            under_negation is not None and under_negation(decade.start())
        )
        if _DECADE_OPEN_MAX.match(following):  # "the 80s or earlier"; "nothing ... or earlier"
            year = Range(min=last + 1) if refused else Range(max=last)
        elif _DECADE_OPEN_MIN.match(following):  # "the 90s or later", "the 2000s onwards"
            year = Range(max=first - 1) if refused else Range(min=first)
        elif refused and not bounded:
            # "a western that isn't from the 60s": a decade left out leaves a hole no one
            # range can hold; better no bound than the decade itself.
            year = Range()
    return year


def _exact_year(text: str) -> Range:
    """ "A comedy from 1995", "a 1995 comedy": that year alone (a negated one bounds nothing:
    one year cannot be left out by a range)."""
    for pattern in _YEAR_EXACT:
        for m in pattern.finditer(text):
            if _YEAR_OPEN.match(text, m.end()) or _PRICE_WORD.match(text[m.end() :].lstrip()):
                continue  # "from 1995 on", "a 2000 dollar laptop"
            if _EN.year_negations & set(_clause_before(text, m.start())):
                continue
            return Range(min=float(m.group(1)), max=float(m.group(1)))
    return Range()


def _clause_before(text: str, at: int) -> list[str]:
    """The last few words before ``at``, within its clause: a negation before a comma is
    another clause's ("no old movies, after 2010 please" bounds nothing away)."""
    clause = re.split(r"[,;.!?，。；！？]", text[:at])[-1]
    return clause.lower().split()[-_NEGATED_BEFORE:]


def _decade_bound(bound: str, first: int, last: int, negated: bool) -> Range:
    """The bound a cue before a decade (or a part of one) sets: "after the 80s" starts in 1990,
    "before the late 90s" ends in 1995, "since the 90s" starts in 1990. Under a negation it is
    the opposite: "nothing after the 90s" ends in 1999, "nothing before the 80s" starts in 1980.

    >>> _decade_bound("after", 1990, 1999, False), _decade_bound("before", 1996, 1999, False)
    (Range(min=2000.0, max=None), Range(min=None, max=1995.0))
    >>> _decade_bound("after", 1993, 1996, True), _decade_bound("since", 1980, 1989, False)
    (Range(min=None, max=1996.0), Range(min=1980.0, max=None))
    """
    if bound == "before":
        return Range(min=first) if negated else Range(max=first - 1)
    if bound == "after":
        return Range(max=last) if negated else Range(min=last + 1)
    return Range(max=last) if negated else Range(min=first)  # "since"


def _decade_years(decade: re.Match[str]) -> tuple[int, int]:
    """The first and last year a decade phrase covers: "the 80s" 1980-1989, "the early 80s"
    1980-1983 (``decade_parts``)."""
    if decade.group("word"):
        start = 1900 + 10 * _EN.decades[decade.group("word").lower()]
    else:
        century = (
            int(decade.group("century")) * 100
            if decade.group("century")
            else (1900 if int(decade.group("tens")) > 2 else 2000)
        )
        start = century + 10 * int(decade.group("tens"))
    part = decade.groupdict().get("part")
    low, high = _EN.decade_parts[part.lower()] if part else (0, 9)
    return start + low, start + high


def _money(number: str, thousands: str | None) -> float:
    value = float(number.replace(",", ""))
    return value * 1000 if thousands else value


def _is_year(number: str) -> bool:
    return bool(re.fullmatch(r"(19|20)\d\d", number))
