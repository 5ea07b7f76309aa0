"""What the browser shows of a turn: item cards, the profile panel, safe chat text.

Catalogue text, user text and LLM output are data: everything that reaches HTML goes through
``html.escape`` and everything that reaches the chat's Markdown through ``md_escape``, so a
title like ``<img onerror=...>`` or a reply holding ``![x](http://...)`` shows as plain text.
Item photos are embedded as small JPEG data URIs, so no file path of the server is exposed
and any catalogue's image folder works without widening Gradio's allowed paths. Labels come
from the person's language (``lang``, ``strings.py``); list attributes such as genres are shown
through its word list, titles and names as the catalogue has them.
"""

from __future__ import annotations

import base64
import functools
import html
import io
import logging
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from recommender.catalogue.spec import CatalogSpec, FieldRoles
from recommender.config import Settings
from recommender.models.image_io import UPLOAD_FORMATS
from recommender.read.quantities import as_said
from recommender.reply.strings import said_in, say, unit_format, value, values, word_as_said
from recommender.signals import Signal
from recommender.text import in_unit

if TYPE_CHECKING:
    from recommender.signals import Signal
from recommender.schemas import Item, Profile, ScoredItem

__all__ = [
    "CARD_CSS",
    "CardStyle",
    "key_facts",
    "md_escape",
    "profile_markdown",
    "render_cards",
    "thumbnail_uri",
]

log = logging.getLogger(__name__)

THUMB_PX = 320  # longest side of a card photo; the bundled shop photos are at most 256 px
MAX_TITLE = 120  # characters shown of a title; the rest is cut with an ellipsis
MAX_REASON = 320  # characters shown of a reason
MAX_FACTS = 4  # facts on a card, price included


@dataclass(frozen=True)
class CardStyle:
    """What a catalogue's cards show: from its ``catalog.toml`` (``[cards]``, ``[fields]``)."""

    attributes: tuple[str, ...] = ()  # in order; empty: the item's own attributes, in order
    formats: Mapping[str, str] = field(default_factory=dict)  # "runtime" -> "{} min"
    # Money is shown first, on its own; options never.
    fields: FieldRoles = field(default_factory=FieldRoles)
    limits: Settings | None = None  # how large a photo may be opened (the configured settings)

    @classmethod
    def of(cls, spec: CatalogSpec, limits: Settings | None = None) -> CardStyle:
        return cls(spec.card_attributes, spec.card_format, spec.fields, limits)

    @property
    def not_facts(self) -> frozenset[str]:
        return self.fields.money_fields | {self.fields.options}


# Markdown punctuation, plus "/" so that "http://" is not turned into a live link.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~$/])")
_WWW = re.compile(r"\b(www)\.", re.IGNORECASE)


def md_escape(text: str) -> str:
    """Text shown literally by a Markdown renderer (no links, images, HTML or emphasis).

    >>> print(md_escape("![x](http://e.vil) <b>*hi*</b> & $5"))
    \\!\\[x\\]\\(http:\\/\\/e.vil\\) &lt;b&gt;\\*hi\\*&lt;\\/b&gt; &amp; \\$5
    """
    escaped = _MD_SPECIAL.sub(r"\\\1", html.escape(text or "", quote=False))
    return _WWW.sub(r"\1\\.", escaped)  # "www.x.y" is a live link in GitHub-flavoured Markdown


def _cut(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _money(value: float) -> str:
    return f"${value:,.0f}" if float(value).is_integer() else f"${value:,.2f}"


def key_facts(item: Item, style: CardStyle | None = None, lang: str = "en") -> list[str]:
    """The few attributes a card shows: price first, then the catalogue's chosen attributes.

    >>> from recommender.schemas import Item
    >>> key_facts(Item("a", "A", attributes={"price": 30.0, "price_max": 45.5, "brand": "Acme"}))
    ['$30–$45.50', 'Acme']
    >>> movie = Item("m", "M", attributes={"year": 1996, "genres": ["comedy", "family"], "runtime": 103})
    >>> key_facts(movie, CardStyle(("year", "genres", "runtime"), {"runtime": "{} min"}))
    ['1996', 'comedy, family', '103 min']
    >>> key_facts(movie, CardStyle(("year", "genres", "runtime"), {"runtime": "{} min"}), "zh")
    ['1996', '喜剧, 家庭', '103分钟']
    """
    style = style or CardStyle()
    facts = []
    roles = style.fields
    price, top = item.number(roles.money), item.number(roles.money_max)
    if price is not None:
        facts.append(_money(price) + (f"–{_money(top)}" if top and top != price else ""))
    keys = style.attributes or [k for k in item.attributes if k not in style.not_facts]
    for key in keys:
        value = item.attributes.get(key)
        if value is None or value == "" or value == [] or key in style.not_facts:
            continue
        if isinstance(value, list):
            value = ", ".join(values(lang, [str(v) for v in value[:3]]))
        unit = unit_format(lang, style.formats.get(key))  # "{} min", "{}分钟"
        facts.append(_cut(in_unit(str(value), unit), 60))
        if len(facts) >= MAX_FACTS:
            break
    return facts


@functools.lru_cache(maxsize=1024)
def thumbnail_uri(
    path: str | None,
    max_mb: float = Settings.max_upload_mb,
    max_pixels: int = Settings.max_image_pixels,
) -> str | None:
    """A small JPEG of the photo as a data URI, or None when there is no readable photo.

    Catalogue photos stay within their folder (``rows.resolve_image``, ``rows.photo_within``);
    still, only picture formats are opened, and never a file larger or with more pixels than
    an upload may have (the configured ``max_upload_mb`` and ``max_image_pixels``)."""
    if not path:
        return None
    try:
        from PIL import Image

        if os.path.getsize(path) > max_mb * 2**20:
            return None
        with Image.open(path, formats=UPLOAD_FORMATS) as source:
            if source.width * source.height > max_pixels:
                return None
            source.draft("RGB", (THUMB_PX, THUMB_PX))  # JPEG: decode at a reduced size, fast
            im = source.convert("RGBA")
            im.thumbnail((THUMB_PX, THUMB_PX))
            # Transparency onto white, as the image encoder does.
            flat = Image.new("RGB", im.size, "white")
            flat.paste(im, mask=im.getchannel("A"))
            buf = io.BytesIO()
            flat.save(buf, "JPEG", quality=82, optimize=True)
    except Exception as e:  # a broken catalogue photo must not break the turn
        log.warning("no thumbnail for %s: %s", path, e)
        return None
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _signals_line(signals: dict[str, float], lang: str = "en") -> str:
    """The strongest signals, as a stand-in reason while the real one is being written.

    >>> _signals_line({"text": 0.5, "liked_sim": 0.9}), _signals_line({"text": 0.5}, "zh")
    ('matched on similar, description', '匹配：描述')
    """
    top = sorted(((v, k) for k, v in signals.items() if v > 0), reverse=True)[:3]
    if not top:
        return ""
    names = [say(lang, Signal(k).label_key) for _, k in top]
    return say(lang, "cards.matched_on", signals=say(lang, "cards.signals_join").join(names))


def _card(
    number: int, scored: ScoredItem, state: str, votes: bool, style: CardStyle, lang: str
) -> str:
    item = scored.item
    e = html.escape
    limits = style.limits or Settings()
    uri = thumbnail_uri(item.image, limits.max_upload_mb, limits.max_image_pixels)
    if uri:
        picture = f'<img class="mp-photo" src="{uri}" alt="{e(_cut(item.title, 80))}">'
    else:
        initial = e((item.title.strip()[:1] or "?").upper())
        hue = sum(map(ord, item.id)) % 360
        picture = f'<div class="mp-photo mp-tile" style="--hue:{hue}">{initial}</div>'
    facts = "".join(f"<li>{e(f)}</li>" for f in key_facts(item, style, lang))
    reason = scored.reason or _signals_line(scored.signals, lang)
    reason_class = "mp-reason" if scored.reason else "mp-reason mp-pending"
    buttons = ""
    if votes:
        ident, title = e(item.id), _cut(item.title, 60)
        like, dislike = e(say(lang, "cards.like_title")), e(say(lang, "cards.dislike_title"))
        like_label = e(say(lang, "cards.like_label", number=number, title=title))
        dislike_label = e(say(lang, "cards.dislike_label", number=number, title=title))
        buttons = (
            '<div class="mp-votes">'
            f'<button class="mp-vote{" mp-on" if state == "liked" else ""}" data-item="{ident}"'
            f' data-liked="1" title="{like}" aria-label="{like_label}">👍</button>'
            f'<button class="mp-vote{" mp-on" if state == "disliked" else ""}" data-item="{ident}"'
            f' data-liked="0" title="{dislike}" aria-label="{dislike_label}">👎</button>'
            "</div>"
        )
    return (
        f'<article class="mp-card mp-{state}" data-item="{e(item.id)}" data-number="{number}">'
        f'<span class="mp-num">#{number}</span>{picture}'
        f'<h3 class="mp-title">{e(_cut(item.title, MAX_TITLE))}</h3>'
        f'<ul class="mp-facts">{facts}</ul>'
        f'<p class="{reason_class}">{e(_cut(reason, MAX_REASON))}</p>{buttons}</article>'
    )


def render_cards(
    items: Sequence[ScoredItem],
    profile: Profile | None = None,
    *,
    votes: bool = True,
    note: str = "",
    style: CardStyle | None = None,
    lang: str = "en",
) -> str:
    """The cards of one turn, numbered #1..#k, as escaped HTML.

    ``votes`` adds the 👍/👎 buttons (left out while a turn is still streaming, so a vote
    cannot race the turn that is writing the profile).
    """
    if not items:
        return f'<div class="mp-empty">{html.escape(note or say(lang, "cards.empty"))}</div>'
    liked = set(profile.liked) if profile else set()
    disliked = set(profile.disliked) if profile else set()
    cards = []
    for n, scored in enumerate(items, start=1):
        state = (
            "liked"
            if scored.item.id in liked
            else "disliked"
            if scored.item.id in disliked
            else "open"
        )
        cards.append(_card(n, scored, state, votes, style or CardStyle(), lang))
    header = f'<p class="mp-note">{html.escape(note)}</p>' if note else ""
    return f'{header}<div class="mp-grid">{"".join(cards)}</div>'


def profile_markdown(
    profile: Profile,
    title_of=None,
    catalog: str = "",
    lang: str = "en",
    fields: FieldRoles | None = None,
    formats: Mapping[str, str] | None = None,
) -> str:
    """The preference profile in plain words, one line a part, for the side panel; a number
    shows the unit its cards do (``formats``: ``spec.card_format``, "{} min").

    >>> from recommender.schemas import Profile, Range
    >>> p = Profile(wanted=["comedy"], ranges={"price": Range(max=150)})
    >>> print(profile_markdown(p, lang="zh"))
    **想要:** 喜剧
    <BLANKLINE>
    **价格:** 不超过 $150
    """
    name = title_of or (lambda i: i)

    def words(items: Sequence[str], shown: bool = True) -> str:
        items = values(lang, list(items)) if shown else list(items)
        # Once each, as read: "jackets" and "jacket" are both 夹克 in Chinese.
        items = list(dict.fromkeys(items))
        return say(lang, "profile.list").join(md_escape(_cut(v, 80)) for v in items)

    def line(key: str, text: str) -> None:
        lines.append(f"**{md_escape(say(lang, 'profile.' + key))}:** {text}")

    lines: list[str] = []
    if catalog:
        line("catalogue", md_escape(catalog))
    if profile.intent:
        line("looking_for", md_escape(_cut(profile.intent, 200)))
    if profile.categories:
        line("categories", words(profile.categories))
    if profile.wanted:
        line("wants", words(profile.wanted))
    if topics := said_in(lang, profile.topics):
        line("about", words(topics, False))
    if profile.avoided or profile.shunned:
        refused = [
            *values(lang, list(profile.avoided)),
            *(word_as_said(lang, w) for w in profile.shunned),
        ]
        line("avoids", words(refused, False))
    for key, rng in profile.ranges.items():
        low, high = rng.min, rng.max
        unit = unit_format(lang, (formats or {}).get(key))
        fmt = (
            _money
            if key in (fields or FieldRoles()).money_fields
            else (lambda x, unit=unit: in_unit(f"{x:g}", unit))
        )
        if low is not None and high is not None:
            span = say(lang, "profile.between", low=fmt(low), high=fmt(high))
        elif low is not None:
            span = say(lang, "profile.from", low=fmt(low))
        elif high is not None and fmt is _money and as_said(high) != high:
            span = say(lang, "profile.under", high=_money(as_said(high)))  # "under $80"
        elif high is not None:
            span = say(lang, "profile.up_to", high=fmt(high))
        else:
            continue
        shown = value(lang, key)
        shown = shown.capitalize() if shown == key else shown
        lines.append(f"**{md_escape(shown)}:** {span}")  # numbers and our own words
    if profile.liked:
        line("liked", words([name(i) for i in profile.liked[-8:]], False))
    if profile.disliked:
        line("disliked", words([name(i) for i in profile.disliked[-8:]], False))
    if profile.seen:
        line("seen", words([name(i) for i in profile.seen[-8:]], False))
    if profile.images:
        seen = [w for im in profile.images[-3:] for w in im.words[:3]]
        line("photo", words(seen, False) or say(lang, "profile.photo_kept"))
    if len(lines) <= (1 if catalog else 0):
        lines.append(say(lang, "profile.nothing"))
    return "\n\n".join(lines)


CARD_CSS = """
#mp-cards .mp-grid { display: grid; gap: 12px;
  grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); }
#mp-cards .mp-card { position: relative; display: flex; flex-direction: column; gap: 6px;
  padding: 10px; border-radius: 12px; border: 1px solid var(--border-color-primary);
  background: var(--background-fill-primary); box-shadow: var(--block-shadow); }
#mp-cards .mp-card.mp-liked { border-color: #22a06b; box-shadow: 0 0 0 2px #22a06b55; }
#mp-cards .mp-card.mp-disliked { opacity: .55; }
#mp-cards .mp-num { position: absolute; top: 8px; left: 8px; z-index: 1; font-weight: 700;
  background: var(--color-accent); color: white; border-radius: 999px; padding: 1px 9px; }
#mp-cards .mp-photo { width: 100%; aspect-ratio: 4 / 3; object-fit: contain; border-radius: 8px;
  background: white; }
#mp-cards .mp-tile { display: flex; align-items: center; justify-content: center;
  font-size: 42px; font-weight: 700; color: white;
  background: linear-gradient(135deg, hsl(var(--hue) 55% 45%), hsl(calc(var(--hue) + 40) 60% 30%)); }
#mp-cards .mp-title { margin: 0; font-size: 15px; line-height: 1.25; }
#mp-cards .mp-facts { margin: 0; padding: 0; list-style: none; display: flex; flex-wrap: wrap;
  gap: 4px; }
#mp-cards .mp-facts li { font-size: 12px; padding: 1px 7px; border-radius: 999px;
  background: var(--background-fill-secondary); border: 1px solid var(--border-color-primary); }
#mp-cards .mp-reason { margin: 0; font-size: 13px; color: var(--body-text-color-subdued); }
#mp-cards .mp-pending { font-style: italic; }
#mp-cards .mp-votes { display: flex; gap: 6px; margin-top: auto; }
#mp-cards .mp-vote { flex: 1; font-size: 18px; padding: 3px 0; cursor: pointer; border-radius: 8px;
  border: 1px solid var(--border-color-primary); background: var(--background-fill-secondary); }
#mp-cards .mp-vote:hover { border-color: var(--color-accent); }
#mp-cards .mp-vote.mp-on { background: var(--color-accent-soft); border-color: var(--color-accent); }
#mp-cards .mp-empty, #mp-cards .mp-note { color: var(--body-text-color-subdued); margin: 4px 0; }
#mp-status { font-size: 13px; }
#mp-profile p { margin: 0 0 6px 0; }
"""
