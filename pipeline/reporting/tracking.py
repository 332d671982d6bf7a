"""MLflow: the one place that imports it. Local SQLite store by default, telemetry off, runs that end
FINISHED or FAILED (never left RUNNING), batched logging, and safe loading of registered models."""

from __future__ import annotations

import contextlib
import os
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
from surrogates.persistence import ModelRefusedError, check_trusted, load_model, sha256_file

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


def _quiet() -> None:
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("DO_NOT_TRACK", "true")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    # MLflow's defaults retry an unreachable server for minutes; a server that stops answering in
    # the middle of a run fails it in seconds instead (jobs retry whole studies, pipeline/jobs/retry)
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "1")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "1")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "10")


def check_store(tracking_uri: str, timeout_s: float = PREFLIGHT_TIMEOUT_S) -> None:
    """Pre-flight: a tracking server answers within timeout_s, a SQLite store's folder exists or
    can be made. Otherwise one EnvironmentProblem line, before any work is done."""
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


def open_store(tracking_uri: str):
    """Pre-flight the store, then point MLflow at it and initialize its tracking and registry
    tables under the store lock (two processes creating a fresh SQLite store at once otherwise
    both run MLflow's migrations and one fails); returns the mlflow module."""
    check_store(tracking_uri)
    mlflow = mlflow_module()
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_registry_uri(tracking_uri)
    with store_lock(tracking_uri):
        client = mlflow.tracking.MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
        client.search_experiments(max_results=1)
        client.search_registered_models(max_results=1)
    return mlflow


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

    mlflow = mlflow_module()
    uri = f"models:/{name}/{version}"
    with tempfile.TemporaryDirectory(prefix="ssemo-model-") as tmp:
        local = mlflow.artifacts.download_artifacts(
            artifact_uri=uri, tracking_uri=tracking_uri, dst_path=tmp
        )
        digest = sha256_file(Path(local) / "model.skops")
    client = mlflow.tracking.MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
    client.set_model_version_tag(name, str(version), MODEL_HASH_TAG, digest)
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
                "Train one first with `make train` (ssemo train)."
            ) from None
        source = f"model {model_uri} (version {version.version})"
        path = local / "model.skops"
        if not path.is_file():
            raise ModelRefusedError(f"{source}: no model.skops in the artifact")
        return load_model(path, version.tags.get(MODEL_HASH_TAG), source)


def model_version(tracking_uri: str, model_uri: str) -> str:
    """Version number behind 'models:/name@alias' (or the version in 'models:/name/3')."""
    mlflow = mlflow_module()
    mlflow.set_tracking_uri(tracking_uri)
    client = mlflow.tracking.MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
    return str(_registered_version(client, model_uri).version)


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
            yield StudyRecorder(mlflow, run.info.run_id, hypervolume_metric=hypervolume_metric)


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
    mlflow = mlflow_module()
    client = mlflow.tracking.MlflowClient(tracking_uri=tracking_uri)
    from mlflow.exceptions import MlflowException

    if len(ref) == 32 and all(ch in "0123456789abcdef" for ch in ref):
        try:
            return client.get_run(ref)
        except MlflowException:
            pass  # not a run id of this store: try it as a study name
    exp = client.get_experiment_by_name(experiment)
    runs = (
        client.search_runs(
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
    mlflow = mlflow_module()
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
    client = mlflow_module().tracking.MlflowClient(tracking_uri=tracking_uri)
    for path in paths:
        client.log_artifact(run_id, str(path), artifact_path)
