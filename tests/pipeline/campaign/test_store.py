"""ssemo ingest: row-by-row validation, a versioned store, nothing partial after a crash."""

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from typing import ClassVar

import pandas as pd
import pytest

from pipeline.campaign.store import (
    RECORD_KEY,
    MeasurementError,
    MeasurementStore,
    StoreError,
    ingest_file,
    kelvin_note,
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


def test_a_room_temperature_sigma_no_solid_reaches_is_refused_as_a_unit_slip(tmp_path, catalog):
    bad = tmp_path / "units.csv"
    bad.write_text(
        HEADER
        + "U1,me,2026-01-05,Li7La3Zr2O12,,,,25,5\n"  # 5 mS/cm typed as S/cm
        + "U2,me,2026-01-05,Li10GeP2S12,,,,25,0.012\n"  # LGPS at room temperature: real
        + "U3,me,2026-01-05,Li10GeP2S12,,,,300,0.5\n"  # hot: past the room-temperature ceiling
    )
    parsed = read_measurements(bad, catalog)
    assert sorted(parsed.rows["sample_id"]) == ["U2", "U3"]
    assert len(parsed.errors) == 1
    assert f"{bad}:2: column 'sigma_s_per_cm'" in parsed.errors[0]
    assert "5 S/cm at 25 °C is above 0.079 S/cm" in parsed.errors[0]


def test_a_sigma_in_ms_per_cm_above_room_temperature_is_refused_by_the_moving_ceiling(
    tmp_path, catalog
):
    """Above 40 °C the ceiling follows the fastest conductors' Arrhenius line (0.17 S/cm at
    60 °C): a trial's 2.3 mS/cm typed as S/cm at 60 °C was stored and trained on before."""
    hot = tmp_path / "hot.csv"
    hot.write_text(
        HEADER
        + "H1,me,2026-01-05,Li6.32La3Zr1.32Ta0.68O12,,,,60,2.3\n"  # mS/cm typed as S/cm
        + "H2,me,2026-01-05,Li10GeP2S12,,,,60,0.04\n"  # LGPS at 60 °C: real
        + "H3,me,2026-01-05,Li10GeP2S12,,,,200,0.5\n"  # under 1.2 S/cm at 200 °C
    )
    parsed = read_measurements(hot, catalog)
    assert sorted(parsed.rows["sample_id"]) == ["H2", "H3"]
    assert len(parsed.errors) == 1 and f"{hot}:2: column 'sigma_s_per_cm'" in parsed.errors[0]
    assert "2.3 S/cm at 60 °C is above 0.17 S/cm" in parsed.errors[0]
    assert "was it in mS/cm?" in parsed.errors[0]


def test_a_file_with_only_a_header_is_refused(tmp_path, catalog):
    empty = tmp_path / "empty.csv"
    empty.write_text(HEADER)
    with pytest.raises(MeasurementError, match="no data rows"):
        read_measurements(empty, catalog)


def test_a_composition_unlike_the_material_it_names_is_refused(tmp_path, catalog):
    """A trial stored 'Li6PS5Cl' as material LLZO (the store matches designs by formula); a doped
    member of the material's own framework still goes in."""
    rows = tmp_path / "rows.csv"
    rows.write_text(
        HEADER
        + "C1,me,2026-01-05,Li6PS5Cl,LLZO,,,25,2e-3\n"
        + "C2,me,2026-01-05,Li6.55Ga0.15La3Zr2O12,LLZO,,,25,1e-3\n"
        + "C3,me,2026-01-05,Li6PS5Br,Li6PS5Cl,,,25,2e-3\n"
    )
    parsed = read_measurements(rows, catalog)
    assert sorted(parsed.rows["sample_id"]) == ["C2", "C3"]
    assert len(parsed.errors) == 1 and f"{rows}:2: column 'composition'" in parsed.errors[0]
    assert "'Li6PS5Cl' shares no element but Li with catalog material 'LLZO'" in parsed.errors[0]


def test_a_sample_whose_sigma_does_not_rise_with_temperature_is_named(tmp_path, catalog):
    """A trial's sample at 25 and at "298 °C" (kelvin typed as °C) with 8.1e-4 and 8.0e-4 S/cm:
    stored, and the warning names both rows; a rising series says nothing."""
    flat = tmp_path / "flat.csv"
    flat.write_text(
        HEADER
        + "G1,me,2026-01-05,Li6.64Ga0.12La3Zr2O12,,,,25,8.1e-4\n"
        + "G1,me,2026-01-05,Li6.64Ga0.12La3Zr2O12,,,,298,8.0e-4\n"
        + "G2,me,2026-01-05,Li7La3Zr2O12,,,,25,5e-4\n"
        + "G2,me,2026-01-05,Li7La3Zr2O12,,,,80,4e-3\n"
    )
    parsed = read_measurements(flat, catalog)
    assert len(parsed.rows) == 4 and not parsed.errors
    assert len(parsed.notes) == 1
    note = parsed.notes[0]
    assert "σ does not rise with temperature for G1 (line 2: 0.00081 S/cm at 25 °C" in note
    assert "line 3: 0.0008 at 298 °C" in note and "G2" not in note


def test_a_file_in_kelvin_is_named_in_a_warning_and_a_hot_series_is_not(tmp_path, catalog, capsys):
    kelvin = tmp_path / "kelvin.csv"
    kelvin.write_text(
        HEADER
        + "K1,me,2026-01-05,Li7La3Zr2O12,,,,298.15,5e-4\n"  # 25 °C written in kelvin
        + "K1,me,2026-01-05,Li7La3Zr2O12,,,,353.15,4e-3\n"
    )
    parsed = read_measurements(kelvin, catalog)
    assert len(parsed.rows) == 2 and not parsed.errors  # valid °C values: stored, but named
    assert len(parsed.notes) == 1
    assert (
        f"{kelvin}: every temperature_c lies between 273 and 400 °C (line 2: 298.15)"
        in (parsed.notes[0])
    )
    # an oxide measured from 325 to 400 °C: nothing looks like 25 °C (a series starting at 300 °C
    # is warned about: 300 is also 27 °C in kelvin, and the warning only asks)
    hot = tmp_path / "hot.csv"
    hot.write_text(
        HEADER
        + "H1,me,2026-01-05,Li7La3Zr2O12,,,,325,2e-2\n"
        + "H1,me,2026-01-05,Li7La3Zr2O12,,,,400,5e-2\n"
    )
    assert read_measurements(hot, catalog).notes == []
    mixed = tmp_path / "mixed.csv"  # 25 and 298 °C in one series: °C
    mixed.write_text(
        HEADER
        + "M1,me,2026-01-05,Li7La3Zr2O12,,,,25,5e-4\n"
        + "M1,me,2026-01-05,Li7La3Zr2O12,,,,298,2e-2\n"
    )
    assert read_measurements(mixed, catalog).notes == []
    assert main(["ingest", str(kelvin), "--store", str(tmp_path / "store")]) == 0
    assert "warning: " + parsed.notes[0] in capsys.readouterr().err
    # by position: rows with a repeated index and no source_line still give one line
    rows = pd.concat([parsed.rows, parsed.rows]).drop(columns="source_line")
    assert "(line 2: 298.15)" in kelvin_note(kelvin, rows)[0]


def test_a_sample_measured_twice_at_one_temperature_keeps_neither_row(tmp_path, catalog):
    twice = tmp_path / "twice.csv"
    twice.write_text(
        HEADER
        + "S-1,me,2026-01-05,Li7La3Zr2O12,,,,25,6.1e-4\n"
        + "S-2,me,2026-01-05,Li7La3Zr2O12,,,,25,5e-4\n"
        + "S-1,me,2026-01-05,Li7La3Zr2O12,,,,25,7e-4\n"  # which S-1 is right?
        + "S-1,me,2026-01-05,Li7La3Zr2O12,,,,50,2e-3\n"  # another temperature: its own point
    )
    parsed = read_measurements(twice, catalog)
    kept = parsed.rows[["sample_id", "temperature_c"]].itertuples(index=False, name=None)
    assert sorted(kept) == [("S-1", 50.0), ("S-2", 25.0)]
    errors = sorted(parsed.errors)
    assert len(errors) == 2
    assert f"{twice}:2: column 'sample_id'" in errors[0] and "again on line 4" in errors[0]
    assert f"{twice}:4: column 'sample_id'" in errors[1] and "lines 2 and 4" in errors[1]


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
    # every row bad: nothing to store even with --skip-bad-rows, the file is wrong (exit 2)
    worse = tmp_path / "worse.csv"
    worse.write_text(HEADER + "W1,me,2026-01-05,Li7La3Zr2O12,,,,25,abc\n")
    assert main(["ingest", str(worse), "--store", store, "--skip-bad-rows"]) == 2
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
    after = MeasurementStore(root)
    if stage == "version":
        # the store still reads as it was: version 1, the same rows; the half-written file is
        # never read, and the next ingest removes it and stores the rows once
        assert len(after.versions()) == 1
        pd.testing.assert_frame_equal(after.load(), before)
        result = ingest_file(more, catalog, after, skip_bad_rows=False)
        assert result["added"] == 1 and result["version"].startswith("v0002-")
    else:
        # the rename committed version 2 before the kill: the files are the truth, the index
        # (still at version 1) is behind; the next ingest rewrites it and adds nothing twice
        assert [v["version"] for v in after.versions()] == [1, 2]
        assert json.loads((root / "index.json").read_text())["versions"][-1]["version"] == 1
        result = ingest_file(more, catalog, after, skip_bad_rows=False)
        assert result["added"] == 0 and result["skipped"] == 1 and result["repairs"]
        assert result["version"].startswith("v0002-")
    listed = {v["file"] for v in json.loads((root / "index.json").read_text())["versions"]}
    assert {p.name for p in (root / "versions").iterdir()} == listed
    assert not [p for p in root.iterdir() if ".tmp" in p.name]
    assert len(after.load()) == 4


# --- the version files are the truth; the index is derived from them ------------------------------


def _two_versions(tmp_path, catalog) -> MeasurementStore:
    store = MeasurementStore(tmp_path / "store")
    ingest_file(EXAMPLE, catalog, store, skip_bad_rows=False)
    more = tmp_path / "more.csv"
    more.write_text(HEADER + "N1,me,2026-01-05,Li7La3Zr2O12,,,,25,2e-4\n")
    ingest_file(more, catalog, store, skip_bad_rows=False)
    return store


def _third(tmp_path, catalog, store):
    third = tmp_path / "third.csv"
    third.write_text(HEADER + "N2,me,2026-01-06,Li7La3Zr2O12,,,,25,3e-4\n")
    return ingest_file(third, catalog, store, skip_bad_rows=False)


def _files(store) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (store.root / "versions").iterdir()}


def test_a_deleted_index_is_rebuilt_from_the_version_files(tmp_path, catalog):
    store = _two_versions(tmp_path, catalog)
    index = json.loads(store.index_path.read_text())
    store.index_path.unlink()
    assert [v["version"] for v in store.versions()] == [1, 2]  # read from the files
    assert len(store.load()) == 4
    assert "index.json missing" in store.inspect().repairs[0]
    result = _third(tmp_path, catalog, store)
    assert result["added"] == 1 and result["version"].startswith("v0003-") and result["repairs"]
    rebuilt = json.loads(store.index_path.read_text())["versions"]
    assert rebuilt[:2] == index["versions"]  # the same records, time and source file included
    assert len(store.load()) == 5 and store.inspect().repairs == []


def test_a_rolled_back_index_loses_no_version_and_no_file(tmp_path, catalog):
    store = _two_versions(tmp_path, catalog)
    old = store.index_path.read_text()
    store.index_path.write_text(old)  # a copy taken after version 1 ...
    first = json.loads(old)
    first["versions"] = first["versions"][:1]
    store.index_path.write_text(json.dumps(first))  # ... put back
    before = _files(store)
    assert "not in index.json" in store.inspect().repairs[0]
    assert len(store.load()) == 4  # version 2's row is still read
    result = _third(tmp_path, catalog, store)
    assert result["version"].startswith("v0003-")  # not a second version 2
    after = _files(store)
    assert {k: after[k] for k in before} == before and len(after) == 3
    assert len(store.load()) == 5 and len(store.load("2")) == 4


def test_user_files_in_the_store_are_ignored_and_never_touched(tmp_path, catalog):
    store = _two_versions(tmp_path, catalog)
    versions = store.root / "versions"
    keep = {
        versions / "README.md": b"my notes",
        versions / "v0001-backup.parquet": (versions / store.versions()[0]["file"]).read_bytes(),
        versions / "index.json.bak": store.index_path.read_bytes(),
        store.root / "NOTES.txt": b"do not delete",
    }
    for path, data in keep.items():
        path.write_bytes(data)
    store.index_path.unlink()
    found = store.inspect()
    assert {"README.md", "v0001-backup.parquet", "index.json.bak"} <= set(found.ignored)
    _third(tmp_path, catalog, store)
    store.repair()
    for path, data in keep.items():
        assert path.read_bytes() == data, path
    assert len(store.versions()) == 3


@pytest.mark.parametrize(
    "damage",
    ["truncated", "no_file_key", "not_json_object", "versions_not_a_list", "repeated_entry"],
)
def test_a_damaged_index_is_rebuilt_not_an_internal_error(tmp_path, catalog, damage):
    store = _two_versions(tmp_path, catalog)
    text = store.index_path.read_text()
    entries, expected = json.loads(text)["versions"], json.loads(text)["versions"]
    if damage == "truncated":
        store.index_path.write_text(text[: len(text) // 2])
    elif damage == "no_file_key":
        del entries[0]["file"]
        store.index_path.write_text(json.dumps({"versions": entries}))
    elif damage == "not_json_object":
        store.index_path.write_text("[1, 2]")
    elif damage == "versions_not_a_list":
        store.index_path.write_text('{"versions": 3}')
    else:
        store.index_path.write_text(json.dumps({"versions": [entries[0], *entries]}))
    assert store.inspect().repairs and len(store.load()) == 4
    found = store.repair()
    assert found.repairs and json.loads(store.index_path.read_text())["versions"] == expected
    assert store.inspect().repairs == []


def _swap_version_1(store) -> str:
    """Version 1's file replaced by a table with one value changed, and its recorded file SHA-256
    replaced too (the index then agrees with the file, but the rows are not the stored ones)."""
    entry = store.versions()[0]
    path = store.root / "versions" / entry["file"]
    table = pd.read_parquet(path)
    table.loc[0, "sigma_s_per_cm"] = 9.0
    table.to_parquet(path, index=False)
    index = json.loads(store.index_path.read_text())
    index["versions"][0]["file_sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    store.index_path.write_text(json.dumps(index))
    return str(path)


def test_a_swapped_version_with_its_recorded_hash_is_refused(tmp_path, catalog):
    store = _two_versions(tmp_path, catalog)
    path = _swap_version_1(store)
    before = (store.index_path.read_bytes(), _files(store))
    for action in (
        store.versions,
        store.load,
        store.repair,
        lambda: _third(tmp_path, catalog, store),
    ):
        with pytest.raises(StoreError, match=re.escape(path) + ".*rows changed"):
            action()
    assert (store.index_path.read_bytes(), _files(store)) == before  # nothing written


def test_a_version_that_changed_an_older_row_is_refused(tmp_path, catalog):
    """Version 2 rewritten (consistent name and record) with a version-1 row changed: refused."""
    from pipeline.campaign.store import _write_parquet, content_hash

    store = _two_versions(tmp_path, catalog)
    entry = store.versions()[1]
    path = store.root / "versions" / entry["file"]
    table = pd.read_parquet(path)
    table.loc[0, "sigma_s_per_cm"] = 9.0
    digest = content_hash(table)
    path.unlink()
    forged = path.with_name(f"v0002-{digest[:12]}.parquet")
    _write_parquet(table, {"version": 2, "content_hash": digest}, forged)
    index = json.loads(store.index_path.read_text())
    index["versions"][1].update(
        file=forged.name,
        content_hash=digest,
        file_sha256=hashlib.sha256(forged.read_bytes()).hexdigest(),
    )
    store.index_path.write_text(json.dumps(index))
    with pytest.raises(StoreError, match=re.escape(str(forged)) + ".*version 1's rows"):
        store.load()


def test_a_missing_version_file_is_refused_naming_it(tmp_path, catalog):
    store = _two_versions(tmp_path, catalog)
    gone = store.root / "versions" / store.versions()[0]["file"]
    gone.unlink()
    with pytest.raises(StoreError, match=re.escape(str(gone)) + ": listed in .*missing"):
        store.load()
    store.index_path.unlink()  # and without the index, the gap itself is named
    with pytest.raises(StoreError, match="version 1 missing"):
        _third(tmp_path, catalog, store)
    assert len(list((store.root / "versions").iterdir())) == 1


def test_a_rewritten_file_with_the_same_rows_still_reads(tmp_path, catalog):
    """A version file rewritten by another tool (no ssemo record in it, another SHA-256) holds
    the same rows: read, and the index's hash is updated by repair."""
    store = _two_versions(tmp_path, catalog)
    path = store.root / "versions" / store.versions()[0]["file"]
    pd.read_parquet(path).to_parquet(path, index=False)
    assert "rewritten" in store.inspect().repairs[0]
    assert len(store.load("1")) == 3
    store.repair()
    assert store.inspect().repairs == []


def test_a_store_path_that_is_a_file_is_refused(tmp_path, catalog):
    from pipeline.campaign.commands import suggest_options

    path = tmp_path / "store"
    path.write_text("not a folder")
    with pytest.raises(StoreError, match=f"{re.escape(str(path))}: the measurement store must"):
        ingest_file(EXAMPLE, catalog, MeasurementStore(path), skip_bad_rows=False)
    with pytest.raises(StoreError, match=re.escape(str(path))):
        suggest_options(8, 64, 0, path)
    assert path.read_text() == "not a folder"


CONCURRENT_INGEST = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import pipeline.campaign.store as s
    from pipeline.study.catalog import load_catalog

    catalog = load_catalog(Path(sys.argv[3]))
    s.ingest_file(sys.argv[2], catalog, s.MeasurementStore(sys.argv[1]), False)
    """
)


def test_concurrent_ingests_are_serialized_and_lose_no_row(tmp_path):
    """Four ingests of different files started at once: the lock gives four versions, every row."""
    root = tmp_path / "store"
    files = []
    for i in range(4):
        path = tmp_path / f"lab{i}.csv"
        path.write_text(HEADER + f"C{i},me,2026-01-05,Li7La3Zr2O12,,,,25,{i + 1}e-4\n")
        files.append(path)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT_INGEST, str(root), str(f), str(CONFIGS / "catalog")],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        for f in files
    ]
    assert [p.wait(120) for p in procs] == [0, 0, 0, 0]
    store = MeasurementStore(root)
    assert [v["version"] for v in store.versions()] == [1, 2, 3, 4]
    assert sorted(store.load()["sample_id"]) == ["C0", "C1", "C2", "C3"]
    assert store.inspect().repairs == []


# --- the input: normalised identifiers, one state of the file ---------------------------------------


def test_identifiers_are_normalised_and_lookalikes_refused_by_name(tmp_path, catalog):
    path = tmp_path / "look.csv"
    path.write_text(
        HEADER
        + "S1,me,2026-01-05,Li₇La₃Zr₂O₁₂,,,,25,2e-4\n"  # subscript digits: NFKC makes them 7 3 2 12
        + "S2\u200b,me,2026-01-05,Li7La3Zr2O12,,,,25,2e-4\n"  # invisible: alone, it is 'S2'
        + "S3,me,2026-01-05,Li7La3Zr2O12,,,,25,2e-4\n"
        + "S3\u200b,me,2026-01-05,Li7La3Zr2O12,,,,60,3e-4\n"  # lookalike of line 4's id
        + "Ｓ3,me,2026-01-05,Li7La3Zr2O12,,,,80,3e-4\n"  # fullwidth S: another lookalike
    )
    parsed = read_measurements(path, catalog)
    assert parsed.rows["sample_id"].tolist() == ["S1", "S2", "S3"]
    assert parsed.rows["formula"].iloc[0] == "Li7La3Zr2O12"
    assert len(parsed.errors) == 2
    assert parsed.errors[0].startswith(
        f"{path}:5: column 'sample_id': 'S3\\u200b' and 'S3' (line 4)"
    )
    assert parsed.errors[1].startswith(f"{path}:6: column 'sample_id': 'Ｓ3' and 'S3' (line 4)")
    # a stored id typed again with an invisible character is the same sample (skipped, not added)
    store = MeasurementStore(tmp_path / "store")
    store.ingest(parsed.rows, str(path))
    again = tmp_path / "again.csv"
    again.write_text(HEADER + "S1\u2060,me,2026-01-05,Li7La3Zr2O12,,,,25,2e-4\n")
    result = ingest_file(again, catalog, store, skip_bad_rows=False)
    assert result["added"] == 0 and result["skipped"] == 1


def test_the_input_is_read_once_and_its_hash_recorded(tmp_path, catalog):
    import pyarrow.parquet as pq

    store = MeasurementStore(tmp_path / "store")
    result = ingest_file(EXAMPLE, catalog, store, skip_bad_rows=False)
    digest = hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    entry = store.versions()[0]
    assert result["sha256"] == digest == entry["source_sha256"]
    assert json.loads(store.index_path.read_text())["versions"][0]["source_sha256"] == digest
    own = pq.read_schema(store.root / "versions" / entry["file"]).metadata[RECORD_KEY]
    assert json.loads(own)["source_sha256"] == digest


class _Rewriting:
    """A file object whose read() rewrites the file in place halfway (a lab tool saving the file
    while ssemo reads it; each save a different content) and returns old bytes then new bytes: a
    mix. `saves` is the list of contents still to be saved, one per read."""

    saves: ClassVar[list[bytes]] = []

    def __init__(self, handle, path):
        self.handle, self.path = handle, path

    def __getattr__(self, name):
        return getattr(self.handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.handle.close()

    def read(self, n=-1):
        if not _Rewriting.saves:
            return self.handle.read(n)
        new = _Rewriting.saves.pop(0)
        head = self.handle.read(40)
        with open(self.path, "r+b") as w:  # in place: same inode
            w.write(new)
            w.truncate()
        return head + new[40:]


def _lab_file(*ids: str) -> bytes:
    return (HEADER + "".join(f"{i},me,2026-01-05,Li7La3Zr2O12,,,,25,5e-4\n" for i in ids)).encode()


@pytest.mark.parametrize("saves", [1, 4])
def test_a_file_rewritten_while_it_is_read_is_never_ingested_as_a_mix(
    tmp_path, catalog, monkeypatch, saves
):
    import builtins

    import pipeline.campaign.store as store_module

    path = tmp_path / "lab.csv"
    path.write_bytes(_lab_file("OLD1"))
    contents = [_lab_file(*(f"NEW{k}" for k in range(1, i + 3))) for i in range(saves)]
    _Rewriting.saves = list(contents)
    real_open = builtins.open

    def opening(file, *args, **kwargs):
        handle = real_open(file, *args, **kwargs)
        return _Rewriting(handle, path) if isinstance(file, int) else handle

    monkeypatch.setattr(store_module, "open", opening, raising=False)
    if saves < store_module.READ_TRIES:
        parsed = read_measurements(path, catalog)  # read again until two reads agree: whole
        assert parsed.rows["sample_id"].tolist() == ["NEW1", "NEW2"]
        assert parsed.sha256 == hashlib.sha256(contents[-1]).hexdigest()
    else:  # saved again at every read: refused, never parsed as a mix
        with pytest.raises(MeasurementError, match=re.escape(str(path)) + ": changed while"):
            read_measurements(path, catalog)


def test_a_file_replaced_by_a_rename_during_the_read_is_read_whole(tmp_path, monkeypatch):
    import pipeline.campaign.store as store_module

    path = tmp_path / "lab.csv"
    path.write_bytes(b"old content\n")
    real_fstat, calls = os.fstat, []

    def fstat(fd):
        calls.append(fd)
        if len(calls) == 1:  # between the open and the read: a new file renamed over the path
            replacement = tmp_path / "new.csv"
            replacement.write_bytes(b"new content, longer\n")
            os.replace(replacement, path)
        return real_fstat(fd)

    monkeypatch.setattr(store_module.os, "fstat", fstat)
    # the first read is the old file whole; the new file is fresh, so it is read twice to confirm
    assert store_module.read_input(path) == b"new content, longer\n"


def test_a_settled_file_is_read_once_a_fresh_one_twice(tmp_path, monkeypatch):
    import pipeline.campaign.store as store_module

    path = tmp_path / "lab.csv"
    path.write_bytes(b"content\n")
    reads = []
    real = store_module._read_all
    monkeypatch.setattr(store_module, "_read_all", lambda *a: reads.append(a) or real(*a))
    assert store_module.read_input(path) == b"content\n" and len(reads) == 2  # just written
    reads.clear()
    now = time.time_ns
    monkeypatch.setattr(store_module.time, "time_ns", lambda: now() + 3600 * 10**9)  # an hour on
    assert store_module.read_input(path) == b"content\n" and len(reads) == 1


def test_input_size_bound_and_kind_of_file(tmp_path):
    from pipeline.campaign.store import read_input

    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * 101)
    with pytest.raises(MeasurementError, match="larger than"):
        read_input(big, limit=100)
    fifo = tmp_path / "fifo.csv"
    os.mkfifo(fifo)
    with pytest.raises(MeasurementError, match="not a regular file"):
        read_input(fifo)
    with pytest.raises(MeasurementError, match="not a regular file"):
        read_input(tmp_path)


def test_a_reader_waits_for_a_running_ingest(tmp_path, catalog):
    """verify (and every read) takes the store's lock shared: an ingest's half-done state (its
    version renamed, the index not yet) is never reported as a disagreement."""
    import threading

    store = _two_versions(tmp_path, catalog)
    results = []
    with store._locked():
        reader = threading.Thread(target=lambda: results.append(store.inspect()))
        reader.start()
        reader.join(0.5)
        assert reader.is_alive() and not results  # waiting for the lock
    reader.join(30)
    assert results and results[0].repairs == [] and len(results[0].records) == 2
