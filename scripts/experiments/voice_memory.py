"""Peak memory with every model loaded and one voice-note turn, for a speech model setting.

    .venv/bin/python scripts/experiments/voice_memory.py base note.wav

Loads the four models and both bundled catalogues as the app does at start (``warm``), runs one
turn on the shop catalogue with the voice note, and prints one JSON line: start-up seconds, the
speech model's load seconds, the voice turn's seconds, the transcript and the peak RSS in MB.
``magpie bench`` reports the same peak over a longer scripted session; this is the quick check
of the MISSION's 3 GB with a given speech model.
"""

from __future__ import annotations

import json
import resource
import sys
import time

from recommender.config import load_settings
from recommender.pipeline import Recommender


def main(setting: str, note: str) -> None:
    settings = load_settings(speech_model=setting)
    t = time.perf_counter()
    rec = Recommender.from_settings(settings)
    timings = rec.warm(["movies", "shop"])
    start_s = time.perf_counter() - t
    t = time.perf_counter()
    result = rec.ask(rec.new_session("shop"), "", audio=note)
    figures = {
        "speech_model": setting,
        "start_s": round(start_s, 1),
        "model_speech_s": round(timings.get("model_speech", 0.0), 1),
        "voice_turn_s": round(time.perf_counter() - t, 1),
        "transcript": result.transcript,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
