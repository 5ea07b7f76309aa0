"""Speech: the CTranslate2 reader and converter, the transcriber's checks, word error rate.

Unit tests use a synthetic ``model.bin`` written here in CTranslate2's layout and a fake
Whisper model; ``models`` tests convert and run the real tiny.en weights.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import missing, needs, write_wav

from recommender.errors import AudioError, ModelUnavailable
from recommender.models import speech, whisper_convert
from recommender.models.base import Transcriber
from recommender.models.speech import (
    SAMPLE_RATE,
    Decoding,
    WhisperTranscriber,
    is_silent,
    load_transcriber,
    word_error_rate,
)
from recommender.models.whisper_convert import read_ct2, to_whisper_state

needs_ffmpeg = needs("ffmpeg")
DTYPE_IDS = {"float32": 0, "int8": 1, "int16": 2, "int32": 3, "float16": 4}


# --- a CTranslate2 model.bin writer (the layout of ctranslate2/specs/model_spec.py) ----------


def _string(text: str) -> bytes:
    raw = text.encode() + b"\0"
    return struct.pack("<H", len(raw)) + raw


def write_ct2(
    path: Path,
    variables: dict[str, np.ndarray],
    aliases: dict[str, str] | None = None,
    *,
    spec: str = "WhisperSpec",
    version: int = 6,
) -> Path:
    out = [struct.pack("<I", version), _string(spec), struct.pack("<I", 3)]
    out.append(struct.pack("<I", len(variables)))
    for name, value in sorted(variables.items()):
        value = np.asarray(value)
        out += [_string(name), struct.pack("<B", value.ndim)]
        out += [struct.pack("<I", d) for d in value.shape]
        raw = value.astype(value.dtype.newbyteorder("<")).tobytes()
        out += [struct.pack("<BI", DTYPE_IDS[value.dtype.name], len(raw)), raw]
    out.append(struct.pack("<I", len(aliases or {})))
    for alias, target in (aliases or {}).items():
        out += [_string(alias), _string(target)]
    path.write_bytes(b"".join(out))
    return path


def ct2_from_whisper(
    state: dict[str, Any], n_head: int, quantize: bool = False
) -> dict[str, np.ndarray]:
    """An openai-whisper state_dict laid out the way CTranslate2's Whisper converter stores it."""
    s = {k: v.numpy() for k, v in state.items()}
    out: dict[str, np.ndarray] = {}

    def lin(dst: str, weight: np.ndarray, bias: np.ndarray) -> None:
        if quantize:  # CTranslate2's int8: rows scaled by 127 / row max, the scales stored beside
            scale = (127.0 / np.abs(weight).max(axis=1)).astype(np.float32)
            out[f"{dst}/weight"] = np.rint(weight * scale[:, None]).astype(np.int8)
            out[f"{dst}/weight_scale"] = scale
        else:
            out[f"{dst}/weight"] = weight
        out[f"{dst}/bias"] = bias

    def ln(dst: str, src: str) -> None:
        out[f"{dst}/gamma"], out[f"{dst}/beta"] = s[f"{src}.weight"], s[f"{src}.bias"]

    def block(src: str, dst: str, cross: bool) -> None:
        a = f"{src}.attn"
        zero = np.zeros_like(s[f"{a}.query.bias"])
        lin(
            f"{dst}/self_attention/linear_0",
            np.concatenate([s[f"{a}.query.weight"], s[f"{a}.key.weight"], s[f"{a}.value.weight"]]),
            np.concatenate([s[f"{a}.query.bias"], zero, s[f"{a}.value.bias"]]),
        )
        lin(f"{dst}/self_attention/linear_1", s[f"{a}.out.weight"], s[f"{a}.out.bias"])
        ln(f"{dst}/self_attention/layer_norm", f"{src}.attn_ln")
        if cross:
            c = f"{src}.cross_attn"
            lin(f"{dst}/attention/linear_0", s[f"{c}.query.weight"], s[f"{c}.query.bias"])
            lin(
                f"{dst}/attention/linear_1",
                np.concatenate([s[f"{c}.key.weight"], s[f"{c}.value.weight"]]),
                np.concatenate([zero, s[f"{c}.value.bias"]]),
            )
            lin(f"{dst}/attention/linear_2", s[f"{c}.out.weight"], s[f"{c}.out.bias"])
            ln(f"{dst}/attention/layer_norm", f"{src}.cross_attn_ln")
        lin(f"{dst}/ffn/linear_0", s[f"{src}.mlp.0.weight"], s[f"{src}.mlp.0.bias"])
        lin(f"{dst}/ffn/linear_1", s[f"{src}.mlp.2.weight"], s[f"{src}.mlp.2.bias"])
        ln(f"{dst}/ffn/layer_norm", f"{src}.mlp_ln")

    for part in ("conv1", "conv2"):
        out[f"encoder/{part}/weight"] = s[f"encoder.{part}.weight"]
        out[f"encoder/{part}/bias"] = s[f"encoder.{part}.bias"]
    out["encoder/position_encodings/encodings"] = s["encoder.positional_embedding"]
    out["encoder/num_heads"] = np.array(n_head, dtype=np.int16)
    for i in range(sum(k.endswith("attn_ln.weight") for k in s if k.startswith("encoder."))):
        block(f"encoder.blocks.{i}", f"encoder/layer_{i}", cross=False)
    ln("encoder/layer_norm", "encoder.ln_post")
    out["decoder/embeddings/weight"] = s["decoder.token_embedding.weight"]
    out["decoder/position_encodings/encodings"] = s["decoder.positional_embedding"]
    out["decoder/num_heads"] = np.array(n_head, dtype=np.int16)
    out["decoder/pre_norm"] = np.array(1, dtype=np.int8)
    for i in range(sum(k.endswith(".attn_ln.weight") for k in s if k.startswith("decoder."))):
        block(f"decoder.blocks.{i}", f"decoder/layer_{i}", cross=True)
    ln("decoder/layer_norm", "decoder.ln")
    return out


TINY_DIMS = dict(
    n_mels=8,
    n_audio_ctx=6,
    n_audio_state=16,
    n_audio_head=2,
    n_audio_layer=2,
    n_vocab=40,
    n_text_ctx=5,
    n_text_state=16,
    n_text_head=2,
    n_text_layer=2,
)


@pytest.fixture(scope="module")
def tiny_whisper() -> Any:
    torch = pytest.importorskip("torch")
    model_mod = pytest.importorskip("whisper.model")
    torch.manual_seed(0)
    model = model_mod.Whisper(model_mod.ModelDimensions(**TINY_DIMS))
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.2)
    return model.eval()


# --- the reader -----------------------------------------------------------------------------


def test_reader_parses_header_variables_scalars_and_aliases(tmp_path: Path) -> None:
    weight = np.arange(6, dtype=np.float16).reshape(2, 3)
    path = write_ct2(
        tmp_path / "model.bin",
        {
            "decoder/embeddings/weight": weight,
            "decoder/num_heads": np.array(6, dtype=np.int16),
            "encoder/q": np.array([[1, -2]], dtype=np.int8),
        },
        {"decoder/projection/weight": "decoder/embeddings/weight"},
    )
    model = read_ct2(path)
    assert (model.version, model.spec, model.revision) == (6, "WhisperSpec", 3)
    assert model.dtypes == {
        "decoder/embeddings/weight": "float16",
        "decoder/num_heads": "int16",
        "encoder/q": "int8",
    }
    np.testing.assert_array_equal(model.get("decoder/projection/weight"), weight)
    assert int(model.get("decoder/num_heads")) == 6 and model.get("decoder/num_heads").shape == ()
    assert "decoder/projection/weight" in model and "nope" not in model


def test_reader_decodes_bfloat16(tmp_path: Path) -> None:
    values = np.array([1.5, -2.0, 0.15625], dtype=np.float32)
    raw = (values.view(np.uint32) >> 16).astype("<u2").tobytes()
    data = (
        struct.pack("<I", 6)
        + _string("WhisperSpec")
        + struct.pack("<II", 3, 1)
        + _string("x")
        + struct.pack("<BI", 1, 3)
        + struct.pack("<BI", 5, len(raw))
        + raw
        + struct.pack("<I", 0)
    )
    (tmp_path / "model.bin").write_bytes(data)
    np.testing.assert_array_equal(read_ct2(tmp_path / "model.bin").get("x"), values)


@pytest.mark.parametrize("cut", [3, 20, -1])
def test_reader_rejects_truncated_files(tmp_path: Path, cut: int) -> None:
    path = write_ct2(tmp_path / "model.bin", {"a": np.ones((4, 4), np.float32)})
    path.write_bytes(path.read_bytes()[:cut])
    with pytest.raises(ValueError, match="ends early"):
        read_ct2(path)


def test_reader_rejects_unknown_versions(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="binary version 3"):
        read_ct2(write_ct2(tmp_path / "model.bin", {}, version=3))


# --- the mapping ----------------------------------------------------------------------------


@pytest.mark.parametrize("quantize", [False, True])
def test_round_trip_loads_strictly_and_computes_the_same(
    tiny_whisper: Any, tmp_path: Path, quantize: bool
) -> None:
    import torch
    import whisper

    variables = ct2_from_whisper(tiny_whisper.state_dict(), n_head=2, quantize=quantize)
    path = write_ct2(
        tmp_path / "model.bin",
        variables,
        {"decoder/projection/weight": "decoder/embeddings/weight"},
    )
    dims, state = to_whisper_state(read_ct2(path))
    assert dims == TINY_DIMS
    assert set(state) == set(tiny_whisper.state_dict())

    target = tmp_path / "out" / "tiny.pt"
    assert whisper_convert.convert(path, target) == TINY_DIMS
    loaded = whisper.load_model(str(target), device="cpu").eval()  # strict by default
    mel = torch.randn(1, 8, 12)
    tokens = torch.tensor([[1, 5, 7]])
    with torch.no_grad():
        expected = tiny_whisper(mel, tokens)
        actual = loaded(mel, tokens)
    # int8 keeps ~2 significant digits per weight (logits here are ~0.7, off by ~0.003 when
    # dequantized right, by far more when the scale is applied the wrong way round)
    if quantize:
        torch.testing.assert_close(actual, expected, atol=0.02, rtol=0.02)
    else:
        torch.testing.assert_close(actual, expected)
    assert not list(tmp_path.joinpath("out").glob("*.part"))


def test_mapping_refuses_leftover_variables(tiny_whisper: Any, tmp_path: Path) -> None:
    variables = ct2_from_whisper(tiny_whisper.state_dict(), n_head=2)
    variables["decoder/layer_0/unknown/weight"] = np.ones((2, 2), np.float32)
    with pytest.raises(ValueError, match="left unmapped"):
        to_whisper_state(read_ct2(write_ct2(tmp_path / "model.bin", variables)))


def test_mapping_refuses_other_specs(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="WhisperSpec"):
        to_whisper_state(read_ct2(write_ct2(tmp_path / "m.bin", {}, spec="TransformerSpec")))


# --- the transcriber, with a fake model -----------------------------------------------------


class FakeWhisper:
    def __init__(self, segments: list[dict[str, Any]] | None = None) -> None:
        self.segments = (
            segments
            if segments is not None
            else [{"text": " red shoes", "no_speech_prob": 0.01, "avg_logprob": -0.2}]
        )
        self.calls: list[tuple[np.ndarray, dict[str, Any]]] = []

    def transcribe(self, audio: np.ndarray, **options: Any) -> dict[str, Any]:
        self.calls.append((audio, options))
        return {
            "text": "".join(str(s["text"]) for s in self.segments),
            "segments": self.segments,
            "language": "en",
        }


class FakeMandarin(FakeWhisper):
    """Whisper hearing Mandarin and writing it in traditional characters, as it sometimes does."""

    def transcribe(self, audio: np.ndarray, **options: Any) -> dict[str, Any]:
        self.calls.append((audio, options))
        text = "他是兩代帝師翁同龢的玄孫。"
        return {"text": text, "segments": [{"text": text}], "language": "zh"}


def test_mandarin_is_written_in_simplified_characters_and_silence_is_trimmed() -> None:
    fake = FakeMandarin()
    note = np.concatenate([np.zeros(2 * SAMPLE_RATE, np.float32), tone(1.0)])
    heard = WhisperTranscriber(
        fake, language="zh", decoding=Decoding(trim_silence=True)
    ).transcribe(note)
    assert heard.text == "他是两代帝师翁同龢的玄孙。" and heard.language == "zh"
    assert heard.duration_s == 3.0  # the note as sent
    assert fake.calls[0][0].size < 1.5 * SAMPLE_RATE  # Whisper heard the speech, not the silence
    as_heard = WhisperTranscriber(
        FakeMandarin(), language="zh", decoding=Decoding(simplified=False)
    )
    assert as_heard.transcribe(note).text == "他是兩代帝師翁同龢的玄孫。"
    beam = FakeWhisper()
    WhisperTranscriber(beam, decoding=Decoding(beam_size=5)).transcribe(tone(1.0))
    assert beam.calls[0][1]["beam_size"] == 5  # an English note
    other = FakeMandarin()
    decoding = Decoding(beam_size=5, beam_size_other=2)
    WhisperTranscriber(other, language="zh", decoding=decoding).transcribe(tone(1.0))
    assert other.calls[0][1]["beam_size"] == 2  # a Mandarin note


def test_an_english_note_gets_a_second_opinion_and_the_surer_transcript_wins() -> None:
    import threading

    def heard(text: str, logprob: float) -> FakeWhisper:
        return FakeWhisper([{"text": text, "no_speech_prob": 0.01, "avg_logprob": logprob}])

    base, tiny = (
        heard(" I need no running shoes.", -0.55),
        heard(" I need new running shoes.", -0.52),
    )
    both = WhisperTranscriber(base, language="en", english=(tiny, threading.Lock()))
    assert both.transcribe(tone(1.0)).text == "I need new running shoes."  # tiny.en was surer
    assert base.calls and tiny.calls  # both heard it
    surer_base = heard(" running shoes under $100.", -0.3)
    both = WhisperTranscriber(
        surer_base, language="en", english=(heard(" running 200 $", -0.9), threading.Lock())
    )
    assert both.transcribe(tone(1.0)).text == "running shoes under $100."


def tone(seconds: float, amplitude: float = 0.3, rate: int = SAMPLE_RATE) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def test_transcriber_satisfies_the_protocol_and_passes_cpu_options() -> None:
    fake = FakeWhisper()
    transcriber = WhisperTranscriber(fake, name="fake")
    assert isinstance(transcriber, Transcriber)
    heard = transcriber.transcribe(tone(2.0))
    assert heard.text == "red shoes" and heard.duration_s == 2.0 and not heard.truncated
    options = fake.calls[0][1]
    assert options["fp16"] is False and options["language"] == "en"
    assert options["temperature"][0] == 0 and options["condition_on_previous_text"] is False


def test_long_samples_are_cut_and_flagged() -> None:
    fake = FakeWhisper()
    heard = WhisperTranscriber(fake, max_audio_s=30).transcribe(tone(40.0))
    assert heard.truncated and heard.duration_s == 30.0
    assert fake.calls[0][0].size == 30 * SAMPLE_RATE


def test_silence_is_refused_before_the_model_runs() -> None:
    fake = FakeWhisper()
    with pytest.raises(AudioError, match="silent"):
        WhisperTranscriber(fake).transcribe(np.zeros(3 * SAMPLE_RATE, np.float32))
    assert not fake.calls
    assert is_silent(np.zeros(10, np.float32)) and is_silent(np.zeros(0, np.float32))
    assert is_silent(tone(1.0, amplitude=0.001))  # about -63 dBFS
    assert not is_silent(tone(1.0, amplitude=0.05))
    quiet_then_word = np.concatenate([np.zeros(20 * SAMPLE_RATE, np.float32), tone(0.3)])
    assert not is_silent(quiet_then_word)


@pytest.mark.parametrize(
    "segments",
    [
        [{"text": " Thank you.", "no_speech_prob": 0.9, "avg_logprob": -1.3}],
        [{"text": " [MUSIC]", "no_speech_prob": 0.2, "avg_logprob": -0.4}],
        [{"text": " (buzzing) ♪", "no_speech_prob": 0.1, "avg_logprob": -0.5}],
        [{"text": " .", "no_speech_prob": 0.3, "avg_logprob": -0.9}],
        [],
    ],
)
def test_noise_and_captions_are_not_words(segments: list[dict[str, Any]]) -> None:
    with pytest.raises(AudioError, match="couldn't make out any words"):
        WhisperTranscriber(FakeWhisper(segments)).transcribe(tone(2.0))


def test_confident_speech_is_kept_despite_a_high_no_speech_prob() -> None:
    segments = [
        {"text": " blue jeans", "no_speech_prob": 0.8, "avg_logprob": -0.3},
        {"text": " [noise]", "no_speech_prob": 0.95, "avg_logprob": -1.5},
    ]
    assert WhisperTranscriber(FakeWhisper(segments)).transcribe(tone(2.0)).text == "blue jeans"


def test_file_checks(tmp_path: Path) -> None:
    transcriber = WhisperTranscriber(FakeWhisper(), max_bytes=1000)
    with pytest.raises(AudioError, match="couldn't find"):
        transcriber.transcribe(str(tmp_path / "missing.wav"))
    big = tmp_path / "big.ogg"
    big.write_bytes(b"\0" * 2000)
    with pytest.raises(AudioError, match="too large"):
        transcriber.transcribe(str(big))
    empty = tmp_path / "empty.ogg"
    empty.write_bytes(b"")
    with pytest.raises(AudioError, match="is it an audio file"):
        transcriber.transcribe(str(empty))


@needs_ffmpeg
def test_corrupt_file_is_an_audio_error(tmp_path: Path) -> None:
    corrupt = tmp_path / "note.ogg"
    corrupt.write_bytes(np.random.default_rng(0).bytes(5000))
    fake = FakeWhisper()
    message = r"couldn't read that voice note \(is it an audio file\?\)"
    with pytest.raises(AudioError, match=message):
        WhisperTranscriber(fake).transcribe(str(corrupt))
    assert not fake.calls


@needs_ffmpeg
def test_files_are_decoded_resampled_and_cut(tmp_path: Path) -> None:
    fake = FakeWhisper()
    path = write_wav(tmp_path / "long.wav", tone(40.0, rate=22_050), rate=22_050)
    heard = WhisperTranscriber(fake, max_audio_s=30).transcribe(str(path))
    assert heard.truncated and heard.duration_s == 30.0
    assert fake.calls[0][0].dtype == np.float32 and fake.calls[0][0].size == 30 * SAMPLE_RATE
    short = write_wav(tmp_path / "short.wav", tone(30.0))
    assert not WhisperTranscriber(fake, max_audio_s=30).transcribe(str(short)).truncated


@needs_ffmpeg
def test_a_playlist_saved_as_a_voice_note_reads_no_other_file(tmp_path: Path) -> None:
    # ffmpeg picks a format from the content: a playlist named "note.wav" would have it read
    # (and Whisper transcribe) another file of the server's.
    write_wav(tmp_path / "secret.wav", tone(2.0))
    (tmp_path / "note.wav").write_text("ffconcat version 1.0\nfile secret.wav\n")
    other = tmp_path / "hls.wav"
    other.write_text(f"#EXTM3U\n#EXTINF:2,\n{tmp_path / 'secret.wav'}\n#EXT-X-ENDLIST\n")
    for note in ("note.wav", "hls.wav"):
        with pytest.raises(AudioError):
            speech.decode_audio(tmp_path / note)
    # Formats a voice note really comes in still decode.
    for ext in ("mp3", "ogg", "webm", "flac", "m4a"):
        encoded = tmp_path / f"tone.{ext}"
        subprocess.run(
            ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(tmp_path / "secret.wav"),
             str(encoded)],
            check=True,
        )  # fmt: skip
        samples, _ = speech.decode_audio(encoded)
        assert samples.size > SAMPLE_RATE, ext


# --- loading --------------------------------------------------------------------------------


def test_settings_that_switch_voice_off() -> None:
    assert load_transcriber("none", Path("/nonexistent")) is None
    assert load_transcriber("", Path("/nonexistent")) is None


def test_bad_settings_are_model_unavailable(tmp_path: Path) -> None:
    pytest.importorskip("whisper")
    with pytest.raises(ModelUnavailable, match="not found"):
        load_transcriber(str(tmp_path / "missing.pt"), tmp_path)
    with pytest.raises(ModelUnavailable, match="Unknown speech model"):
        load_transcriber("whisper-enormous", tmp_path)


def test_a_failed_download_is_model_unavailable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import urllib.error

    whisper = pytest.importorskip("whisper")

    def offline(*args: Any, **kwargs: Any) -> None:
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(whisper, "_download", offline)
    with pytest.raises(ModelUnavailable, match=r"Could not load the Whisper model 'base\.en'"):
        load_transcriber("base.en", tmp_path)


def test_importing_the_speech_modules_loads_no_torch() -> None:
    code = (
        "import sys, recommender.models.speech, recommender.models.whisper_convert; "
        "assert 'torch' not in sys.modules and 'whisper' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])


def test_exported_names() -> None:
    for module in (speech, whisper_convert):
        assert sorted(module.__all__) == sorted(set(module.__all__))
        for name in module.__all__:
            assert hasattr(module, name), name


# --- word error rate ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "hyp", "wer"),
    [
        ("I want running shoes under one hundred dollars", "I want running shoes under $100.", 0.0),
        ("Show me a T-shirt", "show me a t shirt", 0.0),
        ("don't show red", "Dont show red!", 0.0),
        ("red shoes", "red shirts", 0.5),
        ("red shoes", "", 1.0),
        ("red", "big red shoes", 2.0),
        ("", "", 0.0),
        ("a film from 1999", "a film from nineteen ninety-nine", 0.0),
        ("made in 1905, not 2005", "made in nineteen oh five not two thousand five", 0.0),
        ("1,500 dollars", "one thousand five hundred dollars", 0.0),
    ],
)
def test_word_error_rate(ref: str, hyp: str, wer: float) -> None:
    assert word_error_rate(ref, hyp) == pytest.approx(wer)


# --- the real tiny.en weights ---------------------------------------------------------------

SENTENCE = "I want running shoes under one hundred dollars"
PARAGRAPH = (
    "I am looking for a pair of comfortable running shoes for my marathon training. They should "
    "be light, with good cushioning, preferably in blue or black. My budget is around one "
    "hundred dollars, and I do not like shoes with very thick soles. Something from a well known "
    "brand would be great, but I am open to suggestions. I usually run in the morning before "
    "work, mostly on roads and sometimes on forest trails after the rain. Waterproof shoes "
    "would be a bonus, and I would like them delivered before next weekend."
)


@pytest.fixture(scope="module")
def real_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("magpie-cache")


def offline_load(name: str, cache: Path) -> WhisperTranscriber:
    """Whisper ``name`` loaded into a fresh ``cache`` and run once (the tokenizer loads on the
    first decode), with every network call refused."""
    whisper = pytest.importorskip("whisper")
    mp = pytest.MonkeyPatch()

    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("speech loading tried to use the network")

    mp.setattr(socket.socket, "connect", no_network)
    mp.setattr(whisper, "_download", no_network)
    mp.setenv("HF_HUB_OFFLINE", "1")
    try:
        transcriber = load_transcriber(name, cache)
        assert transcriber is not None and transcriber.name == f"whisper-{name}"
        with contextlib.suppress(AudioError):
            transcriber.transcribe(tone(1.0))
    finally:
        mp.undo()
    return transcriber


@pytest.fixture(scope="module")
def real_transcriber(real_cache: Path) -> WhisperTranscriber:
    """tiny.en converted into a fresh cache, loaded and run once with the network refused."""
    return offline_load("tiny.en", real_cache)


def espeak(path: Path, text: str, voice: str | None = None) -> Path:
    """``text`` spoken by espeak-ng into ``path`` (in ``voice`` when given, else at 150 wpm)."""
    if shutil.which("espeak-ng") is None:
        missing("espeak-ng is not installed (apt-get install espeak-ng)")
    how = ["-v", voice] if voice else ["-s", "150"]
    subprocess.run(["espeak-ng", *how, "-w", str(path), text], check=True)
    return path


@pytest.mark.models
def test_converted_checkpoint_loads_strictly(
    real_transcriber: WhisperTranscriber, real_cache: Path
) -> None:
    import torch
    from whisper.model import ModelDimensions, Whisper

    checkpoint = torch.load(real_cache / whisper_convert.CHECKPOINT_NAME, weights_only=True)
    dims = ModelDimensions(**checkpoint["dims"])
    assert (dims.n_vocab, dims.n_audio_layer, dims.n_text_state) == (51864, 4, 384)
    result = Whisper(dims).load_state_dict(checkpoint["model_state_dict"], strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    stamp = real_cache / (whisper_convert.CHECKPOINT_NAME + ".stamp")
    assert stamp.read_text().startswith(whisper_convert.CT2_SHA256)


@pytest.mark.models
def test_espeak_sentence_is_transcribed(
    real_transcriber: WhisperTranscriber, tmp_path: Path
) -> None:
    heard = real_transcriber.transcribe(str(espeak(tmp_path / "shoes.wav", SENTENCE)))
    assert word_error_rate(SENTENCE, heard.text) <= 0.2, heard.text
    assert heard.language == "en" and not heard.truncated


@pytest.mark.models
@needs_ffmpeg
def test_silence_noise_and_corrupt_files_are_refused(
    real_transcriber: WhisperTranscriber, tmp_path: Path
) -> None:
    with pytest.raises(AudioError, match="silent"):
        real_transcriber.transcribe(str(write_wav(tmp_path / "silent.wav", np.zeros(48_000))))
    noise = 0.3 * np.random.default_rng(0).standard_normal(5 * SAMPLE_RATE)
    with pytest.raises(AudioError, match="couldn't make out any words"):
        real_transcriber.transcribe(str(write_wav(tmp_path / "noise.wav", noise)))
    corrupt = tmp_path / "note.ogg"
    corrupt.write_bytes(np.random.default_rng(1).bytes(4096))
    with pytest.raises(AudioError, match="is it an audio file"):
        real_transcriber.transcribe(str(corrupt))


@pytest.mark.models
def test_a_40_second_note_is_cut_to_30(
    real_transcriber: WhisperTranscriber, tmp_path: Path
) -> None:
    # Varied sentences: one sentence repeated makes whisper's compression-ratio check fall back
    # to sampling at higher temperatures (slow, and no longer deterministic).
    clip = espeak(tmp_path / "story.wav", PARAGRAPH)
    samples, _ = speech.decode_audio(clip, max_s=60)
    assert 30 * SAMPLE_RATE < samples.size < 40 * SAMPLE_RATE  # speech runs past the cut
    long = np.concatenate([samples, np.zeros(40 * SAMPLE_RATE - samples.size, np.float32)])
    heard = real_transcriber.transcribe(str(write_wav(tmp_path / "long.wav", long)))
    assert heard.truncated and heard.duration_s == 30.0
    assert "running shoes" in heard.text.lower()
