"""A real browser against the app: Debian's Chromium, headless, driven by Playwright.

Type a request, attach a photo, see the cards (with photos), press 👍 on one, see the profile
change. The screenshot is saved as ``artifacts/browser.png`` (CI keeps ``artifacts/``).
"""

from __future__ import annotations

import time

import pytest
from app_server import ARTIFACTS, ROOT, chromium, record_timings, serve

pytestmark = pytest.mark.browser

CAMERA_PHOTO = ROOT / "assets" / "examples" / "camera-photo.jpg"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with serve(tmp_path_factory.getbasetemp() / "magpie-app") as served:
        yield served


@pytest.fixture
def page():
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 960})
        page.set_default_timeout(120_000)
        yield page


def test_photo_request_cards_and_a_like_in_the_browser(app, page):
    page.goto(app.url)
    page.wait_for_selector("#mp-status:has-text('Ready')")
    assert "Nothing yet" in page.inner_text("#mp-profile")

    page.set_input_files("#mp-box input[type=file]", str(CAMERA_PHOTO))
    page.wait_for_selector("#mp-box img")  # the photo is attached
    page.fill("#mp-box textarea", "A camera like this one, under $150")
    sent = time.perf_counter()
    page.keyboard.press("Enter")

    page.wait_for_selector("#mp-cards .mp-card")
    cards_s = time.perf_counter() - sent
    page.wait_for_selector("#mp-cards .mp-vote")  # the turn is done: reasons and votes are in
    turn_s = time.perf_counter() - sent
    cards = page.locator("#mp-cards .mp-card")
    assert cards.count() >= 2
    assert page.locator("#mp-cards img.mp-photo").count() == cards.count()
    assert cards.first.locator(".mp-num").inner_text() == "#1"
    assert page.locator("#mp-chat").get_by_text("I see: reflex camera").count() == 1
    assert "under $150" in page.inner_text("#mp-profile")  # read as at most $149.99

    title = cards.nth(1).locator(".mp-title").inner_text()
    cards.nth(1).locator("button.mp-vote[data-liked='1']").click()
    page.wait_for_selector("#mp-cards .mp-card.mp-liked")
    page.wait_for_function(
        "t => document.querySelector('#mp-profile').innerText.includes(t)", arg=title
    )
    profile = page.inner_text("#mp-profile")
    assert "Liked" in profile and title in profile

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser.png"), full_page=True)
    record_timings("browser", [{"cards_s": round(cards_s, 3), "turn_s": round(turn_s, 3)}])
    assert cards_s < 30

    # 👎 on the reply itself rates every item it showed.
    page.locator("#mp-chat button[aria-label='Dislike']").last.click()
    page.wait_for_function(
        "() => document.querySelector('#mp-profile').innerText.includes('Not for me')"
    )
    assert page.locator("#mp-cards .mp-card.mp-disliked").count() == cards.count()


def _send(page, text: str) -> list[str]:
    """Type a message, wait until this turn's cards replaced the last ones and its votes are in
    (the turn is done); the cards' text."""
    grid = page.locator("#mp-cards .mp-grid")  # our own markup, not Gradio's loading wrappers
    before = grid.inner_html() if grid.count() else ""
    page.fill("#mp-box textarea", text)
    page.keyboard.press("Enter")
    page.wait_for_function(
        """old => {
            const grid = document.querySelector('#mp-cards .mp-grid');
            return grid !== null && grid.innerHTML !== old && grid.querySelector('.mp-vote') !== null;
        }""",
        arg=before,
    )
    cards = page.locator("#mp-cards .mp-card")
    return [cards.nth(i).inner_text() for i in range(cards.count())]


@pytest.fixture(scope="module")
def luma_app(tmp_path_factory):
    with serve(tmp_path_factory.getbasetemp() / "magpie-luma", catalog="luma") as served:
        yield served


def test_the_luma_shop_filters_by_gender_budget_and_colour_in_the_browser(luma_app, page):
    import re

    page.goto(luma_app.url)
    page.wait_for_selector("#mp-status:has-text('Ready')")

    cards = _send(page, "a waterproof jacket for women under $80")
    assert len(cards) == 5
    for card in cards:
        price = float(re.search(r"\$(\d+(?:\.\d+)?)", card).group(1))
        assert price <= 80 and "women" in card, card
    assert sum("jackets" in card for card in cards) >= 3
    titles = [card.split("\n")[1] for card in cards]
    # One colour of a product per list.
    assert len({re.sub(r" \(.*\)$", "", t) for t in titles}) == len(titles), titles

    cards = _send(page, "in blue")
    assert cards and all("blue" in card for card in cards), cards
    assert all("women" in card for card in cards)  # the refinement kept the rest
    assert "Wants" in page.inner_text("#mp-profile")
