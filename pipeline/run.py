"""`ssemo run`: one study — search its design space, choose designs, write and record everything.

`run_study` only composes: the study model (study/), the search with its per-generation callbacks
(search/: progress, checkpoint; reporting/: MLflow metrics while it runs), the outcome (front,
choices, summary, comparison with a previous run) and its files and MLflow record (reporting/).
"""

from __future__ import annotations

import dataclasses
import hashlib
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.files import ensure_writable, inside, remove_stale_partials, write_all
from pipeline.reporting import tracking
from pipeline.reporting.artifacts import Outcome, study_writers
from pipeline.reporting.decisive import decisive_values
from pipeline.reporting.worlds import front_worlds
from pipeline.search.decisions import choose
from pipeline.search.nsga2 import Callback, SearchModel, SearchResult, run_nsga2
from pipeline.study.catalog import FILES, Catalog
from pipeline.study.charge import fastest_charge
from pipeline.study.config import StudyConfig
from pipeline.study.problem import StudyModel
from pipeline.study.registry import normalize, objective_set_key
from pipeline.study.stability import stability_exclusions


def catalog_hash(directory: Path) -> str:
    digest = hashlib.sha256()
    for name in sorted(FILES.values()):
        digest.update(name.encode())
        digest.update((directory / name).read_bytes())
    return digest.hexdigest()


def load_surrogate(config: StudyConfig, messages: list[str]):
    """(model, version) of the registered surrogate, or (None, 'none') with a warning when none is
    registered. A model that is registered but refused (unknown types, changed file) or a store
    that does not answer stops the run: an error, not a quiet fallback."""
    if not config.surrogate.enabled:
        return None, "disabled"
    try:
        model = tracking.load_registered_model(config.tracking.tracking_uri, config.surrogate.model)
    except tracking.ModelNotFoundError as exc:
        messages.append(
            f"no surrogate: {exc} The search used the catalog's conductivities (robust mode: with "
            "their evidence ranges); no composition was predicted, no applicability checked."
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


# The MLflow metrics of a study run, few and named by group so that the UI's column picker selects
# them at once ("summary."): results comparable across runs, what the search cost, the comparison with
# the previous run. Hypervolume depends on the objective set, so its name carries the set.
SUMMARY_METRICS = (
    "front_size",
    "min_asr_at_thickness_le_20um",
    "best_manufacturability_at_asr_le_50",
    "min_total_asr_ohm_cm2",
    "min_thickness_um",
    "max_strength_mpa",
)
COST_METRICS = ("generations", "n_evals", "search_wall_s", "wall_s")


def hypervolume_metric(objectives: tuple[str, ...]) -> str:
    """'hv_thickness_um-total_asr_ohm_cm2-...': 4- and 5-objective hypervolumes in two columns."""
    return f"hv_{objective_set_key(objectives)}"


def objective_definition(config) -> str:
    """How the objectives were measured, beside which ones (ssemo.objectives): a robust ASR or
    objectives at a quantile over plausible worlds give hypervolumes of another kind, which
    `compare` must not subtract from a nominal run's."""
    parts = []
    if config.surrogate.robust:
        parts.append(
            f"ASR at its {config.surrogate.robust_quantile:g} quantile over its σ's uncertainty "
            "(catalog range or surrogate spread)"
        )
    if config.uncertainty.search:
        parts.append(
            f"objectives at the {config.uncertainty.objective_quantile:g} quantile over "
            f"{config.uncertainty.worlds} plausible worlds"
        )
    return "; ".join(parts) or "nominal"


def measured_alike(previous: dict, objectives: tuple[str, ...], config) -> bool:
    """Whether a job's previous run of a study measured the same objectives the same way, so that
    its front and hypervolume compare with this run's (records written before these keys: as if)."""
    return all(
        previous.get(key, now) == now
        for key, now in (
            ("objectives", ",".join(objectives)),
            ("objective_definition", objective_definition(config)),
        )
    )


def mlflow_metrics(summary: dict, objectives: tuple[str, ...]) -> dict[str, float]:
    metrics = {f"summary.{hypervolume_metric(objectives)}": summary["hypervolume"]}
    metrics |= {f"summary.{k}": summary[k] for k in SUMMARY_METRICS if k in summary}
    metrics |= {f"cost.{k}": summary[k] for k in COST_METRICS if k in summary}
    metrics |= {k: v for k, v in summary.items() if k.startswith(("compare.", "suggest."))}
    return _finite_numbers(metrics)


def run_study(
    config: StudyConfig,
    out_dir: Path | None = None,
    *,
    checkpoint=None,
    tags: dict[str, str] | None = None,
    previous: dict | None = None,
    progress: bool = True,
    origin: str = "run",
    suggest=None,
) -> dict:
    """Run the study and return its summary; artifacts go to out_dir and to MLflow when enabled.

    checkpoint: resume/save the search (pipeline.search.checkpoint). previous: {'front': path,
    'hypervolume': float, 'run_id': str} of the last successful run of this study, to log what
    changed. origin: what started the run ('run', 'studies', 'job'), in the run's name and tags so
    runs of the same study from different origins are told apart in the MLflow UI. suggest:
    pipeline.campaign.suggest.SuggestOptions: also choose the next batch to make and measure
    (suggestions.csv, measurement_gaps.csv, the report's last section), after the search.
    """
    started = time.perf_counter()
    t = config.tracking
    # pre-flight, before any search: the output folder is writable (a partial set of files a killed
    # run left is removed), the tracking store answers, the surrogate loads; first, a Dask
    # scheduler the search will use answers (compute.scheduler)
    out_dir = out_dir or inside(config.resolve_path(t.output_dir), config.name)
    messages: list[str] = []
    scheduler_note = _check_scheduler(config)  # before the results folder and MLflow run exist
    if scheduler_note:
        messages.append(scheduler_note)
    ensure_writable(out_dir)
    remove_stale_partials(out_dir)
    if t.enabled or config.surrogate.enabled:
        tracking.check_store(t.tracking_uri)
    from pipeline.catalog_inputs import study_catalog_measured

    # the catalog with its measurements; applied (catalog_measurements.Applied) and the notes say
    # what they changed: evidence, reported apart from the warnings
    catalog, applied, measurement_notes = study_catalog_measured(config)
    if config.search.stacks:
        from pipeline.study.stack_study import parse_stacks

        parse_stacks(config, catalog)  # a bad stack is a config error here too, before any run
        messages.append(
            f"this study lists {len(config.search.stacks)} multi-layer stacks (search.stacks): "
            "`ssemo run` searches its single-layer options, `ssemo stacks` the stacks."
        )
    surrogate, surrogate_version = load_surrogate(config, messages)
    model = StudyModel(catalog, config, surrogate)
    config_hash = config.config_hash()
    run_name = f"{config.name}-{origin}-{config_hash[:8]}"
    hv_name = hypervolume_metric(model.objectives)
    with tracking.study_run(
        t.enabled,
        t.tracking_uri,
        t.experiment,
        run_name,
        hypervolume_metric=hv_name,
        study=config.name,
    ) as rec:
        rec.start(
            tracking.flatten(config.to_dict()),
            {
                "ssemo.job": "run",
                "ssemo.origin": origin,
                "ssemo.objectives": ",".join(model.objectives),
                "ssemo.objective_definition": objective_definition(config),
                "ssemo.study": config.name,
                "ssemo.code_version": tracking.code_version(),
                "ssemo.config_hash": config_hash,
                "ssemo.data_hash": catalog_hash(config.catalog_dir()),
                "ssemo.surrogate_model_version": str(surrogate_version),
                "ssemo.config_file": config.source,
                **(applied.tags() if applied is not None else {}),
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
        searched: SearchModel = model
        if config.uncertainty.search and config.uncertainty.worlds:
            from pipeline.study.robust import worlds_model

            searched = worlds_model(model)
            messages.append(
                f"searched over {config.uncertainty.worlds} plausible worlds: a design is feasible "
                f"in at least {config.uncertainty.feasibility_level:g} of them, objectives at their "
                f"{config.uncertainty.objective_quantile:g} quantile (front columns *_q"
                f"{round(100 * config.uncertainty.objective_quantile)}); the rest of the table is "
                "the nominal catalog's"
            )
        result = search(searched, [rec.on_generation], checkpoint, progress)
        outcome = study_outcome(model, model.catalog, result, messages, previous, searched)
        extra_tags = _comparison_tags(outcome.summary)
        if suggest is not None:
            outcome, extra_tags = _with_suggestions(model, result, outcome, suggest, extra_tags)
        # the report reads the notes when it is written, after the recommendations' are added
        outcome = dataclasses.replace(outcome, measurement_notes=measurement_notes)
        writers = study_writers(config, outcome, model.objectives)
        if applied is not None:  # which measurements changed which values and recommendations
            writers |= applied.writers(model, outcome.front, measurement_notes)
        files = write_all(out_dir, writers)
        summary = outcome.summary
        summary["wall_s"] = time.perf_counter() - started
        summary["output_dir"] = str(out_dir)
        rec.finish(mlflow_metrics(summary, model.objectives), extra_tags, files)
        if rec.run_id is not None:
            summary["run_id"] = rec.run_id
            summary["experiment_id"] = rec.experiment_id
            summary["mlflow_ui"] = tracking.ui_hint(str(rec.experiment_id), t.tracking_uri)
    summary["warnings"] = messages
    summary["catalog_measurements"] = measurement_notes
    return summary


# The catalog's interfacial resistances and CCDs are values at the temperatures their sources
# measured them, about 25 °C for most (each row's `condition`); no activation energy is sourced for
# any of them, so they are not moved with the study's temperature. A new-user trial (2026-12-08)
# found a 0 °C study feasible with its interfaces at their 25 °C values and nothing saying so.
INTERFACE_VALUES_MEASURED_AT_C = 25.0


def temperature_fixed_terms(config) -> str | None:
    """The warning a study away from 25 °C needs: only the bulk ASR follows its temperature. The
    temperatures named are those the study evaluates: the operating one and a window's cold end
    (the hot end is never evaluated: σ rises with T, the cold end binds)."""
    window = config.constraints.temperature_window_c or ()
    evaluated = (config.operating.temperature_c, *window[:1])
    away = sorted({t for t in evaluated if t != INTERFACE_VALUES_MEASURED_AT_C})
    if not away:
        return None
    reference = INTERFACE_VALUES_MEASURED_AT_C
    direction = "; ".join(
        f"at {t:g} °C the total ASR is {'optimistic' if t < reference else 'pessimistic'}"
        for t in away
    )
    layers = " and the internal interfaces of its stacks" if config.search.stacks else ""
    return (
        f"At {', '.join(f'{t:g}' for t in away)} °C only the bulk ASR follows the temperature: the "
        f"Li-side and cathode-side interfacial resistances{layers} and the CCDs are the catalog's "
        f"values at the temperatures their sources measured them (about {reference:g} °C for most; "
        "ssemo catalog evidence), because no activation energy is sourced for them. Interfaces "
        f"are thermally activated, so {direction} (an interface-dominated design may fail in the "
        "cold); measure the interfaces and the CCD at the study's temperature before trusting it."
    )


def density_floor_above_caps(space, relative_density_min: float) -> str | None:
    """Options whose process has never made a membrane as dense as search.relative_density_min are
    searched at their own maximum (space.density_low): the user asked for more than the catalog
    says is possible, and a front entirely at the cap should not read as a choice."""
    held = space.density_high < relative_density_min
    if not held.any():
        return None
    return (
        f"search.relative_density_min {relative_density_min:g} is above the densest membrane "
        f"{int(held.sum())} of {space.n_options} options' processes have been shown to make "
        f"(process_properties.csv relative_density_max, at most {space.density_high[held].max():g} "
        "there): those options are searched at that maximum only"
    )


def search(
    model: SearchModel, callbacks: list[Callback], checkpoint, progress: bool
) -> SearchResult:
    """NSGA-II in this process, or with each population split across a Dask cluster's workers."""
    from pipeline.search import distributed

    compute = model.config.compute
    if compute.scheduler is None or not distributed.scheduler_used(compute):  # None: for mypy
        return run_nsga2(model, callbacks=callbacks, checkpoint=checkpoint, progress=progress)
    with distributed.connect(
        compute.scheduler, distributed.SCHEDULER_CONNECT_TIMEOUT_S, model.config.source
    ) as client:
        chunked = distributed.ChunkedModel(model, client, compute.evaluation_chunks)
        return run_nsga2(
            chunked,  # a ChunkedModel is a SearchModel
            callbacks=callbacks,
            checkpoint=checkpoint,
            progress=progress,
        )


def _check_scheduler(config: StudyConfig) -> str | None:
    """A study's compute.scheduler, checked before anything is created: a scheduler the search will
    use must answer (EnvironmentProblem, exit 5, otherwise); one it will not use (evaluation_chunks
    1) is a warning, returned, rather than silently ignored."""
    compute = config.compute
    if not compute.scheduler:
        return None
    from pipeline.search import distributed

    if compute.scheduler is None or not distributed.scheduler_used(compute):  # None: for mypy
        return (
            f"compute.scheduler {compute.scheduler} is not used: compute.evaluation_chunks is 1, so "
            "each population is evaluated in this process (set it above 1 to split populations "
            "across the workers; a job file's compute.scheduler distributes whole studies)"
        )
    distributed.probe_scheduler(compute.scheduler, config.source)
    return None


def no_robust_design(model: StudyModel, config, best: tuple[float, str, np.ndarray]) -> str:
    """What an empty search over plausible worlds says: the highest P(feasible) any design
    reached, that design, and the catalog values whose draws decide its feasibility (the report's
    'Plausible worlds' analysis of that one design, in the search's own worlds)."""
    from pipeline.reporting.decisive import decisive_values
    from pipeline.reporting.worlds import front_worlds

    u = config.uncertainty
    p, name, x = best
    line = (
        f"no design is feasible in {u.feasibility_level:.0%} of the {u.worlds} plausible worlds "
        f"(uncertainty.search): the highest P(feasible) reached was {p:.2f}, by {name}"
    )
    row = model.table(x[None, :])
    chosen = row.assign(choice="best P(feasible)").set_index(pd.Index([0]))
    worlds = front_worlds(model, row, chosen, decisive_values(model, row, chosen))
    drivers = worlds.drivers.get(0, []) if worlds is not None else []
    if drivers:
        line += f"; the values that drive it: {'; '.join(drivers)}"
    return (
        line + ". No design can be recommended with that confidence until the deciding values "
        "are measured (`catalog_measurements`, or `ssemo ingest` of catalog quantities)"
        + (
            f", or the study accepts a lower uncertainty.feasibility_level (≥ 0.5; {p:.2f} would "
            "pass)."
            if p >= 0.5
            else "."
        )
    )


def front_and_choices(model: StudyModel, X: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The decoded front sorted by the objectives, and its compromise choices."""
    front = model.table(X)
    front = front.sort_values(list(model.objectives), kind="stable").reset_index(drop=True)
    bounds = {name: model.config.normalization[name] for name in model.objectives}
    F_norm = normalize(
        model.evaluate(front[model.space.x_columns].to_numpy())[0], model.objectives, bounds
    )
    chosen = choose(front, F_norm, model.objectives, model.config.decision.asf_weights)
    return front, chosen


def what_blocks(model: StudyModel, materials: list[str], per_option: int = 64) -> dict[str, str]:
    """Per material, the constraints that are unknown, or violated, in every one of its sampled
    designs (a few per (process, coating) option, seeded): why it cannot be on the front, e.g. a
    film whose CCD nobody measured; per process where the processes differ. Materials with a
    feasible sample are left out (they are dominated, not blocked)."""
    options = model.space.options
    ids, processes = list(model.catalog.material_ids), list(model.catalog.process_ids)
    rng = np.random.default_rng(0)
    out: dict[str, str] = {}
    ev = model.evaluator
    # a (material, coating) pair that keeps reacting is excluded in its own report section: its
    # other constraints say nothing about the material (LATP on LiI/ZnLix borrows garnet's CCD)
    stable = ev.li_side_ok[options["coating"].to_numpy(), options["material"].to_numpy()]
    stable &= ev.cathode_side_ok[options["material"].to_numpy()]
    for material in materials:
        mine = options["material"].to_numpy() == ids.index(material)
        rows = np.flatnonzero(mine & stable)
        if len(rows) == 0:
            if mine.any():
                out[material] = "chemically excluded with every coating searched"
            continue
        X = rng.random((len(rows) * per_option, model.space.n_var))
        X[:, 0] = (np.repeat(rows, per_option) + 0.5) / model.space.n_options
        _, G, values = model.evaluate(X)
        if values["feasible"].any():
            continue
        note = _interface_floor(model, material, np.repeat(rows, per_option), G, values)
        whole = _blocking(model, G, values, np.ones(len(X), dtype=bool))
        if whole:
            out[material] = whole + note
            continue
        process = np.repeat(options["process"].to_numpy()[rows], per_option)
        out[material] = (
            "; ".join(
                f"{processes[j]}: "
                + (_blocking(model, G, values, process == j) or "no single constraint (jointly)")
                for j in sorted(set(process))
            )
            + note
        )
    return out


def _interface_floor(
    model: StudyModel, material: str, option_rows: np.ndarray, G: np.ndarray, values: dict
) -> str:
    """Where a material's interfaces alone exceed the ASR limit in every sampled design, their
    lowest total and the Li-side value with its evidence grade ('' otherwise): a guessed contact
    resistance can keep a whole family off the front, and "g_asr never met" alone hides that
    (a new-user trial, 2026-12-08: polymers and composites at an assumed 200 Ω cm²). The total
    includes the cathode side, whose value the report's assumption tables give."""
    names = model.constraint_names
    interface = values.get("interface_asr_ohm_cm2")
    if "g_asr" not in names or interface is None or not np.isfinite(interface).any():
        return ""
    limit = model.config.operating.asr_max_ohm_cm2
    lowest = int(np.nanargmin(interface))
    if (G[:, names.index("g_asr")] <= 0).any() or interface[lowest] < limit:
        return ""
    catalog = model.catalog
    coating = catalog.coating_ids[int(model.space.options["coating"].iloc[option_rows[lowest]])]
    note = (
        f" (its interfaces alone give at least {interface[lowest]:.3g} Ω cm² of the {limit:g} "
        "allowed"
    )
    rows = catalog.coating_properties
    family = catalog.materials.loc[material, "family"]
    li_side = rows[
        (rows["coating_id"] == coating)
        & (rows["property"] == "interfacial_resistance_ohm_cm2")
        & rows["applies_to"].isin([material, family])
    ].sort_values("applies_to", key=lambda a: a != material)  # the material's own row first
    if len(li_side):
        r = li_side.iloc[0]
        note += (
            f"; Li side with coating {coating}: {r['value']:g} Ω cm², {r['grade']}, range "
            f"{r['low']:g}–{r['high']:g}, coating_properties.csv"
        )
    return note + ")"


def _blocking(model: StudyModel, G: np.ndarray, values: dict, rows: np.ndarray) -> str:
    """The constraints unknown, or never met, over the given sampled rows ('' if none)."""
    names = model.constraint_names
    unknown = [n for n in names if n in values and np.isnan(values[n][rows]).all()]
    violated = [n for j, n in enumerate(names) if n not in unknown and (G[rows, j] > 0).all()]
    parts = [f"{', '.join(unknown)} unknown"] if unknown else []
    parts += [f"{', '.join(violated)} never met"] if violated else []
    return " and ".join(parts)


def study_outcome(
    model: StudyModel,
    catalog: Catalog,
    result: SearchResult,
    messages: list[str],
    previous: dict | None,
    searched=None,
) -> Outcome:
    """The front table sorted by the objectives, the compromise choices, the summary figures, the
    warnings a scientist needs, and the comparison with the previous run when there is one."""
    config = model.config
    # the front and its choices as searched (over plausible worlds when the study asks)
    front, chosen = front_and_choices(searched or model, result.archive.X)
    feasible_families = set(front["family"]) if len(front) else set()
    searched_families = catalog.materials["family"].iloc[model.space.options["material"].unique()]
    infeasible_families = sorted(set(searched_families) - feasible_families)
    absent = sorted(
        set(catalog.materials.index[model.space.options["material"].unique()])
        - (set(front["material"]) if len(front) else set())
    )
    if absent and len(front):
        messages.append(
            f"Searched materials with no design on the front: {', '.join(absent)} (dominated by "
            "other designs or infeasible)."
        )
    blocked = what_blocks(model, absent)
    if blocked:
        messages.append(
            "What keeps materials off the front in every sampled design: "
            + "; ".join(f"{m}: {why}" for m, why in blocked.items())
            + f" (constraints.unknown = {config.constraints.unknown})."
        )
    if capped := density_floor_above_caps(model.space, config.search.relative_density_min):
        messages.append(capped)
    if fixed := temperature_fixed_terms(config):
        messages.append(fixed)
    outside = int((~front["in_domain"].astype(bool)).sum()) if len(front) else 0
    if outside:
        messages.append(
            f"{outside} front designs use materials outside the surrogate's applicability domain (extrapolation)."
        )
    best = getattr(searched, "best_p_feasible", None)
    if len(front) == 0 and best is not None:
        messages.insert(0, no_robust_design(model, config, best))
    elif len(front) == 0:
        messages.append(
            "no feasible design: what keeps each material off the front is listed above; relaxing "
            "the constraint named there changes the question the study asks, and "
            "constraints.unknown: ignore counts an unknown value (e.g. a CCD nobody measured) as "
            "met."
        )
    summary: dict = {
        "study": config.name,
        "hypervolume": result.history[-1]["hypervolume"] if result.history else 0.0,
        "generations": len(result.history),
        "n_evals": result.n_evals,
        "search_wall_s": result.wall_s,
        "stopped_early": result.stopped_early,
        "objectives": ",".join(model.objectives),
        "objective_definition": objective_definition(config),
        **summary_metrics(front),
    }
    previous_front = None
    if (
        previous
        and measured_alike(previous, model.objectives, config)
        and Path(previous["front"]).exists()
    ):
        from pipeline.reporting.compare import compare_fronts

        previous_front = pd.read_parquet(previous["front"])
        comparison, _ = compare_fronts(previous_front, front)
        comparison["compare.hypervolume_change"] = summary["hypervolume"] - float(
            previous["hypervolume"]
        )
        summary.update(comparison)
        summary["previous_run_id"] = previous.get("run_id", "")
    history = pd.DataFrame(result.history)
    exclusions = stability_exclusions(catalog, config, model.space)
    decisive = decisive_values(model, front, chosen)
    flipped = len(decisive.flips)
    if flipped:
        messages.append(
            f"{flipped} of {len(front)} front designs are feasible or not depending on an "
            "assumption-grade catalog value within its range (report: 'What decided the "
            "recommendations'; assumption_values.csv)."
        )
    summary["n_front_designs_decided_by_assumption"] = flipped
    worlds = front_worlds(model, front, chosen, decisive)
    if worlds is not None:
        front["p_feasible"] = worlds.p_feasible
        chosen = chosen.assign(p_feasible=worlds.p_feasible[chosen.index.to_numpy()])
        level = config.uncertainty.feasibility_level
        summary["n_front_designs_below_feasibility_level"] = int((worlds.p_feasible < level).sum())
    rates = fastest_charge(model)
    summary["fastest_charge_c_rate_per_h"] = (
        float(rates["max_charge_c_rate_per_h"].iloc[0]) if len(rates) else float("nan")
    )
    return Outcome(
        front,
        chosen,
        history,
        summary,
        messages,
        infeasible_families,
        exclusions,
        previous_front,
        decisive=decisive,
        charge_rates=rates,
        worlds=worlds,
    )


def _with_suggestions(model, result, outcome, options, tags: dict[str, str]):
    """The outcome with the next batch (pipeline.campaign.suggest) and its summary figures
    (suggest.* metrics) and the measurement store version it excluded (tag)."""
    from dataclasses import replace

    from pipeline.campaign.suggest import suggest

    started = time.perf_counter()
    chosen = suggest(model, result.archive.X, options)
    designs = chosen.designs
    u = model.config.uncertainty
    if u.worlds and len(designs):
        # the suggestions' P(feasible) over the σ draws holds every catalog value at its nominal;
        # in the study's plausible worlds (the same draws as the front's) every value moves
        from pipeline.reporting.worlds import evaluate_worlds

        violated = np.zeros((model.n_constr, len(designs)))
        _, feasible, _, _ = evaluate_worlds(  # the front's worlds (the same evidence and seed)
            model, designs, model.catalog.evidence(), u.worlds, u.seed, violated
        )
        designs["p_feasible_worlds"] = feasible.mean(axis=0)
        # the constraint it fails in most worlds (a process window whose edge it is on, an
        # interface that may be too resistive): what its P(feasible) rests on
        worst = violated.argmax(axis=0)
        designs["worlds_most_violated"] = [
            f"{model.constraint_names[j]} (violated in {violated[j, i] / u.worlds:.0%} of them)"
            if violated[j, i]
            else ""
            for i, j in enumerate(worst)
        ]
    outcome.summary.update(
        {
            "suggest.designs": float(len(designs)),
            "suggest.expected_hv_improvement_first": float(
                designs["expected_hv_improvement"].iloc[0] if len(designs) else 0.0
            ),
            "suggest.expected_hv_improvement_sum": float(designs["expected_hv_improvement"].sum()),
            "suggest.already_measured": float(chosen.info["already_measured"]),
            "suggest.measurement_gaps": float(len(chosen.gaps)),
            # the batch as a batch (issue 24, item 5): its joint value against the greedy-repeated
            # batch's, how diverse it is, and what the literature had already measured
            **{
                f"suggest.{key}": float(chosen.info[key])
                for key in (
                    "measured_in_literature",
                    "published_within_tolerance",
                    "batch_value_joint",
                    "batch_value_greedy_repeated",
                    "greedy_repeated_loss_fraction",
                    "distinct_compositions_joint",
                    "distinct_compositions_greedy_repeated",
                    "distinct_processes_joint",
                    "distinct_families_joint",
                    "lab_compositions_not_compared",
                )
                if key in chosen.info
            },
            "suggest.wall_s": time.perf_counter() - started,
        }
    )
    from pipeline.reporting.worlds import design_name

    worlds = outcome.worlds
    if worlds is not None and len(outcome.chosen):
        # the go/no-go beside the batch: the first recommended design's P(feasible) over the
        # plausible worlds and the values that drive it (a value every candidate shares decides
        # whether any works, not which one to make: EVPPI cannot rank it)
        row = int(outcome.chosen.index[0])
        outcome.summary["suggest.recommended_p_feasible"] = float(worlds.p_feasible[row])
        outcome.summary["recommended_design"] = design_name(outcome.chosen.iloc[0])
        outcome.summary["recommended_drivers"] = "; ".join(worlds.drivers.get(row, []))
    tags = {**tags, "ssemo.measurements_version": options.measurements_version or "none"}
    return replace(outcome, suggestions=chosen), tags


def _finite_numbers(summary: dict) -> dict[str, float]:
    return {
        k: float(v)
        for k, v in summary.items()
        if isinstance(v, int | float | np.floating) and not isinstance(v, bool) and np.isfinite(v)
    }


def _comparison_tags(summary: dict) -> dict[str, str]:
    if "compare.hypervolume_change" not in summary:
        return {}
    return {
        "ssemo.compare.previous_run": summary.get("previous_run_id", ""),
        "ssemo.compare.regression": str(summary["compare.hypervolume_change"] < -1e-9).lower(),
    }
