"""Evaluation: metrics on hand-made cases, the ReDial format, dialogue replay, the whole ``crs``
run on a tiny hand-made dataset with fakes, tuning equal to ``order``, reports and charts; then
each ``magpie eval`` command on real data and weights with a small ``--limit`` (marked models).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from conftest import movie_spec, shared
from PIL import Image
from typer.testing import CliRunner

from recommender.catalogue.catalogue import Catalogue
from recommender.evaluation import crs, metrics, redial, report
from recommender.evaluation.beyond import BEYOND
from recommender.evaluation.media import leave_one_out, title_words
from recommender.evaluation.speech import recordings
from recommender.pipeline import Models, Recommender
from recommender.schemas import Item
from recommender.sessions import shown_before

ROOT = Path(__file__).resolve().parents[2]
FIT, EVAL = "test_20001", "test_20005"  # dialogue ids on either side of the md5 split


# ---------------------------------------------------------------- metrics


def test_rank_skips_seen_items_before_cutting():
    ranked = ["a", "b", "c", "d"]
    assert metrics.rank_of("c", ranked) == 3
    assert metrics.rank_of("c", ranked, seen={"a", "b"}) == 1
    assert metrics.rank_of("z", ranked) is None
    assert metrics.rank_of("a", ranked, seen={"a"}) is None  # a seen target is never found


@pytest.mark.parametrize(
    ("rank", "expected"),
    [
        (1, {"recall@1": 1, "recall@10": 1, "recall@50": 1, "ndcg@10": 1, "mrr@10": 1}),
        (3, {"recall@1": 0, "recall@10": 1, "recall@50": 1, "ndcg@10": 0.5, "mrr@10": 1 / 3}),
        (10, {"recall@1": 0, "recall@10": 1, "recall@50": 1, "ndcg@10": 1 / np.log2(11)}),
        (11, {"recall@10": 0, "recall@50": 1, "ndcg@10": 0, "mrr@10": 0}),
        (51, {"recall@50": 0}),
        (None, {"recall@1": 0, "recall@50": 0, "ndcg@10": 0, "mrr@10": 0}),
    ],
)
def test_target_scores(rank, expected):
    scores = metrics.target_scores(rank)
    for name, value in expected.items():
        assert scores[name] == pytest.approx(value), name


def test_summary_means_per_target_with_intervals_around_them():
    rows = [metrics.target_scores(r) for r in [1, 2, None, 20]]
    s = metrics.summarise(rows, groups=["d1", "d1", "d2", "d3"])
    assert s["recall@1"] == 0.25 and s["recall@10"] == 0.5 and s["recall@50"] == 0.75
    assert s["mrr@10"] == pytest.approx((1 + 0.5) / 4, abs=1e-4)
    for name in metrics.METRICS:
        low, high = s["ci95"][name]
        assert low <= s[name] <= high


def test_bootstrap_narrows_with_more_data_and_widens_for_correlated_dialogues():
    small = metrics.bootstrap_ci([0.0, 1.0] * 10)
    large = metrics.bootstrap_ci([0.0, 1.0] * 500)
    assert (large[1] - large[0]) < (small[1] - small[0]) / 3
    # 100 dialogues of 10 identical outcomes each: really 100 observations, not 1,000.
    values = [float(d % 2) for d in range(100) for _ in range(10)]
    groups = [f"d{d}" for d in range(100) for _ in range(10)]
    iid = metrics.bootstrap_ci(values)
    clustered = metrics.bootstrap_ci(values, groups)
    assert (clustered[1] - clustered[0]) > 2 * (iid[1] - iid[0])


# ---------------------------------------------------------------- the data format


def test_split_and_ids_match_the_bundled_catalogue():
    assert redial.is_fit(FIT) and not redial.is_fit(EVAL)
    ids = redial.catalogue_ids({1: "Cats_(2019_film)", 2: "Amélie", 3: "Amelie", 4: "Cats"})
    assert ids == {1: "Cats_2019_film", 2: "Amelie_2", 3: "Amelie", 4: "Cats"}  # name order
    assert redial.parse_name("Jaws_(film)") == ("Jaws", None, "")
    # Every ReDial item gets exactly the id the bundled catalogue gave it.
    names, _ = redial.load_redial(shared("redial"))
    catalogue = {json.loads(line)["id"] for line in (ROOT / "assets/movies/catalog.jsonl").open()}
    assert set(redial.catalogue_ids(names).values()) == catalogue


def _folder(tmp_path: Path, movies: dict[int, str], turns: list[dict]) -> Path:
    folder = tmp_path / "mini"
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.mkdir()
    entity2id = {f"<http://dbpedia.org/resource/{n}>": i for i, n in movies.items()}
    entity2id["<http://dbpedia.org/resource/Comedy>"] = 99  # not an item
    (folder / "entity2id.json").write_text(json.dumps(entity2id))
    (folder / "item_ids.json").write_text(json.dumps(sorted(movies)))
    (folder / "test.jsonl").write_text("\n".join(json.dumps(t) for t in turns) + "\n")
    return folder


MOVIES = {
    1: "Super_Troopers",
    2: "Police_Academy_(film)",
    3: "Beerfest",
    4: "The_Notebook",
    5: "Titanic_(1997_film)",
    6: "Alien_(film)",
}


def _turn(dialog: str, context: list[str], rec: list[int], prev: list[int]) -> dict:
    return {
        "context": ["", *context],
        "resp": "",
        "rec": rec,
        "entity": rec,
        "prev_entity": prev,
        "dialog_id": dialog,
        "turn_id": 0,
    }


def _dialogues() -> list[dict]:
    fit = [  # what the fit half teaches: Super Troopers goes with Beerfest and Police Academy
        _turn(f"test_2000{n}", ["I liked Super Troopers"], [3, 2], [1])
        for n in (0, 1, 2, 3, 4, 8)
        if redial.is_fit(f"test_2000{n}")
    ]
    evaluation = [
        _turn(EVAL, ["Hi, I loved Super Troopers (2001)"], [3], [1]),
        # Police Academy was mentioned before: "discussion", not scored; Titanic is scored.
        _turn(
            EVAL,
            ["Hi", "Have you seen Police Academy?", "Yes! Something romantic now"],
            [2, 5],
            [1, 2],
        ),
    ]
    return fit + evaluation


def test_turns_keep_recommendation_targets_and_seen_items(tmp_path):
    data = crs.CrsDataset.load(_folder(tmp_path, MOVIES, _dialogues()))
    turns = data.turns("eval")
    assert [t.targets for t in turns] == [("Beerfest",), ("Titanic_1997_film",)]
    assert turns[1].seen == {"Super_Troopers", "Police_Academy_film"}
    assert len(data.turns("fit")) >= 3 and len(data.turns("all")) == len(data.turns("fit")) + 2
    assert len(data.turns("all", limit=1)) == 1
    mentions, pairs = data.tables([d for d in data.dialogues if redial.is_fit(d)])
    assert pairs["Super_Troopers"]["Beerfest"] == mentions["Super_Troopers"] >= 3


def test_roles_alternate_back_from_the_seeker():
    assert crs.roles(["", "hi", "hello", "a comedy?"]) == ["assistant", "user", "assistant", "user"]
    assert crs.roles(["", "hi"]) == ["assistant", "user"]


# ---------------------------------------------------------------- a whole run, with fakes


@pytest.fixture
def fake(tmp_path, settings, embedder):
    """A recommender over the six movies (no Chroma), and the mini dataset."""
    items = [
        Item(
            "Super_Troopers",
            "Super Troopers",
            "A comedy about Vermont state troopers.",
            ("movie",),
            {"year": 2001, "genres": ["comedy"]},
        ),
        Item(
            "Police_Academy_film",
            "Police Academy",
            "A comedy about police recruits.",
            ("movie",),
            {"year": 1984, "genres": ["comedy"]},
        ),
        Item(
            "Beerfest",
            "Beerfest",
            "A comedy about a beer festival.",
            ("movie",),
            {"year": 2006, "genres": ["comedy"]},
        ),
        Item(
            "The_Notebook",
            "The Notebook",
            "A romantic drama.",
            ("movie",),
            {"year": 2004, "genres": ["romance"]},
        ),
        Item(
            "Titanic_1997_film",
            "Titanic",
            "A romantic disaster film.",
            ("movie",),
            {"year": 1997, "genres": ["romance"]},
        ),
        Item(
            "Alien_film",
            "Alien",
            "A science fiction horror film.",
            ("movie",),
            {"year": 1979, "genres": ["horror"]},
        ),
    ]
    assets = tmp_path / "assets" / "movies"
    assets.mkdir(parents=True)
    (assets / "catalog.jsonl").write_text("")  # makes "movies" a bundled catalogue
    settings = settings.with_(assets_dir=tmp_path / "assets", mmr_lambda=1.0)
    rec = Recommender(settings, Models(text=embedder, image=None, speech=None, llm=None))
    vectors = embedder.embed([i.text() for i in items])
    rec.add_catalog(Catalogue.build(movie_spec("movies", assets), items, vectors))
    return rec, _folder(tmp_path, MOVIES, _dialogues())


def test_crs_run_scores_every_system_with_the_stable_schema(fake):
    rec, folder = fake
    result = crs.evaluate_crs(rec, folder, "eval")
    assert result["dataset"] == "mini" and result["split"] == "eval"
    assert (result["n_turns"], result["n_targets"]) == (2, 2)
    assert result["coverage"]["share_in_catalogue"] == 1.0
    systems = result["systems"]
    assert {"magpie", "popularity", "bm25", "dense", "cooccur", "magpie-no-mmr"} <= set(systems)
    assert "magpie-no-image" not in systems  # never fired: no photos
    for name, row in systems.items():
        # The app and the baselines also say what their lists are like; ablations need not.
        beyond = set(BEYOND) if not name.startswith("magpie-") else set()
        assert set(metrics.METRICS) | {"ci95"} | beyond == set(row), name
    assert 0 < systems["magpie"]["coverage"] <= 1 and 0 <= systems["magpie"]["ild"] <= 2
    assert systems["popularity"]["popularity_share"] >= systems["bm25"]["popularity_share"]
    # Learned on the fit half: Super Troopers -> Beerfest is the top co-mention.
    assert systems["cooccur"]["recall@1"] == 0.5
    assert systems["magpie"]["recall@10"] == 1.0  # six items, both targets in the top ten
    assert systems["magpie"]["recall@1"] >= 0.5


def test_tuning_reorders_exactly_like_the_app(fake):
    from recommender.evaluation import tuning

    rec, folder = fake
    cases, start = tuning.fit_cases(rec, folder)
    data = rec.catalog("movies")
    assert cases and start == {**rec.settings.weights, **data.weights}
    trial = {**start, "cooccur": 2.0, "text": 0.1}
    for case in cases:
        profile, query, session = crs.replay(rec, data, case.turn.context)
        k = crs.K_MAX + len(case.turn.seen)
        candidates = rec.ranker.retrieve(
            data, profile, query, demote=shown_before(session), said=crs.said_before(session)
        )
        app = [s.item.id for s in rec.ranker.order(data, candidates, k, trial)]
        assert case.top(trial, rec.settings.mmr_lambda) == app[: len(case.top(trial, 1.0))]
    tuned = tuning.tune_weights(rec, folder, rounds=1)
    assert tuned["fit_recall@10"] >= tuned["start_recall@10"]
    assert set(tuning.TUNED) <= set(tuned["weights"])


# ---------------------------------------------------------------- reports and media helpers


def test_markdown_table_and_chart(tmp_path):
    rows = {
        "magpie": {"recall@10": 0.25, "ci95": {"recall@10": [0.2, 0.3]}},
        "popularity": {"recall@10": 0.08, "ci95": {"recall@10": [0.07, 0.09]}},
    }
    text = report.table(rows, ["recall@10"])
    assert "| magpie | 0.250 (0.200-0.300) |" in text
    path = tmp_path / "chart.png"
    report.bar_chart(path, rows, "recall@10", "test", {"GPT-4": 0.196})
    image = Image.open(path)
    assert image.size[0] == 900 and image.size[1] > 100
    # The magpie bar is drawn in its colour, further right than popularity's.
    pixels = np.asarray(image.convert("RGB"))
    blue = (pixels == (31, 119, 180)).all(axis=2).sum(axis=1).max()  # widest row of each bar
    grey = (pixels == (150, 150, 150)).all(axis=2).sum(axis=1).max()
    assert blue > 2.5 * grey > 0


def test_leave_one_out_precision_and_title_words(tmp_path):
    sim = np.array([[1, 0.9, 0.1, 0.0], [0.9, 1, 0.0, 0.8], [0.1, 0.0, 1, 0.7], [0.0, 0.8, 0.7, 1]])
    assert leave_one_out(sim, ["a", "a", "b", "b"], ks=(1,)) == {
        "p@1": 0.75
    }  # row 4 finds row 2 ("a")
    assert title_words("fire-truck-2") == {"fire", "truck"}
    (tmp_path / "koala.txt").write_text("A koala.\nfr.utf8=Un koala.\n")
    (tmp_path / "koala_desc.ogg").write_bytes(b"")
    (tmp_path / "koala_desc_fr.ogg").write_bytes(b"")
    assert recordings(tmp_path) == [(tmp_path / "koala_desc.ogg", "koala.")]


# ---------------------------------------------------------------- real data and weights


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        "MAGPIE_DATA_DIR": os.environ.get("MAGPIE_DATA_DIR", str(ROOT / "data")),
        "MAGPIE_CONFIG": str(tmp_path / "absent.toml"),
        "MAGPIE_LLM_BACKEND": "none",
    }


def _run(tmp_path: Path, *args: str) -> dict:
    from recommender.cli.main import app

    out = tmp_path / "out.json"
    result = CliRunner().invoke(
        app, ["eval", *args, "--out", str(tmp_path), "--json", str(out)], env=_env(tmp_path)
    )
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text())


@pytest.mark.models
def test_eval_crs_command_on_redial(tmp_path):
    result = _run(
        tmp_path, "crs", "--data", str(shared("redial")), "--split", "fit", "--limit", "12"
    )
    assert result["n_turns"] == 12 and result["coverage"]["share_in_catalogue"] == 1.0
    assert {"magpie", "popularity", "bm25", "dense", "cooccur"} <= set(result["systems"])
    assert (tmp_path / "crs-redial-fit.png").is_file() and (
        tmp_path / "crs-redial-fit.md"
    ).is_file()


@pytest.mark.models
def test_eval_images_command_on_tuxpaint(tmp_path):
    result = _run(tmp_path, "images", "--data", str(shared("tuxpaint")), "--limit", "40")
    assert result["n_pictures"] == 40
    tasks = result["tasks"]
    assert {"image->image", "text->image, English", "text->image, Chinese"} <= set(tasks)
    assert tasks["image->image"]["p@5"] > result["chance_p"]


@pytest.mark.models
def test_eval_speech_command(tmp_path):
    voices = str(shared("common-voice"))
    result = _run(
        tmp_path, "speech", "--limit", "1", "--models", "tiny.en,base", "--voices", voices
    )
    assert result["espeak"]["n"] == 2  # one request, two voices
    # One real English and one real Mandarin speaker, heard and scored.
    english, mandarin = result["voices"]["en"], result["models"]["base"]["voices"]["zh"]
    assert english["n"] == 1 and 0 <= english["wer"] <= 1 and english["told_right"] == 1.0
    assert mandarin["n"] == 1 and mandarin["cer"] < 0.6 and mandarin["told_right"] == 1.0
    assert result["speech_model"] == "whisper-tiny.en" and set(result["models"]) == {
        "tiny.en",
        "base",
    }
    for figures in result["models"].values():
        assert figures["espeak"]["wer"] < 0.5
        assert 0.0 <= figures["same_top10"] <= 1.0
        assert figures["speed"]["english_s_per_audio_s_p50"] > 0 and figures["load_s"] >= 0
    chinese = result["models"]["base"]["chinese"]
    assert chinese["n"] == 1 and chinese["detected_zh"] == 1.0 and chinese["cjk_text"] == 1.0
    assert result["models"]["tiny.en"]["chinese"]["cjk_text"] == 0.0  # English only
    assert "CER, espeak-ng Mandarin requests" in (tmp_path / "speech.md").read_text()
    assert "CER, Common Voice Mandarin (real people)" in (tmp_path / "speech.md").read_text()


@pytest.mark.models
def test_eval_requests_command(tmp_path):
    """The committed request set, a few test-half cases through the app's path (real models,
    the bundled indexes); the full run is `magpie eval requests` (docs/evaluation.md)."""
    result = _run(tmp_path, "requests", "--split", "test", "--limit", "8")
    assert result["overall"]["cases"] == 8 and 0 <= result["overall"]["pass"] <= 1
    assert set(result["catalogue"]) <= {"movies", "shop", "pictures"}
    assert all(f["why"] and len(f["cards"]) <= 5 for f in result["failures"])
    assert (tmp_path / "requests-test.md").is_file()


def test_items_missing_from_the_catalogue_become_bare_candidates(fake, tmp_path):
    rec, _ = fake
    movies = {**MOVIES, 7: "Heat_(1995_film)"}
    turns = [*_dialogues(), _turn(EVAL, ["a crime film from 1995 please"], [7], [])]
    folder = _folder(tmp_path / "other", movies, turns)
    result = crs.evaluate_crs(rec, folder, "eval")
    assert result["coverage"]["items"] == 7 and result["coverage"]["in_catalogue"] == 6
    assert result["n_targets"] == 3
    # The bare item (title and year from its name) is found by its words.
    assert result["systems"]["bm25"]["recall@10"] == 1.0
