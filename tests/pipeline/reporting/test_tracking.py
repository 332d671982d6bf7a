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


# --- the MLflow UI link -----------------------------------------------------------------------------

RUNS_TABLE = "/#/experiments/{}/runs?workflowType=machine_learning"


def test_the_ui_link_opens_the_experiments_runs_table():
    # without workflowType=machine_learning MLflow 3 opens its GenAI overview, not the runs
    assert tracking.ui_link("7") == "http://127.0.0.1:5000" + RUNS_TABLE.format(7)
    assert tracking.ui_link("7", "sqlite:///elsewhere.db") == tracking.ui_link("7")
    # a tracking server serves its own UI
    assert tracking.ui_link("3", "http://127.0.0.1:5001/") == (
        "http://127.0.0.1:5001" + RUNS_TABLE.format(3)
    )
    assert tracking.ui_link("3", "https://mlflow.lab.example/") == (
        "https://mlflow.lab.example" + RUNS_TABLE.format(3)
    )


def test_the_ui_hint_says_how_to_start_the_ui_for_a_local_store():
    link = tracking.ui_link("1")
    assert (
        tracking.ui_hint("1", "sqlite:///mlflow.db")
        == f"start the UI with `make ui`, then open {link}"
    )
    other = "sqlite:////data/mlflow.db"
    assert f"`make ui MLFLOW_URI={other}`" in tracking.ui_hint("1", other)
    server = "http://127.0.0.1:5001"
    assert tracking.ui_hint("1", server) == f"open {tracking.ui_link('1', server)}"


def test_ui_links_names_every_experiment_but_the_default(store):
    tracking.configure(store, "ssemo-search")
    tracking.configure(store, "ssemo-surrogates")
    client = tracking.store_client(store)
    ids = {
        name: client.get_experiment_by_name(name).experiment_id
        for name in ("ssemo-search", "ssemo-surrogates")
    }
    assert tracking.ui_links(store) == [
        (name, tracking.ui_link(ids[name])) for name in ("ssemo-search", "ssemo-surrogates")
    ]


def test_ssemo_run_prints_the_runs_table_link_of_its_experiment(store, tmp_path, capsys):
    from pipeline.cli import main

    args = ["run", "--out", str(tmp_path / "out"), "--set", f"tracking.tracking_uri={store}"]
    args += ["--set", "search.generations=2", "--set", "search.population_size=10"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    experiment = tracking.store_client(store).get_experiment_by_name("ssemo-search")
    assert tracking.ui_link(experiment.experiment_id) in printed
    assert f"make ui MLFLOW_URI={store}" in printed


def test_a_job_summary_gives_each_runs_link():
    from pipeline.jobs.scheduler import format_summary

    link = tracking.ui_hint("4", "sqlite:///mlflow.db")
    text = format_summary(
        [
            {"study": "a", "status": "finished", "run_id": "r1", "mlflow_ui": link},
            {"study": "b", "status": "reused", "run_id": "r2"},  # recorded before links were kept
        ]
    )
    assert f"MLflow run r1: {link}" in text
    assert "MLflow run r2: start the UI with `make ui`" in text


def test_make_ui_prints_the_runs_table_links():
    from pipeline import REPO_ROOT

    recipe = (REPO_ROOT / "Makefile").read_text().split("\nui:", 1)[1].split("\n\n", 1)[0]
    assert "ssemo ui-links --tracking-uri $(MLFLOW_URI)" in recipe


@pytest.mark.slow
def test_the_link_opens_a_page_of_the_mlflow_ui_serving_that_experiment(store, tmp_path):
    """`mlflow ui` on a free loopback port over a store with one run: the link's page answers
    (the part after # is the page's own route), and the experiment it names is served with the
    run. Stopped afterwards."""
    import json
    import socket
    import subprocess
    import sys
    import urllib.request

    mlflow = tracking.configure(store, "ssemo-search")
    with mlflow.start_run(run_name="linked") as run:
        mlflow.log_metric("x", 1.0)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    link = tracking.ui_link(run.info.experiment_id, base)
    assert link == base + RUNS_TABLE.format(run.info.experiment_id)
    env = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}
    command = [sys.executable, "-m", "mlflow", "ui", "--backend-store-uri", store]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", "1"]

    def get(url: str, data: bytes | None = None) -> tuple[int, bytes]:
        request = urllib.request.Request(url, data, {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()

    with open(tmp_path / "ui.log", "w") as log:
        ui = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=log, stderr=log)
        try:
            deadline = time.time() + 120
            while True:
                try:
                    status, page = get(link)  # urllib leaves the fragment to the browser
                    break
                except OSError:
                    assert ui.poll() is None, (tmp_path / "ui.log").read_text()
                    assert time.time() < deadline, "the MLflow UI did not start in 120 s"
                    time.sleep(0.5)
            assert status == 200 and b"<html" in page.lower()
            experiment_id = link.split("/experiments/", 1)[1].split("/", 1)[0]
            status, body = get(
                f"{base}/ajax-api/2.0/mlflow/experiments/get?experiment_id={experiment_id}"
            )
            assert status == 200 and json.loads(body)["experiment"]["name"] == "ssemo-search"
            query = json.dumps({"experiment_ids": [experiment_id]}).encode()
            status, body = get(f"{base}/ajax-api/2.0/mlflow/runs/search", query)
            assert [r["info"]["run_id"] for r in json.loads(body)["runs"]] == [run.info.run_id]
        finally:
            ui.terminate()
            try:
                ui.wait(timeout=20)
            except subprocess.TimeoutExpired:
                ui.kill()
                ui.wait()


def test_loading_a_model_from_a_missing_sqlite_store_says_where_and_creates_nothing(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)  # a user running outside the project folder
    with pytest.raises(tracking.ModelNotFoundError, match=r"mlflow\.db does not exist") as caught:
        tracking.load_registered_model("sqlite:///mlflow.db", "models:/ssemo-conductivity@champion")
    assert str(tmp_path / "mlflow.db") in str(caught.value)
    assert "working directory" in str(caught.value)
    assert list(tmp_path.iterdir()) == []  # no empty store left behind
