"""Photos the shop does not hold: the Luma store's back and side views as queries.

    python scripts/experiments/luma_other_views.py [--luma DIR]

The bundled Luma catalogue holds each style-colour's main photo only; Magento's sample data
also has 250 other views of them (``*_alt1.jpg``, ``*_back.jpg``: a model turned round, another
pose). Each is a query against the catalogue's photos through the app's own image encoder: P@5
of its kind (the finest category) by kind, whether its own style-colour is in the top 5, and
whether the first colour the photo is read as is the one it is sold in. A photo from another
angle stands in for "a photo from anywhere", which the sample data cannot give.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from recommender.config import load_settings  # noqa: E402
from recommender.models.image_io import open_image_within  # noqa: E402
from recommender.models.vision import load_image_encoder  # noqa: E402


def main() -> None:
    shared = Path(os.environ.get("MAGPIE_SHARED_DATA") or ROOT.parent / "shared" / "data")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--luma", type=Path, default=shared / "magento-luma")
    args = parser.parse_args()
    settings = load_settings()
    encoder = load_image_encoder(settings.image_model, settings.cache_dir)
    assert encoder is not None
    folder = ROOT / "assets" / "luma"
    rows = [json.loads(line) for line in (folder / "catalog.jsonl").open(encoding="utf-8")]
    by_photo = {Path(r["image"]).name: r for r in rows}
    views = sorted(
        p
        for p in (args.luma / "images").rglob("*.jpg")
        if ("_alt" in p.stem or "_back" in p.stem) and p.name not in by_photo
    )
    queries: list[tuple[Path, dict]] = []
    for view in views:
        main_name = view.name.split("_alt")[0].split("_back")[0]
        own = by_photo.get(main_name + "_main.jpg") or by_photo.get(main_name + ".jpg")
        if own is not None:
            queries.append((view, own))
    catalogue = [open_image_within(folder / r["image"], settings) for r in rows]
    shots = [open_image_within(v, settings) for v, _ in queries]
    side = encoder.encode(catalogue)
    asked = encoder.encode(shots)
    a = np.array([u.vector for u in side])
    q = np.array([u.vector for u in asked])
    sim = q @ a.T
    kinds = np.array([r["categories"][-1] for r in rows], dtype=object)
    ids = np.array([r["id"] for r in rows], dtype=object)
    per: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    for n, ((_, own), u) in enumerate(zip(queries, asked, strict=True)):
        top = np.argsort(-sim[n], kind="stable")[:5]
        colour = (own["attributes"].get("colour") or [""])[0]
        per[own["categories"][-1]].append(
            (
                float(np.mean(kinds[top] == own["categories"][-1])),
                float(own["id"] in ids[top]),
                float(bool(u.colours) and u.colours[0] == colour),
            )
        )
    every = [v for values in per.values() for v in values]
    print(f"{len(queries)} other views of {len({o['id'] for _, o in queries})} catalogue items")
    print("| kind | P@5 of its kind | own item in top 5 | colour named right | queries |")
    print("|---|---|---|---|---|")
    for kind, values in [("all kinds", every), *sorted(per.items())]:
        m = np.array(values).mean(axis=0)
        print(f"| {kind} | {m[0]:.3f} | {m[1]:.3f} | {m[2]:.3f} | {len(values)} |")
    print(Counter(kinds.tolist()).most_common(3))


if __name__ == "__main__":
    main()
