"""Reply slots: the LLM writes ``n`` replies at a time, in the order the turns asked.

Cards are computed for every person at once (milliseconds each); only the reply, seconds of
LLM decoding on the CPU, waits here. ``wait`` is a generator so a page can show the place in the
line while it waits: it yields the number of replies ahead about once a second, and returns
once the slot is taken. A waiter that goes away (the person closed the page) leaves the line.

>>> slots = ReplySlots(1)
>>> list(slots.wait())  # free: taken at once
[]
>>> slots.release()
"""

from __future__ import annotations

import collections
import itertools
import threading
from collections.abc import Iterator

__all__ = ["ReplySlots"]

_UPDATE_S = 1.0  # how often a waiter hears its place in the line


class ReplySlots:
    """A first-come, first-served semaphore whose waiters can report their place."""

    def __init__(self, n: int) -> None:
        self._n = max(1, n)
        self._active = 0
        self._line: collections.deque[int] = collections.deque()
        self._tickets = itertools.count()
        self._cond = threading.Condition()

    def wait(self) -> Iterator[int]:
        """Yield the replies ahead (being written or waiting) until the slot is ours."""
        with self._cond:
            ticket = next(self._tickets)
            self._line.append(ticket)
        taken = False
        try:
            while True:
                with self._cond:
                    if self._line[0] == ticket and self._active < self._n:
                        self._line.popleft()
                        self._active += 1
                        taken = True
                        self._cond.notify_all()
                        return
                    ahead = self._line.index(ticket) + self._active
                    self._cond.wait(_UPDATE_S)
                    if self._line[0] == ticket and self._active < self._n:
                        continue  # our turn: take it on the next pass, without yielding
                yield ahead
        finally:
            if not taken:
                with self._cond:
                    self._line.remove(ticket)
                    self._cond.notify_all()

    def release(self) -> None:
        with self._cond:
            self._active -= 1
            self._cond.notify_all()
