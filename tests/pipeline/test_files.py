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
