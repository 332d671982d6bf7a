"""Shared checks of the robustness suite: what every bad input must produce.

`outcome(capsys, args)` runs `ssemo` in-process; `assert_refused` checks one failure: its exit
code, exactly one message line (an `error:` line, or a `rejected:` line for a bad row) naming the
file, key, row or column, no traceback, no MLflow run left RUNNING, no partial output file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.cli import main

REPO = Path(__file__).resolve().parents[2]
CONFIGS = REPO / "configs"


@dataclass
class Outcome:
    code: int
    out: str
    err: str


def outcome(capsys, args: list[str]) -> Outcome:
    """`ssemo args` in this process; argparse's exit is caught like the shell would see it."""
    capsys.readouterr()
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return Outcome(code, captured.out, captured.err)


def message_lines(err: str, marker: str = "error:") -> list[str]:
    return [line for line in err.splitlines() if marker in line]


def running_runs(store: Path) -> list[str]:
    """Ids of runs still RUNNING in a SQLite tracking store (none when the store does not exist)."""
    if not store.exists():
        return []
    import sqlite3

    with contextlib.closing(sqlite3.connect(store)) as db:
        try:
            rows = db.execute("select run_uuid from runs where status = 'RUNNING'").fetchall()
        except sqlite3.OperationalError:  # no tables yet
            return []
    return [r[0] for r in rows]


def partial_files(folder: Path) -> list[Path]:
    """Temporary or partial files a writer left behind (atomic_write's, write_all's)."""
    if not folder.exists():
        return []
    return [
        p
        for p in folder.rglob("*")
        if p.name.startswith((".partial-", ".write-test-")) or ".tmp" in p.name
    ]


def assert_refused(
    result: Outcome,
    code: int,
    names: str | tuple[str, ...],
    *,
    marker: str = "error:",
    store: Path | None = None,
    outputs: tuple[Path, ...] = (),
    absent: tuple[Path, ...] = (),
) -> None:
    """One failure as a user must see it. names: text(s) the message line must contain (the file,
    key, row or column); outputs: folders that must hold no partial file; absent: paths that must
    not exist (an output that must not have been written)."""
    assert result.code == code, (result.code, result.err[-2000:])
    assert "Traceback" not in result.err and "Traceback" not in result.out
    lines = message_lines(result.err, marker)
    assert len(lines) == 1, result.err[-2000:]
    for name in (names,) if isinstance(names, str) else names:
        assert name in lines[0], (name, lines[0])
    if store is not None:
        assert running_runs(store) == []
    for folder in outputs:
        assert partial_files(folder) == []
    for path in absent:
        assert not path.exists(), path


@contextlib.contextmanager
def read_only(folder: Path):
    """`folder` made unwritable, also for root (chattr +i where chmod does not bind root); skips
    the test where neither is possible."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o555)
    immutable = False
    try:
        if not os.access(folder, os.W_OK) or os.geteuid() != 0:
            yield folder
            return
        chattr = shutil.which("chattr")
        if chattr is None or subprocess.run([chattr, "+i", str(folder)]).returncode != 0:
            pytest.skip("cannot make a folder read-only for root here")
        immutable = True
        yield folder
    finally:
        if immutable:
            subprocess.run([shutil.which("chattr") or "chattr", "-i", str(folder)])
        folder.chmod(0o755)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def _no_mlflow_state_leaks(monkeypatch):
    """Each case sets its own store; MLflow's process-wide URIs are reset afterwards."""
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    monkeypatch.setenv("DO_NOT_TRACK", "true")
    yield
    import mlflow

    if mlflow.active_run():
        mlflow.end_run()
    mlflow.set_tracking_uri(None)
    mlflow.set_registry_uri(None)


# --- a registered surrogate in a throw-away store -------------------------------------------------

MODEL_NAME = "ssemo-conductivity"


def tiny_model(seed: int = 0):
    import numpy as np
    import pandas as pd

    from surrogates.model import ConductivitySurrogate

    rng = np.random.default_rng(seed)
    formulas = ["Li7La3Zr2O12", "Li3PS4", "Li6PS5Cl", "Li1.3Al0.3Ti1.7(PO4)3", "Li3InCl6", "Li3PO4"]
    rows = [(f, t) for f in formulas for t in (280.0, 298.15, 330.0, 360.0)]
    X = pd.DataFrame(rows, columns=["composition", "temperature_k"])
    y = -3.0 - 0.5 * (np.arange(len(X)) // 4) + rng.normal(0, 0.05, len(X))
    model = ConductivitySurrogate(
        model_params={"n_estimators": 8}, descriptors="fractions", random_state=seed
    )
    return model.fit(X, y), X


def register(uri: str, seed: int = 0, alias: str | None = "champion") -> str:
    """Train a tiny surrogate and register it the way `ssemo train` does (skops file, SHA-256 tag);
    returns its version."""
    from pipeline.reporting import tracking
    from pipeline.study.config import TrainConfig
    from pipeline.training import _log_model

    model, X = tiny_model(seed)
    config = TrainConfig.from_dict({"mlflow": {"tracking_uri": uri}})
    mlflow = tracking.configure(uri, "ssemo-surrogates")
    with mlflow.start_run(run_name="register"):
        info = _log_model(mlflow, model, X.head(3), config)
    version = str(info.registered_model_version)
    tracking.record_model_hash(uri, MODEL_NAME, version)
    if alias:
        client = mlflow.tracking.MlflowClient(tracking_uri=uri, registry_uri=uri)
        client.set_registered_model_alias(MODEL_NAME, alias, version)
    return version


def model_file(uri: str, version: str) -> Path:
    """The stored model.skops of a registered version (local artifact store)."""
    from urllib.parse import urlparse

    import mlflow

    client = mlflow.tracking.MlflowClient(tracking_uri=uri, registry_uri=uri)
    source = client.get_model_version(MODEL_NAME, version).source
    if source.startswith("models:/"):
        logged = client.get_logged_model(source.removeprefix("models:/"))
        source = logged.artifact_location
    return Path(urlparse(source).path) / "model.skops"


@pytest.fixture(scope="session")
def registered(tmp_path_factory):
    """A store with a registered champion (version 1) and a spare version per model-file case."""
    root = tmp_path_factory.mktemp("registry")
    uri = f"sqlite:///{root}/mlflow.db"
    versions = [register(uri, seed=i, alias="champion" if i == 0 else None) for i in range(4)]
    import mlflow

    mlflow.set_tracking_uri(None)
    mlflow.set_registry_uri(None)
    return {"uri": uri, "root": root, "versions": versions}
