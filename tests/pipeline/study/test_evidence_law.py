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


def _quartiles(value, low, high, u, smallest=np.nan, largest=np.nan, quantity="sigma_ref_s_per_cm"):
    return evidence_quantiles(
        [value],
        [low],
        [high],
        ["derived"],
        [quantity],
        np.asarray(u, float)[..., None],
        ["quartiles"],
        [smallest],
        [largest],
    )[..., 0]


def test_quartiles_are_the_laws_quartiles_and_its_median_the_value():
    # a worked case (LLZO's 29-entry figures before 2026-12-07): median 4.9e-4, quartiles 2.9-8.7e-4
    q = _quartiles(4.9e-4, 2.9e-4, 8.7e-4, np.array([0.25, 0.5, 0.75]))
    np.testing.assert_allclose(q, [2.9e-4, 4.9e-4, 8.7e-4], rtol=1e-12)
    # read as bounds the same range never leaves [2.9e-4, 8.7e-4]: a 1 % quantile inside it
    bounds = evidence_quantiles(
        [4.9e-4], [2.9e-4], [8.7e-4], ["derived"], ["sigma_ref_s_per_cm"], 0.01
    )
    assert bounds[0] > 2.9e-4 and _quartiles(4.9e-4, 2.9e-4, 8.7e-4, 0.01) < 2.9e-4


def test_each_half_of_the_split_normal_takes_its_own_quartile():
    # ln σ below the median: sd ln(4.9/2.9)/z75; the 10 % quantile lies z10/z75 of it below
    z75, z10 = 0.6744897501960817, -1.2815515655446004
    q10 = _quartiles(4.9e-4, 2.9e-4, 8.7e-4, 0.1)
    assert np.log(q10 / 4.9e-4) == pytest.approx(z10 / z75 * np.log(4.9 / 2.9))
    q90 = _quartiles(4.9e-4, 2.9e-4, 8.7e-4, 0.9)
    assert np.log(q90 / 4.9e-4) == pytest.approx(-z10 / z75 * np.log(8.7 / 4.9))
    # on a linear scale (a property that is not multiplicative, a span under 10x)
    assert _quartiles(50.0, 40.0, 70.0, 0.9, quantity="strength_mpa") == pytest.approx(
        50.0 - z10 / z75 * 20.0
    )


def test_quartile_tails_stop_at_the_reported_values():
    # PEO-LiTFSI: 7 entries, quartiles 9.37e-6-6.68e-5, reported 7.9e-7-1.3e-4 S/cm
    u = np.array([0.001, 0.01, 0.99, 0.999])
    free = _quartiles(1.16e-5, 9.37e-6, 6.68e-5, u)
    assert free[-1] > 1e-3  # the skewed upper half alone would reach past 1e-3 S/cm
    stopped = _quartiles(1.16e-5, 9.37e-6, 6.68e-5, u, 7.9e-7, 1.3e-4)
    assert stopped.max() == pytest.approx(1.3e-4) and stopped.min() >= 7.9e-7
    np.testing.assert_allclose(stopped[:2], free[:2])  # the lower tail stays inside


def test_a_quartile_tied_with_the_median_borrows_the_other_halfs_spread():
    # Li10GeP2S12: median = Q1 = 7.6e-3 (tied entries), Q3 1.2e-2: the lower half is not a point
    q25, q75 = _quartiles(7.6e-3, 7.6e-3, 1.2e-2, np.array([0.25, 0.75]))
    assert q25 == pytest.approx(7.6e-3**2 / 1.2e-2) and q75 == pytest.approx(1.2e-2)


def test_bounds_rows_beside_quartiles_keep_their_law():
    u = np.full(2, 0.1)
    both = evidence_quantiles(
        [4.9e-4, 2.0],
        [2.9e-4, 1.0],
        [8.7e-4, 4.0],
        ["derived", "derived"],
        ["sigma_ref_s_per_cm", "strength_mpa"],
        u,
        ["quartiles", "bounds"],
        [np.nan, np.nan],
        [np.nan, np.nan],
    )
    assert both[1] == pytest.approx(
        evidence_quantiles([2.0], [1.0], [4.0], ["derived"], ["strength_mpa"], 0.1)[0]
    )
    assert both[0] == pytest.approx(_quartiles(4.9e-4, 2.9e-4, 8.7e-4, 0.1))
