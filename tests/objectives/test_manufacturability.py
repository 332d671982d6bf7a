import numpy as np
import pytest

from objectives import manufacturability as mf


def test_component_scores_worked_numbers():
    assert mf.maturity_score(np.array([1, 5, 9, 10]), mrl_low=1, mrl_high=9).tolist() == [
        0.0,
        0.5,
        1.0,
        1.0,
    ]
    # 15 µm on a 10 µm-minimum process is 50 % above the minimum -> full score at full_margin 0.5
    np.testing.assert_allclose(
        mf.thickness_margin_score([10.0, 12.5, 15.0, 5.0], min_thickness_um=10.0, full_margin=0.5),
        [0, 0.5, 1, 0],
    )
    np.testing.assert_allclose(
        mf.temperature_score([25.0, 762.5, 1500.0, 2000.0], ambient_c=25.0, t_max_c=1500.0),
        [1, 0.5, 0, 0],
    )


COMPONENTS = ("maturity", "thickness_margin", "temperature", "atmosphere", "scalability")
ALL_ONE = dict.fromkeys(COMPONENTS, 1.0)


def test_weighted_mean_in_unit_interval():
    rng = np.random.default_rng(5)
    parts = dict(zip(COMPONENTS, rng.uniform(0, 1, (5, 100)), strict=True))
    s = mf.manufacturability_score(**parts, weights=(1, 2, 0.5, 0, 3))
    assert np.all((s >= 0) & (s <= 1))
    assert mf.manufacturability_score(**ALL_ONE) == pytest.approx(1.0)
    assert mf.manufacturability_score(**dict.fromkeys(COMPONENTS, 0.0)) == pytest.approx(0.0)
    # only the maturity component weighted -> score equals maturity
    only_maturity = mf.manufacturability_score(
        **(ALL_ONE | {"maturity": 0.3}), weights=(1, 0, 0, 0, 0)
    )
    assert only_maturity == pytest.approx(0.3)


def test_components_are_keywords_only():
    with pytest.raises(TypeError):
        mf.manufacturability_score(1, 1, 1, 1, 1)  # five scores by position


def test_bad_weights_rejected():
    with pytest.raises(ValueError, match="weights"):
        mf.manufacturability_score(**ALL_ONE, weights=(0, 0, 0, 0, 0))
    with pytest.raises(ValueError, match="weights"):
        mf.manufacturability_score(**ALL_ONE, weights=(1, 1))
