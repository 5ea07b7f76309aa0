"""What the browser remembers (``app/memory.py``) and the handlers that keep it, without a
browser: what lasts and what does not, files read like any input, the returning person's picks.
The same in Chromium: ``test_browser_memory.py``."""

from __future__ import annotations

import json
import stat
from types import SimpleNamespace

import gradio as gr
import pytest
from conftest import engine
from test_ui import HOSTILE, ITEMS

from recommender.app import memory
from recommender.app.chat import ChatHandlers
from recommender.catalogue.spec import CatalogSpec
from recommender.errors import InputError
from recommender.schemas import ImageRef, Profile, Range


@pytest.fixture
def handlers(settings):
    return ChatHandlers(engine(settings, ITEMS, CatalogSpec.bare("toy")), "toy")


def test_only_what_lasts_is_remembered_per_catalogue():
    asked = Profile(
        liked=["chair"],
        disliked=["stool"],
        seen=["lamp"],
        avoided=["leather"],
        shunned=["wobbly"],
        wanted=["comfy"],
        categories=["Furniture"],
        ranges={"price": Range(max=150)},
        images=[ImageRef(name="p.jpg", vector=[1.0])],
        intent="a comfy chair for tonight",
        query="a comfy chair",
        focus=["chair"],
    )
    stored = memory.remember({}, "toy", asked)
    stored = memory.remember(stored, "movies", Profile(liked=["m1"]))
    back = memory.recall(stored, "toy")
    assert back.liked == ["chair"] and back.disliked == ["stool"] and back.seen == ["lamp"]
    assert back.avoided == ["leather"] and back.shunned == ["wobbly"]
    assert not (back.wanted or back.categories or back.ranges or back.images or back.intent)
    assert memory.recall(stored, "movies").liked == ["m1"]
    assert memory.recall(stored, "pictures").is_empty()
    # Nothing to remember in a catalogue: no entry for it.
    assert "toy" not in memory.remember(stored, "toy", Profile(wanted=["x"]))["catalogues"]
    assert memory.forget() == {"format": "magpie-profile", "version": 1, "catalogues": {}}


def test_recall_keeps_only_items_the_catalogue_has_and_clean_words():
    stored = memory.remember(
        {}, "toy", Profile(liked=["chair", "gone"], avoided=["Leather\u202e", " "])
    )
    back = memory.recall(stored, "toy", known=lambda i: i != "gone")
    assert back.liked == ["chair"] and back.avoided == ["leather"]
    # A browser's copy that is not ours is no memory, not an error.
    assert memory.recall({"format": "other"}, "toy").is_empty()
    assert memory.recall("garbage", "toy").is_empty()


def _file(tmp_path, body: str | bytes):
    path = tmp_path / "profile.json"
    path.write_bytes(body if isinstance(body, bytes) else body.encode("utf-8"))
    return path


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ("not json at all", "notice.profile_not_json"),
        (b"\xff\xfe\x00\x01", "notice.profile_not_json"),
        ("[" * 150_000 + "]" * 150_000, "notice.profile_too_large"),
        ("[" * 120_000 + "]" * 120_000, "notice.profile_not_json"),  # nesting: no crash
        ('{"format": "something-else"}', "notice.profile_not_ours"),
        ("[1, 2]", "notice.profile_not_ours"),
        ('{"format": "magpie-profile", "version": 1, "extra": 1}', "notice.profile_bad_shape"),
        ('{"format": "magpie-profile", "version": 2}', "notice.profile_bad_shape"),
        (
            json.dumps({"format": "magpie-profile", "catalogues": {"toy": {"liked": ["x"] * 31}}}),
            "notice.profile_bad_shape",
        ),
        (
            json.dumps({"format": "magpie-profile", "catalogues": {"../etc": {}}}),
            "notice.profile_bad_shape",
        ),
        (
            json.dumps({"format": "magpie-profile", "catalogues": {"toy": {"liked": ["x" * 201]}}}),
            "notice.profile_bad_shape",
        ),
    ],
)
def test_a_bad_or_hostile_file_is_refused_with_a_sentence(tmp_path, body, key):
    with pytest.raises(InputError) as refused:
        memory.read_file(_file(tmp_path, body))
    assert refused.value.key == key
    assert "Nothing was changed" in str(refused.value)


def test_a_file_round_trips_and_markup_in_it_stays_text(handlers, tmp_path):
    session = handlers.rec.new_session("toy")
    session.profile = Profile(liked=["chair"], avoided=[HOSTILE])
    path = _file(tmp_path, handlers.export(session, {}))
    loaded = memory.read_file(path)
    assert loaded.catalogues["toy"].liked == ["chair"]

    fresh = handlers.rec.new_session("toy")
    fresh.profile = Profile(wanted=["lamp"], ranges={"price": Range(max=30)})
    out = handlers.load_profile(SimpleNamespace(name=str(path)), "toy", fresh, [], "en")
    assert out.session.profile.liked == ["chair"]
    assert out.session.profile.wanted == ["lamp"]  # this conversation's wishes stay
    assert out.stored["catalogues"]["toy"]["liked"] == ["chair"]
    assert "<img" not in out.profile and "onerror=" not in out.profile


def test_a_refused_file_changes_nothing(handlers, tmp_path):
    session = handlers.rec.new_session("toy")
    session.profile = Profile(liked=["lamp"])
    out = handlers.load_profile(str(_file(tmp_path, "nope")), "toy", session, [], "en")
    assert session.profile.liked == ["lamp"]
    assert out == tuple(gr.skip() for _ in out)  # no output is touched


def test_the_page_opens_and_switches_with_what_the_browser_remembers(handlers):
    stored = memory.remember({}, "toy", Profile(liked=["chair"], seen=["lamp"]))
    session, record, panel = handlers.welcome("toy", stored, "en")
    assert session.profile.liked == ["chair"] and "Comfy Chair" in panel
    assert record["seen"] == ["lamp"]
    switched = handlers.switch_catalog("toy", [], "en", session, stored)
    assert switched.session.profile.liked == ["chair"]
    # A new conversation keeps what lasts, not the last request's wishes.
    session.profile = session.profile.model_copy(update={"wanted": ["comfy"], "avoided": ["x"]})
    renewed = handlers.new_conversation("toy", session, [], "en")
    assert renewed.session.profile.avoided == ["x"] and not renewed.session.profile.wanted
    assert handlers.remember(renewed.session, {})["catalogues"]["toy"]["avoided"] == ["x"]


def test_a_returning_person_gets_new_picks_that_respect_what_they_rated(handlers):
    stored = memory.remember({}, "toy", Profile(liked=["chair"], seen=["lamp"]))
    session, _, _ = handlers.welcome("toy", stored, "en")
    shown = handlers.rec.ask(session, "something new").items
    ids = [s.item.id for s in shown]
    assert "lamp" not in ids and "chair" not in ids  # seen and already liked are not offered
    assert ids[0] == "stool"  # the other furniture, like the chair they liked


def test_the_browser_secret_is_made_once_and_kept_private(tmp_path):
    made = memory.browser_secret("", tmp_path)
    assert memory.browser_secret("", tmp_path) == made and len(made) >= 16
    assert stat.S_IMODE((tmp_path / "browser-secret").stat().st_mode) == 0o600
    assert memory.browser_secret("configured", tmp_path) == "configured"


def test_an_overlong_word_is_kept_cut_and_never_stops_the_remembering():
    stored = memory.remember({}, "toy", Profile(shunned=["q" * 250], liked=["chair"] * 3))
    entry = stored["catalogues"]["toy"]
    assert entry["shunned"] == ["q" * 200] and entry["liked"] == ["chair"]
    assert memory.Memory.model_validate(stored).catalogues["toy"].liked == ["chair"]


def test_a_session_made_before_the_browser_copy_came_back_is_folded_into_it(handlers):
    me = SimpleNamespace(session_hash="early")
    stored = memory.remember({}, "toy", Profile(liked=["chair"], disliked=["lamp"]))
    early = handlers.rec.new_session("toy")  # a message sent while the page was loading
    early.profile = Profile(liked=["lamp"], avoided=["leather"])
    kept = handlers.remember(early, stored, me)["catalogues"]["toy"]
    assert kept["liked"] == ["chair", "lamp"] and kept["disliked"] == []  # later wins
    assert kept["avoided"] == ["leather"]
    assert early.profile.liked == ["chair", "lamp"]  # the session holds it now
    # Once held, the session's profile is what is remembered (a dislike now replaces).
    early.profile = Profile(disliked=["chair"])
    assert handlers.remember(early, stored, me)["catalogues"]["toy"]["liked"] == []


def test_a_loaded_file_is_deleted_once_read_and_only_inside_the_upload_folder(
    handlers, tmp_path, monkeypatch
):
    uploads = tmp_path / "gradio"
    uploads.mkdir()
    monkeypatch.setattr(gr.utils, "get_upload_folder", lambda: str(uploads))
    inside = uploads / "profile.json"
    inside.write_text(memory.to_json({}), encoding="utf-8")
    outside = tmp_path / "elsewhere.json"
    outside.write_text(memory.to_json({}), encoding="utf-8")
    session = handlers.rec.new_session("toy")
    handlers.load_profile(str(inside), "toy", session, [], "en")
    handlers.load_profile(str(outside), "toy", session, [], "en")
    assert not inside.exists() and outside.exists()
