"""Magpie speaks the person's language: the strings files, template replies, reasons, notices,
card labels and the profile panel in Chinese and English, the grounding of a Chinese LLM reply,
and which language a turn picks (message, conversation, browser, selector)."""

from __future__ import annotations

import re
import tomllib
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import (
    FILM_SPEC,
    ScriptedLLM,
    engine,
    needs,
    said,
    write_wav,
)

from recommender.app.cards import profile_markdown, render_cards
from recommender.app.uploads import split_files
from recommender.errors import ConfigError
from recommender.languages import DIR
from recommender.models.speech import WhisperTranscriber
from recommender.reply import strings
from recommender.reply.grounding import opening_sentence
from recommender.reply.strings import (
    choose,
    from_locale,
    message_language,
    page_strings,
    placeholders,
    say,
)
from recommender.reply.templates import template_reason, template_reply
from recommender.schemas import ImageUnderstanding, Item, Profile, Range, ScoredItem

FILMS = [
    Item("Superbad", "Superbad", "Two friends try to get to a party: comedy.", ("movie",),
         {"year": 2007, "genres": ["comedy"]}),
    Item("Hot_Fuzz", "Hot Fuzz", "A London officer in a quiet village: action comedy.", ("movie",),
         {"year": 2007, "genres": ["comedy", "action"]}),
    Item("The_Ring", "The Ring", "A cursed videotape: horror.", ("movie",),
         {"year": 2002, "genres": ["horror"]}),
    Item("Alien", "Alien", "A deadly creature on a spaceship: science fiction horror.", ("movie",),
         {"year": 1979, "genres": ["science fiction", "horror"]}),
]  # fmt: skip


def _has_han(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _entries(code: str) -> dict[str, object]:
    path = DIR / code / "ui.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {
        f"{section}.{key}": value
        for section, table in data.items()
        if isinstance(table, dict) and section != "values"
        for key, value in table.items()
    }


def test_every_language_file_has_the_same_keys_and_placeholders():
    english = _entries("en")
    for code in strings.SUPPORTED:
        other = _entries(code)
        assert set(other) == set(english), code
        for key, text in english.items():
            if isinstance(text, str):
                assert placeholders(str(other[key])) == placeholders(text), (code, key)
    assert all(_has_han(str(v)) for k, v in _entries("zh").items() if k.startswith("page."))


def test_say_refuses_a_missing_key_or_a_wrong_field():
    with pytest.raises(ConfigError):
        say("zh", "reply.no_such_string")
    with pytest.raises(ConfigError):
        say("en", "reply.picks")  # {count} not given
    with pytest.raises(ConfigError):
        say("en", "reply.found", count=2)  # a field the string does not use
    assert say("fr", "reply.found") == say("en", "reply.found")  # unsupported: English


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("推荐几部喜剧电影", "zh"),
        ("我想看一部九十年代的喜剧，不要恐怖片", "zh"),
        ("更像第2个", "zh"),
        ("A funny heist movie from the 2000s", "en"),
        ("una comedia de los noventa", "es"),  # answered in English (supported)
        ("#2", None),
        ("👍 $20", None),
        ("", None),
    ],
)
def test_message_language_by_script(text, language):
    assert message_language(text) == language


def test_the_language_chosen_for_a_turn():
    request = SimpleNamespace(headers={"accept-language": "zh-CN,zh;q=0.9,en;q=0.8"})

    assert from_locale("en-US,en;q=0.9") == "en" and from_locale("de;q=0.9,zh;q=0.5") == "zh"
    assert choose("auto", "", "", request) == "zh"  # nothing said yet: the browser's
    assert choose("auto", "a funny film", "", request) == "en"  # the message wins
    assert choose("auto", "📷", "en", request) == "en"  # no words: the conversation's last
    assert choose("en", "推荐几部喜剧电影", "zh", request) == "en"  # the selector wins


def test_template_reply_and_reasons_in_chinese_and_english():
    profile = Profile(wanted=["comedy"], avoided=["horror"], ranges={"year": Range(min=2000)})
    items = [ScoredItem(FILMS[1], 1.0, {"attribute": 0.9, "popularity": 0.4})]
    zh_reply = template_reply(profile, items, None, "zh")
    assert zh_reply == "为你找到 1 个推荐：喜剧，2000年以后，不要恐怖。"
    en_reply = template_reply(profile, items, None, "en")
    assert en_reply == "Here are 1 picks: comedy, from 2000 on, nothing horror."
    # The wanted kind first, no field names; the English one quotes its story sentence.
    zh_reason = template_reason(items[0], profile, None, lang="zh", spec=FILM_SPEC)
    assert zh_reason == "2007年的喜剧动作片——很受欢迎。"
    en_reason = template_reason(items[0], profile, None, lang="en", spec=FILM_SPEC)
    assert en_reason.startswith("A 2007 comedy and action — a popular pick. A London officer")
    assert template_reply(Profile(), [], None, "zh").startswith("没有找到")
    # One year is said once ("a comedy from 1995"), not as a span from it to itself.
    one_year = Profile(wanted=["comedy"], ranges={"year": Range(min=1995, max=1995)})
    assert template_reply(one_year, items, None, "en") == "Here are 1 picks: comedy, from 1995."
    assert template_reply(one_year, items, None, "zh") == "为你找到 1 个推荐：喜剧，1995年。"
    # Titles are never translated.
    text = template_reply(Profile(liked=["Superbad"]), items, None, "zh", FILM_SPEC)
    assert "Superbad" in text and _has_han(text)


def test_budget_reason_and_notices_in_chinese():
    chair = Item("c", "Comfy Chair", "", ("Furniture",), {"price": 130.0})
    profile = Profile(ranges={"price": Range(max=150)})
    reason = template_reason(
        ScoredItem(chair, 1.0, {"text": 0.8}), profile, None, lang="zh", spec=FILM_SPEC
    )
    assert reason == "属于家具——$130，在你 $150 的预算之内。"
    _, _, notes = split_files(["a.wav", "b.wav", "c.pdf"], "zh")
    assert notes == ["每条消息只听一段语音；已跳过 b.wav。", "我能看照片、听语音；已跳过 c.pdf。"]
    _, _, notes = split_files(["a.wav", "b.wav"], "en")
    assert notes == ["I listen to one voice note a message; b.wav was skipped."]


def test_card_labels_facts_and_profile_panel_in_chinese():
    scored = [ScoredItem(FILMS[0], 1.0, {"text": 0.8})]
    page = render_cards(scored, Profile(), lang="zh")
    assert 'title="我喜欢"' in page and "不适合我：#1 Superbad" in page
    assert "<li>喜剧</li>" in page and ">Superbad</h3>" in page  # genre translated, title not
    assert "匹配：描述" in page  # the stand-in reason before the real one
    assert "推荐会显示在这里" in render_cards([], lang="zh")
    english = render_cards(scored, Profile(), lang="en")
    assert 'title="I like this"' in english and "<li>comedy</li>" in english
    profile = Profile(wanted=["comedy"], avoided=["horror"], liked=["Superbad"])
    panel = profile_markdown(profile, catalog="movies", lang="zh")
    assert "**想要:** 喜剧" in panel and "**不要:** 恐怖" in panel and "Superbad" in panel
    assert "**Wants:** comedy" in profile_markdown(profile, catalog="movies")
    assert "还没有" in profile_markdown(Profile(), lang="zh")
    # A refused describing word ("别太血腥", read as "bloody") is shown as the person said it.
    refused = Profile(avoided=["horror"], shunned=["bloody"])
    assert "**不要:** 恐怖、血腥" in profile_markdown(refused, lang="zh")
    assert "**Avoids:** horror, bloody" in profile_markdown(refused)


def test_page_strings_are_complete_for_i18n():
    english, chinese = page_strings("en"), page_strings("zh")
    assert set(english) == set(chinese) and all(k.startswith("mp_") for k in english)
    assert all("." not in k for k in english)  # the browser's i18n nests on dots


ITEMS = [ScoredItem(FILMS[0], 1.0, {"text": 0.9}), ScoredItem(FILMS[1], 0.9, {"text": 0.8})]


def test_a_grounded_chinese_reply_is_kept():
    reply = opening_sentence("这两部都是2007年的喜剧。", ITEMS, None, Profile(), "zh")
    assert reply == "这两部都是2007年的喜剧。"


def test_a_chinese_reply_with_an_invented_number_falls_back_to_the_chinese_template():
    reply = opening_sentence("这两部都是1999年的喜剧。", ITEMS, None, Profile(), "zh")
    assert reply == ""


def test_a_reply_in_the_wrong_language_falls_back_to_the_template():
    reply = opening_sentence("Both are comedies from 2007.", ITEMS, None, Profile(), "zh")
    assert reply == ""
    reply = opening_sentence("这两部都是喜剧。", ITEMS, None, Profile(), "en")
    assert reply == ""


def films(settings, llm):
    return engine(settings, FILMS, llm=llm)


def test_a_chinese_message_gets_a_chinese_turn_and_the_prompt_asks_for_chinese(settings):
    llm = ScriptedLLM(json_reply={"opening": "这些都是喜剧。这些电影都很有趣。", "reasons": []})
    rec = films(settings, llm)
    session = rec.new_session("movies")
    result = rec.ask(session, "推荐几部喜剧电影")
    assert result.language == "zh" and session.language == "zh"
    assert "Simplified Chinese" in llm.calls[-1][0]["content"]
    # The template's opening first, then the model's first sentence (grounded), no space added.
    assert result.reply.startswith("为你找到") and result.reply.endswith("。这些都是喜剧。")
    assert all(_has_han(s.reason) for s in result.items)
    assert result.to_json()["language"] == "zh"
    # A message without words keeps the conversation's language; the selector overrides.
    assert rec.ask(session, "#1").language == "zh"
    forced = rec.ask(session, "推荐几部喜剧电影", language="en")
    # The model's Chinese sentence is not English: the English template's opening alone.
    assert forced.language == "en" and forced.reply.startswith("Here are")
    assert not _has_han(forced.reply)
    assert rec.ask(session, "something funny").language == "en"


def test_without_an_llm_the_chinese_turn_is_templated_in_chinese(settings):
    rec = films(settings, None)
    result = rec.ask(rec.new_session("movies"), "推荐几部喜剧电影")
    assert result.reply.startswith("为你找到") and all(_has_han(s.reason) for s in result.items)


def test_a_chinese_reply_may_name_listed_titles_but_not_stray_english():
    kept = opening_sentence("Superbad 和 Hot Fuzz 都是2007年的喜剧。", ITEMS, None, Profile(), "zh")
    assert kept == "Superbad 和 Hot Fuzz 都是2007年的喜剧。"
    dropped = opening_sentence("这些电影属于中国 junk 类别。", ITEMS, None, Profile(), "zh")
    assert dropped == ""


def test_a_chinese_reply_may_not_put_an_invented_title_in_title_marks():
    # What the bundled 0.5B model wrote for "来部八十年代的恐怖片" (a tuning-half request).
    invented = opening_sentence("推荐的电影是《八十年代的恐怖片》。", ITEMS, None, Profile(), "zh")
    assert invented == ""
    listed = opening_sentence("《Superbad》和《Hot Fuzz》都是喜剧。", ITEMS, None, Profile(), "zh")
    assert listed == "《Superbad》和《Hot Fuzz》都是喜剧。"


class _Eyes:
    """An image encoder never reached here: the photo fails before it is looked at."""

    name, dim = "eyes", 3

    def encode(self, images):
        return [ImageUnderstanding([1.0, 0.0, 0.0], [("thing", 0.9)], []) for _ in images]


@needs("ffmpeg")
def test_a_chinese_user_reads_every_notice_in_chinese(settings, tmp_path):
    """A photo that cannot be read, a voice note with no speech (the real decoder and silence
    check: Whisper itself is never reached) and a critique with nothing shown yet."""
    ears = WhisperTranscriber(model=None, language=None)  # type: ignore[arg-type]
    rec = engine(settings, FILMS, image=_Eyes(), speech=ears)
    broken = tmp_path / "坏照片.jpg"
    broken.write_bytes(b"\xff\xd8\xff not really a jpeg")
    silent = write_wav(tmp_path / "note.wav", np.zeros(16_000 * 2, dtype=np.float32))

    session = rec.new_session("movies")
    first = rec.ask(session, "更便宜一点的", [str(broken)], str(silent))
    assert first.language == "zh"
    keys = [n.key for n in first.notices]
    assert keys == ["notice.voice_silent", "notice.photo_named", "notice.critique_nothing_shown"]
    shown = said(first.notices, "zh")
    assert shown[0] == say("zh", "notice.voice_silent")
    assert shown[1] == "坏照片.jpg：" + say("zh", "notice.photo_not_image")
    assert shown[2] == say("zh", "notice.critique_nothing_shown")
    assert all(_has_han(n) and not re.search(r"\b[a-z]{4,}\b", n) for n in shown)  # no English
    # The same notices, for an English speaker, in English.
    assert said(first.notices, "en")[2].startswith("I haven't shown you anything yet")
    # The session survives: the next turn answers.
    assert rec.ask(session, "推荐几部喜剧电影").items


def test_a_card_the_last_list_lacks_is_said():
    c = __import__("recommender.read.critique", fromlist=["read_critique"]).read_critique(
        "more like #7", [Item("a", "A"), Item("b", "B")]
    )
    assert said(c.notes, "zh") == ["上一组推荐里没有第 7 个（只有 2 个）。"]
    assert said(c.notes) == ["There is no #7 in the last list (it had 2)."]
