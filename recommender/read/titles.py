"""Title linking: find catalogue items named in free text, as people type their titles.

Titles are matched in the canonical form of ``fuzzy`` (number words, Roman numerals, a missing
leading article, punctuation) and, failing that, within a few typing errors; everyday words
that are also titles ("It", "Up", "the end") need more evidence. Built once per catalogue.

>>> from recommender.schemas import Item
>>> items = [Item("pa-1984", "Police Academy", attributes={"year": 1984}),
...          Item("st-2001", "Super Troopers", attributes={"year": 2001}),
...          Item("oe-2001", "Ocean's Eleven", attributes={"year": 2001})]
>>> linker = TitleLinker(items)
>>> [m.item_id for m in linker.find("I loved Super Troopers (2001) and police academy")]
['st-2001', 'pa-1984']
>>> [m.surface for m in linker.find("oceans 11 and super trooper were great")]
['oceans 11', 'super trooper']
"""

from __future__ import annotations

import functools
import math
import re
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from recommender.catalogue.spec import FieldRoles
from recommender.languages import NameWords, pack
from recommender.read.aliases import TitleAliases
from recommender.read.fuzzy import (
    FuzzyIndex,
    fast_fold,
    name_tokens,
    plain_words,
    span_tokens,
)
from recommender.schemas import Item
from recommender.text import stem

__all__ = ["Mention", "TitleLinker"]


# Longest title, in words, that the scan looks for; typos are looked for in shorter spans only
# (a long title typed with typos still has a long exact part ... or is rare: fit half).
_MAX_TITLE_TOKENS = 12
_MAX_FUZZY_TOKENS = 6
# People talk about a title of everyday words this often (the catalogue's popularity, dialogues
# of ReDial's fit half for movies) before it links in lower case.
_KNOWN = 1.0
_SHORT_WORD = 4  # a one-word title shorter than this ("D", "Ray") links as "It" does
# A film of a shared title said beside others: thirty years from their time cost as much as e
# times fewer mentions (``TitleLinker._cohere``). Perturbed ReDial fit-half linking: 3,102 right
# and 192 wrong at 30 (3,103 and 192 without; at 10 years, 3,098 and 198).
_ERA_YEARS = 30.0
_LONG_SPAN = 3  # spans this long may start or end on a function word and still be fuzzy-matched
_YEAR_AT_END = re.compile(r"\s*\(\s*((?:19|20)\d\d)\s*\)\s*$")
_YEAR_AFTER = re.compile(r"^\s*\(?\s*((?:19|20)\d\d)\s*\)?")
# A title's last word alone ("departed" for "The Departed") in lower case needs this many
# letters: shorter ones are everyday words ("wood", "edge", "end").
_LOWER_ALONE = 7
# A shortened form (the title before its colon: "Police Academy 2") ranks after full titles.
_SHORT_FORM = 1


@dataclass(frozen=True)
class Mention:
    """An item named in the text."""

    item_id: str
    start: int  # character offsets in the original text
    end: int
    surface: str  # the words as written


@dataclass(frozen=True)
class _Found:
    first: int  # word positions of the span, inclusive
    last: int
    key: str  # the catalogue form it matched
    edits: int  # 0: exact

    @property
    def weight(self) -> float:
        # Longer spans first; an edit costs about two characters of evidence.
        return len(self.key) - 2.0 * self.edits


class TitleLinker:
    """Finds catalogue titles in text: longest match first, years disambiguate, typos tolerated."""

    def __init__(
        self,
        items: Sequence[Item],
        popularity: Mapping[str, float] | None = None,
        lex: NameWords | None = None,
        names: frozenset[str] = frozenset(),
        date: str | None = None,  # the field holding an item's year (``FieldRoles.date``)
        aliases: Mapping[str, str] | None = None,  # titles in another script -> item id
    ) -> None:
        popularity = popularity or {}
        self._mentions = popularity
        date = date or FieldRoles().date
        # People's surnames: "a Hitchcock film" is his film, not the film "Hitchcock".
        self._names = names
        self._lex = lex or pack().names
        self._ids = [item.id for item in items]
        self._years = [int(y) if (y := item.number(date)) else None for item in items]
        self._titles_of = {item.id: item.title for item in items}
        # "盗梦空间" -> "Inception" before a message is glossed (read/aliases.py).
        self.aliases = TitleAliases(aliases or {}, self._titles_of)
        # As spelled, with and without a leading article: "Ocean's Eleven" is not "Ocean's 11".
        self._spelled = [self._spellings(item.title) for item in items]
        by_key: dict[str, list[tuple[int, float, int]]] = defaultdict(list)
        for n, item in enumerate(items):
            for key, penalty in self._forms(item.title):
                by_key[key].append((penalty, -popularity.get(item.id, 0.0), n))
        # Per form, the best reading first: full titles, then the most popular film.
        self._by_key = {k: [n for _, _, n in sorted(set(v))] for k, v in by_key.items()}
        # One word left of a longer title ("the wood" -> "wood"): linked only as a name, with
        # a capital; in lower case it is a word ("a small wood cabin").
        full = {" ".join(name_tokens(item.title, self._lex)) for item in items}
        self._capital_only = {k for k in self._by_key if " " not in k and k not in full}
        self._best_penalty = {k: min(p for p, _, _ in v) for k, v in by_key.items()}
        self._pop = {k: max(-p for _, p, _ in v) for k, v in by_key.items()}
        self._fuzzy: FuzzyIndex[str] = FuzzyIndex({k: k for k in self._by_key})
        self._max = min(_MAX_TITLE_TOKENS, max((k.count(" ") + 1 for k in self._by_key), default=1))
        self._stop = pack().reader.stop_words
        content = [[w for w in k.split() if w not in self._lex.articles] for k in self._by_key]
        self._starts = {words[0] for words in content if words}
        self._ends = {words[-1] for words in content if words}

    def _forms(self, title: str) -> list[tuple[str, int]]:
        """The canonical forms a title is known by, each with its rank (0: the title itself)."""
        words = name_tokens(title, self._lex)
        if not words:
            return []
        forms = [(words, 0)]
        if ":" in title:
            short = name_tokens(title.split(":", 1)[0], self._lex)
            if short and short != words and (len(short) > 1 or short[0].isdigit()):
                forms.append((short, _SHORT_FORM))
        if "-" in title:  # "Spider-Man" is also typed "spider man"
            forms.append((name_tokens(title.replace("-", " "), self._lex), 0))
        bare = _QUALIFIER.sub("", title)
        if bare != title:  # "Toy Story (franchise)" is typed "Toy Story"
            short = name_tokens(bare, self._lex)
            if short and short != words:
                forms.append((short, _SHORT_FORM))
        for form, penalty in list(forms):
            if len(form) > 1 and form[0] in self._lex.articles:
                forms.append((form[1:], penalty))
        return [(" ".join(f), p) for f, p in forms]

    def _spellings(self, title: str) -> frozenset[str]:
        plain = plain_words(title)
        first, _, rest = plain.partition(" ")
        return frozenset([plain, rest] if rest and first in self._lex.articles else [plain])

    def find(self, text: str) -> list[Mention]:
        """Items named in ``text``, in order of appearance, each at most once."""
        spans = span_tokens(text, self._lex)
        folded = fast_fold(text)
        words = [folded[s:e] for s, e, _ in spans]
        found: list[_Found] = []
        for i, (_, _, first) in enumerate(spans):
            if not first:
                continue  # no title starts with a dropped word ("and", "part")
            parts: list[str] = []
            for j in range(i, min(len(spans), i + self._max)):
                if not spans[j][2]:
                    continue
                parts.append(spans[j][2])
                key = " ".join(parts)
                if key in self._by_key:
                    found.append(_Found(i, j, key, 0))
                elif (
                    j - i < _MAX_FUZZY_TOKENS
                    and self._may_be_typo(words[i : j + 1])
                    and self._anchored(parts)
                ):
                    # A year right after the span ("Blot (2008)") backs one more slip.
                    extra = 1 if _YEAR_AFTER.match(text[spans[j][1] : spans[j][1] + 9]) else 0
                    near = [kv for kv in self._fuzzy.near(key, extra) if self._slips_ok(key, kv[0])]
                    if near:
                        best = min(
                            near,
                            key=lambda kv: (kv[1], self._best_penalty[kv[0]], -self._pop[kv[0]]),
                        )
                        found.append(_Found(i, j, best[0], best[1]))
        chosen: list[tuple[int, int, int, tuple[int, ...]]] = []  # (item, start, end, others)
        taken: set[int] = set()
        for f in sorted(found, key=lambda f: (-f.weight, f.first)):
            if taken & set(range(f.first, f.last + 1)):
                continue
            hit = self._resolve(f, text, spans, words)
            if hit is not None:
                chosen.append(hit)
                taken.update(range(f.first, f.last + 1))
        chosen = self._cohere(chosen)
        out: list[Mention] = []
        seen: set[str] = set()
        for n, start, end, _ in sorted(chosen, key=lambda c: c[1]):
            item_id = self._ids[n]
            if item_id not in seen:
                seen.add(item_id)
                out.append(Mention(item_id, start, end, text[start:end]))
        return out

    def _cohere(
        self, chosen: list[tuple[int, int, int, tuple[int, ...]]]
    ) -> list[tuple[int, int, int, tuple[int, ...]]]:
        """A title several films share, said without a year beside titles that are not shared,
        is the film of their time unless the other is far better known: "Ocean's Eleven and The
        Italian Job" is the 2003 Italian Job (people name films of one era together), and
        "Scream and Halloween" stays the much-mentioned 1978 Halloween."""
        years = [self._years[n] for n, _, _, others in chosen if not others]
        known = [y for y in years if y is not None]
        if not known:
            return chosen
        era = float(statistics.median(known))

        def fit(n: int) -> float:
            year = self._years[n]
            gap = abs(year - era) / _ERA_YEARS if year is not None else 1.0
            return math.log1p(self._mentions.get(self._ids[n], 0.0)) - gap

        out = []
        for n, start, end, others in chosen:
            if others:
                n = max((n, *others), key=fit)
            out.append((n, start, end, others))
        return out

    def _anchored(self, parts: Sequence[str]) -> bool:
        """A typo leaves a longer title's first or last word whole: a span of several words is
        looked up only when it starts as some title starts, or ends as some title ends."""
        content = [w for w in parts if w not in self._lex.articles]
        return len(content) < 2 or content[0] in self._starts or content[-1] in self._ends

    def _may_be_typo(self, words: Sequence[str]) -> bool:
        """Only spans that start (after an article) and end on a content word are looked up
        with typos."""
        common = pack().reader.common_words
        first = words[1] if len(words) > 1 and words[0] in self._lex.articles else words[0]
        if len(words) < _LONG_SPAN and (first in self._stop or words[-1] in self._stop):
            return False  # ("I Now Pronounce You Chuck & Larry" is long enough to tell)
        if len(words) == 1 and words[0] in self._lex.words:
            return False  # a real word ("silly"), not a slip of a title ("Sully")
        return not all(w in common for w in words)

    def _slips_ok(self, typed: str, key: str) -> bool:
        """A plural is not a typo of an everyday word ("sad movies" is not "Sad Movie"), and in
        a short span a real word is not a typo ("the past" is not "The Post")."""
        common = pack().reader.common_words
        a, b = typed.split(), key.split()
        if len(a) != len(b):
            return not all(w in common for w in b)
        pairs = list(zip(a, b, strict=True))
        if any(x != y and y in common and _plural(x, y) for x, y in pairs):
            return False
        return len(a) >= _LONG_SPAN or all(
            x == y or self._lex.typo_of(x, y) or _plural(x, y) for x, y in pairs
        )

    def _resolve(
        self, f: _Found, text: str, spans: Sequence[tuple[int, int, str]], words: Sequence[str]
    ) -> tuple[int, int, int, tuple[int, ...]] | None:
        """(item position, start, end, the other films equally well spelled when no year
        chose) for a span, or None when it should not link."""
        start, end = spans[f.first][0], spans[f.last][1]
        year_match = _YEAR_AFTER.match(text[end : end + 9])
        year = int(year_match.group(1)) if year_match else None
        surface = text[start:end]
        n_words = f.last - f.first + 1
        typed = list(words[f.first : f.last + 1])
        if year is None and not self._plausible(
            typed if f.edits == 0 else f.key.split(),
            surface,
            text[:start],
            self._pop[f.key],
            text[end:],
        ):
            return None
        lower_word = f.key in self._capital_only and year is None and not surface[:1].isupper()
        if lower_word and (f.edits or len(f.key) < _LOWER_ALONE):
            return None  # "a small wood cabin", "thinking": words, not "The Wood"
        if (
            year is None
            and f.first > 0
            and words[f.first - 1] in _INDEFINITE
            and n_words <= 2
            and surface.islower()
            and not any(c.isdigit() for c in surface)
        ):
            return None  # "a tent", "a road bike": a kind of thing, not the item so titled
        if (
            n_words == 1
            and (surface.islower() or f.key in self._names)
            and _KIND_AFTER.match(text[end:])
        ):
            return None  # "a funny heist movie": a kind of film, not the film "Heist"
        candidates = self._by_key[f.key]
        if len(candidates) > 1:  # the title spelled as typed first, then the most popular
            spelled = plain_words(surface)
            candidates = sorted(
                candidates,
                key=lambda n: min(OSA.distance(spelled, s) for s in self._spelled[n]),
            )
        chosen = next((n for n in candidates if year and self._years[n] == year), None)
        if chosen is None and year and all(self._years[n] is not None for n in candidates):
            # A year that matches none of the films of that title: nearest year wins.
            chosen = min(candidates, key=lambda n: abs((self._years[n] or 0) - year))
        end += year_match.end() if year_match else 0
        if chosen is not None:
            return chosen, start, end, ()
        spelled = plain_words(surface)
        best = min(OSA.distance(spelled, s) for s in self._spelled[candidates[0]])
        same = tuple(
            n
            for n in candidates[1:]
            if min(OSA.distance(spelled, s) for s in self._spelled[n]) == best
        )
        return candidates[0], start, end, same

    @staticmethod
    def _plausible(
        words: list[str], surface: str, before: str, popularity: float, after: str = ""
    ) -> bool:
        """May these words, with no year after them, be the title they spell?

        "It", "Up", "the end", "D": only with a capital letter, not at a sentence start, right
        after a word that names a film ("seen It", "loved Up"). A title of several everyday
        words ("Get Out", "Anything Else") also in lower case when people talk about it
        (``popularity``): "anything else?" is a question, not a film; never when it ends on a
        kind of film: "a scary movie" is not "Scary Movie".
        """
        common = pack().reader.common_words
        names = pack().names
        significant = [w for w in words if w not in names.articles]
        everyday = all(w in common for w in words)
        short = len(words) == 1 and len(words[0]) < _SHORT_WORD
        cue = before.split()[-1].lower() if before.split() else ""
        following = after.split()[0].lower().strip(".,!?") if after.split() else ""
        if (
            surface.islower()
            and surface.split()[0] in _INDEFINITE_ARTICLES
            and cue in pack().reader.topics.about
        ):
            return False  # "a movie about a haunted house": what it is about, no title
        if len(words) == 1 and surface.islower() and words[0] not in common:
            if words[0] in pack().reader.stop_words:
                return False  # "like to watch": a function word, never the film "To"
            if following in names.verb_particles and cue not in names.title_cues:
                return False  # "my girlfriend freaks out easily": a verb, not the film Freaks
            if words[0] in names.words:
                # A frequent word typed in lower case is a word ("a rainy sunday"), unless a
                # title's cue comes right before it ("i loved frozen", "moana and frozen") and
                # no object after it makes it a verb ("and loved it").
                return cue in names.title_cues and following not in names.verb_objects
        if not everyday and not short:
            return True
        if surface.istitle() and following in names.series_words and cue in names.articles:
            return True  # "I've had it with the Saw franchise" (not "War films please")
        described = (
            bool(significant) and significant[-1] in _KIND_WORDS
        )  # "Scary Movie": "a scary movie"
        if len(significant) > 1 and popularity >= _KNOWN and not described:
            return True
        mid_sentence = bool(before.strip()) and before.rstrip()[-1] not in ".!?:;\"'("
        return (
            mid_sentence
            and surface.istitle()
            and not surface.isupper()
            and cue in pack().names.title_cues
        )

    @functools.cached_property
    def latest_year(self) -> int | None:
        """The newest year of the catalogue's items, where any has one."""
        return max((y for y in self._years if y is not None), default=None)

    def year(self, item_id: str) -> int | None:
        """The year of an item, where the catalogue gives one."""
        if not hasattr(self, "_year_of"):
            self._year_of = dict(zip(self._ids, self._years, strict=True))
        return self._year_of.get(item_id)

    def title(self, item_id: str) -> str:
        return self._titles_of.get(item_id, item_id)

    def link_titles(self, titles: Iterable[str]) -> list[str]:
        """Ids for titles written by the LLM ("Super Troopers (2001)"); unknown titles dropped."""
        out: list[str] = []
        for title in titles:
            # A whole string given as a title is one, even of everyday words ("The Help").
            year = _YEAR_AT_END.search(title)
            key = " ".join(name_tokens(title[: year.start()] if year else title, self._lex))
            candidates = self._by_key.get(key, [])
            typed = int(year.group(1)) if year else None
            chosen = next((n for n in candidates if typed and self._years[n] == typed), None)
            if candidates:
                item_id = self._ids[candidates[0] if chosen is None else chosen]
            else:  # a typo, perhaps: the whole string, not a title inside it
                found = self.find(title if "(" in title else title.title())
                whole = [m for m in found if m.start == 0 and m.end >= len(title.strip()) - 1]
                item_id = whole[0].item_id if whole else ""
            if item_id and item_id not in out:
                out.append(item_id)
        return out


def _plural(a: str, b: str) -> bool:
    """One word is the other with a plural ending."""
    return a in (b + "s", b + "es") or b in (a + "s", a + "es") or stem(a) == stem(b)


# After a one-word title written in lower case, these make it a description ("heist movie").
_KIND_WORDS = frozenset(w + s for w in pack().reader.title_kind_words for s in ("", "s"))
_KIND_AFTER = re.compile(
    r"\s+(?:" + "|".join(pack().reader.title_kind_words) + r")s?\b",
    re.IGNORECASE,
)


# A qualifier in brackets after a title ("Toy Story (franchise)", "Heat (film)").
_QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")

# Words before a short title that make it a common noun ("a laptop") rather than a title.
_INDEFINITE = pack().reader.title_indefinite
_INDEFINITE_ARTICLES = frozenset({"a", "an"})
