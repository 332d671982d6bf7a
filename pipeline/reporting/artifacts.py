"""The files a study run leaves in its output folder (and in MLflow): front, choices, history, config,
report and plots, written together (pipeline.files.write_all) so that a crash never leaves a
half-written set."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from pipeline.files import to_csv
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
    previous_front: pd.DataFrame | None = None  # the last run's front, when this run compares
    suggestions: Any = None  # pipeline.campaign.suggest.Suggestions, when `ssemo suggest` asked
    decisive: Any = None  # pipeline.reporting.decisive.Decisive: which catalog values decided
    charge_rates: Any = None  # pipeline.study.charge.fastest_charge: the fastest charge per pair
    worlds: Any = None  # pipeline.reporting.worlds.Worlds: the front over plausible worlds
    # what ingested catalog measurements changed (values, recommendations): its own report section
    measurement_notes: list[str] = field(default_factory=list)


def study_writers(
    config: StudyConfig, outcome: Outcome, objectives: tuple[str, ...]
) -> dict[str, Callable[[Path], Any]]:
    """File name -> function writing it. The full front goes to Parquet only (zstd); the CSV,
    figures and parallel coordinates show the bounded display front (pareto.display_front), so a
    run's files stay around 1 MB however many near-duplicate designs the archive holds."""
    from pipeline.reporting import pareto, plots, report
    from pipeline.reporting.compare import comparison_writers
    from pipeline.study.constraints import objective_limits

    front, chosen = outcome.front, outcome.chosen
    bounds = {name: config.normalization[name] for name in objectives}
    shown = pareto.display_front(front, objectives, bounds)
    limits = objective_limits(config)
    writers: dict[str, Callable[[Path], Any]] = {
        "front.parquet": lambda p: front.to_parquet(p, index=False, compression="zstd"),
        # 6 significant digits: the CSV is for reading, front.parquet keeps every digit
        "front_display.csv": lambda p: to_csv(shown.designs, p, float_format="%.6g"),
        "chosen_designs.csv": lambda p: to_csv(chosen, p),
        "history.csv": lambda p: to_csv(outcome.history, p),
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
                display=shown,
                suggestions=outcome.suggestions,
                decisive=outcome.decisive,
                charge_rates=outcome.charge_rates,
                worlds=outcome.worlds,
                measurement_notes=outcome.measurement_notes,
            )
        ),
        "hypervolume.png": lambda p: plots.hypervolume_plot(outcome.history, p),
    }
    if outcome.worlds is not None and outcome.worlds.measurements is not None:
        measurements = outcome.worlds.measurements
        writers["measurement_value.csv"] = lambda p: to_csv(measurements, p)
    if len(front):
        title = f"Pareto front of study '{config.name}'"
        if config.surrogate.robust and "total_asr_ohm_cm2" in objectives:
            # the axes show the ASR at the σ used; the search ranked its robust quantile, so a point
            # may look dominated on the axes that is not on the quantity optimized
            title += (
                f" (ASR axes: at the σ used; designs ranked by its "
                f"{config.surrogate.robust_quantile:.0%} quantile, robust_asr_ohm_cm2)"
            )
        writers["pareto_front.png"] = lambda p: pareto.save(
            pareto.pareto_figure(shown, chosen, objectives, limits, title), p
        )
        writers["parallel_coordinates.html"] = lambda p: p.write_text(
            pareto.parallel_coordinates_html(
                shown, chosen, objectives, f"Parallel coordinates of study '{config.name}'"
            ),
            encoding="utf-8",
        )
    if outcome.decisive is not None:
        from pipeline.reporting.decisive import assumptions

        decisive = outcome.decisive
        writers["assumption_values.csv"] = lambda p: to_csv(assumptions(decisive), p)
        writers["screened_values.csv"] = lambda p: to_csv(decisive.values, p)
    if outcome.suggestions is not None:
        # spreadsheet-safe text cells (a formula-like composition is quoted), 6 significant digits
        from pipeline.files import spreadsheet_safe

        s = outcome.suggestions
        writers["suggestions.csv"] = lambda p: spreadsheet_safe(s.designs).to_csv(
            p, index=False, float_format="%.6g"
        )
        writers["measurement_gaps.csv"] = lambda p: spreadsheet_safe(s.gaps).to_csv(
            p, index=False, float_format="%.6g"
        )
        # always written (header only when the store measured no family member), so that a
        # folder never keeps an earlier run's check
        writers["lab_vs_predicted.csv"] = lambda p: spreadsheet_safe(s.lab_check).to_csv(
            p, index=False, float_format="%.6g"
        )
    if outcome.previous_front is not None:
        writers |= comparison_writers(
            outcome.previous_front, front, objectives, bounds, limits, ("previous run", "this run")
        )
    return writers


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
