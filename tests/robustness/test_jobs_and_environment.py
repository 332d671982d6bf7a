"""Bad job files and faults of the environment: dead or silent tracking servers, read-only and
misplaced output folders, unwritable output files, two processes starting one fresh SQLite store,
and a plain run killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from tests.robustness.conftest import (
    CONFIGS,
    REPO,
    assert_refused,
    closed_port,
    outcome,
    read_only,
    running_runs,
)

SSEMO = str(Path(sys.executable).with_name("ssemo"))


def job_file(tmp_path: Path, data, name: str = "job.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data))
    return path


def default_study(**extra) -> dict:
    return {"config": str(CONFIGS / "default.yaml"), **extra}


BAD_JOBS = [
    ({"name": "../../x", "studies": [default_study()]}, "key 'name'"),
    ({"name": "/etc/cron.d/x", "studies": [default_study()]}, "key 'name'"),
    ({"studies": [default_study(name="../../x")]}, "key 'studies[0].name'"),
    ({"studies": [default_study(name=".hidden")]}, "key 'studies[0].name'"),
    ({"studies": [default_study()], "compute": [1]}, "key 'compute'"),
    (
        {"studies": [default_study()], "compute": {"scheduler": "localhost"}},
        "key 'compute.scheduler'",
    ),
    ({"studies": [default_study()], "compute": {"workers": 4}}, "key 'compute.workers'"),
    ({"studies": [default_study()], "retries": {"attempts": 0}}, "key 'retries.attempts'"),
    ({"studies": [default_study()], "retries": {"attempts": 100}}, "key 'retries.attempts'"),
    (
        {"studies": [default_study()], "retries": {"backoff_s": float("nan")}},
        "key 'retries.backoff_s'",
    ),
    (
        {"studies": [default_study()], "retries": {"backoff_s": float("inf")}},
        "key 'retries.backoff_s'",
    ),
    ({"studies": [default_study()], "retries": {"backoff_s": -1}}, "key 'retries.backoff_s'"),
    ({"studies": [default_study()], "retrain_surrogate": "yes please"}, "key 'retrain_surrogate'"),
    ({"studies": [default_study()], "shedule": "nightly"}, "key 'shedule'"),
    ({"studies": []}, "key 'studies'"),
    ({"name": "x"}, "key 'studies'"),
    ({"studies": "default.yaml"}, "key 'studies'"),
    ({"studies": [{"config": "absent.yaml"}]}, "key 'studies[0].config'"),
    ({"studies": [default_study(overrides=["search.seed"])]}, "key 'studies[0].overrides'"),
    ({"studies": [default_study(), default_study()]}, "key 'studies[1].name'"),
    ({"studies": [default_study(tracking="x")]}, "key 'studies[0].tracking'"),
]


@pytest.mark.parametrize(("data", "name"), BAD_JOBS)
def test_bad_job_files_name_their_key(capsys, tmp_path, data, name):
    path = job_file(tmp_path, data)
    result = outcome(capsys, ["job", "run", path])
    assert_refused(result, 2, (str(path), name), absent=(REPO / "results" / "x.lock",))


def test_a_job_file_whose_name_is_not_a_safe_name_must_set_one(capsys, tmp_path):
    path = job_file(tmp_path, {"studies": [default_study()]}, name="my job.yaml")
    assert_refused(outcome(capsys, ["job", "run", path]), 2, (str(path), "key 'name'"))


def test_a_read_only_state_folder_fails_before_any_study(capsys, tmp_path):
    state = tmp_path / "state"
    path = job_file(tmp_path, {"studies": [default_study()], "state_dir": str(state)})
    with read_only(state):
        result = outcome(capsys, ["job", "run", path])
    assert_refused(result, 5, (str(state), "cannot create the job lock"))


# --- output folders and files ---------------------------------------------------------------------


def run_args(tmp_path: Path, out: Path, *extra: str) -> list:
    return [
        "run",
        "--out",
        out,
        "--set",
        f"tracking.tracking_uri=sqlite:///{tmp_path}/mlflow.db",
        "--set",
        "search.generations=400",
        *extra,
    ]


def test_a_read_only_output_folder_fails_before_searching(capsys, tmp_path):
    out = tmp_path / "results"
    with read_only(out):
        started = time.perf_counter()
        result = outcome(capsys, run_args(tmp_path, out))
        elapsed = time.perf_counter() - started
    assert_refused(result, 5, (str(out), "not writable"), store=tmp_path / "mlflow.db")
    assert "Searching" not in result.err and elapsed < 10  # 400 generations would take longer
    assert not (tmp_path / "mlflow.db").exists()  # no MLflow run was started


@pytest.mark.parametrize("where", ["under_a_file", "is_a_file"])
def test_an_output_folder_that_cannot_be_made_fails_before_searching(capsys, tmp_path, where):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    out = blocker / "results" if where == "under_a_file" else blocker
    result = outcome(capsys, run_args(tmp_path, out))
    assert_refused(result, 5, (str(out), "not writable"))
    assert "Searching" not in result.err


@pytest.mark.parametrize("where", ["a_folder", "under_a_file", "read_only"])
def test_unwritable_evaluate_outputs_are_one_line(capsys, tmp_path, where):
    target = {"a_folder": tmp_path, "under_a_file": tmp_path / "f" / "x.csv"}.get(where)
    if where == "under_a_file":
        (tmp_path / "f").write_text("")
    args = ["evaluate", "--designs", CONFIGS / "examples" / "designs.csv"]
    if where == "read_only":
        with read_only(tmp_path / "ro"):
            target = tmp_path / "ro" / "x.csv"
            result = outcome(capsys, [*args, "--out", target])
    else:
        result = outcome(capsys, [*args, "--out", target])
    assert_refused(result, 5, (str(target), "cannot write"), outputs=(tmp_path,))


def test_path_traversal_in_a_study_name_is_refused_and_writes_nothing(capsys, tmp_path):
    config = tmp_path / "configs" / "study.yaml"
    config.parent.mkdir()
    text = (CONFIGS / "default.yaml").read_text()
    config.write_text(text.replace("catalog: catalog", f"catalog: {CONFIGS / 'catalog'}"))
    result = outcome(
        capsys,
        [
            "run",
            "--config",
            config,
            "--set",
            "name=../../../escaped",
            "--set",
            f"tracking.output_dir={tmp_path / 'results'}",
            "--set",
            "tracking.enabled=false",
        ],
    )
    assert_refused(result, 2, (str(config), "key 'name'"))
    assert not any(p.name == "escaped" for p in tmp_path.parent.rglob("escaped"))


def test_inside_refuses_escapes(tmp_path):
    from pipeline.errors import SsemoError
    from pipeline.files import inside

    assert inside(tmp_path, "a", "b") == (tmp_path / "a" / "b").resolve()
    for parts in (("..", "x"), ("/etc",), ("a", "..", "..", "x")):
        with pytest.raises(SsemoError, match="outside its root folder"):
            inside(tmp_path, *parts)


# --- tracking servers that are down or silent ------------------------------------------------------


def timed_cli(*args: str, timeout: float = 60) -> tuple[subprocess.CompletedProcess, float]:
    env = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}
    started = time.perf_counter()
    done = subprocess.run(
        [SSEMO, *args], capture_output=True, text=True, timeout=timeout, env=env, cwd=REPO
    )
    return done, time.perf_counter() - started


@pytest.fixture
def silent_server():
    """A loopback port that accepts connections and never answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        yield f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.mark.parametrize("server", ["dead", "silent"])
def test_run_with_an_unreachable_server_fails_within_15_s(tmp_path, server, request):
    uri = (
        f"http://127.0.0.1:{closed_port()}"
        if server == "dead"
        else request.getfixturevalue("silent_server")
    )
    out = tmp_path / "out"
    done, elapsed = timed_cli("run", "--out", str(out), "--set", f"tracking.tracking_uri={uri}")
    assert done.returncode == 5, done.stderr
    assert elapsed <= 15, elapsed
    lines = [line for line in done.stderr.splitlines() if "error:" in line]
    assert len(lines) == 1 and uri in lines[0] and "unreachable" in lines[0]
    assert "Traceback" not in done.stderr and "Searching" not in done.stderr


def test_predict_with_a_dead_server_fails_within_15_s(capsys, tmp_path):
    uri = f"http://127.0.0.1:{closed_port()}"
    out = tmp_path / "p.csv"
    started = time.perf_counter()
    result = outcome(
        capsys,
        [
            "predict",
            "--input",
            CONFIGS / "examples" / "compositions.csv",
            "--tracking-uri",
            uri,
            "--out",
            out,
        ],
    )
    assert time.perf_counter() - started <= 15
    assert_refused(result, 5, (uri, "unreachable"), absent=(out,))


def test_job_with_a_dead_server_reports_the_study_failed(capsys, tmp_path):
    uri = f"http://127.0.0.1:{closed_port()}"
    path = job_file(
        tmp_path,
        {
            "studies": [default_study()],
            "state_dir": str(tmp_path / "state"),
            "tracking_uri": uri,
            "retries": {"attempts": 2, "backoff_s": 0.1},
        },
    )
    started = time.perf_counter()
    result = outcome(capsys, ["job", "run", path])
    assert time.perf_counter() - started <= 15
    assert result.code == 4 and "Traceback" not in result.err
    assert "FAILED   default" in result.out and "unreachable" in result.out


def test_a_sqlite_store_in_an_unmakeable_folder_is_one_line(capsys, tmp_path):
    (tmp_path / "f").write_text("")
    uri = f"sqlite:///{tmp_path}/f/sub/mlflow.db"
    out = tmp_path / "out"
    result = outcome(capsys, run_args(tmp_path, out, "--set", f"tracking.tracking_uri={uri}"))
    assert_refused(result, 5, (uri, "cannot create folder"))


# --- two processes on one fresh SQLite store --------------------------------------------------------

STARTER = """
import sys, time
from pathlib import Path
from pipeline.reporting import tracking
uri, experiment, ready, index = sys.argv[1], sys.argv[2], Path(sys.argv[3]), sys.argv[4]
(ready / index).touch()
while len(list(ready.iterdir())) < 2:  # both processes have imported MLflow: go together
    time.sleep(0.005)
mlflow = tracking.configure(uri, experiment)
with mlflow.start_run(run_name="p") as run:
    mlflow.log_metric("x", 1.0)
print(run.info.run_id)
"""


@pytest.mark.slow
def test_two_processes_start_a_fresh_store_and_experiment_at_once(tmp_path):
    env = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}
    for attempt in range(2):  # without the store lock one process failed in 3 of 3 tries
        uri = f"sqlite:///{tmp_path}/try{attempt}/mlflow.db"
        ready = tmp_path / f"ready{attempt}"
        ready.mkdir()
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", STARTER, uri, "new-experiment", str(ready), str(i)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
                cwd=REPO,
            )
            for i in range(2)
        ]
        results = [p.communicate(timeout=120) for p in procs]
        for p, (out, err) in zip(procs, results, strict=True):
            assert p.returncode == 0, err[-3000:]
            assert len(out.strip()) == 32
        import mlflow

        client = mlflow.tracking.MlflowClient(tracking_uri=uri)
        exp = client.get_experiment_by_name("new-experiment")
        runs = client.search_runs([exp.experiment_id])
        assert sorted(r.info.status for r in runs) == ["FINISHED", "FINISHED"]
        mlflow.set_tracking_uri(None)


# --- kill -9 of a plain run, then a rerun -----------------------------------------------------------


@pytest.mark.slow
def test_a_killed_plain_run_is_closed_by_the_next_run(tmp_path):
    import mlflow

    store = tmp_path / "mlflow.db"
    out = tmp_path / "out"
    common = [
        "run",
        "--out",
        str(out),
        "--set",
        f"tracking.tracking_uri=sqlite:///{store}",
        "--set",
        "surrogate.enabled=false",
    ]
    env = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}
    victim = subprocess.Popen(
        [SSEMO, *common, "--set", "search.generations=100000"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=REPO,
    )
    try:
        assert victim.stderr is not None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # the search is running: its MLflow run is open
            line = victim.stderr.readline()
            if "generation" in line and running_runs(store):
                break
        else:
            pytest.fail("the run did not start searching")
        # a partial-output folder such as a kill during write_all leaves
        partial = out / f".partial-{victim.pid}-abc"
        partial.mkdir()
        (partial / "front.parquet").write_text("half")
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        if victim.stderr is not None:
            victim.stderr.close()
    assert len(running_runs(store)) == 1
    done = subprocess.run(
        [SSEMO, *common, "--set", "search.generations=3"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert running_runs(store) == []
    client = mlflow.tracking.MlflowClient(tracking_uri=f"sqlite:///{store}")
    exp = client.get_experiment_by_name("ssemo-search")
    runs = client.search_runs([exp.experiment_id])
    assert sorted(r.info.status for r in runs) == ["FAILED", "FINISHED"]
    failed = next(r for r in runs if r.info.status == "FAILED")
    assert str(victim.pid) in failed.data.tags["ssemo.closed_by"]
    assert not partial.exists()
    mlflow.set_tracking_uri(None)
