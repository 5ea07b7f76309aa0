"""Would a language model's second opinion help the reader on titles it found without a cue?

The reader calls a title "liked" when no word of the message says otherwise ("Have you seen X?",
"X (2003) is one of my favorites", a bare "X"). For each such title on the real-words yardstick's
tuning half (``recommender/evaluation/seekers.jsonl``), this asks each model one narrow question
(likes / dislikes / only mentions, decoding constrained to those three answers) and compares
both with the labels: liked, disliked, or neither (seen only, neutral, or not labelled).

    .venv/bin/python scripts/experiments/second_opinion.py [--models qwen2.5-coder-0.5b,...]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter

from recommender.config import load_settings
from recommender.evaluation.crs import BASE_CATALOG
from recommender.evaluation.reader import _Titles, load
from recommender.models.base import complete
from recommender.models.llm import load_llm
from recommender.pipeline import Recommender
from recommender.read.reading import read_message
from recommender.read.stance import parse, title_cue

QUESTION = (
    'Message from a person talking about films: "{text}"\n'
    'Film: "{title}"\n'
    "Does the person like this film, dislike it, or only mention it (ask about it, name it "
    "as an example, say they have not seen it)?"
)
SCHEMA = {
    "type": "object",
    "properties": {"answer": {"enum": ["likes", "dislikes", "only mentions"]}},
    "required": ["answer"],
}
ANSWER = {"likes": "liked", "dislikes": "disliked", "only mentions": "neither"}


def main() -> None:
    ask = argparse.ArgumentParser()
    ask.add_argument("--models", default="qwen2.5-coder-0.5b,qwen2.5-coder-1.5b")
    ask.add_argument("--half", default="tune")
    args = ask.parse_args()
    rec = Recommender.from_settings(load_settings(llm_backend="none"))
    data = rec.catalog(BASE_CATALOG)
    titles = _Titles(data.items, data.spec.fields.date)
    uncertain = []
    for row in load():
        if row["half"] != args.half:
            continue
        shown = [data.items[data.position[m.item_id]] for m in data.titles.find(row["before"])]
        reading = read_message(row["text"], data.titles, data.vocabulary, shown, data.spec)
        parsed = parse(reading.gloss, tuple((m.start, m.end) for m in reading.mentions))
        gold = {
            k: set().union(*(titles.ids(t) for t in row["labels"][k]))
            for k in ("liked", "disliked")
        }
        for n, m in enumerate(reading.mentions):
            if title_cue(parsed, n):
                continue
            truth = (
                "disliked"
                if m.item_id in gold["disliked"]
                else "liked"
                if m.item_id in gold["liked"]
                else "neither"
            )
            uncertain.append((row["text"], m.surface, truth))
    truths = Counter(t for *_, t in uncertain)
    out = {"mentions": len(uncertain), "labels": dict(truths), "reader_right": truths["liked"]}
    print(
        f"{len(uncertain)} titles without a cue; labels {dict(truths)}; "
        f"the reader's 'liked' is right on {truths['liked']}"
    )
    for model in filter(None, args.models.split(",")):
        llm = load_llm(load_settings(llm_backend="llama_cpp", llm_model=model))
        answers, started = [], time.perf_counter()
        for text, title, truth in uncertain:
            reply = complete(
                llm,
                [{"role": "user", "content": QUESTION.format(text=text, title=title)}],
                max_tokens=20,
                temperature=0.0,
                json_schema=SCHEMA,
            )
            try:
                said = ANSWER[json.loads(reply)["answer"]]
            except (ValueError, KeyError, TypeError):
                said = "liked"
            answers.append((said, truth))
        right = sum(a == t for a, t in answers)
        confusion = Counter(f"{t}->{a}" for a, t in answers)
        seconds = (time.perf_counter() - started) / max(1, len(answers))
        out[model] = {
            "right": right,
            "confusion": dict(confusion),
            "seconds_each": round(seconds, 2),
        }
        print(
            f"{model}: right on {right} of {len(answers)} ({seconds:.2f} s each); {dict(confusion)}"
        )
    print(json.dumps(out))


if __name__ == "__main__":
    main()
