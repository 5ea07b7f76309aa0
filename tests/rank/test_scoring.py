import numpy as np

from recommender.rank.scoring import fuse, mmr, scale


def test_scale_is_min_max_and_flat_is_zero():
    assert scale(np.array([1.0, 3.0])).tolist() == [0.0, 1.0]
    assert scale(np.array([0.5, 0.5, 0.5])).tolist() == [0.0, 0.0, 0.0]


def test_fuse_weights_and_breakdown_sum_to_score():
    signals = {
        "text": np.array([0.2, 0.9, 0.5]),
        "cooccur": np.array([3.0, 0.0, 1.0]),
        "unused": np.ones(3),
    }
    fused = fuse(signals, {"text": 2.0, "cooccur": 1.0})
    assert "unused" not in fused.contributions
    total = sum(fused.contributions.values())
    assert np.allclose(total, fused.score)
    assert int(np.argmax(fused.score)) == 1  # text weighs double


def test_negative_weight_pushes_down():
    fused = fuse({"feedback": np.array([0.0, 1.0])}, {"feedback": -1.0})
    assert fused.score[1] < fused.score[0]


def test_mmr_diversifies_duplicates():
    v = np.array([[1, 0], [1, 0], [0.9, 0.1], [0, 1]], dtype=np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    scores = np.array([1.0, 0.99, 0.98, 0.7])
    assert mmr(scores, v, k=2, lam=1.0) == [0, 1]
    assert mmr(scores, v, k=2, lam=0.5) == [0, 3]
    assert mmr(np.array([]), v[:0], k=3) == []


def test_every_signal_has_a_default_weight_and_every_weight_a_signal():
    from recommender.signals import DEFAULT_WEIGHTS, Signal

    assert set(DEFAULT_WEIGHTS) == {s.value for s in Signal}
