"""The `ssemo` command line. Heavy libraries are imported inside the command that needs them."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from pipeline import REPO_ROOT
from pipeline.errors import EnvironmentProblem, SsemoError
from pipeline.files import atomic_write, inside, spreadsheet_safe

DEFAULT_CONFIG = REPO_ROOT / "configs" / "default.yaml"

EXIT_OK, EXIT_ROWS_REJECTED, EXIT_USAGE = 0, 1, 2
EXIT_ENVIRONMENT, EXIT_INTERNAL, EXIT_INTERRUPTED = 5, 70, 130
EXIT_PIPE_CLOSED = 141  # 128 + SIGPIPE: what a shell reports for a reader that stopped reading
EXIT_CODES = (
    "Exit codes: 0 success; 1 some input rows rejected (the rest processed); 2 invalid config, "
    "catalog, input file (every row rejected included), model file or flag; 3 job already running; 4 some job studies failed; "
    "5 environment problem (tracking server unreachable, folder not writable); 70 internal error "
    "(rerun with --debug for the traceback); 130 interrupted; 141 the reader closed the pipe."
)


def _write_csv(path: str | Path, frame) -> Path:
    """A result table written atomically, with text cells made safe for spreadsheets."""
    safe = spreadsheet_safe(frame)
    try:
        return atomic_write(path, lambda tmp: safe.to_csv(tmp, index=False))
    except OSError as exc:
        raise EnvironmentProblem(
            f"{path}: cannot write ({exc.strerror or type(exc).__name__})"
        ) from None


def _quiet_network() -> None:
    # ssemo never reaches out on its own: MLflow telemetry and similar trackers stay off.
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("DO_NOT_TRACK", "true")


def _load_study(args):
    """The config and the catalog it reads, with its catalog_measurements applied (each changed
    value said on stderr)."""
    from pipeline.catalog_inputs import study_catalog_measured
    from pipeline.study.config import load_config

    config = load_config(args.config, getattr(args, "set", None) or ())
    catalog, _, notes = study_catalog_measured(config)
    for note in notes:
        print(note, file=sys.stderr)
    return config, catalog


def cmd_evaluate(args) -> int:
    import numpy as np
    import pandas as pd

    from pipeline.study.constraints import CONSTRAINTS
    from pipeline.study.designs import read_designs
    from pipeline.study.evaluation import Evaluator
    from pipeline.study.registry import OBJECTIVES, computed_columns
    from pipeline.study.space import OPTION_COLUMNS

    config, catalog = _load_study(args)
    parsed = read_designs(args.designs, catalog)
    evaluator = Evaluator(catalog, config, temperature_c=args.temperature_c)
    scored = pd.DataFrame(index=parsed.good_rows)  # every row rejected: nothing to score
    if len(parsed.good_rows):
        with np.errstate(divide="ignore", invalid="ignore"):
            results = evaluator(parsed.batch)
            results.update(computed_columns(results, config))
        scored = pd.DataFrame(results, index=parsed.good_rows).drop(columns=["thickness_um"])
        g = scored[[name for name in CONSTRAINTS if name in scored]]
        violated = g.gt(0).apply(lambda r: ";".join(r.index[r]), axis=1)
        unknown = g.isna().apply(lambda r: ";".join(r.index[r]), axis=1)
        # feasible only when every constraint is known and met; unknown is said, not guessed
        scored["feasible"] = np.where(
            violated != "", "no", np.where(unknown != "", "unknown", "yes")
        )
        scored["violated_constraints"] = violated
        scored["unknown_constraints"] = unknown
        # the search never goes past a process's densest reported membrane; a user's row may: said
        cap = catalog.process_values("relative_density_max")[
            parsed.batch.material, parsed.batch.process
        ]
        above = parsed.batch.relative_density > cap + 1e-9
        scored["process_relative_density_max"] = cap
        scored["extrapolated"] = np.where(above, "relative_density above the process's maximum", "")
    table = parsed.table.drop(columns="line")
    table.insert(0, "line", parsed.table["line"])
    table["status"] = "ok"
    table["error"] = ""
    for pos, msgs in parsed.errors.items():
        table.loc[pos, "status"] = "rejected"
        table.loc[pos, "error"] = " | ".join(m.split(": ", 1)[1] if ": " in m else m for m in msgs)
    out = table.join(scored)
    if len(parsed.good_rows) and "relative_density" in out:  # a blank cell took its default
        out["relative_density"] = out["relative_density"].astype(object)
        out.loc[parsed.good_rows, "relative_density"] = [
            f"{v:g}" for v in parsed.batch.relative_density
        ]
    out.insert(1, "temperature_c", evaluator.temperature_c)
    # atomic: a crash never leaves a half-written results file
    out_path = _write_csv(args.out, out)

    columns = [*OPTION_COLUMNS, "sigma_membrane_s_per_cm", *OBJECTIVES, "feasible"]
    shown = out.loc[out["status"] == "ok", [c for c in columns if c in out]]
    with pd.option_context(
        "display.width", 200, "display.max_columns", 20, "display.float_format", "{:.4g}".format
    ):
        print(
            f"Scored {len(parsed.good_rows)} design(s) at {evaluator.temperature_c:g} °C "
            f"(ASR limit {config.operating.asr_max_ohm_cm2:g} Ω cm²):"
        )
        if len(shown):
            # NaN here is a value the catalog does not know (constraints.unknown decides): say so
            print(shown.to_string(index=False, na_rep="unknown"))
    for msgs in parsed.errors.values():
        for msg in msgs:
            print(f"rejected: {msg}", file=sys.stderr)
    if "extrapolated" in out:
        for row in out[out["extrapolated"].fillna("") != ""].itertuples():
            print(
                f"warning: {args.designs}, line {row.line}: relative_density {row.relative_density} "
                f"is above the densest {row.process} membrane reported "
                f"({row.process_relative_density_max:g}, process_properties.csv): an extrapolation",
                file=sys.stderr,
            )
    print(
        f"Wrote {out_path} ({len(out.columns)} columns: every objective and intermediate with units)."
    )
    if parsed.errors:
        rest = "the other rows were scored" if len(parsed.good_rows) else "no row could be scored"
        print(f"{len(parsed.errors)} row(s) rejected; {rest}.", file=sys.stderr)
    return _exit_for_rows(len(parsed.good_rows), len(parsed.errors))


def _is_job_file(path: str) -> bool:
    """A job file (configs/jobs/*.yaml: a top-level 'studies' list), not a study config."""
    from pipeline.study.schema import load_yaml

    try:
        data = load_yaml(Path(path).read_text(encoding="utf-8"))
    except Exception:  # unreadable or not YAML: the study loader says so in its own words
        return False
    return isinstance(data, dict) and isinstance(data.get("studies"), list)


def cmd_validate_config(args) -> int:
    if _is_job_file(args.config) and not args.set:
        # a trial got "'retrain_surrogate': unknown key" here: a job file is checked as a job
        from pipeline.jobs.scheduler import load_job

        job = load_job(args.config)
        print(
            f"{args.config}: valid job '{job.name}' with {len(job.studies)} studies "
            f"({', '.join(s.name for s in job.studies)}; each config and its overrides checked)."
        )
        return EXIT_OK
    config, catalog = _load_study(args)
    from pipeline.study.space import build_space

    space = build_space(
        catalog, config
    )  # checks search.materials/processes/coatings against the catalog
    print(f"{args.config}: {space.n_options} valid material/process/coating options")
    if config.search.stacks:  # `ssemo stacks` reads them: check them here too
        from pipeline.study.stack_study import parse_stacks

        print(f"{args.config}: {len(parse_stacks(config, catalog))} valid multi-layer stacks")
    print(
        f"{args.config}: valid; catalog {catalog.directory} with {len(catalog.material_ids)} materials, "
        f"{len(catalog.process_ids)} processes, {len(catalog.coating_ids)} coatings "
        f"({len(all_assumptions(catalog))} values marked as assumptions)."
    )
    return EXIT_OK


def all_evidence(catalog):
    """Catalog.evidence() and the multi-layer stacks' internal interfaces beside it
    (layer_interfaces.csv, table 'layer'): every catalog number with its evidence."""
    import pandas as pd

    from pipeline.study.stacks import layer_interface_evidence

    evidence = pd.concat([catalog.evidence(), layer_interface_evidence(catalog)])
    return evidence.reset_index(drop=True)


def all_assumptions(catalog):
    """The assumption-grade rows of all_evidence, as Catalog.assumptions lists them."""
    from pipeline.study.catalog.model import assumptions_of

    return assumptions_of(all_evidence(catalog))


def cmd_catalog(args) -> int:
    import pandas as pd

    catalog = _load_study(args)[1]
    if args.table in ("evidence", "assumptions"):
        table = all_evidence(catalog) if args.table == "evidence" else all_assumptions(catalog)
    else:
        table = {
            "materials": catalog.material_properties,
            "processes": catalog.process_properties,
            "coatings": catalog.coating_properties.merge(
                catalog.coatings[["coating_id", "name"]].drop_duplicates("coating_id"),
                on="coating_id",
            ),
        }[args.table]
    with pd.option_context(
        "display.width", 250, "display.max_colwidth", 60, "display.max_rows", 2000
    ):
        # 4 significant digits: 25 °C reads as 25, not 2.500000e+01
        text = table.to_string(index=False, float_format=lambda v: f"{v:.4g}")
    try:
        print(text)
    except BrokenPipeError:  # `ssemo catalog evidence | head`: the reader closed, not an error
        sys.stdout = None  # nothing more to flush at exit
    return EXIT_OK


def cmd_train(args) -> int:
    from pipeline.study.config import load_train_config
    from pipeline.training import train

    config = load_train_config(args.config, args.set or ())
    summary = train(config)
    done = (
        "Reused (already trained on this data)"
        if summary.get("cached")
        else "Trained and registered"
    )
    print(
        f"{done} {summary['model_uri']} (version {summary['model_version']}) from "
        f"{summary['rows']} rows ({summary['rejected']} rejected, data hash {summary['data_hash'][:12]})."
    )
    print(
        f"Grouped-CV MAE {summary['cv_mae']:.3f} log10 S/cm, R² {summary['cv_r2']:.3f}, "
        f"90 % interval coverage {summary['cv_coverage_90']:.1%}; run {summary['run_id']}."
    )
    if summary.get("experiment_id") is not None:
        from pipeline.reporting.tracking import ui_hint

        print(f"Review it: {ui_hint(summary['experiment_id'], config.mlflow.tracking_uri)}")
    return EXIT_OK


def cmd_predict(args) -> int:
    from pipeline.prediction import predict_file
    from pipeline.reporting.tracking import load_registered_model
    from pipeline.study.config import load_train_config

    config = load_train_config(args.config)
    uri = args.tracking_uri or config.mlflow.tracking_uri
    name = args.model or f"{config.mlflow.registered_model}@{config.mlflow.alias}"
    model = load_registered_model(uri, name if name.startswith("models:/") else f"models:/{name}")
    out, errors = predict_file(model, args.input, args.temperature_c)
    out_path = _write_csv(args.out, out)
    ok = out[out["status"] == "ok"]
    if len(ok):
        import pandas as pd

        cols = [
            c
            for c in (
                "composition",
                "temperature_k",
                "log10_sigma_mean",
                "log10_sigma_p05",
                "log10_sigma_p95",
                "p_below_detection",
                "log10_sigma_if_measurable_p05",
                "log10_sigma_if_measurable_p95",
                "applicability",
                "in_domain",
                "temperature_in_training_range",
                "measured_reports",
            )
            if c in ok
        ]
        shown = ok[cols].copy()
        if "p_below_detection" in shown:  # a probability of 1.5e-84 reads as a precise claim
            shown["p_below_detection"] = [
                "<0.001" if p < 1e-3 else f"{p:.3g}" for p in shown["p_below_detection"]
            ]
        with pd.option_context("display.width", 200, "display.float_format", "{:.3g}".format):
            print(shown.to_string(index=False))
        _warn_temperature_extrapolation(ok, model)
        _warn_kelvin_looking(ok)
        _warn_poor_conductors(ok)
    for msg in errors.values():
        print(f"rejected: {msg}", file=sys.stderr)
    print(f"Wrote {out_path} ({len(ok)} predicted, {len(errors)} rejected) with model {name}.")
    return _exit_for_rows(len(ok), len(errors))


def _exit_for_rows(scored: int, rejected: int) -> int:
    """0 all rows scored; 1 some rejected, the rest scored; 2 every row rejected (the file is what
    is wrong, as for an unreadable one)."""
    if not rejected:
        return EXIT_OK
    return EXIT_ROWS_REJECTED if scored else EXIT_USAGE


# Below this point prediction (log10 S/cm) a row may be an insulator the model cannot tell apart:
# every unseen material measured below 1e-10 S/cm was predicted at 10^-5.4 or lower by `make run`'s
# model (make bench-unseen, max_point_insulators_default, 2026-12-07)
POOR_CONDUCTOR_LOG10 = -5.0


def _warn_poor_conductors(ok) -> None:
    """One line on stderr when rows are predicted below POOR_CONDUCTOR_LOG10: there the model
    ranks insulators but does not say how far below they lie (README, issue 26)."""
    if "log10_sigma_mean" not in ok:
        return
    low = ok["log10_sigma_mean"].to_numpy(float) < POOR_CONDUCTOR_LOG10
    if "measured_reports" in ok:  # a composition's own reports are not the model's ranking
        low &= ok["measured_reports"].to_numpy() == 0
    if low.any():
        print(
            f"warning: {int(low.sum())} row(s) predicted by the model below "
            f"1e{POOR_CONDUCTOR_LOG10:g} S/cm (rows from a composition's own reports, "
            "measured_reports > 0, not counted): read them as poor conductors that may be "
            "insulators; unseen materials measured below "
            "1e-10 S/cm were predicted at 10^-5.4 or lower, decades above their measured values "
            "(README, 'Materials no model here has seen')",
            file=sys.stderr,
        )


def _warn_kelvin_looking(ok) -> None:
    """One line on stderr when rows are asked at a temperature that would be room temperature in
    kelvin (288–313, as the measurement store's kelvin check reads it): a slip, more often than a
    prediction at ~300 °C."""
    from pipeline.campaign.store import ROOM_TEMPERATURE_IN_KELVIN

    low, high = ROOM_TEMPERATURE_IN_KELVIN
    celsius = ok["temperature_k"].to_numpy(float) - 273.15
    hot = (celsius >= low) & (celsius <= high)
    if hot.any():
        print(
            f"warning: {int(hot.sum())} row(s) predicted at {low:g}–{high:g} °C (e.g. "
            f"{celsius[hot][0]:g} °C), room temperature if the numbers were kelvin: "
            "temperature_c and --temperature-c are in °C (298 K is 24.85 °C)",
            file=sys.stderr,
        )


def _warn_temperature_extrapolation(ok, model) -> None:
    """One line on stderr when rows lie outside the temperatures the model was trained at."""
    outside = ok[~ok["temperature_in_training_range"].astype(bool)]
    known = getattr(model, "temperature_range_k_", None)
    if len(outside) and known is not None:
        low, high = (float(k) - 273.15 for k in known)
        measured = f"{low:.0f} °C" if high - low < 0.5 else f"{low:.0f} to {high:.0f} °C"
        print(
            f"warning: {len(outside)} row(s) outside the temperatures the training σ was measured "
            f"at ({measured}; temperature_in_training_range False): their σ and interval are "
            "Arrhenius extrapolations with the predicted activation energy",
            file=sys.stderr,
        )


def cmd_stacks(args) -> int:
    from pipeline.stack_run import run_stacks
    from pipeline.study.config import load_config

    config = load_config(args.config, args.set or ())
    summary = run_stacks(config, Path(args.out) if args.out else None)
    print(
        f"Study '{summary['study']}': {summary['n_stacks_feasible']} of {summary['n_stacks']} "
        f"stacks feasible, {summary['n_stacks_beating_monolayer']} beat the best monolayer."
    )
    print(f"Results: {summary['output_dir']} (report.md, stacks.csv, stacks_front.csv)")
    if "run_id" in summary:
        print(
            f"MLflow run {summary['run_id']} in {config.tracking.tracking_uri}: "
            f"{summary['mlflow_ui']}"
        )
    return EXIT_OK


def cmd_run(args) -> int:
    from pipeline.run import run_study
    from pipeline.study.config import load_config

    config = load_config(
        args.config, args.set or ()
    )  # config errors stop here: no MLflow run starts
    summary = run_study(config, Path(args.out) if args.out else None, origin=args.origin)
    for warning in summary["warnings"]:
        print(f"warning: {warning}", file=sys.stderr)
    for note in summary.get("catalog_measurements", []):
        print(note, file=sys.stderr)
    print(
        f"Study '{summary['study']}': {int(summary['front_size'])} Pareto-optimal feasible designs, hypervolume "
        f"{summary['hypervolume']:.4f}, {summary['n_evals']} evaluations in {summary['search_wall_s']:.1f} s of search"
        + (f" (the whole study: {summary['wall_s']:.1f} s)." if "wall_s" in summary else ".")
    )
    print(
        f"Results: {summary['output_dir']} (report.md, pareto_front.png, parallel_coordinates.html, "
        "front_display.csv; the full front in front.parquet)"
    )
    if "run_id" in summary:
        print(
            f"MLflow run {summary['run_id']} in {config.tracking.tracking_uri}: "
            f"{summary['mlflow_ui']}"
        )
    return EXIT_OK


def cmd_compare(args) -> int:
    from pipeline.reporting.compare import compare_runs
    from pipeline.study.config import load_config

    t = load_config(args.config, args.set or ()).tracking  # the store and experiment to look in
    out = Path(args.out) if args.out else None
    if out is None:
        # run references become a folder name: kept under results/compare/ whatever they hold
        name = re.sub(r"[^A-Za-z0-9._-]", "_", f"{args.run_a[:24]}_vs_{args.run_b[:24]}")
        out = inside(REPO_ROOT / "results" / "compare", name.lstrip("."))
    result = compare_runs(t.tracking_uri, t.experiment, args.run_a, args.run_b, out)
    if result["run_a"] == result["run_b"]:
        print(f"warning: A and B are the same run ({result['run_a']})", file=sys.stderr)
    hash_a, hash_b = result["config_hashes"]
    if hash_a != hash_b:
        print(
            f"note: A and B ran with different configs (ssemo.config_hash {hash_a[:8] or '?'} and "
            f"{hash_b[:8] or '?'}): what changed is the config's doing as well as the data's; "
            "name run ids to compare particular runs",
            file=sys.stderr,
        )
    m = result["metrics"]
    names = result["names"]
    print(
        f"B {names[1]} ({result['run_b']}) against A {names[0]} ({result['run_a']}): "
        f"{int(m['compare.designs_entered'])} designs entered, {int(m['compare.designs_left'])} left, "
        f"{int(m['compare.designs_kept'])} kept (fronts of {int(m['compare.previous_front_size'])} "
        f"and {int(m.get('compare.current_front_size', 0))} designs; kept and left count A's, "
        "entered B's: designs match by option and rounded variables, so one of B's may match "
        "several of A's)"
        + (
            f"; hypervolume {m['compare.hypervolume_change']:+.4f}"
            if "compare.hypervolume_change" in m
            else "; hypervolumes not compared (different objective sets)"
            if not result["same_objectives"]
            else "; hypervolumes not compared (objectives measured differently: A {}, B {})".format(
                *result["objective_definitions"]
            )
            if result["objective_definitions"][0] != result["objective_definitions"][1]
            else ""
        )
        + "."
    )
    print(
        f"Wrote {out} (compare_overlay.png, compare_designs.csv, compare_designs.parquet); logged to "
        f"run {result['run_b']} under {result['artifact_path']}/."
    )
    return EXIT_OK


def cmd_job_run(args) -> int:
    from pipeline.jobs.scheduler import format_summary, load_job, run_job

    job = load_job(args.job)
    code, outcomes = run_job(job, force=args.force)
    print(f"Job '{job.name}' ({len(job.studies)} studies):")
    print(format_summary(outcomes))
    return code


def cmd_ui_links(args) -> int:
    from pipeline.reporting.tracking import ui_links

    links = ui_links(args.tracking_uri)
    if not links:
        print(f"No experiments in {args.tracking_uri} yet (ssemo run records one).")
        return EXIT_OK
    width = max(len(name) for name, _ in links)
    print(f"The runs table of each experiment in {args.tracking_uri}:")
    for name, link in links:
        print(f"  {name:<{width}}  {link}")
    return EXIT_OK


def _origin(text: str) -> str:
    """A short label of letters, digits and - _ . (it becomes part of an MLflow run name)."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,40}", text):
        raise argparse.ArgumentTypeError(
            f"expected 1-40 letters, digits, '-', '_' or '.', got {text!r}"
        )
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ssemo",
        description="Solid-State Electrolyte Membrane Optimizer: score and search ultra-thin SSE "
        "membrane designs (material, process, coating, thickness) for ASR, strength, "
        "manufacturability and cell energy density.",
        epilog=EXIT_CODES,
    )
    parser.add_argument(
        "--debug", action="store_true", help="show the Python traceback of a failure"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_config(p):
        p.add_argument(
            "--config", default=str(DEFAULT_CONFIG), help="study config YAML (default: %(default)s)"
        )
        p.add_argument(
            "--set",
            action="append",
            metavar="KEY=VALUE",
            help="override a config key, e.g. --set operating.asr_max_ohm_cm2=30 (repeatable)",
        )
        return p

    rn = with_config(
        sub.add_parser(
            "run",
            help="search the Pareto front of a study (NSGA-II) and record it in MLflow",
            description="Build the design space from the catalog, evaluate designs with the physics objectives and "
            "the registered surrogate, search the Pareto front with NSGA-II, choose compromise designs, write the "
            "front, plots and a report, and log everything to MLflow.",
        )
    )
    rn.add_argument(
        "--out", default=None, metavar="DIR", help="output folder (default: results/<study name>)"
    )
    rn.add_argument(
        "--origin",
        default="run",
        type=_origin,
        help="what started the run, in its MLflow name and tags (default: %(default)s; make studies: studies)",
    )
    rn.set_defaults(func=cmd_run)

    st = with_config(
        sub.add_parser(
            "stacks",
            help="search the multi-layer stacks a study lists and compare them with its best monolayer",
            description="Search the stacks of search.stacks (1-3 layers each, Li side first) and the "
            "study's monolayer options with NSGA-II; say per stack whether it has a feasible design, "
            "whether it beats the best monolayer, and, where an internal interface has no number, how "
            "large it may be before the stack stops paying off.",
        )
    )
    st.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="output folder (default: results/<study name>-stacks)",
    )
    st.set_defaults(func=cmd_stacks)

    from pipeline.campaign.commands import add_commands  # suggest, ingest (issue 17)

    add_commands(sub, with_config, _origin)

    cp = with_config(
        sub.add_parser(
            "compare",
            help="compare the fronts of two study runs: overlay plot, designs entered and left",
            description="Compare run B's front with run A's (run ids, or study names for the latest "
            "finished run of that study, in the config's tracking store and experiment): a front-overlay "
            "plot and the designs that entered or left, written to --out and logged to run B.",
        )
    )
    cp.add_argument(
        "run_a", metavar="RUN_A", help="the earlier run: an MLflow run id or a study name"
    )
    cp.add_argument(
        "run_b", metavar="RUN_B", help="the later run: an MLflow run id or a study name"
    )
    cp.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="output folder (default: results/compare/<RUN_A>_vs_<RUN_B>)",
    )
    cp.set_defaults(func=cmd_compare)

    jb = sub.add_parser(
        "job", help="scheduled jobs: several studies, locked, checkpointed, resumable"
    )
    jsub = jb.add_subparsers(dest="job_command", required=True, metavar="ACTION")
    jr = jsub.add_parser(
        "run",
        help="run a job file (configs/jobs/*.yaml)",
        description="Run every study of a job file under a lock, reusing finished studies, resuming from "
        "checkpoints, retrying transient failures and comparing each front with the previous run.",
        epilog="Exit codes: 0 all studies finished or reused; 2 invalid job file; 3 already running; "
        "4 some studies failed.",
    )
    jr.add_argument("job", help="job file, e.g. configs/jobs/nightly.yaml")
    jr.add_argument(
        "--force", action="store_true", help="recompute studies whose inputs did not change"
    )
    jr.set_defaults(func=cmd_job_run)

    ul = sub.add_parser(
        "ui-links",
        help="print the MLflow UI link of each experiment's runs table (make ui prints them)",
        description="Print, for each experiment of a tracking store, the MLflow UI page of its runs "
        "table (http://127.0.0.1:5000/#/experiments/<id>/runs?workflowType=machine_learning, or "
        "the tracking server's own address); MLflow's start page is its GenAI overview instead.",
    )
    ul.add_argument(
        "--tracking-uri",
        default="sqlite:///mlflow.db",
        help="MLflow tracking URI (default: %(default)s, the store make ui serves)",
    )
    ul.set_defaults(func=cmd_ui_links)

    ev = with_config(
        sub.add_parser(
            "evaluate",
            help="score a CSV of membrane designs with every objective and intermediate",
            description="Score a table of membrane designs. Columns: material, process, coating, "
            "thickness_um, and optionally relative_density (default: the process's relative_density_max) and filler_fraction (default 0, "
            "effective-medium composites only). Bad rows are named on stderr; the rest are scored.",
        )
    )
    ev.add_argument("--designs", required=True, metavar="FILE.csv", help="designs to score")
    ev.add_argument(
        "--temperature-c",
        type=float,
        default=None,
        metavar="T",
        help="operating temperature in °C (default: the config's operating.temperature_c)",
    )
    ev.add_argument(
        "--out",
        default="results/evaluated_designs.csv",
        metavar="FILE.csv",
        help="where to write the scored table (default: %(default)s)",
    )
    ev.set_defaults(func=cmd_evaluate)

    vc = sub.add_parser(
        "validate-config", help="check a study config (or a job file) and its catalog, run nothing"
    )
    vc.add_argument("config", help="study config YAML, or a job file (configs/jobs/*.yaml)")
    vc.add_argument(
        "--set", action="append", metavar="KEY=VALUE", help="override a key before checking"
    )
    vc.set_defaults(func=cmd_validate_config)

    ca = with_config(
        sub.add_parser("catalog", help="print catalog tables with the source of every number")
    )
    ca.add_argument(
        "table",
        choices=["materials", "processes", "coatings", "evidence", "assumptions"],
        help="which table (evidence: every number with its range, grade and source)",
    )
    ca.set_defaults(func=cmd_catalog)
    tr = sub.add_parser(
        "train",
        help="train, tune (Optuna) and register the conductivity surrogate in MLflow",
        description="Load the literature data sources of a training config, reject bad rows with reasons, "
        "tune the surrogate with grouped cross-validation and register the best model under an alias.",
    )
    tr.add_argument(
        "--config",
        default=str(REPO_ROOT / "configs" / "train.yaml"),
        help="training config (default: %(default)s)",
    )
    tr.add_argument(
        "--set", action="append", metavar="KEY=VALUE", help="override a config key (repeatable)"
    )
    tr.set_defaults(func=cmd_train)

    pr = sub.add_parser(
        "predict",
        help="predict log10 conductivity with a 90 %% interval and an applicability score",
        description="Predict the ionic conductivity of compositions with a registered surrogate. Input columns: "
        "composition, optional temperature_c (default 25), structure columns (space_group_number, a, b, c, alpha, "
        "beta, gamma) and membrane context (family, process, thickness_um). Bad rows are named; the rest predicted.",
    )
    pr.add_argument("--input", required=True, metavar="FILE.csv", help="compositions to predict")
    pr.add_argument(
        "--model",
        default=None,
        metavar="NAME@ALIAS",
        help="registered model (default: the training config's registered_model@alias)",
    )
    pr.add_argument(
        "--temperature-c",
        type=float,
        default=None,
        metavar="T",
        help="temperature for every row, °C",
    )
    pr.add_argument(
        "--config",
        default=str(REPO_ROOT / "configs" / "train.yaml"),
        help="training config naming the store and model",
    )
    pr.add_argument(
        "--tracking-uri", default=None, help="MLflow tracking URI (default: the training config's)"
    )
    pr.add_argument(
        "--out",
        default="results/predictions.csv",
        metavar="FILE.csv",
        help="output table (default: %(default)s)",
    )
    pr.set_defaults(func=cmd_predict)
    return parser


def _check_temperature_flag(parser, temperature_c: float) -> None:
    from pipeline.prediction import TEMPERATURE_RANGE_C

    low, high = TEMPERATURE_RANGE_C
    if not low <= temperature_c <= high:
        parser.error(
            f"argument --temperature-c: expected a temperature in [{low:g}, {high:g}] °C, got "
            f"{temperature_c}"
        )


def main(argv: list[str] | None = None) -> int:
    _quiet_network()
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "temperature_c", None) is not None:
        _check_temperature_flag(parser, args.temperature_c)
    try:
        return int(args.func(args))
    except BrokenPipeError:
        # the reader closed the pipe (`ssemo evaluate ... | head -1`): no error line, and no
        # second failure when Python flushes stdout at exit (docs.python.org, "Note on SIGPIPE")
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_PIPE_CLOSED
    except Exception as exc:
        if args.debug:
            raise
        code, message = _failure(exc)
        print(f"error: {message}", file=sys.stderr)
        return code
    except KeyboardInterrupt:
        if args.debug:
            raise
        print("error: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _failure(exc: Exception) -> tuple[int, str]:
    """(exit code, message) for a failure: ssemo's own errors say what is wrong and where; an
    operating-system error names its file; anything else is an internal error said in one line
    (the traceback is what --debug is for)."""
    from pipeline.jobs.retry import is_transient

    if isinstance(exc, SsemoError):
        return exc.exit_code, str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        where = f"{exc.filename}: " if exc.filename else ""
        return EXIT_ENVIRONMENT, f"{where}{exc.strerror}"
    from pipeline.reporting.tracking import store_failure

    if (line := store_failure(exc)) is not None:  # a full disk, a damaged store: not our bug
        return EXIT_ENVIRONMENT, line
    text = " ".join(str(exc).split())[:300]
    if is_transient(exc):  # a store or server that went away while working
        return EXIT_ENVIRONMENT, f"tracking store or server failed ({type(exc).__name__}: {text})"
    return EXIT_INTERNAL, (
        f"internal error ({type(exc).__name__}: {text}); rerun with ssemo --debug for the traceback"
    )


if __name__ == "__main__":
    sys.exit(main())
