"""Through-defect model: worked numbers from its docstring and its limits."""

import numpy as np
import pytest

from objectives.defects import (
    short_circuit_probability,
    threshold_thickness_um,
    through_defects_per_membrane,
)
from tests.objectives.guards import assert_domain, cases


def test_worked_numbers():
    # d = 1 µm and A = 1 cm² give 10⁸ sites; porosity 0.03: 10⁸ · 0.03¹⁰ and 10⁸ · 0.03³
    lam = through_defects_per_membrane(
        relative_density=0.97, thickness_um=np.array([10.0, 3.0]), grain_size_um=1.0, area_cm2=1.0
    )
    np.testing.assert_allclose(lam, [1e8 * 0.03**10, 2700.0], rtol=1e-12)
    # d = 5 µm, A = 1 cm², ρ = 0.85: L* = 5 · ln(4·10⁶) / ln(1/0.15) ≈ 40.07 µm
    assert threshold_thickness_um(
        relative_density=0.85, grain_size_um=5.0, area_cm2=1.0
    ) == pytest.approx(5 * np.log(4e6) / np.log(1 / 0.15))


def test_limits():
    dense = through_defects_per_membrane(
        relative_density=1.0, thickness_um=0.015, grain_size_um=0.01, area_cm2=1.0
    )
    assert dense == 0.0  # no pores, no open path however thin
    assert short_circuit_probability(0.0) == 0.0
    assert short_circuit_probability(1e-12) == pytest.approx(1e-12)  # small λ: P ≈ λ
    assert short_circuit_probability(50.0) == pytest.approx(1.0)


def test_thinner_less_dense_coarser_and_larger_all_cost():
    base = dict(relative_density=0.95, thickness_um=20.0, grain_size_um=2.0, area_cm2=1.0)
    ref = through_defects_per_membrane(**base)
    for key, worse in (
        ("thickness_um", 10.0),
        ("relative_density", 0.90),
        ("grain_size_um", 4.0),
        ("area_cm2", 10.0),
    ):
        assert through_defects_per_membrane(**{**base, key: worse}) > ref, key


def test_vectorized_over_a_population():
    rng = np.random.default_rng(0)
    rho, t = rng.uniform(0.8, 1.0, 1000), rng.uniform(1, 100, 1000)
    lam = through_defects_per_membrane(
        relative_density=rho, thickness_um=t, grain_size_um=2.0, area_cm2=1.0
    )
    one = [
        through_defects_per_membrane(
            relative_density=r, thickness_um=x, grain_size_um=2.0, area_cm2=1.0
        )
        for r, x in zip(rho[:5], t[:5], strict=True)
    ]
    np.testing.assert_allclose(lam[:5], one)
    assert lam.shape == (1000,) and np.all(lam >= 0)


# --- domains (objectives/domain.py): impossible inputs raise, edges and NaN pass ----------------

MEMBRANE = dict(relative_density=0.95, grain_size_um=2.0, area_cm2=1.0)
MEMBRANE_DOMAINS = dict(relative_density="(0, 1]", grain_size_um="(0, inf)", area_cm2="(0, inf)")
VALID = {
    through_defects_per_membrane: dict(**MEMBRANE, thickness_um=20.0),
    short_circuit_probability: dict(expected_defects=0.5),
    threshold_thickness_um: MEMBRANE,
}
DOMAINS = {
    through_defects_per_membrane: dict(**MEMBRANE_DOMAINS, thickness_um="(0, inf)"),
    short_circuit_probability: dict(expected_defects="[0, inf)"),
    threshold_thickness_um: MEMBRANE_DOMAINS,
}


@pytest.mark.parametrize(("func", "argument", "interval"), cases(DOMAINS))
def test_domain(func, argument, interval):
    assert_domain(func, VALID[func], argument, interval)
