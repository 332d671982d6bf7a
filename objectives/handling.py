"""Roll-to-roll handling of thin membranes: bending over rollers, web tension, binder in particle sheets.

A free-standing membrane is wound, unwound and guided over rollers; a brittle sheet breaks when the
bending or the web tension puts its surface above its fracture strength (thin-membrane fact sheet
§3d: "easy fracture during cell fabrication is the main obstacle" for thin sulfide SEs; physics
notes §5: 8.4 cm² tape-cast MgO-LLZO sheets too fragile to handle).

Bending (elastic beam / thin plate): a sheet of thickness t bent to radius R has the surface strain
ε = t/(2R) and the surface stress σ = E·t/(2R). It breaks when σ reaches σ_f, so the smallest radius
it survives is R_min = E·t/(2·σ_f): thinner and more compliant sheets bend further. The plate's
plane-strain factor 1/(1 − ν²) is neglected: it would raise σ, and so R_min, by less than 10 % for
ν ≤ 0.3. Worked numbers: LLZO-like E = 150 GPa, σ_f = 150 MPa (dense LLCZN: E ≈ 147.2 GPa,
flexural strength ≈ 150 MPa, Fu et al., "Mechanical Properties of Li7La2.75Ca0.25Zr1.75Nb0.25O12
Garnet Electrolyte—a Preliminary Study of a Porous Layer Support All-Solid State Battery",
ECS Meeting 232 (2017), https://ecs.confex.com/ecs/232/webprogram/Paper103854.html):
t = 20 µm -> R_min = 10 mm; t = 100 µm -> 50 mm.

Web tension: a web of thickness t carries σ_f·t per unit width before it breaks (uniaxial tension,
no bending). Worked number: 44 MPa × 38 µm = 1.672 N/mm.

Binder in a particle sheet (wet-coated sulfide sheets, dry PTFE-fibrillized sheets): the binder is
an insulating second phase. Conductivity factor σ_sheet/σ_SE = (1 − φ_b)^n, n = 1.5: the asymmetric
(differential) Bruggeman form for insulating spheres dispersed in a conducting host, the standard
insulating-inclusion form (the "Bruggeman exponent" of porous electrodes). Unlike the symmetric
Bruggeman of objectives.composites (physics notes §3), it keeps the SE phase continuous at every
φ_b < 1; n = 1 is the parallel (Wiener) upper bound. The fact sheet's data are qualitative checks
only: Li6PS5Cl with ≤ 5 wt% poly(isobutylene) has a conductivity "reasonably comparable" to the
pellet (Mills et al., fact sheet §4, CSV M006), and slurry-processed t-Li7SiPS8 sheets' density and
σ depend more on binder content than on particle size (fact sheet §3a, doi:10.1002/admi.202500845).
Voids that more binder brings (Mills et al.) are not modelled here; give them as porosity.

ASSUMPTION (sheet strength versus binder content): no source was found that gives the strength of
a sulfide particle sheet as a function of binder content. binder_sheet_strength_mpa is a linear
rule of mixtures between the particle compact's and the binder's tensile strengths, the simplest
(Voigt-type, optimistic) estimate. The only anchor is CSV M056 (Zhu et al., Adv. Funct. Mater.
2021, doi:10.1002/adfm.202101985): a Li6PS5Cl film on a cellulose skeleton, tensile 10.4 MPa, below
the skeleton alone (13.2 MPa) and far below the catalog's Li6PS5Cl pellet strength (50 MPa, the
lower end of the review's 50-100 MPa): the rule of mixtures overestimates such a sheet. It is a
separate function so that a caller can replace it.

Domains (checked, objectives.domain): moduli, thicknesses, radii and densities > 0; fracture
strengths > 0 where they divide, ≥ 0 otherwise; volume and mass fractions in [0, 1]; conductivity
exponent ≥ 1. NaN (unknown) propagates. Units: E [GPa], t [µm], σ [MPa], R [mm], tension [N/mm].
"""

import numpy as np
from numpy.typing import ArrayLike, NDArray

from objectives.domain import require_in

Array = NDArray[np.float64]

_MPA_PER_GPA = 1.0e3
_MM_PER_UM = 1.0e-3


def minimum_bending_radius_mm(
    youngs_modulus_gpa: ArrayLike, thickness_um: ArrayLike, strength_mpa: ArrayLike
) -> Array:
    """Smallest radius a brittle sheet can be bent to before its surface breaks, R_min = E·t/(2σ_f).

    Surface stress of an elastic sheet bent to radius R: σ = E·t/(2R); plane strain (1/(1 − ν²),
    < 10 % for ν ≤ 0.3) neglected. Worked numbers: E = 150 GPa, σ_f = 150 MPa: t = 20 µm -> 10 mm,
    t = 100 µm -> 50 mm; a polymer, E = 0.01 GPa, σ_f = 10 MPa, t = 25 µm -> 0.0125 mm.
    E > 0 [GPa]; t > 0 [µm]; σ_f > 0 [MPa]. Returns [mm].
    """
    modulus = np.asarray(youngs_modulus_gpa, dtype=float)
    thickness = np.asarray(thickness_um, dtype=float)
    strength = np.asarray(strength_mpa, dtype=float)
    require_in("youngs_modulus_gpa", modulus, "(0, inf)")
    require_in("thickness_um", thickness, "(0, inf)")
    require_in("strength_mpa", strength, "(0, inf)")
    return modulus * _MPA_PER_GPA * thickness * _MM_PER_UM / (2.0 * strength)


def bending_surface_stress_mpa(
    youngs_modulus_gpa: ArrayLike, thickness_um: ArrayLike, bending_radius_mm: ArrayLike
) -> Array:
    """Surface stress of a sheet bent over a roller of radius R, σ = E·t/(2R) (for reporting).

    Worked number: E = 150 GPa, t = 20 µm over a 10 mm roller -> 150 MPa; a flat sheet (R = inf) -> 0.
    E > 0 [GPa]; t > 0 [µm]; R > 0 [mm]. Returns [MPa].
    """
    modulus = np.asarray(youngs_modulus_gpa, dtype=float)
    thickness = np.asarray(thickness_um, dtype=float)
    radius = np.asarray(bending_radius_mm, dtype=float)
    require_in("youngs_modulus_gpa", modulus, "(0, inf)")
    require_in("thickness_um", thickness, "(0, inf)")
    require_in("bending_radius_mm", radius, "(0, inf)")
    return modulus * _MPA_PER_GPA * thickness * _MM_PER_UM / (2.0 * radius)


def bending_margin(roller_radius_mm: ArrayLike, minimum_bending_radius_mm: ArrayLike) -> Array:
    """Roller radius over the sheet's minimum bending radius, R_roller / R_min; passes when ≥ 1.

    Equals σ_f / σ at the roller. Worked number: a 20 µm LLZO sheet (R_min = 10 mm) over a 50 mm
    roller -> 5; over a 5 mm roller -> 0.5 (breaks). R_roller, R_min > 0 [mm]. [dimensionless].
    """
    roller = np.asarray(roller_radius_mm, dtype=float)
    minimum = np.asarray(minimum_bending_radius_mm, dtype=float)
    require_in("roller_radius_mm", roller, "(0, inf)")
    require_in("minimum_bending_radius_mm", minimum, "(0, inf)")
    return roller / minimum


def web_tension_capacity_n_per_mm(strength_mpa: ArrayLike, thickness_um: ArrayLike) -> Array:
    """Tension per unit width a web carries before it breaks, T/w = σ_f·t.

    MPa × µm = N/mm² × 1e-3 mm = 1e-3 N/mm. Worked number: 44 MPa × 38 µm = 1.672 N/mm.
    σ_f ≥ 0 [MPa]; t > 0 [µm]. Returns [N/mm].
    """
    strength = np.asarray(strength_mpa, dtype=float)
    thickness = np.asarray(thickness_um, dtype=float)
    require_in("strength_mpa", strength, "[0, inf)")
    require_in("thickness_um", thickness, "(0, inf)")
    return strength * thickness * _MM_PER_UM


def binder_volume_fraction(
    binder_mass_fraction: ArrayLike,
    binder_density_g_per_cm3: ArrayLike,
    solid_density_g_per_cm3: ArrayLike,
) -> Array:
    """Binder volume fraction of a dense sheet from its mass fraction, φ = (w/ρ_b) / (w/ρ_b + (1 − w)/ρ_s).

    Worked number: 5 wt% binder of density 1.0 g/cm³ in Li6PS5Cl (1.86 g/cm³) -> 0.0892.
    w in [0, 1]; ρ_b, ρ_s > 0 [g/cm³]. Returns [0-1].
    """
    mass = np.asarray(binder_mass_fraction, dtype=float)
    rho_binder = np.asarray(binder_density_g_per_cm3, dtype=float)
    rho_solid = np.asarray(solid_density_g_per_cm3, dtype=float)
    require_in("binder_mass_fraction", mass, "[0, 1]")
    require_in("binder_density_g_per_cm3", rho_binder, "(0, inf)")
    require_in("solid_density_g_per_cm3", rho_solid, "(0, inf)")
    binder = mass / rho_binder
    return binder / (binder + (1.0 - mass) / rho_solid)


def binder_sheet_conductivity_factor(
    binder_volume_fraction: ArrayLike, exponent: ArrayLike = 1.5
) -> Array:
    """Conductivity of a binder-bound particle sheet over the binder-free SE's, (1 − φ_b)^n.

    Asymmetric Bruggeman form for an insulating dispersed phase, n = 1.5 (n = 1: parallel bound).
    Worked numbers: φ_b = 0.05 -> 0.926; φ_b = 0.2 -> 0.716.
    φ_b in [0, 1]; n ≥ 1. Returns [dimensionless].
    """
    phi = np.asarray(binder_volume_fraction, dtype=float)
    n = np.asarray(exponent, dtype=float)
    require_in("binder_volume_fraction", phi, "[0, 1]")
    require_in("exponent", n, "[1, inf)")
    return (1.0 - phi) ** n


def binder_sheet_strength_mpa(
    strength_particle_compact_mpa: ArrayLike,
    strength_binder_mpa: ArrayLike,
    binder_volume_fraction: ArrayLike,
) -> Array:
    """ASSUMPTION: sheet strength as a linear rule of mixtures, σ = (1 − φ_b)·σ_compact + φ_b·σ_binder.

    No source gives sulfide-sheet strength versus binder content (module docstring); the only
    anchor, CSV M056 (10.4 MPa cellulose-supported Li6PS5Cl film vs 50 MPa pellet), lies below this
    estimate. Worked number: σ_compact = 50 MPa, σ_binder = 10 MPa, φ_b = 0.2 -> 42 MPa.
    σ_compact, σ_binder ≥ 0 [MPa]; φ_b in [0, 1]. Returns [MPa].
    """
    compact = np.asarray(strength_particle_compact_mpa, dtype=float)
    binder = np.asarray(strength_binder_mpa, dtype=float)
    phi = np.asarray(binder_volume_fraction, dtype=float)
    require_in("strength_particle_compact_mpa", compact, "[0, inf)")
    require_in("strength_binder_mpa", binder, "[0, inf)")
    require_in("binder_volume_fraction", phi, "[0, 1]")
    return (1.0 - phi) * compact + phi * binder
