"""Short circuits beyond random pinholes: percolating pores, flaws opened by plated Li, and Li
protrusions through soft films.

`objectives.defects` gives a membrane of random, independent pores; a fully dense membrane there
never shorts. The literature says otherwise (thin-membrane fact sheet §3b-3c), and each mechanism
below is a separate hazard, an expected number of shorting events per membrane λ_i, so that
independent mechanisms add: P(short) = 1 − exp(−Σ λ_i) (Poisson, as in defects.py).

1. Percolating porosity. Li filaments grow through the connected pores of a solid-electrolyte
   pellet below a relative density of ~95 % and are suppressed above it ("Effect of
   solid-electrolyte pellet density on failure of solid-state batteries", escholarship.org/uc/item/
   3gg5c4qk, abstract: pores 0.2-2 µm). Above the percolation threshold of the pore phase
   (porosity P_c = 1 − ρ_c) the fraction of pore sites in the spanning cluster grows as
   (P − P_c)^β with β = 0.41 in three dimensions (percolation theory, e.g. Stauffer & Aharony,
   "Introduction to Percolation Theory"; the exponent is universal): of the A/d² sites of the
   membrane face, that fraction opens a through-path, λ = (A/d²) · ((P − P_c)/(1 − P_c))^β.
   Below the threshold the pores are isolated clusters and only the random pinholes of defects.py
   remain. The threshold ρ_c is a catalog value per family (short_circuit.csv).
2. Flaws opened by plated Li. Dense single crystals are penetrated from surface flaws once the
   current is high enough (Swamy et al., arXiv:1808.02105); the critical current falls as the
   Li | SE interfacial resistance rises (Flatscher et al., J. Mater. Chem. A 2020, c9ta14177d);
   contact loss focuses the current on the remaining contact (R ∝ A_contact^-1, arXiv:2501.00600;
   up to ~10⁴ at void edges, Raj et al., arXiv:2001.06276). The critical current of a sample is
   set by its largest interfacial defect, so it scatters from sample to sample as a Weibull
   distribution, at a smaller Weibull modulus than the strength's (Lowack, arXiv:2603.20113).
   ASSUMPTION: a measured (stepwise) CCD is the median failure current of a test cell of area
   A_test, so a membrane of area A at local current j_loc = j / contact fraction has
   λ = ln 2 · (A / A_test) · (j_loc / CCD)^m. m and A_test are catalog assumptions with ranges.
   The pressure Li exerts in a closed flaw at overpotential η, p = F·η / V_Li (the work of
   plating one mole against the pressure equals F·η), says how small an overpotential opens a
   flaw: 20 mV for a 150 MPa ceramic (`flaw_opening_overpotential_v`).
3. Plated capacity. A Li6PS5Cl cell shorts below its stepwise CCD once a threshold areal capacity
   has been plated in one step (ChemRxiv 2021, 61854810d828a4e42b6c7312, "The Role of Areal
   Capacity in Determining Short Circuiting of Sulfide-Based Solid-State Batteries"): λ = ln 2 ·
   (Q / Q_th)^m with the plated capacity Q of one charge. The abstract gives no threshold value, so
   the catalog carries none and the mechanism is not assessed until a row gives Q_th.
4. Protrusions through soft films. In PEO-based cells shorts ("voltage noise") are more likely
   at a smaller electrode distance and disappear with a spacer (Stolz et al., Mater. Adv. 2021;
   Homann et al., Sci. Rep. 2020: a thicker SPE removes the failure). ASSUMPTION: Li plated
   unevenly grows protrusions of height h = a · t_Li, with t_Li the thickness of the plated Li
   (1 mAh/cm² ≈ 4.85 µm, physics notes §7) and a catalog amplification a; a film of thickness L
   shorts when a protrusion spans it, λ = ln 2 · (h / L)^m. Thinner films short more.

Domains (checked, objectives.domain): densities in (0, 1]; thresholds in (0, 1); sizes, areas,
currents, capacities, moduli > 0 where they divide, ≥ 0 otherwise. NaN (unknown) propagates.
"""

import numpy as np
from numpy.typing import ArrayLike, NDArray

from objectives.constants import CM_PER_UM, FARADAY_C_PER_MOL, LITHIUM_MOLAR_MASS_G_PER_MOL
from objectives.domain import require_in

Array = NDArray[np.float64]

# 3-D percolation exponent of the spanning-cluster strength P_∞ ∝ (p − p_c)^β (universal;
# Stauffer & Aharony, Introduction to Percolation Theory)
PERCOLATION_BETA = 0.41
# Li metal density 0.534 g/cm³ (physics notes §6) -> molar volume V_Li = M/ρ = 12.996 cm³/mol
LITHIUM_MOLAR_VOLUME_CM3_PER_MOL = LITHIUM_MOLAR_MASS_G_PER_MOL / 0.534
# µm of Li metal per mAh/cm² plated: 3.6 C / F · V_Li = 4.849 µm (physics notes §7: ≈ 4.85 µm)
LITHIUM_UM_PER_MAH_PER_CM2 = 3.6 / FARADAY_C_PER_MOL * LITHIUM_MOLAR_VOLUME_CM3_PER_MOL / CM_PER_UM
LN2 = float(np.log(2.0))


def percolation_hazard(
    *,
    relative_density: ArrayLike,
    percolation_relative_density: ArrayLike,
    pore_size_um: ArrayLike,
    area_cm2: ArrayLike,
) -> Array:
    """Expected through-paths of a percolating pore network, λ = (A/d²)·((P − P_c)/(1 − P_c))^β
    above the threshold (P = 1 − ρ_rel > P_c = 1 − ρ_c), 0 at or below it.

    Worked number: ρ_c = 0.95, ρ_rel = 0.90, d = 3 µm, A = 1 cm²: (1.11e7 sites) ·
    (0.05/0.95)^0.41 = 3.35e6 paths (a short is certain); ρ_rel = 0.96: 0.
    ρ_rel in (0, 1]; ρ_c in (0, 1); d > 0 [µm]; A > 0 [cm²]. [count per membrane].
    """
    relative = np.asarray(relative_density, dtype=float)
    threshold = np.asarray(percolation_relative_density, dtype=float)
    d_um = np.asarray(pore_size_um, dtype=float)
    area = np.asarray(area_cm2, dtype=float)
    require_in("relative_density", relative, "(0, 1]")
    require_in("percolation_relative_density", threshold, "(0, 1)")
    require_in("pore_size_um", d_um, "(0, inf)")
    require_in("area_cm2", area, "(0, inf)")
    excess = np.maximum(threshold - relative, 0.0) / threshold  # (P − P_c)/(1 − P_c)
    sites = area / (d_um * CM_PER_UM) ** 2
    return sites * excess**PERCOLATION_BETA


def flaw_opening_overpotential_v(strength_mpa: ArrayLike) -> Array:
    """Overpotential at which Li plated into a closed flaw presses on it with the sheet's fracture
    stress: η = σ_f · V_Li / F (p = F η / V_Li). σ_f > 0 [MPa]. [V].

    Worked number: σ_f = 150 MPa -> 150e6 Pa · 12.996e-6 m³/mol / 96485 C/mol = 0.0202 V: a
    20 mV local overpotential, 2 mA/cm² through 10 Ω cm², can open a flaw in a 150 MPa ceramic.
    """
    strength = np.asarray(strength_mpa, dtype=float)
    require_in("strength_mpa", strength, "(0, inf)")
    return strength * 1e6 * LITHIUM_MOLAR_VOLUME_CM3_PER_MOL * 1e-6 / FARADAY_C_PER_MOL


def local_current_density_ma_per_cm2(
    current_density_ma_per_cm2: ArrayLike, contact_fraction: ArrayLike
) -> Array:
    """Current density on the contacting part of the interface, j / φ (contact loss focuses the
    current, R ∝ A_contact^-1, arXiv:2501.00600). j ≥ 0 [mA/cm²]; φ in (0, 1]. [mA/cm²]."""
    j = np.asarray(current_density_ma_per_cm2, dtype=float)
    phi = np.asarray(contact_fraction, dtype=float)
    require_in("current_density_ma_per_cm2", j, "[0, inf)")
    require_in("contact_fraction", phi, "(0, 1]")
    return j / phi


def flaw_penetration_hazard(
    *,
    current_density_ma_per_cm2: ArrayLike,
    ccd_ma_per_cm2: ArrayLike,
    weibull_modulus: ArrayLike,
    area_cm2: ArrayLike,
    test_area_cm2: ArrayLike,
) -> Array:
    """Weibull hazard of flaw-initiated Li penetration, λ = ln 2 · (A/A_test) · (j/CCD)^m: the
    measured CCD is the median failure current of a test cell of area A_test (ASSUMPTION, module
    docstring), the weakest of A/A_test such cells fails first.

    Worked number: j = 0.4, CCD = 0.5 mA/cm², m = 5, A = A_test: λ = 0.693 · 0.8⁵ = 0.227, P =
    0.20; at j = CCD, P = 0.5; P ≤ 0.01 needs j ≤ 0.43 · CCD.
    j ≥ 0, CCD > 0 [mA/cm²]; m > 0; A, A_test > 0 [cm²]. [count per membrane].
    """
    j = np.asarray(current_density_ma_per_cm2, dtype=float)
    ccd = np.asarray(ccd_ma_per_cm2, dtype=float)
    m = np.asarray(weibull_modulus, dtype=float)
    area = np.asarray(area_cm2, dtype=float)
    test_area = np.asarray(test_area_cm2, dtype=float)
    require_in("current_density_ma_per_cm2", j, "[0, inf)")
    require_in("ccd_ma_per_cm2", ccd, "(0, inf)")
    require_in("weibull_modulus", m, "(0, inf)")
    require_in("area_cm2", area, "(0, inf)")
    require_in("test_area_cm2", test_area, "(0, inf)")
    return LN2 * (area / test_area) * (j / ccd) ** m


def capacity_hazard(
    *,
    plated_capacity_mah_per_cm2: ArrayLike,
    threshold_capacity_mah_per_cm2: ArrayLike,
    weibull_modulus: ArrayLike,
) -> Array:
    """Hazard of a short once an areal capacity is plated in one step, λ = ln 2 · (Q/Q_th)^m (Q_th:
    the median threshold capacity; module docstring, mechanism 3).

    Worked number: Q = 4, Q_th = 8 mAh/cm², m = 5: λ = 0.693/32 = 0.0217, P = 0.021.
    Q ≥ 0, Q_th > 0 [mAh/cm²]; m > 0. [count per membrane].
    """
    q = np.asarray(plated_capacity_mah_per_cm2, dtype=float)
    q_th = np.asarray(threshold_capacity_mah_per_cm2, dtype=float)
    m = np.asarray(weibull_modulus, dtype=float)
    require_in("plated_capacity_mah_per_cm2", q, "[0, inf)")
    require_in("threshold_capacity_mah_per_cm2", q_th, "(0, inf)")
    require_in("weibull_modulus", m, "(0, inf)")
    return LN2 * (q / q_th) ** m


def plated_lithium_thickness_um(plated_capacity_mah_per_cm2: ArrayLike) -> Array:
    """Thickness of dense Li plated per charge, t_Li = Q · 4.849 µm per mAh/cm² (physics notes §7:
    ≈ 4.85). Q ≥ 0 [mAh/cm²]. [µm]. Worked number: 4 mAh/cm² -> 19.4 µm."""
    q = np.asarray(plated_capacity_mah_per_cm2, dtype=float)
    require_in("plated_capacity_mah_per_cm2", q, "[0, inf)")
    return q * LITHIUM_UM_PER_MAH_PER_CM2


def protrusion_hazard(
    *,
    plated_capacity_mah_per_cm2: ArrayLike,
    thickness_um: ArrayLike,
    amplification: ArrayLike,
    weibull_modulus: ArrayLike,
) -> Array:
    """Hazard of a Li protrusion spanning a soft film, λ = ln 2 · (a · t_Li / L)^m (ASSUMPTION,
    module docstring, mechanism 4). Thinner films short more.

    Worked number: 4 mAh/cm² (t_Li = 19.4 µm), a = 1, m = 5: L = 25 µm -> λ = 0.693 · 0.776⁵ =
    0.196 (P = 0.18); L = 100 µm -> λ = 1.9e-4.
    Q ≥ 0 [mAh/cm²]; L > 0 [µm]; a ≥ 0; m > 0. [count per membrane].
    """
    thickness = np.asarray(thickness_um, dtype=float)
    a = np.asarray(amplification, dtype=float)
    m = np.asarray(weibull_modulus, dtype=float)
    require_in("thickness_um", thickness, "(0, inf)")
    require_in("amplification", a, "[0, inf)")
    require_in("weibull_modulus", m, "(0, inf)")
    height = a * plated_lithium_thickness_um(plated_capacity_mah_per_cm2)
    return LN2 * (height / thickness) ** m


def short_probability(*hazards: ArrayLike) -> Array:
    """P(short) of independent mechanisms, 1 − exp(−Σ λ_i) (Poisson); each λ_i ≥ 0. [0-1]."""
    total = np.zeros(())
    for i, hazard in enumerate(hazards):
        lam = np.asarray(hazard, dtype=float)
        require_in(f"hazards[{i}]", lam, "[0, inf)")
        total = total + lam
    return -np.expm1(-total)
