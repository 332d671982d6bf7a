"""Effective conductivity of two-phase (and core–shell) composite electrolytes.

The review writes σ_eff = φ σ_filler + (1 − φ) σ_polymer; physics notes §3: that is the parallel
(Wiener) upper bound, right only for aligned continuous ceramic paths. For dispersed particles use
Maxwell-Garnett (dilute spheres) or symmetric Bruggeman (percolation at φ = 1/3); the series form is
the lower bound. All four are standard effective-medium formulas (no separate primary citation was
retrieved, physics notes §3). For every φ: series ≤ Maxwell-Garnett, Bruggeman ≤ parallel.

Every function takes the filler fraction first and the phases' conductivities (and sizes) by
keyword: a filler and a matrix conductivity, both in S/cm, swapped by position would go unnoticed.
Domains (checked, objectives.domain): filler fraction φ in [0, 1]; conductivities ≥ 0 [S/cm];
particle radius > 0 and shell thickness ≥ 0 [nm]. NaN (unknown) propagates.

The core–shell option models the space-charge interphase around ceramic fillers in a polymer
(Li Z. et al., ACS AMI 11, 784 (2019), doi:10.1021/acsami.8b17279: ~3 nm around Ga-LLZO in PEO).
"""

import numpy as np
from numpy.typing import ArrayLike, NDArray

from objectives.domain import require_in

Array = NDArray[np.float64]


def _phases(
    filler_fraction: ArrayLike, sigma_filler_s_per_cm: ArrayLike, sigma_matrix_s_per_cm: ArrayLike
) -> tuple[Array, Array, Array]:
    """φ, σ_f, σ_m as float arrays, checked: φ in [0, 1], σ ≥ 0."""
    phi = np.asarray(filler_fraction, dtype=float)
    sf = np.asarray(sigma_filler_s_per_cm, dtype=float)
    sm = np.asarray(sigma_matrix_s_per_cm, dtype=float)
    require_in("filler_fraction", phi, "[0, 1]")
    require_in("sigma_filler_s_per_cm", sf, "[0, inf)")
    require_in("sigma_matrix_s_per_cm", sm, "[0, inf)")
    return phi, sf, sm


def parallel_s_per_cm(
    filler_fraction: ArrayLike,
    *,
    sigma_filler_s_per_cm: ArrayLike,
    sigma_matrix_s_per_cm: ArrayLike,
) -> Array:
    """Parallel (Wiener upper) bound: σ = φ σ_f + (1 − φ) σ_m — the review's mixing rule. [S/cm].

    φ in [0, 1]; σ_f, σ_m ≥ 0 [S/cm].
    """
    phi, sf, sm = _phases(filler_fraction, sigma_filler_s_per_cm, sigma_matrix_s_per_cm)
    return phi * sf + (1.0 - phi) * sm


def series_s_per_cm(
    filler_fraction: ArrayLike,
    *,
    sigma_filler_s_per_cm: ArrayLike,
    sigma_matrix_s_per_cm: ArrayLike,
) -> Array:
    """Series (Wiener lower) bound: 1/σ = φ/σ_f + (1 − φ)/σ_m. [S/cm]. Zero if a present phase is 0.

    φ in [0, 1]; σ_f, σ_m ≥ 0 [S/cm].
    """
    phi, sf, sm = _phases(filler_fraction, sigma_filler_s_per_cm, sigma_matrix_s_per_cm)
    with np.errstate(divide="ignore"):
        # an absent phase adds nothing (even at σ = 0); written so that an unknown φ gives NaN
        resistivity = np.where(phi <= 0, 0.0, phi / sf) + np.where(phi >= 1, 0.0, (1.0 - phi) / sm)
        return 1.0 / resistivity


def maxwell_garnett_s_per_cm(
    filler_fraction: ArrayLike,
    *,
    sigma_filler_s_per_cm: ArrayLike,
    sigma_matrix_s_per_cm: ArrayLike,
) -> Array:
    """Maxwell-Garnett for spheres of σ_f dispersed in a matrix σ_m (physics notes §3):

    σ = σ_m [σ_f + 2σ_m + 2φ(σ_f − σ_m)] / [σ_f + 2σ_m − φ(σ_f − σ_m)]. [S/cm].
    Equals the Hashin–Shtrikman bound with the matrix as host; exact to first order in φ.
    φ in [0, 1]; σ_f, σ_m ≥ 0 [S/cm].
    """
    return _maxwell_garnett(*_phases(filler_fraction, sigma_filler_s_per_cm, sigma_matrix_s_per_cm))


def _maxwell_garnett(phi: Array, sf: Array, sm: Array) -> Array:
    diff = sf - sm
    return sm * (sf + 2.0 * sm + 2.0 * phi * diff) / (sf + 2.0 * sm - phi * diff)


def bruggeman_s_per_cm(
    filler_fraction: ArrayLike,
    *,
    sigma_filler_s_per_cm: ArrayLike,
    sigma_matrix_s_per_cm: ArrayLike,
) -> Array:
    """Symmetric Bruggeman for spheres (physics notes §3), solved in closed form:

    φ(σ_f − s)/(σ_f + 2s) + (1 − φ)(σ_m − s)/(σ_m + 2s) = 0
    <=> 2s² − b s − σ_f σ_m = 0 with b = (3φ − 1)σ_f + (2 − 3φ)σ_m, s = [b + √(b² + 8σ_fσ_m)]/4.
    With an insulating matrix it percolates at φ = 1/3. φ in [0, 1]; σ_f, σ_m ≥ 0 [S/cm].
    """
    return _bruggeman(*_phases(filler_fraction, sigma_filler_s_per_cm, sigma_matrix_s_per_cm))


def _bruggeman(phi: Array, sf: Array, sm: Array) -> Array:
    b = (3.0 * phi - 1.0) * sf + (2.0 - 3.0 * phi) * sm
    return (b + np.sqrt(b * b + 8.0 * sf * sm)) / 4.0


def shell_volume_fraction(
    filler_fraction: ArrayLike, *, particle_radius_nm: ArrayLike, shell_thickness_nm: ArrayLike
) -> Array:
    """Interphase shell volume φ_sh = φ[(1 + λ/r)³ − 1] (physics notes §3), capped at 1 − φ.

    The cap is where shells fill the whole matrix (overlapping shells are not double counted).
    φ in [0, 1]; particle radius r > 0 and shell thickness λ ≥ 0 [nm].
    """
    phi = np.asarray(filler_fraction, dtype=float)
    radius = np.asarray(particle_radius_nm, dtype=float)
    shell = np.asarray(shell_thickness_nm, dtype=float)
    require_in("filler_fraction", phi, "[0, 1]")
    require_in("particle_radius_nm", radius, "(0, inf)")
    require_in("shell_thickness_nm", shell, "[0, inf)")
    ratio = 1.0 + shell / radius
    return np.minimum(phi * (ratio**3 - 1.0), 1.0 - phi)


def core_shell_s_per_cm(
    filler_fraction: ArrayLike,
    *,
    sigma_filler_s_per_cm: ArrayLike,
    sigma_matrix_s_per_cm: ArrayLike,
    sigma_interphase_s_per_cm: ArrayLike,
    particle_radius_nm: ArrayLike,
    shell_thickness_nm: ArrayLike,
) -> Array:
    """Ceramic-in-polymer composite with a conductive interphase shell around every particle.

    1. Each coated particle (core σ_f, shell σ_int, core share f = φ/(φ + φ_sh)) is homogenized
       by Maxwell-Garnett with the shell as host (the exact coated-sphere result);
    2. coated particles (volume φ + φ_sh) and matrix are mixed by symmetric Bruggeman, so the
       shells percolate once coated particles reach 1/3 of the volume.
    The enhancement is bounded by construction: the result lies between the series and parallel
    bounds of the three phases, and equals Bruggeman(φ, σ_f, σ_m) when λ = 0 (bounded enhancement,
    physics notes §3: inert SiO₂ can even lower σ, arXiv:2312.05681). [S/cm].
    φ in [0, 1]; σ_f, σ_m, σ_int ≥ 0 [S/cm]; r > 0 and λ ≥ 0 [nm].
    """
    phi, sf, sm = _phases(filler_fraction, sigma_filler_s_per_cm, sigma_matrix_s_per_cm)
    s_int = np.asarray(sigma_interphase_s_per_cm, dtype=float)
    require_in("sigma_interphase_s_per_cm", s_int, "[0, inf)")
    phi_shell = shell_volume_fraction(
        phi, particle_radius_nm=particle_radius_nm, shell_thickness_nm=shell_thickness_nm
    )
    coated = phi + phi_shell
    core_share = np.divide(phi, coated, out=np.ones_like(coated), where=coated > 0)
    # both fractions lie in [0, 1] by construction: the checked inputs go to the formulas directly
    sigma_coated = _maxwell_garnett(core_share, sf, s_int)  # the shell is the host of its core
    return _bruggeman(coated, sigma_coated, sm)
