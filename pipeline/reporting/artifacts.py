"""The files a study run leaves in its output folder (and in MLflow): front, choices, history, config,
report and plots, written together so that a crash never leaves a half-written set."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from pipeline.study.config import StudyConfig


@dataclass(frozen=True)
class Outcome:
    """What a study found: the front, the chosen designs, the summary and what to warn about."""

    front: pd.DataFrame
    chosen: pd.DataFrame
    history: pd.DataFrame
    summary: dict[str, Any]
    messages: list[str]
    infeasible_families: list[str]
    exclusions: list[str]
    diff: pd.DataFrame | None = None


def study_writers(
    config: StudyConfig, outcome: Outcome, objectives: tuple[str, ...]
) -> dict[str, Callable[[Path], Any]]:
    """File name -> function writing it."""
    from pipeline.reporting import plots, report

    front, chosen = outcome.front, outcome.chosen
    writers: dict[str, Callable[[Path], Any]] = {
        "front.csv": lambda p: front.to_csv(p, index=False),
        "front.parquet": lambda p: front.to_parquet(p, index=False),
        "chosen_designs.csv": lambda p: chosen.to_csv(p, index=False),
        "history.csv": lambda p: outcome.history.to_csv(p, index=False),
        "resolved_config.yaml": lambda p: p.write_text(
            yaml.safe_dump(_plain(config.to_dict()), sort_keys=False)
        ),
        "report.md": lambda p: p.write_text(
            report.render(
                config,
                outcome.summary,
                front,
                chosen,
                outcome.messages,
                outcome.infeasible_families,
                outcome.exclusions,
            )
        ),
        "hypervolume.png": lambda p: plots.hypervolume_plot(outcome.history, p),
    }
    if outcome.diff is not None:
        diff = outcome.diff
        writers["front_diff_vs_previous.csv"] = lambda p: diff.to_csv(p, index=False)
    if len(front):
        writers["objectives_scatter_matrix.png"] = lambda p: plots.scatter_matrix(
            front, chosen, objectives, p
        )
        writers["parallel_coordinates.html"] = lambda p: plots.parallel_coordinates_html(
            front, objectives, p
        )
    return writers


def write_all(out_dir: Path, writers: dict[str, Callable[[Path], Any]]) -> list[Path]:
    """Write every file into a temporary folder beside out_dir, then move each into place (a
    rename on the same file system), so a crash while writing leaves the previous set intact."""
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
        for name, write in writers.items():
            write(Path(tmp) / name)
        for name in writers:
            (Path(tmp) / name).replace(out_dir / name)
    return [out_dir / name for name in writers]


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
