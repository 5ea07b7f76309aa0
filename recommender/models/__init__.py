"""Heavy models behind small interfaces.

``base`` holds the protocols (one required method each) and imports nothing heavy; each
adapter module imports its library (torch, transformers, sentence-transformers, whisper,
llama-cpp) inside, with an install hint. ``load_*`` in ``registry`` turn a setting (preset,
path or hub id) into a loaded model, once per process.
"""

from .base import ChatLLM, ImageEncoder, TextEmbedder, Transcriber

__all__ = ["ChatLLM", "ImageEncoder", "TextEmbedder", "Transcriber"]
