"""The browser app: one Gradio 6 page over a ready ``Recommender``.

Everything about a person lives in ``gr.State`` (the engine ``Session``, the chat log, the
paths of their uploads); models and indexes are the engine's, loaded once per process and
shared. A turn streams: "heard" (the transcript) and "I see" (the photo's words) first, then
the cards as soon as the engine has ranked, then the reply token by token, then the cards
again with their reasons and 👍/👎 buttons.

The page's own strings (labels, buttons, placeholders) come from ``languages/<code>/ui.toml``
through ``gr.I18n``, so they follow the browser's locale; the language selector on the page
overrides it and the language of the messages (``chat.ChatHandlers.language_for``).

API endpoints for ``gradio_client`` (see the README, "The app"):

- ``/chat`` (message: {"text": str, "files": [file]}, catalog: str, language: "auto" | "en" | "zh")
  -> (turn, profile_record, profile, chat, cards, message); ``turn`` holds the items, reply,
  transcript, photo words, notices and timings.
- ``/feedback`` (item: "#2" or an item id, liked: bool) -> (profile_record, profile, cards)
- ``/new_conversation`` and ``/forget_me`` (catalog: str) -> the cleared views.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from recommender.app.cards import CARD_CSS, render_cards
from recommender.app.chat import ChatHandlers, delete_uploads
from recommender.app.memory import browser_secret
from recommender.app.page_text import (
    AUTO,
    I18N,
    PageText,
    bind_language,
    example_headers,
    language_choices,
    text,
)
from recommender.app.views import LoadOutputs, ResetOutputs, TurnOutputs, VoteOutputs
from recommender.errors import MagpieError

if TYPE_CHECKING:
    from recommender.config import Settings
    from recommender.pipeline import Recommender

__all__ = ["Warmup", "build_app", "example_dirs", "examples", "launch_options"]

log = logging.getLogger(__name__)


# The cards are one HTML block; its buttons send (item id, vote) to Python as a click event.
_VOTE_JS = """
element.addEventListener('click', (event) => {
  const button = event.target.closest('button.mp-vote');
  if (!button) return;
  trigger('click', {item: button.dataset.item, liked: button.dataset.liked === '1'});
});
"""


_STORAGE_KEY = "magpie-profile"  # where the browser keeps the remembered profile (memory.py)

# The profile file is made in the browser from the JSON the server sends: nothing is written
# on the server for a download.
_DOWNLOAD_JS = """
(text) => {
  if (!text) return;
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], {type: 'application/json'}));
  link.download = 'magpie-profile.json';
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}
"""


_FORGET_JS = "() => { localStorage.removeItem('" + _STORAGE_KEY + "'); }"


class Warmup:
    """Runs ``Recommender.warm`` in a background thread and says what it is doing."""

    def __init__(self, rec: Recommender, catalogs: Sequence[str]) -> None:
        self.rec = rec
        self.catalogs = list(catalogs)
        self.current = "models"
        self.problems: list[str] = []  # what will not work, said in the status line
        self.started = time.perf_counter()
        self.done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="magpie-warmup", daemon=True)

    def start(self) -> Warmup:
        self._thread.start()
        return self

    def _say(self, line: str) -> None:
        self.current = line

    def _run(self) -> None:
        try:
            timings = self.rec.warm(self.catalogs, progress=self._say)
            log.info("warm-up done in %.1f s: %s", time.perf_counter() - self.started, timings)
        except MagpieError as e:
            log.warning("warm-up stopped: %s", e)
            self.problems.append(f"start-up stopped ({type(e).__name__})")
        except Exception as e:  # serve what does work
            log.exception("warm-up failed")
            self.problems.append(f"start-up failed ({type(e).__name__})")
        # Said in plain words; the reasons (paths, errors) are in the server's log, not here.
        for role, what in (("image", "photos"), ("speech", "voice notes")):
            if self.rec.models.failure(role) is not None:
                self.problems.append(f"{what} are unavailable")
            elif self.rec.models.optional(role) is None:
                self.problems.append(f"{what} are switched off")
        if self.rec.models.failure("llm") is not None:
            self.problems.append("replies come from templates (the language model is unavailable)")
        for name in self.catalogs:
            if self.rec.catalogues.loaded(name) is None:
                self.problems.append(f"the {name} catalogue is unavailable")
        self.done.set()

    def status(self) -> str:
        if self.done.is_set():
            return "✅ Ready" + ("; " + "; ".join(self.problems) if self.problems else "") + "."
        waited = time.perf_counter() - self.started
        slow = " (a first start builds its index: minutes)" if "catalogue" in self.current else ""
        return f"⏳ {self.current.capitalize()}{slow}… {waited:.0f} s"


_QUICK_THREADS = 16  # threads beyond the turns' for the quick events (votes, resets, status)


def launch_options(settings: Settings, rec: Recommender) -> dict[str, Any]:
    """``Blocks.launch`` arguments that belong to the app (Gradio 6 takes theme and CSS there)."""
    return {
        "theme": gr.themes.Soft(primary_hue="teal", secondary_hue="amber"),
        "css": CARD_CSS,
        "max_file_size": f"{int(settings.max_upload_mb)}mb",  # larger uploads never reach us
        # Gradio runs each step of a handler on a pool of threads (40 by default). A turn waiting
        # for the one Whisper or for a reply slot holds one, and up to queue_size turns run at
        # once: the pool is sized above that, so votes, resets and the status line never wait.
        "max_threads": settings.queue_size + _QUICK_THREADS,
        "allowed_paths": example_dirs(rec),
        "footer_links": ["api", "gradio"],
        "i18n": I18N,
    }


def build_app(
    rec: Recommender, *, catalogs: Sequence[str] | None = None, warm: bool = True
) -> gr.Blocks:
    """The Magpie page over ``rec``.

    ``catalogs``: the ones offered (default: every bundled or ingested one), the settings'
    default first. ``warm``: load models and catalogues in the background, building missing
    bundled indexes, while the page already answers with a status line.
    """
    settings = rec.settings
    offered = list(catalogs or rec.catalogs() or [settings.catalog])
    default = settings.catalog if settings.catalog in offered else offered[0]
    catalogs = [default, *(c for c in offered if c != default)]
    warmup = Warmup(rec, catalogs).start() if warm else None
    h = ChatHandlers(rec, default)

    with gr.Blocks(
        title="Magpie: chat your way to something you'll like",
        fill_width=True,
        delete_cache=(3600, settings.upload_ttl_s),
    ) as demo:
        session = gr.State(None)
        log_state = gr.State([])
        uploads = gr.State([], time_to_live=settings.upload_ttl_s, delete_callback=delete_uploads)
        # What lasts of the profile, per catalogue, in the person's own browser (memory.py).
        remembered = gr.BrowserState(
            {},
            storage_key=_STORAGE_KEY,
            secret=browser_secret(settings.browser_secret, settings.data_dir),
        )

        with gr.Row(equal_height=False):
            intro = gr.Markdown(text("mp_intro"), elem_id="mp-intro")
            status = gr.Markdown(warmup.status() if warmup else "✅ Ready.", elem_id="mp-status")
        with gr.Row(equal_height=False):
            with gr.Column(scale=4, min_width=360):
                chatbot = gr.Chatbot(
                    elem_id="mp-chat",
                    label="chat",
                    show_label=False,
                    height=520,
                    latex_delimiters=[],  # "$20 to $40" is money, not maths
                    placeholder=text("mp_chat_placeholder"),
                    buttons=["copy"],
                )
                box = gr.MultimodalTextbox(
                    elem_id="mp-box",
                    label="message",
                    show_label=False,
                    sources=["upload", "microphone"],
                    file_types=["image", "audio"],
                    file_count="multiple",
                    placeholder=text("mp_box_placeholder"),
                    autofocus=True,
                )
            with gr.Column(scale=5, min_width=340):
                picks_title = gr.Markdown(text("mp_picks"), elem_id="mp-picks-title")
                cards = gr.HTML(
                    render_cards([]), elem_id="mp-cards", js_on_load=_VOTE_JS, label="cards"
                )
            with gr.Column(scale=2, min_width=240):
                catalog = gr.Dropdown(
                    [(_title(rec, c), c) for c in catalogs],
                    value=default,
                    label=text("mp_catalogue"),
                    elem_id="mp-catalog",
                )
                language = gr.Dropdown(
                    language_choices(),
                    value=AUTO,
                    label=text("mp_language"),
                    elem_id="mp-language",
                )
                profile_title = gr.Markdown(text("mp_profile_heading"))
                profile_md = gr.Markdown(
                    h.profile_view(None), elem_id="mp-profile", label="profile"
                )
                memory_note = gr.Markdown(text("mp_memory"), elem_id="mp-memory")
                refresh_btn = gr.Button(text("mp_refresh"), size="sm", elem_id="mp-refresh")
                with gr.Row():
                    new_btn = gr.Button(text("mp_new"), size="sm", elem_id="mp-new")
                    forget_btn = gr.Button(
                        text("mp_forget"), size="sm", variant="stop", elem_id="mp-forget"
                    )
                with gr.Row():
                    download_btn = gr.Button(text("mp_download"), size="sm", elem_id="mp-download")
                    load_btn = gr.UploadButton(
                        text("mp_load"),
                        size="sm",
                        file_types=[".json"],
                        file_count="single",
                        elem_id="mp-load",
                    )
                exported = gr.Textbox(visible=False, elem_id="mp-exported")
                with gr.Accordion(text("mp_details"), open=False) as details:
                    turn_json = gr.JSON(label="turn")
                    profile_json = gr.JSON(label="profile_record")
                # The /feedback endpoint for gradio_client; the cards' buttons call the same code.
                vote_item = gr.Textbox(visible=False, label="item")
                vote_liked = gr.Checkbox(True, visible=False, label="liked")
                vote_btn = gr.Button(visible=False)

        starters_list = examples(rec, catalogs)
        starters = gr.Examples(
            examples=starters_list,
            inputs=[box, catalog],
            label=text("mp_examples"),
            # One page: with four catalogues the starters outgrew Gradio's 10 a page, and the
            # shop's were on a second page nobody opens.
            examples_per_page=max(10, len(starters_list)),
        )
        starters.dataset.headers = example_headers(
            "en"
        )  # English headers; the selector and locale switch them per turn

        # Outputs by name: the handlers return the same named tuples (views.py).
        turn_io = list(
            TurnOutputs(
                turn=turn_json,
                profile_record=profile_json,
                profile=profile_md,
                chat=chatbot,
                cards=cards,
                box=box,
                session=session,
                log=log_state,
                uploads=uploads,
            )
        )
        vote_io = list(
            VoteOutputs(
                profile_record=profile_json, profile=profile_md, cards=cards, session=session
            )
        )
        reset_io = list(
            ResetOutputs(
                turn=turn_json,
                profile_record=profile_json,
                profile=profile_md,
                chat=chatbot,
                cards=cards,
                session=session,
                log=log_state,
                uploads=uploads,
                box=box,
            )
        )
        state_in = [session, log_state, uploads]
        sent = box.submit(
            h.chat,
            [box, catalog, *state_in, language],
            turn_io,
            api_name="chat",
            # Every queued turn gets its cards at once; the reply waits for one of
            # turn_concurrency slots inside the handler (ChatHandlers.reply_slots).
            concurrency_limit=settings.queue_size,
            concurrency_id="turn",
        )
        refreshed = refresh_btn.click(
            h.refresh,
            [catalog, *state_in, language],
            turn_io,
            api_visibility="private",
            # Every queued turn gets its cards at once; the reply waits for one of
            # turn_concurrency slots inside the handler (ChatHandlers.reply_slots).
            concurrency_limit=settings.queue_size,
            concurrency_id="turn",
        )
        # Votes and resets are quick and never wait behind a turn (no concurrency limit).
        quick: dict[str, Any] = {"concurrency_limit": None, "show_progress": "hidden"}
        voted = vote_btn.click(
            h.vote,
            [vote_item, vote_liked, session, log_state, language],
            vote_io,
            api_name="feedback",
            **quick,
        )
        on_page = [session, log_state, language]
        card_voted = cards.click(h.card_vote, on_page, vote_io, api_visibility="private", **quick)
        message_voted = chatbot.like(
            h.message_vote, on_page, vote_io, api_visibility="private", **quick
        )
        renewed = new_btn.click(
            h.new_conversation,
            [catalog, session, uploads, language],
            reset_io,
            api_name="new_conversation",
            concurrency_limit=None,
            cancels=[sent, refreshed],  # a reply still streaming must not write the old chat back
        )
        forgotten = forget_btn.click(
            h.forget_me,
            [catalog, session, uploads, language],
            reset_io,
            api_name="forget_me",
            concurrency_limit=None,
            cancels=[sent, refreshed],
        )
        switched = catalog.change(
            h.switch_catalog,
            [catalog, uploads, language, session, remembered],
            reset_io,
            api_visibility="private",
            concurrency_limit=None,
            cancels=[sent, refreshed],
        )
        demo.unload(h.end_session)

        # What lasts of the profile goes to the person's browser after everything that changes
        # it; "Forget me" clears it there too; the page opens with it (memory.py).
        kept: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden"}
        for changed in (sent, refreshed, voted, card_voted, message_voted, renewed, switched):
            changed.then(h.remember, [session, remembered], [remembered], **kept)
        forgotten.then(h.forget_stored, None, [remembered, exported], **kept)
        # ... and at once in the browser too: a reload right after the click must not bring
        # the old copy back before the server's answer lands.
        forget_btn.click(None, None, None, js=_FORGET_JS)
        # Not queued: the page's session holds the remembered profile before a first message
        # could wait in the queue behind other people's turns.
        demo.load(
            h.welcome,
            [catalog, remembered, language],
            [session, profile_json, profile_md],
            queue=False,
            **kept,
        )
        download_btn.click(h.export, [session, remembered], [exported], **kept).then(
            None, [exported], None, js=_DOWNLOAD_JS
        )
        load_btn.upload(
            h.load_profile,
            [load_btn, catalog, session, log_state, language],
            list(
                LoadOutputs(
                    stored=remembered,
                    session=session,
                    profile_record=profile_json,
                    profile=profile_md,
                    cards=cards,
                    chat=chatbot,
                    log=log_state,
                )
            ),
            concurrency_limit=None,
            **kept,
        )

        page = PageText(
            intro, chatbot, box, picks_title, catalog, language, profile_title,
            refresh_btn, new_btn, forget_btn, details, starters.dataset,
            memory_note, download_btn, load_btn,
        )  # fmt: skip
        bind_language(demo, h, page, session, log_state, profile_md, cards)

        if warmup is not None:
            timer = gr.Timer(1.0, active=not warmup.done.is_set())

            def tick() -> tuple[str, gr.Timer]:
                return warmup.status(), gr.Timer(active=not warmup.done.is_set())

            for listen in (timer.tick, demo.load):
                listen(
                    tick,
                    None,
                    [status, timer],
                    api_visibility="private",
                    queue=False,
                    show_progress="hidden",
                )

    demo.queue(max_size=settings.queue_size, default_concurrency_limit=settings.turn_concurrency)
    return demo


def examples(rec: Recommender, catalogs: Sequence[str]) -> list[list[Any]]:
    """Starters a newcomer can click, from each catalogue's ``catalog.toml`` ([[examples]])."""
    out: list[list[Any]] = []
    for name in catalogs:
        try:
            spec = rec.catalogues.spec(name)
        except MagpieError:
            continue
        for example in spec.examples:
            files = [f for f in example.files if _servable(rec, spec.folder, f)]
            if example.text or files:
                out.append([{"text": example.text, "files": files}, name])
    return out or [[{"text": "Something I would like", "files": []}, catalogs[0]]]


def example_dirs(rec: Recommender) -> list[str]:
    """The examples' files: the only local files the page may serve (each file itself, and
    only inside its catalogue's folder or the bundled assets: a catalog.toml cannot open
    a path to anything else)."""
    allowed: set[str] = set()
    for spec in rec.catalogues.specs().values():
        allowed |= {f for e in spec.examples for f in e.files if _servable(rec, spec.folder, f)}
    return sorted(allowed)


def _title(rec: Recommender, name: str) -> str:
    """The name people see: the catalog.toml's title, else the catalogue's name."""
    try:
        return rec.catalogues.spec(name).title or name
    except MagpieError:
        return name


def _servable(rec: Recommender, folder: Path | None, file: str) -> bool:
    path = Path(file).resolve()
    roots = [Path(rec.settings.assets_dir).resolve(), *([folder.resolve()] if folder else [])]
    return path.is_file() and any(root in path.parents for root in roots)
