"""How often the first colour a shop photo is read as is the colour it is sold in, by halves.

    python scripts/experiments/colour_naming.py [--folder assets/luma]

The photos of ``media.load_products`` (a style in one colour) are split by the md5 of their
style: half 0 chose the colour prototypes of ``image_io.PALETTE`` (muted orange, pale yellow),
half 1 is reported. ``magpie eval images --data assets/luma`` gives the figure over all photos.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from recommender.evaluation.media import load_products  # noqa: E402
from recommender.models.image_io import dominant_colours  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folder", type=Path, default=ROOT / "assets" / "luma")
    args = ap.parse_args()
    products = load_products(args.folder)
    for half in (0, 1):
        chosen = [
            p for p in products if int(hashlib.md5(p.style.encode()).hexdigest(), 16) % 2 == half
        ]
        right = sum(dominant_colours(Image.open(p.path))[:1] == [p.colour] for p in chosen)
        print(f"half {half}: first colour named as sold {right / len(chosen):.3f} ({len(chosen)})")


if __name__ == "__main__":
    main()
