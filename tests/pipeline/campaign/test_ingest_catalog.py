"""`ssemo ingest` of measured catalog quantities (issue 24, item 6): stored in the measurement
store's own versioned catalog table, read by a study (and by the campaign job's studies) through
the one update rule (pipeline.study.catalog_measurements), and recorded in the run."""

import hashlib

import numpy as np
import pandas as pd
import pytest

from pipeline.campaign.store import (
    MeasurementError,
    MeasurementStore,
    StoreError,
    ingest_file,
    read_store_measurements,
)
from pipeline.study.catalog_measurements import apply_measurements
from tests.conftest import CONFIGS, FEASIBLE_AT_SMALL_BUDGET
from tests.pipeline.jobs.test_scheduler import run_cli
from tests.pipeline.study.test_catalog_measurements import bare_sulfide_interface_asr

HEADER = "table,item,applies_to,property,value,sd_log10,sample_id,source\n"
LI_SULFIDE = "coating,none,sulfide,interfacial_resistance_ohm_cm2"  # catalog 7.4 (7-45.4)
NMC_OXIDE = "cathode,linbo3,oxide,interfacial_resistance_ohm_cm2"  # catalog 11.3 (1-1000)


def write(path, rows):
    path.write_text(HEADER + "".join(r + "\n" for r in rows))
    return path


def store_with_one_sulfide_interface(tmp_path, catalog):
    """A store holding one measured Li | sulfide interface: 9.0 ohm cm2 ± 0.05 decade (S1)."""
    store = MeasurementStore(tmp_path / "store")
    path = write(tmp_path / "lab.csv", [f"{LI_SULFIDE},9.0,0.05,S1,our lab"])
    ingest_file(path, catalog, store, skip_bad_rows=False)
    return store


def value(catalog, table, item, applies_to, prop):
    ev = catalog.evidence()
    hit = (ev["table"] == table) & (ev["item"] == item) & (ev["applies_to"] == applies_to)
    return ev[hit & (ev["property"] == prop)].iloc[0]


def posterior(prior, low, high, x, sd):
    """The normal update in log10 of a prior (range as ±2 sd) with one measurement."""
    sd0 = (np.log10(high) - np.log10(low)) / 4
    w0, w1 = 1 / sd0**2, 1 / sd**2
    return 10 ** ((np.log10(prior) * w0 + np.log10(x) * w1) / (w0 + w1))


def test_ingesting_a_catalog_file_stores_it_and_verify_passes(catalog, tmp_path):
    path = write(
        tmp_path / "lab.csv",
        [f"{LI_SULFIDE},9.0,0.05,S1,our lab 2026-12", f"{NMC_OXIDE},15,0.05,S2,our lab"],
    )
    store = MeasurementStore(tmp_path / "store")
    result = ingest_file(path, catalog, store, skip_bad_rows=False)
    assert (result["kind"], result["added"], result["skipped"]) == ("catalog", 2, 0)
    table = store.catalog.load()
    assert list(table["sample_id"]) == ["S1", "S2"]
    assert list(table["value"]) == [9.0, 15.0] and list(table["source_line"]) == [2, 3]
    assert len(store.load()) == 0  # the conductivity table is untouched
    record = store.catalog.versions()[-1]
    assert record["source_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert record["source_file"] == str(path) and record["created"]
    assert result["version"].startswith("v0001-")
    verify = run_cli("store", "verify", "--store", str(store.root))
    assert verify.returncode == 0, verify.stderr
    assert f"catalog measurements {store.root / 'catalog'}: 1 version(s), 2 row(s)" in verify.stdout
    # verify covers the catalog table: a changed version file is damage (exit 2, named)
    version_file = next((store.root / "catalog" / "versions").iterdir())
    version_file.write_bytes(version_file.read_bytes()[:-8])
    damaged = run_cli("store", "verify", "--store", str(store.root))
    assert damaged.returncode == 2 and version_file.name in damaged.stderr


def test_a_bad_row_names_line_and_column_exit_2_and_nothing_is_stored(tmp_path):
    bad = write(
        tmp_path / "bad.csv",
        [f"{LI_SULFIDE},9.0,0.05,S1,our lab", f"{NMC_OXIDE},15,zero,S2,our lab"],
    )
    store = tmp_path / "store"
    refused = run_cli("ingest", str(bad), "--store", str(store))
    assert refused.returncode == 2
    lines = [x for x in refused.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, refused.stderr
    assert f"{bad}, line 3, column 'sd_log10': expected a number > 0" in lines[0]
    assert "nothing ingested" in lines[0]
    assert MeasurementStore(store).catalog.versions() == []
    # --skip-bad-rows: the good row is stored, the bad one named, exit 1
    skipped = run_cli("ingest", str(bad), "--store", str(store), "--skip-bad-rows")
    assert skipped.returncode == 1
    assert f"rejected: {bad}, line 3, column 'sd_log10'" in skipped.stderr
    assert list(MeasurementStore(store).catalog.load()["sample_id"]) == ["S1"]


def test_reingest_is_skipped_and_a_changed_value_is_refused(catalog, tmp_path):
    path = write(tmp_path / "lab.csv", [f"{LI_SULFIDE},9.0,0.05,S1,our lab"])
    store = MeasurementStore(tmp_path / "store")
    first = ingest_file(path, catalog, store, skip_bad_rows=False)
    again = ingest_file(path, catalog, store, skip_bad_rows=False)
    assert (again["added"], again["skipped"], again["version"]) == (0, 1, first["version"])
    assert len(store.catalog.versions()) == 1
    changed = write(tmp_path / "changed.csv", [f"{LI_SULFIDE},9.5,0.05,S1,our lab"])
    with pytest.raises(MeasurementError, match="line 2: sample_id 'S1' for coating / none / "):
        ingest_file(changed, catalog, store, skip_bad_rows=False)
    assert len(store.catalog.versions()) == 1
    # the same sample twice in one file is a bad row, not two measurements
    twice = write(
        tmp_path / "twice.csv",
        [f"{NMC_OXIDE},15,0.05,S9,our lab", f"{NMC_OXIDE},16,0.05,S9,our lab"],
    )
    with pytest.raises(MeasurementError, match=r"line 3, column 'sample_id': 'S9' measures"):
        ingest_file(twice, catalog, store, skip_bad_rows=False)
    # which of the two is right cannot be told: skipping bad rows keeps neither
    kept = ingest_file(twice, catalog, store, skip_bad_rows=True)
    assert kept["added"] == 0 and len(kept["errors"]) == 2
    assert any("line 2, column 'sample_id'" in e and "again" in e for e in kept["errors"])


def test_a_study_on_the_store_narrows_the_range_and_moves_the_interface(
    catalog, default_config, tmp_path
):
    store = store_with_one_sulfide_interface(tmp_path, catalog)
    updated, lines = apply_measurements(catalog, read_store_measurements(store.root, catalog)[0])
    after = value(updated, "coating", "none", "sulfide", "interfacial_resistance_ohm_cm2")
    expected = posterior(7.4, 7.0, 45.4, 9.0, 0.05)
    assert expected == pytest.approx(8.8998, abs=1e-4)
    assert after["value"] == pytest.approx(expected)
    assert (after["low"], after["high"]) == pytest.approx((7.1168, 11.1295), abs=1e-4)
    assert after["grade"] == "measured-primary" and "S1 (our lab)" in after["source"]
    assert lines == [
        "coating none on sulfide interfacial_resistance_ohm_cm2: 7.4 -> 8.9 (range 7-45.4 -> "
        "7.12-11.1), 1 measurement(s)"
    ]
    old = bare_sulfide_interface_asr(catalog, default_config)
    new = bare_sulfide_interface_asr(updated, default_config)
    assert new - old == pytest.approx(expected - 7.4)


def test_conflicting_ingested_measurements_widen_the_range(catalog, tmp_path):
    store = MeasurementStore(tmp_path / "store")
    path = write(
        tmp_path / "apart.csv",
        [f"{LI_SULFIDE},7.2,0.02,S3,lab A", f"{LI_SULFIDE},20,0.02,S4,lab B"],
    )
    ingest_file(path, catalog, store, skip_bad_rows=False)
    updated, lines = apply_measurements(catalog, read_store_measurements(store.root, catalog)[0])
    after = value(updated, "coating", "none", "sulfide", "interfacial_resistance_ohm_cm2")
    # 7.2 and 20 are 0.44 decade apart, 15.7 combined sd: not averaged away; the range covers
    # the prior (7-45.4) and each measurement ±2 sd (7.2 / 10**0.04 = 6.566)
    assert after["low"] == pytest.approx(10 ** (np.log10(7.2) - 0.04))
    assert after["high"] == pytest.approx(45.4)
    assert after["range_basis"].startswith("conflicting measurements (2)")
    # each is within 3 sd of the prior (7-45.4 read as ±2 sd): they conflict with each other
    assert lines[0].endswith("2 measurement(s); they conflict with each other: the range widened")
    # a sample far from the prior is named
    far = write(tmp_path / "far.csv", [f"{LI_SULFIDE},7000,0.05,S8,lab E"])
    rows = read_store_measurements(store.root, catalog)[0]
    ingest_file(far, catalog, store, skip_bad_rows=False)
    _, lines = apply_measurements(catalog, read_store_measurements(store.root, catalog)[0])
    assert len(read_store_measurements(store.root, catalog)[0]) == len(rows) + 1
    assert lines[0].endswith(
        "3 measurement(s); they conflict (S8 far from the prior): the range widened"
    )


def test_ingest_notes_a_value_decades_off_and_an_implausibly_small_error(catalog, tmp_path):
    store = MeasurementStore(tmp_path / "store")
    path = write(
        tmp_path / "slip.csv",
        [f"{LI_SULFIDE},0.0074,0.05,S5,Ω cm² typed as kΩ cm²", f"{LI_SULFIDE},8,1e-6,S6,lab C"],
    )
    result = ingest_file(path, catalog, store, skip_bad_rows=False)
    assert result["added"] == 2  # valid rows are stored: a real conflict is evidence
    slip, precise = result["notes"]
    assert slip.startswith(f"{path}, line 2: 0.0074 is 3.0 decade(s) below the catalog's 7.4")
    assert "a unit slip?" in slip
    assert precise.startswith(f"{path}, line 3: sd_log10 1e-06 is below 0.01 decade")
    # an unsurprising row gets no note
    calm = write(tmp_path / "calm.csv", [f"{LI_SULFIDE},9,0.05,S7,lab D"])
    assert ingest_file(calm, catalog, store, skip_bad_rows=False)["notes"] == []


def test_a_study_names_a_stored_row_the_catalog_does_not_have(catalog, tmp_path):
    store = store_with_one_sulfide_interface(tmp_path, catalog)
    other = catalog.coating_properties[catalog.coating_properties["applies_to"] != "sulfide"]
    from dataclasses import replace

    from pipeline.errors import CatalogError

    with pytest.raises(
        CatalogError,
        match=r"version 1 \(from .*lab.csv, line 2\), column 'applies_to': no coating applies_to",
    ):
        read_store_measurements(store.root, replace(catalog, coating_properties=other))
    with pytest.raises(StoreError, match="not a measurement store"):
        read_store_measurements(tmp_path, catalog)


def test_a_study_run_on_the_store_records_what_changed_in_the_report_and_mlflow(tmp_path):
    from pipeline.reporting.tracking import mlflow_module
    from pipeline.run import run_study
    from pipeline.study.config import load_config

    store = tmp_path / "store"
    path = write(tmp_path / "lab.csv", [f"{NMC_OXIDE},15,0.05,S2,our lab"])
    assert run_cli("ingest", str(path), "--store", str(store)).returncode == 0
    uri = f"sqlite:///{tmp_path}/mlflow.db"
    config = load_config(
        CONFIGS / "default.yaml",
        [
            "search.population_size=20",
            "search.generations=16",
            f"tracking.tracking_uri={uri}",
            "uncertainty.worlds=0",
            f"catalog_measurements={store}",
            *FEASIBLE_AT_SMALL_BUDGET,
        ],
    )
    summary = run_study(config, tmp_path / "out", progress=False)
    out = tmp_path / "out"
    applied = pd.read_csv(out / "catalog_measurements_applied.csv")
    expected = posterior(11.3, 1.0, 1000.0, 15.0, 0.05)
    assert expected == pytest.approx(14.9812, abs=1e-4)
    row = applied.iloc[0]
    assert (row["sample_id"], row["value_label"], row["version"], row["source_line"]) == (
        "S2",
        "cathode linbo3 on oxide",
        1,
        2,
    )
    assert row["source_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (row["value_before"], row["low_before"], row["high_before"]) == (11.3, 1.0, 1000.0)
    assert row["value_after"] == pytest.approx(expected)
    # the cathode interface adds to every oxide design's total ASR: the knee's moves by the change
    moved = pd.read_csv(out / "catalog_measurements_recommendations.csv").set_index("choice")
    knee = moved.loc["knee"]
    assert knee["total_asr_ohm_cm2"] - knee["total_asr_ohm_cm2_prior_catalog"] == pytest.approx(
        expected - 11.3
    )
    assert bool(knee["changed"])
    report = (out / "report.md").read_text()
    assert "cathode linbo3 on oxide interfacial_resistance_ohm_cm2: 11.3 -> 14.98" in report
    assert "the ingested catalog measurements move recommendation 'knee'" in report
    mlflow = mlflow_module()
    mlflow.set_tracking_uri(uri)
    run = mlflow.get_run(summary["run_id"])
    label = MeasurementStore(store).catalog.version_label()
    assert run.data.tags["ssemo.catalog_measurements_version"] == label
    assert run.data.tags["ssemo.catalog_measurements"] == f"measurement store {store}"
    assert run.data.tags["ssemo.catalog_measurements_changed"] == "1"
    logged = {a.path for a in mlflow.MlflowClient().list_artifacts(summary["run_id"])}
    assert {
        "catalog_measurements_applied.csv",
        "catalog_measurements_recommendations.csv",
    } <= logged


def test_the_campaign_jobs_studies_read_the_store(catalog, tmp_path, monkeypatch):
    from pipeline.jobs import scheduler
    from pipeline.jobs.scheduler import StudyEntry, run_one

    store = tmp_path / "measurements"
    entry = StudyEntry(
        "a",
        str(CONFIGS / "default.yaml"),
        (
            "surrogate.enabled=false",
            "tracking.enabled=false",
            "search.population_size=20",
            "search.generations=8",
            "uncertainty.worlds=0",
            *FEASIBLE_AT_SMALL_BUDGET,
        ),
    )
    state = str(tmp_path / "state")
    # no catalog measurements stored yet: the study runs on the catalog as it is
    plain = run_one(entry, state, None, False, 1, 0.0, progress=False, catalog_store=str(store))
    assert plain["status"] == "finished", plain.get("error")
    assert not (
        tmp_path / "state" / "studies" / "a" / plain["key"] / "catalog_measurements_applied.csv"
    ).exists()
    ingest_file(
        write(tmp_path / "lab.csv", [f"{NMC_OXIDE},15,0.05,S2,our lab"]),
        catalog,
        MeasurementStore(store),
        skip_bad_rows=False,
    )
    measured = run_one(entry, state, None, False, 1, 0.0, progress=False, catalog_store=str(store))
    assert measured["status"] == "finished", measured.get("error")
    assert measured["key"] != plain["key"]  # new measurements: a new run, not a reuse
    applied = pd.read_csv(f"{measured['output_dir']}/catalog_measurements_applied.csv")
    assert list(applied["sample_id"]) == ["S2"]
    assert applied["value_after"].iloc[0] == pytest.approx(posterior(11.3, 1.0, 1000.0, 15.0, 0.05))
    again = run_one(entry, state, None, False, 1, 0.0, progress=False, catalog_store=str(store))
    assert again["status"] == "reused" and again["key"] == measured["key"]
    # the job passes its campaign store to every study
    seen = []
    monkeypatch.setattr(scheduler, "run_one", lambda *a, **k: seen.append(k) or {"status": "ok"})
    monkeypatch.setattr(scheduler, "_campaign_options", lambda job: None)
    job = scheduler.load_job(CONFIGS / "jobs" / "campaign.yaml")
    job = scheduler.JobConfig(
        name="t",
        source=job.source,
        studies=job.studies,
        state_dir=str(tmp_path / "jobstate"),
        campaign={**job.campaign, "measurements": str(store)},
    )
    code, _ = scheduler.run_job(job, progress=False)
    assert code == 0 and [k["catalog_store"] for k in seen] == [str(store)] * len(job.studies)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        # a comma inside an unquoted source: pandas would shift every cell by one column
        (
            HEADER + f"{LI_SULFIDE},9.0,0.05,S1,our lab, Berlin\n",
            "line 2: 9 fields, the header has 8",
        ),
        (b"", "empty file"),
        (HEADER, "no data rows"),
        # the extra field on a later line: pandas' own error, before the line was named
        (
            HEADER + f"{LI_SULFIDE},9.0,0.05,S1,lab\n{LI_SULFIDE},9.1,0.05,S2,our lab, Berlin\n",
            "line 3: 9 fields, the header has 8",
        ),
        # a spreadsheet's UTF-16 export
        (HEADER.encode("utf-16"), "not UTF-8 text"),
        # a locale's semicolon export
        (
            HEADER.replace(",", ";") + f"{LI_SULFIDE};9.0;0.05;S1;lab\n".replace(",", ";"),
            "line 1: the header is separated by ';', expected commas",
        ),
    ],
)
def test_an_unreadable_catalog_file_is_one_line_exit_2(tmp_path, content, expected):
    path = tmp_path / "lab.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    refused = run_cli("ingest", str(path), "--store", str(tmp_path / "store"))
    assert refused.returncode == 2
    lines = [x for x in refused.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and str(path) in lines[0] and expected in lines[0], refused.stderr


def test_a_store_without_catalog_measurements_is_refused_by_a_study(tmp_path, catalog):
    from pipeline.errors import CatalogError

    store = MeasurementStore(tmp_path / "store")
    store.versions_dir.mkdir(parents=True)  # a store of conductivities only
    with pytest.raises(CatalogError, match="a measurement store with no catalog measurements"):
        read_store_measurements(store.root, catalog)
