"""Magpie: a conversational, multimodal recommender.

A turn flows through one module per stage: ``understand`` (text, photos, voice) ->
``profile`` (preferences) -> ``retrieval`` (Chroma, BM25, co-occurrence) -> ``scoring``
(fusion + MMR) -> ``explain`` (grounded reasons) -> ``feedback``; ``pipeline`` wires them.
Importing this package loads no model library.
"""

from recommender.config import Settings, load_settings
from recommender.errors import MagpieError
from recommender.schemas import CatalogRow, Item, Profile, ScoredItem, Session, TurnResult

__all__ = [
    "CatalogRow",
    "Item",
    "MagpieError",
    "Profile",
    "ScoredItem",
    "Session",
    "Settings",
    "TurnResult",
    "load_settings",
]

__version__ = "0.1.0"
