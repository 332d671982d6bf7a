"""Multi-layer studies: stacks named in the config, searched, judged against the best monolayer."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from pipeline.errors import ConfigError
from pipeline.search.nsga2 import run_nsga2
from pipeline.stack_run import asf_values, break_even_ohm_cm2, interfaces_as_zero, run_stacks
from pipeline.study.catalog import load_catalog
from pipeline.study.config import load_config
from pipeline.study.evaluation import DesignBatch, Evaluator
from pipeline.study.stack_study import StackModel
from tests.conftest import CONFIGS

STUDY = CONFIGS / "studies" / "multilayer.yaml"
SMALL = ["search.population_size=24", "search.generations=15", "tracking.enabled=false"]


def config_with(stacks, *extra):
    config = load_config(STUDY, [*SMALL, *extra])
    return replace(config, search=replace(config.search, stacks=tuple(stacks)))


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(load_config(STUDY, SMALL).catalog_dir())


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("LLZ0/tape_casting", r"unknown material 'LLZ0'.*LLZO"),
        ("LLZO/tape_cast", r"unknown process 'tape_cast'.*tape_casting"),
        ("LLZO/tape_casting@ald_al2o", r"unknown coating 'ald_al2o'.*ald_al2o3"),
        ("LLZO + LLZO/tape_casting", r"layer 'LLZO' of .*expected material/process"),
        ("A/b + A/b + A/b + A/b", r"has 4 layer\(s\); expected 1 to 3"),
        ("LLZO/tape_casting + ", r"a layer before or after '\+' is empty"),
        ("LLZO/tape_casting + Li3InCl6/cold_pressing@li3n", r"first, Li-side layer only"),
        ("LLZO/sputtering", r"process 'sputtering' does not make 'LLZO'"),
    ],
)
def test_a_bad_stack_is_a_config_error_naming_the_key(catalog, entry, message):
    with pytest.raises(ConfigError, match=rf"key 'search.stacks'.*{message}"):
        StackModel(catalog, config_with([entry]))


def test_a_stack_listed_twice_is_a_config_error(catalog):
    with pytest.raises(ConfigError, match=r"key 'search.stacks': a stack is listed twice"):
        StackModel(catalog, config_with(["LLZO/tape_casting", "LLZO/tape_casting"]))


def test_a_stack_study_needs_stacks_and_stack_objectives(catalog):
    with pytest.raises(ConfigError, match=r"key 'search.stacks': a multi-layer study lists"):
        StackModel(catalog, config_with([]))
    config = load_config(STUDY, [*SMALL, "objectives=[thickness_um, manufacturability]"])
    with pytest.raises(ConfigError, match=r"key 'objectives'.*not manufacturability"):
        StackModel(catalog, config)


def test_a_one_layer_stack_is_the_single_layer_design(catalog):
    config = config_with(["LLZO/ultrafast_sintering@lii_znlix"])
    model = StackModel(catalog, config)
    X = np.random.default_rng(3).random((50, model.space.n_var))
    _, _, out = model.evaluate(X)
    batch = model.space.decode(X)
    assert np.all(batch.thickness_um[:, 1:] == 0.0)  # the other slots are absent
    # thickness log-uniform in UFS's window (45-100 µm for LLZO), density up to its cap (0.97)
    t = batch.thickness_um[:, 0]
    assert t.min() >= 45.0 - 1e-9 and t.max() <= 100.0 + 1e-9
    assert batch.relative_density[:, 0].max() <= 0.97 + 1e-12
    ids = lambda names, row: np.full(50, names.index(row))  # noqa: E731
    single = Evaluator(catalog, config)(
        DesignBatch(
            material=ids(catalog.material_ids, "LLZO"),
            process=ids(catalog.process_ids, "ultrafast_sintering"),
            coating=ids(catalog.coating_ids, "lii_znlix"),
            thickness_um=t,
            relative_density=batch.relative_density[:, 0],
            filler_fraction=np.zeros(50),
        )
    )
    np.testing.assert_allclose(out["total_asr_ohm_cm2"], single["total_asr_ohm_cm2"], rtol=1e-12)
    np.testing.assert_allclose(
        out["handling_load_n_per_mm"], single["handling_load_n_per_mm"], rtol=1e-12
    )


def test_same_seed_same_stack_front(catalog):
    config = config_with(
        ["LLZO/pulsed_laser_deposition@lii_znlix + LLZO/tape_casting", "LLZO/tape_casting"]
    )
    a = run_nsga2(StackModel(catalog, config), progress=False)
    b = run_nsga2(StackModel(catalog, config), progress=False)
    np.testing.assert_array_equal(a.archive.X, b.archive.X)
    assert len(a.archive.X) > 0


def test_a_dense_film_on_a_porous_tape_blocks_its_shorts(catalog):
    # the tape-cast garnet alone is capped at 94 % density, below the 95 % percolation threshold:
    # it shorts; a dense PLD film on it stops the path (stack P = Π P_i)
    config = config_with(
        [
            "LLZO/tape_casting@lii_znlix",
            "LLZO/pulsed_laser_deposition@lii_znlix + LLZO/tape_casting",
        ]
    )
    model = StackModel(catalog, config)
    X = np.full((2, model.space.n_var), 0.9)
    X[:, 0] = [0.25, 0.75]
    _, _, out = model.evaluate(X)
    assert out["short_probability"][0] == pytest.approx(1.0)
    assert out["short_probability"][1] < 0.01
    assert out["g_short"][0] > 0 > out["g_short"][1]


def test_break_even_is_the_interface_at_which_the_asf_reaches_the_target(catalog):
    config = config_with(["LLZO/ultrafast_sintering@lii_znlix + Li3InCl6/cold_pressing"])
    model = StackModel(catalog, config, interfaces_as_zero(catalog, config))
    X = np.full((1, model.space.n_var), 0.5)
    design = model.table(X).iloc[0]
    F, _, _ = model.evaluate(X)
    target = float(asf_values(model, F)[0]) + 0.05
    r = break_even_ohm_cm2(model, design, target)
    j = model.objectives.index("total_asr_ohm_cm2")
    moved = F.copy()
    moved[0, j] += r
    assert r > 0 and asf_values(model, moved)[0] == pytest.approx(target, abs=1e-9)
    # a target it already misses: no interface budget at all
    assert break_even_ohm_cm2(model, design, target - 1.0) == 0.0


def test_the_multilayer_study_says_when_a_stack_beats_the_monolayer_and_what_to_measure(tmp_path):
    config = load_config(STUDY, SMALL)
    summary = run_stacks(config, tmp_path / "out", progress=False)
    table = pd.read_csv(tmp_path / "out" / "stacks.csv")
    report = (tmp_path / "out" / "report.md").read_text()
    assert summary["n_stacks"] == len(table) == len(config.search.stacks)
    assert "## The best monolayer" in report and "LLZO / ultrafast_sintering" in report
    garnet_halide = table.set_index("stack").loc[
        "LLZO/ultrafast_sintering@lii_znlix + Li3InCl6/cold_pressing"
    ]
    # its LLZO | Li3InCl6 interface has no number: unknown ASR, and the budget for it is the ASR
    # limit less the stack's ASR without it
    assert not garnet_halide["feasible"]
    assert garnet_halide["unknown_interfaces"] == "LLZO | Li3InCl6"
    assert garnet_halide["interface_max_for_asr_limit_ohm_cm2"] == pytest.approx(
        50.0 - garnet_halide["if_interfaces_free_total_asr_ohm_cm2"]
    )
    assert "has no number (layer_interfaces.csv)" in report
    sandwich = table.set_index("stack").loc[
        "PEO-LiTFSI/wet_coating + LLZO/tape_casting + PEO-LiTFSI/wet_coating"
    ]
    assert "g_asr never met" in sandwich["blocked_by"]  # LLZO | PEO is 9000 Ω cm²
    # no feasible design has no ASF: an empty cell, never inf, in the file a person opens
    assert table["asf"].isna().equals(~table["feasible"].astype(bool))
    cells = pd.read_csv(tmp_path / "out" / "stacks.csv", dtype=str, keep_default_na=False)
    assert not cells.isin(["inf", "-inf"]).any().any()
    budget = table["interface_max_to_beat_monolayer_ohm_cm2"]
    assert (budget.dropna() > 0).all()


def test_a_stacks_run_is_recorded_in_mlflow(tmp_path):
    from pipeline.reporting.tracking import mlflow_module

    uri = f"sqlite:///{tmp_path}/mlflow.db"
    config = load_config(
        STUDY,
        ["search.population_size=10", "search.generations=3", f"tracking.tracking_uri={uri}"],
    )
    summary = run_stacks(config, tmp_path / "out", progress=False)
    client = mlflow_module().tracking.MlflowClient(tracking_uri=uri)
    run = client.get_run(summary["run_id"])
    assert run.info.status == "FINISHED"
    assert run.data.tags["ssemo.job"] == "stacks"
    assert {a.path for a in client.list_artifacts(run.info.run_id)} >= {"report.md", "stacks.csv"}
    assert f"#/experiments/{run.info.experiment_id}/runs" in summary["mlflow_ui"]


def test_stacks_say_that_they_do_not_use_a_dask_scheduler(tmp_path, capsys):
    config = load_config(STUDY, [*SMALL, "compute.scheduler=tcp://127.0.0.1:8786"])
    run_stacks(config, tmp_path / "out", progress=False)
    err = capsys.readouterr().err
    assert "warning: compute.scheduler tcp://127.0.0.1:8786 is not used by ssemo stacks" in err
