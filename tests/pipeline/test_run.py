"""ssemo run end to end: artifacts, MLflow runs that end FINISHED or FAILED (never RUNNING)."""

import pandas as pd
import pytest

from pipeline.cli import main
from tests.conftest import CONFIGS, FEASIBLE_AT_SMALL_BUDGET


def run_args(tmp_path, *extra):
    return [
        "run",
        "--config",
        str(CONFIGS / "default.yaml"),
        "--out",
        str(tmp_path / "out"),
        "--set",
        f"tracking.tracking_uri=sqlite:///{tmp_path}/mlflow.db",
        "--set",
        "search.population_size=20",
        "--set",
        "search.generations=16",  # 160 evaluations found no feasible design once shorts came in
        "--set",
        *FEASIBLE_AT_SMALL_BUDGET,
        *extra,
    ]


def runs(tmp_path):
    from pipeline.reporting.tracking import mlflow_module

    mlflow = mlflow_module()
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path}/mlflow.db")
    return mlflow, mlflow.search_runs(experiment_names=["ssemo-search"])


def test_run_writes_results_and_a_finished_mlflow_run(tmp_path, capsys):
    assert main(run_args(tmp_path)) == 0
    out = capsys.readouterr()
    assert "make ui" in out.out and "Results:" in out.out
    assert "no surrogate" in out.err  # no model registered in this fresh store: said, not hidden
    folder = tmp_path / "out"
    for name in (
        "front.parquet",
        "front_display.csv",
        "chosen_designs.csv",
        "history.csv",
        "report.md",
        "resolved_config.yaml",
        "hypervolume.png",
        "pareto_front.png",
        "parallel_coordinates.html",
    ):
        assert (folder / name).stat().st_size > 0, name
    front = pd.read_parquet(folder / "front.parquet")
    assert {
        "material",
        "process",
        "coating",
        "thickness_um",
        "total_asr_ohm_cm2",
        "feasible",
        "applicability",
    } <= set(front)
    assert front["feasible"].all()
    # a front this small is shown whole: the display CSV has every design
    assert len(pd.read_csv(folder / "front_display.csv")) == len(front)
    mlflow, table = runs(tmp_path)
    assert list(table["status"]) == ["FINISHED"]
    row = table.iloc[0]
    for tag in (
        "ssemo.code_version",
        "ssemo.config_hash",
        "ssemo.data_hash",
        "ssemo.surrogate_model_version",
    ):
        assert row[f"tags.{tag}"]
    assert row["metrics.summary.front_size"] == len(front)
    objectives = "thickness_um,total_asr_ohm_cm2,handling_load_n_per_mm,manufacturability"
    hv = "hv_" + objectives.replace(",", "-")  # hypervolume named by its objective set
    assert row[f"metrics.summary.{hv}"] > 0
    # the run's name says which study, what started it and which config (its hash)
    config_hash = row["tags.ssemo.config_hash"]
    assert row["tags.mlflow.runName"] == f"default-run-{config_hash[:8]}"
    assert row["tags.ssemo.origin"] == "run"
    assert row["tags.ssemo.objectives"] == objectives
    client = mlflow.tracking.MlflowClient()
    sizes = client.get_metric_history(row["run_id"], "gen.archive_size")
    assert [m.step for m in sizes] == list(range(1, 17))  # one per generation (run_args: 16)
    history = client.get_metric_history(row["run_id"], f"gen.{hv}")
    assert [m.step for m in history] == [
        1,
        5,
        10,
        15,
        16,
    ]  # first, every HV_EVERY-th and last generation
    artifacts = {a.path for a in client.list_artifacts(row["run_id"])}  # at the top, no folder
    assert {"report.md", "front.parquet", "pareto_front.png"} <= artifacts


def test_injected_error_marks_run_failed(tmp_path, monkeypatch, capsys):
    import pipeline.run

    def boom(*args, **kwargs):
        raise RuntimeError("injected failure")

    monkeypatch.setattr(pipeline.run, "run_nsga2", boom)
    # an unexpected failure: one line and exit code 70, the traceback only with --debug
    assert main(run_args(tmp_path)) == 70
    err = capsys.readouterr().err
    assert "error: internal error (RuntimeError: injected failure)" in err
    assert "Traceback" not in err
    with pytest.raises(RuntimeError, match="injected failure"):
        main(["--debug", *run_args(tmp_path)])
    _, table = runs(tmp_path)
    assert list(table["status"]) == ["FAILED", "FAILED"]


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("search.generatons=5", "search.generatons': unknown key (did you mean 'generations'?)"),
        ("search.population_size=-4", "key 'search.population_size'"),
        ("objectives=[thickness_um, asr]", "unknown entry 'asr'"),
        ("constraints.unknown=maybe", "key 'constraints.unknown'"),
    ],
)
def test_config_errors_exit_2_and_start_no_run(tmp_path, capsys, override, expected):
    assert main(run_args(tmp_path, "--set", override)) == 2
    err = capsys.readouterr().err
    assert "default.yaml" in err and expected in err
    assert not (tmp_path / "mlflow.db").exists()


def test_origin_names_the_run_and_bad_origins_are_refused(tmp_path, capsys):
    assert main(run_args(tmp_path, "--origin", "studies")) == 0
    _, table = runs(tmp_path)
    assert table.iloc[0]["tags.ssemo.origin"] == "studies"
    assert table.iloc[0]["tags.mlflow.runName"].startswith("default-studies-")
    with pytest.raises(SystemExit) as exit_info:
        main(run_args(tmp_path, "--origin", "../x"))
    assert exit_info.value.code == 2
    assert "--origin: expected 1-40 letters, digits" in capsys.readouterr().err


def test_what_keeps_a_material_off_the_front_is_named():
    """A glass film whose CCD nobody measured is blocked by that unknown in every design; a
    material with a feasible design is not listed (it is dominated, not blocked)."""
    from pipeline.run import what_blocks
    from pipeline.study.catalog import load_catalog
    from pipeline.study.config import load_config
    from pipeline.study.problem import StudyModel
    from tests.conftest import CONFIGS, FEASIBLE_AT_SMALL_BUDGET

    config = load_config(CONFIGS / "studies" / "thin_films.yaml", ["tracking.enabled=false"])
    model = StudyModel(load_catalog(config.catalog_dir()), config)
    blocked = what_blocks(model, ["LiPON", "LLZO"])
    assert blocked["LiPON"] == "g_ccd unknown"
    assert "pulsed_laser_deposition: g_substrate never met" in blocked["LLZO"]
    # at the default C/10 charge a sulfide sheet is blocked by flaw-initiated penetration (0.4
    # mA/cm² is 0.44 of its 0.9 mA/cm² CCD: P = 1.2 % > 1 %); at C/20 it has feasible designs
    default = load_config(CONFIGS / "default.yaml", ["tracking.enabled=false"])
    assert what_blocks(StudyModel(model.catalog, default), ["Li6PS5Cl"]) == {
        "Li6PS5Cl": "g_ccd never met"
    }
    slower = load_config(
        CONFIGS / "default.yaml", ["tracking.enabled=false", *FEASIBLE_AT_SMALL_BUDGET]
    )
    assert what_blocks(StudyModel(model.catalog, slower), ["Li6PS5Cl"]) == {}


def test_an_asr_limit_the_interfaces_alone_exceed_names_the_value_and_its_grade():
    """A polymer is kept off the default study's front by its Li-side contact, an assumption-grade
    200 Ω cm² (coating_properties.csv), not by its bulk: the reason names the value and its grade.
    LLTO's ASR fails through its bulk (its coated interfaces are tens of Ω cm²): no such note."""
    from pipeline.run import what_blocks
    from pipeline.study.catalog import load_catalog
    from pipeline.study.config import load_config
    from pipeline.study.problem import StudyModel

    config = load_config(CONFIGS / "default.yaml", ["tracking.enabled=false"])
    blocked = what_blocks(
        StudyModel(load_catalog(config.catalog_dir()), config), ["PEO-LiTFSI", "LLTO"]
    )
    assert (
        "g_asr never met (its interfaces alone give at least 211 Ω cm² of the 50 allowed"
        in (blocked["PEO-LiTFSI"])
    )
    assert (
        "Li side with coating none: 200 Ω cm², assumption, range 20–1000" in blocked["PEO-LiTFSI"]
    )
    assert "g_asr never met" in blocked["LLTO"] and "interfaces alone" not in blocked["LLTO"]


def test_a_density_floor_above_what_processes_have_made_is_said(catalog, default_config):
    from pipeline.run import density_floor_above_caps
    from pipeline.study.space import build_space

    space = build_space(catalog, default_config)
    assert density_floor_above_caps(space, default_config.search.relative_density_min) is None
    held = space.density_high < 0.99
    message = density_floor_above_caps(space, 0.99)
    assert 0 < held.sum() <= space.n_options and message is not None
    assert f"{int(held.sum())} of {space.n_options} options" in message
    assert f"at most {float(space.density_high[held].max()):g}" in message
    # a floor every process has reached is searched as asked: no message
    assert density_floor_above_caps(space, float(space.density_high.min())) is None


def test_a_study_away_from_25_c_is_told_its_interfaces_and_ccd_stay_at_25_c():
    """Only the bulk ASR follows the study's temperature; the warning says which way it errs."""
    from pipeline.run import temperature_fixed_terms
    from pipeline.study.config import load_config

    def at(*overrides):
        return temperature_fixed_terms(
            load_config(CONFIGS / "default.yaml", ["tracking.enabled=false", *overrides])
        )

    assert at() is None  # the default study is at the interfaces' own 25 °C
    cold = at("operating.temperature_c=0")
    assert cold is not None and cold.startswith("At 0 °C only the bulk ASR")
    assert "at 0 °C the total ASR is optimistic" in cold and "CCD" in cold
    hot = at("operating.temperature_c=60")
    assert hot is not None and "at 60 °C the total ASR is pessimistic" in hot
    assert "optimistic" not in hot
    # a window names the temperatures the study evaluates: its cold end, not its hot one
    window = temperature_fixed_terms(
        load_config(CONFIGS / "studies" / "cold_climate.yaml", ["tracking.enabled=false"])
    )
    assert window is not None and window.startswith("At -20 °C only the bulk ASR")
    assert "60" not in window.split(":")[0]
    stacks = temperature_fixed_terms(
        load_config(CONFIGS / "studies" / "multilayer.yaml", ["operating.temperature_c=0"])
    )
    assert stacks is not None and "internal interfaces of its stacks" in stacks


def test_a_job_compares_only_with_a_run_that_measured_its_objectives_alike(default_config):
    import dataclasses

    from pipeline.run import measured_alike, objective_definition

    objectives = default_config.objectives
    nominal = {"objectives": ",".join(objectives), "objective_definition": "nominal"}
    assert objective_definition(default_config) == "nominal"
    assert measured_alike(nominal, objectives, default_config)
    assert measured_alike({"front": "old record without the keys"}, objectives, default_config)
    robust = dataclasses.replace(
        default_config, surrogate=dataclasses.replace(default_config.surrogate, robust=True)
    )
    assert objective_definition(robust) == (
        "ASR at its 0.9 quantile over its σ's uncertainty (catalog range or surrogate spread)"
    )
    assert not measured_alike(nominal, objectives, robust)
    assert not measured_alike(nominal, objectives[:-1], default_config)
