"""The ranking's signals, each declared once: its name, default weight and what it measures.

A signal is computed per candidate in ``rank.retrieval.Retriever``, weighted in
``rank.scoring.fuse`` (these default weights, then a catalogue's ``fusion.json``), shown in every
item's score breakdown and on a card under its label (``signal.<name>`` in each language's
``ui.toml``), and switched off one at a time by ``magpie eval crs`` ablations. ``Signal`` is a
``StrEnum``: a member equals its plain name, so JSON weight files and breakdowns keep reading
``"text"``, ``"keyword"``...

>>> Signal.TEXT == "text", {"text": 1.0}[Signal.TEXT], Signal.COLLAB.weight
(True, 1.0, 0.8)
>>> [s.value for s in Signal if s.content][:3], Signal.NOVELTY.tuned
(['text', 'keyword', 'topic'], False)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["DEFAULT_WEIGHTS", "Declared", "Signal"]


@dataclass(frozen=True)
class Declared:
    weight: float  # the hand-set starting weight; `magpie eval crs` can learn better ones
    about: str  # what it measures
    # It reads what the person asked for (a profile with none of these is chit-chat).
    content: bool = False
    # Its weight is learned on a text-only dialogue set: image (no photos), novelty (items shown
    # before, which exclude-seen removes anyway) and feedback (a promise to the person, not a
    # fit to ReDial, whose few dislikes once tuned it to 0) keep their declared weights.
    tuned: bool = False
    # A template reason may say it ("often enjoyed by people who liked X"): reason.<name>.
    reason: bool = True


class Signal(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    KEYWORD = "keyword"
    TOPIC = "topic"
    COOCCUR = "cooccur"
    COLLAB = "collab"
    DIALOGUES = "dialogues"
    LIKED_SIM = "liked_sim"
    PEOPLE = "people"
    ATTRIBUTE = "attribute"
    FEEDBACK = "feedback"
    POPULARITY = "popularity"
    NOVELTY = "novelty"
    SHUN = "shun"
    REFUSED_KIND = "refused_kind"

    @property
    def declared(self) -> Declared:
        return _DECLARED[self]

    @property
    def weight(self) -> float:
        return self.declared.weight

    @property
    def content(self) -> bool:
        return self.declared.content

    @property
    def tuned(self) -> bool:
        return self.declared.tuned

    @property
    def label_key(self) -> str:
        """Its name on a card, in ui.toml ("matched on liked sim")."""
        return f"signal.{self.value}"


_DECLARED = {
    Signal.TEXT: Declared(
        1.0, "dense similarity of the profile query to the item text", content=True, tuned=True
    ),
    # The most specific evidence: the person showed what they mean.
    Signal.IMAGE: Declared(2.0, "visual similarity to the reference photos"),
    Signal.KEYWORD: Declared(0.5, "BM25 over item text", content=True, tuned=True),
    Signal.TOPIC: Declared(
        0.7,
        "BM25 of the topics (what the item is to be about: 'chess', 'car chases') over item text",
        content=True,
        tuned=True,
    ),
    Signal.COOCCUR: Declared(
        0.8, "co-mentions / co-ratings with liked items", content=True, tuned=True
    ),
    Signal.COLLAB: Declared(
        0.8,
        "learned item-item weights (EASE, collab.json) from liked items",
        content=True,
        tuned=True,
    ),
    Signal.DIALOGUES: Declared(
        0.7,
        "votes of the earlier conversations whose words are nearest the query (dialogues.json)",
        content=True,
        tuned=True,
    ),
    Signal.LIKED_SIM: Declared(0.6, "dense similarity to liked items", content=True, tuned=True),
    # Chosen on ReDial's fit half, fold by fold, with the other weights fixed: R@10 0.1755 at
    # 0, 0.1778 at 0.2, 0.1783 at 0.3 (no fold lost), 0.1755 at 0.5 (docs/evaluation.md,
    # "Sixth round").
    Signal.PEOPLE: Declared(
        0.3,
        "people (director, cast: the catalogue's link_fields) shared with liked items",
        content=True,
        tuned=True,
        reason=False,
    ),
    Signal.ATTRIBUTE: Declared(
        0.6, "share of the wanted words the item carries", content=True, tuned=True
    ),
    Signal.FEEDBACK: Declared(0.8, "minus the similarity to thumbs-down items"),
    Signal.POPULARITY: Declared(
        0.1, "a weak prior, damped for items without the wanted words", tuned=True
    ),
    Signal.NOVELTY: Declared(0.3, "not shown in the last turns", reason=False),
    # Small: a refused describing word ("nothing too violent") re-orders what was asked for;
    # it does not outweigh it (at the weight of feedback it filled the heist example's list
    # with romantic comedies, the least violent comedies of the decade).
    Signal.SHUN: Declared(
        0.15,
        "minus the similarity to refused describing words ('nothing too violent')",
        reason=False,
    ),
    # The same refusal by the catalogue's own words (``spec.describing``: "violent" -> horror,
    # war, slasher...): a film of such a kind goes down by about a strong wanted word's weight,
    # enough to leave the top of the list, not enough to outweigh what was asked for.
    Signal.REFUSED_KIND: Declared(
        0.5,
        "minus the kinds the catalogue gives a refused describing word ('violent': war, horror)",
        reason=False,
    ),
}

DEFAULT_WEIGHTS: dict[str, float] = {s.value: s.weight for s in Signal}
