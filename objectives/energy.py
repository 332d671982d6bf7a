"""Stack-level energy density of an NMC811 | SSE | Li-metal cell, every layer explicit.

Review: E = C·V / ρ_cell. Physics notes §7 make it per unit area:
E_g = Q_A V / Σ m_A,i   and   E_v = Q_A V / Σ L_i
over Al collector, cathode composite, SSE separator, Li metal and Cu collector. With Q_A in
[mAh/cm²], V in [V], masses in [g/cm²] and thicknesses in [cm]: mWh/g = Wh/kg and mWh/cm³ = Wh/L.
Collectors shared by two cells (double-sided or bipolar stacks) count with a share < 1.
"""

from typing import TypedDict

import numpy as np
from numpy.typing import ArrayLike, NDArray

from objectives.constants import CM_PER_UM, LITHIUM_SPECIFIC_CAPACITY_MAH_PER_G

Array = NDArray[np.float64]


class StackEnergy(TypedDict):
    gravimetric_wh_per_kg: Array
    volumetric_wh_per_l: Array
    stack_areal_mass_g_per_cm2: Array
    stack_thickness_um: Array
    sse_mass_fraction: Array


def layer_areal_mass_g_per_cm2(
    thickness_um: ArrayLike, density_g_per_cm3: ArrayLike, relative_density: ArrayLike = 1.0
) -> Array:
    """Areal mass of a layer m_A = ρ_true · ρ_rel · L (physics notes §6). [g/cm²]."""
    return (
        np.asarray(density_g_per_cm3, dtype=float)
        * np.asarray(relative_density, dtype=float)
        * np.asarray(thickness_um, dtype=float)
        * CM_PER_UM
    )


def cathode_areal_mass_g_per_cm2(
    areal_capacity_mah_per_cm2: ArrayLike,
    active_specific_capacity_mah_per_g: ArrayLike,
    active_mass_fraction: ArrayLike,
) -> Array:
    """Cathode composite areal mass m = Q_A / (q_CAM · w_CAM). [g/cm²]."""
    return np.asarray(areal_capacity_mah_per_cm2, dtype=float) / (
        np.asarray(active_specific_capacity_mah_per_g, dtype=float)
        * np.asarray(active_mass_fraction, dtype=float)
    )


def cathode_thickness_um(
    cathode_areal_mass_g_per_cm2: ArrayLike,
    composite_solid_density_g_per_cm3: ArrayLike,
    porosity: ArrayLike,
) -> Array:
    """Cathode thickness L = m / (ρ_solid (1 − P)). [µm]."""
    return (
        np.asarray(cathode_areal_mass_g_per_cm2, dtype=float)
        / (
            np.asarray(composite_solid_density_g_per_cm3, dtype=float)
            * (1.0 - np.asarray(porosity, dtype=float))
        )
        / CM_PER_UM
    )


def lithium_thickness_um(
    areal_capacity_mah_per_cm2: ArrayLike,
    lithium_capacity_ratio: ArrayLike,
    lithium_density_g_per_cm3: ArrayLike = 0.534,
) -> Array:
    """Li-metal foil thickness holding ratio × Q_A of lithium, L = r Q_A / (q_Li ρ_Li). [µm].

    q_Li = F/M_Li = 3862 mAh/g. Worked number (physics notes §7): 1 mAh/cm² ≈ 4.85 µm at 0.534 g/cm³.
    Ratio 0 is anode-free; ratio 1 is "1x excess" Li equal to the cathode capacity.
    """
    return (
        np.asarray(areal_capacity_mah_per_cm2, dtype=float)
        * np.asarray(lithium_capacity_ratio, dtype=float)
        / (LITHIUM_SPECIFIC_CAPACITY_MAH_PER_G * np.asarray(lithium_density_g_per_cm3, dtype=float))
        / CM_PER_UM
    )


def stack_energy_density(
    sse_thickness_um: ArrayLike,
    *,
    sse_density_g_per_cm3: ArrayLike,
    sse_relative_density: ArrayLike,
    areal_capacity_mah_per_cm2: ArrayLike,
    average_voltage_v: ArrayLike,
    active_specific_capacity_mah_per_g: ArrayLike,
    active_mass_fraction: ArrayLike,
    cathode_solid_density_g_per_cm3: ArrayLike,
    cathode_porosity: ArrayLike,
    lithium_capacity_ratio: ArrayLike,
    al_thickness_um: ArrayLike,
    cu_thickness_um: ArrayLike,
    al_density_g_per_cm3: ArrayLike = 2.70,
    cu_density_g_per_cm3: ArrayLike = 8.96,
    lithium_density_g_per_cm3: ArrayLike = 0.534,
    collector_share: ArrayLike = 1.0,
) -> StackEnergy:
    """Gravimetric [Wh/kg] and volumetric [Wh/L] energy density of one Al|cathode|SSE|Li|Cu stack.

    collector_share: fraction of each collector counted for this cell (0.5 in double-sided stacks).
    Every argument after the separator thickness is a keyword: many share a unit (µm, g/cm³).
    """
    share = np.asarray(collector_share, dtype=float)
    cathode_mass = cathode_areal_mass_g_per_cm2(
        areal_capacity_mah_per_cm2, active_specific_capacity_mah_per_g, active_mass_fraction
    )
    cathode_um = cathode_thickness_um(
        cathode_mass, cathode_solid_density_g_per_cm3, cathode_porosity
    )
    lithium_um = lithium_thickness_um(
        areal_capacity_mah_per_cm2, lithium_capacity_ratio, lithium_density_g_per_cm3
    )
    sse_mass = layer_areal_mass_g_per_cm2(
        sse_thickness_um, sse_density_g_per_cm3, sse_relative_density
    )
    collector_mass = share * (
        layer_areal_mass_g_per_cm2(al_thickness_um, al_density_g_per_cm3)
        + layer_areal_mass_g_per_cm2(cu_thickness_um, cu_density_g_per_cm3)
    )
    mass = (
        cathode_mass
        + sse_mass
        + layer_areal_mass_g_per_cm2(lithium_um, lithium_density_g_per_cm3)
        + collector_mass
    )
    thickness = (
        cathode_um
        + np.asarray(sse_thickness_um, dtype=float)
        + lithium_um
        + share
        * (np.asarray(al_thickness_um, dtype=float) + np.asarray(cu_thickness_um, dtype=float))
    )
    energy_mwh_per_cm2 = np.asarray(areal_capacity_mah_per_cm2, dtype=float) * np.asarray(
        average_voltage_v, dtype=float
    )
    return StackEnergy(
        gravimetric_wh_per_kg=energy_mwh_per_cm2 / mass,
        volumetric_wh_per_l=energy_mwh_per_cm2 / (thickness * CM_PER_UM),
        stack_areal_mass_g_per_cm2=mass,
        stack_thickness_um=thickness,
        sse_mass_fraction=sse_mass / mass,
    )
