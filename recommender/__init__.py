"""Magpie: a conversational, multimodal recommender.

A turn flows through one folder per stage: ``read`` (text, photos, voice note -> a typed
``Reading``) -> ``profile`` (the reading folded into the preference profile) -> ``rank``
(constraints, retrieval from Chroma, BM25 and co-mentions, fusion + MMR) -> ``reply`` (grounded
reasons, in the person's language); ``pipeline`` wires them and emits typed events, ``app`` is the
page over it, ``catalogue`` what is ranked, ``models`` the only home of model libraries. Feedback
(👍/👎, "more like #2") is the next turn's reading. Importing this package loads no model library.
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
