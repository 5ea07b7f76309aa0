"""Tux Paint text->image precision for several text models, the pictures encoded once.

    .venv/bin/python scripts/experiments/compare_text_models.py minilm use-multilingual e5-small \
        [--data ../shared/data/tuxpaint] [--json out.json]

The same task as ``magpie eval images`` (its "text->image" rows): the item side is built from
pixels only (EfficientNet-Lite0's top labels and colours as words, embedded as items), the
query side is each picture's English or zh_CN sentence (embedded as a query); a hit is a
picture of the same top category. ``eval images`` encodes all 538 pictures again for every
text model (~7 min on a busy 2-core machine); this script does it once.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from recommender.config import load_settings  # noqa: E402
from recommender.evaluation.media import LABELS_READ, load_pictures, precision_at  # noqa: E402
from recommender.models.base import embed_queries  # noqa: E402
from recommender.models.image_io import open_image_within  # noqa: E402
from recommender.models.text import load_text_embedder  # noqa: E402
from recommender.models.vision import load_image_encoder  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared/data/tuxpaint")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    settings = load_settings()
    encoder = load_image_encoder(settings.image_model, settings.cache_dir)
    assert encoder is not None, "the image model is switched off"
    pictures = load_pictures(args.data)
    understood = encoder.encode([open_image_within(p.path, settings) for p in pictures])
    words = [" ".join([w for w, _ in u.labels[:LABELS_READ]] + u.colours) for u in understood]
    labels = [p.category for p in pictures]
    results = {}
    for name in args.models:
        model = load_text_embedder(name, settings.cache_dir)
        started = time.perf_counter()
        side = model.embed(words)
        row: dict[str, float] = {}
        for language, sentences in (
            ("en", [p.sentence for p in pictures]),
            ("zh", [p.chinese for p in pictures]),
        ):
            keep = [i for i, s in enumerate(sentences) if s]
            sim = np.asarray(embed_queries(model, [sentences[i] for i in keep])) @ side.T
            for k, v in precision_at(sim, [labels[i] for i in keep], labels, (1, 5)).items():
                row[f"{language} {k}"] = v
        row["seconds"] = round(time.perf_counter() - started, 1)
        results[name] = row
        print(name, json.dumps(row), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
