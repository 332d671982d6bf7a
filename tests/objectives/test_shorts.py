"""Short-circuit mechanisms beyond random pinholes: worked numbers from the docstrings and limits."""

import numpy as np
import pytest

from objectives import shorts
from objectives.shorts import (
    capacity_hazard,
    flaw_opening_overpotential_v,
    flaw_penetration_hazard,
    local_current_density_ma_per_cm2,
    percolation_hazard,
    plated_lithium_thickness_um,
    protrusion_hazard,
    short_probability,
)
from tests.objectives.guards import assert_domain, cases


def test_lithium_constants_match_the_physics_notes():
    # V_Li = 6.94 / 0.534 cm³/mol; 1 mAh/cm² of Li is ≈ 4.85 µm (physics notes §7)
    assert shorts.LITHIUM_MOLAR_VOLUME_CM3_PER_MOL == pytest.approx(12.996, abs=1e-3)
    assert plated_lithium_thickness_um(1.0) == pytest.approx(4.85, abs=0.005)
    assert plated_lithium_thickness_um(4.0) == pytest.approx(19.40, abs=0.01)


def test_percolation_worked_numbers_and_threshold():
    # 3 µm pores on 1 cm²: 1.11e7 sites; 90 % dense against a 95 % threshold
    lam = percolation_hazard(
        relative_density=np.array([0.90, 0.95, 0.96, 1.0]),
        percolation_relative_density=0.95,
        pore_size_um=3.0,
        area_cm2=1.0,
    )
    sites = 1.0 / (3e-4) ** 2
    assert lam[0] == pytest.approx(sites * (0.05 / 0.95) ** 0.41, rel=1e-12)
    assert lam[0] == pytest.approx(3.32e6, rel=1e-3)
    np.testing.assert_array_equal(lam[1:], 0.0)  # at and above the threshold: isolated pores
    # a dense-enough pellet of a sulfide does not short by percolation, a 90 % one certainly does
    assert short_probability(lam[0]) == pytest.approx(1.0)


def test_percolation_grows_with_porosity():
    rho = np.linspace(0.5, 0.95, 50)
    lam = percolation_hazard(
        relative_density=rho, percolation_relative_density=0.95, pore_size_um=1.0, area_cm2=1.0
    )
    assert np.all(np.diff(lam) < 0)  # denser: fewer percolating paths, none at the threshold


def test_flaw_opening_overpotential():
    # 150 MPa · 12.996 cm³/mol / F = 20.2 mV
    assert flaw_opening_overpotential_v(150.0) == pytest.approx(0.020205, rel=1e-4)
    assert flaw_opening_overpotential_v(300.0) == pytest.approx(2 * 0.020205, rel=1e-4)


def test_flaw_penetration_worked_numbers():
    args = dict(ccd_ma_per_cm2=0.5, weibull_modulus=5.0, area_cm2=1.0, test_area_cm2=1.0)
    lam = flaw_penetration_hazard(current_density_ma_per_cm2=0.4, **args)
    assert lam == pytest.approx(np.log(2) * 0.8**5)
    assert short_probability(lam) == pytest.approx(0.2032, abs=1e-4)
    # at the CCD half of the test cells short: the CCD is the median failure current
    at_ccd = flaw_penetration_hazard(current_density_ma_per_cm2=0.5, **args)
    assert short_probability(at_ccd) == pytest.approx(0.5)
    # P <= 1 % needs j <= 0.43 CCD at m = 5
    j_max = 0.5 * (-np.log1p(-0.01) / np.log(2)) ** (1 / 5)
    assert j_max / 0.5 == pytest.approx(0.4288, abs=1e-4)
    assert short_probability(
        flaw_penetration_hazard(current_density_ma_per_cm2=j_max, **args)
    ) == pytest.approx(0.01)


def test_a_dense_membrane_shorts_above_its_critical_current():
    # no pores at all: the pinhole and percolation models give 0, the flaw model does not
    dense = percolation_hazard(
        relative_density=1.0, percolation_relative_density=0.95, pore_size_um=1.0, area_cm2=1.0
    )
    flaw = flaw_penetration_hazard(
        current_density_ma_per_cm2=np.array([0.1, 1.0, 4.0]),
        ccd_ma_per_cm2=0.5,
        weibull_modulus=5.0,
        area_cm2=1.0,
        test_area_cm2=1.0,
    )
    p = short_probability(dense, flaw)
    assert dense == 0.0
    assert 0 < p[0] < 0.01 and p[1] > 0.99 and p[2] == pytest.approx(1.0)


def test_larger_membranes_and_lost_contact_short_sooner():
    base = dict(
        current_density_ma_per_cm2=0.2, ccd_ma_per_cm2=0.5, weibull_modulus=5.0, test_area_cm2=1.0
    )
    small = flaw_penetration_hazard(area_cm2=1.0, **base)
    pouch = flaw_penetration_hazard(area_cm2=100.0, **base)
    assert pouch == pytest.approx(100 * small)  # weakest link over 100 test-cell areas
    # half the contact doubles the local current: 2^m times the hazard
    j_local = local_current_density_ma_per_cm2(0.2, 0.5)
    assert j_local == pytest.approx(0.4)
    lost = flaw_penetration_hazard(**{**base, "current_density_ma_per_cm2": j_local}, area_cm2=1)
    assert lost == pytest.approx(32 * small)


def test_capacity_worked_number():
    lam = capacity_hazard(
        plated_capacity_mah_per_cm2=np.array([4.0, 8.0, 0.0]),
        threshold_capacity_mah_per_cm2=8.0,
        weibull_modulus=5.0,
    )
    np.testing.assert_allclose(lam, [np.log(2) / 32, np.log(2), 0.0])
    assert short_probability(lam[0]) == pytest.approx(0.0214, abs=1e-4)


def test_thinner_dense_polymer_films_short_more():
    lam = protrusion_hazard(
        plated_capacity_mah_per_cm2=4.0,
        thickness_um=np.array([10.0, 25.0, 50.0, 100.0]),
        amplification=1.0,
        weibull_modulus=5.0,
    )
    assert np.all(np.diff(lam) < 0)
    t_li = plated_lithium_thickness_um(4.0)
    assert lam[1] == pytest.approx(np.log(2) * (t_li / 25.0) ** 5)
    assert short_probability(lam[1]) == pytest.approx(0.177, abs=1e-3)
    assert lam[3] == pytest.approx(1.90e-4, rel=1e-2)
    # no plating, or no protrusion growth, no hazard
    assert (
        protrusion_hazard(
            plated_capacity_mah_per_cm2=0.0, thickness_um=1.0, amplification=1, weibull_modulus=5
        )
        == 0.0
    )


def test_independent_mechanisms_add_their_hazards():
    assert short_probability(0.1, 0.2) == pytest.approx(1 - np.exp(-0.3))
    assert short_probability() == 0.0
    assert np.isnan(short_probability(0.1, np.nan))  # an unknown mechanism: unknown P
    with pytest.raises(ValueError, match=r"^hazards\[1\]: expected a value in \[0, inf\)"):
        short_probability(0.1, -1.0)


def test_vectorized_over_a_population():
    rng = np.random.default_rng(0)
    rho = rng.uniform(0.8, 1.0, 1000)
    lam = percolation_hazard(
        relative_density=rho, percolation_relative_density=0.95, pore_size_um=2.0, area_cm2=1.0
    )
    one = [
        percolation_hazard(
            relative_density=r, percolation_relative_density=0.95, pore_size_um=2.0, area_cm2=1.0
        )
        for r in rho[:5]
    ]
    np.testing.assert_allclose(lam[:5], one)
    assert lam.shape == (1000,) and np.all(lam >= 0)


# --- domains (objectives/domain.py): impossible inputs raise, edges and NaN pass ----------------

VALID = {
    percolation_hazard: dict(
        relative_density=0.9, percolation_relative_density=0.95, pore_size_um=2.0, area_cm2=1.0
    ),
    flaw_opening_overpotential_v: dict(strength_mpa=150.0),
    local_current_density_ma_per_cm2: dict(current_density_ma_per_cm2=0.4, contact_fraction=0.5),
    flaw_penetration_hazard: dict(
        current_density_ma_per_cm2=0.4,
        ccd_ma_per_cm2=0.5,
        weibull_modulus=5.0,
        area_cm2=1.0,
        test_area_cm2=1.0,
    ),
    capacity_hazard: dict(
        plated_capacity_mah_per_cm2=4.0, threshold_capacity_mah_per_cm2=8.0, weibull_modulus=5.0
    ),
    plated_lithium_thickness_um: dict(plated_capacity_mah_per_cm2=4.0),
    protrusion_hazard: dict(
        plated_capacity_mah_per_cm2=4.0, thickness_um=25.0, amplification=1.0, weibull_modulus=5.0
    ),
}
DOMAINS = {
    percolation_hazard: dict(
        relative_density="(0, 1]",
        percolation_relative_density="(0, 1)",
        pore_size_um="(0, inf)",
        area_cm2="(0, inf)",
    ),
    flaw_opening_overpotential_v: dict(strength_mpa="(0, inf)"),
    local_current_density_ma_per_cm2: dict(
        current_density_ma_per_cm2="[0, inf)", contact_fraction="(0, 1]"
    ),
    flaw_penetration_hazard: dict(
        current_density_ma_per_cm2="[0, inf)",
        ccd_ma_per_cm2="(0, inf)",
        weibull_modulus="(0, inf)",
        area_cm2="(0, inf)",
        test_area_cm2="(0, inf)",
    ),
    capacity_hazard: dict(
        plated_capacity_mah_per_cm2="[0, inf)",
        threshold_capacity_mah_per_cm2="(0, inf)",
        weibull_modulus="(0, inf)",
    ),
    plated_lithium_thickness_um: dict(plated_capacity_mah_per_cm2="[0, inf)"),
    protrusion_hazard: dict(
        plated_capacity_mah_per_cm2="[0, inf)",
        thickness_um="(0, inf)",
        amplification="[0, inf)",
        weibull_modulus="(0, inf)",
    ),
}


@pytest.mark.parametrize(("func", "argument", "interval"), cases(DOMAINS))
def test_domain(func, argument, interval):
    assert_domain(func, VALID[func], argument, interval)
