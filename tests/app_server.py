"""The app served in-process for the app and browser tests, over a real index in a temp folder.

The shop catalogue (54 items with photos) is ingested into one folder per test session; the
second module to ask finds it indexed already (ingestion is idempotent), so only the first pays
the ~10-30 s. Model weights come from the usual cache (``~/.cache/magpie``), as in production.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recommender.app.ui import build_app, launch_options
from recommender.config import load_settings
from recommender.pipeline import Recommender

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
REPLY_TOKENS = 64  # shorter replies than the default keep the real-LLM tests quick


@dataclass
class Served:
    url: str
    rec: Recommender
    warm_s: float  # seconds to load the models and the index before serving


@contextlib.contextmanager
def serve(data_root: Path, catalog: str = "shop") -> Iterator[Served]:
    settings = load_settings(
        env={}, data_dir=str(data_root / "data"), catalog=catalog, llm_max_tokens=REPLY_TOKENS
    )
    rec = Recommender.from_settings(settings)
    t = time.perf_counter()
    rec.catalog(catalog)
    for model in ("text", "image", "speech", "llm"):  # so the first turn is not timed loading
        getattr(rec.models, model)
    warm_s = time.perf_counter() - t
    demo = build_app(rec, catalogs=[catalog])
    _, url, _ = demo.launch(prevent_thread_lock=True, quiet=True, **launch_options(settings, rec))
    try:
        yield Served(url, rec, warm_s)
    finally:
        demo.close()


CHROMIUM = os.environ.get("MAGPIE_CHROMIUM", "/usr/bin/chromium")


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, through Playwright (a pinned test dependency); missing, the
    test is skipped on a developer's machine and fails in CI (``conftest.missing``)."""
    from conftest import missing
    from playwright import sync_api

    if not shutil.which(CHROMIUM):
        missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def record_timings(name: str, rows: list[dict[str, Any]]) -> None:
    """Keep measured turn timings beside the screenshot (CI keeps ``artifacts/``)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "app_timings.json"
    data = json.loads(path.read_text()) if path.is_file() else {}
    data[name] = rows
    path.write_text(json.dumps(data, indent=1))
