"""Faults of the tracking store and of what ssemo reads or writes beside it (issue 27, item 4).

- two `ssemo job run` (different job names) starting on one SQLite store that does not exist yet:
  every path that opens a store takes the same first-use lock, so both finish, every try;
- a store a crash left half-created, or one at another schema revision: refused with what to do;
- a tracking URI with an unknown scheme; an `mlflow.db` that is garbage, a directory (MLflow retried
  it for 104 s) or truncated; a file-size limit hit while MLflow writes: one line, no SQL dump;
- a training CSV that is binary garbage or a broken .gz: one line naming the file and the key;
- a relative output folder that climbs out of the project, with tracking on or off.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from pipeline.jobs.scheduler import error_line
from pipeline.reporting import tracking
from tests.robustness.conftest import (
    CONFIGS,
    REPO,
    assert_refused,
    message_lines,
    outcome,
    read_only,
    running_runs,
)

SSEMO = str(Path(sys.executable).with_name("ssemo"))
TINY = ["--set", "search.generations=2", "--set", "search.population_size=10"]
ENV = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}


def run_args(store_uri: str, out: Path, *extra: str) -> list:
    return ["run", "--out", out, "--set", f"tracking.tracking_uri={store_uri}", *TINY, *extra]


def made_store(folder: Path) -> Path:
    """A whole, current store with one experiment (as ssemo creates it)."""
    store = folder / "mlflow.db"
    tracking.configure(f"sqlite:///{store}", "ssemo-search")
    return store


# --- the tracking URI ------------------------------------------------------------------------------


@pytest.mark.parametrize("uri", ["foo://bar", "s3://bucket/mlflow", "sqlite:/relative.db"])
def test_a_tracking_uri_with_an_unknown_scheme_names_the_key(capsys, tmp_path, uri):
    out = tmp_path / "out"
    result = outcome(capsys, run_args(uri, out))
    assert_refused(result, 2, ("key 'tracking.tracking_uri'", uri), absent=(out,))


def test_an_unknown_scheme_in_a_training_config_a_job_file_or_a_flag(capsys, tmp_path):
    uri = "foo://bar"
    result = outcome(capsys, ["train", "--set", f"mlflow.tracking_uri={uri}"])
    assert_refused(result, 2, ("key 'mlflow.tracking_uri'", uri))
    job = tmp_path / "job.yaml"
    job.write_text(
        yaml.safe_dump(
            {"tracking_uri": uri, "studies": [{"config": str(CONFIGS / "default.yaml")}]}
        )
    )
    assert_refused(outcome(capsys, ["job", "run", job]), 2, (str(job), "key 'tracking_uri'"))
    compositions = CONFIGS / "examples" / "compositions.csv"
    out = tmp_path / "p.csv"
    result = outcome(
        capsys, ["predict", "--input", compositions, "--tracking-uri", uri, "--out", out]
    )
    assert_refused(result, 2, (uri, "unknown scheme"), absent=(out,))


@pytest.mark.parametrize("uri", ["file:///tmp/ssemo-mlruns", "mlruns"])
def test_the_file_store_is_refused_before_a_run_starts(capsys, tmp_path, uri):
    # MLflow 3 raises on its first write to a file store; the config check names the key instead
    out = tmp_path / "out"
    args = ["run", "--config", CONFIGS / "default.yaml", "--out", out]
    result = outcome(capsys, [*args, "--set", f"tracking.tracking_uri={uri}"])
    assert_refused(result, 2, ("key 'tracking.tracking_uri'", "file store"), absent=(out,))
    result = outcome(capsys, ["train", "--set", f"mlflow.tracking_uri={uri}"])
    assert_refused(result, 2, ("key 'mlflow.tracking_uri'", "file store"))


# --- a broken mlflow.db ----------------------------------------------------------------------------


def broken_store(tmp_path: Path, kind: str) -> Path:
    store = tmp_path / "mlflow.db"
    if kind == "garbage":
        store.write_bytes(os.urandom(20_000))
    elif kind == "directory":
        store.mkdir()
    elif kind == "text":
        store.write_text("experiments, runs and metrics\n" * 100)
    else:  # truncated: a whole store cut to a part of its length
        whole = made_store(tmp_path / "whole").read_bytes()
        store.write_bytes(whole[: 40 if kind == "cut_header" else len(whole) // 3])
    return store


@pytest.mark.parametrize(
    ("kind", "says"),
    [
        ("garbage", "is not a SQLite database"),
        ("text", "is not a SQLite database"),
        ("directory", "is a directory"),
        ("truncated", "is truncated"),
        ("cut_header", "is truncated"),
    ],
)
def test_a_broken_store_file_fails_at_once_in_one_line(capsys, tmp_path, kind, says):
    store = broken_store(tmp_path, kind)
    out = tmp_path / "out"
    started = time.perf_counter()
    result = outcome(capsys, run_args(f"sqlite:///{store}", out))
    # a directory used to be retried by MLflow for 104 s; a hang guard, not a benchmark
    assert time.perf_counter() - started < 60
    assert_refused(result, 5, (str(store), says), absent=(out / "front.parquet",))
    assert "Searching" not in result.err  # refused before the search


def test_a_new_store_in_a_read_only_folder_fails_at_once(capsys, tmp_path):
    folder = tmp_path / "store"
    started = time.perf_counter()
    with read_only(folder):
        result = outcome(capsys, run_args(f"sqlite:///{folder}/mlflow.db", tmp_path / "out"))
    assert time.perf_counter() - started < 60  # MLflow retries a file it cannot create for 100 s
    assert_refused(result, 5, (str(folder), "not writable"))


def test_a_broken_store_fails_train_and_predict_alike(capsys, tmp_path):
    store = broken_store(tmp_path, "garbage")
    uri = f"sqlite:///{store}"
    result = outcome(capsys, ["train", "--set", f"mlflow.tracking_uri={uri}"])
    assert_refused(result, 5, (str(store), "not a SQLite database"))
    compositions = CONFIGS / "examples" / "compositions.csv"
    out = tmp_path / "p.csv"
    result = outcome(
        capsys, ["predict", "--input", compositions, "--tracking-uri", uri, "--out", out]
    )
    assert_refused(result, 5, (str(store), "not a SQLite database"), absent=(out,))


def test_a_job_on_a_broken_store_reports_the_study_failed_on_one_line(capsys, tmp_path):
    store = broken_store(tmp_path, "garbage")
    job = tmp_path / "job.yaml"
    job.write_text(
        yaml.safe_dump(
            {
                "state_dir": str(tmp_path / "state"),
                "tracking_uri": f"sqlite:///{store}",
                "retries": {"attempts": 1, "backoff_s": 0},
                "studies": [{"config": str(CONFIGS / "default.yaml"), "overrides": TINY[1::2]}],
            }
        )
    )
    result = outcome(capsys, ["job", "run", job])
    assert result.code == 4 and "Traceback" not in result.err + result.out
    failed = [line for line in result.out.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1 and str(store) in failed[0] and "not a SQLite database" in failed[0]


# --- a store a crash left half-created, or another MLflow's ----------------------------------------


@pytest.mark.parametrize("revision", [None, "a8c4a736bde6"])
def test_a_half_created_store_is_explained(capsys, tmp_path, revision):
    """MLflow creates its first tables, then migrates them revision by revision; a process killed
    in between (or, before the store lock covered every path, two processes migrating at once)
    leaves a store on which MLflow reruns migrations and fails with an SQL error every time."""
    import sqlalchemy
    from alembic import command
    from mlflow.store.db.utils import _get_alembic_config
    from mlflow.store.tracking.dbmodels.initial_models import Base as InitialBase

    store = tmp_path / "mlflow.db"
    engine = sqlalchemy.create_engine(f"sqlite:///{store}")
    InitialBase.metadata.create_all(engine)
    if revision is not None:  # stopped after some of the migrations
        command.upgrade(_get_alembic_config(f"sqlite:///{store}"), revision)
    engine.dispose()
    out = tmp_path / "out"
    result = outcome(capsys, run_args(f"sqlite:///{store}", out))
    assert_refused(result, 5, (str(store), "half-created", str(revision or "none"), "delete it"))
    assert "Searching" not in result.err


def test_a_store_at_another_schema_revision_says_how_to_upgrade(capsys, tmp_path):
    store = made_store(tmp_path)
    with sqlite3.connect(store) as db:
        db.execute("update alembic_version set version_num = '0584bdc529eb'")
    tracking._OPENED.clear()  # the next command is a new process: it has not opened the store
    out = tmp_path / "out"
    uri = f"sqlite:///{store}"
    result = outcome(capsys, run_args(uri, out))
    assert_refused(result, 5, (str(store), "0584bdc529eb", f"mlflow db upgrade {uri}"))


def test_a_whole_store_passes_the_checks(tmp_path):
    store = made_store(tmp_path)
    tracking._OPENED.clear()  # check it afresh, as a new process would
    tracking.check_store(f"sqlite:///{store}")
    tracking.open_store(f"sqlite:///{store}")


# --- a full disk or a file-size limit while MLflow writes ------------------------------------------

LIMITED = """
import resource, subprocess, sys
limit = int(sys.argv[1])
def limited():
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
done = subprocess.run(sys.argv[2:], preexec_fn=limited, capture_output=True, text=True)
sys.stdout.write(done.stdout)
sys.stderr.write(done.stderr)
sys.exit(done.returncode)
"""


def test_a_file_size_limit_during_an_mlflow_write_is_one_line(tmp_path):
    """RLIMIT_FSIZE lets the store grow by two pages: MLflow's writes of the run fail (EFBIG, which
    SQLite reports as a disk I/O error, as it reports a full disk as 'database or disk is full')."""
    store = made_store(tmp_path)
    limit = store.stat().st_size + 8192
    out = tmp_path / "out"
    args = [SSEMO, *map(str, run_args(f"sqlite:///{store}", out))]
    done = subprocess.run(
        [sys.executable, "-c", LIMITED, str(limit), *args],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=REPO,
        timeout=300,
    )
    assert done.returncode == 5, done.stderr[-3000:]
    assert "Traceback" not in done.stderr and "[SQL:" not in done.stderr
    lines = message_lines(done.stderr)
    assert len(lines) == 1 and str(store) in lines[0], done.stderr[-3000:]
    assert "free space" in lines[0]
    assert running_runs(store) == []


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("(sqlite3.OperationalError) database or disk is full\n[SQL: INSERT ...]", "disk is full"),
        ("(sqlite3.OperationalError) disk I/O error\n(Background ...)", "disk I/O error"),
        ("(sqlite3.DatabaseError) database disk image is malformed", "damaged"),
        ("(sqlite3.OperationalError) attempt to write a readonly database", "read-only"),
    ],
)
def test_store_failures_are_one_line_with_what_to_do(text, says):
    from pipeline.cli import _failure

    code, message = _failure(RuntimeError(text))
    assert code == 5 and says in message and "\n" not in message
    line = error_line(RuntimeError(text))  # a job's summary line
    assert says in line and "\n" not in line


def test_a_job_summary_folds_a_multi_line_error():
    line = error_line(RuntimeError("first\n[SQL: SELECT 1]\n(Background on this error)"))
    assert line == "RuntimeError: first [SQL: SELECT 1] (Background on this error)"


# --- a training CSV that is not a CSV --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("garbage.csv", os.urandom(20_000)),
        ("garbage.csv.gz", os.urandom(20_000)),
        ("quote.csv", b'composition,sigma\nLi3PS4,"1e-3\n'),
    ],
)
def test_a_training_csv_that_is_binary_garbage_names_the_file(capsys, tmp_path, name, content):
    data = tmp_path / name
    data.write_bytes(content)
    source = "literature" if name.endswith(".gz") else "curated"
    config = tmp_path / "train.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "data": {
                    "sources": {
                        "curated": {"enabled": source == "curated", "path": str(data)},
                        "literature": {"enabled": source == "literature", "path": str(data)},
                    }
                },
                "tuning": {"enabled": False},
                "mlflow": {"tracking_uri": f"sqlite:///{tmp_path}/mlflow.db"},
            }
        )
    )
    result = outcome(capsys, ["train", "--config", config])
    assert_refused(
        result,
        2,
        (str(config), f"key 'data.sources.{source}'", str(data), "not a readable CSV"),
        store=tmp_path / "mlflow.db",
    )


# --- output folders stay inside the project, tracking on or off ------------------------------------


@pytest.mark.parametrize("enabled", ["true", "false"])
def test_a_relative_output_folder_that_climbs_out_is_refused(capsys, tmp_path, enabled):
    escape = "../../" + os.path.relpath(tmp_path / "escaped", REPO.parent)
    result = outcome(
        capsys,
        [
            "run",
            "--set",
            f"tracking.output_dir={escape}",
            "--set",
            f"tracking.enabled={enabled}",
            "--set",
            f"tracking.tracking_uri=sqlite:///{tmp_path}/mlflow.db",
            *TINY,
        ],
    )
    assert_refused(result, 2, ("key 'tracking.output_dir'", escape), absent=(tmp_path / "escaped",))


def test_output_folders_inside_the_project_or_absolute_are_accepted(capsys, tmp_path):
    from pipeline.files import escape_problem

    assert escape_problem("k", CONFIGS, "../results") is None
    assert escape_problem("k", CONFIGS / "studies", "../../results") is None
    assert escape_problem("k", CONFIGS / "studies", "../../../results") is not None
    assert escape_problem("k", CONFIGS, str(tmp_path)) is None  # absolute: the user's choice
    # a config outside the project may write beside its own folder, as configs/ and results/
    assert escape_problem("k", tmp_path / "configs", "../results") is None
    assert escape_problem("k", tmp_path / "configs", "../../results") is not None
    result = outcome(
        capsys,
        ["validate-config", CONFIGS / "default.yaml", "--set", f"tracking.output_dir={tmp_path}"],
    )
    assert result.code == 0, result.err


def test_a_job_state_folder_that_climbs_out_is_refused(capsys, tmp_path):
    job = tmp_path / "job.yaml"
    job.write_text(
        yaml.safe_dump(
            {"state_dir": "../../../x", "studies": [{"config": str(CONFIGS / "default.yaml")}]}
        )
    )
    assert_refused(outcome(capsys, ["job", "run", job]), 2, (str(job), "key 'state_dir'"))


# --- two jobs on one fresh store -------------------------------------------------------------------


def two_jobs(folder: Path) -> list[Path]:
    """Two job files with different names (so their job locks do not serialize them), one small
    study each, logging to one store that does not exist yet. The surrogate is off: the job's
    first touch of the store is then the closing of stale runs, the path that skipped the lock."""
    jobs = []
    for name in ("job_a", "job_b"):
        path = folder / f"{name}.yaml"
        path.write_text(
            yaml.safe_dump(
                {
                    "name": name,
                    "state_dir": str(folder / f"state_{name}"),
                    "tracking_uri": f"sqlite:///{folder}/store/mlflow.db",
                    "retries": {"attempts": 1, "backoff_s": 0},
                    "studies": [
                        {
                            "name": f"study_{name}",
                            "config": str(CONFIGS / "default.yaml"),
                            "overrides": [*TINY[1::2], "surrogate.enabled=false"],
                        }
                    ],
                }
            )
        )
        jobs.append(path)
    return jobs


@pytest.mark.slow
@pytest.mark.parametrize("attempt", range(6))
def test_two_jobs_start_on_one_fresh_store_and_both_finish(tmp_path, attempt):
    """Before every path took the store lock, at least one failed in 6 of 6 tries with an SQL dump,
    and in 3 of 6 both failed leaving a half-migrated store."""
    procs = [
        subprocess.Popen(
            [SSEMO, "job", "run", str(job)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
            cwd=REPO,
        )
        for job in two_jobs(tmp_path)
    ]
    results = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, results, strict=True):
        assert p.returncode == 0, out[-2000:] + err[-2000:]
        assert "Traceback" not in err and "FAILED" not in out
    store = tmp_path / "store" / "mlflow.db"
    with sqlite3.connect(store) as db:
        statuses = sorted(row[0] for row in db.execute("select status from runs"))
    assert statuses == ["FINISHED", "FINISHED"]
    assert running_runs(store) == []
    # and the store is whole for what comes next
    tracking._OPENED.clear()
    tracking.open_store(f"sqlite:///{store}")
