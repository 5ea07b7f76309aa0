"""``magpie bench load``: many people at once against running app processes.

Each simulated person is one ``gradio_client`` session (their own ``gr.State``) pinned to one
app process, as a sticky load balancer would pin them; all start together and send the same
short conversation. Per turn it records when the cards arrived (the first streamed update that
holds items) and when the turn was done (the reply written), then reports p50/p95 of both,
errors, and whether any session saw another one's words (its profile must hold only what it
said). Traffic goes only to the URLs given (loopback in the docs and tests).
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Sequence
from typing import Any

__all__ = ["FOLLOW_UP", "run_load"]

FOLLOW_UP = "more like #2"  # the second turn, after the catalogue's first example request


def _pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return (
        round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 2) if values else 0.0
    )


def _person(
    n: int,
    url: str,
    catalog: str,
    texts: Sequence[str],
    start: threading.Event,
    out: dict[str, Any],
) -> None:
    from gradio_client import Client

    try:
        client = Client(url, verbose=False)
        start.wait()
        for text in texts:
            sent = time.perf_counter()
            # Each person's own marker word: a leak would show in another person's profile.
            said = f"{text}, person{n}"
            job = client.submit(
                message={"text": said, "files": []}, catalog=catalog, api_name="/chat"
            )
            cards_at = None
            for update in job:
                if cards_at is None and update and update[0].get("items"):
                    cards_at = time.perf_counter() - sent
            final = job.outputs()[-1]
            done_at = time.perf_counter() - sent
            turn, profile = final[0], final[1]
            out["cards"].append(cards_at if cards_at is not None else done_at)
            out["done"].append(done_at)
            intent = str(profile.get("intent", ""))
            others = [w for w in intent.replace(",", " ").split() if w.startswith("person")]
            if any(w != f"person{n}" for w in others):
                out["leaks"].append(n)
            if not turn.get("items"):
                out["empty"].append(n)
    except Exception as e:  # counted and reported, never raised: the run goes on
        out["errors"].append(f"person{n}: {type(e).__name__}: {e}")


def run_load(
    urls: Sequence[str], texts: Sequence[str], catalog: str, sessions: int = 20
) -> dict[str, Any]:
    """``sessions`` people, person ``n`` on ``urls[n % len(urls)]``, all starting at once, each
    sending ``texts`` in turn."""
    out: dict[str, Any] = {"cards": [], "done": [], "errors": [], "leaks": [], "empty": []}
    start = threading.Event()
    threads = [
        threading.Thread(
            target=_person, args=(n, urls[n % len(urls)], catalog, texts, start, out), daemon=True
        )
        for n in range(sessions)
    ]
    for t in threads:
        t.start()
    time.sleep(2.0)  # let every client connect before the clock starts
    began = time.perf_counter()
    start.set()
    for t in threads:
        t.join()
    return {
        "processes": len(urls),
        "sessions": sessions,
        "turns": len(out["done"]),
        "cards_p50_s": _pct(out["cards"], 0.5),
        "cards_p95_s": _pct(out["cards"], 0.95),
        "turn_p50_s": _pct(out["done"], 0.5),
        "turn_p95_s": _pct(out["done"], 0.95),
        "mean_turn_s": round(statistics.fmean(out["done"]), 2) if out["done"] else 0.0,
        "wall_s": round(time.perf_counter() - began, 1),
        "errors": out["errors"],
        "leaks": out["leaks"],
        "without_cards": out["empty"],
    }
