"""Unattended jobs: lock, reuse, retries, kill -9 and resume, and scale-out on real processes
(a Dask scheduler with two workers and an MLflow tracking server, all on 127.0.0.1)."""

import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.jobs.lock import JobLock, LockedError
from pipeline.jobs.retry import is_transient, with_retries
from tests.conftest import CONFIGS, REPO

BIN = Path(sys.executable).parent
ENV = {
    **os.environ,
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "PYTHONUNBUFFERED": "1",
}


def write_job(
    tmp_path,
    name="t",
    generations=30,
    studies=("a",),
    scheduler=None,
    tracking_uri=None,
    extra=None,
):
    overrides = [
        "surrogate.enabled=false",
        "search.population_size=24",
        f"search.generations={generations}",
    ]
    job = {
        "name": name,
        "state_dir": str(tmp_path / "state"),
        "tracking_uri": tracking_uri or f"sqlite:///{tmp_path}/mlflow.db",
        "compute": {"scheduler": scheduler},
        "retries": {"attempts": 2, "backoff_s": 0.1},
        "studies": [
            {
                "name": s,
                "config": str(CONFIGS / "default.yaml"),
                "overrides": [*overrides, f"search.seed={i + 1}"],
            }
            for i, s in enumerate(studies)
        ],
    }
    job.update(extra or {})
    path = tmp_path / f"{name}.yaml"
    import yaml

    path.write_text(yaml.safe_dump(job))
    return path


def run_cli(*args, timeout=300):
    return subprocess.run(
        [str(BIN / "ssemo"), *args],
        env=ENV,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def runs_status(tracking_uri):
    from pipeline.reporting.tracking import mlflow_module

    mlflow = mlflow_module()
    mlflow.set_tracking_uri(tracking_uri)
    table = mlflow.search_runs(experiment_names=["ssemo-search"])
    return list(table["status"]) if len(table) else []


def uninterrupted_front(generations, seed):
    from pipeline.search.nsga2 import run_nsga2
    from pipeline.study.catalog import load_catalog
    from pipeline.study.config import load_config
    from pipeline.study.problem import StudyModel

    config = load_config(
        CONFIGS / "default.yaml",
        [
            "surrogate.enabled=false",
            "search.population_size=24",
            f"search.generations={generations}",
            f"search.seed={seed}",
        ],
    )
    model = StudyModel(load_catalog(config.catalog_dir()), config)
    result = run_nsga2(model, progress=False)
    return (
        model.table(result.archive.X)
        .sort_values(list(model.objectives), kind="stable")
        .reset_index(drop=True)
    )


def job_front(tmp_path, study="a"):
    finished = list((tmp_path / "state" / "finished").glob("*.json"))
    record = next(
        json.loads(p.read_text()) for p in finished if json.loads(p.read_text())["study"] == study
    )
    return pd.read_parquet(record["front"]), record


# --- lock and retries ---------------------------------------------------------------------------


def test_lock_blocks_a_second_holder_and_a_dead_holder_is_taken_over(tmp_path):
    path = tmp_path / "job.lock"
    code = (
        f"import sys, time; sys.path.insert(0, {str(REPO)!r})\n"
        "from pipeline.jobs.lock import JobLock\n"
        f"JobLock({str(path)!r}).acquire(); print('held', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(LockedError, match=f"pid {holder.pid}"):
        JobLock(path).acquire()
    holder.send_signal(signal.SIGKILL)
    holder.communicate()
    lock = JobLock(path).acquire()  # the kernel dropped the dead holder's flock
    assert lock.took_over and lock.took_over["pid"] == holder.pid
    lock.release()


def test_retries_transient_errors_only():
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise sqlite3.OperationalError("database is locked")
        return "ok"

    assert with_retries(flaky, attempts=3, backoff_s=0.0, what="test") == "ok"
    assert len(calls) == 3
    with pytest.raises(ValueError):
        with_retries(
            lambda: (_ for _ in ()).throw(ValueError("bad input")),
            attempts=5,
            backoff_s=0.0,
            what="t",
        )
    assert is_transient(ConnectionRefusedError("Connection refused"))
    assert not is_transient(KeyError("x"))


# --- the job command ------------------------------------------------------------------------------


def test_job_reuses_unchanged_studies_and_compares_with_previous(tmp_path):
    job = write_job(tmp_path, studies=("a", "b"))
    first = run_cli("job", "run", str(job))
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("finished") == 2
    # a first run says it has nothing to compare with, and where each study's results are
    assert first.stdout.count("; no previous run to compare with") == 2
    for study in ("a", "b"):
        assert f"results: {tmp_path / 'state' / 'studies' / study}" in first.stdout
    assert first.stdout.count("MLflow run ") == 2
    second = run_cli("job", "run", str(job))
    assert second.returncode == 0 and second.stdout.count("reused") == 2
    assert second.stdout.count("results: ") == 2  # a reused study says where its results are too
    third = run_cli("job", "run", str(job), "--force")
    assert third.returncode == 0
    assert "vs previous run: hypervolume +0.0000, 0 designs entered, 0 left" in third.stdout
    assert "no previous run" not in third.stdout
    statuses = runs_status(f"sqlite:///{tmp_path}/mlflow.db")
    assert statuses.count("FINISHED") == 4 and "RUNNING" not in statuses
    # the compared runs carry the same comparison files as `ssemo compare` writes
    from pipeline.reporting.tracking import mlflow_module

    client = mlflow_module().tracking.MlflowClient(f"sqlite:///{tmp_path}/mlflow.db")
    exp = client.get_experiment_by_name("ssemo-search")
    compared = client.search_runs(
        [exp.experiment_id], "tags.`ssemo.compare.previous_run` != ''", max_results=10
    )
    assert len(compared) == 2
    for run in compared:
        names = {a.path for a in client.list_artifacts(run.info.run_id)}
        assert {"compare_overlay.png", "compare_designs.csv", "compare_designs.parquet"} <= names


def test_failing_study_does_not_stop_the_others(tmp_path):
    job = write_job(tmp_path, studies=("good", "bad"))
    import yaml

    data = yaml.safe_load(job.read_text())
    data["studies"][1]["overrides"].append(
        "tracking.tracking_uri=http://127.0.0.1:9"
    )  # nothing listens
    job.write_text(yaml.safe_dump(data))
    result = run_cli("job", "run", str(job))
    assert result.returncode == 4
    assert "finished good" in result.stdout
    assert "FAILED   bad" in result.stdout


def test_invalid_job_file_exits_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nstudies: []\ncompute: {sheduler: null}\nretires: {}\n")
    result = run_cli("job", "run", str(bad))
    assert result.returncode == 2
    assert "key 'retires': unknown key (did you mean 'retries'?)" in result.stderr
    assert "key 'studies'" in result.stderr


def _lock_holder(state: Path) -> int | None:
    """pid recorded in the job's lock file under the state folder, or None while there is none."""
    for path in state.rglob("*.lock"):
        try:
            return int(json.loads(path.read_text())["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            continue  # empty (released) or being written right now
    return None


def test_two_copies_at_once_one_runs_one_exits_with_lock_code(tmp_path):
    job = write_job(tmp_path, generations=1200)  # seconds of search, so the two copies overlap

    def start():
        return subprocess.Popen(
            [str(BIN / "ssemo"), "job", "run", str(job)],
            env=ENV,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    a = start()
    # The second copy starts only once the first holds the lock (its pid is in the lock file),
    # not after a guessed sleep.
    deadline = time.monotonic() + 120
    while _lock_holder(tmp_path / "state") != a.pid:
        assert a.poll() is None, "the first copy exited before it held the lock"
        assert time.monotonic() < deadline, "the first copy never took the lock"
        time.sleep(0.05)
    b = start()
    outputs = {p.pid: p.communicate(timeout=300) for p in (a, b)}
    assert sorted([a.returncode, b.returncode]) == [0, 3]
    loser = a if a.returncode == 3 else b
    assert "job already running" in outputs[loser.pid][1]


def _checkpoint_generation(state: Path) -> int:
    files = list(state.glob("checkpoints/*/checkpoint.npz"))
    if not files:
        return 0
    try:
        with np.load(files[0], allow_pickle=False) as data:
            return len(json.loads(bytes(data["__meta__"]).decode())["history"])
    except (OSError, ValueError, KeyError):
        return 0  # being replaced right now


@pytest.mark.parametrize("seed", [3, 11])
def test_kill_9_at_random_generations_then_resume_gives_the_uninterrupted_front(tmp_path, seed):
    rng = random.Random(seed)
    generations = 400
    job = write_job(tmp_path, generations=generations)
    for _ in range(2):  # two crashes at random generations before the run that completes
        target = rng.randint(20, generations - 50)
        proc = subprocess.Popen(
            [str(BIN / "ssemo"), "job", "run", str(job)],
            env=ENV,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.time() + 120
        while (
            _checkpoint_generation(tmp_path / "state") < target
            and proc.poll() is None
            and time.time() < deadline
        ):
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    statuses = runs_status(f"sqlite:///{tmp_path}/mlflow.db")
    assert "RUNNING" in statuses  # the kills left runs behind ...
    final = run_cli("job", "run", str(job))
    assert final.returncode == 0, final.stderr
    assert "RUNNING" not in runs_status(
        f"sqlite:///{tmp_path}/mlflow.db"
    )  # ... which the rerun closed
    front, _ = job_front(tmp_path)
    expected = uninterrupted_front(generations, seed=1)
    assert len(front) == len(expected)
    for column in ("material", "process", "coating"):
        assert list(front[column]) == list(expected[column])
    np.testing.assert_array_equal(
        front[["x0", "x1", "x2", "x3"]].to_numpy(), expected[["x0", "x1", "x2", "x3"]].to_numpy()
    )


# --- scale-out on real processes ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 90.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


@pytest.fixture
def services(tmp_path):
    """A Dask scheduler with two single-threaded workers and an MLflow server, on loopback."""
    procs = []
    log = open(tmp_path / "services.log", "w")
    try:
        dask_port, mlflow_port = free_port(), free_port()
        procs.append(
            subprocess.Popen(
                [
                    str(BIN / "dask"),
                    "scheduler",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(dask_port),
                    "--no-dashboard",
                ],
                env=ENV,
                stdout=log,
                stderr=log,
            )
        )
        wait_for_port(dask_port)
        address = f"tcp://127.0.0.1:{dask_port}"
        for _ in range(2):
            procs.append(
                subprocess.Popen(
                    [
                        str(BIN / "dask"),
                        "worker",
                        address,
                        "--nthreads",
                        "1",
                        "--nworkers",
                        "1",
                        "--no-dashboard",
                        "--host",
                        "127.0.0.1",
                    ],
                    env=ENV,
                    cwd=REPO,
                    stdout=log,
                    stderr=log,
                )
            )
        procs.append(
            subprocess.Popen(
                [
                    str(BIN / "mlflow"),
                    "server",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(mlflow_port),
                    "--backend-store-uri",
                    f"sqlite:///{tmp_path}/server.db",
                    "--artifacts-destination",
                    str(tmp_path / "server-artifacts"),
                    "--workers",
                    "1",
                ],
                env=ENV,
                stdout=log,
                stderr=log,
            )
        )
        wait_for_port(mlflow_port)
        from distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=90)
        yield address, f"http://127.0.0.1:{mlflow_port}"
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        log.close()


def test_job_on_dask_workers_with_mlflow_server_matches_local_run(tmp_path, services):
    address, server = services
    remote_dir, local_dir = tmp_path / "remote", tmp_path / "local"
    remote_dir.mkdir()
    local_dir.mkdir()
    remote = write_job(remote_dir, studies=("a", "b"), scheduler=address, tracking_uri=server)
    result = run_cli("job", "run", str(remote))
    assert result.returncode == 0, result.stdout + result.stderr
    local = write_job(local_dir, studies=("a", "b"))
    assert run_cli("job", "run", str(local)).returncode == 0
    run_ids = []
    for study in ("a", "b"):
        remote_front, record = job_front(remote_dir, study)
        local_front, _ = job_front(local_dir, study)
        pd.testing.assert_frame_equal(remote_front, local_front)
        run_ids.append(record["run_id"])
    from pipeline.reporting.tracking import mlflow_module

    client = mlflow_module().tracking.MlflowClient(tracking_uri=server)
    assert len(set(run_ids)) == 2, run_ids
    assert [client.get_run(r).info.status for r in run_ids] == ["FINISHED", "FINISHED"]
    assert "RUNNING" not in runs_status(server)


def test_an_interrupted_job_says_which_studies_it_had_finished(tmp_path, monkeypatch, capsys):
    from pipeline.jobs import scheduler

    job = scheduler.load_job(write_job(tmp_path, studies=("first", "second", "third")))

    def run_one(entry, *args, **kwargs):
        if entry.name == "second":
            raise KeyboardInterrupt
        return {"study": entry.name, "status": "ok"}

    monkeypatch.setattr(scheduler, "run_one", run_one)
    with pytest.raises(KeyboardInterrupt):
        scheduler.run_job(job, progress=False)
    err = capsys.readouterr().err
    assert "interrupted during study second; finished before it: first" in err
    JobLock(Path(job.state_dir) / f"{job.name}.lock").acquire().release()  # released


@pytest.mark.parametrize(
    ("change", "shown", "flagged"),
    [
        (-5.1e-6, "hypervolume -5.1e-06", False),  # a trial's job: seed noise, was flagged
        (-0.0002, "hypervolume -0.0002", True),  # 0.16 % of 0.1273: beyond three seeds' 6.5e-5
        (0.0, "hypervolume +0.0000", False),
        (0.003, "hypervolume +0.0030", False),
    ],
)
def test_a_job_summary_flags_a_regression_only_beyond_seed_noise(change, shown, flagged):
    from pipeline.jobs.scheduler import format_summary

    comparison = {
        "compare.hypervolume_change": change,
        "compare.designs_entered": 3,
        "compare.designs_left": 2,
    }
    outcome = {"study": "a", "status": "finished", "front_size": 10, "hypervolume": 0.1273}
    text = format_summary([{**outcome, "comparison": comparison}])
    assert shown in text
    assert ("<-- REGRESSION" in text) == flagged
