"""Shared fixtures: small deterministic fakes that still mean something.

``HashEmbedder`` embeds words by hashing them into a fixed number of buckets, so texts that
share words are close and a ranking test can assert a real order. ``ScriptedLLM`` replays
text (or fails) so the explanation and profile paths run without weights. Tests that load the
real models are marked ``models``; they run in CI too.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from recommender.catalogue.spec import CatalogSpec
from recommender.config import load_settings
from recommender.errors import LLMError

ROOT = Path(__file__).resolve().parent.parent
# The shared evaluation data (ReDial, Tux Paint, Vendure): beside the clone by default.
SHARED = Path(os.environ.get("MAGPIE_SHARED_DATA") or ROOT.parent / "shared" / "data")


def missing(what: str) -> None:
    """A system tool a test needs is absent: skipped on a developer's machine, a failure in CI
    (``make test`` installs it, so its absence there is a broken setup)."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} (CI must install it: scripts/system-deps.sh)")
    pytest.skip(what)


def needs(tool: str) -> pytest.MarkDecorator:
    """Skip when a system tool is absent, except in CI, where the test runs (and fails)."""
    return pytest.mark.skipif(
        shutil.which(tool) is None and not os.environ.get("CI"),
        reason=f"{tool} is not installed (scripts/system-deps.sh installs it)",
    )


def shared(name: str) -> Path:
    """One shared data set; the test is skipped (saying where it looked) when it is absent."""
    path = SHARED / name
    if not path.is_dir():
        pytest.skip(f"the {name} data set is not at {path} (set MAGPIE_SHARED_DATA)")
    return path


class HashEmbedder:
    """Bag of words hashed into ``dim`` buckets, L2-normalised."""

    name = "hash-embedder"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z0-9]+", text.lower()):
                word = word[:-1] if len(word) > 3 and word.endswith("s") else word
                bucket = int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim
                out[row, bucket] += 1.0
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
        return out


class ScriptedLLM:
    """Streams a fixed reply word by word; ``json_reply`` answers schema-constrained calls."""

    name = "scripted"

    def __init__(
        self, reply: str = "", json_reply: dict[str, Any] | str | None = None, fail: bool = False
    ) -> None:
        self.reply = reply
        self.json_reply = json_reply
        self.fail = fail
        self.calls: list[list[dict[str, str]]] = []

    def stream(
        self,
        messages: Sequence[dict[str, str]],
        *,
        max_tokens: int = 256,
        temperature: float = 0.2,
        json_schema: dict[str, Any] | None = None,
    ) -> Iterator[str]:
        self.calls.append(list(messages))
        if self.fail:
            raise LLMError("scripted failure")
        if json_schema is not None:
            reply = self.json_reply if self.json_reply is not None else {}
            text = reply if isinstance(reply, str) else json.dumps(reply, ensure_ascii=False)
            for start in range(0, len(text), 7):  # in pieces, as a model streams
                yield text[start : start + 7]
            return
        for word in re.split(r"(\s+)", self.reply):
            if word:
                yield word


@pytest.fixture
def settings(tmp_path):
    return load_settings(
        env={},
        data_dir=str(tmp_path / "data"),
        cache_dir=str(tmp_path / "cache"),
        llm_backend="none",
    )


@pytest.fixture
def embedder():
    return HashEmbedder()


def write_jsonl(path: Path, rows: Sequence[dict[str, Any] | str]) -> Path:
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8"
    )
    return path


def movie_spec(name: str = "movies", folder: Path | None = None):
    """The bundled movies catalogue's spec (vocabulary, synonyms, card attributes) under another
    name and folder: in-memory test catalogues read words as the real one does."""
    from recommender.catalogue.spec import read_spec

    return read_spec(ROOT / "assets" / "movies").model_copy(update={"name": name, "folder": folder})


# A films catalogue's spec for in-memory test items: genres and fine genres (tags) are its kinds,
# as in the bundled movies catalogue.
FILM_SPEC = CatalogSpec(name="films", kind_fields=("genres", "tags"))


def engine(
    settings,
    items: Sequence[Any],
    spec: Any = None,
    *,
    llm: Any = None,
    image: Any = None,
    speech: Any = None,
    embedder: Any = None,
):
    """The one engine builder of the tests: a ``Recommender`` over the in-memory catalogue of
    ``items`` (named by ``spec``: the movies catalogue's spec by default), embedded with the
    hashing embedder, with the given model fakes (none by default)."""
    from recommender.catalogue.catalogue import Catalogue
    from recommender.pipeline import Models, Recommender

    embedder = embedder or HashEmbedder()
    rec = Recommender(settings, Models(text=embedder, image=image, speech=speech, llm=llm))
    items = list(items)
    spec = spec or movie_spec("movies")
    rec.add_catalog(Catalogue.build(spec, items, embedder.embed([i.text() for i in items])))
    return rec


def write_wav(path: Path, samples: np.ndarray, rate: int = 16_000) -> Path:
    """16-bit mono PCM, samples in [-1, 1] (clipped)."""
    import wave

    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(rate)
        f.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def said(notices, lang: str = "en") -> list[str]:
    """Notices as the person reads them in ``lang`` (``strings.notice``)."""
    from recommender.reply.strings import notice

    return [notice(lang, n) for n in notices]
