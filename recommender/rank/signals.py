"""The names of the ranking signals, in one place.

A signal is computed per candidate in ``retrieval.Retriever``, weighted in ``scoring.fuse``
(weights from ``config.DEFAULT_WEIGHTS``, then a catalogue's ``fusion.json``), shown in every
item's score breakdown and switched off one at a time by ``magpie eval crs`` ablations.
``Signal`` is a ``StrEnum``: a member equals its plain name, so JSON weight files and
breakdowns keep reading ``"text"``, ``"keyword"``...

>>> Signal.TEXT == "text", {"text": 1.0}[Signal.TEXT]
(True, 1.0)
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Signal"]


class Signal(StrEnum):
    TEXT = "text"  # dense similarity of the profile query to the item text
    IMAGE = "image"  # visual similarity to the reference photos
    KEYWORD = "keyword"  # BM25 over item text
    COOCCUR = "cooccur"  # co-mentions / co-ratings with liked items
    COLLAB = "collab"  # learned item-item weights (EASE) from liked items
    LIKED_SIM = "liked_sim"  # dense similarity to liked items
    ATTRIBUTE = "attribute"  # share of the wanted words the item carries
    FEEDBACK = "feedback"  # minus the similarity to thumbs-down items
    POPULARITY = "popularity"  # a prior, damped for items without the wanted words
    NOVELTY = "novelty"  # not shown in the last turns
