"""``magpie bench``: figures for speed and memory, printed (never asserted).

Per-stage latency of real turns on the default models, retrieval + scoring on synthetic
catalogues of growing size, ingest rates, start-up time with an existing index, peak RSS and
our own overhead as a share of model time. Ratios are given where machine noise matters.
"""

from __future__ import annotations

import json
import logging
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from recommender.config import Settings
from recommender.errors import MagpieError
from recommender.schemas import Item, Profile, Range

__all__ = ["SCRIPT", "run_bench", "synthetic_catalog"]

log = logging.getLogger(__name__)

# A short scripted conversation per catalogue: first turns, constraints, critiques.
SCRIPT: dict[str, list[str]] = {
    "movies": [
        "I loved Super Troopers (2001), I want something just as funny",
        "no horror, and nothing before 1990",
        "more like #2",
        "something with a heist, like Ocean's Eleven",
        "I want a scary movie from the eighties",
    ],
    "shop": [
        "running shoes under $100",
        "a camera for travel photos",
        "cheaper",
        "a plant for my living room",
        "not red, something for the office",
    ],
    "luma": [
        "a waterproof jacket for women under $80",
        "in blue",
        "cheaper",
        "something for yoga, not pink",
        "more like #2",
    ],
}


def _pct(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))])


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def synthetic_catalog(n: int, dim: int = 384, seed: int = 0) -> tuple[list[Item], np.ndarray]:
    """``n`` items with random unit vectors, prices, years and a few words each."""
    rng = np.random.default_rng(seed)
    colours = ["red", "blue", "green", "black", "white"]
    kinds = ["shoe", "lamp", "chair", "camera", "plant", "mug", "bag", "watch"]
    items = [
        Item(
            f"s{i}",
            f"{colours[i % 5]} {kinds[i % 8]} {i}",
            "",
            (kinds[i % 8],),
            {"price": float(5 + (i * 37) % 500), "year": 1950 + i % 70, "colour": colours[i % 5]},
        )
        for i in range(n)
    ]
    vectors = rng.standard_normal((n, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return items, vectors


def bench_retrieval(sizes: Sequence[int], repeats: int = 20) -> dict[str, float]:
    """p50 milliseconds of retrieval + fusion + MMR on synthetic catalogues (numpy path)."""
    from recommender.catalogue.catalogue import Catalogue
    from recommender.catalogue.spec import CatalogSpec
    from recommender.pipeline import Models, Recommender

    out: dict[str, float] = {}
    for n in sizes:
        items, vectors = synthetic_catalog(n)

        class _Embedder:
            """Looks a query up among the synthetic vectors: retrieval cost without a model."""

            name, dim = "synthetic", vectors.shape[1]

            def __init__(self, table: np.ndarray) -> None:
                self.table = table

            def embed(self, texts: Sequence[str]) -> np.ndarray:
                return self.table[[hash(t) % len(self.table) for t in texts]]

        with tempfile.TemporaryDirectory() as tmp:
            from recommender.config import load_settings

            rec = Recommender(
                load_settings(env={}, data_dir=tmp, llm_backend="none"),
                Models(text=_Embedder(vectors), image=None, speech=None, llm=None),
            )
            data = Catalogue.build(CatalogSpec.bare(f"synthetic{n}"), items, vectors)
            rng = np.random.default_rng(1)
            times = []
            for r in range(repeats):
                liked = [items[int(j)].id for j in rng.integers(0, n, 2)]
                profile = Profile(liked=liked, wanted=["red"], ranges={"price": Range(max=300.0)})
                t = time.perf_counter()
                rec.rank(data, profile, f"red shoe {r}")
                times.append((time.perf_counter() - t) * 1000)
        out[str(n)] = round(statistics.median(times), 2)
    return out


def _timed_process(code: str, settings: Settings, data_dir: str, *args: str) -> float:
    """Seconds a fresh Python process takes to run ``code`` with these settings' models on
    ``data_dir`` (embedded Chroma there, whatever the environment says)."""
    overrides = {
        "data_dir": data_dir,
        "cache_dir": str(settings.cache_dir),
        "chroma_host": "",
        "llm_backend": settings.llm_backend,
        "llm_model": settings.llm_model,
        "text_model": settings.text_model,
        "image_model": settings.image_model,
        "speech_model": settings.speech_model,
    }
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code, json.dumps(overrides), *args], check=True, capture_output=True
    )
    return time.perf_counter() - t


def bench_start(settings: Settings, catalogs: Sequence[str]) -> float:
    """Seconds for a fresh process to import Magpie, load every model and open the catalogues
    from the existing index: what "app ready" costs apart from the web server."""
    code = (
        "import sys, json\n"
        "from recommender.config import load_settings\n"
        "from recommender.pipeline import Recommender\n"
        "s = load_settings(**json.loads(sys.argv[1]))\n"
        "Recommender.from_settings(s).warm(sys.argv[2:])\n"
    )
    return _timed_process(code, settings, str(settings.data_dir), *catalogs)


def bench_cold_start(settings: Settings, first: str = "movies") -> float:
    """Seconds from a fresh process with an empty data folder to the first cards of ``first``,
    with every bundled catalogue indexed and loaded: what a Space pays at every restart. The
    bundled catalogues' prebuilt vectors (``prebuilt.py``) make this a load, not an embedding."""
    code = (
        "import sys, json\n"
        "from recommender.config import load_settings\n"
        "from recommender.events import ItemsRanked\n"
        "from recommender.pipeline import Recommender\n"
        "s = load_settings(**json.loads(sys.argv[1]))\n"
        "rec = Recommender.from_settings(s)\n"
        "rec.warm(rec.catalogs())\n"
        "for e in rec.turn(rec.new_session(sys.argv[2]), 'something funny from the 90s'):\n"
        "    if isinstance(e, ItemsRanked):\n"
        "        break\n"
    )
    with tempfile.TemporaryDirectory(prefix="magpie-cold-") as tmp:
        return _timed_process(code, settings, tmp, first)


def bench_turns(settings: Settings, catalogs: Sequence[str], rounds: int) -> dict[str, Any]:
    """Scripted conversations on the real models: per-stage p50/p95 in seconds."""
    from recommender.events import Done, ItemsRanked, Token
    from recommender.pipeline import Recommender

    rec = Recommender.from_settings(settings)
    for name in catalogs:
        rec.catalog(name)  # builds a missing index: not part of start-up
    start_s = bench_start(settings, catalogs)
    rec.warm(catalogs)
    # Warm-up: the first call to each model loads it; that is start-up, not turn latency.
    t0 = time.perf_counter()
    warm = rec.new_session(catalogs[0])
    rec.ask(warm, SCRIPT.get(catalogs[0], ["something good"])[0])
    warm_s = time.perf_counter() - t0

    stages: dict[str, list[float]] = {}
    cards, first, turns = [], [], []
    for _ in range(rounds):
        for name in catalogs:
            session = rec.new_session(name)
            for text in SCRIPT.get(name, ["something good", "cheaper"]):
                t = time.perf_counter()
                cards_at = first_at = None
                timings: dict[str, float] = {}
                for event in rec.turn(session, text):
                    if isinstance(event, ItemsRanked) and cards_at is None:
                        cards_at = time.perf_counter() - t
                    elif isinstance(event, Token) and first_at is None:
                        first_at = time.perf_counter() - t
                    elif isinstance(event, Done):
                        timings = event.result.timings
                turns.append(time.perf_counter() - t)
                cards.append(cards_at or 0.0)
                first.append(first_at or turns[-1])
                for stage, seconds in timings.items():
                    stages.setdefault(stage, []).append(seconds)
    model_time = sum(sum(stages.get(s, [])) for s in ("understand", "profile_llm", "explain"))
    total = sum(turns)
    return {
        "start_s": round(start_s, 2),
        "first_turn_s": round(warm_s, 2),
        "cards_p50_s": round(_pct(cards, 0.5), 3),
        "first_token_p50_s": round(_pct(first, 0.5), 3),
        "turn_p50_s": round(_pct(turns, 0.5), 3),
        "turn_p95_s": round(_pct(turns, 0.95), 3),
        "stages_p50_s": {k: round(_pct(v, 0.5), 4) for k, v in sorted(stages.items())},
        "stages_p95_s": {k: round(_pct(v, 0.95), 4) for k, v in sorted(stages.items())},
        # Everything that is not a model call (understanding, LLM profile, LLM explanation).
        "overhead_share": round(max(0.0, total - model_time) / total, 3) if total else None,
        "turns": len(turns),
    }


def bench_replies(settings: Settings, catalogs: Sequence[str]) -> dict[str, float]:
    """The reply's speed with this settings' language model: seconds from a turn's start to
    the first text on the page and to the whole reply (p50), over the scripted conversations;
    the model is loaded and warmed first (start-up, not turn time)."""
    from recommender.events import Done, Token
    from recommender.pipeline import Recommender

    rec = Recommender.from_settings(settings)
    rec.warm(catalogs)
    rec.ask(rec.new_session(catalogs[0]), "something good")  # the model's first call
    first, whole = [], []
    for name in catalogs:
        session = rec.new_session(name)
        for text in SCRIPT.get(name, ["something good", "cheaper"]):
            t = time.perf_counter()
            first_at = None
            for event in rec.turn(session, text):
                if isinstance(event, Token) and first_at is None:
                    first_at = time.perf_counter() - t
                elif isinstance(event, Done):
                    whole.append(time.perf_counter() - t)
            first.append(first_at if first_at is not None else whole[-1])
    return {
        "first_text_p50_s": round(_pct(first, 0.5), 2),
        "reply_p50_s": round(_pct(whole, 0.5), 2),
        "reply_p90_s": round(_pct(whole, 0.9), 2),
    }


def bench_ingest(settings: Settings, n_text: int = 512) -> dict[str, float]:
    """Items per second for text and photos, into a throw-away index."""
    from recommender.catalogue.index import VectorIndex
    from recommender.catalogue.ingest import ingest
    from recommender.catalogue.prebuilt import VECTORS_DIR
    from recommender.catalogue.spec import find_specs, read_spec
    from recommender.models.text import load_text_embedder
    from recommender.models.vision import load_image_encoder

    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        scratch = settings.with_(data_dir=Path(tmp))
        specs = find_specs(settings)
        movies = specs.get("movies")
        if movies is not None:
            lines = movies.rows_path.read_text(encoding="utf-8").splitlines()[:n_text]
            sample = Path(tmp) / "benchtext"
            sample.mkdir()
            (sample / "catalog.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
            report = ingest(
                read_spec(sample),
                VectorIndex(scratch),
                load_text_embedder(settings.text_model, settings.cache_dir),
                None,
                progress=False,
            )
            out["ingest_text_per_s"] = round(report.added / max(report.seconds, 1e-9), 1)
        shop = specs.get("shop")
        encoder = load_image_encoder(settings.image_model, Path(settings.cache_dir))
        if shop is not None and shop.folder is not None and encoder is not None:
            # A copy without the prebuilt vectors: this measures embedding, not loading.
            folder = Path(tmp) / "benchshop"
            shutil.copytree(shop.folder, folder, ignore=shutil.ignore_patterns(VECTORS_DIR))
            report = ingest(
                shop.model_copy(update={"name": "benchshop", "folder": folder}),
                VectorIndex(scratch),
                load_text_embedder(settings.text_model, settings.cache_dir),
                encoder,
                progress=False,
            )
            out["ingest_images_per_s"] = round(report.images / max(report.image_seconds, 1e-9), 1)
    return out


def run_bench(
    settings: Settings, quick: bool = False, catalogs: Sequence[str] = ("movies", "shop", "luma")
) -> dict[str, Any]:
    sizes = (1_000, 10_000) if quick else (1_000, 10_000, 100_000)
    figures: dict[str, Any] = {}
    figures.update(bench_turns(settings, list(catalogs), rounds=1 if quick else 3))
    figures["cold_start_s"] = round(bench_cold_start(settings), 2)
    figures["retrieval_p50_ms"] = bench_retrieval(sizes, repeats=10 if quick else 30)
    figures.update(bench_ingest(settings, n_text=256 if quick else 1024))
    figures["peak_rss_mb"] = round(_peak_rss_mb(), 1)
    figures["llm"] = f"{settings.llm_backend}:{settings.llm_model}"
    # Each language model preset's reply speed, whatever the default writer (after the RSS
    # figure: a model the app does not load is not what a running app holds).
    from recommender.models.weights import PRESETS

    for preset in PRESETS:
        try:
            figures[f"replies {preset}"] = bench_replies(
                settings.with_(llm_backend="llama_cpp", llm_model=preset),
                catalogs[:1] if quick else catalogs,
            )
        except MagpieError as e:  # a preset not installed: said, not fatal
            figures[f"replies {preset}"] = f"unavailable: {e}"
    return figures


def format_figures(figures: dict[str, Any]) -> str:
    targets = {
        "cards_p50_s": 2.0,
        "first_token_p50_s": 3.0,
        "turn_p50_s": 12.0,
        "first_text_p50_s": 3.0,
        "reply_p50_s": 12.0,
        "start_s": 20.0,
        "cold_start_s": 30.0,
        "peak_rss_mb": 3072.0,
    }
    lines = []
    for key, value in figures.items():
        if isinstance(value, dict) and key.startswith("replies "):
            for sub, number in value.items():
                target = targets.get(sub)
                mark = (
                    ""
                    if target is None
                    else f"  (target <= {target:g}: {'ok' if number <= target else 'MISSED'})"
                )
                lines.append(f"{key + ' ' + sub:>20}: {number}{mark}")
            continue
        target = targets.get(key)
        mark = (
            ""
            if target is None or not isinstance(value, int | float)
            else (f"  (target <= {target:g}: {'ok' if value <= target else 'MISSED'})")
        )
        lines.append(f"{key:>20}: {json.dumps(value)}{mark}")
    return "\n".join(lines)
