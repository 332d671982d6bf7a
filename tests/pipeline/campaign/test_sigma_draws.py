"""How suggest draws a candidate's σ: the surrogate's normal, or a catalog σ's evidence law."""

import numpy as np
import pandas as pd
import pytest

from pipeline.campaign.sigma_draws import SigmaDraws


def _row(material, catalog):
    from pipeline.study.catalog_measurements import catalog_sigma_rows

    rows = catalog_sigma_rows(catalog)
    return rows.iloc[[catalog.material_ids.index(material)]].reset_index(drop=True)


@pytest.fixture
def z():
    return np.random.default_rng(7).standard_normal((40_000, 1))


def test_a_skewed_interquartile_range_is_drawn_with_a_quarter_of_draws_beyond_each_quartile(
    catalog, z
):
    """PEO-LiTFSI's σ: median 1.16e-5 of 7 Bradford 2023 entries, quartiles 9.37e-6 and 6.68e-5
    S/cm, highest entry 1.3e-4. Drawn by its law, a quarter of the draws falls below each quartile
    (read as a normal of sd (log10 Q3 − log10 Q1) / 1.349 about the median, as suggest did before
    2026-12-07, 44 % fell below Q1), and none above the highest reported value."""
    row = _row("PEO-LiTFSI", catalog)
    assert row.loc[0, "range_kind"] == "quartiles"
    value, q1, q3 = (row.loc[0, c] for c in ("value", "low", "high"))
    draws = SigmaDraws.of(np.zeros(1), row, np.array([True]))
    sigma = value * 10.0 ** draws.shift(np.array([0]), z)[:, 0]
    assert np.mean(sigma < q1) == pytest.approx(0.25, abs=0.01)
    assert np.mean(sigma > q3) == pytest.approx(0.25, abs=0.01)
    assert sigma.max() <= row.loc[0, "reported_max"] * (1 + 1e-12)


def test_a_bounded_range_is_drawn_inside_its_bounds(catalog, z):
    """LATP's σ range is bounds (a ×/÷ range about a value): drawn by its triangular law on a log
    scale, every draw lies inside [low, high] (a normal on range/4 put 5 % outside)."""
    row = _row("LATP", catalog)
    assert row.loc[0, "range_kind"] != "quartiles"
    draws = SigmaDraws.of(np.zeros(1), row, np.array([True]))
    sigma = row.loc[0, "value"] * 10.0 ** draws.shift(np.array([0]), z)[:, 0]
    assert sigma.min() >= row.loc[0, "low"] * (1 - 1e-12)
    assert sigma.max() <= row.loc[0, "high"] * (1 + 1e-12)
    assert sigma.min() < 1.2 * row.loc[0, "low"] and sigma.max() > row.loc[0, "high"] / 1.2


def test_z_at_inverts_the_draw_for_a_law_and_for_a_normal(catalog):
    """The believer's z: the draw at which a σ is a given ratio of the one used, for LLZO's law
    (the robust quantile's ratio gives back its probability), for a surrogate's normal
    (log10 ratio / std), and 0 for a σ no draw moves."""
    from scipy.special import ndtri

    from pipeline.study.evidence_law import evidence_quantiles_of

    llzo = _row("LLZO", catalog)
    empty = pd.DataFrame([{c: np.nan for c in llzo.columns}])
    law = pd.concat([llzo, empty, empty], ignore_index=True)
    draws = SigmaDraws.of(np.array([0.5, 0.4, 0.0]), law, np.array([True, False, True]))
    ratio = evidence_quantiles_of(llzo, 0.1)[0] / llzo.loc[0, "value"]
    z = draws.z_at(np.array([ratio, 10**0.8, 3.0]), samples=64)
    assert z[0] == pytest.approx(ndtri(0.1), abs=1e-9)
    assert z[1] == pytest.approx(0.8 / 0.4)
    assert z[2] == 0.0
    shift = draws.shift(np.arange(3), z[None, :])[0]
    assert shift == pytest.approx([np.log10(ratio), 0.8, 0.0])


def test_interval_and_spread_of_a_law_row_are_its_own(catalog):
    """The 90 % interval reported with a catalog σ is its law's 5 % and 95 % quantiles over its
    value; a normal's is 10^(∓1.645 std). Li3InCl6's value sits at the low end of its range
    (1e-3 in 1e-3–4e-3 S/cm), so its whole interval lies at or above it."""
    li3incl6 = _row("Li3InCl6", catalog)
    law = pd.concat([li3incl6, li3incl6], ignore_index=True)
    draws = SigmaDraws.of(np.array([0.0, 0.2]), law, np.array([True, False]))
    low, high = draws.interval_factors()
    assert low[0] >= 1.0 and high[0] <= li3incl6.loc[0, "high"] / li3incl6.loc[0, "value"]
    assert low[1] == pytest.approx(10 ** (-1.6448536 * 0.2))
    assert draws.spread()[1] == 0.2 and 0 < draws.spread()[0] < 0.3


def test_a_value_at_the_end_of_its_range_is_believed_at_the_last_expected_draw(catalog):
    """Li3InCl6's σ, 1e-3 S/cm at the low end of its range 1e-3–4e-3: its law's CDF at its own
    value is 0, so the z that believes it would be −7 (u = 1e-12); it stops at the 1/(2·64)
    quantile, z = −2.42, the most extreme of 64 draws (a believed z conditions every correlated
    neighbour)."""
    from scipy.special import ndtri

    row = _row("Li3InCl6", catalog)
    assert row.loc[0, "value"] == row.loc[0, "low"]
    draws = SigmaDraws.of(np.zeros(1), row, np.array([True]))
    z = draws.z_at(np.array([1.0]), samples=64)
    assert z[0] == pytest.approx(ndtri(0.5 / 64)) and z[0] == pytest.approx(-2.418, abs=1e-3)
