"""`ssemo stacks`: a multi-layer study beside the best monolayer of the same cell, and when a stack
beats it and why.

The stacks of `search.stacks` are searched with NSGA-II (pipeline/study/stack_study.py), the
monolayer study of the same config (every catalog option, as `ssemo run` searches it) likewise;
each is judged by the achievement scalarizing function (ASF) of the study's weights on the
objectives normalized by the study's fixed bounds, the rule `ssemo run` uses for its 'asf' choice.
Per stack the report says whether it has a feasible design, its best one, and whether it beats the
best monolayer. A stack whose internal interface has no number (layer_interfaces.csv: unknown)
cannot be judged; it is searched again as if that interface cost nothing, and the report gives
the interface resistance below which the stack would still meet the ASR limit and still beat the
monolayer: the number a lab would have to measure.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.catalog_inputs import study_catalog_measured
from pipeline.files import ensure_writable, inside, remove_stale_partials, to_csv, write_all
from pipeline.reporting import tracking
from pipeline.search.decisions import asf_values
from pipeline.search.nsga2 import run_nsga2
from pipeline.study.config import StudyConfig
from pipeline.study.evaluation import Evaluator
from pipeline.study.problem import StudyModel
from pipeline.study.stack_study import StackModel
from pipeline.study.stacks import StackEvaluator


def best_of(model, X: np.ndarray) -> tuple[pd.Series | None, float]:
    """The archive's design with the lowest ASF, and that ASF (None, inf when there is none)."""
    if len(X) == 0:
        return None, float("inf")
    F, _, _ = model.evaluate(X)
    values = asf_values(model, F)
    i = int(np.argmin(values))
    return model.table(X[i : i + 1]).iloc[0], float(values[i])


def blocked_by(model: StackModel, stack: int, n: int = 2000, seed: int = 0) -> str:
    """For a stack with no feasible design: the constraints never met, or unknown, in n random
    designs of it."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, model.space.n_var))
    X[:, 0] = (stack + 0.5) / model.space.n_options
    _, G, out = model.evaluate(X)
    parts = []
    for j, name in enumerate(model.constraint_names):
        raw = out[name]
        if np.isnan(raw).all():
            parts.append(f"{name} unknown")
        elif (G[:, j] > 0).all():
            parts.append(f"{name} never met")
    return ", ".join(parts) or "no single constraint (their combination)"


def unknown_interfaces(model: StackModel, stack: int) -> list[str]:
    """The adjacent layer pairs of a stack whose internal interface resistance is unknown."""
    ev = model.evaluator
    m = model.space.material[stack]
    present = model.space.present[stack]
    ids = model.catalog.material_ids
    out = []
    for j in range(len(m) - 1):
        if present[j] and present[j + 1]:
            r = ev.internal_interface_ohm_cm2[m[j] * ev.n_materials + m[j + 1]]
            if np.isnan(r):
                out.append(f"{ids[m[j]]} | {ids[m[j + 1]]}")
    return out


def break_even_ohm_cm2(model: StackModel, design: pd.Series, target_asf: float) -> float:
    """The extra ASR (an internal interface's resistance) a design can carry and still have an ASF
    at or below target_asf: bisection over the ASR column, the other objectives fixed."""
    X = design[model.space.x_columns].to_numpy(float)[None, :]
    F, _, _ = model.evaluate(X)
    j = model.objectives.index("total_asr_ohm_cm2")
    if asf_values(model, F)[0] > target_asf:
        return 0.0
    low, high = 0.0, 1e5
    for _ in range(60):
        mid = 0.5 * (low + high)
        moved = F.copy()
        moved[0, j] += mid
        low, high = (mid, high) if asf_values(model, moved)[0] <= target_asf else (low, mid)
    return low


def interfaces_as_zero(catalog, config: StudyConfig) -> StackEvaluator:
    """A StackEvaluator whose unknown internal interfaces cost nothing: for the break-even only,
    never for a recommendation."""
    evaluator = StackEvaluator(Evaluator(catalog, config))
    # an unknown row and a pair with no row at all alike
    evaluator.internal_interface_ohm_cm2 = np.nan_to_num(evaluator.internal_interface_ohm_cm2)
    return evaluator


def run_stacks(config: StudyConfig, out_dir: Path | None = None, progress: bool = True) -> dict:
    """Search the stacks and the monolayer study of one config; write stacks.csv, the stack
    front (stacks_front.csv) and report.md; log them to MLflow when tracking is enabled."""
    started = time.perf_counter()
    t = config.tracking
    # beside, not over, the single-layer run of the same study (`make studies` runs both)
    out_dir = out_dir or inside(config.resolve_path(t.output_dir), f"{config.name}-stacks")
    ensure_writable(out_dir)
    remove_stale_partials(out_dir)
    if t.enabled:
        tracking.check_store(t.tracking_uri)
    if config.compute.scheduler:  # said, not silently ignored (ssemo run uses it)
        print(
            f"warning: compute.scheduler {config.compute.scheduler} is not used by ssemo stacks: "
            "stacks and the monolayer study are searched in this process",
            file=sys.stderr,
        )
    catalog, _, notes = study_catalog_measured(config)
    for note in notes:
        print(note, file=sys.stderr)
    stacks = StackModel(catalog, config)
    # the monolayer study of the same cell: every catalog option (the stacks are not options)
    mono = StudyModel(catalog, replace(config, search=replace(config.search, stacks=())))
    run_name = f"{config.name}-stacks-{config.config_hash()[:8]}"
    with tracking.study_run(
        t.enabled, t.tracking_uri, t.experiment, run_name, study=config.name
    ) as rec:
        rec.start(
            tracking.flatten(config.to_dict()),
            {
                "ssemo.job": "stacks",
                "ssemo.study": config.name,
                "ssemo.objectives": ",".join(stacks.objectives),
                "ssemo.code_version": tracking.code_version(),
                "ssemo.config_hash": config.config_hash(),
                "ssemo.config_file": config.source,
            },
        )
        if progress:
            print(
                f"Searching {stacks.space.n_options} stacks and the monolayer study ...",
                file=sys.stderr,
                flush=True,
            )
        stack_result = run_nsga2(stacks, progress=False)
        mono_result = run_nsga2(mono, progress=False)
        mono_best, mono_asf = best_of(mono, mono_result.archive.X)
        front = stacks.table(stack_result.archive.X)
        rows = [
            _stack_row(config, catalog, stacks, i, front, mono_asf)
            for i in range(stacks.space.n_options)
        ]
        table = pd.DataFrame(rows)
        report = _report(config, stacks, table, mono_best, mono_asf)
        # the file says "no feasible design" with an empty cell, not an ASF of inf
        table["asf"] = table["asf"].replace(np.inf, np.nan)
        writers = {
            "stacks.csv": lambda p: to_csv(table, p),
            "stacks_front.csv": lambda p: to_csv(front, p),
            "report.md": lambda p: p.write_text(report, encoding="utf-8"),
        }
        files = write_all(out_dir, writers)
        summary = {
            "study": config.name,
            "n_stacks": len(table),
            "n_stacks_feasible": int(table["feasible"].sum()),
            "n_stacks_beating_monolayer": int(table["beats_monolayer"].fillna(False).sum()),
            "monolayer_best_asf": mono_asf,
            "stack_front_size": len(front),
            "wall_s": time.perf_counter() - started,
            "output_dir": str(out_dir),
        }
        metrics = {k: float(v) for k, v in summary.items() if isinstance(v, int | float)}
        rec.finish({f"summary.{k}": v for k, v in metrics.items() if np.isfinite(v)}, {}, files)
        if rec.run_id is not None:
            summary["run_id"] = rec.run_id
            summary["mlflow_ui"] = tracking.ui_hint(str(rec.experiment_id), t.tracking_uri)
    return summary


def _stack_row(config, catalog, stacks: StackModel, i: int, front, mono_asf: float) -> dict:
    label = stacks.stacks[i].label
    mine = front[front["stack"] == label]
    X = mine[stacks.space.x_columns].to_numpy(float)
    best, asf = best_of(stacks, X)
    row: dict = {"stack": label, "feasible": best is not None, "asf": asf}
    missing = unknown_interfaces(stacks, i)
    row["unknown_interfaces"] = "; ".join(missing)
    if best is not None:
        row.update(_design_columns(stacks, best))
        row["unknown_objectives"] = _unknown_objectives(stacks, best)
        row["beats_monolayer"] = asf < mono_asf
        return row
    row["blocked_by"] = blocked_by(stacks, i)
    row["beats_monolayer"] = None
    if missing:  # the same stack as if its unknown interface cost nothing: how much it may cost
        alone = replace(config, search=replace(config.search, stacks=(label,)))
        free = StackModel(catalog, alone, interfaces_as_zero(catalog, alone))
        found = run_nsga2(free, progress=False).archive.X
        best_free, asf_free = best_of(free, found)
        if best_free is not None:
            row["if_interfaces_free_asf"] = asf_free
            row["if_interfaces_free_unknown"] = _unknown_objectives(free, best_free)
            row["if_interfaces_free_total_asr_ohm_cm2"] = best_free["total_asr_ohm_cm2"]
            row["interface_max_for_asr_limit_ohm_cm2"] = max(
                config.operating.asr_max_ohm_cm2 - best_free["total_asr_ohm_cm2"], 0.0
            )
            row["beats_monolayer_if_interface_free"] = asf_free < mono_asf
            # a stack that loses even with a free interface has no budget: empty, not 0 Ω cm²
            row["interface_max_to_beat_monolayer_ohm_cm2"] = (
                break_even_ohm_cm2(free, best_free, mono_asf) if asf_free < mono_asf else np.nan
            )
        else:
            row["if_interfaces_free"] = "no feasible design either: " + blocked_by(free, 0)
    return row


def _unknown_objectives(model: StackModel, design: pd.Series) -> str:
    """The objectives a design has no value for (counted as the worst in its ASF)."""
    return ", ".join(o for o in model.objectives if pd.isna(design[o]))


def _design_columns(model: StackModel, design: pd.Series) -> dict:
    keep = [c for c in design.index if c.startswith("layer") or c in model.objectives]
    keep += ["short_probability", "interface_asr_ohm_cm2", "internal_interface_asr_ohm_cm2"]
    return {c: design[c] for c in dict.fromkeys(keep)}


def _fmt(value) -> str:
    if isinstance(value, float):
        return "" if np.isnan(value) else f"{value:.4g}"
    return str(value)


def _report(config, stacks: StackModel, table: pd.DataFrame, mono_best, mono_asf) -> str:
    lines = [
        f"# ssemo multi-layer study `{config.name}`",
        "",
        config.description,
        "",
        "## The question",
        f"- Objectives: {', '.join(stacks.objectives)}; each stack's best design and the best "
        "monolayer are compared by the achievement scalarizing function (ASF, lower is better) of "
        f"the study's weights on the objectives normalized by its fixed bounds.",
        f"- Charge current {config.cell.areal_capacity_mah_per_cm2:g} mAh/cm² × "
        f"{config.cell.charging_c_rate_per_h:g} C; total ASR ≤ {config.operating.asr_max_ohm_cm2:g} "
        f"Ω cm²; P(short) ≤ {config.constraints.max_short_probability:g}; cathode coating "
        f"{config.cell.cathode_coating}; unknown values count as {config.constraints.unknown}.",
        "- Stacks are written from the Li side to the cathode side; shorts of a stack need a path "
        "through every layer (independent layers: optimistic, a lower bound).",
        "",
        "## The best monolayer",
    ]
    if mono_best is None:
        lines.append("- No feasible monolayer design in this study.")
    else:
        lines.append(
            f"- {mono_best['material']} / {mono_best['process']} / {mono_best['coating']}, "
            f"{mono_best['thickness_um']:.3g} µm: total ASR {mono_best['total_asr_ohm_cm2']:.3g} "
            f"Ω cm², ASF {mono_asf:.4g}."
        )
    lines += ["", "## The stacks", ""]
    for _, r in table.iterrows():
        lines.append(f"### {r['stack']}")
        if r["feasible"]:
            layers = [
                f"{r[f'layer{j}_thickness_um']:.3g} µm at {r[f'layer{j}_relative_density']:.2f}"
                for j in range(3)
                if r.get(f"layer{j}_thickness_um", 0) > 0
            ]
            verdict = "beats" if r["beats_monolayer"] else "does not beat"
            lines.append(
                f"- Best design: {' + '.join(layers)}; total ASR {r['total_asr_ohm_cm2']:.3g} "
                f"Ω cm² (internal interfaces {r['internal_interface_asr_ohm_cm2']:.3g}), "
                f"P(short) {r['short_probability']:.2g}, ASF {r['asf']:.4g}: it {verdict} the best "
                "monolayer."
            )
            if mono_best is not None:
                pairs = [
                    f"{o} {r[o]:.4g} vs {mono_best[o]:.4g}"
                    for o in stacks.objectives
                    if pd.notna(r.get(o)) and pd.notna(mono_best.get(o))
                ]
                lines.append(f"- Against the best monolayer: {'; '.join(pairs)}.")
            if r.get("unknown_objectives"):
                lines.append(f"- Unknown for it (counted as the worst): {r['unknown_objectives']}.")
        else:
            lines.append(f"- No feasible design: {r['blocked_by']}.")
            if r.get("unknown_interfaces"):
                lines.append(
                    f"- Its internal interface {r['unknown_interfaces']} has no number "
                    "(layer_interfaces.csv), so its ASR is unknown."
                )
                if pd.notna(r.get("interface_max_for_asr_limit_ohm_cm2", np.nan)):
                    beat = r["interface_max_to_beat_monolayer_ohm_cm2"]
                    lines.append(
                        "- If that interface cost nothing, its best design would have total ASR "
                        f"{r['if_interfaces_free_total_asr_ohm_cm2']:.3g} Ω cm² (ASF "
                        f"{r['if_interfaces_free_asf']:.4g}). It stays within the ASR limit up to "
                        f"{r['interface_max_for_asr_limit_ohm_cm2']:.3g} Ω cm² of interface, and "
                        + (
                            f"beats the best monolayer up to {beat:.3g} Ω cm²: measure that "
                            "interface (a symmetric cell of the two layers) to decide."
                            if pd.notna(beat) and beat > 0
                            else "does not beat the best monolayer even then."
                        )
                    )
                    if r.get("if_interfaces_free_unknown"):
                        lines.append(
                            "- Unknown for that design (counted as the worst): "
                            f"{r['if_interfaces_free_unknown']} (a number for it is the other "
                            "measurement that decides)."
                        )
                elif r.get("if_interfaces_free"):
                    lines.append(f"- If that interface cost nothing: {r['if_interfaces_free']}.")
        lines.append("")
    return "\n".join(lines) + "\n"
