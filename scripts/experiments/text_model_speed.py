"""Speed and memory of a text model on the movie catalogue's own rows (docs/models.md).

    .venv/bin/python scripts/experiments/text_model_speed.py MODEL [--rows 256] [--queries 30]

Loads MODEL (a preset, folder or hub id), embeds the first ROWS movie rows as items (what
ingestion does, in one batched call) and QUERIES distinct request-like sentences one at a time
(what a turn does), and prints items/s, ms per query and the process's RSS before and after.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from recommender.catalogue.rows import read_rows, row_text  # noqa: E402
from recommender.config import load_settings  # noqa: E402
from recommender.models.base import embed_queries  # noqa: E402
from recommender.models.text import load_text_embedder  # noqa: E402

_ASKS = (
    "a funny heist movie from the 2000s",
    "something scary but not gory",
    "我想看一部九十年代的喜剧",
    "a slow burn thriller like Zodiac",
    "running shoes under 100 dollars",
    "une comédie romantique",
)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--rows", type=int, default=256)
    parser.add_argument("--queries", type=int, default=30)
    args = parser.parse_args()
    settings = load_settings()
    before = rss_mb()
    started = time.perf_counter()
    model = load_text_embedder(args.model, settings.cache_dir)
    load_s = time.perf_counter() - started
    rows = [row for _, row in read_rows(settings.assets_dir / "movies" / "catalog.jsonl")[0]]
    texts = [row_text(r) for r in rows[: args.rows]]
    started = time.perf_counter()
    model.embed(texts)
    ingest_s = time.perf_counter() - started
    asks = [f"{_ASKS[i % len(_ASKS)]} ({i})" for i in range(args.queries)]  # distinct: no cache
    embed_queries(model, ["warm-up"])
    started = time.perf_counter()
    for ask in asks:
        embed_queries(model, [ask])
    query_s = time.perf_counter() - started
    result = {
        "model": model.name,
        "dim": model.dim,
        "load_s": round(load_s, 1),
        "items_per_s": round(len(texts) / ingest_s, 1),
        "mean_item_chars": round(sum(map(len, texts)) / len(texts)),
        "ms_per_query": round(1000 * query_s / len(asks), 1),
        "rss_before_mb": round(before),
        "rss_after_mb": round(rss_mb()),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
