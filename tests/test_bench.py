"""``magpie bench`` prints every figure it measures, each preset's reply speed included."""

from __future__ import annotations

from recommender.cli.bench import format_figures


def test_figures_with_each_presets_reply_speed_are_printed_with_their_targets():
    text = format_figures(
        {
            "cards_p50_s": 0.01,
            "replies qwen2.5-coder-0.5b": {
                "first_text_p50_s": 0.02,
                "reply_p50_s": 10.5,
                "reply_p90_s": 13.0,
            },
            "replies qwen2.5-coder-1.5b": "unavailable: not installed",
        }
    )
    assert "cards_p50_s: 0.01  (target <= 2: ok)" in text
    assert "replies qwen2.5-coder-0.5b reply_p50_s: 10.5  (target <= 12: ok)" in text
    assert "replies qwen2.5-coder-0.5b reply_p90_s: 13.0" in text  # no target: printed plain
    assert "unavailable: not installed" in text
