"""Sessions on disk (``magpie ask --session``) and what a session says about the last lists
and about what the person said.

A session file is written whole (``files.write_atomic``); a turn that reads, changes and saves
one holds its lock (``session_file``), so two ``magpie ask --session`` runs at once take turns
instead of one losing the other's update."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from recommender.errors import CatalogError
from recommender.files import locked, write_atomic
from recommender.schemas import Session

__all__ = [
    "SAID_CHARS",
    "load_session",
    "said_so_far",
    "save_session",
    "session_file",
    "shown_before",
]

_DEMOTE_TURNS = 3  # items shown in this many last turns are pushed down
# What the person said is compared by its latest characters (the text model reads 256 tokens).
SAID_CHARS = 1_000


def shown_before(session: Session) -> frozenset[str]:
    """Items shown in the last three turns: the ranking pushes them down."""
    return frozenset(i for turn in session.shown[-_DEMOTE_TURNS:] for i in turn)


def said_so_far(session: Session) -> str:
    """The person's own words in this conversation's earlier turns since their last new request
    ("something like X instead"), their latest ``SAID_CHARS``: with this turn's request, earlier
    conversations are compared with them, as they are stored by what their seekers said in the
    whole of them (``catalogue.dialogues``). This turn counts by its request, the words it
    wishes for ("nothing too violent" would bring the conversations about violent films)."""
    said = [m for m in session.history if m.role == "user"]
    start = max((n for n, m in enumerate(said) if m.new_request), default=0)
    lines = [m.content.strip() for m in said[start:]]
    return " ".join(line for line in lines if line)[-SAID_CHARS:]


def load_session(path: Path, catalog: str | None, default: str) -> Session:
    """A session file, or a new session when the file does not exist yet.

    ``catalog`` is the one asked for explicitly (an existing file must belong to it);
    ``default`` names the catalogue of a new session when none is asked for.
    """
    if path.is_file():
        try:
            session = Session.model_validate_json(path.read_text(encoding="utf-8"))
        except ValueError as e:
            raise CatalogError(f"{path} is not a Magpie session file: {e}") from e
        if catalog and catalog != session.catalog:
            raise CatalogError(f"{path} belongs to catalogue {session.catalog!r}, not {catalog!r}")
        return session
    return Session(catalog=catalog or default)


def save_session(session: Session, path: Path) -> None:
    write_atomic(path, session.model_dump_json(indent=1))


@contextmanager
def session_file(path: Path, catalog: str | None, default: str) -> Iterator[Session]:
    """The session in ``path`` for one turn, under its lock; saved when the turn ends without
    an error (a failed turn leaves the file as it was)."""
    with locked(path):
        session = load_session(path, catalog, default)
        yield session
        save_session(session, path)
