"""MLflow: the one place that imports it. Local SQLite store by default, telemetry off, runs that end
FINISHED or FAILED (never left RUNNING), batched logging, and safe loading of registered models."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pipeline import REPO_ROOT
from pipeline.errors import EnvironmentProblem, SsemoError

# The allow-list of model types lives in code (surrogates/persistence.py), never in the artifact.
from surrogates.errors import ModelRefusedError
from surrogates.persistence import check_trusted, load_model, sha256_file

__all__ = ["ModelRefusedError", "check_trusted"]

# Model-version tag holding the SHA-256 of the registered model.skops, checked at every load.
MODEL_HASH_TAG = "ssemo.model_sha256"
# Seconds a tracking server gets to answer the pre-flight check before a run or prediction starts.
PREFLIGHT_TIMEOUT_S = 5.0
# Seconds a process waits for another one initializing the same SQLite store.
STORE_LOCK_TIMEOUT_S = 120.0


class ModelNotFoundError(SsemoError):
    """No model is registered under the name or alias asked for (train one first)."""


EXPERIMENT_KIND_TAG, EXPERIMENT_KIND = "mlflow.experimentKind", "custom_model_development"


class _LoggedAndRaised(logging.Filter):
    """MLflow logs an SQL error of its store with the whole traceback and then raises it; ssemo
    reports the raised error in one line (ssemo --debug shows the traceback), so the logged copy
    is dropped: a full disk must not print a page of SQLAlchemy frames."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("SQLAlchemy database error")


def _quiet() -> None:
    store_log = logging.getLogger("mlflow.store.db.utils")
    if not any(isinstance(f, _LoggedAndRaised) for f in store_log.filters):
        store_log.addFilter(_LoggedAndRaised())
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("DO_NOT_TRACK", "true")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    # MLflow's defaults retry an unreachable server for minutes; a server that stops answering in
    # the middle of a run fails it in seconds instead (jobs retry whole studies, pipeline/jobs/retry)
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "1")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "1")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "10")


# URI schemes both of MLflow's stores (runs and model registry) accept; a database URL may name its
# driver (postgresql+psycopg2://). The file store (file:// or a plain path) is not among them: MLflow
# 3 refuses it unless MLFLOW_ALLOW_FILE_STORE is set, so it would fail at the first write.
STORE_SCHEMES = ("sqlite", "http", "https", "postgresql", "mysql", "mssql", "databricks")
# The address of the MLflow UI that `make ui` serves over a local store (Makefile: ui), and the
# store it serves by default (Makefile: MLFLOW_URI).
UI_ADDRESS = "http://127.0.0.1:5000"
DEFAULT_URI = "sqlite:///mlflow.db"
# The first bytes of every SQLite 3 database file (sqlite.org/fileformat.html, section 1.3).
SQLITE_HEADER = b"SQLite format 3\x00"


# MLflow's rules for a registered model's name and alias (mlflow/utils/validation.py:
# _validate_model_name, _validate_model_alias_name, _validate_model_alias_name_reserved), checked
# when a training config loads (pipeline.study.config) so that a bad one is refused before anything
# is trained or registered; a
# name also has no '@' (it separates the alias in models:/<name>@<alias> and --model name@alias),
# '%' or '\\' (MLflow's file store refuses them).
MODEL_NAME_FORBIDDEN = "/:@%\\"
MAX_MODEL_NAME_LENGTH = 256  # MLflow's registered_models.name column
ALIAS_PATTERN = re.compile(r"[\w\-]{1,255}")
VERSION_ALIAS = re.compile(r"[vV]\d+")  # MLflow reserves these for versions (models:/m@v3)


def registered_model_problem(name: str) -> str | None:
    """What is wrong with a registered model name for MLflow and ssemo, or None."""
    expected = (
        f"expected a model name of 1-{MAX_MODEL_NAME_LENGTH} printable characters without "
        "'/', ':', '@', '%' or '\\' (MLflow's rule; '@' separates the alias), not '.' or '..'"
    )
    bad = [c for c in MODEL_NAME_FORBIDDEN if c in name]
    if (
        not name.strip()
        or bad
        or len(name) > MAX_MODEL_NAME_LENGTH
        or not name.isprintable()
        or name in (".", "..")
    ):
        return f"{expected}, got {name!r}"
    return None


def alias_problem(alias: str) -> str | None:
    """What is wrong with a registered model alias for MLflow, or None."""
    if not ALIAS_PATTERN.fullmatch(alias):
        return (
            f"expected an alias of 1-255 letters, digits, '_' or '-' (MLflow's rule), got {alias!r}"
        )
    if alias.lower() == "latest" or VERSION_ALIAS.fullmatch(alias):
        return (
            f"expected an alias other than 'latest' and 'v<number>', which MLflow reserves for "
            f"model versions, got {alias!r}"
        )
    return None


def tracking_uri_problem(tracking_uri: object) -> str | None:
    """What is wrong with a tracking URI's form (None when MLflow can use it): an unknown scheme
    otherwise fails deep inside MLflow. The caller adds the key or flag it came from."""
    from urllib.parse import urlsplit

    if not isinstance(tracking_uri, str) or not tracking_uri.strip():
        return f"expected a tracking URI, got {tracking_uri!r}"
    scheme = urlsplit(tracking_uri).scheme.lower().split("+", 1)[0]
    if scheme in ("", "file"):
        return (
            f"{tracking_uri!r} is MLflow's file store, which MLflow 3 refuses: expected "
            "sqlite:///<file> (a local store) or http://<host>:<port> (a tracking server)"
        )
    if scheme not in STORE_SCHEMES:
        return (
            f"unknown scheme {scheme + ':'!r} in tracking URI {tracking_uri!r}: expected "
            "sqlite:///<file> (a local store), http://<host>:<port> (a tracking server) or a "
            "database URL (postgresql://, mysql://, mssql://)"
        )
    if scheme == "sqlite" and not tracking_uri.startswith("sqlite:///"):
        return f"expected sqlite:///<file> (three slashes), got {tracking_uri!r}"
    return None


def check_store(tracking_uri: str, timeout_s: float = PREFLIGHT_TIMEOUT_S) -> None:
    """Pre-flight: the URI has a scheme MLflow knows (else SsemoError, exit 2); a tracking server
    answers within timeout_s; a SQLite store is a SQLite file, whole, or can be created in a
    writable folder. Otherwise one EnvironmentProblem line, before any work is done."""
    problem = tracking_uri_problem(tracking_uri)
    if problem is not None:
        raise SsemoError(problem)
    if tracking_uri.startswith(("http://", "https://")):
        import http.client
        import urllib.error
        import urllib.request

        url = tracking_uri.rstrip("/") + "/health"
        try:
            with urllib.request.urlopen(url, timeout=timeout_s):
                pass
        except urllib.error.HTTPError:
            pass  # it answered: reachable (a proxy or another server version may lack /health)
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            raise EnvironmentProblem(
                f"tracking server {tracking_uri} is unreachable ({reason}); start it (make "
                "mlflow-server) or set tracking_uri to a reachable server or a sqlite:/// store"
            ) from None
    elif (path := _sqlite_path(tracking_uri)) is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise EnvironmentProblem(
                f"tracking store {tracking_uri}: cannot create folder {path.parent} ({exc.strerror})"
            ) from None
        _check_sqlite_file(tracking_uri, path)


def _check_sqlite_file(tracking_uri: str, path: Path) -> None:
    """A SQLite store's file, checked before SQLAlchemy opens it: MLflow retries a file it cannot
    open for 100 s and reports a garbage or cut file as an SQL error. An absent or empty file is
    a new store (its folder must be writable)."""
    where = f"tracking store {tracking_uri}"
    if not path.exists():
        from pipeline.files import ensure_writable

        ensure_writable(path.parent, f"the folder of {where}")  # SQLite must create the file
        return
    if not path.is_file():
        raise EnvironmentProblem(
            f"{where}: {path} is a directory, not a SQLite file; point tracking_uri at a file "
            "(sqlite:///<folder>/mlflow.db)"
        )
    try:
        with path.open("rb") as f:
            header = f.read(100)
        size = path.stat().st_size
    except OSError as exc:
        raise EnvironmentProblem(f"{where}: cannot read {path} ({exc.strerror})") from None
    if not header:
        return  # an empty file: SQLite makes it a new database
    move_aside = "move it aside (or restore a backup) and rerun: a new store is created"
    if not header.startswith(SQLITE_HEADER[: len(header)]):
        raise EnvironmentProblem(f"{where}: {path} is not a SQLite database; {move_aside}")
    if len(header) < 100:
        raise EnvironmentProblem(
            f"{where}: {path} is truncated ({size} bytes, not even a SQLite header); {move_aside}"
        )
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # the page count in the header is valid when its version-valid-for number equals the change
    # counter (file format, 1.3.7); a write-ahead log may hold pages the main file has not yet
    header_valid = header[24:28] == header[92:96] and pages > 0
    wal = path.with_name(path.name + "-wal")
    if header_valid and not wal.exists() and size < pages * page_size:
        raise EnvironmentProblem(
            f"{where}: {path} is truncated ({size} bytes of the {pages * page_size} its header "
            f"records); {move_aside}"
        )


def store_failure(exc: BaseException) -> str | None:
    """One line for a tracking store that failed while being written or read (a full disk, a
    file-size limit, a damaged or read-only file), or None when `exc` is not such a failure.
    MLflow and SQLAlchemy raise these as long multi-line SQL errors."""
    text = " ".join(str(exc).split()).lower()
    causes = (
        (
            ("database or disk is full", "file too large", "no space left"),
            "the disk is full "
            "or a file-size limit was reached: free space (or raise the limit) and rerun",
        ),
        (
            ("disk i/o error",),
            "a write failed (disk I/O error: a full disk, a file-size limit or "
            "a failing disk): free space (or raise the limit) and rerun",
        ),
        (
            ("readonly database", "read-only database"),
            "the store's file is read-only: make it writable or point tracking_uri elsewhere",
        ),
        (
            ("database disk image is malformed", "file is not a database"),
            "the store's file is damaged: move it aside (or restore a backup) and rerun",
        ),
        (
            ("unable to open database file",),
            "the store's file cannot be opened: check its folder's permissions",
        ),
    )
    for needles, advice in causes:
        if any(needle in text for needle in needles):
            where = _active_store()
            return f"tracking store{' ' + where if where else ''} failed: {advice}"
    return None


def _active_store() -> str:
    """The tracking URI MLflow points at in this process ('' before MLflow is imported)."""
    import sys

    mlflow = sys.modules.get("mlflow")
    if mlflow is None:
        return ""
    try:
        return str(mlflow.get_tracking_uri())
    except Exception:  # only for a message
        return ""


def _sqlite_path(tracking_uri: str) -> Path | None:
    """The database file of a sqlite:/// store (None for other stores and in-memory SQLite)."""
    if not tracking_uri.startswith("sqlite:///"):
        return None
    name = tracking_uri.removeprefix("sqlite:///").split("?", 1)[0]
    return Path(name) if name and name != ":memory:" else None


@contextlib.contextmanager
def store_lock(tracking_uri: str, timeout_s: float = STORE_LOCK_TIMEOUT_S) -> Iterator[None]:
    """Serialize store initialization (MLflow's table creation and migrations) and experiment
    creation between processes: a kernel flock on `<store>.lock` beside a SQLite store (released
    even if the holder is killed). Other stores need none: their server serializes."""
    import fcntl

    path = _sqlite_path(tracking_uri)
    if path is None:
        yield
        return
    lock = path.with_name(path.name + ".lock")
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise EnvironmentProblem(
            f"tracking store {tracking_uri}: cannot create lock {lock} ({exc.strerror})"
        ) from None
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise EnvironmentProblem(
                        f"tracking store {tracking_uri}: {lock} held by another process for "
                        f"more than {timeout_s:g} s"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


# Stores this process has opened (URI -> the SQLite file's identity, () for other stores): every
# later open_store of the same store is a lookup, not a new round of checks.
_OPENED: dict[str, tuple[int, ...]] = {}


def _identity(tracking_uri: str) -> tuple[int, ...] | None:
    """(device, inode) of a SQLite store's file, () for other stores, None when the file is absent."""
    path = _sqlite_path(tracking_uri)
    if path is None:
        return ()
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def open_store(tracking_uri: str):
    """The one way ssemo opens a tracking store (run, studies, jobs, train, predict, suggest,
    compare): pre-flight it, then point MLflow at it and create or check its tables under the
    store lock, so that two processes starting on a fresh SQLite store never both run MLflow's
    migrations (one then fails, or both leave a half-created store); returns the mlflow module.

    A store left half-created or at another schema version is refused with what to do. Store
    failures are one EnvironmentProblem line, never an SQL dump."""
    mlflow = mlflow_module()
    if tracking_uri in _OPENED and _OPENED[tracking_uri] == _identity(tracking_uri):
        mlflow.set_tracking_uri(tracking_uri)
        mlflow.set_registry_uri(tracking_uri)
        return mlflow
    check_store(tracking_uri)
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_registry_uri(tracking_uri)
    from mlflow.exceptions import MlflowException

    with store_lock(tracking_uri):
        if (path := _sqlite_path(tracking_uri)) is not None:
            _check_schema(tracking_uri, path)
        try:
            client = mlflow.tracking.MlflowClient(
                tracking_uri=tracking_uri, registry_uri=tracking_uri
            )
            client.search_experiments(max_results=1)
            client.search_registered_models(max_results=1)
        except Exception as exc:
            line = store_failure(exc)
            if line is not None:
                raise EnvironmentProblem(line) from None
            if isinstance(exc, MlflowException) and "schema" in str(exc).lower():
                raise EnvironmentProblem(
                    f"tracking store {tracking_uri}: {' '.join(str(exc).split())[:300]}"
                ) from None
            raise
        identity = _identity(tracking_uri)
        if identity is not None:
            _OPENED[tracking_uri] = identity
    return mlflow


def store_client(tracking_uri: str):
    """An MlflowClient on the store (runs and registry), opened through open_store."""
    mlflow = open_store(tracking_uri)
    return mlflow.tracking.MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)


def _check_schema(tracking_uri: str, path: Path) -> None:
    """Refuse, with what to do, a SQLite store whose MLflow tables a crash left half-created (a
    process killed while MLflow created or migrated them) or that another MLflow version wrote:
    MLflow itself would rerun its migrations on it and fail on every later run with an SQL error.
    A new (absent or empty) store passes: MLflow creates it, under the store lock."""
    import sqlite3

    where = f"tracking store {tracking_uri}"
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        with contextlib.closing(
            sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
        ) as db:
            tables = {
                row[0] for row in db.execute("select name from sqlite_master where type='table'")
            }
            revision = None
            if "alembic_version" in tables:
                row = db.execute("select version_num from alembic_version").fetchone()
                revision = row[0] if row else None
            runs = db.execute("select count(*) from runs").fetchone()[0] if "runs" in tables else 0
    except sqlite3.DatabaseError as exc:
        line = store_failure(exc) or f"{where}: cannot read {path} ({exc})"
        raise EnvironmentProblem(line.replace("tracking store failed", f"{where} failed")) from None
    mlflow_tables = {t for t in tables if not t.startswith(("alembic_", "sqlite_"))}
    if not mlflow_tables:
        return  # nothing created yet (or only alembic's bookkeeping): MLflow starts afresh
    try:
        from mlflow.store.db.base_sql_model import Base
        from mlflow.store.db.utils import _get_latest_schema_revision

        head = _get_latest_schema_revision()
        expected = set(Base.metadata.tables)
    except Exception:  # MLflow internals moved: leave the check to MLflow
        return
    if revision == head and expected <= mlflow_tables:
        return
    holds = f"holds {runs} run(s)" if runs else "holds no runs"
    upgrade = f"back it up, then run .venv/bin/mlflow db upgrade {tracking_uri}"
    if revision is None or not expected <= mlflow_tables:
        missing = len(expected - mlflow_tables)
        raise EnvironmentProblem(
            f"{where}: {path} is half-created ({missing} of MLflow's tables missing, schema "
            f"revision {revision or 'none'}: its creation or an upgrade was interrupted, e.g. a "
            f"process killed) and {holds}: "
            + (f"{upgrade}, or move it aside for a new store" if runs else "delete it and rerun")
        )
    raise EnvironmentProblem(
        f"{where}: {path} is at schema revision {revision}, this MLflow expects {head} (another "
        f"MLflow version wrote it, or an upgrade was interrupted) and {holds}: {upgrade} (or "
        "move it aside for a new store)"
    )


def mlflow_module():
    _quiet()
    import mlflow

    return mlflow


def configure(tracking_uri: str, experiment: str):
    """Point MLflow at the store and experiment (created if new, under the store lock; a creation
    race with a process on another store lock or server is retried); returns the mlflow module."""
    from mlflow.exceptions import MlflowException

    mlflow = open_store(tracking_uri)
    for attempt in range(3):
        try:
            with store_lock(tracking_uri):
                _create_experiment(mlflow, tracking_uri, experiment)
            break
        except MlflowException as exc:
            text = str(exc).lower()
            if attempt == 2 or not ("already exists" in text or "unique constraint" in text):
                raise
            time.sleep(0.2)
    return mlflow


def _create_experiment(mlflow, tracking_uri: str, experiment: str) -> None:
    store = _sqlite_path(tracking_uri)
    if mlflow.get_experiment_by_name(experiment) is None and store is not None:
        # keep artifacts beside the SQLite store, not in whatever folder the job was started from
        location = store.resolve().parent / "mlartifacts" / experiment
        mlflow.create_experiment(experiment, artifact_location=location.as_uri())
    found = mlflow.set_experiment(experiment)
    if found.tags.get(EXPERIMENT_KIND_TAG) != EXPERIMENT_KIND:
        # without it MLflow 3's UI opens an experiment in its GenAI (traces) view, not on the runs
        mlflow.set_experiment_tag(EXPERIMENT_KIND_TAG, EXPERIMENT_KIND)


def ui_link(experiment_id: str, tracking_uri: str = "") -> str:
    """The MLflow UI page of an experiment's runs table. `workflowType=machine_learning` matters:
    without it MLflow 3's UI opens on its GenAI overview (traces, an assistant), not on the runs.
    A tracking server serves its own UI at its address; a local store's UI is `make ui`'s."""
    base = UI_ADDRESS
    if tracking_uri.startswith(("http://", "https://")):
        base = tracking_uri.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    return f"{base}/#/experiments/{experiment_id}/runs?workflowType=machine_learning"


def ui_hint(experiment_id: str, tracking_uri: str) -> str:
    """How to see a run: the runs-table link, after `make ui` for a local store (naming the store
    when it is not the Makefile's default)."""
    link = ui_link(experiment_id, tracking_uri)
    if tracking_uri.startswith(("http://", "https://")):
        return f"open {link}"
    make_ui = "make ui" if tracking_uri == DEFAULT_URI else f"make ui MLFLOW_URI={tracking_uri}"
    return f"start the UI with `{make_ui}`, then open {link}"


def ui_links(tracking_uri: str) -> list[tuple[str, str]]:
    """(experiment name, runs-table link) of every experiment in the store but MLflow's empty
    'Default', in the order they were created."""
    experiments = store_client(tracking_uri).search_experiments(order_by=["creation_time ASC"])
    return [
        (e.name, ui_link(e.experiment_id, tracking_uri)) for e in experiments if e.name != "Default"
    ]


def code_version() -> str:
    """git describe of the working tree (with -dirty), or the package version outside git."""
    root = REPO_ROOT
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
        )
        if out.returncode == 0 and out.stdout.strip():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    from pipeline import __version__

    return __version__


@contextlib.contextmanager
def sigterm_as_exception() -> Iterator[None]:
    """Turn SIGTERM into an exception so an active MLflow run is closed as FAILED, not left RUNNING."""

    import threading

    if threading.current_thread() is not threading.main_thread():  # e.g. a Dask worker thread
        yield
        return

    def handler(signum, frame):
        raise KeyboardInterrupt(f"terminated by signal {signum}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def flatten(mapping: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested config -> {'a.b.c': 'value'} with MLflow-safe values."""
    out: dict[str, str] = {}
    for key, value in mapping.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out.update(flatten(value, name + "."))
        elif isinstance(value, Mapping):  # an empty section is still a setting
            out[name] = "{}"
        elif isinstance(value, list | tuple):
            out[name] = ",".join(map(str, value))
        else:
            out[name] = str(value)
    return out


def log_batch(
    mlflow,
    params: Mapping[str, Any] | None = None,
    metrics: Mapping[str, float] | None = None,
    tags: Mapping[str, str] | None = None,
    step: int | None = None,
) -> None:
    """One call for many values (each MLflow call costs ~2 ms on SQLite)."""
    import time

    from mlflow.entities import Metric, Param, RunTag

    run = mlflow.active_run()
    now = int(time.time() * 1000)
    mlflow.tracking.MlflowClient().log_batch(
        run.info.run_id,
        metrics=[Metric(k, float(v), now, step or 0) for k, v in (metrics or {}).items()],
        params=[Param(k, str(v)[:6000]) for k, v in (params or {}).items()],
        tags=[RunTag(k, str(v)) for k, v in (tags or {}).items()],
    )


def _registered_version(client, model_uri: str):
    """The ModelVersion behind 'models:/name@alias' or 'models:/name/N' (MlflowException if none)."""
    name_part = model_uri.removeprefix("models:/")
    if "@" in name_part:
        name, alias = name_part.split("@", 1)
        return client.get_model_version_by_alias(name, alias)
    name, _, version = name_part.rpartition("/")
    return client.get_model_version(name, version)


def record_model_hash(tracking_uri: str, name: str, version: str) -> str:
    """Tag registered model version `version` of `name` with the SHA-256 of its model.skops, as
    stored: every later load checks the file against it. Returns the digest."""
    import tempfile

    mlflow = open_store(tracking_uri)
    uri = f"models:/{name}/{version}"
    with tempfile.TemporaryDirectory(prefix="ssemo-model-") as tmp:
        local = mlflow.artifacts.download_artifacts(
            artifact_uri=uri, tracking_uri=tracking_uri, dst_path=tmp
        )
        digest = sha256_file(Path(local) / "model.skops")
    store_client(tracking_uri).set_model_version_tag(name, str(version), MODEL_HASH_TAG, digest)
    return digest


def load_registered_model(tracking_uri: str, model_uri: str):
    """Load a registered surrogate (e.g. 'models:/ssemo-conductivity@champion') without pickle.

    The store is checked first (a server that does not answer fails in seconds); the model file
    must have the SHA-256 recorded at registration and contain only the types of ssemo's exact
    allow-list (surrogates/persistence.py), never a list read from the artifact.
    """
    import re
    import tempfile

    if not re.fullmatch(r"models:/[^/@]+(@[^/@]+|/[0-9]+)", model_uri):
        raise SsemoError(
            f"model {model_uri!r}: expected models:/<name>@<alias> or models:/<name>/<version>"
        )
    database = _sqlite_path(tracking_uri)
    if database is not None and not database.is_file():
        # reading must not create an empty store (MLflow would, in whatever folder this runs)
        raise ModelNotFoundError(
            f"cannot load model {model_uri!r} from {tracking_uri}: {database.resolve()} does not "
            "exist (a relative sqlite path is read from the working directory; run from the "
            "project folder, or train one first: `ssemo train --config "
            "configs/train_default.yaml`, about a minute, or `make train` to tune one)"
        )
    mlflow = open_store(tracking_uri)
    from mlflow.exceptions import MlflowException

    client = mlflow.tracking.MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
    with tempfile.TemporaryDirectory(prefix="ssemo-model-") as tmp:
        try:
            version = _registered_version(client, model_uri)
            local = Path(
                mlflow.artifacts.download_artifacts(
                    artifact_uri=model_uri, tracking_uri=tracking_uri, dst_path=tmp
                )
            )
        except MlflowException as exc:
            text = str(exc.message).strip()
            raise ModelNotFoundError(
                f"cannot load model {model_uri!r} from {tracking_uri}: "
                f"{text.splitlines()[0] if text else type(exc).__name__}. "
                "Train one first: `ssemo train --config configs/train_default.yaml` (about a minute; "
                "`make train` tunes one, longer)."
            ) from None
        source = f"model {model_uri} (version {version.version})"
        path = local / "model.skops"
        if not path.is_file():
            raise ModelRefusedError(f"{source}: no model.skops in the artifact")
        return load_model(path, version.tags.get(MODEL_HASH_TAG), source)


def model_version(tracking_uri: str, model_uri: str) -> str:
    """Version number behind 'models:/name@alias' (or the version in 'models:/name/3')."""
    return str(_registered_version(store_client(tracking_uri), model_uri).version)


class StudyRecorder:
    """One study's MLflow run: per-generation metrics while the search runs, summary at the end.

    `on_generation` is a search callback: it buffers the generation's figures (`gen.<name>`, with
    the generation as step) and sends them in one batch every `flush_every` generations, so the UI
    shows the search's progress live while each generation costs no extra round trip to the store.
    """

    def __init__(
        self, mlflow, run_id: str, flush_every: int = 10, hypervolume_metric: str = "hypervolume"
    ) -> None:
        self.mlflow, self.run_id, self.flush_every = mlflow, run_id, flush_every
        self.experiment_id: str | None = None  # set by study_run: the UI link names it
        # the generation's 'hypervolume' is logged under this name (it carries the objective set)
        self.names = {"hypervolume": hypervolume_metric}
        self._pending: list[dict[str, float]] = []

    def on_generation(self, gen) -> None:
        self._pending.append(dict(gen.record))
        if len(self._pending) >= self.flush_every:
            self.flush()

    def flush(self) -> None:
        import time

        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        batch = [
            Metric(f"gen.{self.names.get(key, key)}", float(value), now, int(record["generation"]))
            for record in self._pending
            for key, value in record.items()
            if key != "generation"
        ]
        client = self.mlflow.tracking.MlflowClient()
        for i in range(0, len(batch), 1000):  # MLflow takes at most 1000 metrics per batch
            client.log_batch(self.run_id, metrics=batch[i : i + 1000])
        self._pending.clear()

    def start(self, params: Mapping[str, Any], tags: Mapping[str, str]) -> None:
        items = list(params.items())
        for i in range(0, len(items), 100):  # MLflow takes at most 100 params per batch
            log_batch(self.mlflow, params=dict(items[i : i + 100]))
        log_batch(self.mlflow, tags=tags)

    def finish(
        self, metrics: Mapping[str, float], tags: Mapping[str, str], artifacts: list[Path]
    ) -> None:
        self.flush()
        log_batch(self.mlflow, metrics=metrics, tags=tags)
        for path in artifacts:  # at the top of the run's artifacts: the UI shows them at once
            self.mlflow.log_artifact(str(path))


class NullRecorder:
    """Stands in for StudyRecorder when tracking is off."""

    run_id = None
    experiment_id = None

    def on_generation(self, gen) -> None:
        pass

    def start(self, params, tags) -> None:
        pass

    def finish(self, metrics, tags, artifacts) -> None:
        pass


@contextlib.contextmanager
def study_run(
    enabled: bool,
    tracking_uri: str,
    experiment: str,
    run_name: str,
    hypervolume_metric: str = "hypervolume",
    study: str | None = None,
):
    """A StudyRecorder inside an MLflow run that ends FINISHED, or FAILED on any exception or
    SIGTERM; a NullRecorder when tracking is off. hypervolume_metric: the per-generation
    hypervolume's metric name (gen.<name>). study: the study's name; RUNNING runs of it whose
    process died (kill -9, power cut) are closed as FAILED first (close_dead_runs)."""
    with sigterm_as_exception():
        if not enabled:
            yield NullRecorder()
            return
        mlflow = configure(tracking_uri, experiment)
        owner = {"ssemo.pid": str(os.getpid()), "ssemo.host": socket.gethostname()}
        if study is not None:
            owner["ssemo.study"] = study
            close_dead_runs(mlflow, experiment, study)
        with mlflow.start_run(run_name=run_name, tags=owner) as run:
            recorder = StudyRecorder(mlflow, run.info.run_id, hypervolume_metric=hypervolume_metric)
            recorder.experiment_id = run.info.experiment_id
            yield recorder


def close_dead_runs(mlflow, experiment: str, study: str) -> list[str]:
    """Close as FAILED the RUNNING runs of `study` whose process (tags ssemo.pid, ssemo.host) is no
    longer alive on this machine: a killed run cannot close itself. Runs of live processes, of
    other machines, or without those tags are left alone. Returns the closed run ids."""
    from pipeline.files import process_alive

    client = mlflow.tracking.MlflowClient()
    exp = client.get_experiment_by_name(experiment)
    if exp is None:
        return []
    host, closed = socket.gethostname(), []
    for run in client.search_runs(
        [exp.experiment_id],
        filter_string=f"tags.`ssemo.study` = '{study}' and attributes.status = 'RUNNING'",
    ):
        tags = run.data.tags
        pid = tags.get("ssemo.pid", "")
        if tags.get("ssemo.host") != host or not pid.isdigit() or process_alive(int(pid)):
            continue
        client.set_tag(
            run.info.run_id, "ssemo.closed_by", f"pid {os.getpid()}: its process {pid} had died"
        )
        client.set_terminated(run.info.run_id, status="FAILED")
        closed.append(run.info.run_id)
    return closed


def find_study_run(tracking_uri: str, experiment: str, ref: str):
    """An MLflow run by its id, or the latest FINISHED run of the study named `ref` (tag
    ssemo.study) in the experiment; SsemoError naming what was looked for when there is none."""
    store = store_client(tracking_uri)
    from mlflow.exceptions import MlflowException

    if len(ref) == 32 and all(ch in "0123456789abcdef" for ch in ref):
        try:
            return store.get_run(ref)
        except MlflowException:
            pass  # not a run id of this store: try it as a study name
    exp = store.get_experiment_by_name(experiment)
    runs = (
        store.search_runs(
            [exp.experiment_id],
            filter_string=f"tags.`ssemo.study` = '{ref}' and attributes.status = 'FINISHED'",
            order_by=["attributes.start_time DESC"],
            max_results=1,
        )
        if exp is not None and "'" not in ref
        else []
    )
    if not runs:
        raise SsemoError(
            f"no run {ref!r} in {tracking_uri} (experiment {experiment!r}): give a run id or the "
            "name of a study with a finished run"
        )
    return runs[0]


def download_run_file(tracking_uri: str, run_id: str, name: str, directory: Path) -> Path:
    """One file a study run logged (at the top of its artifacts, or under results/ as runs logged
    before the artifacts moved there)."""
    mlflow = open_store(tracking_uri)
    from mlflow.exceptions import MlflowException

    directory.mkdir(parents=True, exist_ok=True)
    for where in (name, f"results/{name}"):
        try:
            return Path(
                mlflow.artifacts.download_artifacts(
                    run_id=run_id,
                    artifact_path=where,
                    dst_path=str(directory),
                    tracking_uri=tracking_uri,
                )
            )
        except (MlflowException, OSError):
            continue
    raise SsemoError(f"run {run_id} has no artifact {name} (was it logged by ssemo run?)")


def log_files(tracking_uri: str, run_id: str, paths: list[Path], artifact_path: str) -> None:
    """Attach files to an existing (possibly finished) run, under artifact_path."""
    store = store_client(tracking_uri)
    for path in paths:
        store.log_artifact(run_id, str(path), artifact_path)
