"""The page's own strings in the person's language: ``gr.I18n`` and the language selector.

The labels, buttons, placeholders and headings come from ``languages/<code>/ui.toml``
(``[page]``). Through ``I18N`` the browser shows them in its own locale with no round trip; the
selector ("🌐 Auto", "English", "中文") overrides that and the language of the messages: on a
change the server sends every label in the chosen language, and the profile panel and cards in
the language the person is answered in (``strings.choose``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import gradio as gr

from recommender.reply.strings import SUPPORTED, browser_language, language_name, page_strings

if TYPE_CHECKING:
    from recommender.app.chat import ChatHandlers

__all__ = [
    "AUTO",
    "I18N",
    "PageText",
    "bind_language",
    "example_headers",
    "language_choices",
    "text",
]

# A browser set to zh-CN or zh-TW gets the Chinese strings; any other locale falls back to "en".
I18N = gr.I18n(
    **{code: page_strings(code) for code in SUPPORTED},
    **{"zh-CN": page_strings("zh"), "zh-TW": page_strings("zh")},
)
AUTO = "auto"  # the selector's "follow my messages and my browser"


def text(key: str) -> Any:
    """A page string by its key, translated in the browser (typed ``Any``: Gradio's
    signatures say ``str`` where an ``I18nData`` works)."""
    return I18N(key)


def example_headers(lang: str) -> list[str]:
    """The examples table's column headers (Gradio writes a component's label there as it is,
    so an I18n label would show its key): set per language here instead."""
    t = page_strings(lang)
    return [t["mp_message"], t["mp_catalogue"]]


def language_choices() -> list[tuple[str, str]]:
    return [("🌐 Auto", AUTO), *((language_name(c), c) for c in SUPPORTED)]


class PageText(NamedTuple):
    """The components whose own strings follow the language, in ``relabel``'s order."""

    intro: Any  # gr.Markdown
    chatbot: Any
    box: Any
    picks: Any  # gr.Markdown heading
    catalog: Any  # gr.Dropdown
    language: Any  # gr.Dropdown
    profile_title: Any  # gr.Markdown heading
    refresh: Any  # gr.Button
    new: Any
    forget: Any
    details: Any  # gr.Accordion
    examples: Any  # gr.Dataset (gr.Examples.dataset)
    memory: Any  # gr.Markdown: what is remembered, and where
    download: Any  # gr.Button
    load: Any  # gr.UploadButton


def relabel(lang: str) -> PageText:
    """Updates that put every page string in ``lang``."""
    t = page_strings(lang)
    return PageText(
        gr.Markdown(t["mp_intro"]),
        gr.Chatbot(placeholder=t["mp_chat_placeholder"]),
        gr.MultimodalTextbox(placeholder=t["mp_box_placeholder"]),
        gr.Markdown(t["mp_picks"]),
        gr.Dropdown(label=t["mp_catalogue"]),
        gr.Dropdown(label=t["mp_language"]),
        gr.Markdown(t["mp_profile_heading"]),
        gr.Button(t["mp_refresh"]),
        gr.Button(t["mp_new"]),
        gr.Button(t["mp_forget"]),
        gr.Accordion(label=t["mp_details"]),
        gr.Dataset(label=t["mp_examples"], headers=example_headers(lang)),
        gr.Markdown(t["mp_memory"]),
        gr.Button(t["mp_download"]),
        gr.UploadButton(t["mp_load"]),
    )


def bind_language(
    demo: gr.Blocks,
    h: ChatHandlers,
    parts: PageText,
    session: gr.State,
    log_state: gr.State,
    profile: gr.Markdown,
    cards: gr.HTML,
) -> None:
    """The selector's change event, and the profile panel and empty cards on load."""

    def change(choice: str, session_: Any, log_: Any, request: gr.Request) -> list[Any]:
        lang = h.language_for(choice, session_, "", request)
        labels = relabel(choice if choice in SUPPORTED else browser_language(request) or "en")
        return [*labels, h.profile_view(session_, lang=lang), h.cards_view(session_, log_, lang)]

    def greet(request: gr.Request) -> tuple[str, Any]:
        # The labels follow the browser through I18n already; the empty cards and the
        # examples' headers are rendered here, so they match (the profile panel: ``welcome``).
        lang = browser_language(request) or "en"
        headers = gr.Dataset(headers=example_headers(lang))
        return h.cards_view(None, None, lang), headers

    quiet: dict[str, Any] = {"api_visibility": "private", "queue": False, "show_progress": "hidden"}
    parts.language.change(
        change, [parts.language, session, log_state], [*parts, profile, cards], **quiet
    )
    demo.load(greet, None, [cards, parts.examples], **quiet)
