"""Files several processes may touch at once: written whole or not at all, and locked.

``write_atomic`` writes through a temporary file with an unguessable name in the same folder,
flushes it to disk and renames it over the target (a symlink at the target is replaced, never
followed); ``locked`` holds an exclusive lock on a lock file beside what it guards, between
processes (``fcntl.flock``) and between threads of one process.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "state.json"
>>> write_atomic(p, '{"a": 1}')
>>> with locked(p):
...     p.read_text()
'{"a": 1}'
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["locked", "write_atomic"]

_THREADS: dict[str, threading.Lock] = {}  # flock is per open file: threads need their own lock
_THREADS_LOCK = threading.Lock()


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8) in one step: a reader sees the old file or the
    new one, never half of it, even if this process dies mid-write."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # as a plain open() would: the app may run as another user
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself survives a crash
    finally:
        os.close(folder)


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the exclusive lock guarding ``path`` (the file ``<name>.lock`` beside it)."""
    lock_path = path.with_name(path.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with _THREADS_LOCK:
        in_process = _THREADS.setdefault(str(lock_path.resolve()), threading.Lock())
    with in_process:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
