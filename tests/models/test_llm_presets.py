"""Both language-model presets, real weights through llama.cpp: a turn's reply has the
template's opening first, a reason on every card, no refusal (its speed: ``magpie bench``)."""

from __future__ import annotations

import pytest
from conftest import engine

from recommender.errors import ModelUnavailable
from recommender.events import Token
from recommender.models.llm import load_llm
from recommender.schemas import Item

pytestmark = pytest.mark.models

FILMS = [
    Item("ocean", "Ocean's Eleven", "Danny Ocean gathers a crew to rob three Las Vegas casinos.",
         ("movie",), {"year": 2001, "genres": ["crime", "comedy"], "tags": ["heist"],
                      "director": ["Steven Soderbergh"]}),
    Item("italian", "The Italian Job", "A crew plans a gold heist in Turin traffic.", ("movie",),
         {"year": 1969, "genres": ["comedy", "crime"], "tags": ["heist"],
          "director": ["Peter Collinson"]}),
    Item("snatch", "Snatch", "Thieves and boxers chase a stolen diamond across London.",
         ("movie",), {"year": 2000, "genres": ["comedy", "crime"], "director": ["Guy Ritchie"]}),
    Item("up", "Up", "An old man flies his house to South America with balloons.", ("movie",),
         {"year": 2009, "genres": ["animation"], "director": ["Pete Docter"]}),
]  # fmt: skip


@pytest.mark.parametrize("preset", ["qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"])
def test_a_preset_writes_a_grounded_reply_within_the_deadline(settings, preset):
    real = settings.with_(llm_backend="llama_cpp", llm_model=preset, turn_deadline_s=11.0)
    try:
        llm = load_llm(real)
    except ModelUnavailable as e:
        pytest.fail(f"the {preset} preset must install with the requirements: {e}")
    rec = engine(real, FILMS, llm=llm)
    session = rec.new_session("movies")
    first = None
    result = None
    for event in rec.turn(session, "a funny heist movie"):
        if isinstance(event, Token) and first is None:
            first = event.text
        result = getattr(event, "result", result)
    assert result is not None and result.items
    assert first is not None and result.reply.startswith(first)  # the template's opening first
    assert first.startswith("Here are")
    assert all(s.reason for s in result.items)
    assert "sorry" not in (result.reply + " ".join(s.reason for s in result.items)).casefold()
