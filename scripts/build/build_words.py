"""Write ``recommender/languages/en/words.txt``: frequent English words, one a line.

    .venv/bin/python scripts/build/build_words.py

The words are the lower-case alphabetic tokens, with a leading space, of the GPT-2 byte-pair
vocabulary that openai-whisper ships (``whisper/assets/gpt2.tiktoken``, MIT licence): a merge
exists for a whole word only when the word is frequent in English web text. The title and
name linkers use the list to tell a typo ("clikc", "tarentino") from a real word that happens
to be a slip away from a title ("silly" / "Sully", "fight" / "Flight"): only the first is
matched fuzzily.
"""

from __future__ import annotations

import base64
import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "recommender" / "languages" / "en" / "words.txt"
HEADER = (
    "# Frequent English words: the lower-case whole-word tokens of the GPT-2 BPE vocabulary\n"
    "# shipped with openai-whisper (MIT licence). Written by scripts/build/build_words.py.\n"
)


def main() -> int:
    spec = importlib.util.find_spec("whisper")  # found, not imported (that would load torch)
    if spec is None or spec.origin is None:
        print("openai-whisper is not installed", file=sys.stderr)
        return 1
    vocab = Path(spec.origin).parent / "assets" / "gpt2.tiktoken"
    words = set()
    for line in vocab.read_bytes().splitlines():
        token = base64.b64decode(line.split()[0])
        text = token.decode("utf-8", errors="replace")
        word = text[1:]
        if text.startswith(" ") and word.isascii() and word.isalpha() and word.islower():
            words.add(word)
    OUT.write_text(HEADER + "\n".join(sorted(words)) + "\n", encoding="utf-8")
    print(f"{len(words)} words -> {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
