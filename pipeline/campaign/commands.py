"""`ssemo suggest`, `ssemo ingest` and `ssemo store verify|repair`: the closed loop's commands
(registered by pipeline.cli)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.campaign.store import DEFAULT_STORE

EXIT_OK, EXIT_ROWS_REJECTED, EXIT_USAGE = 0, 1, 2
EXIT_STORE_REPAIRABLE = 1  # `ssemo store verify`: the index differs from the files; repair fixes it
STORE_EXIT_CODES = (
    "Exit codes: 0 the store is consistent (verify), or consistent now (repair); 1 (verify only) "
    "index.json disagrees with the version files in a way `ssemo store repair` settles from the "
    "files; 2 damage the files cannot settle (a version file missing, changed or unreadable: "
    "named), or the store path is not a folder; 5 the store is not writable (repair)."
)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 1 <= value <= 10_000:
        raise argparse.ArgumentTypeError(f"expected 1-10000, got {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value < 2**31:
        raise argparse.ArgumentTypeError(f"expected 0 <= seed < 2**31, got {value}")
    return value


def suggest_options(q: int, samples: int, seed: int, store_dir: str | Path | None):
    """SuggestOptions with the store's measured designs left out (none when there is no store)."""
    from pipeline.campaign.store import (
        MeasurementStore,
        measured_compositions,
        measured_designs,
    )
    from pipeline.campaign.suggest import SuggestOptions

    store = MeasurementStore(store_dir or DEFAULT_STORE)
    # a store path that is a file, or a damaged store, is refused (StoreError naming the file)
    label, table, found = store.read()
    for repair in found.repairs:
        print(
            f"warning: measurement store {store.root}: {repair} (read from the version files; "
            "`ssemo store repair` rewrites the index)",
            file=sys.stderr,
        )
    return SuggestOptions(
        q=q,
        samples=samples,
        seed=seed,
        measured=measured_designs(table),
        measurements_version=label,
        lab=measured_compositions(table),
    )


def cmd_suggest(args) -> int:
    from pipeline.campaign.store import store_catalog_override
    from pipeline.run import run_study
    from pipeline.study.config import load_config

    config = load_config(args.config, args.set or ())
    store_dir = args.store or DEFAULT_STORE
    extra = store_catalog_override(config, store_dir)
    if extra:  # what was measured is evidence before anything is suggested
        config = load_config(args.config, [*(args.set or ()), *extra])
        print(f"Catalog measurements: the store's ({store_dir}; the study names none of its own)")
    options = suggest_options(args.q, args.samples, args.seed, store_dir)
    summary = run_study(
        config, Path(args.out) if args.out else None, origin=args.origin, suggest=options
    )
    for warning in summary["warnings"]:
        print(f"warning: {warning}", file=sys.stderr)
    for note in summary.get("catalog_measurements", []):
        print(note, file=sys.stderr)
    out = Path(summary["output_dir"])
    import pandas as pd

    designs = pd.read_csv(out / "suggestions.csv")
    gaps = pd.read_csv(out / "measurement_gaps.csv")
    print(
        f"Study '{summary['study']}': {len(designs)} design(s) to make next (of {args.q} asked; "
        f"measurements {options.measurements_version}, {int(summary['suggest.already_measured'])} "
        "measured designs left out, "
        f"{int(summary.get('suggest.measured_in_literature', 0))} candidate designs left out as "
        "compositions the literature or the store measured):"
    )
    for r in designs.itertuples():
        name = (
            r.composition
            if "composition" in designs and isinstance(r.composition, str)
            else r.material
        )
        worlds = (
            f"; P(feasible) in the {config.uncertainty.worlds} plausible worlds "
            f"{r.p_feasible_worlds:.0%}"
            if "p_feasible_worlds" in designs
            else ""
        )
        if worlds and r.p_feasible_worlds < config.uncertainty.feasibility_level:
            worst = getattr(r, "worlds_most_violated", "")
            worlds += f", failing {worst}" if isinstance(worst, str) and worst else ""
        print(
            f"  {r.rank}. {name} / {r.process} / {r.coating} / {r.thickness_um:.3g} µm: {r.why}"
            + worlds
        )
    if len(designs) < args.q:
        print(
            f"  (only {len(designs)} candidate(s) are expected to improve the front in some draw of "
            "their σ; the others would add no hypervolume)"
        )
    if "suggest.batch_value_joint" in summary:
        print(
            f"Batch value (expected hypervolume the batch adds as one set): "
            f"{summary['suggest.batch_value_joint']:.3g}; as many best single candidates "
            f"chosen without regard to each other would add "
            f"{summary['suggest.batch_value_greedy_repeated']:.3g} "
            f"({summary['suggest.greedy_repeated_loss_fraction']:.0%} less; distinct compositions "
            f"{summary.get('suggest.distinct_compositions_joint', 0):.0f} against "
            f"{summary.get('suggest.distinct_compositions_greedy_repeated', 0):.0f})"
        )
    p_recommended = summary.get("suggest.recommended_p_feasible")
    level = config.uncertainty.feasibility_level
    if p_recommended is not None and p_recommended < level:
        drivers = summary.get("recommended_drivers") or "no single value above the noise"
        print(
            f"Go/no-go first: the study's recommended design (its knee, not a suggestion above), "
            f"{summary['recommended_design']}, is feasible in {p_recommended:.0%} of the plausible "
            f"worlds (below {level:.0%}); what drives it: {drivers}. Measure that before making "
            "any design."
        )
    check = out / "lab_vs_predicted.csv"
    if check.is_file():  # the store's measurements beside what the surrogate predicted
        from pipeline.reporting.report import lab_check_lines

        skipped = int(summary.get("suggest.lab_compositions_not_compared", 0) or 0)
        for line in lab_check_lines(pd.read_csv(check), skipped):
            if line:
                print(line.replace("- ", "  ", 1) if line.startswith("- ") else line)
    print_gaps(gaps)
    if config.uncertainty.worlds == 0:
        print(
            "Catalog values worth measuring: not assessed (this study has uncertainty.worlds: 0; "
            "--set uncertainty.worlds=64 ranks them)"
        )
    else:
        print_catalog_measurements(out / "measurement_value.csv")
    written = [
        name
        for name in (
            "suggestions.csv",
            "measurement_gaps.csv",
            "measurement_value.csv",
            "lab_vs_predicted.csv",
        )
        if (out / name).is_file()
    ]
    sections = "'What to make and measure next'" + (
        ", 'Which measurement is worth most'" if config.uncertainty.worlds else ""
    )
    print(f"Results: {out} ({', '.join(written)}, report.md: {sections})")
    if "run_id" in summary:
        print(
            f"MLflow run {summary['run_id']} in {config.tracking.tracking_uri}: "
            f"{summary['mlflow_ui']}"
        )
    return EXIT_OK


def print_gaps(gaps, top: int = 5) -> None:
    """Per blocked material, the measurements it needs together (every constraint the catalog
    cannot evaluate for its designs: one alone unblocks nothing where there are several) and the
    hypervolume its designs would add if all were met."""
    gaining = gaps[gaps["hv_if_met"] > 0] if len(gaps) else gaps
    if not len(gaining):
        return
    needed = gaps[gaps["material"].isin(gaining["material"])].groupby("material", sort=False)
    rows = [
        (material, " + ".join(dict.fromkeys(group["measure"])), float(group["hv_if_met"].max()))
        for material, group in needed
    ]
    rows.sort(key=lambda r: -r[2])
    print(f"{len(rows)} blocked material(s) would add to the front once measured, e.g.:")
    for material, measures, hv in rows[:top]:
        print(f"  {material}: measure {measures} (adds up to {hv:.3g} HV if all are met)")


# what an EVPPI of the ASF choice's utility means (pipeline.reporting.worlds.utility)
UTILITY_UNITS = (
    "EVPPI in ASF units: 0.01 is 1 % of the objectives' normalization range, 1 is the step "
    "from a feasible design to an infeasible one"
)


def print_catalog_measurements(path: Path, top: int = 5) -> None:
    """The catalog values ranked by the expected value of measuring them before choosing (EVPPI
    over the plausible worlds: pipeline.reporting.worlds, the report's 'Which measurement is worth
    most'), with the measurement a lab would do and what it would change."""
    import pandas as pd

    if not path.exists():
        print("Catalog values worth measuring: not assessed (no feasible front to choose from)")
        return
    ranked = pd.read_csv(path, keep_default_na=False)
    if not len(ranked):
        return
    passed = ranked[ranked["above_noise"].astype(str) == "True"]
    noise = float(ranked["noise_95"].iloc[0])
    if len(passed):
        print(
            f"Catalog values worth measuring before choosing (EVPPI above the noise {noise:.4g}; "
            f"{UTILITY_UNITS}):"
        )
    else:
        print(
            f"Catalog values worth measuring: none changes which design to make beyond the noise "
            f"({noise:.4g}; {UTILITY_UNITS}); the largest:"
        )
    rows = (passed if len(passed) else ranked).head(top)
    if len(rows):
        p_now = (
            f", feasible in {float(rows['choice_now_p_feasible'].iloc[0]):.0%} of them"
            if "choice_now_p_feasible" in rows
            else ""
        )
        print(f"  (now: {rows['choice_now_design'].iloc[0]}, the best over the worlds{p_now})")
    for r in rows.itertuples():
        how = f" by {r.measurement}" if r.measurement else ""
        span = (  # a predicted σ's range is its deviation from the prediction, in decades
            f"±{float(r.high):.2g} decades about the prediction"
            if r.grade == "predicted"
            else f"{float(r.low):g}–{float(r.high):g}"
        )
        print(
            f"  {r.value} ({r.grade}, {span}){how}: EVPPI {float(r.evppi):.4g}; "
            f"low -> {r.choice_if_low_design}, high -> {r.choice_if_high_design}"
        )


def cmd_ingest(args) -> int:
    from pipeline.campaign.store import MeasurementStore, ingest_file
    from pipeline.study.catalog import load_catalog
    from pipeline.study.config import load_config

    config = load_config(args.config, args.set or ())
    catalog = load_catalog(config.catalog_dir())
    store = MeasurementStore(args.store or DEFAULT_STORE)
    result = ingest_file(args.file, catalog, store, args.skip_bad_rows)
    for repair in result["repairs"]:
        print(
            f"repaired: {store.root}: {repair}; index.json rewritten from the version files",
            file=sys.stderr,
        )
    for message in result["errors"]:
        print(f"rejected: {message}", file=sys.stderr)
    for note in result["notes"]:
        print(f"warning: {note}", file=sys.stderr)
    if result["errors"] and not (result["added"] or result["skipped"]):
        print(f"Nothing ingested: every row of {args.file} was rejected (see above).")
        return EXIT_USAGE
    if result["kind"] == "catalog":
        print(
            f"Ingested {result['added']} measured catalog value(s) of {args.file} into "
            f"{result['store']} (catalog measurements version {result['version']}; "
            f"{result['skipped']} already stored, skipped). A study reads them with "
            f"`catalog_measurements: {store.root}` in its config; the campaign job's studies "
            "read them."
        )
    elif not result["added"]:  # a file ingested again: nothing new to train on
        print(
            f"Nothing new in {args.file}: its {result['skipped']} row(s) are already in "
            f"{store.root} (version {result['version']})."
        )
    else:
        print(
            f"Ingested {result['added']} row(s) of {args.file} into {store.root} "
            f"(version {result['version']}; {result['skipped']} already stored, skipped). "
            "The next training with data.sources.measurements enabled uses them "
            "(configs/train_campaign.yaml, or the campaign job)."
        )
    return EXIT_ROWS_REJECTED if result["errors"] else EXIT_OK


def cmd_store(args) -> int:
    from pipeline.campaign.store import MeasurementStore, StoreError

    store = MeasurementStore(args.store or DEFAULT_STORE)
    if not store.root.exists():  # a mistyped path is not an empty store; repair creates nothing
        raise StoreError(f"{store.root}: no measurement store here (no such folder)")
    repairs = 0
    for table in (store, store.catalog):
        repairs += _store_table(table, args.store_command)
    if not repairs:
        return EXIT_OK
    if args.store_command == "repair":
        return EXIT_OK
    print(
        "index.json disagrees with the version files: `ssemo store repair` rewrites it from them."
    )
    return EXIT_STORE_REPAIRABLE


def _store_table(store, action: str) -> int:
    """Check (verify) or repair one table of the store (conductivities, or the catalog
    measurements in catalog/) and say what it holds; returns how many index repairs it needed.
    A catalog table that was never written is not mentioned."""
    if store.kind.name == "catalog" and not store.root.exists():
        return 0
    found = store.repair() if action == "repair" else store.inspect().check()
    latest = found.records[-1] if found.records else None
    what = "catalog measurements" if store.kind.name == "catalog" else "Measurement store"
    print(
        f"{what} {store.root}: {len(found.records)} version(s)"
        + (f", {latest['rows']} row(s) in the latest (v{latest['version']:04d})" if latest else "")
        + "; every version file matches its name and record and holds the previous one's rows."
    )
    if found.ignored:
        print(f"Not ssemo's, ignored and left alone: {', '.join(found.ignored)}")
    if found.leftovers:
        done = "removed" if action == "repair" else "repair removes them"
        print(
            f"Temporary files of an interrupted ingest ({done}): "
            + ", ".join(p.name for p in found.leftovers)
        )
    if not found.repairs:
        if store.index_path.exists():
            print(f"{store.index_path} agrees with the version files.")
        return 0
    for repair in found.repairs:
        print(f"  {repair}")
    if action == "repair":
        print(f"{store.index_path} rewritten from the version files.")
    return len(found.repairs)


def add_commands(sub, with_config, origin_type) -> None:
    """The `suggest`, `ingest` and `store` subcommands (with_config: pipeline.cli's --config/--set
    adder)."""
    sg = with_config(
        sub.add_parser(
            "suggest",
            help="run a study, then choose the next batch of designs to make and the measurements "
            "that unblock materials",
            description="Search the study's front, then choose q designs by Monte-Carlo expected "
            "hypervolume improvement x probability of feasibility under the surrogate's predictive "
            "distribution (greedy batch, Kriging believer), leaving out designs already in the "
            "measurement store. Writes suggestions.csv, measurement_gaps.csv and the report's "
            "'What to make and measure next', and logs them to MLflow.",
        )
    )
    sg.add_argument("--q", type=_positive, default=8, help="designs per batch (default: 8)")
    sg.add_argument(
        "--samples",
        type=_positive,
        default=64,
        help="conductivity draws per candidate (default: 64)",
    )
    sg.add_argument("--seed", type=_seed, default=0, help="random seed (default: 0)")
    sg.add_argument(
        "--store",
        default=None,
        metavar="DIR",
        help=f"measurement store whose designs are not suggested again (default: {DEFAULT_STORE})",
    )
    sg.add_argument(
        "--out", default=None, metavar="DIR", help="output folder (default: results/<study name>)"
    )
    sg.add_argument("--origin", default="suggest", type=origin_type, help=argparse.SUPPRESS)
    sg.set_defaults(func=cmd_suggest)

    ig = with_config(
        sub.add_parser(
            "ingest",
            help="validate a lab's measurements CSV and add it to the versioned measurement store",
            description="Validate every row of a measurements CSV against the catalog; a bad row "
            "is named by file, line and column and, unless --skip-bad-rows, nothing is ingested. "
            "Good rows become a new version of the store (Parquet, content hash, atomic). Two "
            "formats, told apart by the header: measured conductivities of compositions "
            "(configs/examples/measurements.csv), which training uses; and measured catalog "
            "quantities, a header with the columns table, item, applies_to, property, value, "
            "sd_log10, sample_id, source (configs/examples/catalog_measurements.csv; any header "
            "with a 'property' or 'sd_log10' column is read as this format), stored in the "
            "store's own versioned catalog table (<store>/catalog), which a study reads with "
            "`catalog_measurements: <store>` and the campaign job's studies read.",
            epilog="Exit codes: 0 ingested (rows already stored with the same values are "
            "skipped); 1 --skip-bad-rows and some rows were rejected (the good ones are stored); "
            "2 a bad row (nothing stored), a file that cannot be read, a sample already stored "
            "with other values (a correction needs a new sample_id), or a damaged store; 5 the "
            "store is not writable.",
        )
    )
    ig.add_argument("file", metavar="MEASUREMENTS.csv", help="the lab's measurements")
    ig.add_argument(
        "--store", default=None, metavar="DIR", help=f"the store (default: {DEFAULT_STORE})"
    )
    ig.add_argument(
        "--skip-bad-rows",
        action="store_true",
        help="ingest the good rows of a file with bad ones (exit code 1)",
    )
    ig.set_defaults(func=cmd_ingest)

    st = sub.add_parser(
        "store",
        help="check (verify) or rebuild the index of (repair) the measurement store",
        description="The version files are the truth and index.json is derived from them. verify "
        "checks every version file (readable, its rows matching its name and record, holding the "
        "previous version's rows unchanged) and compares the index with them; repair also "
        "rewrites the index from the files and removes ssemo's own leftover temporary files. "
        "Other files in the store are never touched.",
        epilog=STORE_EXIT_CODES,
    )
    ssub = st.add_subparsers(dest="store_command", required=True, metavar="ACTION")
    for action, text in (
        ("verify", "say what the store holds and whether index.json agrees; change nothing"),
        ("repair", "rewrite index.json from the version files where they disagree"),
    ):
        sa = ssub.add_parser(action, help=text, description=text, epilog=STORE_EXIT_CODES)
        sa.add_argument(
            "--store", default=None, metavar="DIR", help=f"the store (default: {DEFAULT_STORE})"
        )
        sa.set_defaults(func=cmd_store)
