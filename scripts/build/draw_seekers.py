"""Draw the real-words yardstick's messages: seeker lines from ReDial's *fit* half.

The seekers' turns are real people's words, written before Magpie existed. This script only draws
them (seeded, reproducible); the labels in ``recommender/evaluation/seekers.jsonl`` were written
from the message alone, without running or reading the reader, and frozen before it changed.

    python scripts/build/draw_seekers.py ../shared/data/redial/test.jsonl > /tmp/seekers-draw.jsonl
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sys

PER_DIALOGUE = 2  # at most this many lines from one dialogue: many people, not a few talkative ones
SAMPLE = 360
SEED = 20261206
# A second, stratified draw: real negations are rare (about 3% of seeker lines), so 150 more lines
# that hold any negative word are drawn, to measure disliked and avoided on more than a handful.
NEGATIVE_SAMPLE = 150
NEGATIVE_WORD = re.compile(
    r"\b(?:not|no|never|nothing|none|neither|nor|without|except|hate|hated|dislike|disliked|"
    r"avoid|skip|tired|sick|cannot|\w+n't|\w+nt)\b",
    re.I,
)


def fit_half(dialog_id: str) -> bool:
    """The half the project may tune on (the ReDial evaluation's own split)."""
    return int(hashlib.md5(dialog_id.encode()).hexdigest(), 16) % 2 == 0


def tuning_half(message_id: str) -> bool:
    """The yardstick's own split: tuning half by hash, the rest is the test half."""
    return int(hashlib.sha1(message_id.encode()).hexdigest(), 16) % 2 == 0


def main(path: str) -> None:
    longest: dict[str, list[str]] = {}
    with open(path, encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines]
    for row in rows:
        if fit_half(row["dialog_id"]) and len(row["context"]) > len(
            longest.get(row["dialog_id"], [])
        ):
            longest[row["dialog_id"]] = row["context"]
    pool = []
    for dialog_id, context in sorted(longest.items()):
        # Each turn's context ends with the seeker's line and the speakers alternate before it
        # (either may open the dialogue), so the seeker's lines share the last line's parity.
        last = len(context) - 1
        lines = [
            (i, context[i]) for i in range(last % 2, last + 1, 2) if len(context[i].split()) >= 3
        ]
        for i, text in random.Random(f"{SEED}-{dialog_id}").sample(
            lines, min(PER_DIALOGUE, len(lines))
        ):
            pool.append({"id": f"{dialog_id}-{i}", "text": text, "before": context[i - 1]})
    drawn = random.Random(SEED).sample(pool, SAMPLE)
    for row in drawn:
        row["draw"] = "random"
    taken = {row["id"] for row in drawn}
    negative = [r for r in pool if r["id"] not in taken and NEGATIVE_WORD.search(r["text"])]
    for row in random.Random(SEED + 1).sample(negative, NEGATIVE_SAMPLE):
        row["draw"] = "negative"
        drawn.append(row)
    for row in sorted(drawn, key=lambda r: r["id"]):
        row["half"] = "tune" if tuning_half(row["id"]) else "test"
        print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1])
