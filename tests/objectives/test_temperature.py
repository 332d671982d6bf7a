import numpy as np
import pytest

from objectives import temperature as tl
from objectives.constants import BOLTZMANN_EV_PER_K
from tests.objectives.guards import assert_domain, assert_relation, assert_unknown_option, cases

ROOM_K = 298.15


@pytest.mark.parametrize("form", ["sigma", "sigma_t"])
def test_reference_point_is_reproduced_and_conductivity_rises_with_temperature(form):
    t = np.append(ROOM_K, np.linspace(233.15, 373.15, 15))
    s = tl.arrhenius_from_reference_s_per_cm(
        1e-3, reference_temperature_k=ROOM_K, activation_energy_ev=0.36, temperature_k=t, form=form
    )
    assert s[0] == pytest.approx(1e-3)
    assert np.all(np.diff(s[1:]) > 0)


@pytest.mark.parametrize("form", ["sigma", "sigma_t"])
def test_prefactor_and_reference_forms_agree(form):
    a = tl.arrhenius_prefactor(1e-3, ROOM_K, 0.36, form)
    t = np.array([250.0, 300.0, 350.0])
    from_reference = tl.arrhenius_from_reference_s_per_cm(
        1e-3, reference_temperature_k=ROOM_K, activation_energy_ev=0.36, temperature_k=t, form=form
    )
    np.testing.assert_allclose(
        tl.arrhenius_sigma_s_per_cm(a, 0.36, t, form), from_reference, rtol=1e-12
    )


def test_arrhenius_worked_number():
    # σ form: Ea = 0.3 eV, from 300 K to 350 K: factor exp(0.3/k (1/300 - 1/350)) = 5.2477
    ratio, ratio_t = (
        tl.arrhenius_from_reference_s_per_cm(
            1.0,
            reference_temperature_k=300.0,
            activation_energy_ev=0.3,
            temperature_k=350.0,
            form=form,
        )
        for form in ("sigma", "sigma_t")
    )
    assert ratio == pytest.approx(np.exp(0.3 / BOLTZMANN_EV_PER_K * (1 / 300 - 1 / 350)))
    assert ratio == pytest.approx(5.2477, rel=1e-4)
    assert ratio_t == pytest.approx(ratio * 300 / 350)  # σT form adds the T_ref/T factor


@pytest.mark.parametrize("form", ["sigma", "sigma_t"])
def test_activation_energy_inverts_the_law(form):
    s1, s2 = tl.arrhenius_from_reference_s_per_cm(
        2e-3,
        reference_temperature_k=ROOM_K,
        activation_energy_ev=0.355,
        temperature_k=np.array([273.15, 353.15]),
        form=form,
    )
    assert tl.activation_energy_ev(s1, 273.15, s2, 353.15, form) == pytest.approx(0.355)


def test_sigma_t_form_gives_higher_ea_than_sigma_form_on_same_data():
    # Physics notes §1: fitting the same data, σT gives Ea ~0.025-0.03 eV higher than σ.
    t1, t2 = 273.15, 373.15
    s1, s2 = tl.arrhenius_from_reference_s_per_cm(
        1e-3,
        reference_temperature_k=ROOM_K,
        activation_energy_ev=0.325,
        temperature_k=np.array([t1, t2]),
        form="sigma",
    )
    delta = tl.activation_energy_ev(s1, t1, s2, t2, "sigma_t") - 0.325
    assert 0.02 < delta < 0.035


def test_vft_conductivity_rises_with_temperature():
    t = np.linspace(233.15, 373.15, 15)
    vft = tl.vft_from_reference_s_per_cm(
        1e-5,
        reference_temperature_k=ROOM_K,
        pseudo_activation_k=2000.0,
        vogel_temperature_k=163.0,
        temperature_k=t,
    )
    assert np.all(np.diff(vft) > 0)


def test_vft_worked_number_and_limits():
    s = tl.vft_sigma_s_per_cm(
        1.0,
        pseudo_activation_k=1000.0,
        vogel_temperature_k=200.0,
        temperature_k=np.array([300.0, 150.0, 200.0]),
    )
    assert s[0] == pytest.approx(np.exp(-10.0))
    assert s[1:].tolist() == [0.0, 0.0]  # at or below T0: frozen


@pytest.mark.parametrize(("temperature_k", "expected"), [(ROOM_K, 6.2e-6), (353.15, 8.0e-4)])
def test_vft_two_point_fit_passes_through_both_points(temperature_k, expected):
    b = tl.vft_pseudo_activation_k(6.2e-6, ROOM_K, 8.0e-4, 353.15, vogel_temperature_k=163.0)
    s = tl.vft_from_reference_s_per_cm(
        6.2e-6,
        reference_temperature_k=ROOM_K,
        pseudo_activation_k=b,
        vogel_temperature_k=163.0,
        temperature_k=temperature_k,
    )
    assert s == pytest.approx(expected)


def test_vectorized_equals_loop():
    rng = np.random.default_rng(2)
    sref, ea, t = (
        10 ** rng.uniform(-6, -2, 20),
        rng.uniform(0.2, 0.6, 20),
        rng.uniform(230, 400, 20),
    )

    def sigma(a, b, c):
        return tl.arrhenius_from_reference_s_per_cm(
            a, reference_temperature_k=ROOM_K, activation_energy_ev=b, temperature_k=c
        )

    loop = [float(sigma(a, b, c)) for a, b, c in zip(sref, ea, t, strict=True)]
    np.testing.assert_allclose(sigma(sref, ea, t), loop, rtol=1e-15)


# --- domains (objectives/domain.py): impossible inputs raise, edges and NaN pass ----------------

POSITIVE, NON_NEGATIVE = "(0, inf)", "[0, inf)"
VFT = dict(pseudo_activation_k=1000.0, vogel_temperature_k=200.0, temperature_k=300.0)
TWO_POINTS = dict(
    sigma_1_s_per_cm=1e-4, temperature_1_k=300.0, sigma_2_s_per_cm=1e-3, temperature_2_k=350.0
)
VALID = {
    tl.arrhenius_sigma_s_per_cm: dict(prefactor=1e3, activation_energy_ev=0.3, temperature_k=300.0),
    tl.arrhenius_prefactor: dict(
        sigma_ref_s_per_cm=1e-3, reference_temperature_k=ROOM_K, activation_energy_ev=0.3
    ),
    tl.arrhenius_from_reference_s_per_cm: dict(
        sigma_ref_s_per_cm=1e-3,
        reference_temperature_k=ROOM_K,
        activation_energy_ev=0.3,
        temperature_k=250.0,
    ),
    tl.activation_energy_ev: TWO_POINTS,
    tl.vft_sigma_s_per_cm: dict(sigma0_s_per_cm=1.0, **VFT),
    tl.vft_from_reference_s_per_cm: dict(
        sigma_ref_s_per_cm=1e-4, reference_temperature_k=ROOM_K, **VFT
    ),
    tl.vft_pseudo_activation_k: dict(**TWO_POINTS, vogel_temperature_k=200.0),
}
DOMAINS = {
    tl.arrhenius_sigma_s_per_cm: dict(
        prefactor=NON_NEGATIVE, activation_energy_ev=NON_NEGATIVE, temperature_k=POSITIVE
    ),
    tl.arrhenius_prefactor: dict(
        sigma_ref_s_per_cm=NON_NEGATIVE,
        reference_temperature_k=POSITIVE,
        activation_energy_ev=NON_NEGATIVE,
    ),
    tl.arrhenius_from_reference_s_per_cm: dict(
        sigma_ref_s_per_cm=NON_NEGATIVE,
        reference_temperature_k=POSITIVE,
        activation_energy_ev=NON_NEGATIVE,
        temperature_k=POSITIVE,
    ),
    tl.activation_energy_ev: dict(
        sigma_1_s_per_cm=POSITIVE,
        temperature_1_k=POSITIVE,
        sigma_2_s_per_cm=POSITIVE,
        temperature_2_k=POSITIVE,
    ),
    tl.vft_sigma_s_per_cm: dict(
        sigma0_s_per_cm=NON_NEGATIVE,
        pseudo_activation_k=NON_NEGATIVE,
        vogel_temperature_k=NON_NEGATIVE,
        temperature_k=POSITIVE,
    ),
    # T0 ≥ 0 too, but also below T_ref or T1, T2 (test_relations_between_arguments)
    tl.vft_from_reference_s_per_cm: dict(
        sigma_ref_s_per_cm=NON_NEGATIVE, pseudo_activation_k=NON_NEGATIVE, temperature_k=POSITIVE
    ),
    tl.vft_pseudo_activation_k: dict(sigma_1_s_per_cm=POSITIVE, sigma_2_s_per_cm=POSITIVE),
}


@pytest.mark.parametrize(("func", "argument", "interval"), cases(DOMAINS))
def test_domain(func, argument, interval):
    assert_domain(func, VALID[func], argument, interval)


@pytest.mark.parametrize(
    ("func", "argument", "bad", "condition"),
    [
        (tl.activation_energy_ev, "temperature_2_k", dict(temperature_2_k=300.0), "a value != "),
        (tl.vft_pseudo_activation_k, "temperature_2_k", dict(temperature_2_k=300.0), "a value != "),
        (tl.vft_pseudo_activation_k, "temperature_1_k", dict(temperature_1_k=150.0), "a value > "),
        (tl.vft_pseudo_activation_k, "temperature_2_k", dict(temperature_2_k=200.0), "a value > "),
        (tl.vft_pseudo_activation_k, "vogel_temperature_k", dict(vogel_temperature_k=-1.0), "a "),
        (
            tl.vft_from_reference_s_per_cm,
            "vogel_temperature_k",
            dict(vogel_temperature_k=-1.0),
            "a ",
        ),
        # σ_ref measured at or below T0 cannot be on the VFT curve
        (
            tl.vft_from_reference_s_per_cm,
            "reference_temperature_k",
            dict(reference_temperature_k=200.0),
            "a value > vogel_temperature_k",
        ),
    ],
)
def test_relations_between_arguments(func, argument, bad, condition):
    assert_relation(func, VALID[func], argument, bad, condition)


@pytest.mark.parametrize("func", [f for f in VALID if "form" in f.__code__.co_varnames])
def test_misspelled_form_is_rejected_not_taken_for_sigma(func):
    assert_unknown_option(func, VALID[func], "form", ("sigma", "sigma_t"))


def test_vft_below_the_vogel_temperature_is_frozen_and_unknown_t0_is_unknown():
    s = tl.vft_sigma_s_per_cm(
        1.0,
        pseudo_activation_k=1000.0,
        vogel_temperature_k=np.array([300.0, 400.0, np.nan]),
        temperature_k=300.0,
    )
    assert s[0] == 0.0 and s[1] == 0.0 and np.isnan(s[2])
