"""The catalogues of a process: which exist, and each one loaded once, on first use.

``Catalogues`` is the one owner of per-catalogue locks and of first-use ingestion: a bundled
catalogue missing from the index is ingested when first asked for (a Space's first start),
then read back from Chroma into a frozen ``Catalogue``. One lock per catalogue, so turns on a
loaded catalogue never wait while another one builds.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from .catalog import CatalogSpec, Catalogue, find_specs
from .errors import CatalogError, MagpieError

if TYPE_CHECKING:
    from .config import Settings
    from .index import VectorIndex
    from .models.base import ImageEncoder
    from .models.registry import Models

__all__ = ["Catalogues"]

log = logging.getLogger(__name__)


class Catalogues:
    """Catalogues by name: known specs, loaded ``Catalogue``s, in-memory additions."""

    def __init__(self, settings: Settings, index: VectorIndex | None, models: Models) -> None:
        self.settings = settings
        self.index = index
        self.models = models
        self._loaded: dict[str, Catalogue] = {}
        self._lock = threading.Lock()  # guards the per-catalogue locks and the loaded dict
        self._locks: dict[str, threading.Lock] = {}

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
        """The catalogue in memory; a bundled one missing from the index is ingested first."""
        found = self._loaded.get(name)
        if found is not None:
            return found
        with self._lock:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            if name in self._loaded:
                return self._loaded[name]
            if self.index is None:
                raise CatalogError(f"no index to load catalogue {name!r} from")
            spec = self.spec(name)
            if name not in self.index.catalogs():
                from .ingest import ingest

                log.info("building the %s index (first start)", name)
                ingest(spec, self.index, self.models.text, self._image_model(), progress=progress)
            stored = self.index.load(name)
            catalogue = Catalogue.build(
                spec, stored.items, stored.text, stored.image_ids, stored.image
            )
            with self._lock:
                self._loaded[name] = catalogue
            return catalogue

    def add(self, catalogue: Catalogue) -> None:
        """Register an in-memory catalogue (tests, benchmarks, evaluation)."""
        with self._lock:
            self._loaded[catalogue.name] = catalogue

    def _image_model(self) -> ImageEncoder | None:
        try:
            return self.models.image
        except MagpieError as e:
            log.warning("images will not be indexed: %s", e)
            return None
