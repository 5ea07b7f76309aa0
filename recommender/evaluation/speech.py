"""``magpie eval speech``: how well voice is understood.

Real people first: Common Voice clips read by English and Mandarin speakers (``voices``: word
error rate for English, character error rate for Mandarin with punctuation left out and a
traditional character counted as an error, the language told, seconds per second of audio).
Then, for each speech model compared: word error rate on requests spoken by espeak-ng (made here,
two voices) and on the English recordings of Debian's ``tuxpaint-stamps-default`` (``*_desc.ogg``,
each says its stamp's name, as the ``.txt`` beside it writes it); character error rate and the
detected language on Chinese requests spoken by espeak-ng's Mandarin voice; seconds of
transcription per second of audio, load time and the memory the model adds; and the share of
spoken requests whose top-10, on the app's ranking path, equals the typed request's. Split from ``media`` (images),
which re-exports these names.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from recommender.errors import ModelUnavailable

if TYPE_CHECKING:
    from recommender.config import Settings

__all__ = [
    "CHINESE_REQUESTS",
    "REQUESTS",
    "VOICE_FOLDERS",
    "character_error_rate",
    "edit_distance",
    "evaluate_speech",
    "real_voices",
    "recordings",
    "speech_markdown",
]

# Debian's tuxpaint-stamps-default puts its stamps here (apt-get install tuxpaint-stamps-default).
TUXPAINT_STAMPS = Path("/usr/share/tuxpaint/stamps")
ESPEAK_VOICES = ("en-us", "en-gb")
# espeak-ng's Mandarin voice that reads its dictionary's pinyin as pinyin: plain "cmn" reads the
# pinyin out as English letters and tone digits ("wo three ..."), which no model could follow.
MANDARIN_VOICE = "cmn-latn-pinyin"
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Requests typed in the app, spoken by espeak-ng: catalogue -> requests.
REQUESTS: dict[str, tuple[str, ...]] = {
    "movies": (
        "I loved Super Troopers, can you find me something just as funny?",
        "I would like something scary from the eighties.",
        "Can you recommend a family movie we can watch with the kids?",
        "No horror please, and nothing made before 1990.",
        "I am in the mood for a heist film like Ocean's Eleven.",
        "Could you suggest a romantic comedy for tonight?",
        "I want to watch a science fiction film about space travel.",
        "What is a good war movie that I might not have seen?",
        "I am looking for an animated movie like Toy Story.",
        "Please find me a crime drama with a great detective.",
    ),
    "shop": (
        "I need running shoes for under one hundred dollars.",
        "Can you show me a camera for taking travel photos?",
        "I am looking for a plant for my living room.",
        "I would like a comfortable chair for the office.",
        "Show me a fast laptop for work please.",
        "I need something for playing basketball with friends.",
    ),
}


# Chinese requests, most of them twins of the English ones above, spoken by espeak-ng.
CHINESE_REQUESTS: dict[str, tuple[str, ...]] = {
    "movies": (
        "我想看一部九十年代的喜剧，不要恐怖片。",
        "能推荐一部可以和孩子一起看的家庭电影吗？",
        "我想看一部关于太空旅行的科幻电影。",
        "请给我找一部有好侦探的犯罪片。",
    ),
    "shop": (
        "我需要一双一百块以下的跑步鞋。",
        "我想给办公室买一把舒服的椅子。",
    ),
}


def espeak(text: str, voice: str, path: Path) -> Path:
    """``text`` spoken by espeak-ng into a WAV file."""
    binary = shutil.which("espeak-ng")
    if binary is None:
        raise ModelUnavailable("espeak-ng is not installed: apt-get install espeak-ng")
    subprocess.run(
        [binary, "-v", voice, "-w", str(path), text], check=True, capture_output=True, timeout=60
    )
    return path


def recordings(folder: Path | None) -> list[tuple[Path, str]]:
    """(English recording, what it says): ``X_desc.ogg`` says the stamp's name, the English line
    of ``X.txt`` ("A koala.") without its article."""
    folder = folder or TUXPAINT_STAMPS
    if not folder.is_dir():
        return []
    out = []
    for audio in sorted(folder.rglob("*_desc.ogg")):
        text_file = audio.with_name(audio.name.removesuffix("_desc.ogg") + ".txt")
        if text_file.is_file():
            lines = text_file.read_text(encoding="utf-8", errors="replace").splitlines()
            name = re.sub(r"^(?:an?|the)\s+", "", lines[0].strip(), flags=re.I) if lines else ""
            if name:
                out.append((audio, name))
    return out


# Common Voice's folders (``shared/data/common-voice``) and the language each is in.
VOICE_FOLDERS = {"en": "en", "zh-CN": "zh"}


def real_voices(folder: Path | None, limit: int | None = None) -> list[tuple[str, Path, str]]:
    """(language, clip, the sentence read) of each Common Voice folder under ``folder``
    (``transcripts.tsv`` beside ``clips/``), the first ``limit`` of each language."""
    import csv

    out: list[tuple[str, Path, str]] = []
    if folder is None or not folder.is_dir():
        return out
    for name, language in VOICE_FOLDERS.items():
        table = folder / name / "transcripts.tsv"
        if not table.is_file():
            continue
        with table.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t"))[:limit]
        out += [(language, folder / name / r["file"], r["sentence"]) for r in rows]
    return out


def _voices_block(hear: Any, clips: list[tuple[str, Path, str]]) -> dict[str, Any]:
    """Per language: the error rate over all the clips (edits over reference words or
    characters, as speech recognition is scored: a short clip weighs no more than its words),
    the share told right, speed, every case and the worst five.

    English words are compared after Whisper's own English normaliser (the one its published
    WERs use: "couldn't" = "could not", "$100" = "100 dollars", "colour" = "color"); Mandarin
    characters with punctuation left out, a traditional character counting as an error."""
    out: dict[str, Any] = {}
    for language in sorted({c[0] for c in clips}):
        edits = total = 0
        told, speeds, cases = [], [], []
        for _, clip, said in (c for c in clips if c[0] == language):
            t = time.perf_counter()
            heard, detected, duration = hear(clip)
            if duration:
                speeds.append((time.perf_counter() - t) / duration)
            ref, hyp = _units(said, language), _units(heard, language)
            wrong = edit_distance(ref, hyp)
            edits, total = edits + wrong, total + len(ref)
            told.append(detected == language)
            cases.append({"said": said, "heard": heard, "rate": round(wrong / max(len(ref), 1), 3)})
        measure = "wer" if language == "en" else "cer"
        out[language] = {
            "n": len(cases),
            measure: round(edits / max(total, 1), 4) if cases else None,
            "told_right": _share(told),
            "s_per_audio_s_p50": _p50(speeds),
            "s_per_audio_s_p90": round(float(np.percentile(speeds, 90)), 3) if speeds else None,
            "worst": sorted(cases, key=lambda c: -c["rate"])[:5],
            "cases": cases,
        }
    return out


def _units(text: str, language: str) -> list[str]:
    """What an error rate counts: normalised words (English), characters (Mandarin)."""
    if language != "en":
        return _chars(text)
    from whisper.normalizers import EnglishTextNormalizer

    return EnglishTextNormalizer()(text).split()


def edit_distance(ref: Sequence[str], hyp: Sequence[str]) -> int:
    """Substitutions, deletions and insertions turning ``ref`` into ``hyp``.

    >>> edit_distance("kitten", "sitting"), edit_distance(["a", "b"], ["a", "b"])
    (3, 0)
    """
    previous = list(range(len(hyp) + 1))
    for i, unit in enumerate(ref, start=1):
        current = [i]
        for j, other in enumerate(hyp, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (unit != other))
            )
        previous = current
    return previous[-1]


def _wer_block(pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    from recommender.models.speech import word_error_rate

    rates = [word_error_rate(ref, hyp) for ref, hyp in pairs]
    worst = sorted(zip(rates, pairs, strict=True), key=lambda e: -e[0])[:5]
    return {
        "n": len(pairs),
        "wer": round(float(np.mean(rates)), 4) if rates else None,
        "exact": round(float(np.mean([r == 0 for r in rates])), 4) if rates else None,
        "worst": [{"said": ref, "heard": hyp, "wer": round(r, 3)} for r, (ref, hyp) in worst],
    }


def character_error_rate(reference: str, hypothesis: str) -> float:
    """Edit distance over characters / reference characters, punctuation and spaces left out:
    the usual measure for Chinese, which is written without spaces between words.

    >>> character_error_rate("我想看喜剧。", "我想看戏剧")
    0.2
    """
    ref, hyp = _chars(reference), _chars(hypothesis)
    if not ref:
        return float(bool(hyp))
    return edit_distance(ref, hyp) / len(ref)


def _chars(text: str) -> list[str]:
    return [c for c in text.lower() if c.isalnum()]


def _rss_mb() -> float:
    """This process's resident memory now (Linux), in MB."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return float("nan")
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def evaluate_speech(
    settings: Settings,
    folder: Path | None = None,
    limit: int | None = None,
    models: Sequence[str] | None = None,
    voices: Path | None = None,
    voices_only: bool = False,
) -> dict[str, Any]:
    """Each speech model in ``models`` (default: the configured one) on the same clips, with
    the settings' decoding (``speech_beam_size``, ``speech_trim_silence``); ``voices`` is the
    Common Voice folder; ``voices_only`` leaves out the synthetic and Tux Paint clips."""
    from recommender.models.speech import Decoding
    from recommender.pipeline import Recommender

    started = time.perf_counter()
    names = list(models or [settings.speech_model])
    requests = [(c, r) for c, rs in REQUESTS.items() for r in rs][: 0 if voices_only else limit]
    chinese = [(c, r) for c, rs in CHINESE_REQUESTS.items() for r in rs][
        : 0 if voices_only else limit
    ]
    real = [] if voices_only else recordings(folder)[:limit]
    people = real_voices(voices, limit)
    rec = Recommender.from_settings(settings)
    results = {}
    with tempfile.TemporaryDirectory(prefix="magpie-speech-") as tmp:
        clips = [
            (catalog, voice, text, espeak(text, voice, Path(tmp) / f"{voice}-{n}.wav"))
            for voice in ESPEAK_VOICES
            for n, (catalog, text) in enumerate(requests)
        ]
        zh_clips = [
            (catalog, text, espeak(text, MANDARIN_VOICE, Path(tmp) / f"zh-{n}.wav"))
            for n, (catalog, text) in enumerate(chinese)
        ]
        for name in names:
            results[name] = _evaluate_model(name, settings, rec, clips, zh_clips, real, people)
    first = results[names[0]]
    return {
        "decoding": dataclasses.asdict(Decoding.of(settings)),
        "voices": first["voices"] | {"source": str(voices)},
        # the first model's figures keep their old keys, so older readers of the JSON still work
        "speech_model": first["speech_model"],
        "espeak": first["espeak"],
        "recordings": first["recordings"] | {"source": str(folder or TUXPAINT_STAMPS)},
        "same_top10": first["same_top10"],
        "top10_overlap": first["top10_overlap"],
        "models": results,
        "seconds": round(time.perf_counter() - started, 1),
    }


def _evaluate_model(
    setting: str,
    settings: Settings,
    rec: Any,
    clips: list[tuple[str, str, str, Path]],
    zh_clips: list[tuple[str, str, Path]],
    real: list[tuple[Path, str]],
    people: list[tuple[str, Path, str]],
) -> dict[str, Any]:
    from recommender.errors import AudioError
    from recommender.models.speech import Decoding, load_transcriber

    before = _rss_mb()
    t = time.perf_counter()
    transcriber = load_transcriber(
        setting,
        settings.cache_dir,
        settings.max_audio_s,
        decoding=Decoding.of(settings),
    )
    load_s = time.perf_counter() - t
    if transcriber is None:
        raise ModelUnavailable("the speech model is switched off (speech_model = none)")
    rss_mb = _rss_mb() - before
    speeds: list[float] = []  # seconds of transcription per second of audio

    def hear(audio: Path) -> tuple[str, str]:
        t = time.perf_counter()
        try:
            heard = transcriber.transcribe(str(audio))
        except AudioError:
            return "", ""
        speeds.append((time.perf_counter() - t) / max(heard.duration_s, 1e-3))
        return heard.text, heard.language

    def hear_voice(audio: Path) -> tuple[str, str, float]:
        try:
            heard = transcriber.transcribe(str(audio))
        except AudioError:
            return "", "", 0.0
        return heard.text, heard.language, heard.duration_s

    voices = _voices_block(hear_voice, people)
    synthetic = [(catalog, said, hear(wav)[0]) for catalog, _, said, wav in clips]
    english_speeds = list(speeds)
    heard_zh = [(catalog, said, *hear(wav)) for catalog, said, wav in zh_clips]
    heard_real = [(said, hear(audio)[0]) for audio, said in real]

    same, overlap = _same_top10(rec, synthetic)
    zh_same, _ = _same_top10(rec, [(c, said, heard) for c, said, heard, _ in heard_zh])
    cer = [character_error_rate(said, heard) for _, said, heard, _ in heard_zh]
    return {
        "speech_model": transcriber.name,
        "voices": voices,
        "espeak": _wer_block([(s, h) for _, s, h in synthetic]) | {"voices": list(ESPEAK_VOICES)},
        "recordings": _wer_block(heard_real),
        "same_top10": same,
        "top10_overlap": overlap,
        "chinese": {
            "n": len(heard_zh),
            "voice": MANDARIN_VOICE,
            "cer": round(float(np.mean(cer)), 4) if cer else None,
            "detected_zh": _share([lang == "zh" for *_, lang in heard_zh]),
            "cjk_text": _share([bool(_CJK.search(heard)) for _, _, heard, _ in heard_zh]),
            "same_top10": zh_same,
            "heard": [
                {"said": said, "heard": heard, "language": lang, "cer": round(c, 3)}
                for (_, said, heard, lang), c in zip(heard_zh, cer, strict=True)
            ],
        },
        "speed": {
            "english_s_per_audio_s_p50": _p50(english_speeds),
            "all_s_per_audio_s_p50": _p50(speeds),
            "all_s_per_audio_s_max": round(max(speeds), 3) if speeds else None,
        },
        "load_s": round(load_s, 2),
        "rss_added_mb": round(rss_mb, 1),
    }


def _same_top10(rec: Any, heard: list[tuple[str, str, str]]) -> tuple[float | None, float | None]:
    """Share of (catalogue, said, heard) whose spoken top-10 equals the typed one; mean overlap
    (None without clips)."""
    if not heard:
        return None, None
    same = 0
    overlap: list[float] = []
    for catalog, said, text in heard:
        typed = _top10(rec, catalog, said)
        spoken = _top10(rec, catalog, text) if text else []
        same += typed == spoken
        overlap.append(len(set(typed) & set(spoken)) / max(len(typed), 1))
    mean = round(float(np.mean(overlap)), 4) if overlap else None
    return round(same / max(len(heard), 1), 4), mean


def _share(flags: list[bool]) -> float | None:
    return round(float(np.mean(flags)), 4) if flags else None


def _p50(values: list[float]) -> float | None:
    return round(float(np.median(values)), 3) if values else None


def _top10(rec: Any, catalog: str, text: str) -> list[str]:
    session = rec.new_session(catalog)
    data = rec.catalog(catalog)
    profile, query = rec.read_message(session, text, data)
    return [s.item.id for s in rec.rank(data, profile, query, k=10)]


def _pair(block: dict[str, Any]) -> str:
    return f"{block['s_per_audio_s_p50']} / {block['s_per_audio_s_p90']}"


def speech_markdown(result: dict[str, Any]) -> str:
    models = result.get("models") or {result["speech_model"]: result}
    names = list(models)

    def row(label: str, value: Any) -> str:
        cells = []
        for name in names:
            try:
                cell = value(models[name])
            except (KeyError, TypeError):
                cell = None
            cells.append("-" if cell is None else str(cell))
        return f"| {label} | " + " | ".join(cells) + " |"

    def wer(block: dict[str, Any]) -> str:
        return (
            f"{block['wer']:.3f} ({block['exact']:.0%} exact, {block['n']})" if block["n"] else "-"
        )

    lines = [
        "# Speech",
        "",
        "| | " + " | ".join(models[n]["speech_model"] for n in names) + " |",
        "|---|" + "---|" * len(names),
        row("WER, Common Voice English (real people)", lambda m: m["voices"]["en"]["wer"]),
        row("  told English", lambda m: m["voices"]["en"]["told_right"]),
        row("  s per s of audio, p50 / p90", lambda m: _pair(m["voices"]["en"])),
        row("CER, Common Voice Mandarin (real people)", lambda m: m["voices"]["zh"]["cer"]),
        row("  told Mandarin", lambda m: m["voices"]["zh"]["told_right"]),
        row("  s per s of audio, p50 / p90", lambda m: _pair(m["voices"]["zh"])),
        row("WER, espeak-ng English requests (en-us, en-gb)", lambda m: wer(m["espeak"])),
        row("WER, Tux Paint English recordings", lambda m: wer(m["recordings"])),
        row("spoken top-10 = typed top-10 (English)", lambda m: m["same_top10"]),
        row("CER, espeak-ng Mandarin requests", lambda m: m["chinese"]["cer"]),
        row("  detected as zh", lambda m: m["chinese"]["detected_zh"]),
        row("  transcript has Chinese characters", lambda m: m["chinese"]["cjk_text"]),
        row("  spoken top-10 = typed top-10 (Chinese)", lambda m: m["chinese"]["same_top10"]),
        row("s per s of audio, p50 (English)", lambda m: m["speed"]["english_s_per_audio_s_p50"]),
        row("s per s of audio, p50 (all clips)", lambda m: m["speed"]["all_s_per_audio_s_p50"]),
        row("load s", lambda m: m["load_s"]),
        row("RSS added by loading, MB (the first also imports torch)", lambda m: m["rss_added_mb"]),
        "",
        f"Decoding: {result.get('decoding')}. Common Voice: {result['voices'].get('source')}.",
        "",
        f"{result['seconds']} s in all. espeak-ng's Mandarin is poor (machine tones, no prosody): "
        "its CER proves the path, not the model's quality on people.",
        "",
    ]
    for name in names:
        for case in (models[name].get("chinese") or {}).get("heard", []):
            lines.append(
                f"- {name}: “{case['said']}” -> “{case['heard']}” ({case['language']}, CER {case['cer']})"
            )
    return "\n".join(lines) + "\n"
