import numpy as np
import pytest

from objectives import microstructure as ms
from objectives.composites import _bruggeman
from tests.objectives.guards import assert_domain, assert_relation, assert_unknown_option, cases


def test_full_density_keeps_conductivity():
    for model in ("bruggeman", "maxwell_garnett"):
        assert ms.porous_conductivity_s_per_cm(1e-3, 1.0, model) == pytest.approx(1e-3)


def test_porosity_lowers_conductivity_monotonically():
    rho = np.linspace(0.4, 1.0, 25)
    for model in ("bruggeman", "maxwell_garnett"):
        assert np.all(np.diff(ms.porous_conductivity_s_per_cm(1e-3, rho, model)) > 0)


def test_porous_conductivity_worked_numbers():
    # Bruggeman with insulating pores: σ = σ0 (1 − 3P/2), zero from P = 2/3
    assert ms.porous_conductivity_s_per_cm(1.0, 0.9, "bruggeman") == pytest.approx(0.85)
    assert ms.porous_conductivity_s_per_cm(1.0, 0.3, "bruggeman") == pytest.approx(0.0, abs=1e-12)
    # Maxwell-Garnett: σ0 · 2(1 − P)/(2 + P)
    assert ms.porous_conductivity_s_per_cm(1.0, 0.9, "maxwell_garnett") == pytest.approx(
        2 * 0.9 / 2.1
    )


def test_exponential_porosity_law_reproduces_llzo_moduli():
    # Physics notes §5: E0 ≈ 169 GPa, b ≈ 4.1 fit 149.8 GPa at P = 0.03 and 132.6 GPa at P = 0.06
    e = ms.porous_property(169.0, np.array([0.97, 0.94]), 4.1)
    np.testing.assert_allclose(e, [149.8, 132.6], rtol=0.005)


def test_weibull_size_effect_worked_number():
    m = ms.weibull_modulus(223.3, 1.0, 206.2, 4.8)
    assert m == pytest.approx(19.7, abs=0.05)
    assert ms.weibull_scaled_strength_mpa(
        223.3, area_ref_cm2=1.0, area_cm2=4.8, weibull_modulus=m
    ) == pytest.approx(206.2)
    assert ms.weibull_scaled_strength_mpa(
        223.3, area_ref_cm2=1.0, area_cm2=1.0, weibull_modulus=m
    ) == pytest.approx(223.3)
    areas = np.array([0.5, 1.0, 5.0, 50.0])
    assert np.all(
        np.diff(
            ms.weibull_scaled_strength_mpa(
                223.3, area_ref_cm2=1.0, area_cm2=areas, weibull_modulus=19.7
            )
        )
        < 0
    )


def test_bending_capacity_falls_with_thickness_squared():
    # σ_f t²/6: 200 MPa, 60 µm (0.06 mm) -> 200 * 0.0036 / 6 = 0.12 N mm/mm
    assert ms.bending_moment_capacity_n_mm_per_mm(200.0, 60.0) == pytest.approx(0.12)
    assert ms.bending_moment_capacity_n_mm_per_mm(200.0, 30.0) == pytest.approx(0.03)


def test_vectorized_equals_loop():
    rng = np.random.default_rng(4)
    s, rho = 10 ** rng.uniform(-6, -2, 20), rng.uniform(0.5, 1, 20)
    vec = ms.porous_conductivity_s_per_cm(s, rho)
    loop = [float(ms.porous_conductivity_s_per_cm(a, b)) for a, b in zip(s, rho, strict=True)]
    np.testing.assert_allclose(vec, loop, rtol=1e-14)


# --- domains (objectives/domain.py): impossible inputs raise, edges and NaN pass ----------------

POSITIVE, NON_NEGATIVE, DENSITY = "(0, inf)", "[0, inf)", "(0, 1]"
VALID = {
    ms.porous_conductivity_s_per_cm: dict(sigma_dense_s_per_cm=1e-3, relative_density=0.9),
    ms.porous_property: dict(dense_value=169.0, relative_density=0.97, porosity_coefficient=4.1),
    ms.weibull_scaled_strength_mpa: dict(
        strength_ref_mpa=223.3, area_ref_cm2=1.0, area_cm2=4.8, weibull_modulus=19.7
    ),
    ms.weibull_modulus: dict(
        strength_1_mpa=223.3, area_1_cm2=1.0, strength_2_mpa=206.2, area_2_cm2=4.8
    ),
    ms.bending_moment_capacity_n_mm_per_mm: dict(strength_mpa=200.0, thickness_um=60.0),
}
DOMAINS = {
    ms.porous_conductivity_s_per_cm: dict(
        sigma_dense_s_per_cm=NON_NEGATIVE, relative_density=DENSITY
    ),
    ms.porous_property: dict(
        dense_value=NON_NEGATIVE, relative_density=DENSITY, porosity_coefficient=NON_NEGATIVE
    ),
    ms.weibull_scaled_strength_mpa: dict(
        strength_ref_mpa=NON_NEGATIVE,
        area_ref_cm2=POSITIVE,
        area_cm2=POSITIVE,
        weibull_modulus=POSITIVE,
    ),
    ms.weibull_modulus: dict(
        strength_1_mpa=POSITIVE, area_1_cm2=POSITIVE, strength_2_mpa=POSITIVE, area_2_cm2=POSITIVE
    ),
    ms.bending_moment_capacity_n_mm_per_mm: dict(strength_mpa=NON_NEGATIVE, thickness_um=POSITIVE),
}


@pytest.mark.parametrize(("func", "argument", "interval"), cases(DOMAINS))
def test_domain(func, argument, interval):
    assert_domain(func, VALID[func], argument, interval)


def test_weibull_modulus_needs_two_different_areas():
    valid = VALID[ms.weibull_modulus]
    assert_relation(ms.weibull_modulus, valid, "area_2_cm2", dict(area_2_cm2=1.0), "a value != ")


def test_misspelled_porosity_model_is_rejected_not_taken_for_bruggeman():
    assert_unknown_option(
        ms.porous_conductivity_s_per_cm,
        VALID[ms.porous_conductivity_s_per_cm],
        "model",
        ("bruggeman", "maxwell_garnett"),
    )


def test_bruggeman_with_insulating_pores_is_the_general_root_bit_for_bit():
    """The closed form the porosity law uses equals the general Bruggeman root with σ_pore = 0,
    exactly, across the percolation point (P = 2/3), zero and unknown conductivities (not where
    b² underflows, σ < 1e-154 S/cm: there the general root loses half its value, the closed form
    does not)."""
    rng = np.random.default_rng(0)
    porosity = np.concatenate([rng.uniform(0, 1, 10_000), [0.0, 2 / 3, 0.6666, 0.6667, 1.0]])
    sigma = 10.0 ** rng.uniform(-12, -1, porosity.size)
    sigma[:3] = [0.0, np.nan, 1e-150]
    general = _bruggeman(porosity, np.zeros_like(sigma), sigma)
    closed = ms.POROSITY_MODELS["bruggeman"](porosity, np.zeros(()), sigma)
    np.testing.assert_array_equal(closed, general)
    assert closed[porosity > 2 / 3].max() == 0.0  # the pores percolate: no path left
    tiny = ms.POROSITY_MODELS["bruggeman"](np.array([0.2]), np.zeros(()), np.array([1e-300]))
    assert tiny[0] == pytest.approx(0.7e-300)
