"""``magpie eval speech``: how well voice is understood.

Word error rate of the transcriber on requests spoken by espeak-ng (made here, two voices) and
on the English recordings of Debian's ``tuxpaint-stamps-default`` (``*_desc.ogg``, each says
its stamp's name, as the ``.txt`` beside it writes it); and the share of spoken requests whose
top-10, on the app's ranking path, equals the typed request's. Split from ``media`` (images),
which re-exports these names.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ModelUnavailable

if TYPE_CHECKING:
    from ..config import Settings

__all__ = [
    "REQUESTS",
    "evaluate_speech",
    "recordings",
    "speech_markdown",
]

# Debian's tuxpaint-stamps-default puts its stamps here (apt-get install tuxpaint-stamps-default).
TUXPAINT_STAMPS = Path("/usr/share/tuxpaint/stamps")
ESPEAK_VOICES = ("en-us", "en-gb")
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


def _wer_block(pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    from ..models.speech import word_error_rate

    rates = [word_error_rate(ref, hyp) for ref, hyp in pairs]
    worst = sorted(zip(rates, pairs, strict=True), key=lambda e: -e[0])[:5]
    return {
        "n": len(pairs),
        "wer": round(float(np.mean(rates)), 4) if rates else None,
        "exact": round(float(np.mean([r == 0 for r in rates])), 4) if rates else None,
        "worst": [{"said": ref, "heard": hyp, "wer": round(r, 3)} for r, (ref, hyp) in worst],
    }


def evaluate_speech(
    settings: Settings, folder: Path | None = None, limit: int | None = None
) -> dict[str, Any]:
    from ..errors import AudioError
    from ..models.speech import load_transcriber
    from ..pipeline import Recommender

    started = time.perf_counter()
    transcriber = load_transcriber(settings.speech_model, settings.cache_dir, settings.max_audio_s)
    if transcriber is None:
        raise ModelUnavailable("the speech model is switched off (speech_model = none)")

    def hear(audio: Path) -> str:
        try:
            return transcriber.transcribe(str(audio)).text
        except AudioError:
            return ""

    requests = [(c, r) for c, rs in REQUESTS.items() for r in rs][:limit]
    synthetic: list[tuple[str, str, str, str]] = []  # catalogue, voice, said, heard
    t = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="magpie-speech-") as tmp:
        for voice in ESPEAK_VOICES:
            for n, (catalog, text) in enumerate(requests):
                wav = espeak(text, voice, Path(tmp) / f"{voice}-{n}.wav")
                synthetic.append((catalog, voice, text, hear(wav)))
    synthetic_s = time.perf_counter() - t

    real = recordings(folder)[:limit]
    heard_real = [(said, hear(audio)) for audio, said in real]

    rec = Recommender.from_settings(settings)
    same = 0
    overlap: list[float] = []
    for catalog, _, said, heard in synthetic:
        typed = _top10(rec, catalog, said)
        spoken = _top10(rec, catalog, heard) if heard else []
        same += typed == spoken
        overlap.append(len(set(typed) & set(spoken)) / max(len(typed), 1))
    return {
        "speech_model": transcriber.name,
        "espeak": _wer_block([(s, h) for _, _, s, h in synthetic])
        | {"voices": list(ESPEAK_VOICES)},
        "recordings": _wer_block(heard_real) | {"source": str(folder or TUXPAINT_STAMPS)},
        "same_top10": round(same / max(len(synthetic), 1), 4),
        "top10_overlap": round(float(np.mean(overlap)), 4) if overlap else None,
        "seconds_per_clip": round(synthetic_s / max(len(synthetic), 1), 2),
        "seconds": round(time.perf_counter() - started, 1),
    }


def _top10(rec: Any, catalog: str, text: str) -> list[str]:
    session = rec.new_session(catalog)
    data = rec.catalog(catalog)
    profile, query = rec.read_message(session, text, data)
    return [s.item.id for s in rec.rank(data, profile, query, k=10)]


def speech_markdown(result: dict[str, Any]) -> str:
    def line(name: str, block: dict[str, Any]) -> str:
        if not block["n"]:
            return f"| {name} | 0 | - | - |"
        return f"| {name} | {block['n']} | {block['wer']:.3f} | {block['exact']:.3f} |"

    return "\n".join(
        [
            f"# Speech: {result['speech_model']}",
            "",
            "| audio | clips | WER | transcribed exactly |",
            "|---|---|---|---|",
            line(f"espeak-ng requests ({', '.join(result['espeak']['voices'])})", result["espeak"]),
            line("Tux Paint English recordings", result["recordings"]),
            "",
            f"Spoken requests whose top-10 equals the typed one: {result['same_top10']:.3f} "
            f"(mean overlap of the two top-10s {result['top10_overlap']:.3f}). "
            f"{result['seconds_per_clip']} s a clip to synthesise and transcribe; {result['seconds']} s in all.",
            "",
        ]
    )
