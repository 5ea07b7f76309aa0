"""Title and people linking (linking.py, people.py, fuzzy.py) and ``magpie eval linking``."""

import json
import random
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from recommender.catalogue.catalogue import Catalogue
from recommender.catalogue.spec import read_spec
from recommender.evaluation.linking import evaluate_linking, gold_messages
from recommender.evaluation.perturb import perturb
from recommender.read.fuzzy import FuzzyIndex, name_tokens
from recommender.read.linking import TitleLinker, VocabularyLinker
from recommender.read.people import PersonLinker
from recommender.read.reading import read_message
from recommender.schemas import Item


def _film(item_id: str, title: str, year: int | None = None, **attributes) -> Item:
    attrs = dict(attributes)
    if year:
        attrs["year"] = year
    return Item(item_id, title, categories=("movie",), attributes=attrs)


FILMS = [
    _film("Superbad", "Superbad", 2007, cast=["Jonah Hill", "Michael Cera"]),
    _film("Step_Brothers", "Step Brothers", 2008, cast=["Will Ferrell", "John C. Reilly"]),
    _film("The_Hangover", "The Hangover", 2009),
    _film("Oceans_11", "Ocean's 11", 1960),
    _film("Oceans_Eleven", "Ocean's Eleven", 2001, director=["Steven Soderbergh"]),
    _film("BTTF", "Back to the Future", 1985),
    _film("BTTF_2", "Back to the Future Part II", 1989),
    _film("PA_2", "Police Academy 2: Their First Assignment", 1985),
    _film("Rocky_II", "Rocky II", 1979),
    _film("The_Matrix", "The Matrix", 1999),
    _film("The_Wood", "The Wood", 1999),
    _film("Up", "Up", 2009),
    _film("It", "It", 2017),
    _film("Her", "Her", 2013),
    _film("Split", "Split", 2016),
    _film("Us", "Us", 2019),
    _film("Halloween_1978", "Halloween", 1978),
    _film("Halloween_2007", "Halloween", 2007),
    _film("Spider-Man", "Spider-Man", 2002),
    _film("Sully", "Sully", 2016),
    _film("Click", "Click", 2006),
    _film("Pulp_Fiction", "Pulp Fiction", 1994, director=["Quentin Tarantino"]),
    _film("Jackie_Brown", "Jackie Brown", 1997, director=["Quentin Tarantino"]),
    _film("Kill_Bill", "Kill Bill: Volume 1", 2003, director=["Quentin Tarantino"]),
    _film("Casino", "Casino", 1995, director=["Martin Scorsese"], cast=["Sharon Stone"]),
    _film("Goodfellas", "Goodfellas", 1990, director=["Martin Scorsese"]),
    _film("La_La_Land", "La La Land", 2016, cast=["Emma Stone"], genres=["musical"]),
    _film("Basic_Instinct", "Basic Instinct", 1992, cast=["Sharon Stone"]),
    _film("Victor", "Little House", 1974, cast=["Victor French"], language=["French"]),
]
POPULARITY = {"Click": 5.0, "Halloween_1978": 9.0, "Halloween_2007": 1.0, "The_Matrix": 20.0}


@pytest.fixture(scope="module")
def titles() -> TitleLinker:
    return TitleLinker(FILMS, POPULARITY)


def _ids(linker: TitleLinker, text: str) -> list[str]:
    return [m.item_id for m in linker.find(text)]


# ---------------------------------------------------------------- titles


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("superbd and step brothers are my favs", ["Superbad", "Step_Brothers"]),
        ("the hangovr was hilarious", ["The_Hangover"]),
        ("I liked Clikc a lot", ["Click"]),
        ("stepbrothers!", ["Step_Brothers"]),
    ],
)
def test_typos_link(titles, text, expected):
    assert _ids(titles, text) == expected


def test_number_words_and_digits_meet_and_the_spelling_typed_wins(titles):
    assert _ids(titles, "I loved Ocean's Eleven") == ["Oceans_Eleven"]
    assert _ids(titles, "oceans eleven") == ["Oceans_Eleven"]
    assert _ids(titles, "ocean's 11 with sinatra") == ["Oceans_11"]
    assert _ids(titles, "ocens eleven was sooo good") == ["Oceans_Eleven"]


def test_sequel_numbers_roman_part_and_a_subtitle_left_out(titles):
    assert _ids(titles, "back to the future 2") == ["BTTF_2"]
    assert _ids(titles, "Back to the Future II") == ["BTTF_2"]
    assert _ids(titles, "back to the future part 2 and police academy 2") == ["BTTF_2", "PA_2"]
    assert _ids(titles, "back to the future") == ["BTTF"]
    assert _ids(titles, "rocky 3") == []  # numbers never bend to a typo


def test_leading_article_may_be_left_out_but_not_for_an_everyday_word(titles):
    assert _ids(titles, "Matrix was great") == ["The_Matrix"]
    assert _ids(titles, "just watched the matrix") == ["The_Matrix"]
    assert _ids(titles, "a movie set in a small wood cabin") == []
    assert _ids(titles, "spider man") == ["Spider-Man"]


@pytest.mark.parametrize(
    "text",
    [
        "it was up to her, she watched it twice",
        "Split the bill with us",
        "It is great. Up next: Her",
        "a silly movie",  # a real word is not a typo of "Sully"
        "a clock",  # four letters: too short to take a slip
    ],
)
def test_common_words_that_are_titles_are_not_linked(titles, text):
    assert _ids(titles, text) == []


def test_an_everyday_title_links_after_a_cue_or_with_a_year(titles):
    assert _ids(titles, "have you seen Up?") == ["Up"]
    assert _ids(titles, "I loved it (2017)") == ["It"]
    assert _ids(titles, "have you seen up?") == []


def test_a_year_picks_among_equal_titles_and_popularity_without_one(titles):
    assert _ids(titles, "Halloween (2007) was gory") == ["Halloween_2007"]
    assert _ids(titles, "halloween") == ["Halloween_1978"]
    assert _ids(titles, "Haloween (2007)") == ["Halloween_2007"]


def test_a_shared_title_said_beside_others_is_the_film_of_their_time():
    """People name films of one era together: "Ocean's Eleven and The Italian Job" is the 2003
    Italian Job, though the 1969 one was mentioned once more; a far better known film of the
    title stays ("Halloween" beside a 1996 film is still the 1978 one), and alone, or beside
    only shared titles, the better known one is read."""
    films = [
        _film("Oceans_Eleven", "Ocean's Eleven", 2001),
        _film("Job_1969", "The Italian Job", 1969),
        _film("Job_2003", "The Italian Job", 2003),
        _film("Scream", "Scream", 1996),
        _film("Halloween_1978", "Halloween", 1978),
        _film("Halloween_2007", "Halloween", 2007),
        _film("Get_Carter", "Get Carter", 1971),
    ]
    linker = TitleLinker(films, {"Job_1969": 1.0, "Halloween_1978": 30.0, "Halloween_2007": 2.0})
    assert _ids(linker, "I loved Ocean's Eleven and The Italian Job") == [
        "Oceans_Eleven",
        "Job_2003",
    ]
    assert _ids(linker, "Get Carter and The Italian Job") == ["Get_Carter", "Job_1969"]
    assert _ids(linker, "The Italian Job") == ["Job_1969"]
    assert _ids(linker, "Ocean's Eleven, The Italian Job (1969)")[-1] == "Job_1969"
    assert _ids(linker, "I loved Scream and Halloween") == ["Scream", "Halloween_1978"]
    assert _ids(linker, "Halloween and The Italian Job") == ["Halloween_1978", "Job_1969"]


def test_titles_the_llm_lists_link_whole(titles):
    listed = ["Up", "Halloween (2007)", "the matrix", "Nothing Like It", "Superbd (2007)"]
    assert titles.link_titles(listed) == ["Up", "Halloween_2007", "The_Matrix", "Superbad"]


def test_mentions_keep_offsets_and_years(titles):
    text = "I liked Super Bad and The Matrix (1999) a lot"
    found = titles.find(text)
    assert [text[m.start : m.end] for m in found] == [m.surface for m in found]
    assert found[-1].surface == "The Matrix (1999)"


def test_fuzzy_index_reach_grows_with_length_and_keeps_numbers():
    index = FuzzyIndex({"clue": 0, "click": 1, "deadpool 2": 2, "spaceballs": 3})
    assert index.best("clue") == (0, 0)
    assert index.best("cleu") is None  # 4 letters: exact only
    assert index.best("clikc") == (1, 1)
    assert index.best("deaadpol 2") == (2, 2)
    assert index.best("deadpool 3") is None
    assert index.best("zpaceballs") is None  # the first letter is kept
    assert name_tokens("Fast & Furious") == name_tokens("fast and furious")


# ---------------------------------------------------------------- people


@pytest.fixture(scope="module")
def people() -> PersonLinker:
    return PersonLinker(FILMS, ("director", "cast"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tarentino movies", ["quentin tarantino"]),
        ("scorsese gangster flicks", ["martin scorsese"]),
        ("something with emma stone", ["emma stone"]),
        ("a film by Quentin Tarantno", ["quentin tarantino"]),
        ("a heist movie with a stone", []),  # "stone": Emma or Sharon, and a word
        ("a film in French", []),  # a language of the catalogue, not Victor French
        ("will ferrell and michael cera", ["will ferrell", "michael cera"]),
        # A word made with a hyphen is no surname ("something space-y" is no Kevin Spacey).
        ("a scorsese-y crime story", []),
    ],
)
def test_people_full_names_surnames_and_typos(people, text, expected):
    assert people.find(text) == expected


def test_people_reach_the_reading_as_wanted_and_avoided_words(people):
    titles = TitleLinker(FILMS, POPULARITY, names=people.surnames)
    vocabulary = VocabularyLinker(FILMS, {}, people)
    reading = read_message("tarentino movies, but nothing by scorsese", titles, vocabulary)
    assert reading.said.wanted == ("quentin tarantino",)
    assert reading.said.avoided == ("martin scorsese",)


def test_link_fields_come_from_catalog_toml(tmp_path):
    (tmp_path / "catalog.toml").write_text('[vocabulary]\nlink_fields = ["maker"]\n')
    spec = read_spec(tmp_path, "things")
    assert spec.link_fields == ("maker",)
    items = [Item(str(n), f"Thing {n}", attributes={"maker": ["Ada Lovelace"]}) for n in range(3)]
    data = Catalogue.build(spec, items, np.zeros((3, 1), dtype=np.float32))
    assert data.vocabulary.words_in("made by lovelace") == ["ada lovelace"]
    bare = Catalogue.build(read_spec(tmp_path / "none", "bare"), items, np.zeros((3, 1)))
    assert bare.vocabulary.people is None


# ---------------------------------------------------------------- the evaluation


def test_perturbations_are_what_people_type():
    rng = random.Random(0)
    assert perturb("Ocean's Eleven", "number-word", rng, set()) == "Ocean's 11"
    assert perturb("The Matrix", "no-article", rng, set()) == "Matrix"
    assert (
        perturb("Spider-Man: Homecoming", "no-punctuation", rng, set()) == "Spider Man Homecoming"
    )
    assert perturb("Alien: Resurrection", "no-subtitle", rng, {"alien"}) is None
    assert perturb("Back to the Future Part II", "sequel", rng, set()) in {
        "Back to the Future 2",
        "Back to the Future II",
    }
    typo = perturb("Superbad", "typo", rng, set())
    assert typo and typo != "Superbad" and typo[0] == "S" and abs(len(typo) - 8) <= 2


def _redial(folder: Path) -> Path:
    folder.mkdir()
    names = {1: "Superbad", 2: "Ocean's_Eleven", 3: "Halloween_(2007_film)", 4: "Up_(2009_film)"}
    entity = {f"<http://dbpedia.org/resource/{n}>": i for i, n in names.items()}
    (folder / "entity2id.json").write_text(json.dumps(entity))
    (folder / "item_ids.json").write_text(json.dumps(sorted(names)))
    turns = [
        {
            "context": ["", "I loved Superbad (2007) and Ocean's Eleven (2001)", "Up (2009)?"],
            "resp": "Try Halloween (2007), it was up to her",
            "rec": [3],
            "entity": [3],
            "prev_entity": [1, 2, 4],
            "dialog_id": f"test_{n}",
        }
        for n in range(20001, 20009)
    ]
    (folder / "test.jsonl").write_text("\n".join(json.dumps(t) for t in turns) + "\n")
    return folder


def _catalogue(tmp_path: Path) -> Path:
    """A movies folder whose ids are what ReDial's names make (catalogue_ids)."""
    folder = tmp_path / "assets" / "movies"
    folder.mkdir(parents=True)
    rows = [
        {"id": "Superbad", "title": "Superbad", "attributes": {"year": 2007}},
        {"id": "Ocean_s_Eleven", "title": "Ocean's Eleven", "attributes": {"year": 2001}},
        {"id": "Halloween_2007_film", "title": "Halloween", "attributes": {"year": 2007}},
        {"id": "Up_2009_film", "title": "Up", "attributes": {"year": 2009}},
        {
            "id": "Tarantino_1",
            "title": "Pulp Fiction",
            "attributes": {"director": ["Quentin Tarantino"]},
        },
        {
            "id": "Tarantino_2",
            "title": "Jackie Brown",
            "attributes": {"director": ["Quentin Tarantino"]},
        },
    ]
    (folder / "catalog.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    (folder / "catalog.toml").write_text('[vocabulary]\nlink_fields = ["director"]\n')
    return folder


def _requests(path: Path) -> Path:
    cases = [
        {
            "id": "m-liked",
            "catalogue": "movies",
            "group": "g-liked",
            "kinds": ["liked-title", "typo"],
            "turns": ["superbd was great"],
            "checks": [{"type": "exclude", "ids": ["Superbad"]}],
        },
        {
            "id": "m-tarantino",
            "catalogue": "movies",
            "group": "g-tarantino",
            "turns": ["tarentino movies"],
            "checks": [{"type": "content", "field": "director", "any": ["Quentin Tarantino"]}],
        },
        {
            "id": "m-nothing",
            "catalogue": "movies",
            "group": "g-nothing",
            "turns": ["it was up to her"],
            "checks": [{"type": "content", "field": "genres", "any": ["comedy"]}],
        },
    ]
    path.write_text("\n".join(json.dumps(c) for c in cases) + "\n")
    return path


def test_gold_comes_from_canonical_mentions_and_is_perturbed(tmp_path):
    from recommender.evaluation.linking import text_only

    folder = _redial(tmp_path / "redial")
    _catalogue(tmp_path)
    from recommender.config import load_settings

    settings = load_settings(env={}, assets_dir=str(tmp_path / "assets"))
    data = text_only(settings, "movies")
    golds, skipped = gold_messages(data, folder, "all")
    assert not skipped
    first = [g for g in golds if g.dialog_id == "test_20001"]
    assert [sorted(g.ids) for g in first] == [
        ["Ocean_s_Eleven", "Superbad"],
        ["Up_2009_film"],
        ["Halloween_2007_film"],
    ]
    assert all("(2007) and" not in g.text or "(2001)" in g.text for g in golds)
    again, _ = gold_messages(data, folder, "all")
    assert [g.text for g in again] == [g.text for g in golds]  # a fixed seed
    result = evaluate_linking(data, folder, "all", requests=_requests(tmp_path / "r.jsonl"))
    r = result["redial"]
    assert r["messages"] == len(golds) and 0 < r["recall"] <= 1 and 0 < r["precision"] <= 1
    assert set(r["by_kind"]) >= {"as-written", "no-year"}
    q = result["requests"]
    assert q["titles"]["recall"] == 1.0 and q["titles"]["precision"] == 1.0
    assert q["people_en"]["tp"] == 1 and q["people_en"]["fp"] == 0


def test_eval_linking_command(tmp_path):
    from recommender.cli.main import app

    folder = _redial(tmp_path / "redial")
    _catalogue(tmp_path)
    out = tmp_path / "out.json"
    env = {
        "MAGPIE_ASSETS_DIR": str(tmp_path / "assets"),
        "MAGPIE_DATA_DIR": str(tmp_path / "data"),
        "MAGPIE_CONFIG": str(tmp_path / "absent.toml"),
    }
    args = ["eval", "linking", "--data", str(folder), "--split", "all", "--limit", "3"]
    args += ["--requests", str(_requests(tmp_path / "r.jsonl"))]
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path), "--json", str(out)], env=env)
    assert result.exit_code == 0, result.output
    figures = json.loads(out.read_text())
    assert figures["split"] == "all" and figures["redial"]["messages"] == 9
    assert (tmp_path / "linking-all.md").read_text().startswith("# Linking")
    bad = CliRunner().invoke(app, ["eval", "linking", "--split", "nope"], env=env)
    assert bad.exit_code != 0


def test_a_slip_of_a_genre_is_the_genre_not_a_similar_name():
    items = [
        Item("gm", "The Guru", attributes={"genres": ["comedy"], "cast": ["Jimi Mistry"]}),
        Item("ca", "Chinatown", attributes={"genres": ["mystery"], "cast": ["Jack Nicholson"]}),
    ]
    vocabulary = VocabularyLinker(items, people=PersonLinker(items, ["cast"]))
    assert vocabulary.words_in("a good mistery") == ["mystery"]
    assert vocabulary.words_in("something with jimi mistry") == ["jimi mistry"]


def test_a_surname_that_is_a_catalogue_word_is_the_word():
    items = [
        Item("ir", "Iron Man", attributes={"genres": ["superhero"], "cast": ["Robert Downey Jr."]}),
        Item(
            "ma", "Madam Secretary", attributes={"genres": ["drama"], "cast": ["Elizabeth Marvel"]}
        ),
    ]
    people = PersonLinker(items, ["cast"])
    vocabulary = VocabularyLinker(items, {"marvel": "superhero"}, people)
    assert people.find("not another Marvel movie") == ["elizabeth marvel"]  # a surname alone
    assert vocabulary.words_in("not another Marvel movie") == ["superhero"]
    assert "elizabeth marvel" in vocabulary.words_in("a film with Elizabeth Marvel")
