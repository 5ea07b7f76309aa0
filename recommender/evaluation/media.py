"""``magpie eval images``: how well pictures are understood.

On a labelled picture set (``catalog.jsonl`` with ``image``, ``categories`` top first,
``description`` and ``description_i18n``; e.g. Tux Paint's stamps):
- image -> image: leave-one-out precision@1/@5 of the top category among the nearest pictures
  (image vectors, cosine), beside a colour-histogram baseline and chance;
- text -> image: the English and the Chinese (zh_CN) sentence as the query. CLIP embeds both sides
  in one space; EfficientNet has no text tower, so a sentence is matched, with the text model,
  against the words read from each picture (top labels and colours), as the app's profile sees them;
- tagging: the top category predicted from a picture's words alone (nearest category name,
  text model), and the share of pictures whose top-5 labels contain a word of their title.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from recommender.errors import ModelUnavailable
from recommender.evaluation.report import table
from recommender.text import normalise, stem

if TYPE_CHECKING:
    from recommender.config import Settings

__all__ = [
    "evaluate_images",
    "images_markdown",
    "leave_one_out",
    "precision_at",
]

log = logging.getLogger(__name__)

CHINESE = "zh_CN"
HISTOGRAM_BINS = 4  # per RGB channel: a 64-bin colour histogram, the naive visual baseline
LABELS_READ = 5  # top labels whose words describe a picture (the encoder's TOP_LABELS)


@dataclass(frozen=True)
class Picture:
    id: str
    title: str
    category: str  # the top category
    sentence: str  # English description
    chinese: str  # zh_CN description, "" when missing
    path: Path


def load_pictures(folder: Path, limit: int | None = None) -> list[Picture]:
    """The labelled pictures; ``limit`` takes that many spread evenly over the file (a file is
    usually sorted by category, and its first pictures would all share one)."""
    out: list[Picture] = []
    with (folder / "catalog.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            row = json.loads(line)
            if not row.get("image") or not row.get("categories"):
                continue
            i18n = row.get("description_i18n") or {}
            out.append(
                Picture(
                    row["id"],
                    row.get("title", row["id"]),
                    row["categories"][0],
                    row.get("description", ""),
                    i18n.get(CHINESE, ""),
                    folder / row["image"],
                )
            )
    if limit is not None and limit < len(out):
        step = len(out) / limit
        out = [out[int(n * step)] for n in range(limit)]
    return out


def leave_one_out(
    similarity: np.ndarray, labels: Sequence[str], ks: Sequence[int] = (1, 5)
) -> dict[str, float]:
    """Precision@k of the label among each row's nearest other rows.

    >>> sim = np.array([[1, .9, .1], [.9, 1, .2], [.1, .2, 1]])
    >>> leave_one_out(sim, ["a", "a", "b"], ks=(1,))
    {'p@1': 0.6667}
    """
    sim = np.array(similarity, dtype=np.float64, copy=True)
    np.fill_diagonal(sim, -np.inf)
    return precision_at(sim, labels, labels, ks)


def precision_at(
    sim: np.ndarray, query_labels: Sequence[str], item_labels: Sequence[str], ks: Sequence[int]
) -> dict[str, float]:
    order = np.argsort(-sim, axis=1, kind="stable")
    items = np.asarray(item_labels, dtype=object)
    out = {}
    for k in ks:
        hits = items[order[:, :k]] == np.asarray(query_labels, dtype=object)[:, None]
        out[f"p@{k}"] = round(float(hits.mean()), 4)
    return out


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)


def colour_histograms(images: Sequence[Any]) -> np.ndarray:
    """A 64-bin RGB histogram per picture (white background left out), L2-normalised."""
    from recommender.models.image_io import letterbox

    rows = []
    for image in images:
        pixels = ((letterbox(image) + 1.0) * 127.5).reshape(-1, 3)
        pixels = pixels[(pixels < 235).any(axis=1)]  # the white paper is not the picture
        bins = np.clip((pixels / 256 * HISTOGRAM_BINS).astype(int), 0, HISTOGRAM_BINS - 1)
        index = bins[:, 0] * HISTOGRAM_BINS**2 + bins[:, 1] * HISTOGRAM_BINS + bins[:, 2]
        rows.append(np.bincount(index, minlength=HISTOGRAM_BINS**3).astype(np.float32))
    return _unit(np.stack(rows))


def title_words(title: str) -> set[str]:
    return {stem(w) for w in normalise(title).split() if w.isalpha() and len(w) > 2}


def evaluate_images(settings: Settings, folder: Path, limit: int | None = None) -> dict[str, Any]:
    from recommender.models.base import embed_queries
    from recommender.models.image_io import open_image_within
    from recommender.models.text import load_text_embedder
    from recommender.models.vision import load_image_encoder

    started = time.perf_counter()
    encoder = load_image_encoder(settings.image_model, settings.cache_dir)
    if encoder is None:
        raise ModelUnavailable("the image model is switched off (image_model = none)")
    text_model = load_text_embedder(settings.text_model, settings.cache_dir)
    pictures = load_pictures(folder, limit)
    images = [open_image_within(p.path, settings) for p in pictures]
    t = time.perf_counter()
    understood = encoder.encode(images)
    encode_s = time.perf_counter() - t
    vectors = _unit(np.array([u.vector for u in understood]))
    labels = [p.category for p in pictures]
    counts = Counter(labels)
    n = len(pictures)
    chance = sum((counts[c] - 1) / max(n - 1, 1) for c in labels) / max(n, 1)

    tasks: dict[str, dict[str, Any]] = {}
    tasks["image->image"] = leave_one_out(vectors @ vectors.T, labels)
    hist = colour_histograms(images)
    tasks["image->image, colour histogram"] = leave_one_out(hist @ hist.T, labels)

    # What a picture "says" in words: its top labels and colours, as the profile receives them.
    words = [" ".join([w for w, _ in u.labels[:LABELS_READ]] + u.colours) for u in understood]
    embed_text = getattr(encoder, "embed_text", None)
    side = vectors if embed_text is not None else text_model.embed(words)
    own = np.arange(n)
    for language, sentences in (
        ("English", [p.sentence for p in pictures]),
        ("Chinese", [p.chinese for p in pictures]),
    ):
        keep = [i for i, s in enumerate(sentences) if s]
        if not keep:
            continue
        queries = (
            embed_text([sentences[i] for i in keep])
            if embed_text
            else embed_queries(text_model, [sentences[i] for i in keep])
        )
        sim = np.asarray(queries) @ side.T
        result = precision_at(sim, [labels[i] for i in keep], labels, (1, 5))
        top5 = np.argsort(-sim, axis=1)[:, :5]
        result["own@5"] = round(float((top5 == own[keep][:, None]).any(axis=1).mean()), 4)
        result["queries"] = len(keep)
        tasks[f"text->image, {language}"] = result

    categories = sorted(counts)
    category_vectors = text_model.embed(categories)
    predicted = np.argmax(text_model.embed(words) @ category_vectors.T, axis=1)
    tagging = float(np.mean([categories[j] == c for j, c in zip(predicted, labels, strict=True)]))
    title_hits = [
        bool(
            title_words(p.title)
            & {stem(w) for label, _ in u.labels[:LABELS_READ] for w in normalise(label).split()}
        )
        for p, u in zip(pictures, understood, strict=True)
    ]
    return {
        "dataset": folder.resolve().name,
        "n_pictures": n,
        "categories": dict(counts.most_common()),
        "image_model": getattr(encoder, "name", settings.image_model),
        "text_model": settings.text_model,
        "tasks": tasks,
        "chance_p": round(chance, 4),
        "tagging": {
            "category_accuracy": round(tagging, 4),
            "majority_share": round(counts.most_common(1)[0][1] / max(n, 1), 4),
            "title_word_in_top5_labels": round(float(np.mean(title_hits)), 4) if n else 0.0,
        },
        "encode_ms_per_image": round(1000 * encode_s / max(n, 1), 1),
        "seconds": round(time.perf_counter() - started, 1),
    }


def images_markdown(result: dict[str, Any]) -> str:
    tag = result["tagging"]
    return "\n".join(
        [
            f"# Image understanding: {result['dataset']} ({result['n_pictures']} pictures)",
            "",
            f"Image model {result['image_model']}, text model {result['text_model']}; "
            f"category precision of the nearest pictures (chance {result['chance_p']:.3f}).",
            "",
            table(result["tasks"], ["p@1", "p@5", "own@5"], first="task"),
            "",
            f"Tagging: top category from the picture's words {tag['category_accuracy']:.3f} "
            f"(majority class {tag['majority_share']:.3f}); a title word among the top-5 labels "
            f"{tag['title_word_in_top5_labels']:.3f}. Encoding {result['encode_ms_per_image']} ms "
            f"a picture; {result['seconds']} s in all.",
            "",
        ]
    )


@dataclass(frozen=True)
class Product:
    """A shop photo of one style in one colour (an id ``<style>-<colour>``)."""

    id: str
    style: str
    colour: str
    kind: str  # the finest category: "Jackets", "Bags"
    path: Path


def load_products(folder: Path) -> list[Product]:
    """The rows of a shop whose id is ``<style>-<colour>`` with that one colour and a photo:
    the photos a colour can be held out of."""
    out: list[Product] = []
    with (folder / "catalog.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line) if line.strip() else {}
            colours = (row.get("attributes") or {}).get("colour") or []
            if not row.get("image") or not row.get("categories") or len(colours) != 1:
                continue
            colour = str(colours[0]).lower()
            if row["id"].lower().endswith("-" + colour):
                style = row["id"][: -len(colour) - 1]
                out.append(Product(row["id"], style, colour, row["categories"][-1],
                                   folder / row["image"]))  # fmt: skip
    return out


def is_shop(folder: Path) -> bool:
    """A folder of style-colour products (``load_products`` finds styles in several colours)."""
    styles = Counter(p.style for p in load_products(folder))
    return sum(n > 1 for n in styles.values()) >= 2


def held_out_colours(
    similarity: np.ndarray, products: Sequence[Product], k: int = 5
) -> dict[str, Any]:
    """Each photo of a style sold in several colours as a query against every other photo
    (never itself): precision@k of its kind, by kind; how often another colour of its style is
    among the k; and, stricter, the kind's precision when its whole style is held out.

    >>> ps = [Product(f"{s}-{c}", s, c, kind, Path(".")) for s, kind in (("a", "Tees"),
    ...       ("b", "Tees"), ("c", "Bags")) for c in ("red", "blue")]
    >>> sim = np.eye(6) + 0.5 * np.kron(np.eye(3), np.ones((2, 2)))
    >>> held_out_colours(sim, ps, k=1)["overall"]
    {'p@1': 1.0, 'style@1': 1.0, 'p@1 style held out': 0.6667, 'queries': 6}
    """
    kinds = np.array([p.kind for p in products], dtype=object)
    styles = np.array([p.style for p in products], dtype=object)
    counts = Counter(styles.tolist())
    rows: dict[str, list[tuple[float, float, float]]] = {}
    for i, p in enumerate(products):
        if counts[p.style] < 2:
            continue
        sim = np.array(similarity[i], dtype=np.float64)
        sim[i] = -np.inf
        top = np.argsort(-sim, kind="stable")[:k]
        other = sim.copy()
        other[styles == p.style] = -np.inf
        top_other = np.argsort(-other, kind="stable")[:k]
        rows.setdefault(p.kind, []).append(
            (
                float(np.mean(kinds[top] == p.kind)),
                float(np.any(styles[top] == p.style)),
                float(np.mean(kinds[top_other] == p.kind)),
            )
        )

    def summary(values: list[tuple[float, float, float]]) -> dict[str, Any]:
        a = np.array(values)
        return {
            f"p@{k}": round(float(a[:, 0].mean()), 4),
            f"style@{k}": round(float(a[:, 1].mean()), 4),
            f"p@{k} style held out": round(float(a[:, 2].mean()), 4),
            "queries": len(values),
        }

    every = [v for values in rows.values() for v in values]
    return {
        "overall": summary(every) if every else {},
        "by_kind": {kind: summary(v) for kind, v in sorted(rows.items())},
    }


def evaluate_shop_photos(settings: Settings, folder: Path) -> dict[str, Any]:
    """``magpie eval images --data <a shop folder>``: colour-held-out photo retrieval by kind,
    beside a colour-histogram baseline and chance, and how often the colour a photo is read as
    is the colour the shop sells it in."""
    from recommender.models.image_io import open_image_within
    from recommender.models.vision import load_image_encoder

    started = time.perf_counter()
    encoder = load_image_encoder(settings.image_model, settings.cache_dir)
    if encoder is None:
        raise ModelUnavailable("the image model is switched off (image_model = none)")
    products = load_products(folder)
    images = [open_image_within(p.path, settings) for p in products]
    t = time.perf_counter()
    understood = encoder.encode(images)
    encode_s = time.perf_counter() - t
    vectors = _unit(np.array([u.vector for u in understood]))
    hist = colour_histograms(images)
    kinds = Counter(p.kind for p in products)
    n = len(products)
    chance = sum((kinds[p.kind] - 1) / max(n - 1, 1) for p in products) / max(n, 1)
    first = [
        bool(u.colours) and u.colours[0] == p.colour
        for p, u in zip(products, understood, strict=True)
    ]
    two = [p.colour in u.colours[:2] for p, u in zip(products, understood, strict=True)]
    return {
        "dataset": folder.resolve().name,
        "n_photos": n,
        "styles": len({p.style for p in products}),
        "kinds": dict(kinds.most_common()),
        "image_model": getattr(encoder, "name", settings.image_model),
        "photo": held_out_colours(vectors @ vectors.T, products),
        "colour histogram": held_out_colours(hist @ hist.T, products),
        "chance_p": round(chance, 4),
        "colour_named": {
            "first": round(float(np.mean(first)), 4) if n else 0.0,
            "first_two": round(float(np.mean(two)), 4) if n else 0.0,
        },
        "encode_ms_per_image": round(1000 * encode_s / max(n, 1), 1),
        "seconds": round(time.perf_counter() - started, 1),
    }


def shop_photos_markdown(result: dict[str, Any]) -> str:
    photo, hist = result["photo"], result["colour histogram"]
    rows = {"all kinds": photo["overall"]} | photo["by_kind"]
    names = result["colour_named"]
    return "\n".join(
        [
            f"# Shop photos: {result['dataset']} ({result['n_photos']} photos, "
            f"{result['styles']} styles)",
            "",
            f"Each photo of a style sold in several colours is a query against every other photo "
            f"(never itself); image model {result['image_model']}. p@5: the share of the five "
            f"nearest of the query's kind (chance {result['chance_p']:.3f}); style@5: another "
            f"colour of its style among them; 'style held out': p@5 with the whole style left out.",
            "",
            table(rows, ["p@5", "style@5", "p@5 style held out", "queries"], first="kind"),
            "",
            f"Colour histogram baseline: p@5 {hist['overall']['p@5']:.3f}, style@5 "
            f"{hist['overall']['style@5']:.3f}, style held out "
            f"{hist['overall']['p@5 style held out']:.3f}.",
            "",
            f"The colour a photo is read as is the one the shop sells it in: first colour "
            f"{names['first']:.3f}, among the first two {names['first_two']:.3f}. Encoding "
            f"{result['encode_ms_per_image']} ms a photo; {result['seconds']} s in all.",
            "",
        ]
    )
