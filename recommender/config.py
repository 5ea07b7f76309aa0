"""One frozen settings object: defaults < TOML file < environment.

The file is ``magpie.toml`` in the working directory, or the path in ``MAGPIE_CONFIG``.
Every field can be set from the environment as ``MAGPIE_<FIELD>`` (upper case); fusion
weights as ``MAGPIE_WEIGHT_<SIGNAL>``. Model fields take a preset name (offline, from the
pinned packages), a local path, or a hub id (where a hub is reachable, e.g. on Spaces).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recommender.errors import ConfigError
from recommender.signals import DEFAULT_WEIGHTS

__all__ = ["Settings", "load_settings"]

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """All of Magpie's settings. Paths are resolved against the working directory."""

    # Where indexes, converted weights and sessions live.
    data_dir: Path = Path("data")
    cache_dir: Path = Path(os.path.expanduser("~/.cache/magpie"))
    assets_dir: Path = ROOT / "assets"
    prompts_dir: Path = ROOT / "prompts"

    # Models: preset name, local path, or hub id.
    # presets: use-multilingual, minilm, e5-small, embeddinggemma (docs/models.md: chosen by numbers)
    text_model: str = "use-multilingual"
    image_model: str = "efficientnet-lite0"  # presets: efficientnet-lite0; or clip:<hub id>
    # Whisper base tells the language and hears every note; tiny.en gives a second opinion on an
    # English one and the more confident transcript is kept (real voices, Common Voice: WER 0.118,
    # base alone 0.117, tiny.en alone 0.167; docs/evaluation.md). Presets: base+tiny.en, base,
    # tiny.en; a whisper name / .pt path.
    speech_model: str = "base+tiny.en"
    # How a voice note is decoded (models/speech.py Decoding), chosen on real voices within the
    # 2-core budget (< 0.4 s per s of audio): 0 greedy, n a beam of n hypotheses.
    speech_beam_size: int = 0  # English notes (a beam of 3: WER 0.118 for 0.455 s per s)
    speech_beam_size_other: int = 2  # other languages (Mandarin CER 0.302 -> 0.283)
    speech_trim_silence: bool = (
        False  # trimming silence cost accuracy (0.167 -> 0.181, 0.297 -> 0.339)
    )
    speech_simplified: bool = True  # Mandarin transcripts in simplified characters (OpenCC t2s)
    # none: the templates write every reply (a blind reading preferred them to both CPU presets,
    # docs/evaluation.md "Replies"); llama_cpp with qwen2.5-coder-0.5b / -1.5b lets a model write.
    llm_backend: str = "none"  # llama_cpp | transformers | openai | none
    llm_model: str = "qwen2.5-coder-0.5b"  # preset, .gguf path, or hub id
    llm_base_url: str = ""  # OpenAI-compatible endpoint for llm_backend=openai
    llm_api_key: str = field(default="", repr=False)  # never printed with the settings
    llm_timeout_s: float = 60.0  # an OpenAI-compatible server silent this long: template reply
    # The model's reply still streaming this long after it began is cut: what came is kept
    # (grounded), the other cards keep their template reasons. 11 s keeps the whole reply within
    # 12 s on 2 cores (issue 21); a server backend may want more.
    turn_deadline_s: float = 11.0
    llm_threads: int = 0  # 0: one per core
    llm_context: int = 4096
    llm_max_tokens: int = 260  # the reply's JSON: an opening and a reason per card, at most
    # Off by default on the CPU presets: measured, Qwen2.5-0.5B adds ~6 s before the cards and
    # invents constraints and facts (README, "The language model"). Turn on with a larger model.
    llm_reasons: bool = True  # the model writes a reason per card, each kept only if grounded
    profile_llm: bool = False  # the LLM reads the profile too (the rule reader always runs)

    # Chroma: embedded by default; a server when chroma_host is set.
    chroma_host: str = ""
    chroma_port: int = 8000
    # How often a loaded catalogue checks whether another process re-ingested it (0: never).
    catalog_refresh_s: float = 5.0

    # Ranking.
    top_k: int = 5  # cards per turn
    candidates: int = 200  # per retrieval source
    mmr_lambda: float = 0.75  # 1: pure relevance, 0: pure diversity
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))

    # Limits: every size limit of the code is one of these.
    max_audio_s: float = 30.0  # a voice note is cut here (one Whisper window)
    max_upload_mb: float = 20.0  # a photo or voice note, and each catalogue photo
    max_image_pixels: int = 40_000_000  # decoded size of a photo (decompression bombs)
    max_photos: int = 4  # photos read per message; more are left out, with a notice
    max_files: int = 8  # files taken from one message (photos, a voice note, others)
    max_chat_messages: int = 200  # the page's chat keeps this many; older ones go, with a line
    max_photo_side: int = 1024  # a photo is shrunk to this longest side as soon as it is decoded
    max_text_chars: int = 2_000  # a message is cut here
    max_catalog_mb: float = 512.0  # a catalogue file
    max_history_turns: int = 6  # turns given to the LLM

    # The app's queue (per process).
    turn_concurrency: int = 1  # turns at once: the LLM and the 2 CPU cores are the bottleneck
    queue_size: int = 64  # turns waiting beyond this are refused with a "busy" message
    upload_ttl_s: int = 6 * 3600  # an abandoned session's uploads are deleted after this long

    catalog: str = "movies"  # the default catalogue
    # The key Gradio encodes each browser's remembered profile with (app/memory.py; the page
    # carries it, so it keeps the copy from being plain text, nothing more). Empty: one made
    # once and kept in data_dir/browser-secret, so a restart still reads the browsers' copies.
    browser_secret: str = field(default="", repr=False)

    def with_(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


def _coerce(name: str, raw: Any, current: Any) -> Any:
    try:
        if isinstance(current, bool):
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        if isinstance(current, int):
            return int(raw)
        if isinstance(current, float):
            return float(raw)
        if isinstance(current, Path):
            return Path(os.path.expanduser(str(raw)))
        if isinstance(current, dict):
            if not isinstance(raw, dict):
                raise ValueError(raw)
            return {**current, **{str(k): float(v) for k, v in raw.items()}}
        return str(raw)
    except (TypeError, ValueError) as e:
        raise ConfigError(f"setting {name!r} has a bad value: {raw!r}") from e


def load_settings(
    path: str | os.PathLike[str] | None = None,
    env: dict[str, str] | None = None,
    **overrides: Any,
) -> Settings:
    """Build the settings: defaults, then the TOML file, then ``MAGPIE_*`` variables, then overrides."""
    env = dict(os.environ if env is None else env)
    settings = Settings()
    names = {f.name for f in dataclasses.fields(Settings)}

    file = Path(path or env.get("MAGPIE_CONFIG", "magpie.toml"))
    if file.is_file():
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"cannot read {file}: {e}") from e
        unknown = set(data) - names
        if unknown:
            raise ConfigError(f"unknown settings in {file}: {', '.join(sorted(unknown))}")
        settings = dataclasses.replace(
            settings, **{k: _coerce(k, v, getattr(settings, k)) for k, v in data.items()}
        )
    elif path is not None:
        raise ConfigError(f"settings file not found: {file}")

    changes: dict[str, Any] = {}
    weights = dict(settings.weights)
    for key, raw in env.items():
        if not key.startswith("MAGPIE_") or key == "MAGPIE_CONFIG":
            continue
        name = key[len("MAGPIE_") :].lower()
        if name.startswith("weight_"):
            weights[name[len("weight_") :]] = _coerce(key, raw, 0.0)
        elif name in names and name != "weights":
            changes[name] = _coerce(key, raw, getattr(settings, name))
    changes["weights"] = weights
    for name, value in overrides.items():
        if name not in names:
            raise ConfigError(f"unknown setting {name!r}")
        changes[name] = _coerce(name, value, getattr(settings, name)) if value is not None else None
    return dataclasses.replace(settings, **{k: v for k, v in changes.items() if v is not None})
