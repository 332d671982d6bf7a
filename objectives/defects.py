"""Through-thickness defects: why a thinner membrane of the same density shorts more often.

No dataset of pinhole density or short-circuit rate versus SSE thickness was found (thin-membrane
fact sheet §3b, "not found"); what the literature does establish is that Li penetrates along
connected pores, flaws and internal interfaces (Westover et al., ACS Energy Lett.: Li plates along
a LiPON-LiPON interface while pore-free LiPON stops it; Swamy et al. arXiv:1808.02105: penetration
starts at surface flaws; Shen et al.: pore connectivity in sintered LLZO governs shorting). So the
short-circuit risk is modelled, not fitted (fact sheet §6 asks for exactly this):

ASSUMPTION (layered random pores, the classic coating-pinhole argument): a membrane of thickness L
made from particles or grains of size d is L/d stacked layers; each layer is open at a site with
probability equal to its porosity P = 1 − ρ_rel, independently of the others; a through-defect needs
an open site in every layer, probability P^(L/d); a membrane of area A holds A/d² sites. The expected
number of through-defects is λ = (A/d²) · P^(L/d), and with Poisson statistics the probability that a
membrane has at least one is 1 − exp(−λ). The model has no free constant beyond d (a per-process
size, sourced or marked as an assumption in the catalog), and it gives the review's trade-off:
halving L squares the per-site probability; lower density or coarser particles move the threshold
thickness L* ≈ d · ln(A/d²) / ln(1/P) up.
Worked number: d = 1 µm, A = 1 cm² (10⁸ sites), ρ_rel = 0.97: L = 10 µm gives λ = 10⁸·0.03¹⁰ ≈
5.9e-8; L = 3 µm gives λ = 10⁸·0.03³ = 2700 (a short is certain).

Domains (checked, objectives.domain): relative density in (0, 1]; thickness, grain size and area
> 0; expected defect counts ≥ 0. NaN (unknown, e.g. a process without a defect size) propagates.
"""

import numpy as np
from numpy.typing import ArrayLike, NDArray

from objectives.constants import CM_PER_UM
from objectives.domain import require_in

Array = NDArray[np.float64]


def through_defects_per_membrane(
    *,
    relative_density: ArrayLike,
    thickness_um: ArrayLike,
    grain_size_um: ArrayLike,
    area_cm2: ArrayLike,
) -> Array:
    """Expected number of through-thickness open paths, λ = (A/d²) · P^(L/d), P = 1 − ρ_rel.

    Fully dense (ρ_rel = 1) gives 0. ρ_rel in (0, 1]; L, d > 0 [µm]; A > 0 [cm²].
    [count per membrane].
    """
    relative = np.asarray(relative_density, dtype=float)
    thickness = np.asarray(thickness_um, dtype=float)
    d_um = np.asarray(grain_size_um, dtype=float)
    area = np.asarray(area_cm2, dtype=float)
    require_in("relative_density", relative, "(0, 1]")
    require_in("thickness_um", thickness, "(0, inf)")
    require_in("grain_size_um", d_um, "(0, inf)")
    require_in("area_cm2", area, "(0, inf)")
    porosity = 1.0 - relative
    sites = area / (d_um * CM_PER_UM) ** 2
    layers = thickness / d_um
    with np.errstate(divide="ignore"):  # log(0) = -inf: a dense membrane has no open path
        log_lambda = np.log(sites) + layers * np.log(porosity)
    return np.exp(log_lambda)


def short_circuit_probability(expected_defects: ArrayLike) -> Array:
    """Probability of at least one through-defect, 1 − exp(−λ) (Poisson), λ ≥ 0. [0-1]."""
    expected = np.asarray(expected_defects, dtype=float)
    require_in("expected_defects", expected, "[0, inf)")
    return -np.expm1(-expected)


def threshold_thickness_um(
    *, relative_density: ArrayLike, grain_size_um: ArrayLike, area_cm2: ArrayLike
) -> Array:
    """Thickness at which λ = 1: L* = d · ln(A/d²) / ln(1/P). Thinner than this, a short is likely.

    Worked number: d = 5 µm (cold-pressed powder), A = 1 cm², ρ_rel = 0.85 -> L* ≈ 40 µm.
    ρ_rel in (0, 1]; d > 0 [µm]; A > 0 [cm²].
    """
    relative = np.asarray(relative_density, dtype=float)
    d_um = np.asarray(grain_size_um, dtype=float)
    area = np.asarray(area_cm2, dtype=float)
    require_in("relative_density", relative, "(0, 1]")
    require_in("grain_size_um", d_um, "(0, inf)")
    require_in("area_cm2", area, "(0, inf)")
    porosity = 1.0 - relative
    sites = area / (d_um * CM_PER_UM) ** 2
    with np.errstate(divide="ignore"):
        return d_um * np.log(sites) / -np.log(porosity)
