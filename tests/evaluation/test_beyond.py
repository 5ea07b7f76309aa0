"""Beyond-accuracy metrics of the lists a system shows: coverage, diversity, novelty, popularity."""

import numpy as np

from recommender.evaluation.beyond import ListMetrics


def _unit(x):
    x = np.asarray(x, dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_lists_of_rare_different_items_score_as_such():
    vectors = _unit([[1, 0], [1, 0.01], [0, 1], [0.7, 0.7]] + [[1, 1]] * 96)
    popularity = np.array([500.0, 400.0, 1.0, 0.0] + [2.0] * 96)  # items 0 and 1: the head
    popular = ListMetrics(vectors, popularity)
    rare = ListMetrics(vectors, popularity)
    for dialogue in ("a", "b", "c"):
        popular.add(dialogue, [0, 1])
        rare.add(dialogue, [2, 3])
    p, r = popular.summary(samples=100), rare.summary(samples=100)
    assert p["coverage"] == r["coverage"] == 0.02  # two of the 100 items, ever
    assert p["popularity_share"] == 1.0 and r["popularity_share"] == 0.0
    assert r["novelty"] > p["novelty"]
    assert r["ild"] > p["ild"]  # two near-identical items are no diverse list
    low, high = r["ci95"]["ild"]
    assert low <= r["ild"] <= high
    assert "coverage" not in r["ci95"]  # a count of distinct items gets no bootstrap interval


def test_a_catalogue_without_mention_counts_reports_no_novelty_or_popularity():
    lists = ListMetrics(_unit([[1, 0], [0, 1], [1, 1]]), np.zeros(3))
    lists.add("a", [0, 1])
    s = lists.summary(samples=10)
    assert s["coverage"] == round(2 / 3, 4) and "novelty" not in s and "popularity_share" not in s
    assert ListMetrics(_unit([[1, 0]]), np.zeros(1)).summary() == {}
