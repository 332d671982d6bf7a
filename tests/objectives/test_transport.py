import numpy as np
import pytest

from objectives import transport


def test_review_worked_number_asr_and_conductance():
    # Review: 10 µm at 0.4 mS/cm -> ASR 2.5 Ω cm², G/A = 0.4 S/cm².
    assert transport.asr_ohm_cm2(10.0, 0.4e-3) == pytest.approx(2.5)
    assert transport.area_conductance_s_per_cm2(0.4e-3, 10.0) == pytest.approx(0.4)


def test_review_claim_thin_sse_conductance_comparable_to_liquid_separator():
    # Review: 10 µm at 0.4 mS/cm "can achieve conductance comparable to liquid electrolytes".
    # Separator: MacMullin number 4-20 (Metrohm AN-BAT-006). The liquid conductivity (10 mS/cm) and
    # separator thickness (20 µm) are assumptions (no source retrieved), typical carbonate-electrolyte values.
    sse = transport.area_conductance_s_per_cm2(0.4e-3, 10.0)
    liquid = transport.separator_area_conductance_s_per_cm2(10e-3, 20.0, np.array([20.0, 4.0]))
    assert liquid[0] <= sse <= liquid[1]  # 0.25 <= 0.4 <= 1.25 S/cm²


def test_conductance_is_inverse_of_asr():
    sigma = np.logspace(-7, -2, 9)
    thickness = np.linspace(0.5, 200, 9)
    np.testing.assert_allclose(
        transport.area_conductance_s_per_cm2(sigma, thickness)
        * transport.asr_ohm_cm2(thickness, sigma),
        1.0,
    )


def test_thinner_membrane_has_higher_conductance():
    g = transport.area_conductance_s_per_cm2(1e-3, np.array([100.0, 50.0, 10.0, 1.0]))
    assert np.all(np.diff(g) > 0)


@pytest.mark.parametrize(
    ("sigma_s_per_cm", "expected_um"),
    [(1e-3, 500.0), (1e-4, 50.0), (1e-6, 0.5)],  # ASR < 50 Ω cm² thickness limits
)
def test_max_thickness_for_50_ohm_cm2(sigma_s_per_cm, expected_um):
    limit = transport.max_thickness_um(sigma_s_per_cm, 50.0)
    assert limit == pytest.approx(expected_um)
    assert transport.asr_ohm_cm2(limit, sigma_s_per_cm) == pytest.approx(50.0)


def test_transport_time_forms():
    assert transport.transport_time_s(10.0, 1e-8, form="review") == pytest.approx(100.0)
    assert transport.transport_time_s(10.0, 1e-8, form="1d") == pytest.approx(50.0)
    # t ∝ L²: halving the thickness quarters the time
    t = transport.transport_time_s(np.array([20.0, 10.0]), 1e-8)
    assert t[0] / t[1] == pytest.approx(4.0)


def test_nernst_einstein_worked_number_and_round_trip():
    d = transport.tracer_diffusivity_cm2_per_s(1e-3, 1e22, 300.0)
    assert d == pytest.approx(1.6135549e-8, rel=1e-6)
    sigma = transport.conductivity_from_tracer_diffusivity_s_per_cm(d, 1e22, 300.0)
    assert sigma == pytest.approx(1e-3)
    # Haven ratio H_R < 1: the tracer diffusivity is smaller than the charge diffusivity
    assert transport.tracer_diffusivity_cm2_per_s(
        1e-3, 1e22, 300.0, haven_ratio=0.5
    ) == pytest.approx(d / 2)


def test_lithium_share_of_conductivity():
    assert transport.lithium_conductivity_s_per_cm(1e-4, 0.3) == pytest.approx(3e-5)


def test_vectorized_equals_loop():
    rng = np.random.default_rng(1)
    thickness = rng.uniform(1, 100, 50)
    sigma = 10 ** rng.uniform(-7, -2, 50)
    vec = transport.asr_ohm_cm2(thickness, sigma)
    loop = [float(transport.asr_ohm_cm2(t, s)) for t, s in zip(thickness, sigma, strict=True)]
    np.testing.assert_allclose(vec, loop, rtol=0, atol=0)
