"""Write the prebuilt vectors of bundled catalogues (assets/<name>/vectors/*.npz).

    .venv/bin/python scripts/build/build_vectors.py [NAME ...]     # default: every bundled catalogue

Brings each catalogue's index up to date with the configured models (``magpie ingest``: a no-op
when it already is), then writes the index's vectors beside the catalogue as float16, keyed by
each row's content key (``recommender/prebuilt.py``). Run it after changing a catalogue's rows or
the default text or image model; a first start then loads these instead of embedding.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from recommender.catalogue.index import VectorIndex  # noqa: E402
from recommender.catalogue.ingest import ingest, text_key  # noqa: E402
from recommender.catalogue.prebuilt import write_vectors  # noqa: E402
from recommender.catalogue.rows import read_rows  # noqa: E402
from recommender.catalogue.spec import find_specs  # noqa: E402
from recommender.config import load_settings  # noqa: E402
from recommender.models.text import load_text_embedder  # noqa: E402
from recommender.models.vision import load_image_encoder  # noqa: E402


def export(
    name: str, index: VectorIndex, text_model: str, fingerprint: str, image_model: str | None
) -> None:
    spec = find_specs(index.settings)[name]
    assert spec.folder is not None
    rows = [row for _, row in read_rows(spec.rows_path)[0]]
    stored = index.load(name)
    position = {item.id: i for i, item in enumerate(stored.items)}
    keys = [text_key(row, text_model) for row in rows]
    vectors = stored.text[[position[row.id] for row in rows]]
    path = write_vectors(spec.folder, "text", text_model, keys, vectors, fingerprint)
    print(f"{name}: {len(keys)} text vectors ({fingerprint}) -> {path.relative_to(ROOT)}")
    if image_model and stored.image_ids:
        hashes = index.hashes(name, "image")  # the image key of each stored photo
        image_keys = [hashes[i] for i in stored.image_ids]
        path = write_vectors(spec.folder, "image", image_model, image_keys, stored.image)
        print(f"{name}: {len(image_keys)} photo vectors -> {path.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="bundled catalogues (default: all)")
    args = parser.parse_args()
    settings = load_settings()
    index = VectorIndex(settings)
    text = load_text_embedder(settings.text_model, settings.cache_dir)
    image = load_image_encoder(settings.image_model, settings.cache_dir)
    root = Path(settings.assets_dir).resolve()
    specs = {
        n: s
        for n, s in find_specs(settings).items()
        if s.folder is not None and s.folder.parent == root
    }
    print(f"text model {text.name} ({text.fingerprint}), {text.dim}-d")
    total = time.perf_counter()
    for name in args.names or sorted(specs):
        started = time.perf_counter()
        report = ingest(specs[name], index, text, image, progress=True)
        print(f"{name}: index up to date ({report.added + report.updated} written)")
        export(name, index, text.name, text.fingerprint, image.name if image is not None else None)
        print(f"{name}: {time.perf_counter() - started:.1f} s")
    print(f"all: {time.perf_counter() - total:.1f} s")


if __name__ == "__main__":
    main()
