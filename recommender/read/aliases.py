"""Titles written in another script: "有没有像《盗梦空间》那样烧脑的电影" names Inception.

A catalogue folder may hold ``titles-<code>.tsv`` files (first column the item id, the others
that item's titles in another script: the movies' Chinese titles, mainland, Taiwan and Hong
Kong). Before a message is glossed into English, each alias in it becomes the catalogue's own
title, so the title linker finds it as it finds a typed English title, and the reader reads the
rest of the message around it. An alias shared by several items goes to the most popular.

>>> a = TitleAliases({"盗梦空间": "in", "她": "her"}, {"in": "Inception", "her": "Her"})
>>> a.translate("有没有像《盗梦空间》那样烧脑的电影")
'有没有像《 Inception 》那样烧脑的电影'
>>> a.translate("她说想看喜剧"), a.translate("看过《她》吗")  # one character: marked titles only
('她说想看喜剧', '看过《 Her 》吗')
>>> b = TitleAliases({"超级英雄": "sm"}, {"sm": "Superhero Movie"})  # also an everyday word
>>> b.translate("超级英雄电影"), b.translate("《超级英雄》")
('超级英雄电影', '《 Superhero Movie 》')
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

from recommender.languages import CODES, DEFAULT, pack

__all__ = ["TitleAliases", "read_aliases"]

# Shorter aliases are everyday words too ("她", her; "爱情", love): taken only inside title marks.
_MIN_BARE = 3
_MARKS = {"《": "》", "〈": "〉", "「": "」", "『": "』", "“": "”", '"': '"'}


class TitleAliases:
    """Aliases (text in another script) -> the catalogue's titles."""

    def __init__(self, aliases: Mapping[str, str], titles: Mapping[str, str]) -> None:
        self._title = {alias: titles[i] for alias, i in aliases.items() if i in titles and alias}
        # An alias that is an everyday word of a glossed language ("超级英雄", superhero, is
        # also the Chinese title of "Superhero Movie") is a title only inside title marks.
        words = {w for code in CODES if code != DEFAULT for w in pack(code).gloss.words}
        self._marked_only = {
            a
            for a in self._title
            if a in words or a.removesuffix("电影").removesuffix("片") in words
        }
        by_first: dict[str, list[str]] = defaultdict(list)
        for alias in self._title:
            by_first[alias[0]].append(alias)
        self._by_first = {c: sorted(a, key=len, reverse=True) for c, a in by_first.items()}

    def __len__(self) -> int:
        return len(self._title)

    def translate(self, text: str) -> str:
        """``text`` with each alias replaced by its catalogue title, longest first."""
        if not self._title:
            return text
        out, i = [], 0
        while i < len(text):
            found = self._alias_at(text, i)
            if found:
                out.append(f" {self._title[found]} ")
                i += len(found)
            else:
                out.append(text[i])
                i += 1
        return "".join(out)

    def _alias_at(self, text: str, i: int) -> str | None:
        for alias in self._by_first.get(text[i], ()):
            if not text.startswith(alias, i):
                continue
            if len(alias) >= _MIN_BARE and alias not in self._marked_only:
                return alias
            before = text[i - 1] if i else ""
            after = text[i + len(alias)] if i + len(alias) < len(text) else ""
            if before in _MARKS and _MARKS[before] == after:
                return alias
        return None


def read_aliases(folder: Path | None, popularity: Mapping[str, float]) -> dict[str, str]:
    """alias -> item id, from a catalogue folder's ``titles-*.tsv`` (an alias two items share
    goes to the more popular)."""
    if folder is None:
        return {}
    best: dict[str, tuple[float, str]] = {}
    for path in sorted(folder.glob("titles-*.tsv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows = csv.reader(handle, delimiter="\t")
            next(rows, None)  # the header
            for row in rows:
                if not row:
                    continue
                item = row[0]
                for alias in {a.strip() for a in row[1:] if a.strip()}:
                    rank = (popularity.get(item, 0.0), item)
                    if alias not in best or rank > best[alias]:
                        best[alias] = rank
    return {alias: item for alias, (_, item) in best.items()}
