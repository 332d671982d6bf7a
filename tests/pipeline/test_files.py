"""atomic_write: the target is the previous file or the new one, never a torn one or a temp file."""

import os

import pandas as pd
import pytest

from pipeline.files import atomic_write


def test_writes_a_new_file_creating_its_folder(tmp_path):
    target = tmp_path / "a" / "b" / "out.txt"
    assert atomic_write(target, lambda tmp: tmp.write_text("new")) == target
    assert target.read_text() == "new"
    assert os.listdir(target.parent) == ["out.txt"]


def test_replaces_an_existing_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    atomic_write(str(target), lambda tmp: tmp.write_text("new"))
    assert target.read_text() == "new"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_a_failing_writer_leaves_the_old_file_intact_and_no_temp_file(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old contents\n")

    def half_then_fail(tmp):
        tmp.write_text("half of the new")
        raise OSError("No space left on device")

    with pytest.raises(OSError, match="No space left"):
        atomic_write(target, half_then_fail)
    assert target.read_text() == "old contents\n"
    assert os.listdir(tmp_path) == ["out.csv"]


def test_an_interrupt_also_removes_the_temp_file(tmp_path):
    def interrupted(tmp):
        tmp.write_text("x")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(tmp_path / "out.txt", interrupted)
    assert os.listdir(tmp_path) == []


def test_a_writer_that_writes_nothing_is_an_error_and_leaves_nothing(tmp_path):
    with pytest.raises(FileNotFoundError):
        atomic_write(tmp_path / "out.txt", lambda tmp: None)
    assert os.listdir(tmp_path) == []


def test_the_temp_file_keeps_the_suffix_so_formats_are_inferred(tmp_path):
    seen = []

    def write(tmp):
        seen.append(tmp)
        pd.DataFrame({"a": [1, 2]}).to_csv(tmp, index=False)  # compression inferred from .gz

    target = atomic_write(tmp_path / "table.csv.gz", write)
    assert seen[0].parent == tmp_path and seen[0].name.startswith(".") and seen[0].suffix == ".gz"
    assert pd.read_csv(target, compression="gzip")["a"].tolist() == [1, 2]


def test_every_result_table_is_written_spreadsheet_safe(tmp_path):
    import pandas as pd

    from pipeline.files import to_csv

    frame = pd.DataFrame(
        {"sample_id": ["=cmd|' /C calc'!A0@v2", "S-1"], "note": ["lab:+Bob", "-5"], "x": [1.5, -2]}
    )
    to_csv(frame, tmp_path / "t.csv")
    back = pd.read_csv(tmp_path / "t.csv", dtype=str, keep_default_na=False)
    assert list(back.columns) == ["sample_id", "note", "x"]  # no index column
    assert back["sample_id"].tolist() == ["'=cmd|' /C calc'!A0@v2", "S-1"]
    assert back["note"].tolist() == ["lab:+Bob", "-5"]  # not at the start / a number: kept
    assert back["x"].tolist() == ["1.5", "-2.0"]
    # every CSV the pipeline writes for a person goes through it (hash inputs excepted)
    import re

    from tests.conftest import REPO

    raw = []
    for path in sorted((REPO / "pipeline").rglob("*.py")):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"\.to_csv\(", line) and "spreadsheet_safe" not in line:
                raw.append(f"{path.relative_to(REPO)}:{n}: {line.strip()}")
    allowed = ("canonical.to_csv", "safe.to_csv", "spreadsheet_safe(frame).to_csv")
    assert [r for r in raw if not any(a in r for a in allowed)] == []
