"""Front-to-front comparison of two runs of the same study: hypervolume change, designs in and out.

A design's identity is its material, process and coating with thickness, relative density and filler
fraction rounded (3 significant digits), so tiny numeric differences do not count as new designs.
"""

from __future__ import annotations

import pandas as pd

from pipeline.files import to_csv
from pipeline.study.space import OPTION_COLUMNS, VARIABLES

IDENTITY = OPTION_COLUMNS
ROUNDED = tuple(v.name for v in VARIABLES)


def design_keys(front: pd.DataFrame, rounded: tuple[str, ...] = ROUNDED) -> pd.Series:
    """One string per design: its option and its rounded variables (an empty front: no keys)."""
    if front.empty:
        return pd.Series([], dtype=str, index=front.index)
    parts = [front[c].astype(str) for c in IDENTITY]
    # a variable a study does not use (dopant_level outside composition studies) has no column
    parts += [front[c].map(lambda v: f"{v:.3g}") for c in rounded if c in front]
    return pd.Series(["|".join(p) for p in zip(*parts, strict=True)], index=front.index)


def paired_keys(previous: pd.DataFrame, current: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Both fronts' design keys over the variables both fronts have: a front written before a
    variable existed (an older run) has no column for it, and is compared on the others."""
    rounded = tuple(c for c in ROUNDED if c in previous and c in current)
    return design_keys(previous, rounded), design_keys(current, rounded)


def compare_fronts(
    previous: pd.DataFrame, current: pd.DataFrame
) -> tuple[dict[str, float], pd.DataFrame]:
    """(metrics, diff table with a `change` column: entered / left)."""
    prev_keys, cur_keys = paired_keys(previous, current)
    entered = current[~cur_keys.isin(set(prev_keys))]
    left = previous[~prev_keys.isin(set(cur_keys))]
    diff = pd.concat(
        [entered.assign(change="entered"), left.assign(change="left")], ignore_index=True
    )
    metrics = {
        "compare.designs_entered": float(len(entered)),
        "compare.designs_left": float(len(left)),
        "compare.designs_kept": float(prev_keys.isin(set(cur_keys)).sum()),
        "compare.previous_front_size": float(len(previous)),
        "compare.current_front_size": float(len(current)),
    }
    return metrics, diff


def changes_table(diff: pd.DataFrame, objectives: tuple[str, ...]) -> pd.DataFrame:
    """Designs entered / left, one row per change and (material, process, coating): how many, their
    thickness range and the best value of each objective among them (a few lines a scientist can
    read, where the full list has thousands of near-duplicates)."""
    from pipeline.study.registry import OBJECTIVES

    keys = ["change", *IDENTITY]
    if diff.empty:
        return pd.DataFrame(columns=[*keys, "designs", "thickness_um_min", "thickness_um_max"])
    grouped = diff.groupby(keys, sort=True)
    table = grouped.size().rename("designs").to_frame()
    table["thickness_um_min"] = grouped["thickness_um"].min()
    table["thickness_um_max"] = grouped["thickness_um"].max()
    for name in objectives:
        if name in diff:
            best = grouped[name].max() if OBJECTIVES[name].maximized else grouped[name].min()
            table[f"best_{name}"] = best
    table = table.reset_index()
    return table.sort_values(["change", "designs"], ascending=[True, False], kind="stable")


def comparison_writers(
    previous: pd.DataFrame,
    current: pd.DataFrame,
    objectives: tuple[str, ...],
    bounds: dict[str, tuple[float, float]],
    limits: dict[str, tuple[str, float]],
    labels: tuple[str, str],
):
    """File name -> writer of the comparison of two fronts: the overlay plot, the designs that
    entered or left grouped by option (CSV) and listed one by one (Parquet, design and objective
    columns only, so a nightly run's artifacts stay small)."""
    from pipeline.reporting import pareto

    _, diff = compare_fronts(previous, current)
    prev_keys, cur_keys = paired_keys(previous, current)
    entered, left = ~cur_keys.isin(set(prev_keys)), ~prev_keys.isin(set(cur_keys))
    shown = dict.fromkeys([*IDENTITY, "family", *ROUNDED, *objectives, "change"])  # once each
    listed = diff[[c for c in shown if c in diff]]
    return {
        "compare_overlay.png": lambda p: pareto.save(
            pareto.overlay_figure(
                previous, current, objectives, bounds, labels, limits, entered, left
            ),
            p,
        ),
        "compare_designs.csv": lambda p: to_csv(
            changes_table(listed, objectives), p, float_format="%.4g"
        ),
        "compare_designs.parquet": lambda p: listed.to_parquet(p, index=False, compression="zstd"),
    }


def compare_runs(tracking_uri: str, experiment: str, ref_a: str, ref_b: str, out_dir) -> dict:
    """`ssemo compare`: the fronts of two study runs (ids, or study names for their latest finished
    run), B against A: the overlay plot and the designs that entered / left, written to out_dir and
    attached to run B under compare/vs_<A's id>/. Objectives, bounds and limits are B's."""
    import tempfile
    from pathlib import Path

    from pipeline.files import write_all
    from pipeline.reporting import tracking
    from pipeline.study.config import StudyConfig
    from pipeline.study.constraints import objective_limits
    from pipeline.study.registry import objective_set_key
    from pipeline.study.schema import load_yaml

    a = tracking.find_study_run(tracking_uri, experiment, ref_a)
    b = tracking.find_study_run(tracking_uri, experiment, ref_b)
    with tempfile.TemporaryDirectory() as tmp:
        fronts = [
            pd.read_parquet(
                tracking.download_run_file(
                    tracking_uri, run.info.run_id, "front.parquet", Path(tmp) / run.info.run_id
                )
            )
            for run in (a, b)
        ]
        config_b = tracking.download_run_file(
            tracking_uri, b.info.run_id, "resolved_config.yaml", Path(tmp) / "config"
        )
        config = StudyConfig.from_run_record(
            load_yaml(config_b.read_text()), source=f"run {b.info.run_id}: resolved_config.yaml"
        )
    previous, current = fronts
    objectives = config.objectives
    bounds = {name: config.normalization[name] for name in objectives}
    names = (a.info.run_name or a.info.run_id, b.info.run_name or b.info.run_id)
    labels = (f"A {names[0]}", f"B {names[1]}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    limits = objective_limits(config)
    writers = comparison_writers(previous, current, objectives, bounds, limits, labels)
    files = write_all(out, writers)
    tracking.log_files(tracking_uri, b.info.run_id, files, f"compare/vs_{a.info.run_id[:8]}")
    metrics, _ = compare_fronts(previous, current)
    hv = f"summary.hv_{objective_set_key(objectives)}"
    # the same objectives measured the same way (runs before the definition tag: as before)
    definitions = tuple(r.data.tags.get("ssemo.objective_definition", "nominal") for r in (a, b))
    same_objectives = a.data.tags.get("ssemo.objectives") == b.data.tags.get("ssemo.objectives")
    same_set = same_objectives and definitions[0] == definitions[1]
    if same_set and hv in a.data.metrics and hv in b.data.metrics:
        metrics["compare.hypervolume_change"] = b.data.metrics[hv] - a.data.metrics[hv]
    return {
        "run_a": a.info.run_id,
        "run_b": b.info.run_id,
        "names": names,
        "same_objectives": same_objectives,
        "objective_definitions": definitions,
        # a study name picks its latest finished run, which may be an ad-hoc --set run
        "config_hashes": tuple(r.data.tags.get("ssemo.config_hash", "") for r in (a, b)),
        "metrics": metrics,
        "files": files,
        "artifact_path": f"compare/vs_{a.info.run_id[:8]}",
    }
