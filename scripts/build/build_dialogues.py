"""Write the movies' earlier conversations (assets/movies/dialogues.json and .npz).

    MAGPIE_SHARED_DATA=../shared/data .venv/bin/python scripts/build/build_dialogues.py

Each dialogue of ReDial's *fit* half (CC BY 4.0, like popularity.json and collab.json): the
seeker's words (as ``magpie eval crs`` reads them, the latest 1,000 characters) and the catalogue
ids of the movies it mentions, and those words embedded by the configured text model (float16).
The app reads them as the ``dialogues`` signal (``recommender/catalogue/dialogues.py``); with
another text model it embeds the words again at start-up.
"""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from recommender.catalogue.dialogues import write_dialogues  # noqa: E402
from recommender.config import load_settings  # noqa: E402
from recommender.evaluation.crs import CrsDataset  # noqa: E402
from recommender.evaluation.redial import is_fit  # noqa: E402
from recommender.evaluation.run import SHARED  # noqa: E402
from recommender.models.base import embed_queries  # noqa: E402
from recommender.models.text import load_text_embedder  # noqa: E402


def main() -> None:
    shared = SHARED  # MAGPIE_SHARED_DATA, or ../shared/data
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redial", type=Path, default=shared / "redial")
    parser.add_argument("--out", type=Path, default=ROOT / "assets" / "movies")
    args = parser.parse_args()
    dataset = CrsDataset.load(args.redial)
    fit = [d for d in dataset.dialogues if is_fit(d)]
    settings = load_settings()
    text = load_text_embedder(settings.text_model, settings.cache_dir)
    about = (
        "ReDial fit-half dialogues (CC BY 4.0): each one's seeker words (the latest 1,000 "
        "characters) and the catalogue ids of the movies it mentions; vectors in dialogues.npz"
    )
    conversations = dataset.conversations(fit)
    embed = functools.partial(embed_queries, text)
    write_dialogues(args.out, conversations, embed, text.name, about)
    size = sum((args.out / f).stat().st_size for f in ("dialogues.json", "dialogues.npz"))
    print(f"{len(conversations)} dialogues, {size / 1e6:.2f} MB, model {text.name}")


if __name__ == "__main__":
    main()
