"""Microstructure: conductivity and stiffness/strength versus porosity; Weibull size effect.

Physics notes §5. Pores are an insulating second phase for conduction (effective-medium forms from
objectives.composites with σ_pore = 0). Stiffness and strength fall exponentially with porosity,
E = E0 exp(−bP) (fitted to Al-LLZO by the physics notes: b ≈ 4.1, E0 ≈ 169 GPa from Ni et al. 2012);
the same form is applied to strength only with a fitted b.
Weibull weakest link: σ1/σ2 = (A2/A1)^(1/m) (Lei et al., J. Am. Ceram. Soc. 102, 90 (2019),
doi:10.1111/jace.16034); m ≈ 20 for tape-cast MgO-LLZO (physics notes, derived from two areas).

Domains (checked, objectives.domain): relative density ρ_rel = 1 − P in (0, 1]; conductivities,
moduli and strengths ≥ 0 (> 0 where their logarithm is taken); areas, thicknesses and Weibull
moduli > 0; porosity coefficient b ≥ 0. NaN (unknown, e.g. a material without a reported strength)
propagates.
"""

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from objectives.composites import _maxwell_garnett
from objectives.constants import CM_PER_UM
from objectives.domain import require, require_choice, require_in

Array = NDArray[np.float64]
PorosityModel = Literal["bruggeman", "maxwell_garnett"]


def _bruggeman_insulating_pores(porosity: Array, pores: Array, sigma: Array) -> Array:
    """Bruggeman's root with σ_pore = 0 (`pores`, unused) in closed form: b = (2 − 3P)σ and
    s = (b + √b²)/4 = σ(1 − 3P/2) below P = 2/3, 0 above (pores percolate). Equal to the general
    root bit for bit (√(b·b) = |b| exactly in IEEE arithmetic; halving is exact) at a third of its
    array operations, measured in bench-physics (tests/objectives/test_microstructure.py)."""
    return sigma * np.maximum(1.0 - 1.5 * porosity, 0.0)


# the composites' formulas without their checks: P = 1 − ρ_rel and σ_pore = 0 are valid by construction
POROSITY_MODELS = {"bruggeman": _bruggeman_insulating_pores, "maxwell_garnett": _maxwell_garnett}


def porous_conductivity_s_per_cm(
    sigma_dense_s_per_cm: ArrayLike,
    relative_density: ArrayLike,
    model: PorosityModel = "bruggeman",
) -> Array:
    """Conductivity of a membrane of relative density ρ_rel = 1 − P with insulating pores.

    bruggeman: vanishes at P = 2/3 (percolation of the solid); maxwell_garnett: σ = σ0·2(1−P)/(2+P),
    dilute isolated pores. Equals σ0 at full density. σ0 ≥ 0 [S/cm]; ρ_rel in (0, 1]. [S/cm].
    """
    require_choice("model", model, POROSITY_MODELS)
    relative = np.asarray(relative_density, dtype=float)
    sigma = np.asarray(sigma_dense_s_per_cm, dtype=float)
    require_in("sigma_dense_s_per_cm", sigma, "[0, inf)")
    require_in("relative_density", relative, "(0, 1]")
    pores = np.asarray(0.0, dtype=float)  # the filler phase is the pores: σ = 0
    return POROSITY_MODELS[model](1.0 - relative, pores, sigma)


def porous_property(
    dense_value: ArrayLike, relative_density: ArrayLike, porosity_coefficient: ArrayLike
) -> Array:
    """Exponential porosity law X = X0 exp(−b P), P = 1 − ρ_rel (modulus or strength, same units as X0).

    X0 ≥ 0; ρ_rel in (0, 1]; b ≥ 0 (stiffness and strength fall with porosity).
    Worked number (physics notes §5): E0 = 169 GPa, b = 4.1, P = 0.03 -> 149.8 GPa.
    """
    dense = np.asarray(dense_value, dtype=float)
    relative = np.asarray(relative_density, dtype=float)
    b = np.asarray(porosity_coefficient, dtype=float)
    require_in("dense_value", dense, "[0, inf)")
    require_in("relative_density", relative, "(0, 1]")
    require_in("porosity_coefficient", b, "[0, inf)")
    return dense * np.exp(-b * (1.0 - relative))


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
    σ_ref ≥ 0 [MPa]; A_ref, A > 0 [cm²]; m > 0.
    """
    strength = np.asarray(strength_ref_mpa, dtype=float)
    area_ref = np.asarray(area_ref_cm2, dtype=float)
    area = np.asarray(area_cm2, dtype=float)
    m = np.asarray(weibull_modulus, dtype=float)
    require_in("strength_ref_mpa", strength, "[0, inf)")
    require_in("area_ref_cm2", area_ref, "(0, inf)")
    require_in("area_cm2", area, "(0, inf)")
    require_in("weibull_modulus", m, "(0, inf)")
    return strength * (area_ref / area) ** (1.0 / m)


def weibull_modulus(
    strength_1_mpa: ArrayLike,
    area_1_cm2: ArrayLike,
    strength_2_mpa: ArrayLike,
    area_2_cm2: ArrayLike,
) -> Array:
    """Weibull modulus from two (area, strength) pairs: m = ln(A2/A1) / ln(σ1/σ2).

    σ1, σ2 > 0 [MPa]; A1, A2 > 0 [cm²] and A2 ≠ A1. Equal strengths give m = inf (no size effect).
    """
    s1 = np.asarray(strength_1_mpa, dtype=float)
    a1 = np.asarray(area_1_cm2, dtype=float)
    s2 = np.asarray(strength_2_mpa, dtype=float)
    a2 = np.asarray(area_2_cm2, dtype=float)
    require_in("strength_1_mpa", s1, "(0, inf)")
    require_in("area_1_cm2", a1, "(0, inf)")
    require_in("strength_2_mpa", s2, "(0, inf)")
    require_in("area_2_cm2", a2, "(0, inf)")
    require("area_2_cm2", a2, "a value != area_1_cm2", a2 == a1)
    return np.log(a2 / a1) / np.log(s1 / s2)


def bending_moment_capacity_n_mm_per_mm(strength_mpa: ArrayLike, thickness_um: ArrayLike) -> Array:
    """Bending moment a plate carries per unit width, M/w = σ_f t²/6 (beam theory, physics notes §5).

    This, not σ_f, is why large thin sheets break in handling: capacity falls with t².
    strength_mpa: σ_f ≥ 0 [MPa = N/mm²]; thickness_um: t > 0 [µm]. Returns [N mm/mm].
    """
    strength = np.asarray(strength_mpa, dtype=float)
    thickness = np.asarray(thickness_um, dtype=float)
    require_in("strength_mpa", strength, "[0, inf)")
    require_in("thickness_um", thickness, "(0, inf)")
    return strength * (thickness * CM_PER_UM * 10.0) ** 2 / 6.0
