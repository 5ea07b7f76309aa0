"""The profile that lives in the person's own browser, in Chromium (issue 24).

A reload keeps what lasts (liked, refused) and drops one request's wishes (its budget); "Forget
me" clears the browser's copy; a second browser profile sees nothing of the first; a profile
file downloads, and loads back, while a damaged or hostile one is refused with a notice and
changes nothing.
"""

from __future__ import annotations

import json

import pytest
from app_server import chromium, serve
from test_browser import _send

pytestmark = pytest.mark.browser

NOTHING_YET = "Nothing yet"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with serve(tmp_path_factory.getbasetemp() / "magpie-app") as served:
        yield served


@pytest.fixture
def browser():
    with chromium() as launched:
        yield launched


def _open(browser, url: str):
    context = browser.new_context(viewport={"width": 1400, "height": 960}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(url)
    _ready(page)
    return page


def _ready(page) -> None:
    page.wait_for_selector("#mp-status:has-text('Ready')")
    # The profile panel is filled from the browser's copy once the page has loaded.
    page.wait_for_function("() => document.querySelector('#mp-profile') !== null")


def _profile(page) -> str:
    return page.inner_text("#mp-profile")


def _wait_profile(page, has: str = "", lacks: str = "") -> str:
    page.wait_for_function(
        """([has, lacks]) => {
            const text = document.querySelector('#mp-profile').innerText;
            return (!has || text.includes(has)) && (!lacks || !text.includes(lacks));
        }""",
        arg=[has, lacks],
    )
    return _profile(page)


def _like_first_card(page) -> str:
    card = page.locator("#mp-cards .mp-card").first
    title = card.locator(".mp-title").inner_text()
    card.locator("button.mp-vote[data-liked='1']").click()
    page.wait_for_selector("#mp-cards .mp-card.mp-liked")
    _wait_profile(page, has=title)
    return title


def _load(page, path) -> None:
    with page.expect_file_chooser() as chooser:
        page.click("#mp-load")
    chooser.value.set_files(str(path))


def _close_notices(page) -> None:
    page.locator(".toast-close").evaluate_all("buttons => buttons.forEach(b => b.click())")
    page.wait_for_function("() => document.querySelector('.toast-body') === null")


def _reload(page) -> None:
    page.reload()
    _ready(page)


def test_a_reload_keeps_what_lasts_and_forget_me_clears_it(app, browser):
    page = _open(browser, app.url)
    assert "Remembered on this device only" in page.inner_text("#mp-memory")
    _send(page, "a plant for my desk under $50, no cactus")
    title = _like_first_card(page)
    assert "under $50" in _profile(page)

    _reload(page)
    kept = _wait_profile(page, has=title)
    assert "cactus" in kept  # a refusal lasts
    assert "$50" not in kept  # one request's budget does not
    assert page.locator("#mp-chat [data-testid=bot]").count() == 0  # the chat is not kept

    # A second browser profile (a new context: its own storage) sees nothing of the first.
    other = _open(browser, app.url)
    assert NOTHING_YET in _wait_profile(other, has=NOTHING_YET)
    other.context.close()

    # The browser's copy goes with the click itself (ui._FORGET_JS), not with the server's
    # answer a moment later: with the server's queue cut off, the click alone removes it, and a
    # reload then brings nothing back. (Reloading in the same millisecond as the click raced
    # the click's own handler on a machine busy with other work.)
    page.route("**/gradio_api/queue/**", lambda route: route.abort())
    page.click("#mp-forget")
    page.wait_for_function("() => localStorage.getItem('magpie-profile') === null", timeout=5_000)
    page.unroute("**/gradio_api/queue/**")
    _reload(page)
    assert title not in _wait_profile(page, has=NOTHING_YET)
    page.context.close()


def test_a_profile_file_downloads_loads_back_and_a_bad_one_changes_nothing(app, browser, tmp_path):
    page = _open(browser, app.url)
    _send(page, "a desk lamp")
    title = _like_first_card(page)

    with page.expect_download() as download:
        page.click("#mp-download")
    saved = tmp_path / "mine.json"
    download.value.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["format"] == "magpie-profile"
    assert len(data["catalogues"]["shop"]["liked"]) == 1

    page.click("#mp-forget")
    _wait_profile(page, has=NOTHING_YET)

    hostile = {
        "not-json.json": "this is not a profile",
        "wrong-kind.json": json.dumps({"format": "something-else", "catalogues": {}}),
        "extra-keys.json": json.dumps(
            {"format": "magpie-profile", "version": 1, "catalogues": {}, "<script>": "x"}
        ),
        "overlong.json": json.dumps(
            {
                "format": "magpie-profile",
                "version": 1,
                "catalogues": {"shop": {"liked": ["x"] * 500}},
            }
        ),
        "huge.json": '{"format": "magpie-profile", "pad": "' + "x" * 400_000 + '"}',
        "binary.json": "",  # written as bytes below
    }
    for name, body in hostile.items():
        path = tmp_path / name
        if name == "binary.json":
            path.write_bytes(b"\xff\xfe\x00garbage")
        else:
            path.write_text(body, encoding="utf-8")
        _close_notices(page)
        _load(page, path)
        page.locator(".toast-body", has_text="Nothing was changed").wait_for()
        assert NOTHING_YET in _profile(page), name

    _load(page, saved)
    page.locator(".toast-body", has_text="Profile loaded: 1 liked").wait_for()
    _wait_profile(page, has=title)
    _reload(page)  # loaded into this browser's memory too
    _wait_profile(page, has=title)
    page.context.close()
