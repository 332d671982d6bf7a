"""`ssemo train`: load literature data, tune the surrogate with Optuna, record and register it in MLflow.

One parent run per job; a nested run per Optuna trial; then the final model (skops format, signature,
input example), the data hash, the rejects file, parity and calibration plots, and registration under
the configured name with an alias (e.g. `champion`) that the optimizer loads by default.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import tempfile
import time
import warnings
import zlib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import REPO_ROOT
from pipeline.errors import ConfigError, SsemoError
from pipeline.files import escape_problem, to_csv
from pipeline.reporting import tracking
from pipeline.study.config import TrainConfig
from surrogates import datasets
from surrogates.evaluation import cross_validate_and_fit
from surrogates.features import CONTEXT_COLUMNS, STRUCTURE_COLUMNS

INPUT_COLUMNS = ("composition", "temperature_k", *STRUCTURE_COLUMNS, *CONTEXT_COLUMNS)
# What pandas raises reading a file that is not a CSV: undecodable bytes, the parser's errors, an
# empty file, a damaged .gz (BadGzipFile is an OSError; a cut one ends in EOFError or zlib.error),
# a folder (IsADirectoryError).
UNREADABLE = (
    UnicodeDecodeError,
    pd.errors.ParserError,
    pd.errors.EmptyDataError,
    OSError,
    EOFError,
    zlib.error,
)


def _is_sqlite_file(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(16)
    except OSError:  # unreadable here: SQLite will say so with the file's name
        return True
    return not head or head == tracking.SQLITE_HEADER


def _sqlite_path_problem(path: Path) -> str | None:
    """Why a SQLite file cannot be at `path` (a folder there, a file where a folder must be, a
    file that is not SQLite), or None."""
    if path.is_dir():
        return f"{path} is a folder; expected the path of a SQLite file (e.g. {path / 'optuna.db'})"
    if path.is_file() and not _is_sqlite_file(path):
        return (
            f"{path} is not a SQLite file; expected a SQLite file or a path where one can be made"
        )
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if parent.exists() and not parent.is_dir():
        return f"{parent} is a file, not a folder; expected a path whose folders can be made"
    return None


def tuning_storage(config: TrainConfig) -> str | None:
    """The Optuna storage that tuning will use (a bare path resolved against the config's folder,
    or the URL as given), or None without one; a ConfigError naming `tuning.storage` when it
    cannot work: a URL SQLAlchemy cannot parse, a database it does not know or whose driver is not
    installed, a SQLite path that is a folder, not a SQLite file, or under a file."""
    t = config.tuning
    if not t.enabled or not t.storage:
        return None
    key = f"{config.source}: invalid config: key 'tuning.storage'"
    if "://" not in t.storage:
        # a relative path that climbs out of the project is refused, as for output folders
        base = config.resolve_path(".")  # the config file's folder
        if problem := escape_problem("tuning.storage", base, t.storage):
            raise ConfigError(f"{config.source}: invalid config: {problem}")
        path = config.resolve_path(t.storage)
        if (problem := _sqlite_path_problem(path)) is not None:
            raise ConfigError(f"{key}: {problem}")
        return str(path)
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(t.storage)
    except (ArgumentError, ValueError):
        raise ConfigError(
            f"{key}: expected a SQLite file path or a SQLAlchemy database URL "
            f"(dialect+driver://user:password@host:port/database), got {t.storage!r}"
        ) from None
    shown = url.render_as_string(hide_password=True)
    try:
        dialect = url.get_dialect()
    except (ArgumentError, ImportError):  # NoSuchModuleError is an ArgumentError
        raise ConfigError(
            f"{key}: SQLAlchemy knows no database {url.drivername!r} ({shown}); expected a SQLite "
            "file path, sqlite:///<file> or a URL such as postgresql://user@host/db"
        ) from None
    try:
        dialect.import_dbapi()
    except ImportError as exc:
        module = exc.name or str(exc)
        raise ConfigError(
            f"{key}: the database driver of {url.drivername!r} ({shown}) is not installed "
            f"(no module {module!r}); expected a SQLite file path, or install the driver "
            f"(e.g. .venv/bin/pip install {module}) to use this URL"
        ) from None
    database = url.database
    if url.get_backend_name() == "sqlite" and database and database != ":memory:":
        if not database.startswith("file:") and (problem := _sqlite_path_problem(Path(database))):
            raise ConfigError(f"{key}: {problem}")
    return t.storage


def check_config(config: TrainConfig) -> str | None:
    """The checks a training config needs beyond its schema, made before any data is read or any
    store touched: the registered model's name and alias (MLflow's rules) and the Optuna storage.
    Returns the storage tuning will use (tuning_storage)."""
    # the model's name and alias are checked when the config loads (pipeline.study.config,
    # tracking.registered_model_problem / alias_problem: for predict too)
    return tuning_storage(config)


@dataclass
class TrainingData:
    rows: pd.DataFrame
    rejects: pd.DataFrame
    merge_report: datasets.MergeReport
    data_hash: str
    counts: dict[str, int]
    measurements_version: str = "none"  # the measurement store version trained on


def load_training_data(config: TrainConfig) -> TrainingData:
    """Every enabled source, validated and merged; rejects collected with reasons (none dropped silently)."""
    frames, rejects, counts = [], [], {}
    for name in datasets.LOADERS:
        source = getattr(config.data.sources, name)
        if not source.enabled:
            continue
        path = config.resolve_path(source.path)
        kwargs = {"keep_extrapolated": source.keep_extrapolated} if name == "mchaffie" else {}
        try:
            result = datasets.LOADERS[name](path, **kwargs)
        except datasets.DataError as exc:
            raise SsemoError(f"{config.source}: key 'data.sources.{name}': {exc}") from None
        except UNREADABLE as exc:  # binary garbage, a broken .gz, a folder: not a CSV at all
            reason = " ".join(str(exc).split())[:120] or type(exc).__name__
            raise SsemoError(
                f"{config.source}: key 'data.sources.{name}': {path}: not a readable CSV "
                f"({type(exc).__name__}: {reason}); expected a UTF-8 CSV file (or .csv.gz)"
            ) from None
        frames.append(result.rows)
        rejects.append(result.rejects)
        counts[name] = len(result.rows)
        counts[f"{name}_rejected"] = len(result.rejects)
    if not frames:
        raise SsemoError(f"{config.source}: key 'data.sources': no source is enabled")
    merged, report = datasets.merge_duplicates(pd.concat(frames, ignore_index=True))
    rows = datasets.apply_censoring(
        merged, config.data.censored.policy, config.data.censored.value_log10
    )
    rows, version = _with_measurements(config, rows, counts)
    return TrainingData(
        rows,
        pd.concat(rejects, ignore_index=True),
        report,
        datasets.content_hash(rows),
        counts,
        version,
    )


def _with_measurements(
    config: TrainConfig, rows: pd.DataFrame, counts: dict[str, int]
) -> tuple[pd.DataFrame, str]:
    """The training rows plus the lab's measurements (data.sources.measurements), appended after
    the literature is merged so that each keeps its weight (repeated rows), and the store version."""
    source = config.data.sources.measurements
    if not source.enabled:
        return rows, "none"
    from pipeline.campaign.store import MeasurementStore, StoreError, training_rows

    key = f"{config.source}: key 'data.sources.measurements"
    store = MeasurementStore(config.resolve_path(source.path))
    try:
        stored = store.versions()
    except StoreError as exc:
        raise SsemoError(f"{key}': {exc}") from None
    version = measurement_version(source.version)
    if version != "latest" and not stored:  # a pinned version is never silently nothing
        raise SsemoError(
            f"{key}.version': version {source.version!r} is pinned, but {_no_versions(store)}; "
            "expected a version the store holds (ssemo ingest adds them), or 'latest'"
        )
    try:
        label, table, _ = store.read(version)
    except StoreError as exc:  # the store was just checked: the version is not in it
        raise SsemoError(f"{key}.version': {exc}") from None
    extra = training_rows(table, source.weight)
    counts["measurements"] = len(table)
    if not len(extra):
        return rows, label
    extra = extra.reindex(columns=rows.columns)
    rows = pd.concat([rows, extra], ignore_index=True) if len(rows) else extra
    return rows, label


def measurement_version(version: str | int) -> str:
    """The store version a config asks for, as MeasurementStore reads it: 'latest', a label or
    content hash as given, a number (3, "3", "0003", "v0003") as its number."""
    text = str(version).strip()
    number = re.fullmatch(r"[vV]?0*(\d{1,9})", text)
    return str(int(number.group(1))) if number else text


def _no_versions(store) -> str:
    """Why a measurement store has no conductivity version to read."""
    if not store.root.exists():
        return f"the measurement store {store.root} does not exist"
    try:
        catalog_only = bool(store.catalog.versions())
    except SsemoError:
        catalog_only = False
    if catalog_only:
        return (
            f"the measurement store {store.root} holds only catalog measurements "
            "(catalog/), no conductivity measurements"
        )
    return f"the measurement store {store.root} holds no conductivity measurements"


def features_frame(rows: pd.DataFrame) -> pd.DataFrame:
    extra = ("activation_energy_ev", "censored", *datasets.REPORT_COLUMNS)
    cols = [c for c in (*INPUT_COLUMNS, *extra) if c in rows]
    return rows[cols].reset_index(drop=True)


def pip_requirements() -> list[str]:
    names = ("scikit-learn", "numpy", "pandas", "scipy", "skops", "pymatgen-core")
    return [f"{n}=={metadata.version(n)}" for n in names]


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def config_hash(config: TrainConfig) -> str:
    """Hash of the training recipe (data sources, censoring, tuning, and the version of the model's
    own fitting code, so that an upgraded ssemo retrains instead of reusing a model fitted the old
    way), not of where it is recorded."""
    from surrogates import MODEL_VERSION

    recipe = {k: v for k, v in config.to_dict().items() if k != "mlflow"}
    recipe["surrogate_model_version"] = MODEL_VERSION
    return hashlib.sha256(json.dumps(recipe, sort_keys=True, default=str).encode()).hexdigest()


def cached_champion(config: TrainConfig, data_hash: str, recipe: str) -> dict | None:
    """The registered model under the configured alias, if it was trained by this recipe on this
    data (tags of its training run); None when there is none or it differs."""
    import mlflow

    client = mlflow.tracking.MlflowClient(config.mlflow.tracking_uri)
    try:
        version = client.get_model_version_by_alias(
            config.mlflow.registered_model, config.mlflow.alias
        )
        run = client.get_run(str(version.run_id))
    except mlflow.exceptions.MlflowException:
        return None
    tags, metrics = run.data.tags, run.data.metrics
    if tags.get("ssemo.data_hash") != data_hash or tags.get("ssemo.train_config_hash") != recipe:
        return None
    if not version.tags.get(tracking.MODEL_HASH_TAG):  # registered before hashes: loads refuse it
        return None
    _progress(
        f"surrogate up to date: version {version.version} was trained by this recipe on this data "
        f"(hash {data_hash[:12]}); nothing to train"
    )
    return {
        "run_id": version.run_id,
        "experiment_id": run.info.experiment_id,
        "model_uri": f"models:/{config.mlflow.registered_model}@{config.mlflow.alias}",
        "model_version": version.version,
        "data_hash": data_hash,
        "rows": int(metrics.get("data.rows_used", 0)),
        "rejected": int(metrics.get("data.rejected", 0)),
        **{k: metrics[k] for k in metrics if k.startswith("cv_")},
        "cached": True,
    }


def fixed_estimator(seed: int, n_estimators: int | None = None):
    """tuning.enabled: false: ssemo's model with its defaults, a recipe chosen before this data
    was seen (no search on it), seeded; n_estimators (tuning.fixed_n_estimators): trees per forest
    of its log10 σ, Ea and composition-only forests instead of the default."""
    from surrogates.model import ConductivitySurrogate

    _progress("fixed recipe (no tuning): cross-validating and fitting the model")
    if n_estimators is None:
        return ConductivitySurrogate(random_state=seed)
    trees = {"n_estimators": n_estimators}
    return ConductivitySurrogate(model_params=trees, ea_params=trees, random_state=seed)


def _tuned_estimator(X, y, groups, t, storage, log_trial, config: TrainConfig):
    """The Optuna search: (estimator of the best trial, its params, its 1-based number, trials)."""
    from surrogates.tuning import StudyMismatchError, model_from_params, tune

    try:
        study = tune(
            X,
            y,
            groups,
            n_trials=t.n_trials,
            seed=t.seed,
            storage=storage,
            study_name=t.study_name,
            models=t.models,
            n_splits=t.cv_folds,
            cv_repeats=t.cv_repeats,
            callbacks=[log_trial],
            timeout_s=t.timeout_s,
        )
    except StudyMismatchError as exc:
        raise SsemoError(f"{config.source}: key 'tuning.study_name': {exc}") from None
    best = study.best_trial
    _progress(
        f"best trial {best.number + 1}: {best.params}; cross-validating and fitting the final model"
    )
    estimator = model_from_params(best.params, random_state=t.seed)
    return estimator, best.params, best.number + 1, len(study.trials)


def train(config: TrainConfig) -> dict:
    """Run the training job; returns a summary (run id, model version, metrics)."""
    started = time.perf_counter()
    # the config's own checks, then the data: a bad name, storage or file is refused before a
    # store is created or touched
    storage = check_config(config)
    data = load_training_data(config)
    mlflow = tracking.configure(config.mlflow.tracking_uri, config.mlflow.experiment)
    recipe = config_hash(config)
    if not config.tuning.enabled:  # a fixed recipe on the same data gives the same model: reuse it
        cached = cached_champion(config, data.data_hash, recipe)
        if cached is not None:
            return cached
    with tracking.sigterm_as_exception(), mlflow.start_run(run_name="train-conductivity") as parent:
        tracking.log_batch(
            mlflow,
            params=tracking.flatten(config.to_dict()),
            tags={
                "ssemo.job": "train",
                "ssemo.code_version": tracking.code_version(),
                "ssemo.train_config_hash": recipe,
            },
        )
        with tempfile.TemporaryDirectory() as tmp:
            rejects_path = Path(tmp) / "rejects.csv"
            to_csv(data.rejects, rejects_path)
            mlflow.log_artifact(str(rejects_path), artifact_path="data")
        tracking.log_batch(
            mlflow,
            metrics={f"data.{k}": v for k, v in data.counts.items()}
            | {
                "data.rows_used": len(data.rows),
                "data.rejected": len(data.rejects),
                "data.merged_groups": data.merge_report.merged_groups,
                "data.censored_rows": int(data.rows["censored"].sum()),
            },
            tags={
                "ssemo.data_hash": data.data_hash,
                "ssemo.merge_report": data.merge_report.summary(),
                "ssemo.measurements_version": data.measurements_version,
            },
        )
        # the lab's rows are appended after the literature's merge: say so, with their weight
        # (a trial saw only the literature's merge line and could not tell its rows were used)
        lab = data.counts.get("measurements")
        lab_text = (
            f" + {lab} measured row(s) of the store's {data.measurements_version}, each weighted "
            f"{config.data.sources.measurements.weight}x"
            if lab
            else ""
        )
        _progress(
            f"data: {data.merge_report.summary()}{lab_text}; {len(data.rejects)} rejected (the run's "
            f"artifact data/rejects.csv); hash {data.data_hash[:12]}"
        )
        if len(data.rows) < config.data.min_rows:
            raise SsemoError(
                f"{config.source}: only {len(data.rows)} usable rows remain, fewer than "
                f"data.min_rows = {config.data.min_rows}; rejects are logged in run {parent.info.run_id}"
            )

        X = features_frame(data.rows)
        y = data.rows["log10_sigma"].to_numpy(float)
        groups = data.rows["formula_key"].to_numpy()
        t = config.tuning

        def log_trial(study, trial) -> None:
            # trials are numbered from 1 wherever a person reads them (progress lines, run names,
            # best_trial); the tag optuna.trial keeps Optuna's own 0-based number for its storage
            with mlflow.start_run(run_name=f"trial-{trial.number + 1:03d}", nested=True):
                metrics = {"cv_mae": trial.value} if trial.value is not None else {}
                metrics |= {k: v for k, v in trial.user_attrs.items() if isinstance(v, float)}
                tracking.log_batch(
                    mlflow,
                    params=trial.params,
                    metrics=metrics,
                    tags={"optuna.state": trial.state.name, "optuna.trial": str(trial.number)},
                )
            best = (
                study.best_value if any(x.value is not None for x in study.trials) else float("nan")
            )
            if trial.value is None:
                score = ""
            elif trial.state.name == "PRUNED":  # the running MAE when the pruner stopped it
                steps = len(trial.intermediate_values)
                score = (
                    f"at MAE {trial.value:.3f} after {steps} of {t.cv_folds * t.cv_repeats} folds "
                )
            else:
                score = f"MAE {trial.value:.3f} "
            _progress(
                f"trial {trial.number + 1}/{t.n_trials}: {trial.state.name.lower()} {score}"
                f"(best {best:.3f})"
            )

        if storage and "://" not in storage:  # a SQLite file (tuning_storage checked its path)
            Path(storage).parent.mkdir(parents=True, exist_ok=True)
        if not t.enabled:
            estimator = fixed_estimator(t.seed, t.fixed_n_estimators)
            best_params, best_number, n_trials = {}, 0, 0
        else:
            estimator, best_params, best_number, n_trials = _tuned_estimator(
                X, y, groups, t, storage, log_trial, config
            )
        # the reported CV (plots, cv_* metrics) is the first shuffle: one out-of-fold prediction per
        # row; its fold fits and the final fit run side by side on every CPU (same result as in turn)
        cv, model = cross_validate_and_fit(
            estimator, X, y, groups, n_splits=t.cv_folds, seed=t.seed, n_jobs=-1
        )

        with tempfile.TemporaryDirectory() as tmp:
            from pipeline.reporting.plots import calibration_plot, parity_plot

            oof = cv.oof
            oof_path = Path(tmp) / "cv_predictions.csv"
            to_csv(
                data.rows.assign(
                    **{f"cv_{c}": oof[c].to_numpy() for c in ("mean", "std", "lower", "upper")}
                ),
                oof_path,
            )
            for path in (
                oof_path,
                parity_plot(oof, Path(tmp) / "parity.png", "Conductivity surrogate"),
                calibration_plot(oof, Path(tmp) / "calibration.png", "Interval calibration"),
            ):
                mlflow.log_artifact(str(path), artifact_path="evaluation")
        tracking.log_batch(
            mlflow,
            metrics=cv.metrics() | {"best_trial": best_number, "n_trials": n_trials},
            params={"best." + k: v for k, v in best_params.items()},
        )

        example = X[list(c for c in INPUT_COLUMNS if c in X)].head(5)
        info = _log_model(mlflow, model, example, config)
        # the file's SHA-256 as stored, recorded before the alias points to it: loads check it
        tracking.record_model_hash(
            config.mlflow.tracking_uri,
            config.mlflow.registered_model,
            str(info.registered_model_version),
        )
        client = mlflow.tracking.MlflowClient()
        client.set_model_version_tag(  # which measurement version trained this model
            config.mlflow.registered_model,
            str(info.registered_model_version),
            "ssemo.measurements_version",
            data.measurements_version,
        )
        client.set_registered_model_alias(
            config.mlflow.registered_model, config.mlflow.alias, info.registered_model_version
        )
        mlflow.set_tags({"ssemo.model_version": str(info.registered_model_version)})
        summary = {
            "run_id": parent.info.run_id,
            "experiment_id": parent.info.experiment_id,
            "model_uri": f"models:/{config.mlflow.registered_model}@{config.mlflow.alias}",
            "model_version": info.registered_model_version,
            "rows": len(data.rows),
            "rejected": len(data.rejects),
            "data_hash": data.data_hash,
            "measurements_version": data.measurements_version,
            "best_params": best_params,
            "wall_s": time.perf_counter() - started,
            **cv.metrics(),
        }
        mlflow.log_metric("wall_s", summary["wall_s"])
    return summary


def _log_model(mlflow, model, example: pd.DataFrame, config: TrainConfig):
    import skops.io as sio
    from mlflow.models import infer_signature

    trusted = tracking.check_trusted(sio.get_untrusted_types(data=sio.dumps(model)))
    signature = infer_signature(example, np.asarray(model.predict(example)))
    root = REPO_ROOT
    with warnings.catch_warnings():
        # MLflow 3.17 warns from its own internals here (lazy pyfunc imports, its input-example
        # serializer on pandas 3); none concern ssemo's model, and the block holds only this call
        warnings.simplefilter("ignore")
        return _log_model_call(mlflow, model, signature, example, trusted, root, config)


def _log_model_call(mlflow, model, signature, example, trusted, root, config):
    return mlflow.sklearn.log_model(
        model,
        name="model",
        signature=signature,
        input_example=example,
        pip_requirements=pip_requirements(),
        serialization_format="skops",
        skops_trusted_types=trusted,
        registered_model_name=config.mlflow.registered_model,
        code_paths=[str(root / "surrogates"), str(root / "objectives")],
    )
