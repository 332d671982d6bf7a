"""ssemo ingest: row-by-row validation, a versioned store, nothing partial after a crash."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest

from pipeline.campaign.store import (
    MeasurementError,
    MeasurementStore,
    ingest_file,
    read_measurements,
)
from pipeline.cli import main
from tests.conftest import CONFIGS, REPO

EXAMPLE = CONFIGS / "examples" / "measurements.csv"
HEADER = "sample_id,operator,date,composition,material,process,thickness_um,temperature_c,sigma_s_per_cm\n"


def test_example_file_is_ingested_once_and_reingesting_changes_nothing(tmp_path, catalog):
    store = MeasurementStore(tmp_path / "store")
    first = ingest_file(EXAMPLE, catalog, store, skip_bad_rows=False)
    assert first["added"] == 3 and first["version"].startswith("v0001-")
    table = store.load()
    assert len(table) == 3
    # a catalog material row takes the catalog's formula
    assert table.loc[table["sample_id"] == "LPSC-WC-30", "formula"].item() == "Li6PS5Cl"
    again = ingest_file(EXAMPLE, catalog, store, skip_bad_rows=False)
    assert again["added"] == 0 and again["skipped"] == 3 and again["version"] == first["version"]
    assert len(store.versions()) == 1


def test_a_new_file_makes_a_new_version_and_old_versions_stay_readable(tmp_path, catalog):
    store = MeasurementStore(tmp_path / "store")
    ingest_file(EXAMPLE, catalog, store, skip_bad_rows=False)
    more = tmp_path / "more.csv"
    more.write_text(HEADER + "N1,me,2026-01-05,Li7La3Zr2O12,,,,25,2e-4\n")
    second = ingest_file(more, catalog, store, skip_bad_rows=False)
    assert second["version"].startswith("v0002-")
    assert len(store.load("1")) == 3 and len(store.load()) == 4
    assert store.load()["version"].tolist() == [1, 1, 1, 2]


def test_a_stored_sample_with_other_values_is_refused_and_nothing_written(tmp_path, catalog):
    store = MeasurementStore(tmp_path / "store")
    ingest_file(EXAMPLE, catalog, store, skip_bad_rows=False)
    changed = tmp_path / "changed.csv"
    text = EXAMPLE.read_text().replace("6.1e-4", "7.0e-4")
    changed.write_text(text)
    with pytest.raises(
        MeasurementError,
        match=r"changed\.csv, line \d+: sample_id 'TA-LLZO-0\.6-P1'.*stored \(version 1\)",
    ):
        ingest_file(changed, catalog, store, skip_bad_rows=False)
    assert len(store.versions()) == 1


def test_a_compound_without_lithium_is_refused_at_ingest(tmp_path, catalog):
    nacl = tmp_path / "nacl.csv"
    nacl.write_text(HEADER + "N1,me,2026-01-05,NaCl,,,,25,2e-4\n")
    with pytest.raises(MeasurementError, match=r"nacl\.csv:2: column 'composition'.*not a Li"):
        ingest_file(nacl, catalog, MeasurementStore(tmp_path / "store"), skip_bad_rows=False)


def test_bad_rows_are_named_by_file_line_and_column_and_nothing_is_ingested(tmp_path, catalog):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER
        + "A1,me,2026-01-05,Li7La3Zr2O12,,,,25,2e-4\n"  # good
        + "A2,me,2026-13-05,Li7La3Zr2O12,,,,25,2e-4\n"  # bad date
        + "A3,me,2026-01-05,,LLZOO,,,25,2e-4\n"  # unknown material
        + "A4,me,2026-01-05,Li7La3Zr2O12,,spin,,25,-1\n"  # unknown process, negative sigma
        + "A5,me,2026-01-05,Xx2O,,,,25,1e-3\n"  # unparseable formula
        + "A6,me,2026-01-05,Li7La3Zr2O12,,,-4,25,1e-3\n"  # negative thickness
        + "A7,,2026-01-05,Li7La3Zr2O12,,,,25,1e-3\n"  # no operator
    )
    parsed = read_measurements(bad, catalog)
    assert len(parsed.rows) == 1
    text = "\n".join(parsed.errors)
    for where in (
        f"{bad}:3: column 'date'",
        f"{bad}:4: column 'material'",
        f"{bad}:5: column 'process'",
        f"{bad}:5: column 'sigma_s_per_cm'",
        f"{bad}:6: column 'composition'",
        f"{bad}:7: column 'thickness_um'",
        f"{bad}:8: column 'operator'",
    ):
        assert where in text, where
    assert "did you mean 'LLZO'" in text
    store = MeasurementStore(tmp_path / "store")
    with pytest.raises(MeasurementError, match="7 problem"):
        ingest_file(bad, catalog, store, skip_bad_rows=False)
    assert store.versions() == [] and len(store.load()) == 0
    kept = ingest_file(bad, catalog, store, skip_bad_rows=True)
    assert kept["added"] == 1 and len(kept["errors"]) == 7


def test_cli_exit_codes_and_one_line_errors(tmp_path, capsys):
    store = str(tmp_path / "store")
    bad = tmp_path / "bad.csv"
    bad.write_text("sample_id,operator,date,compositon,temperature_c,sigma_s_per_cm\n")
    assert main(["ingest", str(bad), "--store", store]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown column 'compositon' (did you mean 'composition'?)" in err[0]
    rows = tmp_path / "rows.csv"
    rows.write_text(
        HEADER
        + "B1,me,2026-01-05,Li7La3Zr2O12,,,,25,abc\nB2,me,2026-01-05,Li7La3Zr2O12,,,,25,1e-3\n"
    )
    assert main(["ingest", str(rows), "--store", store]) == 2
    assert f"{rows}:2: column 'sigma_s_per_cm'" in capsys.readouterr().err
    assert main(["ingest", str(rows), "--store", store, "--skip-bad-rows"]) == 1
    assert main(["ingest", str(EXAMPLE), "--store", store]) == 0
    assert len(MeasurementStore(store).load()) == 4


KILLED_INGEST = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import pipeline.campaign.store as s
    from pipeline.study.catalog import load_catalog

    real = s.atomic_write
    stage = sys.argv[3]

    def slow(path, write):
        path = Path(path)
        if stage == "index" and path.name == "index.json":
            Path(sys.argv[4]).write_text("ready")  # the new version file is in place
            time.sleep(60)
        if stage == "version" and path.suffix == ".parquet":
            def partial(tmp):
                tmp.write_bytes(b"PAR1 half a file")
                Path(sys.argv[4]).write_text("ready")
                time.sleep(60)
            return real(path, partial)
        return real(path, write)

    s.atomic_write = slow
    catalog = load_catalog(Path(sys.argv[5]))
    s.ingest_file(sys.argv[2], catalog, s.MeasurementStore(sys.argv[1]), False)
    """
)


@pytest.mark.parametrize("stage", ["version", "index"])
def test_kill_during_ingest_loses_nothing_and_leaves_nothing_partial(tmp_path, catalog, stage):
    root = tmp_path / "store"
    store = MeasurementStore(root)
    ingest_file(EXAMPLE, catalog, store, skip_bad_rows=False)
    before = store.load()
    more = tmp_path / "more.csv"
    more.write_text(HEADER + "K1,me,2026-01-05,Li7La3Zr2O12,,,,25,2e-4\n")
    marker = tmp_path / "ready"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            KILLED_INGEST,
            str(root),
            str(more),
            stage,
            str(marker),
            str(CONFIGS / "catalog"),
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert proc.poll() is None, "the ingest ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    # the store still reads as it was: version 1, the same rows; the half-written file is never read
    after = MeasurementStore(root)
    assert len(after.versions()) == 1
    pd.testing.assert_frame_equal(after.load(), before)
    # and the next ingest removes the leftovers and stores the rows once
    result = ingest_file(more, catalog, after, skip_bad_rows=False)
    assert result["added"] == 1 and result["version"].startswith("v0002-")
    listed = {v["file"] for v in after.versions()}
    assert {p.name for p in (root / "versions").iterdir()} == listed
    assert len(after.load()) == 4
