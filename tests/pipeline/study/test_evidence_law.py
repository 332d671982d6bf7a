"""The law of an evidence range (pipeline.study.evidence_law): worked inverse-CDF values."""

import numpy as np
import pytest

from pipeline.study.evidence_law import evidence_quantiles


def test_triangular_on_a_linear_scale():
    # a = 1, mode 2, b = 4: F(x) = (x − 1)² / 3 left of the mode; F = 0.1 at x = 1 + √0.3
    q = evidence_quantiles([2.0], [1.0], [4.0], ["measured-primary"], ["strength_mpa"], 0.1)
    assert q[0] == pytest.approx(1.0 + np.sqrt(0.3))
    # right of the mode: 1 − F(x) = (4 − x)² / 6; F = 0.9 at x = 4 − √0.6
    assert evidence_quantiles([2.0], [1.0], [4.0], ["derived"], ["strength_mpa"], 0.9)[
        0
    ] == pytest.approx(4.0 - np.sqrt(0.6))


def test_an_assumption_is_uniform():
    assert evidence_quantiles([2.0], [1.0], [3.0], ["assumption"], ["mrl"], 0.25)[
        0
    ] == pytest.approx(1.5)


def test_a_multiplicative_quantity_is_drawn_on_a_log_scale_whatever_its_span():
    # a "×/÷3 about one value" σ range: log-triangular about the value, so its median is the value
    # (drawn linearly, the triangle on [v/3, 3v] has its median at 1.37 v: 3 − √(8/3))
    sigma = ["sigma_ref_s_per_cm"]
    assert evidence_quantiles([7e-4], [7e-4 / 3], [2.1e-3], ["measured-primary"], sigma, 0.5)[
        0
    ] == pytest.approx(7e-4)
    linear = evidence_quantiles([7.0], [7.0 / 3], [21.0], ["measured-primary"], ["mrl"], 0.5)
    assert linear[0] / 7.0 == pytest.approx(3 - np.sqrt(8 / 3))
    # the 10 % quantile of ln σ: triangle (−ln 3, 0, ln 3), F = 0.1 at −ln 3 + √(0.1 · 2 ln 3 · ln 3)
    q10 = evidence_quantiles(
        [1.0], [1 / 3], [3.0], ["derived"], ["interfacial_resistance_ohm_cm2"], 0.1
    )
    assert np.log(q10[0]) == pytest.approx(-np.log(3) + np.sqrt(0.2) * np.log(3))


def test_a_range_of_a_decade_or_more_is_drawn_on_a_log_scale():
    # 1e-4 .. 1e-2 about 1e-3: symmetric in log10, so the median is the value
    q = evidence_quantiles(
        [1e-3], [1e-4], [1e-2], ["measured-secondary"], ["youngs_modulus_gpa"], [0.5]
    )
    assert q[0] == pytest.approx(1e-3)
    # uniform in log10 between 1 and 100 (an assumption): its 25 % quantile is 10^0.5
    assert evidence_quantiles([5.0], [1.0], [100.0], ["assumption"], ["mrl"], 0.25)[
        0
    ] == pytest.approx(10**0.5)


def test_unknown_and_zero_width_keep_their_value():
    q = evidence_quantiles(
        [np.nan, 3.0, 5.0], [1.0, 3.0, np.nan], [2.0, 3.0, 9.0], ["derived"] * 3, ["mrl"] * 3, 0.1
    )
    assert np.isnan(q[0]) and q[1] == 3.0 and q[2] == 5.0


def test_quantiles_broadcast_over_worlds_and_are_monotone():
    u = np.linspace(0.01, 0.99, 50)[:, None]
    q = evidence_quantiles(
        [2.0, 1e-3], [1.0, 1e-4], [4.0, 1e-2], ["derived", "assumption"], ["mrl", "mrl"], u
    )
    assert q.shape == (50, 2)
    assert np.all(np.diff(q, axis=0) > 0)
    assert np.all((q[:, 0] > 1.0) & (q[:, 0] < 4.0))
