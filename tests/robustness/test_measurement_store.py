"""The measurement store as a hostile user or a careless backup finds it, through `ssemo ingest`,
`ssemo store verify|repair` and `ssemo suggest --store` (issue 27): the version files are the
truth, so an index deleted, rolled back, truncated or missing a key loses no row and is no
internal error; users' own files in the store are never touched; a version file swapped (with its
recorded hash) or missing, and a store path that is a file, are one `error:` line naming the file,
exit 2, nothing written. Ingest input: lookalike sample ids and files that are not regular files
are one line too."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pandas as pd
import pytest

from pipeline.campaign.store import MeasurementStore
from tests.robustness.conftest import CONFIGS, assert_refused, outcome

EXAMPLE = CONFIGS / "examples" / "measurements.csv"
HEADER = "sample_id,operator,date,composition,temperature_c,sigma_s_per_cm\n"


def lab_file(tmp_path: Path, name: str, *ids: str) -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(f"{i},me,2026-01-05,Li7La3Zr2O12,25,2e-4\n" for i in ids))
    return path


@pytest.fixture
def store(tmp_path, capsys) -> Path:
    """A store with two versions (4 rows) made by `ssemo ingest`."""
    root = tmp_path / "store"
    assert outcome(capsys, ["ingest", EXAMPLE, "--store", root]).code == 0
    assert outcome(capsys, ["ingest", lab_file(tmp_path, "a.csv", "A1"), "--store", root]).code == 0
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def ingest_third(capsys, tmp_path, root):
    return outcome(capsys, ["ingest", lab_file(tmp_path, "b.csv", "B1"), "--store", root])


def assert_whole(root: Path, versions: int = 3, rows: int = 5) -> None:
    """Every version readable, the latest with every row, the index agreeing with the files."""
    s = MeasurementStore(root)
    assert [v["version"] for v in s.versions()] == list(range(1, versions + 1))
    assert len(s.load()) == rows
    listed = [v["file"] for v in json.loads(s.index_path.read_text())["versions"]]
    assert listed == [v["file"] for v in s.versions()]


# --- index faults the files settle: no row lost, no internal error ----------------------------------


def _delete(index: Path) -> None:
    index.unlink()


def _roll_back(index: Path) -> None:
    data = json.loads(index.read_text())
    index.write_text(json.dumps({"versions": data["versions"][:1]}))


def _truncate(index: Path) -> None:
    index.write_bytes(index.read_bytes()[:80])


def _drop_file_key(index: Path) -> None:
    data = json.loads(index.read_text())
    del data["versions"][1]["file"]
    index.write_text(json.dumps(data))


def _empty(index: Path) -> None:
    index.write_text("")


INDEX_FAULTS = {
    "deleted": (_delete, "index.json missing"),
    "rolled_back": (_roll_back, "not in index.json"),
    "truncated": (_truncate, "index.json unreadable"),
    "entry_without_file": (_drop_file_key, "entry 2 has no valid 'file'"),
    "empty": (_empty, "index.json unreadable"),
}


@pytest.mark.parametrize("fault", INDEX_FAULTS)
def test_an_index_fault_is_said_by_verify_and_settled_by_ingest(capsys, tmp_path, store, fault):
    damage, said = INDEX_FAULTS[fault]
    damage(store / "index.json")
    versions = {k: v for k, v in snapshot(store).items() if k.startswith("versions/")}
    verify = outcome(capsys, ["store", "verify", "--store", store])
    assert verify.code == 1 and said in verify.out and "Traceback" not in verify.err
    result = ingest_third(capsys, tmp_path, store)
    assert result.code == 0, result.err
    assert "error:" not in result.err and "repaired:" in result.err and said in result.err
    assert "(version v0003-" in result.out  # appended after the two stored versions
    assert_whole(store)
    after = snapshot(store)
    assert {k: after[k] for k in versions} == versions  # no version file rewritten or removed
    assert outcome(capsys, ["store", "verify", "--store", store]).code == 0


@pytest.mark.parametrize("fault", INDEX_FAULTS)
def test_store_repair_rebuilds_the_index_and_says_what_it_found(capsys, store, fault):
    damage, said = INDEX_FAULTS[fault]
    damage(store / "index.json")
    repair = outcome(capsys, ["store", "repair", "--store", store])
    assert repair.code == 0 and said in repair.out and "rewritten" in repair.out
    assert_whole(store, versions=2, rows=4)
    verify = outcome(capsys, ["store", "verify", "--store", store])
    assert verify.code == 0 and "agrees" in verify.out


def test_users_files_in_the_store_are_ignored_and_left_alone(capsys, tmp_path, store):
    mine = {
        store / "versions" / "README.md": b"lab notes",
        store / "versions" / "v0001-copy.parquet": b"PAR1 my backup",
        store / "versions" / "index.json.2026-01-05": (store / "index.json").read_bytes(),
        store / "versions" / "old" / "v0001-aaaaaaaaaaaa.parquet": b"an old copy",
        store / "README.txt": b"what this folder is",
    }
    for path, data in mine.items():
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
    (store / "index.json").unlink()  # the old ingest removed every unlisted file from here
    verify = outcome(capsys, ["store", "verify", "--store", store])
    assert verify.code == 1 and "README.md" in verify.out and "ignored" in verify.out
    assert ingest_third(capsys, tmp_path, store).code == 0
    assert outcome(capsys, ["store", "repair", "--store", store]).code == 0
    for path, data in mine.items():
        assert path.read_bytes() == data, path
    assert_whole(store)


# --- damage the files cannot settle: one line naming the file, nothing written ---------------------


def _swap_with_hash(root: Path) -> Path:
    """Version 1's file replaced by other rows, and its recorded file SHA-256 updated to match."""
    index = json.loads((root / "index.json").read_text())
    path = root / "versions" / index["versions"][0]["file"]
    table = pd.read_parquet(path)
    table.loc[0, "sigma_s_per_cm"] = 9.99
    table.to_parquet(path, index=False)
    index["versions"][0]["file_sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (root / "index.json").write_text(json.dumps(index))
    return path


def _delete_version(root: Path) -> Path:
    index = json.loads((root / "index.json").read_text())
    path = root / "versions" / index["versions"][0]["file"]
    path.unlink()
    return path


def _garble_version(root: Path) -> Path:
    index = json.loads((root / "index.json").read_text())
    path = root / "versions" / index["versions"][1]["file"]
    path.write_bytes(path.read_bytes()[:100])
    return path


STORE_DAMAGE = {
    "swapped_with_its_hash": (_swap_with_hash, "rows changed"),
    "version_deleted": (_delete_version, "missing"),
    "version_truncated": (_garble_version, "not a readable measurement version"),
}


@pytest.mark.parametrize("damage", STORE_DAMAGE)
def test_damage_is_refused_naming_the_file_and_nothing_written(capsys, tmp_path, store, damage):
    make, said = STORE_DAMAGE[damage]
    path = make(store)
    before = snapshot(store)
    for args in (
        ["ingest", lab_file(tmp_path, "b.csv", "B1"), "--store", store],
        ["store", "verify", "--store", store],
        ["store", "repair", "--store", store],
    ):
        result = outcome(capsys, args)
        assert_refused(result, 2, (str(path), said), outputs=(store,))
        assert snapshot(store) == before, args


def test_a_store_path_that_is_a_file_is_refused_everywhere(capsys, tmp_path):
    path = tmp_path / "measurements"
    path.write_text("a file, not a store")
    out = tmp_path / "out"
    for args in (
        ["ingest", EXAMPLE, "--store", path],
        ["store", "verify", "--store", path],
        ["store", "repair", "--store", path],
        ["suggest", "--store", path, "--out", out, "--q", "2"],
    ):
        result = outcome(capsys, args)
        assert_refused(
            result, 2, (str(path), "must be a folder"), store=tmp_path / "mlflow.db", absent=(out,)
        )
    assert path.read_text() == "a file, not a store"


def test_a_versions_folder_that_is_a_file_is_refused(capsys, tmp_path):
    root = tmp_path / "store"
    root.mkdir()
    (root / "versions").write_text("not a folder")
    result = outcome(capsys, ["ingest", EXAMPLE, "--store", root])
    assert_refused(result, 2, (str(root / "versions"), "must be a folder"))


# --- ingest input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "lookalike"),
    [
        ("S1", "S1\u200b"),
        ("S1", "\ufeffS1"),
        ("S1", "Ｓ1"),
        ("S 1", "S\u00a01"),
        ("S1", "S1\u2060"),
        ("Cell-1", "\u0421ell-1"),  # Cyrillic С
        ("P01", "\u03a101"),  # Greek Ρ
    ],
)
def test_lookalike_sample_ids_are_refused_naming_both(capsys, tmp_path, typed, lookalike):
    path = tmp_path / "look.csv"
    path.write_text(
        HEADER
        + f"{typed},me,2026-01-05,Li7La3Zr2O12,25,2e-4\n"
        + f"{lookalike},me,2026-01-05,Li7La3Zr2O12,60,3e-4\n"
    )
    root = tmp_path / "store"
    result = outcome(capsys, ["ingest", path, "--store", root])
    assert_refused(
        result,
        2,
        (f"{path}:3: column 'sample_id'", repr(lookalike), f"{typed!r} (line 2)"),
        absent=(root / "index.json",),
    )


def test_an_invisible_character_alone_is_no_new_sample(capsys, tmp_path, store):
    """'A1' is stored; 'A1' typed with a zero-width space is the same sample: skipped."""
    again = lab_file(tmp_path, "again.csv", "A1\u200b")
    result = outcome(capsys, ["ingest", again, "--store", store])
    assert (
        result.code == 0
        and "Nothing new in" in result.out
        and "its 1 row(s) are already in" in result.out
    )
    assert_whole(store, versions=2, rows=4)


def test_an_id_that_only_looks_like_a_stored_one_is_refused(capsys, tmp_path, store):
    """'A1' is stored; 'А1' with a Cyrillic А is not a new sample: refused, naming both."""
    path = lab_file(tmp_path, "cyr.csv", "\u04101")
    before = snapshot(store)
    result = outcome(capsys, ["ingest", path, "--store", store])
    assert_refused(result, 2, (str(path), "line 2", "'\u04101' looks like the stored 'A1'"))
    assert snapshot(store) == before


@pytest.mark.parametrize("kind", ["fifo", "directory", "missing"])
def test_an_input_that_is_not_a_regular_file_is_one_line(capsys, tmp_path, kind):
    path = tmp_path / "input.csv"
    if kind == "fifo":
        os.mkfifo(path)  # opening it must not hang
    elif kind == "directory":
        path.mkdir()
    result = outcome(capsys, ["ingest", path, "--store", tmp_path / "store"])
    said = {"fifo": "not a regular file", "directory": "not a regular file", "missing": "no such"}
    assert_refused(result, 2, (str(path), said[kind]), absent=(tmp_path / "store" / "versions",))


def test_the_input_hash_is_recorded_with_the_version(capsys, tmp_path):
    root = tmp_path / "store"
    assert outcome(capsys, ["ingest", EXAMPLE, "--store", root]).code == 0
    entry = json.loads((root / "index.json").read_text())["versions"][0]
    assert entry["source_sha256"] == hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    assert entry["source_file"] == str(EXAMPLE)


@pytest.mark.parametrize("action", ["verify", "repair"])
def test_store_commands_on_a_missing_folder_are_refused_and_create_nothing(
    capsys, tmp_path, action
):
    path = tmp_path / "measurments"  # mistyped
    result = outcome(capsys, ["store", action, "--store", path])
    assert_refused(result, 2, (str(path), "no measurement store here"), absent=(path,))


def test_an_index_that_is_a_folder_is_refused_naming_it(capsys, tmp_path, store):
    (store / "index.json").unlink()
    (store / "index.json").mkdir()
    for args in (["ingest", EXAMPLE, "--store", store], ["store", "repair", "--store", store]):
        assert_refused(outcome(capsys, args), 2, (str(store / "index.json"), "must be a file"))
