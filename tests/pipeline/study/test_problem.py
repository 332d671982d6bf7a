"""StudyModel: F and G from the few columns a search keeps equal those from every column."""

import numpy as np
import pytest

from pipeline.study.catalog import load_catalog
from pipeline.study.config import load_config
from pipeline.study.problem import StudyModel
from pipeline.study.registry import OBJECTIVES, Objective
from tests.conftest import CONFIGS
from tests.pipeline.search.test_nsga2 import FakeSurrogate

STUDIES = [
    ("default.yaml", []),
    ("studies/cold_climate.yaml", []),  # a second, cold evaluator
    ("studies/robust_surrogate.yaml", []),  # the robust ASR from the ASR parts
    ("studies/energy_density_5obj.yaml", []),
    # computed objectives: their inputs are all the search keeps of them
    (
        "default.yaml",
        ["objectives=[thickness_um, short_circuit_probability, bending_moment_n_mm_per_mm]"],
    ),
]


@pytest.mark.parametrize(("name", "overrides"), STUDIES)
def test_f_and_g_from_the_search_columns_equal_those_from_every_column(name, overrides):
    config = load_config(CONFIGS / name, ["tracking.enabled=false", *overrides])
    model = StudyModel(
        load_catalog(config.catalog_dir()),
        config,
        FakeSurrogate(std=0.3, applicability={"Li6PS5Cl": 0.0}),
    )
    X = np.random.default_rng(3).random((9000, model.space.n_var))  # more than one chunk
    F, G, out = model.evaluate(X)
    F_few, G_few, few = model.evaluate(X, every_column=False)
    np.testing.assert_array_equal(F_few, F)
    np.testing.assert_array_equal(G_few, G)
    assert set(few) < set(out)  # fewer columns were kept
    for name in model.objectives:
        assert set(OBJECTIVES[name].evaluated_columns) <= set(model.search_columns)


def test_a_computed_objective_must_name_its_inputs():
    with pytest.raises(ValueError, match="inputs are named exactly when it is computed"):
        Objective("x", "", "min", "x", (0.0, 1.0), "x", compute=lambda out, cfg: out["y"])


def robust_factor_of(material_id: str, **surrogate) -> float:
    config = load_config(
        CONFIGS / "default.yaml",
        ["tracking.enabled=false", "surrogate.robust=true", "surrogate.robust_quantile=0.9"]
        + [f"surrogate.{k}={v}" for k, v in surrogate.items()],
    )
    model = StudyModel(load_catalog(config.catalog_dir()), config)
    factors = model.conductivity.robust_factor
    return float(factors[list(model.catalog.material_ids).index(material_id)])


def test_a_composite_takes_the_larger_of_its_phases_robust_factors():
    """Effective medium is homogeneous of degree 1 in the phases' σ: with both at their low
    quantile, σ_eff falls by at most the larger factor (problem.robust_factors)."""
    # PEO-LiTFSI's 1.16e-5 lies near the low end of its range (9.4e-6 to 6.7e-5): factor ≈ 1.01
    matrix, filler = robust_factor_of("PEO-LiTFSI"), robust_factor_of("LLZO")
    assert filler > 1.0
    assert robust_factor_of("PEO-LiTFSI+LLZO") == pytest.approx(max(matrix, filler))


def test_a_robust_factor_is_never_below_one():
    # Li3InCl6: value 1e-3 S/cm at the low end of its 1e-3 to 4e-3 range: its 10 % quantile lies
    # above the value, which would make the robust ASR lower than the nominal one
    assert robust_factor_of("Li3InCl6") == 1.0


def test_outside_robust_mode_every_factor_is_one():
    config = load_config(CONFIGS / "default.yaml", ["tracking.enabled=false"])
    model = StudyModel(load_catalog(config.catalog_dir()), config)
    assert np.all(model.conductivity.robust_factor == 1.0)


def test_a_composite_of_predicted_phases_takes_their_predicted_factors():
    """conductivity_source: surrogate: the phases' σ are predictions, so the composite's factor is
    the larger of their 10^(z · s), not of their catalog ranges' factors."""
    config = load_config(
        CONFIGS / "default.yaml",
        [
            "tracking.enabled=false",
            "surrogate.robust=true",
            "surrogate.conductivity_source=surrogate",
        ],
    )
    model = StudyModel(load_catalog(config.catalog_dir()), config, FakeSurrogate(std=0.6))
    ids = list(model.catalog.material_ids)
    factors = model.conductivity.robust_factor
    predicted = 10 ** (1.2815515655446004 * 0.6)
    assert factors[ids.index("LLZO")] == pytest.approx(predicted)
    assert factors[ids.index("PEO-LiTFSI+LLZO")] == pytest.approx(predicted)
