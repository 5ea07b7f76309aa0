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
