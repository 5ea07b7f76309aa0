"""Build the bundled "pictures" catalogue (assets/pictures/) from Tux Paint stamps, reproducibly.

    .venv/bin/python scripts/build/build_pictures.py [--tuxpaint DIR] [--out assets/pictures]

The input is the shared Tux Paint data set (538 stamps from the Debian package
tuxpaint-stamps-default 2022.06.04-1, GPL-2.0-or-later; see its README.md). Each stamp becomes one
row: the source id, a title made from the stamp's name ("frog-1" -> "Frog", "cementMixer" ->
"Cement mixer"), the English sentence as the description, the source categories (top first) and
``attributes`` {"kind": top category, "subject": the name's words}. Nothing else is added; the other
languages (``description_i18n``) are left out. The PNGs are copied byte for byte into ``images/``.

Written here: catalog.jsonl and images/. LICENSE, README.md and catalog.toml in the same folder are
written by hand. Every row is validated with ``CatalogRow`` before anything is written.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from recommender.schemas import CatalogRow  # noqa: E402

SOURCE = "Tux Paint stamps (Debian tuxpaint-stamps-default 2022.06.04-1)"
LICENCE = "GPL-2.0-or-later"  # debian/copyright: "version 2 ... or (at your option) any later"
MAX_SIDE = 256  # pixels; the shared data set's images are resized to at most this
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# Tux Paint's clothes stamps are named "t_shirt", "t_sock" ...: a file-name prefix, not a word.
NAME_PREFIXES = ("t_",)
# Words the stamp names spell in lower case that are written in capitals.
CAPITALS = {"uk": "UK", "usps": "USPS", "ww2": "WW2", "f22": "F22"}
CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")  # "cementMixer" -> "cement", "Mixer"
# A variant number glued to the last word: "guitar2", "tree336", "fireman240a" (size variants).
GLUED_NUMBER = re.compile(r"(.*[A-Za-z]{3})\d+[a-z]?")


def default_tuxpaint() -> Path:
    """The shared data set: $MAGPIE_SHARED_DATA/tuxpaint, else ../shared/data/tuxpaint."""
    shared = os.environ.get("MAGPIE_SHARED_DATA")
    return (Path(shared) if shared else ROOT.parent / "shared" / "data") / "tuxpaint"


def name_words(name: str) -> list[str]:
    """The words of a stamp name, without variant numbers or letters ("grave-a", "frog-1")."""
    for prefix in NAME_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix) :]
    words: list[str] = []
    for token in re.split(r"[-_\s]+", name):
        first, *rest = CAMEL.split(token)
        words += [first, *(part.lower() for part in rest)]
    words = [w for w in words if w]
    if not words:
        raise ValueError(f"empty stamp name {name!r}")
    if not all(w.isdigit() for w in words):  # "747" stays a title
        words = [w for w in words if not w.isdigit()]  # order and variant numbers: "0_sun"
    while len(words) > 1 and len(words[-1]) == 1:  # variant letters: "grave-a"
        words.pop()
    glued = GLUED_NUMBER.fullmatch(words[-1])
    if glued:
        words[-1] = glued.group(1)
    return words


def title_of(words: list[str]) -> str:
    """The words, the first capitalised ("adelaide rosella" -> "Adelaide rosella")."""
    shown = [CAPITALS.get(w.lower(), w) for w in words]
    return " ".join([shown[0][:1].upper() + shown[0][1:], *shown[1:]])


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header; raises ValueError for anything that is not a PNG."""
    with path.open("rb") as handle:
        head = handle.read(24)
    if len(head) < 24 or head[:8] != PNG_MAGIC or head[12:16] != b"IHDR":
        raise ValueError(f"{path} is not a PNG")
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def stamp_name(source: dict) -> str:
    """The stamp's file name with its underscores ("t_shirt"): the id less the category path.

    The data set's ``title`` is the same name with spaces for underscores ("t shirt").
    """
    path = "-".join(source["categories"]) + "-"
    name = source["id"].removeprefix(path)
    if name == source["id"] or name.replace("_", " ") != source["title"]:
        raise ValueError(f"{source['id']}: id is not categories + title")
    return name


def make_row(source: dict, tuxpaint: Path) -> tuple[CatalogRow, Path]:
    """One catalogue row and the image file it names, from one row of the Tux Paint data set."""
    image = tuxpaint / source["image"]
    if max(png_size(image)) > MAX_SIDE:
        raise ValueError(f"{image} is larger than {MAX_SIDE} px")
    categories = list(source["categories"])
    words = name_words(stamp_name(source))
    row = CatalogRow(
        id=source["id"],
        title=title_of(words),
        description=source["description"],
        categories=categories,
        attributes={"kind": categories[0], "subject": " ".join(words).lower()},
        image=f"images/{image.name}",
        source=SOURCE,
        licence=LICENCE,
    )
    if not row.description or not row.categories:
        raise ValueError(f"{row.id}: no description or no category")
    return row, image


def read_source(tuxpaint: Path) -> list[dict]:
    """The Tux Paint rows, one JSON object a line."""
    lines = (tuxpaint / "catalog.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def build(tuxpaint: Path, out: Path) -> dict:
    """Write out/catalog.jsonl and out/images/; return counts for the log."""
    made = sorted((make_row(s, tuxpaint) for s in read_source(tuxpaint)), key=lambda m: m[0].id)
    ids = [row.id for row, _ in made]
    if len(ids) != len(set(ids)):
        raise ValueError("duplicate ids in the Tux Paint data set")
    images = out / "images"
    images.mkdir(parents=True, exist_ok=True)
    wanted = {path.name for _, path in made}
    for stale in sorted(images.glob("*.png")):
        if stale.name not in wanted:
            stale.unlink()
    for _, path in made:
        shutil.copyfile(path, images / path.name)
    lines = [json.dumps(row.model_dump(exclude_none=True), ensure_ascii=False) for row, _ in made]
    catalog = out / "catalog.jsonl"
    catalog.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {
        "rows": len(made),
        "titles": len({row.title for row, _ in made}),
        "kinds": len({row.attributes["kind"] for row, _ in made}),
        "catalog_sha256": hashlib.sha256(catalog.read_bytes()).hexdigest(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tuxpaint", type=Path, default=default_tuxpaint())
    parser.add_argument("--out", type=Path, default=ROOT / "assets" / "pictures")
    args = parser.parse_args()
    print(json.dumps(build(args.tuxpaint, args.out), indent=1))


if __name__ == "__main__":
    main()
