"""Stack-level energy density of an NMC811 | SSE | Li-metal cell, every layer explicit.

Review: E = C·V / ρ_cell. Physics notes §7 make it per unit area:
E_g = Q_A V / Σ m_A,i   and   E_v = Q_A V / Σ L_i
over Al collector, cathode composite, SSE separator, Li metal and Cu collector. With Q_A in
[mAh/cm²], V in [V], masses in [g/cm²] and thicknesses in [cm]: mWh/g = Wh/kg and mWh/cm³ = Wh/L.
Collectors shared by two cells (double-sided or bipolar stacks) count with a share < 1.

Domains (checked, objectives.domain): layer thicknesses ≥ 0 (0 is an absent layer, e.g. anode-free
Li) and the separator's > 0 [µm]; densities, specific capacities > 0; relative density in (0, 1];
porosity in [0, 1); mass fractions in (0, 1]; capacities, voltages, Li ratios ≥ 0; collector share
in [0, 1]. NaN (unknown, e.g. a material without a density) propagates.
"""

from typing import NamedTuple, TypedDict

import numpy as np
from numpy.typing import ArrayLike, NDArray

from objectives.constants import CM_PER_UM, LITHIUM_SPECIFIC_CAPACITY_MAH_PER_G
from objectives.domain import require_in

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
    """Areal mass of a layer m_A = ρ_true · ρ_rel · L (physics notes §6). [g/cm²].

    L ≥ 0 [µm]; ρ_true > 0 [g/cm³]; ρ_rel in (0, 1].
    """
    thickness = np.asarray(thickness_um, dtype=float)
    density = np.asarray(density_g_per_cm3, dtype=float)
    relative = np.asarray(relative_density, dtype=float)
    require_in("thickness_um", thickness, "[0, inf)")
    require_in("density_g_per_cm3", density, "(0, inf)")
    require_in("relative_density", relative, "(0, 1]")
    return _areal_mass(thickness, density, relative)


def _areal_mass(thickness_um: ArrayLike, density: ArrayLike, relative_density: ArrayLike) -> Array:
    """ρ_true · ρ_rel · L [g/cm²] of arguments already checked (the stack's, checked once)."""
    return (
        np.asarray(density, dtype=float)
        * np.asarray(relative_density, dtype=float)
        * np.asarray(thickness_um, dtype=float)
        * CM_PER_UM
    )


def cathode_areal_mass_g_per_cm2(
    areal_capacity_mah_per_cm2: ArrayLike,
    active_specific_capacity_mah_per_g: ArrayLike,
    active_mass_fraction: ArrayLike,
) -> Array:
    """Cathode composite areal mass m = Q_A / (q_CAM · w_CAM). [g/cm²].

    Q_A ≥ 0 [mAh/cm²]; q_CAM > 0 [mAh/g]; w_CAM in (0, 1].
    """
    capacity = np.asarray(areal_capacity_mah_per_cm2, dtype=float)
    specific = np.asarray(active_specific_capacity_mah_per_g, dtype=float)
    fraction = np.asarray(active_mass_fraction, dtype=float)
    require_in("areal_capacity_mah_per_cm2", capacity, "[0, inf)")
    require_in("active_specific_capacity_mah_per_g", specific, "(0, inf)")
    require_in("active_mass_fraction", fraction, "(0, 1]")
    return capacity / (specific * fraction)


def cathode_thickness_um(
    cathode_areal_mass_g_per_cm2: ArrayLike,
    composite_solid_density_g_per_cm3: ArrayLike,
    porosity: ArrayLike,
) -> Array:
    """Cathode thickness L = m / (ρ_solid (1 − P)). [µm].

    m ≥ 0 [g/cm²]; ρ_solid > 0 [g/cm³]; P in [0, 1).
    """
    mass = np.asarray(cathode_areal_mass_g_per_cm2, dtype=float)
    solid_density = np.asarray(composite_solid_density_g_per_cm3, dtype=float)
    pores = np.asarray(porosity, dtype=float)
    require_in("cathode_areal_mass_g_per_cm2", mass, "[0, inf)")
    require_in("composite_solid_density_g_per_cm3", solid_density, "(0, inf)")
    require_in("porosity", pores, "[0, 1)")
    return mass / (solid_density * (1.0 - pores)) / CM_PER_UM


def lithium_thickness_um(
    areal_capacity_mah_per_cm2: ArrayLike,
    lithium_capacity_ratio: ArrayLike,
    lithium_density_g_per_cm3: ArrayLike = 0.534,
) -> Array:
    """Li-metal foil thickness holding ratio × Q_A of lithium, L = r Q_A / (q_Li ρ_Li). [µm].

    q_Li = F/M_Li = 3862 mAh/g. Worked number (physics notes §7): 1 mAh/cm² ≈ 4.85 µm at 0.534 g/cm³.
    Ratio 0 is anode-free; ratio 1 is "1x excess" Li equal to the cathode capacity.
    Q_A ≥ 0 [mAh/cm²]; r ≥ 0; ρ_Li > 0 [g/cm³].
    """
    capacity = np.asarray(areal_capacity_mah_per_cm2, dtype=float)
    ratio = np.asarray(lithium_capacity_ratio, dtype=float)
    density = np.asarray(lithium_density_g_per_cm3, dtype=float)
    require_in("areal_capacity_mah_per_cm2", capacity, "[0, inf)")
    require_in("lithium_capacity_ratio", ratio, "[0, inf)")
    require_in("lithium_density_g_per_cm3", density, "(0, inf)")
    return capacity * ratio / (LITHIUM_SPECIFIC_CAPACITY_MAH_PER_G * density) / CM_PER_UM


class CellLayers(NamedTuple):
    """The stack's layers besides the separator, per cm² of cell, checked: what a population of
    separators shares (an evaluator computes it once, not once per batch: each check of a scalar
    argument costs a few µs, measured in bench-physics). [g/cm², µm, mWh/cm²]."""

    cathode_mass_g_per_cm2: Array
    lithium_mass_g_per_cm2: Array
    collector_mass_g_per_cm2: Array
    cathode_um: Array
    lithium_um: Array
    collector_um: Array
    energy_mwh_per_cm2: Array


def cell_layers(
    *,
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
) -> CellLayers:
    """Al collector, cathode, Li and Cu collector of the stack (stack_energy_density's arguments
    after the separator's; collector_share: the fraction of each collector counted for this cell)."""
    share = np.asarray(collector_share, dtype=float)
    for name, value, interval in (
        ("areal_capacity_mah_per_cm2", areal_capacity_mah_per_cm2, "[0, inf)"),
        ("average_voltage_v", average_voltage_v, "[0, inf)"),
        ("active_specific_capacity_mah_per_g", active_specific_capacity_mah_per_g, "(0, inf)"),
        ("active_mass_fraction", active_mass_fraction, "(0, 1]"),
        ("cathode_solid_density_g_per_cm3", cathode_solid_density_g_per_cm3, "(0, inf)"),
        ("cathode_porosity", cathode_porosity, "[0, 1)"),
        ("lithium_capacity_ratio", lithium_capacity_ratio, "[0, inf)"),
        ("al_thickness_um", al_thickness_um, "[0, inf)"),
        ("cu_thickness_um", cu_thickness_um, "[0, inf)"),
        ("al_density_g_per_cm3", al_density_g_per_cm3, "(0, inf)"),
        ("cu_density_g_per_cm3", cu_density_g_per_cm3, "(0, inf)"),
        ("lithium_density_g_per_cm3", lithium_density_g_per_cm3, "(0, inf)"),
        ("collector_share", share, "[0, 1]"),
    ):
        require_in(name, value, interval)
    cathode_mass = cathode_areal_mass_g_per_cm2(
        areal_capacity_mah_per_cm2, active_specific_capacity_mah_per_g, active_mass_fraction
    )
    lithium_um = lithium_thickness_um(
        areal_capacity_mah_per_cm2, lithium_capacity_ratio, lithium_density_g_per_cm3
    )
    return CellLayers(
        cathode_mass_g_per_cm2=cathode_mass,
        lithium_mass_g_per_cm2=_areal_mass(lithium_um, lithium_density_g_per_cm3, 1.0),
        collector_mass_g_per_cm2=share
        * (
            _areal_mass(al_thickness_um, al_density_g_per_cm3, 1.0)
            + _areal_mass(cu_thickness_um, cu_density_g_per_cm3, 1.0)
        ),
        cathode_um=cathode_thickness_um(
            cathode_mass, cathode_solid_density_g_per_cm3, cathode_porosity
        ),
        lithium_um=lithium_um,
        collector_um=share
        * (np.asarray(al_thickness_um, dtype=float) + np.asarray(cu_thickness_um, dtype=float)),
        energy_mwh_per_cm2=np.asarray(areal_capacity_mah_per_cm2, dtype=float)
        * np.asarray(average_voltage_v, dtype=float),
    )


def stack_with_separator(
    cell: CellLayers,
    sse_thickness_um: ArrayLike,
    *,
    sse_density_g_per_cm3: ArrayLike,
    sse_relative_density: ArrayLike,
) -> StackEnergy:
    """Gravimetric [Wh/kg] and volumetric [Wh/L] energy density of the cell's stack with this
    separator: E_g = Q_A V / Σ m_A,i, E_v = Q_A V / Σ L_i (the layers summed in stack order)."""
    sse_um = np.asarray(sse_thickness_um, dtype=float)
    require_in("sse_thickness_um", sse_um, "(0, inf)")
    require_in("sse_density_g_per_cm3", sse_density_g_per_cm3, "(0, inf)")
    require_in("sse_relative_density", sse_relative_density, "(0, 1]")
    sse_mass = _areal_mass(sse_um, sse_density_g_per_cm3, sse_relative_density)
    mass = (
        cell.cathode_mass_g_per_cm2
        + sse_mass
        + cell.lithium_mass_g_per_cm2
        + cell.collector_mass_g_per_cm2
    )
    thickness = cell.cathode_um + sse_um + cell.lithium_um + cell.collector_um
    return StackEnergy(
        gravimetric_wh_per_kg=cell.energy_mwh_per_cm2 / mass,
        volumetric_wh_per_l=cell.energy_mwh_per_cm2 / (thickness * CM_PER_UM),
        stack_areal_mass_g_per_cm2=mass,
        stack_thickness_um=thickness,
        sse_mass_fraction=sse_mass / mass,
    )


def stack_energy_density(
    sse_thickness_um: ArrayLike,
    *,
    sse_density_g_per_cm3: ArrayLike,
    sse_relative_density: ArrayLike,
    **cell: ArrayLike,
) -> StackEnergy:
    """Gravimetric [Wh/kg] and volumetric [Wh/L] energy density of one Al|cathode|SSE|Li|Cu stack:
    stack_with_separator(cell_layers(**cell), ...). Every argument after the separator thickness
    is a keyword (cell_layers names the cell's): many share a unit (µm, g/cm³). Domain: the
    module's table; each argument is checked once, under its own name."""
    return stack_with_separator(
        cell_layers(**cell),
        sse_thickness_um,
        sse_density_g_per_cm3=sse_density_g_per_cm3,
        sse_relative_density=sse_relative_density,
    )
