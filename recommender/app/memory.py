"""What the page remembers of a person: kept in their own browser, never on the server.

The lasting part of a profile, per catalogue: the items they liked, disliked or have seen and
what they refused (kinds, people, describing words). One request's wishes (kinds wanted, a
category, a budget, years, a photo, the request's own words) are not kept: "something for
tonight" does not follow anyone into next week.

The page keeps a ``Memory`` in the browser's localStorage (``gr.BrowserState``, which Gradio
encodes with the app's secret, ``browser_secret``; the page carries the secret, so this keeps
the copy from being plain text and nothing more) and hands it back on the next visit; the
server holds it only while a page is open. A profile file (download, load) is the same record as
JSON; a loaded one is read like any other input: size, encoding, shape, lengths, and item ids the
catalogue has. A bad or hostile file raises ``InputError`` with a sentence to show, and changes
nothing.

>>> mem = remember({}, "movies", Profile(liked=["m1"], wanted=["comedy"], avoided=["horror"]))
>>> mem["catalogues"]["movies"]["liked"], mem["catalogues"]["movies"]["avoided"]
(['m1'], ['horror'])
>>> recall(mem, "movies").model_dump(include={"liked", "wanted", "avoided"})
{'liked': ['m1'], 'wanted': [], 'avoided': ['horror']}
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from recommender.errors import InputError
from recommender.profile import merge
from recommender.schemas import Change, Profile
from recommender.text import clean_text, normalise

__all__ = [
    "MAX_FILE_BYTES",
    "Memory",
    "browser_secret",
    "folded",
    "forget",
    "lasting",
    "read_file",
    "recall",
    "remember",
    "to_json",
    "with_lasting",
]

log = logging.getLogger(__name__)

FORMAT: Literal["magpie-profile"] = "magpie-profile"
MAX_FILE_BYTES = 256 * 1024  # a profile file is a few KB; anything larger is not one
_MAX_ENTRIES = 30  # per list, as the profile keeps (profile._MAX_LIST)
_MAX_CATALOGUES = 32
_MAX_CHARS = 200  # an entry: an item id or a refused word

_Entry = Annotated[str, StringConstraints(min_length=1, max_length=_MAX_CHARS)]
_Name = Annotated[str, StringConstraints(pattern=r"^[\w.-]{1,64}$")]


class Lasting(BaseModel):
    """What lasts of one catalogue's profile."""

    model_config = ConfigDict(extra="forbid")

    liked: list[_Entry] = Field(default_factory=list, max_length=_MAX_ENTRIES)
    disliked: list[_Entry] = Field(default_factory=list, max_length=_MAX_ENTRIES)
    seen: list[_Entry] = Field(default_factory=list, max_length=_MAX_ENTRIES)
    avoided: list[_Entry] = Field(default_factory=list, max_length=_MAX_ENTRIES)
    shunned: list[_Entry] = Field(default_factory=list, max_length=_MAX_ENTRIES)


class Memory(BaseModel):
    """Everything remembered of one person, by catalogue name (the browser's copy and the file)."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["magpie-profile"] = FORMAT
    version: Literal[1] = 1
    catalogues: dict[_Name, Lasting] = Field(default_factory=dict, max_length=_MAX_CATALOGUES)


_LASTING = ("liked", "disliked", "seen", "avoided", "shunned")
_ITEMS = ("liked", "disliked", "seen")  # item ids; the others are words


def lasting(profile: Profile) -> Profile:
    """The part of ``profile`` that lasts beyond one request."""
    return Profile.model_validate(profile.model_dump(include=set(_LASTING)))


def with_lasting(profile: Profile, kept: Profile) -> Profile:
    """``profile`` with its lasting part replaced by ``kept``'s; its wishes stay."""
    return profile.model_copy(update={name: list(getattr(kept, name)) for name in _LASTING})


def _memory(stored: Any) -> Memory:
    """The browser's copy as a ``Memory``; anything unreadable is no memory (logged)."""
    if not stored:
        return Memory()
    try:
        return Memory.model_validate(stored)
    except ValidationError as e:  # its values are the person's: only how many problems
        log.warning("a browser's stored profile was unreadable (%d problems)", e.error_count())
        return Memory()


def remember(stored: Any, catalog: str, profile: Profile) -> dict[str, Any]:
    """The browser's copy with ``catalog``'s lasting profile now ``profile``'s."""
    memory = _memory(stored)
    kept = lasting(profile)
    entry = Lasting.model_validate({n: _fitting(getattr(kept, n)) for n in _LASTING})
    catalogues = {k: v for k, v in memory.catalogues.items() if k != catalog}
    if any(getattr(entry, name) for name in _LASTING):
        catalogues[catalog] = entry
    return memory.model_copy(update={"catalogues": catalogues}).model_dump(mode="json")


def _fitting(values: list[str]) -> list[str]:
    """The entries a ``Lasting`` list holds: the last ``_MAX_ENTRIES``, each within 200
    characters (a 250-letter refused word is kept cut, never a reason to stop remembering)."""
    cut = (clean_text(v, _MAX_CHARS)[0] for v in values)
    return list(dict.fromkeys(v for v in cut if v))[-_MAX_ENTRIES:]


def folded(kept: Profile, now: Profile) -> Profile:
    """``kept`` (what the browser remembered) with ``now``'s lasting statements folded in,
    later ones winning (a title liked before and disliked now is disliked)."""
    said = Change(
        liked=tuple(now.liked),
        disliked=tuple(now.disliked),
        seen=tuple(now.seen),
        avoided=tuple(now.avoided),
        shunned=tuple(now.shunned),
    )
    return lasting(merge(kept, said))


def forget() -> dict[str, Any]:
    """The browser's copy after "Forget me": nothing."""
    return Memory().model_dump(mode="json")


def recall(stored: Any, catalog: str, known: Callable[[str], bool] | None = None) -> Profile:
    """The lasting profile remembered for ``catalog``; ``known`` says which item ids the
    catalogue still has (the others are left out)."""
    entry = _memory(stored).catalogues.get(catalog)
    if entry is None:
        return Profile()
    keep = known or (lambda _id: True)

    def ids(values: list[str]) -> list[str]:
        return list(dict.fromkeys(v for v in values if keep(v)))

    def words(values: list[str]) -> list[str]:
        cleaned = (normalise(clean_text(v, 80)[0]) for v in values)
        return list(dict.fromkeys(w for w in cleaned if w))

    return Profile.model_validate(
        {name: (ids if name in _ITEMS else words)(getattr(entry, name)) for name in _LASTING}
    )


def to_json(stored: Any) -> str:
    """The profile file a person downloads."""
    return _memory(stored).model_dump_json(indent=1)


def read_file(path: str | os.PathLike[str]) -> Memory:
    """A profile file a person loads, read like any input.

    Raises ``InputError`` (with a sentence for the person) when it is too large, not UTF-8
    JSON, or not a Magpie profile of the expected shape.
    """
    file = Path(path)
    try:
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(
                key="notice.profile_too_large", size=size // 1024, limit=MAX_FILE_BYTES // 1024
            )
        raw = file.read_bytes()
    except OSError as e:
        raise InputError(key="notice.profile_unreadable") from e
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise InputError(key="notice.profile_not_json") from e
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(key="notice.profile_not_ours")
    try:
        return Memory.model_validate(data)
    except ValidationError as e:
        raise InputError(key="notice.profile_bad_shape", errors=e.error_count()) from e


def browser_secret(configured: str, folder: Path) -> str:
    """The key Gradio encodes the browser's copy with: the configured one, else one made once
    and kept in ``folder`` (so a restart can still read what browsers hold), else one for this
    process only (the browsers' copies are then unreadable after a restart: forgotten)."""
    if configured:
        return configured
    path = folder / "browser-secret"
    try:
        if path.is_file():
            kept = path.read_text(encoding="utf-8").strip()
            if len(kept) >= 16:
                return kept
        folder.mkdir(parents=True, exist_ok=True)
        made = secrets.token_urlsafe(24)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(made)
        return made
    except OSError as e:
        log.warning("no place to keep the browser secret (%s): profiles last until a restart", e)
        return secrets.token_urlsafe(24)
