"""ssemo train / predict end to end on the shipped curated data, with a throw-away MLflow store."""

import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.errors import ConfigError, SsemoError
from pipeline.study.config import load_train_config
from tests.conftest import CONFIGS


def fast_overrides(tmp_path):
    return [
        f"mlflow.tracking_uri=sqlite:///{tmp_path}/mlflow.db",
        f"tuning.storage={tmp_path}/optuna.db",
        "tuning.n_trials=2",
        "tuning.models=[forest]",
        "tuning.cv_folds=3",
        "data.sources.literature.enabled=false",  # the curated rows only: seconds, not minutes
        "data.min_rows=10",
    ]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("train")
    args = ["train", "--config", str(CONFIGS / "train.yaml")]
    for o in fast_overrides(tmp):
        args += ["--set", o]
    assert main(args) == 0
    return tmp


def runs(tmp):
    from pipeline.reporting.tracking import mlflow_module

    mlflow = mlflow_module()
    mlflow.set_tracking_uri(f"sqlite:///{tmp}/mlflow.db")
    return mlflow, mlflow.search_runs(experiment_names=["ssemo-surrogates"])


def test_train_logs_parent_nested_trials_artifacts_and_registers(trained):
    mlflow, table = runs(trained)
    assert set(table["status"]) == {"FINISHED"}
    parent = table[table["tags.mlflow.runName"] == "train-conductivity"].iloc[0]
    trials = table[table["tags.mlflow.parentRunId"] == parent["run_id"]]
    assert len(trials) == 2
    # trials are numbered from 1 in run names and in best_trial alike (the progress lines too):
    # best_trial names the run of the completed trial with the lowest cross-validated MAE
    assert sorted(trials["tags.mlflow.runName"]) == ["trial-001", "trial-002"]
    complete = trials[trials["tags.optuna.state"] == "COMPLETE"]
    best = complete.loc[complete["metrics.cv_mae"].idxmin(), "tags.mlflow.runName"]
    assert best == f"trial-{int(parent['metrics.best_trial']):03d}"
    assert parent["tags.ssemo.data_hash"] and len(parent["tags.ssemo.data_hash"]) == 64
    assert parent["metrics.cv_mae"] > 0 and 0 <= parent["metrics.cv_coverage_90"] <= 1
    client = mlflow.tracking.MlflowClient()
    names = {a.path for a in client.list_artifacts(parent["run_id"], "evaluation")}
    assert {
        "evaluation/parity.png",
        "evaluation/calibration.png",
        "evaluation/cv_predictions.csv",
    } <= names
    assert {a.path for a in client.list_artifacts(parent["run_id"], "data")} == {"data/rejects.csv"}
    version = client.get_model_version_by_alias("ssemo-conductivity", "champion")
    assert int(version.version) == 1


def test_predict_with_registered_model_names_bad_rows(trained, tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text(
        "composition,temperature_c,process,thickness_um\n"
        "Li7La3Zr2O12,25,tape casting,40\nLi6PS5Cl,60,,\nQq2O,25,,\nLi3InCl6,warm,,\n"
        "Li3PS4,25,wet coating,-5\n"
    )
    out = tmp_path / "out.csv"
    code = main(
        [
            "predict",
            "--input",
            str(src),
            "--tracking-uri",
            f"sqlite:///{trained}/mlflow.db",
            "--out",
            str(out),
        ]
    )
    assert code == 1
    printed = capsys.readouterr()
    err = printed.err
    # P(below detection) is shown to 3 digits, and under 0.001 as "<0.001", not as 1.5e-84
    lines = printed.out.splitlines()
    at = next(i for i, line in enumerate(lines) if "p_below_detection" in line)
    column = lines[at].split().index("p_below_detection")
    shown = [line.split()[column] for line in lines[at + 1 : at + 3]]
    assert len(shown) == 2 and all(p == "<0.001" or 1e-3 <= float(p) <= 1 for p in shown), shown
    assert "line 4, column 'composition'" in err and "line 5, column 'temperature_c'" in err
    assert "line 6, column 'thickness_um': expected a positive number" in err
    table = pd.read_csv(out)
    assert list(table["status"]) == ["ok", "ok", "rejected", "rejected", "rejected"]
    ok = table[table["status"] == "ok"]
    assert (ok["log10_sigma_p05"] < ok["log10_sigma_mean"]).all() and (
        ok["log10_sigma_mean"] < ok["log10_sigma_p95"]
    ).all()
    assert ok["applicability"].between(0, 1).all()


def test_failed_training_marks_run_failed_not_running(tmp_path):
    overrides = [*fast_overrides(tmp_path), "data.min_rows=100000"]
    config = load_train_config(CONFIGS / "train.yaml", overrides)
    from pipeline.training import train

    with pytest.raises(SsemoError, match=r"fewer than data\.min_rows"):
        train(config)
    _, table = runs(tmp_path)
    assert list(table["status"]) == ["FAILED"]


def test_resuming_a_study_with_other_cv_names_the_key_and_fails_the_run(tmp_path, capsys):
    args = ["train", "--config", str(CONFIGS / "train.yaml")]
    for o in [*fast_overrides(tmp_path), "tuning.n_trials=1"]:
        args += ["--set", o]
    assert main(args) == 0  # train.yaml scores each trial on 1 shuffle
    assert main([*args, "--set", "tuning.cv_repeats=2"]) != 0
    err = capsys.readouterr().err
    assert "key 'tuning.study_name'" in err and "'cv_repeats': 1" in err
    _, table = runs(tmp_path)
    assert sorted(table["status"]) == [
        "FAILED",
        "FINISHED",
        "FINISHED",
    ]  # parent, trial; failed parent


def test_unknown_source_key_is_a_config_error(tmp_path, capsys):
    code = main(["train", "--set", "data.sources.obelx.enabled=true"])
    assert code == 2
    assert "data.sources.obelx': unknown key (did you mean 'obelix'?)" in capsys.readouterr().err


def test_median_forest_with_context_round_trips_through_skops_allow_list(tmp_path):
    import numpy as np
    import skops.io as sio

    from pipeline.reporting.tracking import check_trusted
    from surrogates.model import ConductivitySurrogate
    from tests.surrogates.test_model import synthetic_series

    data = synthetic_series(4).assign(
        family="x", process="RF magnetron sputtering", thickness_um=1.0
    )
    model = ConductivitySurrogate(
        model_params={"n_estimators": 20, "aggregate": "median"},
        descriptors="fractions",
        context=True,
        random_state=0,
    ).fit(data, data["log10_sigma"].to_numpy())
    path = tmp_path / "model.skops"
    sio.dump(model, path)
    loaded = sio.load(path, trusted=check_trusted(sio.get_untrusted_types(file=str(path))))
    np.testing.assert_array_equal(loaded.predict(data), model.predict(data))
    np.testing.assert_array_equal(loaded.predict_interval(data)[1], model.predict_interval(data)[1])


def test_a_fixed_recipe_trains_once_per_data_hash(tmp_path, capsys):
    args = [
        "train",
        "--config",
        str(CONFIGS / "train_default.yaml"),
        "--set",
        f"mlflow.tracking_uri=sqlite:///{tmp_path}/mlflow.db",
        "--set",
        "data.sources.literature.enabled=false",  # seconds: the curated rows only
        "--set",
        "data.min_rows=10",
        "--set",
        "tuning.cv_folds=3",
    ]
    assert main(args) == 0
    assert "fixed recipe (no tuning)" in capsys.readouterr().err
    assert main(args) == 0  # same recipe, same data: the registered model is reused
    assert "surrogate up to date: version 1" in capsys.readouterr().err
    _, table = runs(tmp_path)
    parents = table[table["tags.mlflow.runName"] == "train-conductivity"]
    assert len(parents) == 1 and parents.iloc[0]["metrics.n_trials"] == 0
    assert parents.iloc[0]["metrics.cv_mae"] > 0  # the grouped-CV MAE is reported with the model
    assert main([*args, "--set", "tuning.seed=1"]) == 0  # another recipe: trained again
    _, table = runs(tmp_path)
    assert (table["tags.mlflow.runName"] == "train-conductivity").sum() == 2


def test_the_recipe_hash_changes_with_the_surrogate_model_version(monkeypatch):
    """An upgraded ssemo whose model fits the same data differently retrains instead of reusing the
    cached champion (cached_champion compares this hash)."""
    import surrogates
    from pipeline.training import config_hash

    config = load_train_config(CONFIGS / "train_default.yaml")
    before = config_hash(config)
    assert config_hash(config) == before
    monkeypatch.setattr(surrogates, "MODEL_VERSION", surrogates.MODEL_VERSION + 1)
    assert config_hash(config) != before


def test_a_missing_data_file_is_refused_before_any_store_is_created(tmp_path, capsys):
    store = tmp_path / "mlflow.db"
    args = [
        "train",
        "--config",
        str(CONFIGS / "train_default.yaml"),
        "--set",
        f"data.sources.curated.path={tmp_path / 'absent.csv'}",
        "--set",
        f"mlflow.tracking_uri=sqlite:///{store}",
    ]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "key 'data.sources.curated'" in err and "file not found" in err
    assert not store.exists()


# --- checks made before anything is trained (tester's items 7, 8, 10) ---


def train_args(tmp_path, *overrides, config="train_default.yaml"):
    args = ["train", "--config", str(CONFIGS / config)]
    for o in (
        f"mlflow.tracking_uri=sqlite:///{tmp_path}/mlflow.db",
        "data.sources.literature.enabled=false",
        *overrides,
    ):
        args += ["--set", o]
    return args


@pytest.mark.parametrize(
    "override, key, shown",
    [
        ("mlflow.registered_model=../../evil", "mlflow.registered_model", "'../../evil'"),
        ("mlflow.registered_model=a/b", "mlflow.registered_model", "'a/b'"),
        ("mlflow.registered_model=a:b", "mlflow.registered_model", "'a:b'"),
        ("mlflow.registered_model=m@champion", "mlflow.registered_model", "'m@champion'"),
        ("mlflow.registered_model=..", "mlflow.registered_model", "'..'"),
        ("mlflow.alias=../x", "mlflow.alias", "'../x'"),
        ("mlflow.alias=latest", "mlflow.alias", "'latest'"),
        ("mlflow.alias=Latest", "mlflow.alias", "'Latest'"),
        ("mlflow.alias=v3", "mlflow.alias", "'v3'"),
        ("mlflow.alias=best one", "mlflow.alias", "'best one'"),
    ],
)
def test_a_bad_model_name_or_alias_is_refused_before_training(
    tmp_path, capsys, override, key, shown
):
    assert main(train_args(tmp_path, override)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"train_default.yaml: invalid config: key '{key}': expected" in err and shown in err
    assert not (tmp_path / "mlflow.db").exists()  # nothing trained, recorded or registered


def test_the_model_name_and_alias_rules_are_mlflows():
    """Every name or alias that ssemo accepts, MLflow's own validators accept too."""
    from mlflow.exceptions import MlflowException
    from mlflow.utils import validation

    from pipeline.reporting.tracking import alias_problem, registered_model_problem

    names = ["ssemo-conductivity", "a b", "x.y", "../e", "a/b", "a:b", ".", "..", "", " ", "a/."]
    for name in names:
        try:
            validation._validate_model_name(name)
            mlflow_ok = True
        except MlflowException:
            mlflow_ok = False
        assert mlflow_ok or registered_model_problem(name) is not None, name
    for alias in ["champion", "a-b_c", "v3a", "../x", "latest", "LATEST", "v3", "V12", "", "a b"]:
        try:
            validation._validate_model_alias_name(alias)
            validation._validate_model_alias_name_reserved(alias)
            mlflow_ok = True
        except MlflowException:
            mlflow_ok = False
        assert mlflow_ok == (alias_problem(alias) is None), alias


def test_a_storage_url_whose_driver_is_not_installed_is_a_config_error(tmp_path, capsys):
    import importlib.util

    if importlib.util.find_spec("psycopg") is not None:
        pytest.skip("psycopg is installed here")
    storage = "tuning.storage=postgresql://lab:secret@127.0.0.1:1/x"
    assert main(train_args(tmp_path, storage, config="train.yaml")) == 2
    err = capsys.readouterr().err
    assert "key 'tuning.storage': the database driver of 'postgresql'" in err
    assert "not installed" in err and "secret" not in err  # the password is not echoed
    assert not (tmp_path / "mlflow.db").exists()


@pytest.mark.parametrize("as_url", [False, True])
def test_a_storage_path_that_is_a_folder_or_not_sqlite_is_a_config_error(tmp_path, capsys, as_url):
    folder = tmp_path / "data"
    folder.mkdir()
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n")
    for target, expected in ((folder, "is a folder"), (text, "is not a SQLite file")):
        storage = f"sqlite:///{target}" if as_url else str(target)
        assert main(train_args(tmp_path, f"tuning.storage={storage}", config="train.yaml")) == 2
        err = capsys.readouterr().err
        assert f"key 'tuning.storage': {target} {expected}" in err
    under_file = f"tuning.storage={text}/optuna.db"
    assert main(train_args(tmp_path, under_file, config="train.yaml")) == 2
    assert f"{text} is a file, not a folder" in capsys.readouterr().err
    assert not (tmp_path / "mlflow.db").exists()


def test_an_unknown_storage_database_is_a_config_error(tmp_path, capsys):
    assert main(train_args(tmp_path, "tuning.storage=nosuchdb://x/y", config="train.yaml")) == 2
    assert (
        "key 'tuning.storage': SQLAlchemy knows no database 'nosuchdb'" in capsys.readouterr().err
    )


def test_a_storage_that_works_is_resolved_against_the_config(tmp_path):
    from pipeline.training import check_config

    config = load_train_config(CONFIGS / "train.yaml", [f"tuning.storage={tmp_path}/new/o.db"])
    assert check_config(config) == f"{tmp_path}/new/o.db"
    assert not (tmp_path / "new").exists()  # checked, not made
    config = load_train_config(CONFIGS / "train.yaml", ["tuning.storage=sqlite://"])
    assert check_config(config) == "sqlite://"  # in memory
    config = load_train_config(CONFIGS / "train_default.yaml", ["tuning.storage=/dev/null/x"])
    assert check_config(config) is None  # tuning off: the storage is not used


def test_a_relative_storage_path_that_leaves_the_project_is_refused():
    from pipeline.training import check_config

    config = load_train_config(CONFIGS / "train.yaml", ["tuning.storage=../../../../tmp/x.db"])
    with pytest.raises(
        ConfigError, match=r"key 'tuning.storage': '\.\./\.\./\.\./\.\./tmp/x\.db' leads to"
    ):
        check_config(config)
    inside = load_train_config(CONFIGS / "train.yaml", ["tuning.storage=../results/o.db"])
    assert check_config(inside).endswith("results/o.db")


def test_a_misspelled_data_column_names_the_key_file_and_column(tmp_path, capsys):
    curated = tmp_path / "curated.csv"
    text = (CONFIGS / "data" / "curated_conductivity.csv").read_text()
    curated.write_text(text.replace("thickness_um", "thickness_µm", 1))
    assert main(train_args(tmp_path, f"data.sources.curated.path={curated}")) == 2
    err = capsys.readouterr().err
    assert "key 'data.sources.curated'" in err and str(curated) in err
    assert "unknown column 'thickness_µm' (did you mean 'thickness_um'?)" in err
    assert not (tmp_path / "mlflow.db").exists()


def measurements_config(tmp_path, version):
    return load_train_config(
        CONFIGS / "train_default.yaml",
        [
            "data.sources.literature.enabled=false",
            "data.sources.measurements.enabled=true",
            f"data.sources.measurements.path={tmp_path / 'store'}",
            f"data.sources.measurements.version='{version}'",  # a string, as YAML reads it
        ],
    )


def test_a_pinned_measurement_version_on_a_missing_store_is_refused(tmp_path):
    from pipeline.training import load_training_data

    for version in ("7", "v0099"):
        with pytest.raises(SsemoError) as caught:
            load_training_data(measurements_config(tmp_path, version))
        message = str(caught.value)
        assert "key 'data.sources.measurements.version'" in message
        assert f"version '{version}' is pinned" in message and "does not exist" in message
    data = load_training_data(measurements_config(tmp_path, "latest"))  # latest: none yet is fine
    assert data.measurements_version == "none"


def test_a_pinned_version_on_a_store_of_catalog_measurements_only_is_refused(
    tmp_path, catalog, capsys
):
    from pipeline.campaign.store import MeasurementStore, ingest_file
    from pipeline.training import load_training_data

    lab = tmp_path / "lab.csv"
    lab.write_text(
        "table,item,applies_to,property,value,sd_log10,sample_id,source\n"
        "coating,none,sulfide,interfacial_resistance_ohm_cm2,9.0,0.05,S1,our lab\n"
    )
    ingest_file(lab, catalog, MeasurementStore(tmp_path / "store"), skip_bad_rows=False)
    with pytest.raises(SsemoError, match="holds only catalog measurements") as caught:
        load_training_data(measurements_config(tmp_path, "1"))
    assert "key 'data.sources.measurements.version'" in str(caught.value)
    args = train_args(
        tmp_path,
        "data.sources.measurements.enabled=true",
        f"data.sources.measurements.path={tmp_path / 'store'}",
        "data.sources.measurements.version='1'",
    )
    assert main(args) == 2
    assert "no conductivity measurements" in capsys.readouterr().err
    assert not (tmp_path / "mlflow.db").exists()


def test_a_pinned_version_the_store_lacks_names_the_key_and_a_number_reads_as_its_version(
    tmp_path, catalog
):
    from pipeline.campaign.store import MeasurementStore, ingest_file
    from pipeline.training import load_training_data, measurement_version

    store = MeasurementStore(tmp_path / "store")
    ingest_file(CONFIGS / "examples" / "measurements.csv", catalog, store, skip_bad_rows=False)
    label = store.version_label()
    for version in ("1", "0001", "v0001", "V1", label):
        data = load_training_data(measurements_config(tmp_path, version))
        assert data.measurements_version == label and data.counts["measurements"] > 0
    with pytest.raises(SsemoError, match=r"key 'data.sources.measurements.version'.*'7'"):
        load_training_data(measurements_config(tmp_path, "7"))
    assert measurement_version(3) == "3" and measurement_version("latest") == "latest"


def test_a_measurement_version_typed_as_a_yaml_number_is_its_digits():
    from pipeline.study.config import TrainConfig

    data = {"data": {"sources": {"measurements": {"enabled": True, "version": 3}}}}
    config = TrainConfig.from_dict(data, source="t.yaml")
    assert config.data.sources.measurements.version == "3"
    with pytest.raises(ConfigError, match=r"data\.sources\.measurements\.version"):
        TrainConfig.from_dict(
            {"data": {"sources": {"measurements": {"version": True}}}}, source="t.yaml"
        )


def test_predict_reads_the_model_name_rules_when_the_training_config_loads():
    from pipeline.study.config import TrainConfig

    with pytest.raises(ConfigError, match=r"key 'mlflow.registered_model'.*'\.\./\.\./evil'"):
        TrainConfig.from_dict({"mlflow": {"registered_model": "../../evil"}}, source="t.yaml")


def test_a_zero_padded_version_is_decimal_not_yaml_1_1_octal():
    # version: 0010 is the store's own style; YAML 1.1 read it as octal 8, another version
    config = load_train_config(CONFIGS / "train.yaml", ["data.sources.measurements.version=0010"])
    assert config.data.sources.measurements.version == "10"
