"""Retrieval plus scoring with constraints on synthetic catalogues, with and without Chroma.

    .venv/bin/python scripts/experiments/bench_scale.py [--sizes 10000 100000 1000000] [--modes numpy embedded server]

For each size: build the in-memory ``Catalogue`` (keyword index, linkers, side arrays), then time
the app's ranking path (``Ranker.rank``: candidates from every source, hard constraints, fusion,
MMR) for a profile with a budget, a wanted colour and two liked items:
- ``numpy``: exact dense search over the in-memory vectors (no index);
- ``embedded`` / ``server``: the dense and image candidates come from Chroma's HNSW (a
  ``PersistentClient`` folder, or a ``chroma run`` server on loopback), as in the app.
Beside it, Chroma alone: an unfiltered k-NN query, and the same query with a metadata filter
(``where`` on price, keeping ~60% or ~1% of the items): what filtering inside Chroma would cost.
The app does not filter inside Chroma: it takes unfiltered candidates from every source and
applies the hard constraints to them in memory. Prints
one JSON object per size and mode (milliseconds, p50 over repeats; seconds to build and load).
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from recommender.catalogue.catalogue import Catalogue  # noqa: E402
from recommender.catalogue.index import VectorIndex  # noqa: E402
from recommender.catalogue.spec import CatalogSpec  # noqa: E402
from recommender.cli.bench import synthetic_catalog  # noqa: E402
from recommender.config import load_settings  # noqa: E402
from recommender.models.registry import Models  # noqa: E402
from recommender.rank.ranking import Ranker  # noqa: E402
from recommender.schemas import CatalogRow, Profile, Range  # noqa: E402

K = 200  # candidates per source, as the default settings


class Lookup:
    """A 'text model' that looks a query up among the synthetic vectors (no model cost)."""

    name, dim = "synthetic", 384

    def __init__(self, table: np.ndarray) -> None:
        self.table = table

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.table[[hash(t) % len(self.table) for t in texts]]


def p50(fn, repeats: int) -> float:
    times = []
    for r in range(repeats):
        t = time.perf_counter()
        fn(r)
        times.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(times), 2)


def chroma_server(path: Path) -> tuple[subprocess.Popen, int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
            return proc, port
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("chroma run did not start")


def run(n: int, modes: list[str], repeats: int, raw: bool = True) -> None:
    t = time.perf_counter()
    items, vectors = synthetic_catalog(n)
    spec = CatalogSpec.bare(f"synthetic{n}")
    data = Catalogue.build(spec, items, vectors)
    build_s = time.perf_counter() - t
    rng = np.random.default_rng(1)
    liked = [[items[int(j)].id for j in rng.integers(0, n, 2)] for _ in range(repeats)]

    def profile(r: int) -> Profile:
        return Profile(liked=liked[r], wanted=["red"], ranges={"price": Range(max=300.0)})

    for mode in modes:
        with tempfile.TemporaryDirectory(prefix="magpie-scale-") as tmp:
            server = None
            overrides: dict[str, Any] = {"data_dir": tmp, "llm_backend": "none"}
            if mode == "server":
                server, port = chroma_server(Path(tmp) / "server")
                overrides.update(chroma_host="127.0.0.1", chroma_port=port)
            try:
                settings = load_settings(env={}, **overrides)
                models = Models(text=Lookup(vectors), image=None, speech=None, llm=None)
                figures: dict[str, object] = {
                    "items": n,
                    "mode": mode,
                    "build_s": round(build_s, 1),
                }
                index = None
                if mode != "numpy":
                    index = VectorIndex(settings)
                    t = time.perf_counter()
                    index.prepare(spec.name, "text", "synthetic", vectors.shape[1])
                    rows = [
                        CatalogRow(
                            id=i.id,
                            title=i.title,
                            categories=list(i.categories),
                            attributes=dict(i.attributes),
                        )
                        for i in items
                    ]
                    step = 20_000
                    for s in range(0, n, step):
                        index.upsert(
                            spec.name,
                            "text",
                            [r.id for r in rows[s : s + step]],
                            vectors[s : s + step],
                            rows[s : s + step],
                            ["h"] * len(rows[s : s + step]),
                        )
                    figures["chroma_load_s"] = round(time.perf_counter() - t, 1)
                # Chroma alone, on a collection holding the price as metadata: k-NN, then
                # k-NN with a where filter keeping ~60% and ~1% of the items.
                if mode != "numpy" and raw:
                    assert index is not None
                    collection = index.client.get_or_create_collection(
                        "raw", embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
                    )
                    t = time.perf_counter()
                    for s in range(0, n, 5_000):
                        collection.add(
                            ids=[i.id for i in items[s : s + 5_000]],
                            embeddings=vectors[s : s + 5_000],
                            metadatas=[
                                {"price": i.attributes["price"]} for i in items[s : s + 5_000]
                            ],
                        )
                    figures["chroma_raw_load_s"] = round(time.perf_counter() - t, 1)
                if mode != "numpy":
                    assert index is not None
                    queries = vectors[rng.integers(0, n, repeats)]
                    if not raw:
                        collection = index.client.get_collection(f"{spec.name}__text")
                    filters: list[tuple[str, dict[str, Any] | None]] = [("knn", None)]
                    if raw:
                        filters += [
                            ("knn_where_60pct", {"price": {"$lte": 300.0}}),
                            ("knn_where_1pct", {"price": {"$lte": 9.0}}),
                        ]
                    for label, where in filters:
                        figures[f"chroma_{label}_ms"] = p50(
                            lambda r, w=where, c=collection, q=queries: c.query(
                                query_embeddings=[q[r]], n_results=K, where=w
                            ),
                            repeats,
                        )
                ranker = Ranker(settings, models, index)
                figures["rank_ms"] = p50(
                    lambda r, rk=ranker: rk.rank(data, profile(r), f"red shoe {r}"), repeats
                )
                print(json.dumps(figures), flush=True)
            finally:
                if server is not None:
                    server.terminate()
                    server.wait(20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--modes", nargs="+", default=["numpy", "embedded", "server"])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument(
        "--no-raw", action="store_true", help="skip the filtered-query collection (halves 1M)"
    )
    args = parser.parse_args()
    for n in args.sizes:
        run(n, args.modes, args.repeats, raw=not args.no_raw)


if __name__ == "__main__":
    main()
