"""A short Markdown report per run: the question, the front, the recommended designs and why, warnings."""

from __future__ import annotations

import pandas as pd

from pipeline.study.config import StudyConfig
from pipeline.study.registry import DESIGN_COLUMNS, OBJECTIVES


def shown_columns() -> list[str]:
    """The design (option and variables) and every registered objective, once each."""
    return list(dict.fromkeys([*DESIGN_COLUMNS, *OBJECTIVES]))


def _table(frame: pd.DataFrame, columns: list[str]) -> str:
    cols = [c for c in columns if c in frame]
    head = "| " + " | ".join(cols) + " |\n|" + "---|" * len(cols) + "\n"
    body = ""
    for _, row in frame[cols].iterrows():
        cells = [f"{v:.4g}" if isinstance(v, float) else str(v) for v in row]
        body += "| " + " | ".join(cells) + " |\n"
    return head + body


def _value(number: float, unit: str = "") -> str:
    """A summary figure, or 'none on the front' where no design qualifies (NaN)."""
    if number != number:
        return "none on the front"
    return f"{number:.3g}" + (f" {unit}" if unit else "")


def render(
    config: StudyConfig,
    summary: dict,
    front: pd.DataFrame,
    chosen: pd.DataFrame,
    warnings: list[str],
    infeasible_families: list[str],
) -> str:
    c = config
    lines = [
        f"# ssemo study `{c.name}`",
        "",
        c.description or "",
        "",
        "## The question",
        "- Objectives: "
        + ", ".join(f"{OBJECTIVES[o].axis_label} {OBJECTIVES[o].sense}imized" for o in c.objectives)
        + ".",
        f"- Operating temperature {c.operating.temperature_c:g} °C; total ASR ≤ {c.operating.asr_max_ohm_cm2:g} Ω cm²"
        + (
            f" over {c.constraints.temperature_window_c[0]:g} to {c.constraints.temperature_window_c[1]:g} °C"
            if c.constraints.temperature_window_c
            else ""
        )
        + f"; strength ≥ {c.mechanics.min_strength_mpa:g} MPa; CCD ≥ {c.cell.areal_capacity_mah_per_cm2:g} mAh/cm² × "
        f"{c.cell.c_rate_per_h:g} C = {c.cell.areal_capacity_mah_per_cm2 * c.cell.c_rate_per_h:g} mA/cm².",
        f"- Conductivity from the {c.surrogate.conductivity_source}"
        + (
            f", robust mode: ASR at its {c.surrogate.robust_quantile:.0%} quantile"
            if c.surrogate.robust
            else ""
        )
        + f"; unknown constraints count as {c.constraints.unknown}.",
        f"- NSGA-II, population {c.search.population_size}, {summary['generations']} generations, seed {c.search.seed}; "
        f"{summary['n_evals']} evaluations in {summary['search_wall_s']:.1f} s.",
        "",
        "## Result",
        f"- Front: {int(summary['front_size'])} non-dominated feasible designs; hypervolume {summary['hypervolume']:.4f} "
        "(objectives normalized by the config's fixed bounds, reference point 1.1).",
        f"- Lowest total ASR with thickness ≤ 20 µm: {_value(summary['min_asr_at_thickness_le_20um'], 'Ω cm²')}.",
        f"- Best manufacturability at ASR ≤ 50 Ω cm²: {_value(summary['best_manufacturability_at_asr_le_50'])}.",
        "",
        "## Recommended designs",
        "",
        _table(chosen, ["choice", *shown_columns()]),
        "Why: " + "; ".join(f"**{r.choice}**: {r.why}" for r in chosen.itertuples())
        if len(chosen)
        else "No feasible design was found.",
        "",
        "## Warnings",
    ]
    notes = [f"- {w}" for w in warnings]
    if infeasible_families:
        notes.append(
            f"- Families with no feasible design: {', '.join(infeasible_families)} (see the catalog "
            "gaps: a family whose strength or CCD is unknown is infeasible under constraints.unknown = infeasible"
            f"; this study: {c.constraints.unknown})."
        )
    lines += notes or ["- none"]
    lines += [
        "",
        "## What to make and measure next",
        "- The recommended designs above; and for materials excluded only because a constraint could not be "
        "evaluated (missing strength or CCD in the catalog), that measurement.",
        "",
    ]
    return "\n".join(lines)
