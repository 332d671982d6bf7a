import numpy as np
import pytest

from objectives import manufacturability as mf


def test_component_scores_worked_numbers():
    assert mf.maturity_score(np.array([1, 5, 9, 10]), 1, 9).tolist() == [0.0, 0.5, 1.0, 1.0]
    # 15 µm on a 10 µm-minimum process is 50 % above the minimum -> full score at full_margin 0.5
    np.testing.assert_allclose(
        mf.thickness_margin_score([10.0, 12.5, 15.0, 5.0], 10.0, 0.5), [0, 0.5, 1, 0]
    )
    np.testing.assert_allclose(
        mf.temperature_score([25.0, 762.5, 1500.0, 2000.0], 25.0, 1500.0), [1, 0.5, 0, 0]
    )


def test_weighted_mean_in_unit_interval():
    rng = np.random.default_rng(5)
    parts = rng.uniform(0, 1, (5, 100))
    s = mf.manufacturability_score(*parts, weights=(1, 2, 0.5, 0, 3))
    assert np.all((s >= 0) & (s <= 1))
    assert mf.manufacturability_score(1, 1, 1, 1, 1) == pytest.approx(1.0)
    assert mf.manufacturability_score(0, 0, 0, 0, 0) == pytest.approx(0.0)
    # only the maturity component weighted -> score equals maturity
    assert mf.manufacturability_score(0.3, 1, 1, 1, 1, weights=(1, 0, 0, 0, 0)) == pytest.approx(
        0.3
    )


def test_bad_weights_rejected():
    with pytest.raises(ValueError, match="weights"):
        mf.manufacturability_score(1, 1, 1, 1, 1, weights=(0, 0, 0, 0, 0))
    with pytest.raises(ValueError, match="weights"):
        mf.manufacturability_score(1, 1, 1, 1, 1, weights=(1, 1))
