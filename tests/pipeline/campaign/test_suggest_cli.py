"""`ssemo suggest` end to end: the batch with its P(feasible) in the plausible worlds beside the one
over its σ draws, the go/no-go line and the catalog values ranked by the value of measuring them."""

import pandas as pd

from tests.conftest import FEASIBLE_AT_SMALL_BUDGET
from tests.pipeline.jobs.test_scheduler import run_cli

SMALL = [
    "tracking.enabled=false",
    "search.population_size=24",
    "search.generations=10",
    "uncertainty.worlds=16",
    *FEASIBLE_AT_SMALL_BUDGET,
]


def test_suggest_prints_the_batch_the_worlds_and_what_to_measure(tmp_path):
    out = tmp_path / "out"
    args = ["suggest", "--store", str(tmp_path / "store"), "--out", str(out), "--q", "3"]
    for item in SMALL:
        args += ["--set", item]
    done = run_cli(*args)
    assert done.returncode == 0, done.stderr
    designs = pd.read_csv(out / "suggestions.csv")
    assert 1 <= len(designs) <= 3
    assert designs["p_feasible_worlds"].between(0.0, 1.0).all()
    # what a suggestion's P(feasible) in the worlds rests on: the constraint it fails most often
    failing = designs["worlds_most_violated"].fillna("")
    assert failing.str.fullmatch(r"(g_\w+ \(violated in \d+% of them\))?").all()
    assert (failing == "").equals(designs["p_feasible_worlds"] == 1.0)
    lines = done.stdout.splitlines()
    batch = [line for line in lines if line.startswith("  1. ")]
    assert batch and "P(feasible) over its σ draws" in batch[0]
    assert "P(feasible) in the 16 plausible worlds" in batch[0]
    assert any(line.startswith("Batch value (expected hypervolume") for line in lines)
    assert any(line.startswith("Catalog values worth measuring") for line in lines)
    assert (out / "measurement_value.csv").exists()
    results = next(line for line in lines if line.startswith("Results: "))
    assert "measurement_value.csv" in results and "'Which measurement is worth most'" in results


def test_suggest_names_only_the_files_it_wrote(tmp_path):
    # without plausible worlds no catalog value is ranked: no measurement_value.csv to name
    out = tmp_path / "out"
    args = ["suggest", "--store", str(tmp_path / "store"), "--out", str(out), "--q", "2"]
    for item in [*SMALL, "uncertainty.worlds=0"]:
        args += ["--set", item]
    done = run_cli(*args)
    assert done.returncode == 0, done.stderr
    assert not (out / "measurement_value.csv").exists()
    results = next(line for line in done.stdout.splitlines() if line.startswith("Results: "))
    assert "suggestions.csv" in results and "measurement_value.csv" not in results
    assert "worth most" not in results


def test_suggest_reads_the_catalog_measurements_of_its_store(tmp_path):
    """What was measured is evidence before anything is suggested: a store holding a measured
    cathode interface narrows it in suggest's worlds (the study names no file of its own)."""
    store = tmp_path / "store"
    measured = tmp_path / "cathode.csv"
    measured.write_text(
        "table,item,applies_to,property,value,sd_log10,sample_id,source\n"
        "cathode,linbo3,oxide,interfacial_resistance_ohm_cm2,15,0.05,T-1,test value\n",
        encoding="utf-8",
    )
    assert run_cli("ingest", str(measured), "--store", str(store)).returncode == 0
    out = tmp_path / "out"
    args = ["suggest", "--store", str(store), "--out", str(out), "--q", "2"]
    for item in SMALL:
        args += ["--set", item]
    done = run_cli(*args)
    assert done.returncode == 0, done.stderr
    assert f"Catalog measurements: the store's ({store}" in done.stdout
    config = (out / "resolved_config.yaml").read_text(encoding="utf-8")
    assert f"catalog_measurements: {store}" in config
    assert "cathode linbo3 on oxide interfacial_resistance_ohm_cm2: 11.3 -> " in done.stderr
    # each recommendation's P(feasible) in the worlds with and without the measurement: pinning
    # the oxide cathode interface at 15 (prior 1-1000) cannot lower an oxide design's
    moved = pd.read_csv(out / "catalog_measurements_recommendations.csv")
    for column in ("p_feasible", "p_feasible_prior_catalog"):
        assert moved[column].between(0.0, 1.0).all()
    oxide = moved[moved["design"].str.startswith(("LLZO", "LATP", "LAGP", "LLTO"))]
    assert (oxide["p_feasible"] >= oxide["p_feasible_prior_catalog"]).all()
