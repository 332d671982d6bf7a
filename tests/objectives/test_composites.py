import numpy as np
import pytest

from objectives import composites as c
from tests.objectives.guards import assert_domain, cases

MODELS = [c.parallel_s_per_cm, c.series_s_per_cm, c.maxwell_garnett_s_per_cm, c.bruggeman_s_per_cm]


@pytest.mark.parametrize("model", MODELS)
def test_pure_phases_at_phi_0_and_1(model):
    assert model(0.0, sigma_filler_s_per_cm=1e-3, sigma_matrix_s_per_cm=1e-6) == pytest.approx(1e-6)
    assert model(1.0, sigma_filler_s_per_cm=1e-3, sigma_matrix_s_per_cm=1e-6) == pytest.approx(1e-3)


def test_review_mixing_rule_is_the_parallel_bound():
    # Review: σ_eff = φ σ_filler + (1 − φ) σ_polymer
    assert c.parallel_s_per_cm(
        0.3, sigma_filler_s_per_cm=1e-3, sigma_matrix_s_per_cm=1e-5
    ) == pytest.approx(0.3 * 1e-3 + 0.7 * 1e-5)


def test_bounds_order_for_every_fraction():
    phi = np.linspace(0, 1, 101)
    for sf, sm in [(1e-3, 1e-6), (1e-6, 1e-3), (2e-4, 2e-4)]:
        lower = c.series_s_per_cm(phi, sigma_filler_s_per_cm=sf, sigma_matrix_s_per_cm=sm)
        upper = c.parallel_s_per_cm(phi, sigma_filler_s_per_cm=sf, sigma_matrix_s_per_cm=sm)
        for model in (c.maxwell_garnett_s_per_cm, c.bruggeman_s_per_cm):
            mid = model(phi, sigma_filler_s_per_cm=sf, sigma_matrix_s_per_cm=sm)
            assert np.all(lower <= mid * (1 + 1e-12))
            assert np.all(mid <= upper * (1 + 1e-12))


def test_bruggeman_solves_its_equation_and_percolates_at_one_third():
    phi = np.array([0.1, 0.3, 0.5, 0.8])
    sf, sm = 1e-3, 1e-7
    s = c.bruggeman_s_per_cm(phi, sigma_filler_s_per_cm=sf, sigma_matrix_s_per_cm=sm)
    residual = phi * (sf - s) / (sf + 2 * s) + (1 - phi) * (sm - s) / (sm + 2 * s)
    np.testing.assert_allclose(residual, 0.0, atol=1e-12)
    insulating = c.bruggeman_s_per_cm(
        np.array([0.2, 1 / 3, 0.5]), sigma_filler_s_per_cm=1.0, sigma_matrix_s_per_cm=0.0
    )
    np.testing.assert_allclose(insulating, [0.0, 0.0, 0.25], atol=1e-12)


def test_maxwell_garnett_dilute_limit():
    # First order in φ: σ ≈ σ_m (1 + 3φ (σ_f − σ_m)/(σ_f + 2σ_m))
    phi, sf, sm = 1e-4, 1e-3, 1e-6
    expected = sm * (1 + 3 * phi * (sf - sm) / (sf + 2 * sm))
    assert c.maxwell_garnett_s_per_cm(
        phi, sigma_filler_s_per_cm=sf, sigma_matrix_s_per_cm=sm
    ) == pytest.approx(expected, rel=1e-6)


def test_mixture_monotone_in_filler_fraction():
    phi = np.linspace(0, 1, 50)
    for model in MODELS:
        assert np.all(
            np.diff(model(phi, sigma_filler_s_per_cm=1e-3, sigma_matrix_s_per_cm=1e-6)) >= 0
        )


def test_core_shell_reduces_to_bruggeman_without_shell():
    phi = np.linspace(0.0, 0.6, 13)
    np.testing.assert_allclose(
        c.core_shell_s_per_cm(
            phi,
            sigma_filler_s_per_cm=1e-3,
            sigma_matrix_s_per_cm=1e-8,
            sigma_interphase_s_per_cm=1e-4,
            particle_radius_nm=50.0,
            shell_thickness_nm=0.0,
        ),
        c.bruggeman_s_per_cm(phi, sigma_filler_s_per_cm=1e-3, sigma_matrix_s_per_cm=1e-8),
        rtol=1e-9,
    )


def test_core_shell_enhancement_is_bounded_by_three_phase_parallel_bound():
    phi = np.linspace(0.01, 0.5, 30)
    sf, sm, si, r, lam = 1e-3, 1e-8, 1e-4, 20.0, 3.0
    s = c.core_shell_s_per_cm(
        phi,
        sigma_filler_s_per_cm=sf,
        sigma_matrix_s_per_cm=sm,
        sigma_interphase_s_per_cm=si,
        particle_radius_nm=r,
        shell_thickness_nm=lam,
    )
    shell = c.shell_volume_fraction(phi, particle_radius_nm=r, shell_thickness_nm=lam)
    upper = phi * sf + shell * si + (1 - phi - shell) * sm
    assert np.all(s <= upper)
    assert np.all(
        s >= c.bruggeman_s_per_cm(phi, sigma_filler_s_per_cm=sf, sigma_matrix_s_per_cm=sm)
    )  # a conductive shell only helps


def test_shell_volume_worked_number_and_cap():
    assert c.shell_volume_fraction(
        0.16, particle_radius_nm=50.0, shell_thickness_nm=3.0
    ) == pytest.approx(0.16 * (1.06**3 - 1))
    assert c.shell_volume_fraction(
        0.5, particle_radius_nm=1.0, shell_thickness_nm=10.0
    ) == pytest.approx(0.5)  # capped at 1 − φ


def test_vectorized_equals_loop():
    rng = np.random.default_rng(3)
    phi, sf, sm = (
        rng.uniform(0, 1, 30),
        10 ** rng.uniform(-5, -2, 30),
        10 ** rng.uniform(-9, -5, 30),
    )
    for model in MODELS:
        vec = model(phi, sigma_filler_s_per_cm=sf, sigma_matrix_s_per_cm=sm)
        loop = [
            float(model(a, sigma_filler_s_per_cm=b, sigma_matrix_s_per_cm=d))
            for a, b, d in zip(phi, sf, sm, strict=True)
        ]
        np.testing.assert_allclose(vec, loop, rtol=1e-14)


# --- domains (objectives/domain.py): impossible inputs raise, edges and NaN pass ----------------

PHASES = dict(filler_fraction=0.3, sigma_filler_s_per_cm=1e-3, sigma_matrix_s_per_cm=1e-6)
PHASE_DOMAINS = dict(
    filler_fraction="[0, 1]", sigma_filler_s_per_cm="[0, inf)", sigma_matrix_s_per_cm="[0, inf)"
)
SHELL = dict(particle_radius_nm=200.0, shell_thickness_nm=3.0)
SHELL_DOMAINS = dict(particle_radius_nm="(0, inf)", shell_thickness_nm="[0, inf)")
VALID = {
    **{model: PHASES for model in MODELS},
    c.shell_volume_fraction: dict(filler_fraction=0.3, **SHELL),
    c.core_shell_s_per_cm: dict(**PHASES, sigma_interphase_s_per_cm=1e-4, **SHELL),
}
DOMAINS = {
    **{model: PHASE_DOMAINS for model in MODELS},
    c.shell_volume_fraction: dict(filler_fraction="[0, 1]", **SHELL_DOMAINS),
    c.core_shell_s_per_cm: dict(
        **PHASE_DOMAINS, sigma_interphase_s_per_cm="[0, inf)", **SHELL_DOMAINS
    ),
}


@pytest.mark.parametrize(("func", "argument", "interval"), cases(DOMAINS))
def test_domain(func, argument, interval):
    assert_domain(func, VALID[func], argument, interval)


def test_filler_fraction_above_one_is_rejected_not_extrapolated():
    with pytest.raises(
        ValueError, match=r"^filler_fraction: expected a value in \[0, 1\], got 1.2"
    ):
        c.parallel_s_per_cm(1.2, sigma_filler_s_per_cm=1e-3, sigma_matrix_s_per_cm=1e-6)
