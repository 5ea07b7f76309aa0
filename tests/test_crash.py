"""kill -9 in the middle of an ingest, and in the middle of the app's first build of a bundled
catalogue; then start again: the index is completed, and nothing half-built is ever served.

Real processes (``python -m recommender ingest``, and the engine's first-use build in a child
process), the real text model (MiniLM) and embedded Chroma; the catalogue ships no prebuilt
vectors, so the build really embeds and can be caught half-way.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import write_jsonl

from recommender.catalogue.index import VectorIndex
from recommender.config import load_settings

pytestmark = pytest.mark.models

ROOT = Path(__file__).resolve().parent.parent
ROWS = 800  # ~25 s of MiniLM on 2 cores: time enough to be killed half-way


def catalogue(folder: Path) -> Path:
    folder.mkdir(parents=True)
    rows = [
        {"id": f"tool-{n:04d}", "title": f"Garden tool number {n}", "description": "A tool."}
        for n in range(ROWS)
    ]
    write_jsonl(folder / "catalog.jsonl", rows)
    return folder


def kill_when_written(args: list[str], env: dict[str, str], log: Path) -> None:
    """Start ``args``; kill -9 it once the first batches are in (tqdm shows >= 256 rows)."""
    with log.open("w") as out:
        proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            text = log.read_text(errors="replace")
            if any(f"{n}/{ROWS}" in text for n in range(256, ROWS, 128)):
                break
            time.sleep(0.2)
        assert proc.poll() is None, "finished before it could be killed: " + log.read_text()[-500:]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "MAGPIE_DATA_DIR": str(tmp_path / "data"),
        "MAGPIE_CONFIG": str(tmp_path / "absent.toml"),
        "MAGPIE_IMAGE_MODEL": "none",
        **extra,
    }


def test_kill_9_during_magpie_ingest_then_ingest_again(tmp_path):
    folder = catalogue(tmp_path / "tools")
    env = env_for(tmp_path)
    magpie = [sys.executable, "-m", "recommender", "ingest", str(folder)]
    kill_when_written(magpie, env, tmp_path / "killed.log")
    index = VectorIndex(load_settings(env={}, data_dir=str(tmp_path / "data")))
    complete, _ = index.state("tools")
    assert not complete and 0 < index.count("tools", "text") < ROWS
    again = subprocess.run(magpie, env=env, capture_output=True, text=True, cwd=ROOT)
    assert again.returncode == 0, again.stderr[-500:]
    assert "unchanged" in again.stdout and index.count("tools", "text") == ROWS
    assert index.state("tools")[0]


FIRST_USE = (
    "import sys\n"
    "from recommender.config import load_settings\n"
    "from recommender.pipeline import Recommender\n"
    "rec = Recommender.from_settings(load_settings())\n"
    "print(len(rec.catalog('tools', progress=True).items), flush=True)\n"
)


def test_kill_9_during_the_apps_first_build_then_start_again(tmp_path):
    catalogue(tmp_path / "assets" / "tools")  # a bundled catalogue of this run
    env = env_for(tmp_path, MAGPIE_ASSETS_DIR=str(tmp_path / "assets"), MAGPIE_LLM_BACKEND="none")
    start = [sys.executable, "-c", FIRST_USE]
    kill_when_written(start, env, tmp_path / "killed.log")
    # The next start finds the catalogue incomplete: it resumes the build, then serves all of it.
    again = subprocess.run(start, env=env, capture_output=True, text=True, cwd=ROOT)
    assert again.returncode == 0, again.stderr[-500:]
    assert again.stdout.strip().splitlines()[-1] == str(ROWS)
