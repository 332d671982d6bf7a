import numpy as np
import pytest

from objectives import manufacturability as mf
from tests.objectives.guards import assert_domain, assert_relation, cases


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
    with pytest.raises(ValueError, match=r"^weights: expected a value in \[0, inf\), got -1.0"):
        mf.manufacturability_score(**ALL_ONE, weights=(1, 1, -1, 1, 1))


# --- domains (objectives/domain.py): impossible inputs raise, edges and NaN pass ----------------

VALID = {
    mf.maturity_score: dict(mrl=5.0, mrl_low=1.0, mrl_high=9.0),
    mf.thickness_margin_score: dict(thickness_um=15.0, min_thickness_um=10.0, full_margin=0.5),
    mf.temperature_score: dict(processing_temperature_c=700.0, ambient_c=25.0, t_max_c=1500.0),
    mf.manufacturability_score: dict.fromkeys(COMPONENTS, 0.5),
}
DOMAINS = {  # mrl_low/high and ambient_c also relate to each other (test_relations_between_arguments)
    mf.maturity_score: dict(mrl="[1, 10]"),
    mf.thickness_margin_score: dict(
        thickness_um="(0, inf)", min_thickness_um="(0, inf)", full_margin="(0, inf)"
    ),
    mf.temperature_score: dict(processing_temperature_c="[-273.15, inf)"),
    mf.manufacturability_score: dict.fromkeys(COMPONENTS, "[0, 1]"),
}


@pytest.mark.parametrize(("func", "argument", "interval"), cases(DOMAINS))
def test_domain(func, argument, interval):
    assert_domain(func, VALID[func], argument, interval)


@pytest.mark.parametrize(
    ("func", "argument", "bad", "condition"),
    [
        (mf.maturity_score, "mrl_low", dict(mrl_low=0.0), r"a value in \[1, 10\]"),
        (mf.maturity_score, "mrl_high", dict(mrl_high=11.0), r"a value in \[1, 10\]"),
        (mf.maturity_score, "mrl_high", dict(mrl_high=1.0), r"a value > mrl_low \(1.0\)"),
        (mf.temperature_score, "ambient_c", dict(ambient_c=-300.0), r"a value in \[-273.15"),
        (mf.temperature_score, "t_max_c", dict(t_max_c=25.0), r"a value > ambient_c \(25.0\)"),
    ],
)
def test_relations_between_arguments(func, argument, bad, condition):
    assert_relation(func, VALID[func], argument, bad, condition)
