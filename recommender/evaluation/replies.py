"""``magpie eval replies``: do Magpie's replies read like a helpful person wrote them?

A fixed set of turns (``replies.jsonl`` beside this module, written before the replies were
changed: real ReDial seekers' lines, the page's examples, dialogues with feedback, photos, voice
notes spoken by espeak-ng, requests the catalogue cannot serve, vague and hostile ones; English
and Chinese; movies, shop and pictures) is replayed through the app's own path
(``Recommender.turn``), and every turn's reply and card reasons are checked by rules that do not
share code with the reply writer:

- ``no_refusal``: no "I'm sorry, I can't help" / "抱歉，我无法…" in the reply or a reason;
- ``language``: the reply and reasons are in the case's language (titles and item facts aside);
- ``reason_each_card``: every card has a reason;
- ``reason_fact``: each reason names a fact of its own item other than its title (a year, a
  price, a field value such as a genre, a person, a colour, a category);
- ``no_field_names``: no field name in brackets ("comedy (genres)", "喜剧（类型）");
- ``distinct``: no two reasons of a turn are the same words once each item's own facts are
  masked ("A <year> <genre> - a popular pick" five times fails);
- ``length``: an opening of at most two sentences, reasons neither a fragment nor a paragraph;
- per turn where the set says so: ``says_none`` (the catalogue has nothing of that: the reply
  says so) and ``asks_back`` (too vague to rank: the reply asks one question).

Speed is reported too: the first text on the page and the whole reply, seconds from the turn's
start, median and 90th percentile.
"""

from __future__ import annotations

import json
import re
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from recommender.config import ROOT
from recommender.events import Done, Token
from recommender.reply.strings import value

if TYPE_CHECKING:
    from recommender.pipeline import Recommender
    from recommender.schemas import Item, ScoredItem

__all__ = ["CHECKS", "REPLIES_FILE", "evaluate_replies", "judge_turn", "replies_markdown"]

REPLIES_FILE = Path(__file__).resolve().parent / "replies.jsonl"
CHECKS = (
    "no_refusal",
    "language",
    "reason_each_card",
    "reason_fact",
    "no_field_names",
    "distinct",
    "length",
    "says_none",
    "asks_back",
)

_REFUSAL = re.compile(
    r"\b(?:I'?m sorry|I am sorry|I (?:can(?:no|')t|am unable to|'m unable to) "
    r"(?:help|assist|provide|fulfil|comply)|as an AI)\b|抱歉|无法协助|不能协助|无法提供|我不能",
    re.I,
)
_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_SENTENCE_END = re.compile(r"[.!?。！？]+(?=\s|$)")
_NONE = {
    "en": re.compile(
        r"\b(?:no|none|nothing|not|n't|couldn't|doesn't|don't|isn't|aren't|hasn't)\b", re.I
    ),
    "zh": re.compile(r"没有|没找到|找不到|没能|并无|暂无"),
}
_QUESTION = re.compile(r"[?？]")
# Bounds on what a person reads: the opening, and each card's reason.
_OPENING = {"en": (12, 300), "zh": (6, 120)}
_REASON = {"en": (15, 220), "zh": (6, 100)}
_STOP = frozenset(
    [
        "about",
        "after",
        "again",
        "also",
        "among",
        "another",
        "because",
        "been",
        "before",
        "being",
        "between",
        "both",
        "could",
        "during",
        "each",
        "every",
        "film",
        "films",
        "from",
        "have",
        "into",
        "itself",
        "just",
        "many",
        "more",
        "most",
        "movie",
        "much",
        "only",
        "other",
        "over",
        "same",
        "some",
        "such",
        "than",
        "that",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "under",
        "very",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "whose",
        "with",
        "within",
        "would",
        "your",
    ]
)


@dataclass
class TurnRecord:
    case: str
    turn: int
    catalogue: str
    lang: str
    said: str
    reply: str
    reasons: list[str]
    titles: list[str]
    failures: dict[str, str] = field(default_factory=dict)
    first_text_s: float | None = None
    reply_s: float | None = None


def load_cases(path: Path = REPLIES_FILE) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


# ---- the checks -----------------------------------------------------------------------------


def _facts(item: Item, lang: str) -> list[str]:
    """The strings that are facts of an item: field values (and their words in ``lang``),
    categories and numbers; never its title."""
    values: list[str] = []
    for raw in item.attributes.values():
        for v in raw if isinstance(raw, list) else [raw]:
            if isinstance(v, str) and len(v) <= 40:
                values.append(v)
            elif isinstance(v, int | float) and not isinstance(v, bool):
                values.append(f"{v:g}")
                values.append(str(int(v)))
    values += list(item.categories)
    values += [value(lang, v) for v in list(values)]
    # A word of one Han character is a word ("鹿", deer); a Latin one needs two letters.
    kept = {v for v in values if v and (len(v) >= 2 or _HAN.search(v))}
    return sorted(kept, key=len, reverse=True)


def _contains(text: str, phrase: str) -> bool:
    if _HAN.search(phrase):
        return phrase in text
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(phrase)}(?![A-Za-z0-9])", text, re.I) is not None


def _without(text: str, phrases: Iterable[str], mark: str = " ") -> str:
    for phrase in sorted(phrases, key=len, reverse=True):
        if not phrase:
            continue
        if _HAN.search(phrase):
            text = text.replace(phrase, mark)
        else:
            text = re.sub(
                rf"(?<![A-Za-z0-9]){re.escape(phrase)}(?![A-Za-z0-9])", mark, text, flags=re.I
            )
    return text


def names_fact(reason: str, item: Item, lang: str) -> bool:
    """A fact of the item other than its title: a field value, a category, a number, or a
    telling word of its description (English).

    >>> from recommender.schemas import Item
    >>> up = Item("u", "Up", "An old man flies his house to South America with balloons.",
    ...           ("movie",), {"year": 2009, "genres": ["animation"]})
    >>> names_fact("A 2009 film.", up, "en"), names_fact("Up is great, you will love Up.", up, "en")
    (True, False)
    >>> names_fact("He flies his house away with balloons.", up, "en")
    True
    >>> names_fact("2009年的动画片。", up, "zh")
    True
    """
    said = _without(reason, [item.title])
    if any(_contains(said, f) for f in _facts(item, lang)):
        return True
    if _NUMBER.search(said) and any(
        n in {f"{v:g}" for v in _numbers(item)} for n in _NUMBER.findall(said)
    ):
        return True
    own = {
        w.casefold()
        for w in _LATIN_WORD.findall(item.description)
        if len(w) >= 5 and w.casefold() not in _STOP
    } - {w.casefold() for w in _LATIN_WORD.findall(item.title)}
    return any(w.casefold() in own for w in _LATIN_WORD.findall(said))


def _numbers(item: Item) -> list[float]:
    out = []
    for raw in item.attributes.values():
        for v in raw if isinstance(raw, list) else [raw]:
            if isinstance(v, int | float) and not isinstance(v, bool):
                out.append(float(v))
    return out


def in_language(text: str, lang: str, known: Iterable[str]) -> bool:
    """``text`` is written in ``lang`` once titles and item facts (``known``) are set aside.

    >>> in_language("这些都是喜剧。", "zh", []), in_language("These are comedies.", "zh", [])
    (True, False)
    >>> in_language("Nike的跑鞋，65美元。", "zh", ["Nike"]), in_language("A 视频 film", "en", [])
    (True, False)
    """
    rest = re.sub(r"《[^》]*》|“[^”]*”|\"[^\"]*\"", " ", _without(text, known))
    han = len(_HAN.findall(rest))
    latin = sum(len(w) for w in _LATIN_WORD.findall(rest))
    if lang == "zh":
        return han >= 2 and latin <= han
    return han == 0 and latin > 0


def _field_names(items: Sequence[Item]) -> set[str]:
    keys = {k for i in items for k in i.attributes} | {"genres", "tags", "categories", "category"}
    names = set(keys)
    for lang in ("en", "zh"):
        names |= {value(lang, k) for k in keys}
    return {n.replace("_", " ").casefold() for n in names if n}


_BRACKETED = re.compile(r"[(（]\s*([^()（）]{1,24}?)\s*[)）]")


def bracketed_field(text: str, names: set[str]) -> str | None:
    """A field name in brackets ("comedy (genres)"), or None.

    >>> bracketed_field("comedy (genres), as you asked", {"genres"})
    'genres'
    >>> bracketed_field("Paths of Glory (1957)", {"genres"}) is None
    True
    """
    for m in _BRACKETED.finditer(text):
        if m.group(1).replace("_", " ").casefold() in names:
            return m.group(1)
    return None


def skeleton(reason: str, item: Item, lang: str) -> str:
    """The reason's own wording: the item's title, facts and numbers masked."""
    masked = _without(reason, [item.title, *_facts(item, lang)], "·")
    masked = _NUMBER.sub("·", masked)
    masked = re.sub(r"[\s·,.;:、，。；：\-—/]+", " ", masked.casefold())
    return re.sub(r"(?: ?· ?)+", "·", masked).strip()


def _sentences(text: str) -> int:
    return len(_SENTENCE_END.findall(text.strip())) or (1 if text.strip() else 0)


def judge_turn(
    reply: str,
    reasons: Sequence[str],
    items: Sequence[Item],
    lang: str,
    expect: Sequence[str] = (),
) -> dict[str, str]:
    """The failed checks of one turn: check -> why."""
    out: dict[str, str] = {}
    texts = [reply, *reasons]
    if refused := next((t for t in texts if _REFUSAL.search(t)), None):
        out["no_refusal"] = refused[:120]
    known = [i.title for i in items] + [f for i in items for f in _facts(i, "en")]
    wrong = [t for t in texts if t.strip() and not in_language(t, lang, known)]
    if wrong:
        out["language"] = wrong[0][:120]
    if items:
        missing = [n for n, r in enumerate(reasons, start=1) if not r.strip()]
        if len(reasons) != len(items) or missing:
            out["reason_each_card"] = f"{len(items)} cards, reasons missing on {missing}"
        no_fact = [
            n
            for n, (r, i) in enumerate(zip(reasons, items, strict=False), start=1)
            if r.strip() and not names_fact(r, i, lang)
        ]
        if no_fact:
            out["reason_fact"] = f"#{no_fact[0]}: {reasons[no_fact[0] - 1][:120]}"
        masks = Counter(
            skeleton(r, i, lang) for r, i in zip(reasons, items, strict=False) if r.strip()
        )
        same = [s for s, n in masks.items() if n > 1]
        if same:
            out["distinct"] = f"{masks[same[0]]} reasons read {same[0]!r}"
    names = _field_names(items)
    if bracket := next((b for t in texts if (b := bracketed_field(t, names))), None):
        out["no_field_names"] = bracket
    low, high = _OPENING[lang]
    if not (low <= len(reply) <= high) or _sentences(reply) > 2:
        out["length"] = f"opening of {len(reply)} characters, {_sentences(reply)} sentences"
    else:
        low, high = _REASON[lang]
        bad = [r for r in reasons if r.strip() and not low <= len(r) <= high]
        if bad:
            out["length"] = f"a reason of {len(bad[0])} characters: {bad[0][:80]}"
    if "says_none" in expect and not _NONE[lang].search(reply):
        out["says_none"] = reply[:120]
    if "asks_back" in expect and not _QUESTION.search(reply):
        out["asks_back"] = reply[:120]
    return out


# ---- running the set ------------------------------------------------------------------------


def _audio(turn: dict[str, Any], folder: Path) -> Path | None:
    if "audio" in turn:
        return ROOT / turn["audio"]
    if "speak" in turn:
        from recommender.evaluation.speech import espeak

        speak = turn["speak"]
        return espeak(speak["text"], speak["voice"], folder / f"{abs(hash(speak['text']))}.wav")
    return None


def run_case(rec: Recommender, case: dict[str, Any], folder: Path) -> list[TurnRecord]:
    """Replay a case's turns in one session, with the reply language left to the app (the
    page's selector is "auto"); judge every turn."""
    session = rec.new_session(case["catalogue"])
    records = []
    for n, turn in enumerate(case["turns"], start=1):
        images = [str(ROOT / turn["image"])] if "image" in turn else []
        started = time.perf_counter()
        first: float | None = None
        result = None
        for event in rec.turn(session, turn.get("text", ""), images, _audio(turn, folder)):
            if isinstance(event, Token) and first is None:
                first = time.perf_counter() - started
            if isinstance(event, Done):
                result = event.result
        assert result is not None
        scored: list[ScoredItem] = list(result.items)
        items = [s.item for s in scored]
        reasons = [s.reason for s in scored]
        records.append(
            TurnRecord(
                case["id"],
                n,
                case["catalogue"],
                case["lang"],
                turn.get("text") or (result.transcript or ""),
                result.reply,
                reasons,
                [i.title for i in items],
                judge_turn(result.reply, reasons, items, case["lang"], turn.get("expect", ())),
                first,
                time.perf_counter() - started,
            )
        )
    return records


def _quantiles(xs: list[float]) -> dict[str, float | None]:
    if not xs:
        return {"p50": None, "p90": None}
    xs = sorted(xs)
    return {
        "p50": round(statistics.median(xs), 2),
        "p90": round(xs[min(len(xs) - 1, int(0.9 * len(xs)))], 2),
    }


def evaluate_replies(
    rec: Recommender,
    limit: int | None = None,
    path: Path = REPLIES_FILE,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Pass rate of each check over the turns it applies to, overall and by language and
    catalogue, every failure, speed, and every turn's text (for reading)."""
    started = time.perf_counter()
    cases = load_cases(path)[:limit] if limit else load_cases(path)
    records: list[TurnRecord] = []
    with tempfile.TemporaryDirectory(prefix="magpie-replies-") as tmp:
        for n, case in enumerate(cases, start=1):
            records += run_case(rec, case, Path(tmp))
            if progress:
                progress(n, len(cases))
    expects = {
        (c["id"], n): set(t.get("expect", ()))
        for c in cases
        for n, t in enumerate(c["turns"], start=1)
    }

    def applies(check: str, r: TurnRecord) -> bool:
        if check in ("says_none", "asks_back"):
            return check in expects[(r.case, r.turn)]
        return True

    def rates(rs: Sequence[TurnRecord]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for check in CHECKS:
            pool = [r for r in rs if applies(check, r)]
            if pool:
                ok = sum(check not in r.failures for r in pool)
                out[check] = {"pass": round(ok / len(pool), 3), "passed": ok, "turns": len(pool)}
        out["all"] = {
            "pass": round(sum(not r.failures for r in rs) / len(rs), 3) if rs else 0.0,
            "passed": sum(not r.failures for r in rs),
            "turns": len(rs),
        }
        return out

    groups: dict[str, dict[str, list[TurnRecord]]] = defaultdict(lambda: defaultdict(list))
    for r in records:
        groups["language"][r.lang].append(r)
        groups["catalogue"][r.catalogue].append(r)
    return {
        "llm": rec.settings.llm_model if rec.models.optional("llm") is not None else "templates",
        "cases": len(cases),
        "overall": rates(records),
        **{axis: {k: rates(v) for k, v in sorted(g.items())} for axis, g in groups.items()},
        "speed": {
            "first_text_s": _quantiles([r.first_text_s for r in records if r.first_text_s]),
            "reply_s": _quantiles([r.reply_s for r in records if r.reply_s]),
        },
        "turns": [r.__dict__ for r in records],
        "seconds": round(time.perf_counter() - started, 1),
    }


def replies_markdown(result: dict[str, Any]) -> str:
    o = result["overall"]
    lines = [
        f"# Replies, written by {result['llm']}: {o['all']['passed']} of {o['all']['turns']} "
        f"turns pass every check ({o['all']['pass']:.0%})",
        "",
        "| check | " + " | ".join(["all", *result["language"], *result["catalogue"]]) + " |",
        "|---|" + "---|" * (1 + len(result["language"]) + len(result["catalogue"])),
    ]
    columns = [o, *result["language"].values(), *result["catalogue"].values()]
    for check in (*CHECKS, "all"):
        cells = [
            f"{c[check]['passed']}/{c[check]['turns']}" if check in c else "–" for c in columns
        ]
        lines.append(f"| {check} | " + " | ".join(cells) + " |")
    s = result["speed"]
    lines += [
        "",
        f"Speed (seconds from the turn's start): first text p50 {s['first_text_s']['p50']}, "
        f"p90 {s['first_text_s']['p90']}; whole reply p50 {s['reply_s']['p50']}, "
        f"p90 {s['reply_s']['p90']}.",
        "",
        "## Failures",
        "",
    ]
    for t in result["turns"]:
        for check, why in t["failures"].items():
            lines.append(f"- {t['case']} turn {t['turn']}, **{check}**: {why}")
    return "\n".join(lines) + "\n"
