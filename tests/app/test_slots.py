"""Reply slots: first come, first served, each waiter told its place, a leaver leaves the line."""

from __future__ import annotations

import threading
import time

from recommender.app.slots import ReplySlots


def test_waiters_go_in_arrival_order_and_hear_their_place():
    slots = ReplySlots(1)
    assert list(slots.wait()) == []  # the slot is taken: everyone after waits
    order: list[int] = []
    places: dict[int, list[int]] = {}

    def person(n: int) -> None:
        places[n] = list(slots.wait())
        order.append(n)
        time.sleep(0.05)
        slots.release()

    threads = []
    for n in range(3):
        t = threading.Thread(target=person, args=(n,))
        t.start()
        threads.append(t)
        time.sleep(0.1)  # arrive in order 0, 1, 2
    time.sleep(1.2)  # every waiter has heard its place at least once
    slots.release()
    for t in threads:
        t.join(5)
    assert order == [0, 1, 2]
    assert places[0][0] == 1 and places[1][0] == 2 and places[2][0] == 3


def test_a_waiter_that_leaves_frees_its_place():
    slots = ReplySlots(1)
    list(slots.wait())
    leaver = slots.wait()
    assert next(leaver) == 1  # one reply ahead
    leaver.close()  # the page was closed
    slots.release()
    assert list(slots.wait()) == []  # nobody left in the line
