import numpy as np
import pytest

from objectives import transport
from tests.objectives.guards import assert_domain, assert_unknown_option, cases


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


# --- domains (objectives/domain.py): impossible inputs raise, edges and NaN pass ----------------

NERNST_EINSTEIN = dict(carrier_concentration_per_cm3=1e22, temperature_k=300.0, haven_ratio=0.5)
VALID = {
    transport.area_conductance_s_per_cm2: dict(sigma_s_per_cm=4e-4, thickness_um=10.0),
    transport.asr_ohm_cm2: dict(thickness_um=10.0, sigma_s_per_cm=4e-4),
    transport.max_thickness_um: dict(sigma_s_per_cm=1e-3, asr_max_ohm_cm2=50.0),
    transport.transport_time_s: dict(thickness_um=10.0, diffusivity_cm2_per_s=1e-8),
    transport.tracer_diffusivity_cm2_per_s: dict(
        sigma_s_per_cm=1e-3, **NERNST_EINSTEIN, charge_number=1.0
    ),
    transport.conductivity_from_tracer_diffusivity_s_per_cm: dict(
        diffusivity_cm2_per_s=1e-8, **NERNST_EINSTEIN, charge_number=1.0
    ),
    transport.lithium_conductivity_s_per_cm: dict(sigma_s_per_cm=1e-4, transference_number=0.3),
    transport.separator_area_conductance_s_per_cm2: dict(
        sigma_electrolyte_s_per_cm=1e-2, thickness_um=20.0, macmullin_number=8.0
    ),
}
POSITIVE, NON_NEGATIVE = "(0, inf)", "[0, inf)"
DOMAINS = {
    transport.area_conductance_s_per_cm2: dict(sigma_s_per_cm=NON_NEGATIVE, thickness_um=POSITIVE),
    transport.asr_ohm_cm2: dict(thickness_um=POSITIVE, sigma_s_per_cm=NON_NEGATIVE),
    transport.max_thickness_um: dict(sigma_s_per_cm=NON_NEGATIVE, asr_max_ohm_cm2=POSITIVE),
    transport.transport_time_s: dict(thickness_um=POSITIVE, diffusivity_cm2_per_s=POSITIVE),
    transport.tracer_diffusivity_cm2_per_s: dict(
        sigma_s_per_cm=NON_NEGATIVE,
        carrier_concentration_per_cm3=POSITIVE,
        temperature_k=POSITIVE,
        haven_ratio=POSITIVE,
        charge_number=POSITIVE,
    ),
    transport.conductivity_from_tracer_diffusivity_s_per_cm: dict(
        diffusivity_cm2_per_s=NON_NEGATIVE,
        carrier_concentration_per_cm3=NON_NEGATIVE,
        temperature_k=POSITIVE,
        haven_ratio=POSITIVE,
        charge_number=POSITIVE,
    ),
    transport.lithium_conductivity_s_per_cm: dict(
        sigma_s_per_cm=NON_NEGATIVE, transference_number="[0, 1]"
    ),
    transport.separator_area_conductance_s_per_cm2: dict(
        sigma_electrolyte_s_per_cm=NON_NEGATIVE, thickness_um=POSITIVE, macmullin_number="[1, inf)"
    ),
}


@pytest.mark.parametrize(("func", "argument", "interval"), cases(DOMAINS))
def test_domain(func, argument, interval):
    assert_domain(func, VALID[func], argument, interval)


def test_unknown_form_is_rejected_not_a_key_error():
    assert_unknown_option(
        transport.transport_time_s, VALID[transport.transport_time_s], "form", ("review", "1d")
    )


def test_insulator_gives_infinite_asr_not_an_error():
    with np.errstate(divide="ignore"):
        assert transport.asr_ohm_cm2(10.0, 0.0) == np.inf
