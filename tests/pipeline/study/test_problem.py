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
