"""Photos the shop does not hold: the Luma store's back and side views as queries.

    python scripts/experiments/luma_other_views.py [--luma DIR]
    python scripts/experiments/luma_other_views.py --app [--image-weight 6]   # through the app

The bundled Luma catalogue holds each style-colour's main photo only; Magento's sample data
also has 250 other views of them (``*_alt1.jpg``, ``*_back.jpg``: a model turned round, another
pose). Each is a query against the catalogue's photos through the app's own image encoder: P@5
of its kind (the finest category) by kind, whether its own style-colour is in the top 5, and
whether the first colour the photo is read as is the one it is sold in. A photo from another
angle stands in for "a photo from anywhere", which the sample data cannot give.

``--app`` sends each view as a photo-only turn through ``Recommender.ask`` (one colour of a
product per list, the photo's words in the query) and reports, by halves of the styles (md5),
the cards' P@5 of the kind and the product itself in the top 5; then Tux Paint's five clothing
drawings (other people's pictures of a T-shirt, a polo shirt, a shirt, a jacket, trousers) and
how many of their cards are of the kind drawn. ``--image-weight`` tries another photo weight.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from recommender.config import load_settings  # noqa: E402
from recommender.evaluation.run import SHARED  # noqa: E402
from recommender.models.image_io import open_image_within  # noqa: E402
from recommender.models.vision import load_image_encoder  # noqa: E402


def main() -> None:
    shared = SHARED  # MAGPIE_SHARED_DATA, or ../shared/data
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--luma", type=Path, default=shared / "magento-luma")
    parser.add_argument("--app", action="store_true", help="through the app's own turn")
    parser.add_argument("--image-weight", type=float, default=None)
    args = parser.parse_args()
    if args.app:
        through_the_app(args.luma, args.image_weight)
        return
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


DRAWINGS = {  # Tux Paint stamps (assets/pictures) -> the Luma kinds that answer them
    "t_tshirt": {"Tees"},
    "t_poloshirt": {"Tees"},
    "t_shirt": {"Tees"},
    "t_jacket": {"Jackets", "Hoodies & Sweatshirts"},
    "t_pants": {"Pants"},
}


def through_the_app(luma: Path, image_weight: float | None) -> None:
    import hashlib

    from recommender.pipeline import Recommender

    rec = Recommender.from_settings(load_settings().with_(llm_backend="none"))
    data = rec.catalogues.get("luma")
    if image_weight is not None:
        data.weights["image"] = image_weight
    rows = [
        json.loads(line) for line in (ROOT / "assets/luma/catalog.jsonl").open(encoding="utf-8")
    ]
    by_photo = {Path(r["image"]).name: r for r in rows}
    halves: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for view in sorted(
        p for p in (luma / "images").rglob("*.jpg") if "_alt" in p.stem or "_back" in p.stem
    ):
        base = view.name.split("_alt")[0].split("_back")[0]
        own = by_photo.get(base + "_main.jpg") or by_photo.get(base + ".jpg")
        if own is None:
            continue
        top = rec.ask(rec.new_session("luma"), "", images=[str(view)]).items[:5]
        kind = own["categories"][-1]
        style = own["id"].rsplit("-", 1)[0]
        half = int(hashlib.md5(style.encode()).hexdigest(), 16) % 2
        halves[half].append(
            (
                float(np.mean([t.item.categories[-1] == kind for t in top])),
                float(own["id"] in [t.item.id for t in top]),
            )
        )
    weight = image_weight if image_weight is not None else "as shipped"
    for half, values in sorted(halves.items()):
        m = np.array(values).mean(axis=0)
        print(f"image weight {weight}, styles half {half}: cards of its kind P@5 {m[0]:.3f}, "
              f"its product in the top 5 {m[1]:.3f} ({len(values)} views)")  # fmt: skip
    right = 0
    for stamp, kinds in DRAWINGS.items():
        picture = ROOT / "assets" / "pictures" / "images" / f"clothes-{stamp}.png"
        top = rec.ask(rec.new_session("luma"), "", images=[str(picture)]).items[:5]
        right += sum(t.item.categories[-1] in kinds for t in top)
    print(f"Tux Paint clothing drawings: {right} of {5 * len(DRAWINGS)} cards of the kind drawn")


if __name__ == "__main__":
    main()
