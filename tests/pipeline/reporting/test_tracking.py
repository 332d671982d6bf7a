"""MLflow tracking: flattened params, the model allow-list, batched logging into a temporary SQLite
store read back through MLflow's client, SIGTERM as an exception, and the code version."""

import os
import re
import signal
import threading
import time

import pytest

from pipeline.errors import SsemoError
from pipeline.reporting import tracking

# --- flatten ---------------------------------------------------------------------------------------


def test_flatten_joins_nested_keys_with_dots_and_values_as_text():
    config = {
        "name": "default",
        "operating": {"temperature_c": 25.0, "asr_max_ohm_cm2": 50},
        "search": {"materials": ["LLZO", "LATP"], "window": (-20, 60), "seed": 1},
        "decision": {"asf_weights": {"thickness_um": 1.0, "total_asr_ohm_cm2": 0.5}},
        "surrogate": {"enabled": False, "model": None},
    }
    assert tracking.flatten(config) == {
        "name": "default",
        "operating.temperature_c": "25.0",
        "operating.asr_max_ohm_cm2": "50",
        "search.materials": "LLZO,LATP",
        "search.window": "-20,60",
        "search.seed": "1",
        "decision.asf_weights.thickness_um": "1.0",
        "decision.asf_weights.total_asr_ohm_cm2": "0.5",
        "surrogate.enabled": "False",
        "surrogate.model": "None",
    }


def test_flatten_with_prefix_and_empty_list():
    assert tracking.flatten({"a": {"b": []}}, prefix="cfg.") == {"cfg.a.b": ""}


def test_flatten_keeps_an_empty_section_as_a_setting():
    assert tracking.flatten({"a": {}, "b": {"c": 1}}) == {"a": "{}", "b.c": "1"}


def test_flatten_of_the_default_config_gives_one_text_value_per_leaf(default_config):
    params = tracking.flatten(default_config.to_dict())
    assert params["operating.asr_max_ohm_cm2"] == "50.0"
    assert params["search.seed"] == str(default_config.search.seed)
    assert all(isinstance(v, str) for v in params.values())
    assert not any(isinstance(v, dict) for v in params.values())


# --- the trusted-types allow-list -------------------------------------------------------------------


def test_check_trusted_accepts_exactly_the_types_of_ssemo_models():
    types = [
        "surrogates.model.ConductivitySurrogate",
        "surrogates.estimators.ForestSurrogate",
        "sklearn.tree._tree.Tree",
        "sklearn.gaussian_process.kernels.Matern",
    ]
    assert tracking.check_trusted(types) == types
    assert tracking.check_trusted([]) == []


@pytest.mark.parametrize(
    "bad",
    [
        "builtins.eval",
        "os.system",
        "sklearnx.Evil",
        "surrogates_plugin.Loader",
        "numpyro.Thing",
        # what a prefix list let through: a helper that exec()s a string, and other module members
        "numpy.testing._private.utils.runstring",
        "numpy.lib.npyio.load",
        "scipy.io.loadmat",
        "surrogates.datasets.load_obelix",
        "sklearn.utils._testing.assert_run_python_script_without_output",
    ],
)
def test_check_trusted_refuses_and_names_any_other_type(bad):
    with pytest.raises(SsemoError) as err:
        tracking.check_trusted(["sklearn.tree._tree.Tree", bad])
    assert bad in str(err.value)
    assert "allow-list" in str(err.value)


# --- log_batch against a temporary SQLite store -------------------------------------------------------


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A fresh SQLite MLflow store under tmp_path; MLflow's global URIs are reset afterwards."""
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("MLFLOW_REGISTRY_URI", uri)
    yield uri
    mlflow = tracking.mlflow_module()
    if mlflow.active_run():
        mlflow.end_run()
    mlflow.set_tracking_uri(None)
    mlflow.set_registry_uri(None)


def test_log_batch_params_metrics_and_tags_read_back(store, tmp_path):
    mlflow = tracking.configure(store, "ssemo-test")
    with mlflow.start_run(run_name="batch") as run:
        tracking.log_batch(
            mlflow,
            params={"search.seed": 7, "operating.temperature_c": 25.0, "long": "x" * 7000},
            metrics={"hypervolume": 0.625, "front_size": 12},
            tags={"ssemo.study": "default", "ssemo.code_version": "abc123"},
        )
        tracking.log_batch(mlflow, metrics={"gen.hypervolume": 0.5}, step=3)
        tracking.log_batch(mlflow, metrics={"gen.hypervolume": 0.6}, step=4)

    client = mlflow.tracking.MlflowClient(tracking_uri=store)
    got = client.get_run(run.info.run_id)
    assert got.info.status == "FINISHED"
    params = got.data.params
    assert params["search.seed"] == "7"
    assert params["operating.temperature_c"] == "25.0"
    assert params["long"] == "x" * 6000  # cut to MLflow's limit, not refused
    assert got.data.metrics["hypervolume"] == 0.625
    assert got.data.metrics["front_size"] == 12.0
    assert got.data.metrics["gen.hypervolume"] == 0.6
    assert got.data.tags["ssemo.study"] == "default"
    assert got.data.tags["ssemo.code_version"] == "abc123"
    history = client.get_metric_history(run.info.run_id, "gen.hypervolume")
    assert [(m.step, m.value) for m in history] == [(3, 0.5), (4, 0.6)]
    assert [m.step for m in client.get_metric_history(run.info.run_id, "hypervolume")] == [0]
    # the experiment keeps its artifacts beside the SQLite store
    experiment = client.get_experiment_by_name("ssemo-test")
    assert experiment.artifact_location == (tmp_path / "mlartifacts" / "ssemo-test").as_uri()


# --- SIGTERM ------------------------------------------------------------------------------------------


def test_sigterm_inside_the_block_raises_and_the_handler_is_restored():
    before = signal.getsignal(signal.SIGTERM)
    started = time.monotonic()
    with pytest.raises(BaseException) as err:  # any exception that unwinds the run
        with tracking.sigterm_as_exception():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(10)  # the handler's exception interrupts this at once
    assert time.monotonic() - started < 5
    assert str(int(signal.SIGTERM)) in str(err.value) or "SIGTERM" in str(err.value)
    assert signal.getsignal(signal.SIGTERM) is before


def test_sigterm_handler_restored_after_a_normal_exit():
    before = signal.getsignal(signal.SIGTERM)
    with tracking.sigterm_as_exception():
        assert signal.getsignal(signal.SIGTERM) is not before  # installed inside the block
    assert signal.getsignal(signal.SIGTERM) is before


def test_sigterm_as_exception_is_a_no_op_outside_the_main_thread():
    before = signal.getsignal(signal.SIGTERM)
    outcome = []

    def worker():
        try:
            with tracking.sigterm_as_exception():
                outcome.append(signal.getsignal(signal.SIGTERM))
        except BaseException as exc:  # e.g. ValueError: signal only works in main thread
            outcome.append(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(timeout=10)
    assert outcome == [before]


# --- code version --------------------------------------------------------------------------------------


def test_code_version_is_a_non_empty_single_token():
    version = tracking.code_version()
    assert isinstance(version, str)
    assert version.strip() == version and version
    assert re.fullmatch(r"\S+", version)
