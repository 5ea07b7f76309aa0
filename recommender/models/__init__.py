"""Heavy models behind small interfaces.

``base`` holds the protocols (one required method each) and imports nothing heavy; each
adapter module imports its library (torch, transformers, sentence-transformers, whisper,
llama-cpp) inside, with an install hint. ``registry.Models`` holds the four models of a
process; ``real_models`` loads each from its setting (preset, path or hub id), once.
"""

from recommender.models.base import ChatLLM, ImageEncoder, TextEmbedder, Transcriber
from recommender.models.registry import Models, real_models

__all__ = ["ChatLLM", "ImageEncoder", "Models", "TextEmbedder", "Transcriber", "real_models"]
