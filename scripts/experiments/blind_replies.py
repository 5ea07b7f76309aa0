"""A blind side-by-side reading of replies: 30 turns of ``magpie eval replies``, each written by
the templates and by each model, shown in a shuffled order with the writers hidden.

    .venv/bin/python scripts/experiments/blind_replies.py OUT_DIR A.json B.json C.json

Writes ``OUT_DIR/packet.md`` (what the reader sees: the request, the cards' titles and, per
version, the opening and the reasons) and ``OUT_DIR/key.json`` (which letter is which writer,
per turn: read only after the verdicts are in).
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

TURNS = 30
SEED = 21


def main() -> None:
    out, *runs = sys.argv[1:]
    results = [json.loads(Path(r).read_text(encoding="utf-8")) for r in runs]
    by_turn = [{(t["case"], t["turn"]): t for t in r["turns"]} for r in results]
    keys = sorted(set.intersection(*(set(b) for b in by_turn)))
    rng = random.Random(SEED)
    chosen = sorted(rng.sample(keys, min(TURNS, len(keys))))
    lines = [
        "# Replies to read blind",
        "",
        "Each turn shows what a person asked and the cards they got, then three versions of the "
        "reply (an opening, then one reason per card). The writers are hidden and shuffled.",
        "",
    ]
    key: dict[str, dict[str, str]] = {}
    for n, k in enumerate(chosen, start=1):
        versions = [(r["llm"], b[k]) for r, b in zip(results, by_turn, strict=True)]
        rng.shuffle(versions)
        first = versions[0][1]
        where = f", message {k[1]} of its conversation" if k[1] > 1 else ""
        lines += [f"## Turn {n} ({first['catalogue']}, {first['lang']}{where})", ""]
        lines += [f"Asked: {first['said'] or '(a photo or voice note only)'}", ""]
        key[str(n)] = {}
        for letter, (writer, t) in zip("ABC", versions, strict=False):
            key[str(n)][letter] = writer
            lines += [f"**{letter}.** {t['reply']}", ""]
            lines += [
                f"- {title}: {reason}"
                for title, reason in zip(t["titles"], t["reasons"], strict=False)
            ]
            lines.append("")
    Path(out).mkdir(parents=True, exist_ok=True)
    (Path(out) / "packet.md").write_text("\n".join(lines), encoding="utf-8")
    (Path(out) / "key.json").write_text(json.dumps(key, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
