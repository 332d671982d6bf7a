"""`ssemo run`: the main job — search a study's design space and record everything in MLflow."""

from __future__ import annotations

import hashlib
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from pipeline.errors import SsemoError
from pipeline.reporting import tracking
from pipeline.search.decisions import choose
from pipeline.search.nsga2 import normalize, run_nsga2
from pipeline.study.catalog import FILES, load_catalog
from pipeline.study.config import StudyConfig
from pipeline.study.problem import StudyModel


def catalog_hash(directory: Path) -> str:
    digest = hashlib.sha256()
    for name in sorted(FILES.values()):
        digest.update(name.encode())
        digest.update((directory / name).read_bytes())
    return digest.hexdigest()


def load_surrogate(config: StudyConfig, messages: list[str]):
    """(model, version) of the registered surrogate, or (None, 'none') with a warning."""
    if not config.surrogate.enabled:
        return None, "disabled"
    try:
        model = tracking.load_registered_model(config.tracking.tracking_uri, config.surrogate.model)
    except SsemoError as exc:
        messages.append(
            f"no surrogate: {exc} The search used catalog conductivities without uncertainty."
        )
        return None, "none"
    return model, tracking.model_version(config.tracking.tracking_uri, config.surrogate.model)


def summary_metrics(front: pd.DataFrame) -> dict[str, float]:
    thin = front[front["thickness_um"] <= 20.0]
    ok = front[front["total_asr_ohm_cm2"] <= 50.0]
    return {
        "front_size": float(len(front)),
        "min_asr_at_thickness_le_20um": float(thin["total_asr_ohm_cm2"].min())
        if len(thin)
        else float("nan"),
        "best_manufacturability_at_asr_le_50": float(ok["manufacturability"].max())
        if len(ok)
        else float("nan"),
        "min_total_asr_ohm_cm2": float(front["total_asr_ohm_cm2"].min())
        if len(front)
        else float("nan"),
        "max_strength_mpa": float(front["strength_mpa"].max()) if len(front) else float("nan"),
        "min_thickness_um": float(front["thickness_um"].min()) if len(front) else float("nan"),
    }


def run_study(
    config: StudyConfig,
    out_dir: Path | None = None,
    *,
    checkpoint=None,
    tags: dict[str, str] | None = None,
    previous: dict | None = None,
    progress: bool = True,
) -> dict:
    """Run the study and return its summary; artifacts go to out_dir and to MLflow when enabled.

    checkpoint: resume/save the search (pipeline.search.checkpoint). previous: {'front': path, 'hypervolume':
    float, 'run_id': str} of the last successful run of this study, to log what changed.
    """
    started = time.perf_counter()
    catalog = load_catalog(config.catalog_dir())
    messages: list[str] = []
    surrogate, surrogate_version = load_surrogate(config, messages)
    model = StudyModel(catalog, config, surrogate)
    out_dir = out_dir or config.resolve_path(config.tracking.output_dir) / config.name
    out_dir.mkdir(parents=True, exist_ok=True)

    mlflow = (
        tracking.configure(config.tracking.tracking_uri, config.tracking.experiment)
        if config.tracking.enabled
        else None
    )
    run_ctx = mlflow.start_run(run_name=f"study-{config.name}") if mlflow else _null_run()
    with tracking.sigterm_as_exception(), run_ctx as run:
        if mlflow:
            params = tracking.flatten(config.to_dict())
            items = list(params.items())
            for i in range(0, len(items), 100):  # MLflow takes at most 100 params per batch
                tracking.log_batch(mlflow, params=dict(items[i : i + 100]))
            tracking.log_batch(
                mlflow,
                tags={
                    "ssemo.job": "run",
                    "ssemo.study": config.name,
                    "ssemo.code_version": tracking.code_version(),
                    "ssemo.config_hash": config.config_hash(),
                    "ssemo.data_hash": catalog_hash(config.catalog_dir()),
                    "ssemo.surrogate_model_version": str(surrogate_version),
                    "ssemo.config_file": config.source,
                    **(tags or {}),
                },
            )
        if progress:
            print(
                f"Searching {model.space.n_options} valid material/process/coating options "
                f"({len(model.objectives)} objectives, {model.n_constr} constraints) ...",
                file=sys.stderr,
                flush=True,
            )
        if config.compute.scheduler and config.compute.evaluation_chunks > 1:
            from distributed import Client

            from pipeline.search.distributed import ChunkedModel

            with Client(config.compute.scheduler, timeout="30s") as client:
                chunked = ChunkedModel(model, client, config.compute.evaluation_chunks)
                result = run_nsga2(chunked, checkpoint=checkpoint, progress=progress)  # type: ignore[arg-type]
        else:
            result = run_nsga2(model, checkpoint=checkpoint, progress=progress)
        history = pd.DataFrame(result.history)
        if mlflow:
            metrics = [
                (k, v, int(r["generation"]))
                for r in result.history
                for k, v in r.items()
                if k != "generation"
            ]
            client = mlflow.tracking.MlflowClient()
            from mlflow.entities import Metric

            now = int(time.time() * 1000)
            batch = [Metric(f"gen.{k}", float(v), now, step) for k, v, step in metrics]
            for i in range(0, len(batch), 1000):  # buffered: one call per 1000 values
                client.log_batch(run.info.run_id, metrics=batch[i : i + 1000])

        front = model.table(result.archive.X)
        objectives_order = [o for o in model.objectives]
        front = front.sort_values(objectives_order, kind="stable").reset_index(drop=True)
        F_norm = normalize(
            model.evaluate(front[[f"x{j}" for j in range(4)]].to_numpy())[0],
            model.objectives,
            {n: tuple(getattr(config.normalization, n)) for n in model.objectives},
        )
        chosen = choose(front, F_norm, model.objectives, config.decision.asf_weights)
        feasible_families = set(front["family"]) if len(front) else set()
        infeasible_families = sorted(set(catalog.materials["family"]) - feasible_families)
        if len(front) and (~front["in_domain"].astype(bool)).any():
            n = int((~front["in_domain"].astype(bool)).sum())
            messages.append(
                f"{n} front designs use materials outside the surrogate's applicability domain (extrapolation)."
            )
        if len(front) == 0:
            messages.append(
                "no feasible design: relax a constraint (e.g. cell.c_rate_per_h, mechanics.min_strength_mpa) or set constraints.unknown: ignore."
            )
        summary = {
            "study": config.name,
            "hypervolume": result.history[-1]["hypervolume"] if result.history else 0.0,
            "generations": len(result.history),
            "n_evals": result.n_evals,
            "search_wall_s": result.wall_s,
            "stopped_early": result.stopped_early,
            **summary_metrics(front),
        }
        comparison: dict[str, float] = {}
        diff = None
        if previous and Path(previous["front"]).exists():
            from pipeline.reporting.compare import compare_fronts

            comparison, diff = compare_fronts(pd.read_parquet(previous["front"]), front)
            hv_now = float(summary["hypervolume"])  # type: ignore[arg-type]
            comparison["compare.hypervolume_change"] = hv_now - float(previous["hypervolume"])
            summary.update(comparison)
            summary["previous_run_id"] = previous.get("run_id", "")
        from pipeline.reporting import plots, report

        artifacts = {
            "front.csv": lambda p: front.to_csv(p, index=False),
            "front.parquet": lambda p: front.to_parquet(p, index=False),
            "chosen_designs.csv": lambda p: chosen.to_csv(p, index=False),
            "history.csv": lambda p: history.to_csv(p, index=False),
            "resolved_config.yaml": lambda p: p.write_text(
                yaml.safe_dump(_plain(config.to_dict()), sort_keys=False)
            ),
            "report.md": lambda p: p.write_text(
                report.render(config, summary, front, chosen, messages, infeasible_families)
            ),
            "hypervolume.png": lambda p: plots.hypervolume_plot(history, p),
        }
        if diff is not None:
            artifacts["front_diff_vs_previous.csv"] = lambda p: diff.to_csv(p, index=False)
        if len(front):
            artifacts["objectives_scatter_matrix.png"] = lambda p: plots.scatter_matrix(
                front, chosen, model.objectives, p
            )
            artifacts["parallel_coordinates.html"] = lambda p: plots.parallel_coordinates_html(
                front, model.objectives, p
            )
        with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
            for name, write in artifacts.items():
                write(Path(tmp) / name)
            for name in artifacts:  # atomic replace: a crash never leaves half-written results
                (Path(tmp) / name).replace(out_dir / name)
        summary["wall_s"] = time.perf_counter() - started
        summary["output_dir"] = str(out_dir)
        if mlflow:
            numeric = {
                k: float(v)
                for k, v in summary.items()
                if isinstance(v, int | float | np.floating)
                and not isinstance(v, bool)
                and np.isfinite(v)
            }
            tracking.log_batch(mlflow, metrics=numeric)
            if comparison:
                mlflow.set_tags(
                    {
                        "ssemo.compare.previous_run": summary.get("previous_run_id", ""),
                        "ssemo.compare.regression": str(
                            comparison["compare.hypervolume_change"] < -1e-9
                        ).lower(),
                    }
                )
            for name in artifacts:
                mlflow.log_artifact(str(out_dir / name), artifact_path="results")
            summary["run_id"] = run.info.run_id
    summary["warnings"] = messages
    return summary


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


class _null_run:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False
