import numpy as np
import pytest

from objectives import energy
from objectives.constants import LITHIUM_SPECIFIC_CAPACITY_MAH_PER_G
from tests.objectives.guards import assert_domain, cases

CELL = dict(
    areal_capacity_mah_per_cm2=4.0,
    average_voltage_v=3.8,
    active_specific_capacity_mah_per_g=200.0,
    active_mass_fraction=0.7,
    cathode_solid_density_g_per_cm3=3.2,
    cathode_porosity=0.15,
    lithium_capacity_ratio=1.0,
    al_thickness_um=12.0,
    cu_thickness_um=8.0,
)


def test_lithium_constants():
    assert LITHIUM_SPECIFIC_CAPACITY_MAH_PER_G == pytest.approx(3860, rel=1e-3)
    # Physics notes §7: 1 mAh/cm² of Li ≈ 4.85 µm at 0.534 g/cm³
    assert energy.lithium_thickness_um(1.0, 1.0) == pytest.approx(4.85, abs=0.005)
    assert energy.lithium_thickness_um(4.0, 0.0) == 0.0  # anode-free


def test_stack_energy_hand_calculation():
    out = energy.stack_energy_density(
        30.0, sse_density_g_per_cm3=1.86, sse_relative_density=1.0, **CELL
    )
    cathode_mass = 4.0 / (200.0 * 0.7)
    li_um = 4.0 / (LITHIUM_SPECIFIC_CAPACITY_MAH_PER_G * 0.534) * 1e4
    mass = cathode_mass + 1.86 * 30e-4 + 0.534 * li_um * 1e-4 + 2.70 * 12e-4 + 8.96 * 8e-4
    thickness_um = cathode_mass / (3.2 * 0.85) * 1e4 + 30.0 + li_um + 20.0
    assert out["gravimetric_wh_per_kg"] == pytest.approx(4.0 * 3.8 / mass)
    assert out["volumetric_wh_per_l"] == pytest.approx(4.0 * 3.8 / (thickness_um * 1e-4))
    assert out["stack_thickness_um"] == pytest.approx(thickness_um)


def test_thinner_and_lighter_separator_raise_energy_density():
    thickness = np.array([200.0, 100.0, 50.0, 20.0, 5.0])
    out = energy.stack_energy_density(
        thickness, sse_density_g_per_cm3=5.12, sse_relative_density=0.97, **CELL
    )
    assert np.all(np.diff(out["gravimetric_wh_per_kg"]) > 0)
    assert np.all(np.diff(out["volumetric_wh_per_l"]) > 0)
    light = energy.stack_energy_density(
        30.0, sse_density_g_per_cm3=1.86, sse_relative_density=1.0, **CELL
    )["gravimetric_wh_per_kg"]
    heavy = energy.stack_energy_density(
        30.0, sse_density_g_per_cm3=5.12, sse_relative_density=1.0, **CELL
    )["gravimetric_wh_per_kg"]
    assert light > heavy


def test_thin_sse_energy_in_literature_range():
    # Review: ultra-thin SSEs (<30 µm) are needed for E > 500 Wh/kg; typical SSB stacks are lower.
    # A 30 µm sulfide separator with 4 mAh/cm² NMC811 and 1x Li gives a stack value of a few 100 Wh/kg.
    e = energy.stack_energy_density(
        30.0, sse_density_g_per_cm3=1.86, sse_relative_density=1.0, **CELL
    )["gravimetric_wh_per_kg"]
    assert 250.0 < e < 500.0


def test_double_sided_collectors_count_half():
    single = energy.stack_energy_density(
        30.0, sse_density_g_per_cm3=1.86, sse_relative_density=1.0, **CELL
    )
    shared = energy.stack_energy_density(
        30.0, sse_density_g_per_cm3=1.86, sse_relative_density=1.0, **CELL, collector_share=0.5
    )
    assert shared["stack_thickness_um"] == pytest.approx(single["stack_thickness_um"] - 10.0)


def test_layer_parameters_are_keywords_only():
    with pytest.raises(TypeError):
        energy.stack_energy_density(
            30.0, 1.86, 1.0, **CELL
        )  # density and relative density by position


# --- domains (objectives/domain.py): impossible inputs raise, edges and NaN pass ----------------

POSITIVE, NON_NEGATIVE = "(0, inf)", "[0, inf)"
STACK = dict(sse_thickness_um=30.0, sse_density_g_per_cm3=1.86, sse_relative_density=0.95, **CELL)
VALID = {
    energy.layer_areal_mass_g_per_cm2: dict(
        thickness_um=30.0, density_g_per_cm3=5.1, relative_density=0.95
    ),
    energy.cathode_areal_mass_g_per_cm2: dict(
        areal_capacity_mah_per_cm2=4.0,
        active_specific_capacity_mah_per_g=200.0,
        active_mass_fraction=0.7,
    ),
    energy.cathode_thickness_um: dict(
        cathode_areal_mass_g_per_cm2=0.03, composite_solid_density_g_per_cm3=3.2, porosity=0.15
    ),
    energy.lithium_thickness_um: dict(
        areal_capacity_mah_per_cm2=4.0, lithium_capacity_ratio=1.0, lithium_density_g_per_cm3=0.534
    ),
    energy.stack_energy_density: dict(
        **STACK,
        al_density_g_per_cm3=2.7,
        cu_density_g_per_cm3=8.96,
        lithium_density_g_per_cm3=0.534,
        collector_share=0.5,
    ),
}
DOMAINS = {
    energy.layer_areal_mass_g_per_cm2: dict(
        thickness_um=NON_NEGATIVE, density_g_per_cm3=POSITIVE, relative_density="(0, 1]"
    ),
    energy.cathode_areal_mass_g_per_cm2: dict(
        areal_capacity_mah_per_cm2=NON_NEGATIVE,
        active_specific_capacity_mah_per_g=POSITIVE,
        active_mass_fraction="(0, 1]",
    ),
    energy.cathode_thickness_um: dict(
        cathode_areal_mass_g_per_cm2=NON_NEGATIVE,
        composite_solid_density_g_per_cm3=POSITIVE,
        porosity="[0, 1)",
    ),
    energy.lithium_thickness_um: dict(
        areal_capacity_mah_per_cm2=NON_NEGATIVE,
        lithium_capacity_ratio=NON_NEGATIVE,
        lithium_density_g_per_cm3=POSITIVE,
    ),
    energy.stack_energy_density: dict(
        sse_thickness_um=POSITIVE,
        sse_density_g_per_cm3=POSITIVE,
        sse_relative_density="(0, 1]",
        areal_capacity_mah_per_cm2=NON_NEGATIVE,
        average_voltage_v=NON_NEGATIVE,
        active_specific_capacity_mah_per_g=POSITIVE,
        active_mass_fraction="(0, 1]",
        cathode_solid_density_g_per_cm3=POSITIVE,
        cathode_porosity="[0, 1)",
        lithium_capacity_ratio=NON_NEGATIVE,
        al_thickness_um=NON_NEGATIVE,
        cu_thickness_um=NON_NEGATIVE,
        al_density_g_per_cm3=POSITIVE,
        cu_density_g_per_cm3=POSITIVE,
        lithium_density_g_per_cm3=POSITIVE,
        collector_share="[0, 1]",
    ),
}


@pytest.mark.parametrize(("func", "argument", "interval"), cases(DOMAINS))
def test_domain(func, argument, interval):
    assert_domain(func, VALID[func], argument, interval)


def test_stack_names_the_layer_argument_it_got():
    # not the inner layer function's "thickness_um" or "porosity"
    with pytest.raises(ValueError, match=r"^al_thickness_um: "):
        energy.stack_energy_density(**{**STACK, "al_thickness_um": -12.0})
    with pytest.raises(ValueError, match=r"^cathode_porosity: "):
        energy.stack_energy_density(**{**STACK, "cathode_porosity": 1.0})
