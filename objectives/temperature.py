"""Temperature laws of ionic conductivity: Arrhenius (σ and σT forms) and Vogel–Fulcher–Tammann.

Review: σ = A exp(−Ea/kT) for oxides (hopping), σ = σ0 exp[−B/(T − T0)] for glassy/polymer systems.
Physics notes §1 (Famprikis et al., Nat. Mater. 18, 1278 (2019), doi:10.1038/s41563-019-0431-3):
inorganic hopping conductors follow σT = A exp(−Ea/kT); an Ea fitted in one form differs from the
other by ~0.025–0.03 eV, so every Ea carries the form it belongs to ("sigma" or "sigma_t").
Literature reports (σ at T_ref, Ea) pairs, hence the *_from_reference functions.
"""

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from objectives.constants import BOLTZMANN_EV_PER_K

Array = NDArray[np.float64]
ArrheniusForm = Literal["sigma", "sigma_t"]


def arrhenius_sigma_s_per_cm(
    prefactor: ArrayLike,
    activation_energy_ev: ArrayLike,
    temperature_k: ArrayLike,
    form: ArrheniusForm = "sigma_t",
) -> Array:
    """Arrhenius conductivity.

    form="sigma":   σ = A exp(−Ea/kT) (review), A in [S/cm];
    form="sigma_t": σT = A exp(−Ea/kT) (Famprikis 2019), A in [S K/cm], so σ = (A/T) exp(−Ea/kT).
    Returns σ [S/cm].
    """
    t = np.asarray(temperature_k, dtype=float)
    sigma = np.asarray(prefactor, dtype=float) * np.exp(
        -np.asarray(activation_energy_ev, dtype=float) / (BOLTZMANN_EV_PER_K * t)
    )
    return sigma / t if form == "sigma_t" else sigma


def arrhenius_prefactor(
    sigma_ref_s_per_cm: ArrayLike,
    reference_temperature_k: ArrayLike,
    activation_energy_ev: ArrayLike,
    form: ArrheniusForm = "sigma_t",
) -> Array:
    """Prefactor A of the chosen Arrhenius form from a (σ_ref at T_ref, Ea) pair.

    Returns A in [S/cm] (form "sigma") or [S K/cm] (form "sigma_t").
    """
    t_ref = np.asarray(reference_temperature_k, dtype=float)
    a = np.asarray(sigma_ref_s_per_cm, dtype=float) * np.exp(
        np.asarray(activation_energy_ev, dtype=float) / (BOLTZMANN_EV_PER_K * t_ref)
    )
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
    Returns [S/cm]. Equals σ_ref at T = T_ref in both forms.
    """
    t = np.asarray(temperature_k, dtype=float)
    t_ref = np.asarray(reference_temperature_k, dtype=float)
    sigma = np.asarray(sigma_ref_s_per_cm, dtype=float) * np.exp(
        -np.asarray(activation_energy_ev, dtype=float)
        / BOLTZMANN_EV_PER_K
        * (1.0 / t - 1.0 / t_ref)
    )
    return sigma * (t_ref / t) if form == "sigma_t" else sigma


def activation_energy_ev(
    sigma_1_s_per_cm: ArrayLike,
    temperature_1_k: ArrayLike,
    sigma_2_s_per_cm: ArrayLike,
    temperature_2_k: ArrayLike,
    form: ArrheniusForm = "sigma_t",
) -> Array:
    """Activation energy through two (T, σ) points in the given Arrhenius form. Returns [eV]."""
    t1 = np.asarray(temperature_1_k, dtype=float)
    t2 = np.asarray(temperature_2_k, dtype=float)
    y1 = np.log(np.asarray(sigma_1_s_per_cm, dtype=float) * (t1 if form == "sigma_t" else 1.0))
    y2 = np.log(np.asarray(sigma_2_s_per_cm, dtype=float) * (t2 if form == "sigma_t" else 1.0))
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
    is frozen and σ = 0 (the law's limit T -> T0⁺). Returns [S/cm].
    """
    dt = np.asarray(temperature_k, dtype=float) - np.asarray(vogel_temperature_k, dtype=float)
    safe_dt = np.where(dt > 0.0, dt, 1.0)
    sigma = np.asarray(sigma0_s_per_cm, dtype=float) * np.exp(
        -np.asarray(pseudo_activation_k, dtype=float) / safe_dt
    )
    return np.where(dt > 0.0, sigma, 0.0)


def vft_from_reference_s_per_cm(
    sigma_ref_s_per_cm: ArrayLike,
    *,
    reference_temperature_k: ArrayLike,
    pseudo_activation_k: ArrayLike,
    vogel_temperature_k: ArrayLike,
    temperature_k: ArrayLike,
) -> Array:
    """VFT through (T_ref, σ_ref): σ(T) = σ_ref exp{−B [1/(T − T0) − 1/(T_ref − T0)]}. Returns [S/cm]."""
    b = np.asarray(pseudo_activation_k, dtype=float)
    t0 = np.asarray(vogel_temperature_k, dtype=float)
    sigma0 = np.asarray(sigma_ref_s_per_cm, dtype=float) * np.exp(
        b / (np.asarray(reference_temperature_k, dtype=float) - t0)
    )
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
    """VFT B through two (T, σ) points for a given T0: B = ln(σ2/σ1) / [1/(T1−T0) − 1/(T2−T0)]. [K]."""
    t0 = np.asarray(vogel_temperature_k, dtype=float)
    ratio = np.log(
        np.asarray(sigma_2_s_per_cm, dtype=float) / np.asarray(sigma_1_s_per_cm, dtype=float)
    )
    return ratio / (
        1.0 / (np.asarray(temperature_1_k, dtype=float) - t0)
        - 1.0 / (np.asarray(temperature_2_k, dtype=float) - t0)
    )
