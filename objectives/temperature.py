"""Temperature laws of ionic conductivity: Arrhenius (σ and σT forms) and Vogel–Fulcher–Tammann.

Review: σ = A exp(−Ea/kT) for oxides (hopping), σ = σ0 exp[−B/(T − T0)] for glassy/polymer systems.
Physics notes §1 (Famprikis et al., Nat. Mater. 18, 1278 (2019), doi:10.1038/s41563-019-0431-3):
inorganic hopping conductors follow σT = A exp(−Ea/kT); an Ea fitted in one form differs from the
other by ~0.025–0.03 eV, so every Ea carries the form it belongs to ("sigma" or "sigma_t").
Literature reports (σ at T_ref, Ea) pairs, hence the *_from_reference functions.

Domains (checked, objectives.domain): temperatures > 0 K; conductivities and prefactors ≥ 0 (> 0
where their logarithm is taken); activation energies, VFT B and Vogel temperatures ≥ 0; form is
"sigma" or "sigma_t". NaN (unknown) propagates.
"""

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from objectives.constants import BOLTZMANN_EV_PER_K
from objectives.domain import require, require_choice, require_in

Array = NDArray[np.float64]
ArrheniusForm = Literal["sigma", "sigma_t"]
ARRHENIUS_FORMS = ("sigma", "sigma_t")


def arrhenius_sigma_s_per_cm(
    prefactor: ArrayLike,
    activation_energy_ev: ArrayLike,
    temperature_k: ArrayLike,
    form: ArrheniusForm = "sigma_t",
) -> Array:
    """Arrhenius conductivity.

    form="sigma":   σ = A exp(−Ea/kT) (review), A in [S/cm];
    form="sigma_t": σT = A exp(−Ea/kT) (Famprikis 2019), A in [S K/cm], so σ = (A/T) exp(−Ea/kT).
    Domain: A ≥ 0; Ea ≥ 0 [eV]; T > 0 [K]. Returns σ [S/cm].
    """
    require_choice("form", form, ARRHENIUS_FORMS)
    a = np.asarray(prefactor, dtype=float)
    ea = np.asarray(activation_energy_ev, dtype=float)
    t = np.asarray(temperature_k, dtype=float)
    require_in("prefactor", a, "[0, inf)")
    require_in("activation_energy_ev", ea, "[0, inf)")
    require_in("temperature_k", t, "(0, inf)")
    sigma = a * np.exp(-ea / (BOLTZMANN_EV_PER_K * t))
    return sigma / t if form == "sigma_t" else sigma


def arrhenius_prefactor(
    sigma_ref_s_per_cm: ArrayLike,
    reference_temperature_k: ArrayLike,
    activation_energy_ev: ArrayLike,
    form: ArrheniusForm = "sigma_t",
) -> Array:
    """Prefactor A of the chosen Arrhenius form from a (σ_ref at T_ref, Ea) pair.

    Domain: σ_ref ≥ 0 [S/cm]; T_ref > 0 [K]; Ea ≥ 0 [eV].
    Returns A in [S/cm] (form "sigma") or [S K/cm] (form "sigma_t").
    """
    require_choice("form", form, ARRHENIUS_FORMS)
    sigma_ref = np.asarray(sigma_ref_s_per_cm, dtype=float)
    t_ref = np.asarray(reference_temperature_k, dtype=float)
    ea = np.asarray(activation_energy_ev, dtype=float)
    require_in("sigma_ref_s_per_cm", sigma_ref, "[0, inf)")
    require_in("reference_temperature_k", t_ref, "(0, inf)")
    require_in("activation_energy_ev", ea, "[0, inf)")
    a = sigma_ref * np.exp(ea / (BOLTZMANN_EV_PER_K * t_ref))
    return a * t_ref if form == "sigma_t" else a


def arrhenius_from_reference_s_per_cm(
    sigma_ref_s_per_cm: ArrayLike,
    *,
    reference_temperature_k: ArrayLike,
    activation_energy_ev: ArrayLike,
    temperature_k: ArrayLike,
    form: ArrheniusForm = "sigma_t",
) -> Array:
    """σ(T) through the point (T_ref, σ_ref) with activation energy Ea in the given form.

    sigma:   σ(T) = σ_ref exp[−(Ea/k)(1/T − 1/T_ref)]
    sigma_t: σ(T) = σ_ref (T_ref/T) exp[−(Ea/k)(1/T − 1/T_ref)]
    Domain: σ_ref ≥ 0 [S/cm]; T_ref, T > 0 [K]; Ea ≥ 0 [eV].
    Returns [S/cm]. Equals σ_ref at T = T_ref in both forms.
    """
    require_choice("form", form, ARRHENIUS_FORMS)
    sigma_ref = np.asarray(sigma_ref_s_per_cm, dtype=float)
    t_ref = np.asarray(reference_temperature_k, dtype=float)
    ea = np.asarray(activation_energy_ev, dtype=float)
    t = np.asarray(temperature_k, dtype=float)
    require_in("sigma_ref_s_per_cm", sigma_ref, "[0, inf)")
    require_in("reference_temperature_k", t_ref, "(0, inf)")
    require_in("activation_energy_ev", ea, "[0, inf)")
    require_in("temperature_k", t, "(0, inf)")
    sigma = sigma_ref * np.exp(-ea / BOLTZMANN_EV_PER_K * (1.0 / t - 1.0 / t_ref))
    return sigma * (t_ref / t) if form == "sigma_t" else sigma


def activation_energy_ev(
    sigma_1_s_per_cm: ArrayLike,
    temperature_1_k: ArrayLike,
    sigma_2_s_per_cm: ArrayLike,
    temperature_2_k: ArrayLike,
    form: ArrheniusForm = "sigma_t",
) -> Array:
    """Activation energy through two (T, σ) points in the given Arrhenius form. Returns [eV].

    Domain: σ1, σ2 > 0 [S/cm]; T1, T2 > 0 [K] and T2 ≠ T1.
    """
    require_choice("form", form, ARRHENIUS_FORMS)
    s1 = np.asarray(sigma_1_s_per_cm, dtype=float)
    t1 = np.asarray(temperature_1_k, dtype=float)
    s2 = np.asarray(sigma_2_s_per_cm, dtype=float)
    t2 = np.asarray(temperature_2_k, dtype=float)
    require_in("sigma_1_s_per_cm", s1, "(0, inf)")
    require_in("temperature_1_k", t1, "(0, inf)")
    require_in("sigma_2_s_per_cm", s2, "(0, inf)")
    require_in("temperature_2_k", t2, "(0, inf)")
    require("temperature_2_k", t2, "a value != temperature_1_k", t2 == t1)
    y1 = np.log(s1 * (t1 if form == "sigma_t" else 1.0))
    y2 = np.log(s2 * (t2 if form == "sigma_t" else 1.0))
    return -BOLTZMANN_EV_PER_K * (y2 - y1) / (1.0 / t2 - 1.0 / t1)


def vft_sigma_s_per_cm(
    sigma0_s_per_cm: ArrayLike,
    *,
    pseudo_activation_k: ArrayLike,
    vogel_temperature_k: ArrayLike,
    temperature_k: ArrayLike,
) -> Array:
    """Vogel–Fulcher–Tammann σ = σ0 exp[−B/(T − T0)] (review, sulfide glasses and polymers).

    pseudo_activation_k: B [K]; vogel_temperature_k: T0 [K]. At or below T0 the segmental motion
    is frozen and σ = 0 (the law's limit T -> T0⁺). Domain: σ0 ≥ 0 [S/cm]; B ≥ 0, T0 ≥ 0 and
    T > 0 [K]. Returns [S/cm].
    """
    sigma0 = np.asarray(sigma0_s_per_cm, dtype=float)
    b = np.asarray(pseudo_activation_k, dtype=float)
    t0 = np.asarray(vogel_temperature_k, dtype=float)
    t = np.asarray(temperature_k, dtype=float)
    require_in("sigma0_s_per_cm", sigma0, "[0, inf)")
    require_in("pseudo_activation_k", b, "[0, inf)")
    require_in("vogel_temperature_k", t0, "[0, inf)")
    require_in("temperature_k", t, "(0, inf)")
    dt = t - t0
    frozen = dt <= 0.0  # False for NaN: an unknown T0 gives NaN, not a frozen σ = 0
    sigma = sigma0 * np.exp(-b / np.where(frozen, 1.0, dt))
    return np.where(frozen, 0.0, sigma)


def vft_from_reference_s_per_cm(
    sigma_ref_s_per_cm: ArrayLike,
    *,
    reference_temperature_k: ArrayLike,
    pseudo_activation_k: ArrayLike,
    vogel_temperature_k: ArrayLike,
    temperature_k: ArrayLike,
) -> Array:
    """VFT through (T_ref, σ_ref): σ(T) = σ_ref exp{−B [1/(T − T0) − 1/(T_ref − T0)]}. Returns [S/cm].

    Domain: σ_ref ≥ 0 [S/cm]; B ≥ 0, T0 ≥ 0 and T > 0 [K]; T_ref > T0 (σ_ref was measured above
    the Vogel temperature).
    """
    sigma_ref = np.asarray(sigma_ref_s_per_cm, dtype=float)
    t_ref = np.asarray(reference_temperature_k, dtype=float)
    b = np.asarray(pseudo_activation_k, dtype=float)
    t0 = np.asarray(vogel_temperature_k, dtype=float)
    require_in("sigma_ref_s_per_cm", sigma_ref, "[0, inf)")
    require_in("reference_temperature_k", t_ref, "(0, inf)")
    require_in("vogel_temperature_k", t0, "[0, inf)")
    require("reference_temperature_k", t_ref, "a value > vogel_temperature_k", t_ref <= t0)
    sigma0 = sigma_ref * np.exp(b / (t_ref - t0))
    return vft_sigma_s_per_cm(
        sigma0, pseudo_activation_k=b, vogel_temperature_k=t0, temperature_k=temperature_k
    )


def vft_pseudo_activation_k(
    sigma_1_s_per_cm: ArrayLike,
    temperature_1_k: ArrayLike,
    sigma_2_s_per_cm: ArrayLike,
    temperature_2_k: ArrayLike,
    *,
    vogel_temperature_k: ArrayLike,
) -> Array:
    """VFT B through two (T, σ) points for a given T0: B = ln(σ2/σ1) / [1/(T1−T0) − 1/(T2−T0)]. [K].

    Domain: σ1, σ2 > 0 [S/cm]; T0 ≥ 0 [K]; T1, T2 > T0 and T2 ≠ T1.
    """
    s1 = np.asarray(sigma_1_s_per_cm, dtype=float)
    t1 = np.asarray(temperature_1_k, dtype=float)
    s2 = np.asarray(sigma_2_s_per_cm, dtype=float)
    t2 = np.asarray(temperature_2_k, dtype=float)
    t0 = np.asarray(vogel_temperature_k, dtype=float)
    require_in("sigma_1_s_per_cm", s1, "(0, inf)")
    require_in("sigma_2_s_per_cm", s2, "(0, inf)")
    require_in("vogel_temperature_k", t0, "[0, inf)")
    require("temperature_1_k", t1, "a value > vogel_temperature_k", t1 <= t0)
    require("temperature_2_k", t2, "a value > vogel_temperature_k", t2 <= t0)
    require("temperature_2_k", t2, "a value != temperature_1_k", t2 == t1)
    return np.log(s2 / s1) / (1.0 / (t1 - t0) - 1.0 / (t2 - t0))
