"""Roll-to-roll handling: worked numbers from the docstrings, limits, vectorization and domains."""

import numpy as np
import pytest

from objectives.handling import (
    bending_margin,
    bending_surface_stress_mpa,
    binder_sheet_conductivity_factor,
    binder_sheet_strength_mpa,
    binder_volume_fraction,
    minimum_bending_radius_mm,
    web_tension_capacity_n_per_mm,
)
from tests.objectives.guards import assert_domain, cases


def test_worked_numbers():
    # LLZO-like E = 150 GPa, σ_f = 150 MPa: R_min = 150e3 MPa · 20e-3 mm / 300 MPa = 10 mm; 100 µm: 50 mm
    r_min = minimum_bending_radius_mm(150.0, np.array([20.0, 100.0]), 150.0)
    np.testing.assert_allclose(r_min, [10.0, 50.0], rtol=1e-12)
    # a polymer: 10 MPa · 25e-3 mm / 20 MPa
    assert minimum_bending_radius_mm(0.01, 25.0, 10.0) == pytest.approx(0.0125, rel=1e-12)
    # dense LLCZN (Fu et al., ECS Meeting 232, 2017): E ≈ 147.2 GPa, flexural strength ≈ 150 MPa
    assert minimum_bending_radius_mm(147.2, 20.0, 150.0) == pytest.approx(9.8133, rel=1e-4)
    assert bending_surface_stress_mpa(150.0, 20.0, 10.0) == pytest.approx(150.0, rel=1e-12)
    np.testing.assert_allclose(bending_margin(np.array([50.0, 5.0]), 10.0), [5.0, 0.5])
    assert web_tension_capacity_n_per_mm(44.0, 38.0) == pytest.approx(1.672, rel=1e-12)
    # 5 wt% binder (1.0 g/cm³) in Li6PS5Cl (1.86 g/cm³): 0.05 / (0.05 + 0.95/1.86)
    assert binder_volume_fraction(0.05, 1.0, 1.86) == pytest.approx(0.0892, abs=5e-5)
    # 0.95^1.5 = 0.926, 0.8^1.5 = 0.716
    factor = binder_sheet_conductivity_factor(np.array([0.05, 0.2]))
    np.testing.assert_allclose(factor, [0.95**1.5, 0.8**1.5], rtol=1e-12)
    np.testing.assert_array_equal(np.round(factor, 3), [0.926, 0.716])
    assert binder_sheet_strength_mpa(50.0, 10.0, 0.2) == pytest.approx(42.0, rel=1e-12)


def test_bending_radius_scales_with_thickness_and_modulus_and_inversely_with_strength():
    base = minimum_bending_radius_mm(150.0, 20.0, 150.0)
    assert minimum_bending_radius_mm(150.0, 40.0, 150.0) == pytest.approx(2 * base)
    assert minimum_bending_radius_mm(300.0, 20.0, 150.0) == pytest.approx(2 * base)
    assert minimum_bending_radius_mm(150.0, 20.0, 300.0) == pytest.approx(base / 2)
    # at R = R_min the surface stress is the strength, so the margin is exactly σ_f/σ = 1
    assert bending_surface_stress_mpa(150.0, 20.0, base) == pytest.approx(150.0)
    assert bending_margin(base, base) == 1.0
    assert bending_surface_stress_mpa(150.0, 20.0, np.inf) == 0.0  # flat: no bending stress


def test_binder_limits():
    phi = np.linspace(0.0, 1.0, 101)
    factor = binder_sheet_conductivity_factor(phi)
    assert factor[0] == 1.0 and factor[-1] == 0.0
    assert np.all(np.diff(factor) < 0)
    # never above the parallel (Wiener) bound 1 − φ, which n = 1 reproduces
    assert np.all(factor <= 1.0 - phi + 1e-15)
    np.testing.assert_allclose(binder_sheet_conductivity_factor(phi, exponent=1.0), 1.0 - phi)
    assert binder_volume_fraction(0.0, 1.0, 1.86) == 0.0
    assert binder_volume_fraction(1.0, 1.0, 1.86) == 1.0
    # equal densities: volume fraction = mass fraction; a lighter binder takes more volume
    assert binder_volume_fraction(0.05, 1.86, 1.86) == pytest.approx(0.05)
    assert binder_volume_fraction(0.05, 0.9, 1.86) > binder_volume_fraction(0.05, 1.2, 1.86)
    assert binder_sheet_strength_mpa(50.0, 10.0, 0.0) == 50.0
    assert binder_sheet_strength_mpa(50.0, 10.0, 1.0) == 10.0


def test_vectorized_over_a_population():
    rng = np.random.default_rng(0)
    e, t, s = rng.uniform(10, 200, 1000), rng.uniform(1, 100, 1000), rng.uniform(10, 300, 1000)
    r_min = minimum_bending_radius_mm(e, t, s)
    one = [minimum_bending_radius_mm(*row) for row in zip(e[:5], t[:5], s[:5], strict=True)]
    np.testing.assert_allclose(r_min[:5], one)
    assert r_min.shape == (1000,) and np.all(r_min > 0)
    # broadcasting a column of roller radii against the population
    margin = bending_margin(np.array([[5.0], [50.0]]), r_min)
    assert margin.shape == (2, 1000)


def test_nan_propagates():
    assert np.isnan(minimum_bending_radius_mm(np.nan, 20.0, 150.0))
    assert np.isnan(web_tension_capacity_n_per_mm(np.nan, 20.0))
    result = binder_sheet_conductivity_factor(np.array([0.1, np.nan]))
    assert np.isfinite(result[0]) and np.isnan(result[1])


# --- domains (objectives/domain.py): impossible inputs raise, edges and NaN pass ----------------

VALID = {
    minimum_bending_radius_mm: dict(
        youngs_modulus_gpa=150.0, thickness_um=20.0, strength_mpa=150.0
    ),
    bending_surface_stress_mpa: dict(
        youngs_modulus_gpa=150.0, thickness_um=20.0, bending_radius_mm=10.0
    ),
    bending_margin: dict(roller_radius_mm=50.0, minimum_bending_radius_mm=10.0),
    web_tension_capacity_n_per_mm: dict(strength_mpa=44.0, thickness_um=38.0),
    binder_volume_fraction: dict(
        binder_mass_fraction=0.05, binder_density_g_per_cm3=1.0, solid_density_g_per_cm3=1.86
    ),
    binder_sheet_conductivity_factor: dict(binder_volume_fraction=0.1, exponent=1.5),
    binder_sheet_strength_mpa: dict(
        strength_particle_compact_mpa=50.0, strength_binder_mpa=10.0, binder_volume_fraction=0.2
    ),
}
DOMAINS = {
    minimum_bending_radius_mm: dict(
        youngs_modulus_gpa="(0, inf)", thickness_um="(0, inf)", strength_mpa="(0, inf)"
    ),
    bending_surface_stress_mpa: dict(
        youngs_modulus_gpa="(0, inf)", thickness_um="(0, inf)", bending_radius_mm="(0, inf)"
    ),
    bending_margin: dict(roller_radius_mm="(0, inf)", minimum_bending_radius_mm="(0, inf)"),
    web_tension_capacity_n_per_mm: dict(strength_mpa="[0, inf)", thickness_um="(0, inf)"),
    binder_volume_fraction: dict(
        binder_mass_fraction="[0, 1]",
        binder_density_g_per_cm3="(0, inf)",
        solid_density_g_per_cm3="(0, inf)",
    ),
    binder_sheet_conductivity_factor: dict(binder_volume_fraction="[0, 1]", exponent="[1, inf)"),
    binder_sheet_strength_mpa: dict(
        strength_particle_compact_mpa="[0, inf)",
        strength_binder_mpa="[0, inf)",
        binder_volume_fraction="[0, 1]",
    ),
}


@pytest.mark.parametrize(("func", "argument", "interval"), cases(DOMAINS))
def test_domain(func, argument, interval):
    assert_domain(func, VALID[func], argument, interval)
