"""Scheduled jobs (`ssemo job run configs/jobs/nightly.yaml`): several studies, unattended and safe.

- A lock (pipeline.jobs.lock) lets one copy run; a second exits at once with exit code 3.
- Each study's identity is a key over its resolved config, catalog, surrogate version and code
  version. A study finished under the same key is reused, not recomputed (unless --force).
- The search checkpoints every generation (pipeline.search.checkpoint); after a crash or kill -9 the rerun
  resumes and ends with exactly the front of an uninterrupted run. MLflow runs the crash left RUNNING
  are closed as FAILED first.
- Transient failures (tracking server unreachable, database locked) are retried with backoff
  (pipeline.jobs.retry); a study that still fails is reported and the other studies still run.
- Each study's front is compared with the previous successful run of the same study.
- A campaign job (a `campaign` key) also reads the measurement store's catalog measurements
  (`ssemo ingest` of a catalog-quantity file): every study that names no `catalog_measurements`
  of its own reads the store's (pipeline.study.catalog_measurements), and the store's catalog
  version is part of the study's identity, so new measurements mean a new run.
- compute.scheduler unset: studies run in this process; a Dask scheduler address (tcp://host:8786):
  the studies run as tasks on that cluster's workers (same seeds, identical results).

Exit codes: 0 every study succeeded (or was reused); 3 another copy holds the lock; 4 some studies
failed (the summary names them); 2 invalid job file or config.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.files import atomic_write, escape_problem, inside
from pipeline.study.config import scheduler_address_problem
from pipeline.study.schema import (
    SAFE_NAME,
    SAFE_NAME_TEXT,
    build,
    config_error,
    read_yaml_mapping,
    spec,
)

EXIT_STUDIES_FAILED = 4


# --- the job file as written (configs/jobs/*.yaml), validated like study and training configs ----


@dataclass(frozen=True)
class JobStudy:
    # default: the config file's name without .yaml; a folder name under the state folder
    name: str | None = spec(default=None, pattern=SAFE_NAME)
    config: str = spec(default="", required=True)  # a study config, relative to the job file
    overrides: tuple[str, ...] | None = spec(default=None)  # 'key.path=value', as --set takes


@dataclass(frozen=True)
class JobCompute:
    scheduler: str | None = spec(default=None)  # a Dask scheduler address; None: in-process


@dataclass(frozen=True)
class JobRetries:
    attempts: int = spec(1, 20, default=3)
    backoff_s: float = spec(0.0, 600.0, unit="s", default=2.0)  # doubles after each attempt


@dataclass(frozen=True)
class JobCampaign:
    """The closed loop (issue 17): after the (re)training, each study also writes the next batch
    to make (suggestions.csv), leaving out what the measurement store already holds."""

    measurements: str = spec(default="../../measurements")  # the store, relative to the job file
    q: int = spec(1, 1000, default=8)
    samples: int = spec(1, 10_000, default=64)
    seed: int = spec(0, 2**31 - 1, default=0)


@dataclass(frozen=True)
class JobFile:
    """The keys of a job file. Null (an empty YAML value) keeps a key's default, as job files
    always could; paths are relative to the job file."""

    studies: tuple[JobStudy, ...] = spec(1, default=(), required=True)
    # default: the job file's name without .yaml; names the lock file in the state folder
    name: str | None = spec(default=None, pattern=SAFE_NAME)
    description: str | None = spec(default=None)
    state_dir: str | None = spec(default=None)  # default: ../../results/jobs
    retrain_surrogate: bool | None = None
    train_config: str | None = spec(default=None)  # default: ../train.yaml
    tracking_uri: str | None = spec(default=None)  # applies to every study and the retraining
    compute: JobCompute | None = None
    retries: JobRetries | None = None
    campaign: JobCampaign | None = None


# --- the job as run: names and absolute paths resolved ---------------------------------------------


@dataclass(frozen=True)
class StudyEntry:
    name: str
    config: str  # absolute path
    overrides: tuple[str, ...] = ()


@dataclass(frozen=True)
class JobConfig:
    name: str
    source: str
    studies: tuple[StudyEntry, ...]
    state_dir: str
    retrain_surrogate: bool = False
    train_config: str = ""
    tracking_uri: str | None = None
    scheduler: str | None = None
    attempts: int = 3
    backoff_s: float = 2.0
    extra: dict[str, Any] = field(default_factory=dict)
    campaign: dict[str, Any] | None = None  # JobCampaign's keys, the store path absolute


def load_job(path: str | Path) -> JobConfig:
    """Read and validate a job file; every problem is reported at once, naming the file and key."""
    path = Path(path)
    problems: list[str] = []
    raw = build(JobFile, read_yaml_mapping(path, "job file"), "", problems)
    base = path.resolve().parent
    uri = raw.tracking_uri if isinstance(raw.tracking_uri, str) else None
    if uri is not None:
        from pipeline.reporting.tracking import tracking_uri_problem

        if tracking_uri_problem(uri) is not None:
            uri = None  # named once below, as the job's own key, not again per study
    studies = _resolve_studies(raw.studies, base, problems, uri)
    scheduler = (raw.compute or JobCompute()).scheduler
    if isinstance(scheduler, str) and (problem := scheduler_address_problem(scheduler)):
        problems.append(f"key 'compute.scheduler': {problem}")  # the rule studies use
    if isinstance(raw.state_dir, str) and (
        problem := escape_problem("state_dir", base, raw.state_dir)
    ):
        problems.append(problem)
    if isinstance(raw.tracking_uri, str):
        from pipeline.reporting.tracking import tracking_uri_problem

        if (problem := tracking_uri_problem(raw.tracking_uri)) is not None:
            problems.append(f"key 'tracking_uri': {problem}")
    if raw.name is None and not re.fullmatch(SAFE_NAME, path.stem):
        problems.append(
            f"key 'name': the job file's name {path.stem!r} is not a safe name "
            f"({SAFE_NAME_TEXT}); set 'name'"
        )
    if problems:
        raise config_error(str(path), problems, "job file")
    retries = raw.retries or JobRetries()
    return JobConfig(
        name=raw.name or path.stem,
        source=str(path),
        studies=studies,
        state_dir=str((base / (raw.state_dir or "../../results/jobs")).resolve()),
        retrain_surrogate=bool(raw.retrain_surrogate),
        train_config=str((base / (raw.train_config or "../train.yaml")).resolve()),
        tracking_uri=raw.tracking_uri,
        scheduler=scheduler,
        attempts=retries.attempts,
        backoff_s=float(retries.backoff_s),
        campaign=None
        if raw.campaign is None
        else {
            "measurements": str((base / raw.campaign.measurements).resolve()),
            "q": raw.campaign.q,
            "samples": raw.campaign.samples,
            "seed": raw.campaign.seed,
        },
    )


def _resolve_studies(
    entries: tuple[JobStudy, ...], base: Path, problems: list[str], tracking_uri: str | None = None
) -> tuple[StudyEntry, ...]:
    """Each study's config path made absolute and checked, its name defaulted and checked for
    duplicates, its overrides checked for '='; problems appended."""
    studies, names = [], set()
    for i, entry in enumerate(entries):
        where = f"studies[{i}]"
        if not entry.config or not isinstance(entry.config, str):
            continue  # missing or not a string: already reported
        cfg = (base / entry.config).resolve()
        if not cfg.exists():
            problems.append(f"key '{where}.config': no such file {cfg}")
        overrides = entry.overrides or ()
        if not all(isinstance(o, str) and "=" in o for o in overrides):
            problems.append(f"key '{where}.overrides': expected a list of 'key.path=value' strings")
        name = str(entry.name or cfg.stem)
        if entry.name is None and not re.fullmatch(SAFE_NAME, name):
            problems.append(
                f"key '{where}.name': the config file's name {name!r} is not a safe name "
                f"({SAFE_NAME_TEXT}); set 'name'"
            )
        if name in names:
            problems.append(f"key '{where}.name': duplicate study name {name!r}")
        names.add(name)
        if cfg.exists() and all(isinstance(o, str) and "=" in o for o in overrides):
            job = (f"tracking.tracking_uri={tracking_uri}",) if tracking_uri else ()
            problems += _study_config_problems(where, cfg, tuple(overrides), job)
        studies.append(StudyEntry(name, str(cfg), tuple(overrides)))
    return tuple(studies)


def _study_config_problems(
    where: str, cfg: Path, overrides: tuple[str, ...], job: tuple[str, ...] = ()
) -> list[str]:
    """A study's config with the overrides it runs with (the job's tracking URI, then its own),
    loaded when the job is read: a problem refuses the job (exit 2) before any study runs, named
    by the job file's key it comes from (a trial's 'search.generatons=120' override failed only
    at run time, exit 4, as an error of the study's own config file). A value the overrides fix
    is no problem; one the config has without them is the config's."""
    from pipeline.errors import SsemoError
    from pipeline.study.config import load_config

    try:
        load_config(cfg, [*job, *overrides])
        return []
    except SsemoError as exc:
        problem = exc
    key = f"{where}.overrides"
    try:
        load_config(cfg, list(job))
    except SsemoError:
        key = f"{where}.config"
    # every problem of the study's config on one line of the job's list
    text = "; ".join(line.strip().removeprefix("- ") for line in str(problem).splitlines())
    return [f"key '{key}': {text.replace('invalid config; ', 'invalid config: ')}"]


def _write_json(path: Path, payload: dict) -> None:
    text = json.dumps(payload, indent=2, default=str)
    atomic_write(path, lambda tmp: tmp.write_text(text))


def study_key(config, surrogate_version: str) -> str:
    from pipeline.reporting.tracking import code_version
    from pipeline.run import catalog_hash

    parts = [
        config.config_hash(),
        catalog_hash(config.catalog_dir()),
        surrogate_version,
        code_version(),
    ]
    if config.catalog_measurements:  # the measurements' content, not only their path
        parts.append(measurements_key(config.resolve_path(config.catalog_measurements)))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]


def measurements_key(path: Path) -> str:
    """What a study's catalog measurements are: a store's catalog version label, or a file's
    SHA-256 ('missing' when there is none: the study itself then says so)."""
    if path.is_dir():
        from pipeline.campaign.store import MeasurementStore

        return "store:" + MeasurementStore(path).catalog.version_label()
    try:
        return "file:" + hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def with_store_measurements(config, entry: StudyEntry, overrides: list[str], store: str):
    """The study config reading the campaign store's catalog measurements when the store holds
    some and the study names none of its own (a study's own file is kept)."""
    from pipeline.campaign.store import store_catalog_override
    from pipeline.study.config import load_config

    extra = store_catalog_override(config, store)
    return load_config(entry.config, [*overrides, *extra]) if extra else config


def _previous_success(state_dir: Path, study: str) -> dict | None:
    """The latest successful run of this study (any inputs), before this one overwrites anything."""
    done = []
    for path in (state_dir / "finished").glob("*.json"):
        record = json.loads(path.read_text())
        if record.get("study") == study:
            done.append(record)
    return max(done, key=lambda r: r["finished_at"]) if done else None


def close_stale_runs(tracking_uri: str, experiment: str, key: str) -> int:
    """Runs of this study key still RUNNING (their process died, e.g. kill -9) are set FAILED."""
    from pipeline.reporting import tracking

    # through open_store, under the store's first-use lock: this is often a job's first touch of
    # a store, and two jobs creating one fresh SQLite store at once otherwise break it
    client = tracking.store_client(tracking_uri)
    exp = client.get_experiment_by_name(experiment)
    if exp is None:
        return 0
    stale = client.search_runs(
        [exp.experiment_id],
        filter_string=f"tags.`ssemo.study_key` = '{key}' and attributes.status = 'RUNNING'",
    )
    for run in stale:
        client.set_tag(
            run.info.run_id, "ssemo.closed_by", "job rerun: the process that ran it died"
        )
        client.set_terminated(run.info.run_id, status="FAILED")
    return len(stale)


def run_one(
    entry: StudyEntry,
    state_dir: str,
    tracking_uri: str | None,
    force: bool,
    attempts: int,
    backoff_s: float,
    progress: bool = True,
    suggest=None,
    catalog_store: str | None = None,
) -> dict:
    """Run (or reuse) one study; returns an outcome dict. Runs in-process or on a Dask worker.
    suggest: pipeline.campaign.suggest.SuggestOptions (campaign jobs): also write the next batch.
    catalog_store: a measurement store whose catalog measurements the study reads (campaign jobs;
    with_store_measurements)."""
    from pipeline.jobs.retry import with_retries
    from pipeline.run import load_surrogate, run_study
    from pipeline.search.checkpoint import Checkpoint
    from pipeline.study.config import load_config

    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "1")  # our retry policy governs
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "10")
    started = time.perf_counter()
    state = Path(state_dir)
    # the job's tracking URI applies to every study unless a study's own overrides say otherwise
    overrides = ([f"tracking.tracking_uri={tracking_uri}"] if tracking_uri else []) + list(
        entry.overrides
    )
    try:
        config = load_config(entry.config, overrides)
        if catalog_store is not None:
            config = with_store_measurements(config, entry, overrides, catalog_store)
        _, version = with_retries(
            lambda: load_surrogate(config, []), attempts, backoff_s, f"{entry.name}: surrogate"
        )
        key = study_key(config, str(version) + _suggest_key(suggest))
        finished = state / "finished" / f"{key}.json"
        if finished.exists() and not force:
            record = json.loads(finished.read_text())
            return {"study": entry.name, "status": "reused", "key": key, **record}
        checkpoint = Checkpoint(state / "checkpoints" / key, key)
        previous = _previous_success(state, entry.name)
        out_dir = inside(state, "studies", entry.name, key)
        if config.tracking.enabled:
            closed = with_retries(
                lambda: close_stale_runs(
                    config.tracking.tracking_uri, config.tracking.experiment, key
                ),
                attempts,
                backoff_s,
                f"{entry.name}: tracking",
            )
            if closed and progress:
                print(
                    f"{entry.name}: closed {closed} stale RUNNING MLflow run(s) as FAILED",
                    file=sys.stderr,
                )
        summary = with_retries(
            lambda: run_study(
                config,
                out_dir,
                checkpoint=checkpoint,
                tags={"ssemo.study_key": key, "ssemo.job_study": entry.name},
                previous=previous,
                progress=progress,
                origin="job",
                suggest=suggest,
            ),
            attempts,
            backoff_s,
            entry.name,
        )
        record = {
            "study": entry.name,
            "key": key,
            "finished_at": time.time(),
            "run_id": summary.get("run_id", ""),
            "mlflow_ui": summary.get("mlflow_ui", ""),
            "hypervolume": summary["hypervolume"],
            # what the hypervolume measured: the next run compares with this one only if the same
            "objectives": summary.get("objectives", ""),
            "objective_definition": summary.get("objective_definition", "nominal"),
            "front_size": summary["front_size"],
            "front": str(out_dir / "front.parquet"),
            "output_dir": str(out_dir),
            "comparison": {k: v for k, v in summary.items() if k.startswith("compare.")},
            **({"suggestions": int(summary["suggest.designs"])} if suggest is not None else {}),
        }
        _write_json(finished, record)
        checkpoint.clear()
        return {
            **record,
            "status": "finished",
            "wall_s": time.perf_counter() - started,
            "warnings": summary["warnings"],
        }
    except Exception as exc:  # one study's failure must not stop the others
        return {
            "study": entry.name,
            "status": "failed",
            "error": error_line(exc),
            "wall_s": time.perf_counter() - started,
        }


def error_line(exc: Exception) -> str:
    """A failed study's reason on one line of the job summary: a store failure said as what to
    do (pipeline.reporting.tracking.store_failure), anything else as its type and its message with
    line breaks folded (MLflow's SQL errors span many lines)."""
    from pipeline.errors import SsemoError
    from pipeline.reporting.tracking import store_failure

    line = None if isinstance(exc, SsemoError) else store_failure(exc)
    if line is not None:
        return line
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:500]}"


def run_job(job: JobConfig, force: bool = False, progress: bool = True) -> tuple[int, list[dict]]:
    """Run every study of the job under its lock; returns (exit code, outcomes)."""
    from pipeline.jobs.lock import JobLock

    state = Path(job.state_dir)
    lock = JobLock(inside(state, f"{job.name}.lock"))
    lock.acquire()
    try:
        if lock.took_over and progress:
            print(
                f"taking over a stale lock left by pid {lock.took_over.get('pid')} "
                f"(started {lock.took_over.get('started')})",
                file=sys.stderr,
            )
        outcomes: list[dict] = []
        if job.retrain_surrogate:
            outcomes.append(_retrain(job, progress))
        suggest = _campaign_options(job)  # after the retraining: the store as trained on
        store = job.campaign["measurements"] if job.campaign is not None else None
        args = [
            (e, job.state_dir, job.tracking_uri, force, job.attempts, job.backoff_s)
            for e in job.studies
        ]
        if job.scheduler:
            from pipeline.search.distributed import SCHEDULER_CONNECT_TIMEOUT_S, connect

            # no answer: exit 5 naming compute.scheduler, not a bare OSError, and before any MLflow
            # experiment is created
            with connect(job.scheduler, SCHEDULER_CONNECT_TIMEOUT_S, job.source) as client:
                _create_experiments(job)  # once: workers racing to create one can clash
                futures = [
                    client.submit(
                        run_one,
                        *a,
                        progress=False,
                        suggest=suggest,
                        catalog_store=store,
                        pure=False,
                        key=f"study-{a[0].name}-{time.time_ns()}",
                    )
                    for a in args
                ]
                outcomes += client.gather(futures)
        else:
            for a in args:
                try:
                    outcomes.append(
                        run_one(*a, progress=progress, suggest=suggest, catalog_store=store)
                    )
                except KeyboardInterrupt:
                    # the CLI says "interrupted"; what is done already stays done (reused next time)
                    done = [o["study"] for o in outcomes if o.get("status") != "failed"]
                    print(
                        f"interrupted during study {a[0].name}; finished before it: "
                        f"{', '.join(done) or 'none'} (a rerun of the job reuses them)",
                        file=sys.stderr,
                    )
                    raise
    finally:
        lock.release()
    failed = [o for o in outcomes if o["status"] == "failed"]
    return (EXIT_STUDIES_FAILED if failed else 0), outcomes


def _campaign_options(job: JobConfig):
    """SuggestOptions of a campaign job (None otherwise): the store's measured designs left out."""
    if job.campaign is None:
        return None
    from pipeline.campaign.commands import suggest_options

    c = job.campaign
    return suggest_options(c["q"], c["samples"], c["seed"], c["measurements"])


def _suggest_key(suggest) -> str:
    """What a study's identity adds when it suggests: the settings and the store version (new
    measurements mean new suggestions even when the surrogate did not change)."""
    if suggest is None:
        return ""
    return f"|suggest:{suggest.q}:{suggest.samples}:{suggest.seed}:{suggest.measurements_version}"


def _create_experiments(job: JobConfig) -> None:
    from pipeline.jobs.retry import with_retries
    from pipeline.reporting import tracking
    from pipeline.study.config import load_config

    seen = set()
    for entry in job.studies:
        overrides = (
            [f"tracking.tracking_uri={job.tracking_uri}"] if job.tracking_uri else []
        ) + list(entry.overrides)
        try:
            config = load_config(entry.config, overrides)
        except Exception:
            continue  # the study itself reports its config error
        key = (config.tracking.tracking_uri, config.tracking.experiment)
        if config.tracking.enabled and key not in seen:
            seen.add(key)
            try:
                create = functools.partial(tracking.configure, *key)
                with_retries(create, job.attempts, job.backoff_s, "tracking")
            except Exception:
                pass  # unreachable store: each study retries and reports it


def _retrain(job: JobConfig, progress: bool) -> dict:
    from pipeline.jobs.retry import with_retries
    from pipeline.study.config import load_train_config
    from pipeline.training import train

    started = time.perf_counter()
    try:
        overrides = [f"mlflow.tracking_uri={job.tracking_uri}"] if job.tracking_uri else []
        config = load_train_config(job.train_config, overrides)
        summary = with_retries(
            lambda: train(config), job.attempts, job.backoff_s, "retrain surrogate"
        )
        return {
            "study": "(retrain surrogate)",
            "status": "finished",
            "run_id": summary["run_id"],
            "wall_s": time.perf_counter() - started,
            "model_version": summary["model_version"],
        }
    except Exception as exc:
        return {
            "study": "(retrain surrogate)",
            "status": "failed",
            "error": error_line(exc),
            "wall_s": time.perf_counter() - started,
        }


# A front whose hypervolume falls by less than this share of the previous run's is not flagged as
# a regression: three seeds of the default study (2026-12-08: 0.127303, 0.127298, 0.127306) differ
# by 6.5e-5 of it, and a trial's job flagged -5.1e-6, printed as "-0.0000 <-- REGRESSION".
REGRESSION_RELATIVE = 1e-3


def format_summary(outcomes: list[dict]) -> str:
    lines = []
    for o in outcomes:
        if o["status"] == "failed":
            lines.append(f"FAILED   {o['study']}: {o['error']}")
        elif o["status"] == "reused":
            lines.append(
                f"reused   {o['study']}: unchanged inputs, run {o.get('run_id', '')} (use --force to recompute)"
            )
            lines += _where(o)
        else:
            text = f"finished {o['study']}"
            if "hypervolume" in o:
                text += f": front {int(o['front_size'])}, hypervolume {o['hypervolume']:.4f}"
            comp = o.get("comparison") or {}
            if comp:
                change = comp.get("compare.hypervolume_change", 0.0)
                shown = f"{change:+.4f}" if abs(change) >= 1e-4 or change == 0 else f"{change:+.1e}"
                text += (
                    f"; vs previous run: hypervolume {shown}, {int(comp['compare.designs_entered'])} designs "
                    f"entered, {int(comp['compare.designs_left'])} left (compare_overlay.png, "
                    "compare_designs.csv)"
                )
                previous = o.get("hypervolume", 0.0) - change
                if change < -REGRESSION_RELATIVE * max(previous, 0.0):
                    text += "  <-- REGRESSION"
            elif "hypervolume" in o:  # a study's first run in this job's state folder
                text += "; no previous run to compare with"
            if "suggestions" in o:
                text += f"; next batch: {o['suggestions']} design(s) in suggestions.csv"
            lines.append(text)
            lines += _where(o)
    return "\n".join(lines)


def _where(outcome: dict) -> list[str]:
    """Where a study's results are: its folder and its MLflow run."""
    where = []
    if outcome.get("output_dir"):
        where.append(f"         results: {outcome['output_dir']}")
    if outcome.get("run_id"):
        # records written before the link was kept name the run only
        ui = outcome.get("mlflow_ui") or "start the UI with `make ui`"
        where.append(f"         MLflow run {outcome['run_id']}: {ui}")
    return where
