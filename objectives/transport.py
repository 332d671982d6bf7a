"""Ion transport through a membrane of thickness L: conductance, ASR, transport time, Nernst–Einstein.

Formulas from the review ("Common Critical Challenges"): G/A = σ/L, ASR = R·S = L/σ, t = L²/D.
The 1-D diffusion time L²/(2D) and the Haven-ratio form of Nernst–Einstein follow the physics notes §2
(Gao et al., Chem. Rev. 120, 5954 (2020)).

Domains (checked, objectives.domain): thicknesses > 0; conductivities ≥ 0 (σ = 0 is an insulator:
infinite ASR); diffusivities, temperatures, Haven ratios and charge numbers > 0. NaN (unknown)
propagates.
"""

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from objectives.constants import BOLTZMANN_J_PER_K, CM_PER_UM, ELEMENTARY_CHARGE_C
from objectives.domain import require_choice, require_in

Array = NDArray[np.float64]


def area_conductance_s_per_cm2(sigma_s_per_cm: ArrayLike, thickness_um: ArrayLike) -> Array:
    """Area-normalized conductance G/A = σ/L (review).

    sigma_s_per_cm: ionic conductivity σ ≥ 0 [S/cm]; thickness_um: thickness L > 0 [µm].
    Returns [S/cm²]. Worked number (review): 10 µm at 0.4 mS/cm -> 0.4 S/cm².
    """
    sigma = np.asarray(sigma_s_per_cm, dtype=float)
    thickness = np.asarray(thickness_um, dtype=float)
    require_in("sigma_s_per_cm", sigma, "[0, inf)")
    require_in("thickness_um", thickness, "(0, inf)")
    return sigma / (thickness * CM_PER_UM)


def asr_ohm_cm2(thickness_um: ArrayLike, sigma_s_per_cm: ArrayLike) -> Array:
    """Area-specific resistance ASR = R·S = L/σ (review).

    thickness_um: L > 0 [µm]; sigma_s_per_cm: σ ≥ 0 [S/cm] (an insulator, σ = 0, gives inf).
    Returns [Ω cm²]. Worked number (review): 10 µm at 0.4 mS/cm -> 2.5 Ω cm².
    """
    thickness = np.asarray(thickness_um, dtype=float)
    sigma = np.asarray(sigma_s_per_cm, dtype=float)
    require_in("thickness_um", thickness, "(0, inf)")
    require_in("sigma_s_per_cm", sigma, "[0, inf)")
    return thickness * CM_PER_UM / sigma


def max_thickness_um(sigma_s_per_cm: ArrayLike, asr_max_ohm_cm2: ArrayLike = 50.0) -> Array:
    """Largest thickness with L/σ ≤ ASR_max, i.e. L_max = ASR_max·σ (review's 50 Ω cm² target).

    sigma_s_per_cm: σ ≥ 0 [S/cm]; asr_max_ohm_cm2: ASR_max > 0 [Ω cm²]. Returns [µm].
    Worked number: 1 mS/cm and 50 Ω cm² -> 500 µm; LiPON at 1 µS/cm -> 0.5 µm.
    """
    sigma = np.asarray(sigma_s_per_cm, dtype=float)
    asr_max = np.asarray(asr_max_ohm_cm2, dtype=float)
    require_in("sigma_s_per_cm", sigma, "[0, inf)")
    require_in("asr_max_ohm_cm2", asr_max, "(0, inf)")
    return asr_max * sigma / CM_PER_UM


TRANSPORT_TIME_DIVISOR = {"review": 1.0, "1d": 2.0}  # t = L²/(divisor · D), per form


def transport_time_s(
    thickness_um: ArrayLike,
    diffusivity_cm2_per_s: ArrayLike,
    form: Literal["review", "1d"] = "1d",
) -> Array:
    """Time for Li⁺ to cross the membrane by diffusion.

    form="review": t = L²/D, as the review writes it (an order-of-magnitude scale);
    form="1d": t = L²/(2D), the mean-square-displacement time of 1-D diffusion (physics notes §2).
    thickness_um: L > 0 [µm]; diffusivity_cm2_per_s: D > 0 [cm²/s]. Returns [s].
    Worked number: 10 µm, D = 1e-8 cm²/s -> 100 s (review form) or 50 s (1-D form).
    """
    require_choice("form", form, TRANSPORT_TIME_DIVISOR)
    thickness = np.asarray(thickness_um, dtype=float)
    diffusivity = np.asarray(diffusivity_cm2_per_s, dtype=float)
    require_in("thickness_um", thickness, "(0, inf)")
    require_in("diffusivity_cm2_per_s", diffusivity, "(0, inf)")
    return (thickness * CM_PER_UM) ** 2 / (TRANSPORT_TIME_DIVISOR[form] * diffusivity)


def tracer_diffusivity_cm2_per_s(
    sigma_s_per_cm: ArrayLike,
    carrier_concentration_per_cm3: ArrayLike,
    temperature_k: ArrayLike,
    haven_ratio: ArrayLike = 1.0,
    charge_number: ArrayLike = 1,
) -> Array:
    """Tracer diffusivity from conductivity by Nernst–Einstein with a Haven ratio.

    σ = c (z e)² D_σ / (k_B T) and D* = H_R · D_σ  (Gao et al., Chem. Rev. 2020; physics notes §2),
    so D* = H_R σ k_B T / (c (z e)²). H_R lies in (0, 1] for most ionic conductors.
    Domain: σ ≥ 0 [S/cm]; c > 0 [cm⁻³]; T > 0 [K]; H_R > 0; charge number z > 0.
    Returns [cm²/s]. Worked number: 1 mS/cm, c = 1e22 cm⁻³, 300 K, H_R = 1 -> 1.6135e-8 cm²/s.
    """
    sigma = np.asarray(sigma_s_per_cm, dtype=float)
    require_in("sigma_s_per_cm", sigma, "[0, inf)")
    return sigma * _nernst_einstein_d_per_sigma(
        carrier_concentration_per_cm3, temperature_k, haven_ratio, charge_number, "(0, inf)"
    )


def _nernst_einstein_d_per_sigma(
    concentration_per_cm3: ArrayLike,
    temperature_k: ArrayLike,
    haven_ratio: ArrayLike,
    charge_number: ArrayLike,
    concentration_interval: str,
) -> Array:
    """D*/σ = H_R k_B T / (c (z e)²), the Nernst–Einstein factor both directions share, with
    the checks of its arguments. [cm²/s per S/cm]."""
    concentration = np.asarray(concentration_per_cm3, dtype=float)
    t = np.asarray(temperature_k, dtype=float)
    haven = np.asarray(haven_ratio, dtype=float)
    z = np.asarray(charge_number, dtype=float)
    require_in("carrier_concentration_per_cm3", concentration, concentration_interval)
    require_in("temperature_k", t, "(0, inf)")
    require_in("haven_ratio", haven, "(0, inf)")
    require_in("charge_number", z, "(0, inf)")
    return haven * BOLTZMANN_J_PER_K * t / (concentration * (z * ELEMENTARY_CHARGE_C) ** 2)


def conductivity_from_tracer_diffusivity_s_per_cm(
    diffusivity_cm2_per_s: ArrayLike,
    carrier_concentration_per_cm3: ArrayLike,
    temperature_k: ArrayLike,
    haven_ratio: ArrayLike = 1.0,
    charge_number: ArrayLike = 1,
) -> Array:
    """Inverse of :func:`tracer_diffusivity_cm2_per_s`: σ = c (z e)² D* / (H_R k_B T). Returns [S/cm].

    Domain: D* ≥ 0 [cm²/s]; c ≥ 0 [cm⁻³]; T > 0 [K]; H_R > 0; charge number z > 0.
    """
    diffusivity = np.asarray(diffusivity_cm2_per_s, dtype=float)
    require_in("diffusivity_cm2_per_s", diffusivity, "[0, inf)")
    # c = 0 (no carriers) gives σ = 0: the concentration may be 0 in this direction only
    with np.errstate(divide="ignore"):
        factor = _nernst_einstein_d_per_sigma(
            carrier_concentration_per_cm3, temperature_k, haven_ratio, charge_number, "[0, inf)"
        )
    return diffusivity / factor


def lithium_conductivity_s_per_cm(
    sigma_s_per_cm: ArrayLike, transference_number: ArrayLike = 1.0
) -> Array:
    """Li⁺ share of the total conductivity, t₊·σ (physics notes §2: polymers conduct anions too).

    Inorganic SEs have t₊ ≈ 1; PEO(LiTFSI) t₊ ≈ 0.3. σ ≥ 0 [S/cm]; t₊, a share, in [0, 1].
    Returns [S/cm].
    """
    sigma = np.asarray(sigma_s_per_cm, dtype=float)
    share = np.asarray(transference_number, dtype=float)
    require_in("sigma_s_per_cm", sigma, "[0, inf)")
    require_in("transference_number", share, "[0, 1]")
    return share * sigma


def separator_area_conductance_s_per_cm2(
    sigma_electrolyte_s_per_cm: ArrayLike, thickness_um: ArrayLike, macmullin_number: ArrayLike
) -> Array:
    """Conductance of a liquid-filled porous separator, G/A = σ_liquid / (N_M · L).

    N_M (MacMullin number) = σ_liquid / σ_effective, 4-20 for common Li-ion separators
    (Metrohm application note AN-BAT-006; rhd instruments application note, 2023). The review
    compares thin SSEs with this: 10 µm at 0.4 mS/cm "can achieve conductance comparable to liquid
    electrolytes". σ_liquid ≥ 0 [S/cm]; L > 0 [µm]; N_M ≥ 1 (a porous separator never conducts
    better than its liquid). Returns [S/cm²].
    """
    sigma = np.asarray(sigma_electrolyte_s_per_cm, dtype=float)
    thickness = np.asarray(thickness_um, dtype=float)
    macmullin = np.asarray(macmullin_number, dtype=float)
    require_in("sigma_electrolyte_s_per_cm", sigma, "[0, inf)")
    require_in("thickness_um", thickness, "(0, inf)")
    require_in("macmullin_number", macmullin, "[1, inf)")
    return sigma / (macmullin * thickness * CM_PER_UM)
