"""MLflow: the one place that imports it. Local SQLite store by default, telemetry off, runs that end
FINISHED or FAILED (never left RUNNING), batched logging, and safe loading of registered models."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pipeline import REPO_ROOT
from pipeline.errors import SsemoError

# Types the conductivity surrogate is made of. A model file asking for anything else is refused:
# the allow-list lives here, in code, not in the (possibly tampered) artifact.
TRUSTED_TYPE_PREFIXES = ("surrogates.", "sklearn.", "numpy.", "scipy.")


EXPERIMENT_KIND_TAG, EXPERIMENT_KIND = "mlflow.experimentKind", "custom_model_development"


def _quiet() -> None:
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("DO_NOT_TRACK", "true")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")


def mlflow_module():
    _quiet()
    import mlflow

    return mlflow


def configure(tracking_uri: str, experiment: str):
    """Point MLflow at the store and experiment; returns the mlflow module."""
    mlflow = mlflow_module()
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_registry_uri(tracking_uri)
    if mlflow.get_experiment_by_name(experiment) is None and tracking_uri.startswith("sqlite:///"):
        # keep artifacts beside the SQLite store, not in whatever folder the job was started from
        store = Path(tracking_uri.removeprefix("sqlite:///")).resolve()
        mlflow.create_experiment(
            experiment, artifact_location=(store.parent / "mlartifacts" / experiment).as_uri()
        )
    found = mlflow.set_experiment(experiment)
    if found.tags.get(EXPERIMENT_KIND_TAG) != EXPERIMENT_KIND:
        # without it MLflow 3's UI opens an experiment in its GenAI (traces) view, not on the runs
        mlflow.set_experiment_tag(EXPERIMENT_KIND_TAG, EXPERIMENT_KIND)
    return mlflow


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


def check_trusted(types: list[str]) -> list[str]:
    bad = [t for t in types if not t.startswith(TRUSTED_TYPE_PREFIXES)]
    if bad:
        raise SsemoError(
            f"model file needs types outside the trusted list {TRUSTED_TYPE_PREFIXES}: {bad}"
        )
    return types


def load_registered_model(tracking_uri: str, model_uri: str):
    """Load a registered surrogate (e.g. 'models:/ssemo-conductivity@champion') without pickle.

    The skops file is read with an allow-list defined in this module, never the artifact's own.
    """
    mlflow = mlflow_module()
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_registry_uri(tracking_uri)
    import skops.io as sio
    from mlflow.exceptions import MlflowException

    try:
        local = Path(mlflow.artifacts.download_artifacts(artifact_uri=model_uri))
    except MlflowException as exc:
        raise SsemoError(
            f"cannot load model {model_uri!r} from {tracking_uri}: {exc.message}. "
            "Train one first with `make train` (ssemo train)."
        ) from None
    path = local / "model.skops"
    if not path.exists():
        raise SsemoError(
            f"{model_uri}: no model.skops in the artifact (was it logged by ssemo train?)"
        )
    trusted = check_trusted(sio.get_untrusted_types(file=str(path)))
    return sio.load(str(path), trusted=trusted)


def model_version(tracking_uri: str, model_uri: str) -> str:
    """Version number behind 'models:/name@alias' (or the version in 'models:/name/3')."""
    mlflow = mlflow_module()
    mlflow.set_tracking_uri(tracking_uri)
    name_part = model_uri.removeprefix("models:/")
    client = mlflow.tracking.MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
    if "@" in name_part:
        name, alias = name_part.split("@", 1)
        return str(client.get_model_version_by_alias(name, alias).version)
    return name_part.rsplit("/", 1)[-1]


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
):
    """A StudyRecorder inside an MLflow run that ends FINISHED, or FAILED on any exception or
    SIGTERM; a NullRecorder when tracking is off. hypervolume_metric: the per-generation
    hypervolume's metric name (gen.<name>)."""
    with sigterm_as_exception():
        if not enabled:
            yield NullRecorder()
            return
        mlflow = configure(tracking_uri, experiment)
        with mlflow.start_run(run_name=run_name) as run:
            yield StudyRecorder(mlflow, run.info.run_id, hypervolume_metric=hypervolume_metric)


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
