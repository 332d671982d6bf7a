"""A short Markdown report per run: the question, the front, the recommended designs and why, warnings."""

from __future__ import annotations

import pandas as pd

from pipeline.reporting.pareto import DISPLAY_MAX_DESIGNS
from pipeline.study.config import StudyConfig
from pipeline.study.constraints import active_constraints
from pipeline.study.registry import OBJECTIVES
from pipeline.study.space import DESIGN_COLUMNS


def shown_columns() -> list[str]:
    """The design (option and variables) and every registered objective, once each."""
    # σ used (measured for catalog materials, predicted for composition-family members; their
    # interval and applicability are in the flags and the front table)
    return list(
        dict.fromkeys([*DESIGN_COLUMNS, "composition", "sigma_dense_s_per_cm", *OBJECTIVES])
    )


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


def optimized_columns(config: StudyConfig) -> list[str]:
    """The quantities the search held to account besides the reported objectives."""
    extra = ["robust_asr_ohm_cm2"] if config.surrogate.robust else []
    if config.constraints.temperature_window_c:
        extra.append("total_asr_cold_ohm_cm2")
    return extra


def design_flags(frame: pd.DataFrame, config: StudyConfig, decisive=None) -> pd.Series:
    """Per design, what a scientist must know before trusting the row: constraints that could not
    be evaluated (and how the study treated them), conductivities predicted rather than measured,
    extrapolation, supported films that are not free-standing membranes, and assumption-grade
    catalog values that decide its feasibility or its choice (decisive: frame rows are front rows)."""
    active = [name for name in active_constraints(config) if name in frame]
    predicted = config.surrogate.conductivity_source == "surrogate"

    def flags(row) -> str:
        out = [
            f"{name} unknown ({config.constraints.unknown})"
            for name in active
            if pd.isna(row[name])
        ]
        if bool(row.get("sigma_predicted", False)):  # a composition-family member
            reports = int(row.get("sigma_literature_reports", 0) or 0)
            source = (
                f"σ from {reports} literature report(s) of {row['composition']} in the "
                "surrogate's data"
                if reports
                else f"σ predicted for {row['composition']}"
            )
            out.append(
                f"{source}: 90 % interval "
                f"{row['sigma_p05_s_per_cm']:.2g}–{row['sigma_p95_s_per_cm']:.2g} S/cm"
            )
            if pd.notna(row.get("sigma_measured_s_per_cm")):
                out.append(f"measured: {row['measured']}")
        elif predicted and pd.notna(row.get("surrogate_log10_std")):
            out.append("σ predicted by the surrogate")
        if "in_domain" in row and not bool(row["in_domain"]):
            out.append("outside the surrogate's domain")
        if "free_standing" in row and not bool(row["free_standing"]):
            out.append("supported film on the cathode, not free-standing")
        if decisive is not None:
            # values that flip every design are said once, in the Result section
            flips = [v for v in decisive.flips.get(row.name, []) if v not in decisive.front_wide]
            if flips:
                out.append(f"ASSUMPTION DECIDES FEASIBILITY: {', '.join(flips)}")
            measured = decisive.flips_measured.get(row.name, [])
            if measured:
                out.append(f"feasibility flips within the measured range of: {', '.join(measured)}")
            moved = decisive.choice_moves.get(str(row.get("choice", "")), [])
            if moved:
                out.append(f"another design is chosen with {'; '.join(moved)}")
        return "; ".join(out)

    if frame.empty:
        return pd.Series([], dtype=str, index=frame.index)
    return frame.apply(flags, axis=1)


def _why(chosen: pd.DataFrame) -> str:
    parts = [f"**{r.choice}**: {r.why}" for r in chosen.itertuples()]
    for r in chosen.itertuples():
        same = getattr(r, "same_as_choice", "")
        parts += [f"**{other}**: same as {r.choice}" for other in same.split(", ") if other]
    return "Why: " + "; ".join(parts)


def _display_line(display) -> str:
    if not display.eps:
        return (
            f"- Figures and front_display.csv show all {display.total} front designs "
            "(the full front is also in front.parquet)."
        )
    return (
        f"- Figures and front_display.csv show {len(display.designs)} of the {display.total} front "
        "designs, thinned by ε-dominance per material (one design per box of side "
        f"ε = {display.eps:.3g} of each objective's normalized range, ε-dominated boxes dropped; at "
        f"most {DISPLAY_MAX_DESIGNS} designs); the full front is in front.parquet."
    )


def render(
    config: StudyConfig,
    summary: dict,
    front: pd.DataFrame,
    chosen: pd.DataFrame,
    warnings: list[str],
    infeasible_families: list[str],
    exclusions: list[str] | None = None,
    display=None,
    suggestions=None,
    decisive=None,
    charge_rates=None,
    worlds=None,
    measurement_notes: list[str] | None = None,
) -> str:
    """display: the pareto.DisplayFront the figures and front_display.csv show, stated here;
    suggestions: pipeline.campaign.suggest.Suggestions (`ssemo suggest`), the last section;
    decisive: pipeline.reporting.decisive.Decisive, the catalog values behind each choice."""
    c = config
    k = c.constraints
    table = chosen.assign(flags=design_flags(chosen, c, decisive))
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
            f" over {k.temperature_window_c[0]:g} to {k.temperature_window_c[1]:g} °C (the cold end binds: "
            "total_asr_cold_ohm_cm2 is the ASR held to the limit)"
            if k.temperature_window_c
            else ""
        )
        + f"; strength ≥ {c.mechanics.min_strength_mpa:g} MPa (free-standing membranes)"
        + (
            f"; flaw-initiated Li penetration at the charge current {c.cell.areal_capacity_mah_per_cm2:g} "
            f"mAh/cm² × {c.cell.charging_c_rate_per_h:g} C = "
            f"{c.cell.areal_capacity_mah_per_cm2 * c.cell.charging_c_rate_per_h:g} mA/cm² with probability "
            f"≤ {k.max_short_probability:g} (a measured CCD read as the median failure current of a "
            "test cell, Weibull scatter: objectives/shorts.py)"
            if k.ccd
            else ""
        )
        + (
            f"; short-circuit probability ≤ {k.max_short_probability:g} per {c.mechanics.membrane_area_cm2:g} cm² membrane "
            "from random pinholes, a percolating pore network, and Li protrusions through soft films "
            "(objectives/defects.py, objectives/shorts.py; short_circuit.csv says per family which "
            "mechanism is assessed and on what evidence)"
            if k.short_circuit
            else ""
        )
        + (
            f"; chemically stable against Li and the cathode (cathode coating: {c.cell.cathode_coating})"
            if k.stability
            else ""
        )
        + ".",
        f"- Conductivity from the {c.surrogate.conductivity_source}"
        + (
            f" for catalog materials; composition families ({', '.join(c.search.families)}): "
            "predicted by the surrogate for each composition"
            if c.search.families
            else ""
        )
        + (
            f", robust mode: the search optimizes the ASR at its {c.surrogate.robust_quantile:.0%} quantile "
            "over the uncertainty of its σ (robust_asr_ohm_cm2), not the ASR at the σ used"
            if c.surrogate.robust
            else ""
        )
        + f"; unknown constraints count as {k.unknown}.",
        f"- NSGA-II, population {c.search.population_size}, {summary['generations']} generations, seed {c.search.seed}; "
        f"{summary['n_evals']} evaluations in {summary['search_wall_s']:.1f} s of search (the other "
        "steps of the study, the plausible worlds and this report, come on top).",
        "",
        "## Result",
        f"- Front: {int(summary['front_size'])} non-dominated feasible designs; hypervolume {summary['hypervolume']:.4f} "
        "(objectives normalized by the config's fixed bounds, reference point 1.1).",
        f"- Lowest total ASR with thickness ≤ 20 µm: {_value(summary['min_asr_at_thickness_le_20um'], 'Ω cm²')}.",
        f"- Best manufacturability at ASR ≤ 50 Ω cm² (the review's target, fixed so runs compare): "
        f"{_value(summary['best_manufacturability_at_asr_le_50'])}.",
        *([_display_line(display)] if display is not None else []),
        *_front_wide_line(decisive),
        *_charge_line(c, charge_rates),
        "",
        *_measurements_section(measurement_notes),
        "## Recommended designs",
        "",
        _table(
            table,
            [
                "choice",
                *shown_columns(),
                *optimized_columns(c),
                *(["p_feasible"] if "p_feasible" in table else []),
                "flags",
            ],
        ),
        _why(chosen)
        if len(chosen)
        else "No feasible design was found (Warnings: why, and what would decide it).",
        "",
        *decided_section(chosen, decisive),
        *worlds_section(c, chosen, worlds),
        "## Excluded by chemical stability",
    ]
    lines += [f"- {e}" for e in exclusions or []] or ["- none"]
    lines += charge_section(c, charge_rates)
    lines += ["", "## Warnings"]
    notes = [f"- {w}" for w in warnings]
    if infeasible_families:
        notes.append(
            f"- Families with no design on the front: {', '.join(infeasible_families)} (infeasible, or "
            "dominated by other families' designs; a family whose strength or CCD is unknown is "
            "infeasible under constraints.unknown = infeasible, and an unknown handling load counts as "
            f"0; this study: {c.constraints.unknown})."
        )
    lines += notes or ["- none"]
    lines += ["", "## What to make and measure next", *next_steps(c, suggestions), ""]
    return "\n".join(lines)


def _measurements_section(notes: list[str] | None) -> list[str]:
    """What the study's ingested catalog measurements changed (catalog_measurements), if any."""
    if not notes:
        return []
    return ["## Catalog measurements applied", *[f"- {n}" for n in notes], ""]


def worlds_section(config: StudyConfig, chosen: pd.DataFrame, worlds) -> list[str]:
    """Each recommended design over the plausible worlds: P(feasible), its ASR's 10-90 % range,
    and the catalog values whose draws drive them (pipeline/reporting/worlds.py)."""
    if worlds is None:
        return []
    level = config.uncertainty.feasibility_level
    lines = [
        "## Plausible worlds",
        f"Every known catalog number drawn at once from its range ({worlds.n_worlds} worlds, one "
        "draw per catalog entry shared by every design; triangular at the value for measured and "
        "derived numbers, uniform for assumptions, on a log scale for conductivities, resistances, "
        "conductivity factors, CCDs and sizes and wherever a range spans a decade; an "
        "interquartile range through its quartiles (a split normal, stopped at the lowest and "
        "highest reported values); unknown stays unknown; a conductivity the surrogate predicts "
        "is drawn from its predictive distribution, one draw per composition, neighbouring "
        "compositions together). P(feasible) "
        f"is the share of worlds in which the design meets every constraint; below {level:g} it is "
        "flagged.",
        "",
    ]
    for row_id, row in chosen.iterrows():
        p = float(worlds.p_feasible[row_id])
        flag = f" **below {level:g}**" if p < level else ""
        drivers = worlds.drivers.get(int(row_id), [])
        lines.append(
            f"- **{row['choice']}** ({row['material']}, {row['process']}, {row['coating']}): "
            f"P(feasible) {p:.2f}{flag}; total ASR {worlds.asr_p10[row_id]:.3g}–"
            f"{worlds.asr_p90[row_id]:.3g} Ω cm² (10–90 %)"
            + (f"; driven by {'; '.join(drivers)}" if drivers else "")
        )
    return [*lines, "", *measurement_section(worlds)]


def measurement_section(worlds) -> list[str]:
    """The catalog values whose measurement would change the ASF choice most (expected value of
    partial perfect information from the worlds, pipeline/reporting/worlds.py)."""
    table = worlds.measurements
    if table is None or len(table) == 0:
        return []
    lines = [
        "## Which measurement is worth most",
        "Expected value of learning each catalog value before choosing (EVPPI from the worlds by "
        "quartile bins, in units of the ASF choice's utility: −ASF, an infeasible design one less "
        "than the worst feasible one). With few worlds per bin even an irrelevant value shows a "
        f"gain; random relabellings of the worlds put the largest such gain among the {len(table)} "
        f"values tested at {table['noise_95'].iloc[0]:.3g} (95th percentile, a 5 % family-wise "
        "level), and only values above it are named as worth measuring.",
        "",
    ]
    lines.append(
        "This asks which design to make, not whether any works: a value that every candidate "
        "shares (the drivers of P(feasible) above) can decide the go/no-go without changing the "
        "choice. 'Now' is the design with the best expected utility over the worlds, which can "
        "differ from the nominal ASF choice."
    )
    lines.append("")
    above = table[table["above_noise"]]
    if len(above) == 0:
        tried = "; ".join(f"{r['value']} {r['evppi']:.3g}" for _, r in table.head(3).iterrows())
        lines.append(
            "- No value's information exceeds the noise: no single measurement would change which "
            f"design to make. Largest gains: {tried} (against {table['noise_95'].iloc[0]:.3g})."
        )
    for _, r in above.head(5).iterrows():
        change = (
            "the choice stays"
            if r["choice_if_low_design"] == r["choice_if_high_design"] == r["choice_now_design"]
            else f"low → {r['choice_if_low_design']}; high → {r['choice_if_high_design']}"
        )
        lines.append(
            f"- **{r['value']}** ({r['grade']}, {r['low']:.3g}–{r['high']:.3g}): EVPPI "
            f"{r['evppi']:.3g}; measure by {r['measurement'] or 'the method of its source'}; now "
            f"{r['choice_now_design']}, {change}."
        )
    return [*lines, ""]


def _charge_line(config: StudyConfig, rates) -> list[str]:
    """The Result section's answer to 'which options survive this charge current'."""
    if rates is None or len(rates) == 0:
        return []
    cell = config.cell
    asked = cell.areal_capacity_mah_per_cm2 * cell.charging_c_rate_per_h
    ok = rates[rates["max_charge_current_ma_per_cm2"] >= asked]
    best = rates.iloc[0]
    top = (
        f"{best['material']} with {best['coating']} up to "
        f"{best['max_charge_current_ma_per_cm2']:.2g} mA/cm² "
        f"(C/{1 / best['max_charge_c_rate_per_h']:.3g})"
    )
    if len(ok):
        return [
            f"- Charging at {asked:g} mA/cm²: {len(ok)} of {len(rates)} stable (material, coating) "
            f"pairs with a known CCD stay within the short-circuit limit; the fastest is {top}."
        ]
    factor = float(best["max_charge_current_ma_per_cm2"] / best["ccd_ma_per_cm2"])
    return [
        f"- Charging at {asked:g} mA/cm²: no stable (material, coating) pair with a known CCD stays "
        f"within the short-circuit limit; the fastest is {top}. Surviving {asked:g} mA/cm² would "
        f"take a measured CCD of about {asked / factor:.2g} mA/cm² (section 'Fastest charge')."
    ]


def charge_section(config: StudyConfig, rates) -> list[str]:
    """The fastest charge each stable (material, coating) survives: flaw-initiated penetration is
    the one short-circuit mechanism that depends on the current (pipeline/study/charge.py)."""
    if rates is None or len(rates) == 0:
        return []
    cell = config.cell
    asked = cell.areal_capacity_mah_per_cm2 * cell.charging_c_rate_per_h
    shown = rates.assign(
        survives_this_study=rates["max_charge_current_ma_per_cm2"] >= asked,
    )
    return [
        "",
        "## Fastest charge each option survives",
        f"Largest charge current with P(flaw-initiated penetration) ≤ "
        f"{config.constraints.max_short_probability:g} per {config.mechanics.membrane_area_cm2:g} cm²"
        f" (a measured CCD read as the median failure current of a test cell, Weibull modulus "
        f"from short_circuit.csv); this study charges at {asked:g} mA/cm² "
        f"({cell.charging_c_rate_per_h:g} C of {cell.areal_capacity_mah_per_cm2:g} mAh/cm²). "
        "Other constraints may still exclude a pair.",
        "",
        _table(
            shown,
            [
                "material",
                "coating",
                "ccd_ma_per_cm2",
                "ccd_measured_on",
                "weibull_modulus",
                "max_charge_current_ma_per_cm2",
                "max_charge_c_rate_per_h",
                "survives_this_study",
            ],
        ),
    ]


def _front_wide_line(decisive) -> list[str]:
    """The assumption-grade values on which every front design using them depends: measure first."""
    if decisive is None or not decisive.front_wide:
        return []
    from pipeline.reporting.decisive import assumptions

    values = assumptions(decisive).set_index("label")
    named = [
        f"{label} ({values.at[label, 'value']:.3g}, assumed within "
        f"{values.at[label, 'low']:.3g}–{values.at[label, 'high']:.3g})"
        for label in decisive.front_wide
    ]
    return [
        f"- Every front design that uses them is feasible or not depending on: {'; '.join(named)}. "
        "No measurement sets them: measuring them first would settle the most designs."
    ]


def decided_section(chosen: pd.DataFrame, decisive) -> list[str]:
    """Per recommended design, the catalog values behind its verdicts (grade and range), then the
    assumption-grade values that touch the front, most used first."""
    if decisive is None:
        return []
    from pipeline.reporting.decisive import assumptions, design_evidence

    lines = [
        "## What decided the recommendations",
        "Each catalog number carries a range and an evidence grade (`ssemo catalog evidence`). "
        "Every assumption-grade value a front design uses was moved to each end of its range, one "
        "at a time: the flags above name the values that flip a recommended design's feasibility "
        "or make the compromise choice another design (a value that flips every design is named "
        "once, under Result).",
        "",
    ]
    for row in chosen.itertuples():
        lines.append(f"- **{row.choice}** ({row.material}, {row.process}, {row.coating}):")
        for verdict, values in design_evidence(decisive, row.Index).items():
            lines.append(f"  - {verdict}: {'; '.join(values)}")
    values = assumptions(decisive)
    lines += ["", "Assumption-grade values that touch the front (most front designs first):", ""]
    if len(values) == 0:
        lines.append("- none")
    else:
        shown = values.head(15).assign(
            range=[
                f"{lo:.3g}–{hi:.3g}"
                for lo, hi in zip(values["low"].head(15), values["high"].head(15), strict=True)
            ]
        )
        lines.append(
            _table(
                shown,
                [
                    "label",
                    "value",
                    "range",
                    "n_front_designs",
                    "n_flip_feasibility",
                    "choices_moved",
                ],
            )
        )
        if len(values) > 15:
            lines.append(f"({len(values) - 15} more in assumption_values.csv)")
    measured = decisive.values[
        (decisive.values["grade"] != "assumption") & (decisive.values["n_flip_feasibility"] > 0)
    ]
    if len(measured):
        lines += [
            "",
            "Measured or derived values whose own spread flips front designs (the spread of the "
            "sources, not a guess; screened_values.csv has every value):",
            "",
            _table(
                measured.head(10).assign(
                    range=[
                        ("quartiles " if kind == "quartiles" else "") + f"{lo:.3g}–{hi:.3g}"
                        for lo, hi, kind in zip(
                            measured["low"].head(10),
                            measured["high"].head(10),
                            measured["range_kind"].head(10),
                            strict=True,
                        )
                    ]
                ),
                ["label", "value", "range", "n_front_designs", "n_flip_feasibility"],
            ),
        ]
    lines.append("")
    return lines


def next_steps(config: StudyConfig, suggestions) -> list[str]:
    """The batch `ssemo suggest` chose and the measurements that unblock whole materials; without
    suggestions, how to get them."""
    if suggestions is None:
        return [
            f"- Run `ssemo suggest --config {config.source}` (or `make suggest`) for a batch of designs "
            "chosen by expected hypervolume improvement under the surrogate's uncertainty, and the "
            "measurements that would unblock materials the catalog cannot evaluate."
        ]
    info, designs, gaps = suggestions.info, suggestions.designs, suggestions.gaps
    lines = [
        f"- Method: {info['method']}; {info['scored']} distinct candidate designs (search archive + "
        f"a grid over every option), {info['already_measured']} already measured and left out; "
        f"{info['samples']} conductivity draws each from the surrogate's predictive distribution "
        "(a catalog σ: from its catalog range's evidence law); "
        f"seed {info['seed']}. Expected gains are in normalized hypervolume (the front's "
        f"{info['front_size']} designs as reference). All rows: suggestions.csv.",
        "",
    ]
    if len(designs):
        lines.append(
            _table(
                designs,
                [
                    "rank",
                    "material",
                    "composition",
                    "process",
                    "coating",
                    "thickness_um",
                    "relative_density",
                    "expected_hv_improvement",
                    "p_feasible",
                    "sigma_s_per_cm",
                    "sigma_p05_s_per_cm",
                    "sigma_p95_s_per_cm",
                    "applicability",
                    "constraint_most_at_risk",
                ],
            )
        )
        lines += [f"{r.rank}. {r.why}" for r in designs.itertuples()]
    else:
        lines.append("- No candidate is expected to improve the front: nothing to make.")
    lines += ["", "Measurements that unblock whole materials (measurement_gaps.csv):"]
    if len(gaps):
        lines += [
            f"- {r.material}: measure {r.measure} ({r.why.split(': ', 1)[1]})"
            for r in gaps.head(10).itertuples()
        ]
    else:
        lines.append("- none: every material's constraints can be evaluated.")
    return lines + lab_check_lines(
        getattr(suggestions, "lab_check", None), info.get("lab_compositions_not_compared", 0)
    )


def lab_check_lines(check, not_compared: int = 0) -> list[str]:
    """The store's measurements beside the surrogate's predictions (lab_vs_predicted.csv)."""
    lines = []
    if check is not None and len(check):
        known = check["inside_interval"].dropna().astype(bool)
        lines += [
            "",
            "Your measurements against the surrogate's predictions (lab_vs_predicted.csv): "
            f"{int(known.sum())} of {len(known)} inside the 90 % interval of the dense material's σ "
            "at the study's temperature (a pellet or sheet below full density reads lower):",
        ]
        for r in check.itertuples():
            trained = (
                f"; the surrogate was trained on {r.trained_on_reports} report(s) of it: not a test"
                if r.trained_on_reports
                else ""
            )
            verdict = (
                "no interval"
                if pd.isna(r.inside_interval)
                else "inside"
                if r.inside_interval
                else "OUTSIDE"
            )
            lines.append(
                f"- {r.composition} ({r.source}, {r.temperature_c:g} °C): measured "
                f"{r.sigma_measured_s_per_cm:.2g} S/cm, predicted {r.sigma_predicted_s_per_cm:.2g} "
                f"(90 % {r.sigma_p05_s_per_cm:.2g}–{r.sigma_p95_s_per_cm:.2g}), {verdict}{trained}"
            )
    if not_compared:
        lines += [
            "",
            f"{int(not_compared)} stored composition(s) near the study's temperature are no level "
            "of its composition families: not set beside a prediction (`ssemo predict` gives one).",
        ]
    return lines
