"""The registry, the constraints and the space's variable kinds: each declared once, as records."""

import numpy as np
import pandas as pd
import pytest

from pipeline.errors import ConfigError
from pipeline.run import run_study
from pipeline.study import registry
from pipeline.study.config import StudyConfig, load_config
from pipeline.study.constraints import CONSTRAINTS, active_constraints, constraint_values
from pipeline.study.registry import OBJECTIVES, Objective, normalize
from pipeline.study.space import VARIABLES
from tests.conftest import CONFIGS

# A toy objective computed from two evaluated columns: the ohmic loss at the cell's current, in mV
# (ASR [Ω cm²] × j [mA/cm²] = mV). It exists only inside the `registered` block.
TOY = Objective(
    "ohmic_loss_mv",
    "mV",
    "min",
    "ohmic loss",
    (0.0, 200.0),
    "ASR × current density",
    compute=lambda out, config: out["total_asr_ohm_cm2"] * out["current_density_ma_per_cm2"],
    inputs=("total_asr_ohm_cm2", "current_density_ma_per_cm2"),
)


def toy_config(tmp_path, objectives):
    overrides = [
        # a budget that finds feasible designs among the catalog's many options (64 evaluations
        # stopped doing so when the catalog grew)
        "search.population_size=24",
        "search.generations=10",
        # C/20 charging: at the default C/10 only coated garnet passes the flaw-penetration
        # criterion, a needle this budget need not find; the test is about the objective
        "cell.charge_c_rate_per_h=0.05",
        "tracking.enabled=false",
        "surrogate.enabled=false",
        f"objectives={objectives}",
        f"tracking.output_dir={tmp_path}",
    ]
    return load_config(CONFIGS / "default.yaml", overrides)


def test_a_registered_objective_runs_a_whole_study(tmp_path):
    with registry.registered(TOY):
        config = toy_config(tmp_path, "[thickness_um, ohmic_loss_mv, strength_mpa]")
        assert config.normalization["ohmic_loss_mv"] == (0.0, 200.0)  # its default bounds
        summary = run_study(config, tmp_path / "toy", progress=False)
    front = pd.read_parquet(tmp_path / "toy" / "front.parquet")
    assert summary["front_size"] == len(front) > 0
    expected = front["total_asr_ohm_cm2"] * front["current_density_ma_per_cm2"]
    np.testing.assert_allclose(front["ohmic_loss_mv"], expected)
    report = (tmp_path / "toy" / "report.md").read_text()
    assert "ohmic loss [mV] minimized" in report
    assert "| ohmic_loss_mv |" in report.split("## Recommended designs")[1].splitlines()[2]
    assert (tmp_path / "toy" / "pareto_front.png").stat().st_size > 0
    assert "ohmic_loss_mv" not in OBJECTIVES  # gone after the block


def test_an_unregistered_objective_is_a_config_error_naming_the_key(tmp_path):
    with pytest.raises(ConfigError, match=r"key 'objectives': unknown entry 'ohmic_loss_mv'"):
        toy_config(tmp_path, "[thickness_um, ohmic_loss_mv]")


def test_registering_a_name_twice_is_refused():
    with pytest.raises(ValueError, match="already registered"):
        registry.register_objective(OBJECTIVES["thickness_um"])


@pytest.mark.parametrize(
    ("bounds", "message"),
    [
        ([250.0, 0.0], r"normalization.thickness_um': expected \[low, high\] with low < high"),
        ([0.0], r"normalization.thickness_um': expected \[low, high\]"),
        ("wide", r"normalization.thickness_um': expected \[low, high\]"),
    ],
)
def test_normalization_bounds_are_checked(default_config, bounds, message):
    data = default_config.to_dict()
    data["normalization"] = {"thickness_um": bounds}
    with pytest.raises(ConfigError, match=message):
        StudyConfig.from_dict(data)


def test_normalization_names_are_the_registry_and_missing_ones_keep_defaults(default_config):
    data = default_config.to_dict()
    data["normalization"] = {"total_asr_ohm_cm2": [0, 20]}
    config = StudyConfig.from_dict(data)
    assert config.normalization["total_asr_ohm_cm2"] == (0.0, 20.0)
    assert config.normalization["thickness_um"] == OBJECTIVES["thickness_um"].bounds
    data["normalization"] = {"thicknes_um": [0, 20]}
    with pytest.raises(ConfigError, match=r"unknown key \(did you mean 'thickness_um'"):
        StudyConfig.from_dict(data)


def test_normalize_maps_best_bound_to_0_and_worst_to_1():
    # thickness minimized in [0, 250]: 25 µm -> 0.1; strength maximized in [0, 300]: F = -270 MPa
    # (the search's sign) -> (300 - 270) / 300 = 0.1
    F = np.array([[25.0, -270.0]])
    bounds = {"thickness_um": (0.0, 250.0), "strength_mpa": (0.0, 300.0)}
    np.testing.assert_allclose(normalize(F, ("thickness_um", "strength_mpa"), bounds), [[0.1, 0.1]])


def test_unknown_values_count_as_the_worst(default_config):
    out = {"strength_mpa": np.array([np.nan, 50.0]), "thickness_um": np.array([np.nan, 5.0])}
    strength = OBJECTIVES["strength_mpa"].minimized(out, default_config)
    thickness = OBJECTIVES["thickness_um"].minimized(out, default_config)
    np.testing.assert_array_equal(strength, [0.0, -50.0])  # an unknown strength is not claimed
    np.testing.assert_array_equal(thickness, [registry.G_CLIP, 5.0])


def test_active_constraints_follow_the_config(default_config):
    assert active_constraints(default_config) == (
        "g_asr",
        "g_thickness_min",
        "g_thickness_max",
        "g_strength",
        "g_ccd",
        "g_short",
        "g_percolation",
        "g_stability",
        "g_substrate",
        "g_bending",
        "g_web_tension",
    )
    data = default_config.to_dict()
    data["constraints"].update(
        {
            "strength": False,
            "temperature_window_c": [-20, 60],
            "stability": False,
            "substrate_temperature": False,
            "roll_to_roll": False,
        }
    )
    data["surrogate"]["penalize_out_of_domain"] = True
    names = active_constraints(StudyConfig.from_dict(data))
    assert names == (
        "g_asr",
        "g_asr_cold",
        "g_thickness_min",
        "g_thickness_max",
        "g_ccd",
        "g_short",
        "g_percolation",
        "g_domain",
    )


def test_constraint_values_are_normalized_by_their_limits(default_config):
    # ASR 75 Ω cm² against the 50 limit: 75/50 - 1 = 0.5; strength 5 MPa against 10: 10/5 - 1 = 1
    out = {
        "total_asr_ohm_cm2": np.array([75.0]),
        "strength_mpa": np.array([5.0]),
        "free_standing": np.array([True]),
        "sse_layer_thickness_um": np.array([20.0]),
        "process_min_thickness_um": np.array([10.0]),
        "process_max_thickness_um": np.array([100.0]),
        # hazards: 10x and 1/100 of λ_max = −ln(0.99) (the 1 % limit): λ/λ_max − 1 = 9 and −0.99
        "flaw_hazard_per_membrane": np.array([10 * -np.log(0.99)]),
        "short_hazard_per_membrane": np.array([0.01 * -np.log(0.99)]),
    }
    g = constraint_values(out, default_config)
    names = ("g_asr", "g_strength", "g_thickness_min", "g_thickness_max", "g_ccd", "g_short")
    assert set(g) == set(names)
    np.testing.assert_allclose([g[k][0] for k in names], [0.5, 1.0, -0.5, -0.8, 9.0, -0.99])


def test_every_record_names_its_unit_limit_and_unknown_meaning():
    for objective in OBJECTIVES.values():
        assert objective.sense in ("min", "max") and objective.label and objective.description
    for constraint in CONSTRAINTS.values():
        assert constraint.name.startswith("g_") and constraint.unknown and constraint.inputs
    assert [v.name for v in VARIABLES] == [
        "thickness_um",
        "relative_density",
        "filler_fraction",
        "dopant_level",
    ]
