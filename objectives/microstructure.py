"""Microstructure: conductivity and stiffness/strength versus porosity; Weibull size effect.

Physics notes §5. Pores are an insulating second phase for conduction (effective-medium forms from
objectives.composites with σ_pore = 0). Stiffness and strength fall exponentially with porosity,
E = E0 exp(−bP) (fitted to Al-LLZO by the physics notes: b ≈ 4.1, E0 ≈ 169 GPa from Ni et al. 2012);
the same form is applied to strength only with a fitted b.
Weibull weakest link: σ1/σ2 = (A2/A1)^(1/m) (Lei et al., J. Am. Ceram. Soc. 102, 90 (2019),
doi:10.1111/jace.16034); m ≈ 20 for tape-cast MgO-LLZO (physics notes, derived from two areas).
"""

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from objectives.composites import bruggeman_s_per_cm, maxwell_garnett_s_per_cm
from objectives.constants import CM_PER_UM

Array = NDArray[np.float64]
PorosityModel = Literal["bruggeman", "maxwell_garnett"]


def porous_conductivity_s_per_cm(
    sigma_dense_s_per_cm: ArrayLike,
    relative_density: ArrayLike,
    model: PorosityModel = "bruggeman",
) -> Array:
    """Conductivity of a membrane of relative density ρ_rel = 1 − P with insulating pores.

    bruggeman: vanishes at P = 2/3 (percolation of the solid); maxwell_garnett: σ = σ0·2(1−P)/(2+P),
    dilute isolated pores. Equals σ0 at full density. [S/cm].
    """
    porosity = 1.0 - np.asarray(relative_density, dtype=float)
    sigma = np.asarray(sigma_dense_s_per_cm, dtype=float)
    mix = maxwell_garnett_s_per_cm if model == "maxwell_garnett" else bruggeman_s_per_cm
    return mix(porosity, sigma_filler_s_per_cm=0.0, sigma_matrix_s_per_cm=sigma)  # pores: σ = 0


def porous_property(
    dense_value: ArrayLike, relative_density: ArrayLike, porosity_coefficient: ArrayLike
) -> Array:
    """Exponential porosity law X = X0 exp(−b P), P = 1 − ρ_rel (modulus or strength, same units as X0).

    Worked number (physics notes §5): E0 = 169 GPa, b = 4.1, P = 0.03 -> 149.8 GPa.
    """
    porosity = 1.0 - np.asarray(relative_density, dtype=float)
    return np.asarray(dense_value, dtype=float) * np.exp(
        -np.asarray(porosity_coefficient, dtype=float) * porosity
    )


def weibull_scaled_strength_mpa(
    strength_ref_mpa: ArrayLike,
    *,
    area_ref_cm2: ArrayLike,
    area_cm2: ArrayLike,
    weibull_modulus: ArrayLike,
) -> Array:
    """Weibull size effect for surface flaws: σ = σ_ref (A_ref/A)^(1/m). [MPa].

    Use effective volumes instead of areas for volume flaws (V = A·L). Worked number: 223.3 MPa at
    1 cm², m = 19.7 -> 206.2 MPa at 4.8 cm² (MgO-LLZO sheets, DOE BMR FY2023 Q4).
    """
    return np.asarray(strength_ref_mpa, dtype=float) * (
        np.asarray(area_ref_cm2, dtype=float) / np.asarray(area_cm2, dtype=float)
    ) ** (1.0 / np.asarray(weibull_modulus, dtype=float))


def weibull_modulus(
    strength_1_mpa: ArrayLike,
    area_1_cm2: ArrayLike,
    strength_2_mpa: ArrayLike,
    area_2_cm2: ArrayLike,
) -> Array:
    """Weibull modulus from two (area, strength) pairs: m = ln(A2/A1) / ln(σ1/σ2)."""
    return np.log(
        np.asarray(area_2_cm2, dtype=float) / np.asarray(area_1_cm2, dtype=float)
    ) / np.log(np.asarray(strength_1_mpa, dtype=float) / np.asarray(strength_2_mpa, dtype=float))


def bending_moment_capacity_n_mm_per_mm(strength_mpa: ArrayLike, thickness_um: ArrayLike) -> Array:
    """Bending moment a plate carries per unit width, M/w = σ_f t²/6 (beam theory, physics notes §5).

    This, not σ_f, is why large thin sheets break in handling: capacity falls with t².
    strength_mpa [MPa = N/mm²], thickness_um [µm]. Returns [N mm/mm].
    """
    thickness_mm = np.asarray(thickness_um, dtype=float) * CM_PER_UM * 10.0
    return np.asarray(strength_mpa, dtype=float) * thickness_mm**2 / 6.0
