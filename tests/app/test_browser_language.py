"""The page in the person's language, in a real browser (Debian's Chromium, headless).

A zh-CN browser sees the page's own strings in Chinese (gr.I18n), types a Chinese request and
gets a Chinese reply, Chinese card labels and a Chinese profile panel; an en-US browser sees
English throughout; the language selector overrides both. The movies catalogue and the real
models answer; the Chinese request's cards are checked from what they show (a 1990s comedy, no
horror). Screenshots go to ``artifacts/``.
"""

from __future__ import annotations

import contextlib
import re
import time

import pytest
from app_server import ARTIFACTS, chromium, record_timings, serve

from recommender.reply.strings import message_language

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with serve(tmp_path_factory.getbasetemp() / "magpie-app-movies", catalog="movies") as served:
        yield served


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@contextlib.contextmanager
def page_in(browser, app, locale: str):
    context = browser.new_context(locale=locale, viewport={"width": 1400, "height": 960})
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(app.url)
    page.wait_for_selector("#mp-status:has-text('Ready')")
    try:
        yield page
    finally:
        context.close()


def ask(page, text: str) -> tuple[str, float]:
    """Type a request, wait for the whole turn (votes appear last); the reply's first line."""
    page.fill("#mp-box textarea", text)
    sent = time.perf_counter()
    page.keyboard.press("Enter")
    page.wait_for_selector("#mp-cards .mp-vote")
    reply = page.locator("#mp-chat [data-testid=bot]").last.inner_text().strip()
    return reply.splitlines()[0], time.perf_counter() - sent


def labels(page) -> dict[str, str]:
    return {
        "picks": page.inner_text("#mp-picks-title"),
        "placeholder": page.get_attribute("#mp-box textarea", "placeholder") or "",
        "language": page.inner_text("#mp-language"),
        "refresh": page.inner_text("#mp-refresh"),
    }


def test_a_chinese_browser_and_request_get_chinese(app, browser):
    with page_in(browser, app, "zh-CN") as page:
        assert labels(page) == {
            "picks": "推荐",
            "placeholder": "你现在想要什么？可以附上照片或语音…",
            "language": "语言",
            "refresh": "↻ 按我的 👍/👎 重新推荐",
        }
        page.wait_for_function(
            "() => document.querySelector('#mp-profile').innerText.includes('还没有')"
        )
        page.wait_for_function("() => document.body.innerText.includes('消息')")  # examples
        assert "__i18n__" not in page.inner_text("body")

        reply, turn_s = ask(page, "我想看一部九十年代的喜剧，不要恐怖片")  # a 90s comedy, no horror
        assert message_language(reply) == "zh", reply
        cards = page.locator("#mp-cards .mp-card")
        assert cards.count() >= 2
        # The right cards, read from what they show (year, genres in Chinese): every one from the
        # 1990s and none a horror film; most of them comedies.
        facts = page.locator("#mp-cards .mp-facts").all_inner_texts()
        assert all(re.search(r"\b199\d\b", f) for f in facts), facts
        assert not any("恐怖" in f for f in facts), facts
        assert sum("喜剧" in f for f in facts) >= 3, facts
        assert message_language(cards.first.locator(".mp-reason").inner_text()) == "zh"
        like = cards.first.locator("button.mp-vote[data-liked='1']")
        assert like.get_attribute("title") == "我喜欢"
        assert "目录" in page.inner_text("#mp-profile")

        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "browser-zh.png"), full_page=True)
        record_timings("browser_zh", [{"turn_s": round(turn_s, 3)}])


def test_an_english_browser_and_request_get_english(app, browser):
    with page_in(browser, app, "en-US") as page:
        assert labels(page) == {
            "picks": "Picks",
            "placeholder": "What are you in the mood for? Attach photos or a voice note…",
            "language": "Language",
            "refresh": "↻ Refresh picks with my 👍/👎",
        }
        assert "Nothing yet" in page.inner_text("#mp-profile")
        assert "__i18n__" not in page.inner_text("body")

        reply, _ = ask(page, "Recommend a few comedy movies")
        assert message_language(reply) == "en", reply
        cards = page.locator("#mp-cards .mp-card")
        assert cards.count() >= 2
        like = cards.first.locator("button.mp-vote[data-liked='1']")
        assert like.get_attribute("title") == "I like this"
        assert "Wants:" in page.inner_text("#mp-profile")
        page.screenshot(path=str(ARTIFACTS / "browser-en.png"), full_page=True)


def test_the_language_selector_overrides_the_browser_and_the_message(app, browser):
    with page_in(browser, app, "zh-CN") as page:
        page.click("#mp-language input")
        page.get_by_role("option", name="English").click()
        page.wait_for_function(
            "() => document.querySelector('#mp-picks-title').innerText.includes('Picks')"
        )
        assert labels(page)["refresh"] == "↻ Refresh picks with my 👍/👎"

        reply, _ = ask(page, "推荐几部喜剧电影")
        assert message_language(reply) == "en", reply
        like = page.locator("#mp-cards button.mp-vote[data-liked='1']").first
        assert like.get_attribute("title") == "I like this"
