"""Build the bundled Luma shop (``assets/luma/``) from Magento's sample data, byte for byte.

    .venv/bin/python scripts/build/build_luma.py [--luma DIR] [--out assets/luma]
    .venv/bin/python scripts/build/build_vectors.py luma     # then its prebuilt vectors

One row per thing a person would pick on a shelf:
- an apparel style in one colour (``MH01-black``: "Chaz Kangeroo Hoodie (Black)"), its sizes as
  ``options``: a colour is what people ask for ("in blue", "not pink") and has its own photo;
- a gear item (bags, fitness equipment, watches), a yoga set and a training video, as sold.

Fields, all read from the data: ``categories`` is the store's path without "Default Category",
collections and promotions (``["Women", "Tops", "Jackets"]``); ``gender`` comes from that path
(apparel) or the gear's own field; ``colour`` from the variant's label, except where the SKU and
the photo name another (the store's "Red" Sprite ball is ``-pink`` in both); ``activity`` is the
gear's field, and for apparel the activities its own description names plus "Yoga" for the
store's yoga collection; ``climate``, ``material``, ``pattern``, ``style`` and ``features`` are
Magento's attribute values; ``collections`` holds the store's collections and its sale / new
flags; ``rating`` and ``reviews`` are the mean and count of the sample reviews of the product
(every colour of a style shares them), whose text also ends the description the retriever reads.

Side tables: ``cooccur.json`` holds the store's product links (related, up-sell, cross-sell),
its wishlists and orders as blocks of item pairs (a link between two styles joins every colour
of each); ``popularity.json`` counts each product's reviews.
"""

from __future__ import annotations

import argparse
import csv
import html
import json
import re
import shutil
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from recommender.evaluation.run import SHARED  # noqa: E402
from recommender.schemas import CatalogRow  # noqa: E402

SOURCE = "Magento 2 sample data (github.com/magento/magento2-sample-data, March 2024), SKU {sku}"
LICENCE = "OSL-3.0 (sample data: OSL-3.0 and AFL-3.0); photo: OSL-3.0"
DOCS = Path(__file__).resolve().parent / "catalog_docs"
# Path parts that are shelves, not kinds of product.
NOT_KINDS = {"Default Category", "Collections", "Promotions"}
# Activities an apparel description may name, in the words of the store's activity field
# (lower-cased, as every activity and gender is: they are words people type).
ACTIVITY_WORDS = {
    "yoga": "yoga",
    "pilates": "yoga",
    "running": "running",
    "run": "running",
    "runs": "running",
    "runners": "running",
    "jogging": "running",
    "marathon": "running",
    "gym": "gym",
    "hiking": "hiking",
    "hike": "hiking",
    "trail": "trail",
    "cycling": "cycling",
    "biking": "cycling",
    "tennis": "tennis",
    "workout": "gym",
    "workouts": "gym",
    "training": "training",
}
COLOUR_WORDS = {
    "black", "blue", "brown", "gray", "green", "orange", "pink", "purple", "red", "white",
    "yellow", "lavender",
}  # fmt: skip
# The store's flags, as collection names.
FLAGS = {
    "eco_collection": "Eco Friendly",
    "performance_fabric": "Performance Fabrics",
    "erin_recommends": "Erin Recommends",
    "new": "New",
    "sale": "Sale",
}
# How much each block of cooccur.json counts (written into catalog.toml by hand): complements
# (cross-sell) and wishlists say less about "more like this" than related and up-sell links.
LINK_FILES = {
    "related": ["ProductLinksSampleData/related.csv", "ConfigurableSampleData/Links/related.csv",
                "CatalogSampleData/Links/related.csv", "BundleSampleData/Links/related.csv",
                "GroupedProductSampleData/Link/related.csv",
                "DownloadableSampleData/Links/related.csv"],
    "upsell": ["ProductLinksSampleData/upsell.csv", "ConfigurableSampleData/Links/upsell.csv",
               "CatalogSampleData/Links/upsell.csv"],
    "crosssell": ["ProductLinksSampleData/crosssell.csv",
                  "ConfigurableSampleData/Links/crosssell.csv",
                  "CatalogSampleData/Links/crosssell.csv", "BundleSampleData/Links/crosssell.csv",
                  "GroupedProductSampleData/Link/crosssell.csv",
                  "DownloadableSampleData/Links/crosssell.csv"],
}  # fmt: skip


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def lines(value: str) -> list[str]:
    """A multi-valued Magento cell ("Gym\\nYoga", "Wool|Nylon") as clean, unique values."""
    parts = re.split(r"[\n|]", html.unescape(value or ""))
    return list(dict.fromkeys(p.strip() for p in parts if p.strip()))


def plain(markup: str) -> str:
    """An HTML description as sentences: list items end with a full stop, tags and entities go."""
    text = html.unescape(markup or "")
    text = re.sub(r"(?i)<\s*(li|br)\b[^>]*>", "\n", text)
    text = re.sub(r"<[^>]+>", " ", text)
    out = []
    for part in text.split("\n"):
        part = re.sub(r"\s+", " ", part.replace("•", " ")).strip(" ;")
        if part:
            out.append(part if part[-1] in ".!?:" else part + ".")
    return " ".join(out)


def kinds_of(paths: list[str]) -> tuple[list[str], list[str]]:
    """(categories, collections) of a product's category paths."""
    categories: list[str] = []
    collections: list[str] = []
    for path in paths:
        parts = [p.strip() for p in path.split("/") if p.strip()]
        if len(parts) >= 3 and parts[1] in {"Collections"}:
            collections.append(parts[2])
            continue
        if any(p in {"Collections", "Promotions"} for p in parts):
            continue
        for p in parts:
            if p not in NOT_KINDS and p not in categories:
                categories.append(p)
    return categories, list(dict.fromkeys(collections))


def gear_kinds(cell: list[str]) -> tuple[list[str], list[str]]:
    """(categories, collections) of a gear row's category cell, one name a line, where
    "Collections" and "Promotions" announce the name after them."""
    categories: list[str] = []
    collections: list[str] = []
    shelf = ""
    for name in (c.strip() for c in cell if c.strip()):
        if name in {"Collections", "Promotions"}:
            shelf = name
        elif shelf:
            if shelf == "Collections":
                collections.append(name)
            shelf = ""
        elif name not in NOT_KINDS:
            categories.append(name)
    return categories, collections


def activities(description: str, collections: list[str]) -> list[str]:
    words = set(re.findall(r"[a-z]+", description.lower()))
    found = [name for word, name in ACTIVITY_WORDS.items() if word in words]
    if any("Yoga" in c for c in collections):
        found.insert(0, "yoga")
    return list(dict.fromkeys(found))


def review_table(luma: Path) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in read_csv(luma / "fixtures/ReviewSampleData/products_reviews.csv"):
        out[r["sku"].strip()].append(r)
    return out


def with_reviews(attrs: dict, description: str, reviews: list[dict[str, str]]) -> str:
    """Rating mean and count into ``attrs``; the reviews' words after the description."""
    if not reviews:
        return description
    ratings = [int(r["rating_value"]) for r in reviews]
    attrs["rating"] = round(sum(ratings) / len(ratings), 1)
    attrs["reviews"] = len(ratings)
    said = " ".join(
        dict.fromkeys(f"“{r['title'].strip().rstrip('.')}”: {r['review'].strip()}" for r in reviews)
    )
    return f"{description} Reviews: {said}"


def copy_photo(luma: Path, out: Path, photo: str) -> str:
    """The photo into ``images/`` (flat: Magento's names are unique); its row path."""
    name = Path(photo).name
    source = luma / "images" / photo.lstrip("/")
    if not source.is_file():
        raise SystemExit(f"missing photo {source}")
    shutil.copyfile(source, out / "images" / name)
    return f"images/{name}"


def apparel(luma: Path, out: Path, reviews: dict) -> tuple[list[dict], dict[str, list[str]]]:
    """One row per style and colour; and the row ids of each style (for its links)."""
    records = read_csv(luma / "fixtures/ConfigurableSampleData/products.csv")
    variants: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in records:
        if r["product_type"] == "simple":
            variants[r["sku"].split("-")[0]].append(r)
    rows, of_style = [], defaultdict(list)
    for style in (r for r in records if r["product_type"] == "configurable"):
        sku = style["sku"]
        extra = dict(
            kv.split("=", 1) for kv in style["additional_attributes"].split(",") if "=" in kv
        )
        categories, collections = kinds_of(style["categories"].split(","))
        collections += [name for flag, name in FLAGS.items() if extra.get(flag) == "Yes"]
        description = plain(style["description"])
        by_colour: dict[str, dict[str, str | list[str]]] = {}
        for v in variants[sku]:
            attrs = dict(
                kv.split("=", 1) for kv in v["additional_attributes"].split(",") if "=" in kv
            )
            entry = by_colour.setdefault(attrs["color"], {"image": v["base_image"], "sizes": []})
            sizes = entry["sizes"]
            assert isinstance(sizes, list)
            if attrs["size"] not in sizes:
                sizes.append(attrs["size"])
        for colour, entry in by_colour.items():
            attrs: dict = {"price": float(style["price"]), "colour": [colour.lower()]}
            attrs["gender"] = [g.lower() for g in ("Women", "Men") if g in categories][:1]
            attrs["options"] = [f"Size {size}" for size in entry["sizes"]]
            acts = activities(description, collections)
            if acts:
                attrs["activity"] = acts
            for key in ("climate", "material", "pattern"):
                if extra.get(key):
                    attrs[key] = lines(extra[key])
            style_words = lines(extra.get("style_general", "")) + lines(
                extra.get("style_bottom", "")
            )
            if style_words:
                attrs["style"] = style_words
            if collections:
                attrs["collections"] = list(dict.fromkeys(collections))
            text = with_reviews(attrs, description, reviews.get(sku, []))
            item_id = f"{sku}-{colour.lower()}"
            of_style[sku].append(item_id)
            rows.append(
                {
                    "id": item_id,
                    "title": f"{html.unescape(style['name']).strip()} ({colour})",
                    "description": text,
                    "categories": [c for c in categories if c not in {"Women", "Men"}],
                    "attributes": attrs,
                    "image": copy_photo(luma, out, str(entry["image"])),
                    "source": SOURCE.format(sku=f"{sku}, colour {colour}"),
                    "licence": LICENCE,
                }
            )
    return rows, of_style


def gear(luma: Path, out: Path, reviews: dict) -> list[dict]:
    """Bags, fitness equipment and watches as sold, then the yoga sets and training videos."""
    base = luma / "fixtures"
    photos: dict[str, str] = {}
    for f in sorted((base / "CatalogSampleData/SimpleProduct").glob("images_*.csv")):
        for r in read_csv(f):
            photos.setdefault(r["sku"], r["image"])
    for f in ("BundleSampleData/images_yoga_bundle.csv",
              "GroupedProductSampleData/images_yoga_grouped.csv",
              "DownloadableSampleData/images_products_training_video.csv"):  # fmt: skip
        for r in read_csv(base / f):
            photos.setdefault(r["sku"], r["image"])
    records = []
    for f in sorted((base / "CatalogSampleData/SimpleProduct").glob("products_*.csv")):
        records += read_csv(f)
    prices = {r["sku"]: float(r["price"]) for r in records}
    for f in ("BundleSampleData/yoga_bundle.csv", "GroupedProductSampleData/yoga_grouped.csv",
              "DownloadableSampleData/products_training_video_download.csv"):  # fmt: skip
        records += read_csv(base / f)
    rows = []
    for r in records:
        sku = r["sku"]
        categories, collections = gear_kinds(r["category"].split("\n"))
        collections += [name for flag, name in FLAGS.items() if r.get(flag, "") in {"1", "Yes"}]
        attrs: dict = {"price": _price(r, prices)}
        if attrs["price"] is None:
            raise SystemExit(f"{sku}: no price")
        photo = photos.get(sku, "")
        colours = _colours(r, photo)
        if colours:
            attrs["colour"] = colours
        gender = [g.lower() for g in lines(r.get("gender", ""))]
        if gender:
            attrs["gender"] = gender
        activity = [a.lower() for a in lines(r.get("activity", ""))]
        if activity:
            attrs["activity"] = activity
        for key, name in (("material", "material"),
                          ("pattern", "pattern"), ("features_bags", "features"), ("strap_bags", "strap"),
                          ("category_gear", "use"), ("format", "format")):  # fmt: skip
            values = lines(r.get(key, ""))
            if values:
                attrs[name] = values
        if r.get("style_bags"):
            attrs["style"] = lines(r["style_bags"])
        if r.get("size"):
            attrs["options"] = [f"Size {r['size'].strip()}"]
        if collections:
            attrs["collections"] = list(dict.fromkeys(collections))
        text = with_reviews(attrs, plain(r["description"]), reviews.get(sku, []))
        rows.append(
            {
                "id": sku,
                "title": html.unescape(r["name"]).strip(),
                "description": text,
                "categories": categories,
                "attributes": attrs,
                "image": copy_photo(luma, out, photo) if photo else None,
                "source": SOURCE.format(sku=sku),
                "licence": LICENCE if photo else LICENCE.split(";")[0],
            }
        )
    return rows


def _price(r: dict[str, str], prices: dict[str, float]) -> float | None:
    """A product's price; a bundle's is its cheapest choice of each part, a set's its parts'."""
    if r.get("price", "").strip():
        return float(r["price"])
    if r.get("bundle_options"):
        total = 0.0
        for option in r["bundle_options"].split("\n"):
            choices = option.split(":", 1)[1].split(",")
            total += min(prices[c.strip()] for c in choices)
        return round(total, 2)
    if r.get("associated_sku"):
        return round(sum(prices[s.strip()] for s in r["associated_sku"].split(",")), 2)
    return None


def _colours(r: dict[str, str], photo: str) -> list[str]:
    """The colour the SKU or the photo's file name says, else the colour field."""
    for name in (r["sku"].lower(), Path(photo).stem.lower()):
        said = [w for w in re.split(r"[-_]", name) if w in COLOUR_WORDS]
        if said:
            return said[:1]
    return [c.lower() for c in lines(r.get("color", ""))]


def links(luma: Path, of_item: dict[str, list[str]]) -> dict[str, dict[str, dict[str, int]]]:
    """cooccur.json blocks: store links, wishlists and orders as item pairs (both directions)."""
    base = luma / "fixtures"
    blocks: dict[str, dict[str, dict[str, int]]] = {}

    def add(block: str, a_sku: str, b_sku: str) -> None:
        for a in of_item.get(a_sku, []):
            for b in of_item.get(b_sku, []):
                if a != b:
                    table = blocks.setdefault(block, {})
                    table.setdefault(a, {})[b] = 1
                    table.setdefault(b, {})[a] = 1

    for block, files in LINK_FILES.items():
        for f in files:
            if (base / f).is_file():
                for r in read_csv(base / f):
                    for other in lines(r["linked_sku"]):
                        add(block, r["sku"].strip(), other)
    baskets = []
    for r in read_csv(base / "WishlistSampleData/wishlist.csv"):
        baskets.append(("wishlists", [s.split("-")[0] if not s.startswith("24-") else s
                                      for s in lines(r["product_list"])]))  # fmt: skip
    orders: dict[str, list[str]] = defaultdict(list)
    for r in read_csv(base / "SalesSampleData/orders.csv"):
        orders[r["customer_email"]].append(json.loads(r["product"])["sku"])
    baskets += [("orders", skus) for skus in orders.values()]
    for block, skus in baskets:
        for i, a in enumerate(skus):
            for b in skus[i + 1 :]:
                add(block, a, b)
    return {
        k: {a: dict(sorted(v.items())) for a, v in sorted(t.items())} for k, t in blocks.items()
    }


def build(luma: Path, out: Path) -> dict:
    shutil.rmtree(out / "images", ignore_errors=True)
    (out / "images").mkdir(parents=True)
    reviews = review_table(luma)
    clothes, of_style = apparel(luma, out, reviews)
    rows = clothes + gear(luma, out, reviews)
    for row in rows:
        CatalogRow.model_validate(row)
    rows.sort(key=lambda r: r["id"])
    of_item = dict(of_style) | {r["id"]: [r["id"]] for r in rows if r["id"] not in of_style}
    with (out / "catalog.jsonl").open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n")
    blocks = links(luma, of_item)
    about = {
        "related": "the store's related-product links (a style's link joins all its colours)",
        "upsell": "the store's up-sell links",
        "crosssell": "the store's cross-sell links (complements: a strap for a yoga bag)",
        "wishlists": "products saved in one of the sample customers' wishlists",
        "orders": "products bought by the same sample customer",
    }
    cooccur = {"about": {k: about[k] for k in blocks}, **blocks}
    (out / "cooccur.json").write_text(json.dumps(cooccur, sort_keys=True) + "\n", "utf-8")
    popularity = {r["id"]: r["attributes"]["reviews"] for r in rows if "reviews" in r["attributes"]}
    (out / "popularity.json").write_text(
        json.dumps({"about": "reviews per product (sample reviews)", "mentions": popularity},
                   sort_keys=True) + "\n", "utf-8")  # fmt: skip
    for name in ("LICENSE-OSL-3.0.txt", "LICENSE-AFL-3.0.txt"):
        shutil.copyfile(luma / name, out / name)
    kinds = Counter(" / ".join(r["categories"][:3]) for r in rows)
    stats = {
        "items": len(rows),
        "style_colours": len(clothes),
        "styles": len(of_style),
        "other": len(rows) - len(clothes),
        "with_photo": sum(bool(r["image"]) for r in rows),
        "photos": len(list((out / "images").iterdir())),
        "rated": sum("rating" in r["attributes"] for r in rows),
        "reviews": sum(len(v) for v in reviews.values()),
        "link_pairs": {k: sum(len(v) for v in t.values()) // 2 for k, t in blocks.items()},
        "kinds": dict(sorted(kinds.items())),
    }
    readme = (DOCS / "luma_README.md").read_text(encoding="utf-8")
    table = "\n".join(f"| {k} | {n} |" for k, n in stats["kinds"].items())
    (out / "README.md").write_text(readme.format(**stats, kinds_table=table), "utf-8")
    return stats


def main() -> None:
    shared = SHARED  # MAGPIE_SHARED_DATA, or ../shared/data
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--luma", type=Path, default=shared / "magento-luma")
    parser.add_argument("--out", type=Path, default=ROOT / "assets" / "luma")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    print(json.dumps(build(args.luma, args.out), indent=1))


if __name__ == "__main__":
    main()
