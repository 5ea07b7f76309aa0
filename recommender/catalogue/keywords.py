"""BM25 keyword search over item texts (bm25s: sparse, fast at 100k items)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from recommender.text import keyword_tokens

__all__ = ["KeywordIndex"]


class KeywordIndex:
    """BM25 over item texts, tokenised by ``text.keyword_tokens``."""

    def __init__(self, texts: Sequence[str]) -> None:
        import bm25s

        # bm25s pins its logger at DEBUG on import; let the application's levels decide.
        logging.getLogger("bm25s").setLevel(logging.NOTSET)
        self._n = len(texts)
        self._bm25 = bm25s.BM25()
        self._vocab: dict[str, int] = {}
        if texts:  # bm25s cannot index nothing; an empty catalogue matches no word
            corpus = [keyword_tokens(t) or [""] for t in texts]
            self._bm25.index(corpus, show_progress=False)
            self._vocab = self._bm25.vocab_dict

    def knows(self, token: str) -> bool:
        """Whether some item's text has this token (a ``keyword_tokens`` word)."""
        return token in self._vocab

    def scores(self, text: str) -> np.ndarray:
        """BM25 score of every item for ``text`` (zeros when no word is known)."""
        ids = [self._vocab[t] for t in keyword_tokens(text) if t in self._vocab]
        if not ids:
            return np.zeros(self._n, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(ids), dtype=np.float32)
