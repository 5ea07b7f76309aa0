"""The vector store: Chroma collections holding our own vectors, one per catalogue and modality.

The only module that imports chromadb. Embedded (``PersistentClient`` under the data folder)
by default; a Chroma server (``HttpClient``) when ``chroma_host`` is set, so several app
processes can share one index. Chroma never embeds anything itself: every collection is made
with ``embedding_function=None`` and receives vectors we computed, so its downloading default
model is never touched.

Each item's validated row is stored beside its vector (metadata ``row``, JSON), so a catalogue
can be loaded back from the index alone; ``hash`` identifies what the vector was made from
(row content + model name), which makes ingestion idempotent and resumable.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from recommender.errors import IndexError_
from recommender.schemas import CatalogRow, Item

if TYPE_CHECKING:
    from recommender.config import Settings

__all__ = ["MODALITIES", "Loaded", "VectorIndex", "collection_name"]

log = logging.getLogger(__name__)

MODALITIES = ("text", "image")
_SEP = "__"  # collection name = catalogue + _SEP + modality; catalogue names never contain it
_GET_PAGE = 5_000  # Chroma's get() is paged: large catalogues load in pieces
_UPSERT_MAX = 4_000  # below Chroma's max batch size (5,461 on SQLite builds)


def collection_name(catalog: str, modality: str) -> str:
    """``movies`` + ``text`` -> ``movies__text`` (Chroma allows [a-zA-Z0-9._-], 3-512 chars)."""
    if modality not in MODALITIES:
        raise ValueError(f"unknown modality {modality!r}")
    return f"{catalog}{_SEP}{modality}"


@dataclass(frozen=True)
class Loaded:
    """A catalogue read back from the index, rows aligned with the text vectors."""

    items: list[Item]
    text: np.ndarray  # (n, d) float32
    image_ids: list[str]  # ids that have a photo vector
    image: np.ndarray  # (m, d2) float32, aligned with image_ids
    text_model: str  # the embedder that made ``text``
    image_model: str  # the image model that made ``image`` ('' when none)


class VectorIndex:
    """Chroma, seen as: which catalogues exist, what is stored, upsert, load, nearest ids."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: Any = None
        self._lock = threading.Lock()
        self._collections: dict[str, Any] = {}

    # ---- connection -------------------------------------------------------------------

    @property
    def client(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client = self._connect()
            return self._client

    def _connect(self) -> Any:
        try:
            import chromadb
            from chromadb.config import Settings as ChromaSettings
        except ImportError as e:  # pragma: no cover - chromadb is a hard dependency
            raise IndexError_("chromadb is not installed: pip install chromadb") from e
        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        s = self.settings
        try:
            if s.chroma_host:
                log.info("connecting to the Chroma server at %s:%d", s.chroma_host, s.chroma_port)
                return chromadb.HttpClient(
                    host=s.chroma_host, port=s.chroma_port, settings=chroma_settings
                )
            path = Path(s.data_dir) / "chroma"
            path.mkdir(parents=True, exist_ok=True)
            return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        except Exception as e:  # chroma raises many kinds; all mean "no store"
            where = f"{s.chroma_host}:{s.chroma_port}" if s.chroma_host else str(s.data_dir)
            raise IndexError_(f"cannot open the vector store at {where}: {e}") from e

    def _collection(
        self, catalog: str, modality: str, create: bool = False, meta: dict[str, Any] | None = None
    ) -> Any:
        name = collection_name(catalog, modality)
        cached = self._collections.get(name)
        if cached is not None:
            return cached
        try:
            if create:
                collection = self.client.get_or_create_collection(
                    name,
                    embedding_function=None,
                    metadata=meta or None,
                    configuration={"hnsw": {"space": "cosine"}},
                )
            else:
                collection = self.client.get_collection(name, embedding_function=None)
        except Exception as e:
            if not create:
                return None
            raise IndexError_(f"cannot open collection {name}: {e}") from e
        self._collections[name] = collection
        return collection

    # ---- what is there ----------------------------------------------------------------

    def catalogs(self) -> list[str]:
        """Catalogues that have a text collection."""
        try:
            names = [c if isinstance(c, str) else c.name for c in self.client.list_collections()]
        except IndexError_:
            raise
        except Exception as e:
            raise IndexError_(f"cannot list the vector store: {e}") from e
        suffix = _SEP + "text"
        return sorted(n[: -len(suffix)] for n in names if n.endswith(suffix))

    def model_of(self, catalog: str, modality: str) -> str | None:
        """The model name recorded on a collection, or None when it does not exist."""
        collection = self._collection(catalog, modality)
        if collection is None:
            return None
        return str((collection.metadata or {}).get("model", ""))

    def hashes(self, catalog: str, modality: str) -> dict[str, str]:
        """id -> content hash of everything stored (empty when the collection does not exist)."""
        collection = self._collection(catalog, modality)
        if collection is None:
            return {}
        out: dict[str, str] = {}
        for page in self._pages(collection, include=["metadatas"]):
            for item_id, meta in zip(page["ids"], page["metadatas"], strict=True):
                out[item_id] = str((meta or {}).get("hash", ""))
        return out

    def state(self, catalog: str) -> tuple[bool, str]:
        """(complete, generation) of a catalogue, read afresh from the store (another process,
        ``magpie ingest`` or a second app on a Chroma server, may have written since).

        ``complete`` is False while an ingest runs and after one was interrupted; ``generation``
        changes with every ingest that wrote something. A collection from before these marks
        counts as complete.
        """
        try:
            collection = self.client.get_collection(
                collection_name(catalog, "text"), embedding_function=None
            )
        except IndexError_:
            raise
        except Exception:
            return False, ""
        meta = collection.metadata or {}
        return bool(meta.get("complete", True)), str(meta.get("generation", ""))

    def mark(self, catalog: str, complete: bool, new_generation: bool = True) -> str:
        """Mark the catalogue's text collection (in)complete; completing starts a new
        generation unless nothing was written. Written first (False) and last (True) by an
        ingest that changes anything."""
        import uuid

        collection = self._collection(catalog, "text")
        if collection is None:
            return ""
        meta = dict(collection.metadata or {})
        meta["complete"] = complete
        if complete and (new_generation or not meta.get("generation")):
            meta["generation"] = uuid.uuid4().hex
        try:
            collection.modify(metadata=meta)
        except Exception as e:
            raise IndexError_(f"could not mark {collection_name(catalog, 'text')}: {e}") from e
        return str(meta.get("generation", ""))

    def count(self, catalog: str, modality: str) -> int:
        collection = self._collection(catalog, modality)
        return 0 if collection is None else int(collection.count())

    # ---- writing ----------------------------------------------------------------------

    def prepare(self, catalog: str, modality: str, model: str, dim: int) -> bool:
        """Make sure the collection exists for ``model``; a different model's collection is dropped.

        Returns True when an old collection made by another model was dropped (all re-embedded).
        """
        name = collection_name(catalog, modality)
        existing = self.model_of(catalog, modality)
        dropped = False
        if existing is not None and existing != model:
            log.warning(
                "%s was embedded with %r, now %r: re-embedding everything", name, existing, model
            )
            self.drop(catalog, modality)
            dropped = True
        self._collection(
            catalog,
            modality,
            create=True,
            # A new collection is incomplete until its ingest marks it so (``mark``).
            meta={
                "catalog": catalog,
                "modality": modality,
                "model": model,
                "dim": dim,
                "complete": False,
            },
        )
        return dropped

    def upsert(
        self,
        catalog: str,
        modality: str,
        ids: Sequence[str],
        vectors: np.ndarray,
        rows: Sequence[CatalogRow],
        hashes: Sequence[str],
        images: Sequence[str | None] = (),
    ) -> None:
        collection = self._collection(catalog, modality, create=True)
        images = list(images) or [None] * len(ids)
        for start in range(0, len(ids), _UPSERT_MAX):
            end = start + _UPSERT_MAX
            metadatas = [
                {"hash": h, "row": row.model_dump_json(exclude_none=True), "image": image or ""}
                for h, row, image in zip(
                    hashes[start:end], rows[start:end], images[start:end], strict=True
                )
            ]
            try:
                collection.upsert(
                    ids=list(ids[start:end]),
                    embeddings=np.asarray(vectors[start:end], dtype=np.float32),
                    metadatas=metadatas,
                    documents=[row.title for row in rows[start:end]],
                )
            except Exception as e:
                raise IndexError_(
                    f"could not write to {collection_name(catalog, modality)}: {e}"
                ) from e

    def delete(self, catalog: str, modality: str, ids: Sequence[str]) -> None:
        collection = self._collection(catalog, modality)
        if collection is not None and ids:
            for start in range(0, len(ids), _UPSERT_MAX):
                collection.delete(ids=list(ids[start : start + _UPSERT_MAX]))

    def drop(self, catalog: str, modality: str | None = None) -> None:
        """Delete a catalogue's collection(s)."""
        for m in [modality] if modality else list(MODALITIES):
            name = collection_name(catalog, m)
            self._collections.pop(name, None)
            try:
                self.client.delete_collection(name)
            except Exception:  # not there: nothing to drop
                log.debug("no collection %s to drop", name)

    # ---- reading ----------------------------------------------------------------------

    def load(self, catalog: str) -> Loaded:
        """Every item of a catalogue with its vectors, in a stable (id) order."""
        text = self._collection(catalog, "text")
        if text is None:
            raise IndexError_(f"catalogue {catalog!r} is not in the index; run: magpie ingest")
        ids, vectors, items = [], [], []
        for page in self._pages(text, include=["embeddings", "metadatas"]):
            for item_id, vector, meta in zip(
                page["ids"], page["embeddings"], page["metadatas"], strict=True
            ):
                ids.append(item_id)
                vectors.append(vector)
                items.append(_item(meta))
        order = np.argsort(np.array(ids, dtype=object), kind="stable") if ids else np.arange(0)
        items = [items[i] for i in order]
        text_vectors = (
            np.asarray(vectors, dtype=np.float32)[order] if ids else np.zeros((0, 1), np.float32)
        )

        image_ids: list[str] = []
        image_vectors: list[Any] = []
        image = self._collection(catalog, "image")
        if image is not None:
            for page in self._pages(image, include=["embeddings"]):
                image_ids.extend(page["ids"])
                image_vectors.extend(page["embeddings"])
        image_array = (
            np.asarray(image_vectors, dtype=np.float32)
            if image_ids
            else np.zeros((0, 1), np.float32)
        )
        return Loaded(
            items,
            text_vectors,
            image_ids,
            image_array,
            self.model_of(catalog, "text") or "",
            self.model_of(catalog, "image") or "",
        )

    def query(
        self, catalog: str, modality: str, vector: np.ndarray, k: int
    ) -> list[tuple[str, float]]:
        """The ``k`` nearest ids by cosine distance (HNSW, approximate)."""
        collection = self._collection(catalog, modality)
        if collection is None:
            return []
        k = min(k, int(collection.count()))
        if k <= 0:
            return []
        try:
            result = collection.query(
                query_embeddings=[np.asarray(vector, dtype=np.float32)],
                n_results=k,
                include=["distances"],
            )
        except Exception as e:
            raise IndexError_(f"search failed in {collection_name(catalog, modality)}: {e}") from e
        return list(zip(result["ids"][0], (float(d) for d in result["distances"][0]), strict=True))

    @staticmethod
    def _pages(collection: Any, include: list[str]) -> Any:
        offset = 0
        while True:
            page = collection.get(include=include, limit=_GET_PAGE, offset=offset)
            if not page["ids"]:
                return
            yield page
            offset += len(page["ids"])


def _item(meta: dict[str, Any] | None) -> Item:
    meta = meta or {}
    row = CatalogRow.model_validate(json.loads(str(meta.get("row", "{}"))))
    return Item.from_row(row, str(meta.get("image") or "") or None)
