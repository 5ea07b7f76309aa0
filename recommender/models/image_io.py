"""Pixels before any model: open an upload safely, fit it to the encoder's input, name colours.

``open_image`` turns untrusted bytes into an RGB picture or a user-facing ``ImageError``;
``letterbox`` makes the array an encoder reads; ``dominant_colours`` names the basic colours
of the object. Only Pillow and numpy: kept apart from the encoders in ``vision`` (which
re-exports these names), so checking an upload never touches model code.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from recommender.errors import ImageError

if TYPE_CHECKING:
    from recommender.config import Settings

__all__ = [
    "dominant_colours",
    "letterbox",
    "open_image",
    "open_image_within",
    "to_rgb",
]

log = logging.getLogger(__name__)

INPUT_SIZE = 224  # EfficientNet-Lite0's training resolution (efficientnet_lite_builder.py)
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
    # Muted orange and pale yellow garments (the Luma shop's photos, one half of its styles:
    # first colour named right 0.546 -> 0.639) were named brown and beige.
    ("orange", (225, 160, 70)),
    ("orange", (240, 180, 100)),
    ("yellow", (255, 225, 0)),
    ("yellow", (240, 230, 110)),
    ("yellow", (230, 230, 140)),
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


# ---- opening an upload ----------------------------------------------------------------------


def open_image_within(source: str | bytes | Path, limits: Settings) -> Image.Image:
    """``open_image`` with the configured limits (``max_upload_mb``, ``max_image_pixels``)."""
    return open_image(
        source,
        max_bytes=int(limits.max_upload_mb * 2**20),
        max_pixels=limits.max_image_pixels,
        max_side=limits.max_photo_side,
    )


def open_image(
    source: str | bytes | Path, *, max_bytes: int, max_pixels: int, max_side: int = 0
) -> Image.Image:
    """An upload as a fully loaded RGB picture, upright, transparency flattened onto white.

    Size limits are checked before decoding: the byte size first, then the pixel count the
    header declares (a decompression bomb declares far more than it carries). ``max_side``
    (when set) shrinks the picture right after decoding, so several photos of a message never
    sit in memory at full size together.
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
            raise ImageError(key="notice.photo_missing") from e
        except IsADirectoryError as e:
            raise ImageError(key="notice.photo_folder") from e
        except OSError as e:
            raise ImageError(key="notice.photo_unreadable") from e
    try:
        image: Image.Image = Image.open(io.BytesIO(data), formats=UPLOAD_FORMATS)
        width, height = image.size
        if width * height > max_pixels:
            raise ImageError(
                key="notice.photo_too_many_pixels",
                width=width,
                height=height,
                limit=f"{max_pixels / 1e6:g}",
            )
        if image.format in ("JPEG", "MPO"):  # MPO: a JPEG with extra frames
            side = max_side or JPEG_DRAFT_SIDE
            image.draft("RGB", (side, side))
        image.load()
        if max_side and max(image.size) > max_side:
            image.thumbnail((max_side, max_side))
    except ImageError:
        raise
    except Image.DecompressionBombError as e:
        raise ImageError(key="notice.photo_unsafe") from e
    except UnidentifiedImageError as e:
        raise ImageError(key="notice.photo_not_image") from e
    except Exception as e:  # decoders raise many types on hostile input; none may end a turn
        raise ImageError(key="notice.photo_damaged") from e
    try:
        image = ImageOps.exif_transpose(image)
    except Exception:  # a broken EXIF block must not cost the photo; it only loses rotation
        log.debug("ignoring unreadable EXIF orientation", exc_info=True)
    return to_rgb(image)


def _check_size(size: int, max_bytes: int) -> None:
    if size == 0:
        raise ImageError(key="notice.photo_empty")
    if size > max_bytes:
        raise ImageError(
            key="notice.photo_too_large",
            size=f"{size / 2**20:.1f}",
            limit=f"{max_bytes / 2**20:g}",
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
