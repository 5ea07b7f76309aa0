"""The catalogues of a process: which exist, and each one loaded once, on first use.

``Catalogues`` is the one owner of per-catalogue locks and of first-use ingestion: a bundled
catalogue missing from the index, or left incomplete by an interrupted ingest, is ingested
when first asked for (a Space's first start resumes where a killed one stopped), then read back
from Chroma into a frozen ``Catalogue``. One lock per catalogue, so turns on a loaded catalogue
never wait while another one builds. Every ``catalog_refresh_s`` a loaded catalogue's
generation is checked: when another process (``magpie ingest``, or a second app on the same
Chroma server) has completed an ingest since, the catalogue is read again.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from recommender.catalogue.catalogue import Catalogue
from recommender.catalogue.rows import photo_within
from recommender.catalogue.spec import CatalogSpec, find_specs
from recommender.errors import CatalogError, MagpieError

if TYPE_CHECKING:
    from recommender.catalogue.index import VectorIndex
    from recommender.config import Settings
    from recommender.models.base import ImageEncoder
    from recommender.models.registry import Models

__all__ = ["Catalogues"]

log = logging.getLogger(__name__)


class Catalogues:
    """Catalogues by name: known specs, loaded ``Catalogue``s, in-memory additions."""

    def __init__(
        self,
        settings: Settings,
        index: VectorIndex | None,
        models: Models,
        clock: Callable[[], float] = time.monotonic,  # when to check for changes (tests: fake)
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.index = index
        self.models = models
        self._loaded: dict[str, Catalogue] = {}
        self._lock = threading.Lock()  # guards the per-catalogue locks and the loaded dict
        self._locks: dict[str, threading.Lock] = {}
        self._generation: dict[str, str] = {}  # of the index, when each was read
        self._checked: dict[str, float] = {}  # when each generation was last compared

    def specs(self) -> dict[str, CatalogSpec]:
        """Every catalogue that can be opened: bundled folders and ingested ones."""
        specs = find_specs(self.settings)
        with self._lock:
            for name, loaded in self._loaded.items():
                specs.setdefault(name, loaded.spec)
        return specs

    def names(self) -> list[str]:
        names = set(self.specs())
        if self.index is not None:
            names |= set(self.index.catalogs())
        return sorted(names)

    def spec(self, name: str) -> CatalogSpec:
        """The spec of ``name`` (a catalogue only in the index gets defaults)."""
        loaded = self._loaded.get(name)
        if loaded is not None:
            return loaded.spec
        specs = self.specs()
        if name in specs:
            return specs[name]
        if self.index is not None and name in self.index.catalogs():
            return CatalogSpec.bare(name)
        known = ", ".join(self.names()) or "none"
        raise CatalogError(f"unknown catalogue {name!r} (known: {known})")

    def loaded(self, name: str) -> Catalogue | None:
        """The catalogue if it is already in memory (never builds anything)."""
        return self._loaded.get(name)

    def get(self, name: str, progress: bool = False) -> Catalogue:
        """The catalogue in memory; a bundled one missing from the index (or left incomplete
        by an interrupted ingest) is ingested first; a newer generation in the index is read."""
        found = self._loaded.get(name)
        if found is not None and not self._stale(name):
            return found
        with self._lock:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            if self._loaded.get(name) is not found:  # another thread loaded it meanwhile
                return self._loaded[name]
            if self.index is None:
                raise CatalogError(f"no index to load catalogue {name!r} from")
            if found is None:
                return self._load(name, self.spec(name), progress)
            try:  # a refresh: the catalogue.toml may have changed too
                catalogue = self._load(name, find_specs(self.settings).get(name, found.spec), False)
            except MagpieError as e:
                log.warning("keeping the loaded %s: reading it again failed: %s", name, e)
                return found
            log.info("%s changed in the index: %d items now", name, len(catalogue.items))
            return catalogue

    def _load(self, name: str, spec: CatalogSpec, progress: bool) -> Catalogue:
        """Read a catalogue from the index (ingesting it first when it is missing or was left
        incomplete); called under the catalogue's lock."""
        assert self.index is not None
        complete = name in self.index.catalogs() and self.index.state(name)[0]
        stale = complete and self.index.model_of(name, "text") != self.models.text.name
        if stale and spec.folder is not None:
            # Made by another text model (the setting changed, or an upgrade changed the
            # default): its vectors cannot answer this model's queries, so it is rebuilt.
            log.info("the %s index was made by another text model: rebuilding it", name)
            complete = False
        if not complete and name in self._loaded:
            return self._loaded[name]  # another process is writing it: serve what was read
        if not complete:
            if spec.folder is None:
                raise CatalogError(
                    f"catalogue {name!r} is being written or was left half-written, and its "
                    "folder is unknown: run magpie ingest on it again"
                )
            from recommender.catalogue.ingest import ingest

            log.info("building the %s index (first start, or resuming one)", name)
            ingest(spec, self.index, self.models.text, self._image_model(), progress=progress)
        _, generation = self.index.state(name)
        stored = self.index.load(name)
        items = stored.items
        if spec.folder is not None:  # the index is data, not a map of this machine's files
            items = [
                dataclasses.replace(i, image=photo_within(i.image, spec.folder)) for i in items
            ]
        catalogue = Catalogue.build(spec, items, stored.text, stored.image_ids, stored.image)
        if catalogue.dialogues is not None:  # shipped vectors may be another text model's
            talk = catalogue.dialogues.for_model(self.models.text)
            catalogue = dataclasses.replace(catalogue, dialogues=talk)
        with self._lock:
            self._loaded[name] = catalogue
            self._generation[name] = generation
            self._checked[name] = self.clock()
        return catalogue

    def _stale(self, name: str) -> bool:
        """Whether the index holds a newer complete generation than the one in memory; asks
        the store at most every ``catalog_refresh_s``."""
        every = self.settings.catalog_refresh_s
        if self.index is None or every <= 0 or name not in self._generation:
            return False  # in-memory catalogues (tests, evaluation) never change under us
        now = self.clock()
        if now - self._checked.get(name, 0.0) < every:
            return False
        self._checked[name] = now
        try:
            complete, generation = self.index.state(name)
        except MagpieError as e:
            log.warning("cannot check %s for changes: %s", name, e)
            return False
        return complete and generation != self._generation[name]

    def add(self, catalogue: Catalogue) -> None:
        """Register an in-memory catalogue (tests, benchmarks, evaluation)."""
        with self._lock:
            self._loaded[catalogue.name] = catalogue
            self._generation.pop(catalogue.name, None)

    def _image_model(self) -> ImageEncoder | None:
        return self.models.optional("image")  # a failed image model: text only, logged once
