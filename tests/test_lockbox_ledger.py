"""The lockbox ledger (benchmarks/_ledger.py): one scoring per model version, in any clone.

Fast: no model is trained and the lockbox is never scored (the bench's scoring function is replaced
by one that fails the test if reached, or by fixed figures).
"""

import hashlib
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from benchmarks import _ledger

REPO = Path(__file__).resolve().parents[1]
FIGURES = {"lockbox_mae": 0.9, "lockbox_mae_baseline_rf": 0.95, "lockbox_coverage_90": 0.88}


def fields(version: int, **extra) -> dict:
    return {
        "date": "2026-12-06T21:00:00+00:00",
        "commit": "a" * 40,
        "commit_dirty": False,
        "model_version": version,
        "data_sha256": "b" * 64,
        "data_files_sha256": {"obelix/train.csv": "c" * 64},
        "lockbox_sha256": "d" * 64,
        "figures": FIGURES,
        **extra,
    }


@pytest.fixture
def ledger(tmp_path) -> Path:
    """The committed ledger's first line (the model-version-1 scoring), outside git (only the chain
    protects it there): the same start whatever later scorings the committed ledger holds."""
    path = tmp_path / "lockbox_ledger.jsonl"
    path.write_bytes(_ledger.LEDGER.read_bytes().split(b"\n", 1)[0] + b"\n")
    return path


def refused(path: Path, version: int) -> tuple[object, str]:
    stream = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        _ledger.guard(path, version, stream)
    return exc.value.code, stream.getvalue()


def test_the_committed_ledger_parses_and_holds_model_version_1():
    entries = _ledger.read_ledger()
    first = entries[0].record
    assert first["model_version"] == 1 and first["prev_sha256"] is None
    assert first["figures"] == {
        "ssemo_mae": 1.008,
        "baseline_rf_mae": 0.957,
        "coverage_90": 0.85,
        "interval_width_median_decades": 2.2,
    }
    # what was not kept is null and said so, not made up
    assert first["date"] is None and first["commit"] is None and first["data_sha256"] is None
    assert "not recoverable" in first["note"]
    # the lockbox file scored then is the one shipped now
    lockbox = _ledger.LEDGER.parent / "lockbox.json"
    assert first["lockbox_sha256"] == hashlib.sha256(lockbox.read_bytes()).hexdigest()


def test_the_ledger_is_committed_not_a_result_make_clean_removes():
    relative = _ledger.LEDGER.relative_to(REPO).as_posix()
    ignored = subprocess.run(["git", "-C", str(REPO), "check-ignore", "-q", relative], check=False)
    if ignored.returncode == 128:
        pytest.skip("not a git checkout")
    assert ignored.returncode == 1, f"{relative} is git-ignored"
    clean = (REPO / "Makefile").read_text().split("\nclean:", 1)[1].split("\n\n", 1)[0]
    assert "lockbox" not in clean and not relative.startswith("benchmarks/results/")


def test_a_second_scoring_of_the_same_model_version_is_refused_and_the_earlier_printed(ledger):
    code, text = refused(ledger, 1)
    assert code == _ledger.EXIT_ALREADY_SCORED == 3
    assert "line 1: model version 1, date null, commit null: ssemo_mae 1.008" in text
    last = text.strip().splitlines()[-1]
    assert last.startswith("refused: the lockbox was scored already for model version 1")
    assert "(exit 3)" in last


def test_a_new_model_version_appends_one_chained_line(ledger):
    before = ledger.read_bytes()
    assert [e.line for e in _ledger.guard(ledger, 2, io.StringIO())] == [1]
    entry = _ledger.append_entry(ledger, fields(2))
    after = ledger.read_bytes()
    assert after.startswith(before)  # append-only
    assert entry.line == 2 and after.count(b"\n") == 2
    assert entry.record["prev_sha256"] == hashlib.sha256(before.rstrip(b"\n")).hexdigest()
    assert entry.record["figures"] == FIGURES
    assert not list(ledger.parent.glob(".*.tmp"))  # no temporary file left
    code, text = refused(ledger, 2)
    assert code == 3 and "line 1: model version 1" in text and "line 2: model version 2" in text
    assert "lockbox_mae 0.9" in text
    assert len(_ledger.guard(ledger, 3, io.StringIO())) == 2
    with pytest.raises(_ledger.AlreadyScored, match="model version 2"):
        _ledger.append_entry(ledger, fields(2))
    assert ledger.read_bytes() == after


def test_figures_become_plain_json(ledger):
    np = pytest.importorskip("numpy")
    entry = _ledger.append_entry(
        ledger, fields(2, figures={"mae": np.float64(0.5), "n": np.int64(3), "bad": float("nan")})
    )
    assert entry.record["figures"] == {"mae": 0.5, "n": 3, "bad": None}


@pytest.mark.parametrize("edited_line", [1, 2])
def test_an_edited_earlier_line_is_refused_with_its_successors_line_number(ledger, edited_line):
    for version in (2, 3):
        _ledger.append_entry(ledger, fields(version))
    lines = ledger.read_bytes().split(b"\n")
    lines[edited_line - 1] = lines[edited_line - 1].replace(
        b'"model_version": ', b'"model_version":'
    )
    ledger.write_bytes(b"\n".join(lines))
    with pytest.raises(_ledger.LedgerError) as exc:
        _ledger.read_ledger(ledger)
    assert exc.value.line == edited_line + 1
    assert f"line {edited_line} was edited" in str(exc.value)
    code, text = refused(ledger, 4)
    assert code == _ledger.EXIT_LEDGER_INVALID == 4
    assert f"{ledger}:{edited_line + 1}:" in text and text.count("\n") == 1


def test_a_removed_line_is_refused(ledger):
    for version in (2, 3):
        _ledger.append_entry(ledger, fields(version))
    lines = ledger.read_bytes().split(b"\n")
    del lines[1]
    ledger.write_bytes(b"\n".join(lines))
    with pytest.raises(_ledger.LedgerError) as exc:
        _ledger.read_ledger(ledger)
    assert exc.value.line == 2


def _second_line(record: dict) -> bytes:
    return json.dumps(record).encode()


@pytest.mark.parametrize(
    "mutate, reason",
    [
        (lambda r: b"{not json", "not a JSON object"),
        (lambda r: b"[1, 2]", "must be a JSON object"),
        (lambda r: b"   ", "blank line"),
        (lambda r: _second_line({k: v for k, v in r.items() if k != "figures"}), "'figures'"),
        (lambda r: _second_line(r | {"model_version": "2"}), "'model_version' must be int"),
        (lambda r: _second_line(r | {"model_version": True}), "'model_version' must be int"),
        (lambda r: _second_line(r | {"model_version": 0}), ">= 1"),
        (lambda r: _second_line(r | {"model_version": 1}), "scored already on line 1"),
        (lambda r: _second_line(r | {"commit": "HEAD"}), "'commit'"),
        (lambda r: _second_line(r | {"date": "yesterday"}), "'date'"),
        (lambda r: _second_line(r | {"lockbox_sha256": "abc"}), "'lockbox_sha256'"),
        (lambda r: _second_line(r | {"data_files_sha256": {"x": 1}}), "data_files_sha256"),
        (lambda r: _second_line(r | {"prev_sha256": None}), "prev_sha256"),
        (lambda r: _second_line(r)[:-1] + b', "figures": {}}', "appears twice"),
        (lambda r: _second_line(r).replace(b"0.9,", b"NaN,", 1), "not a JSON object"),
        (lambda r: _second_line(r).replace(b"}", b"}\xff", 1), "not a JSON object"),
    ],
)
def test_a_malformed_line_is_refused_with_its_line_number(ledger, mutate, reason):
    first = ledger.read_bytes()
    record = fields(2) | {"prev_sha256": hashlib.sha256(first.rstrip(b"\n")).hexdigest()}
    ledger.write_bytes(first + mutate(record) + b"\n")
    with pytest.raises(_ledger.LedgerError, match=f":2: .*{reason}"):
        _ledger.read_ledger(ledger)
    assert refused(ledger, 5)[0] == 4


def test_a_cut_short_missing_or_empty_ledger_is_refused(ledger, tmp_path):
    ledger.write_bytes(ledger.read_bytes().rstrip(b"\n"))
    with pytest.raises(_ledger.LedgerError, match=":1: the last line has no newline"):
        _ledger.read_ledger(ledger)
    ledger.write_bytes(b"")
    assert refused(ledger, 5)[0] == 4
    assert refused(tmp_path / "absent.jsonl", 5)[0] == 4
    with pytest.raises(_ledger.LedgerError, match="line 1 must have prev_sha256 null"):
        _ledger.parse_ledger(json.dumps(fields(2) | {"prev_sha256": "e" * 64}).encode() + b"\n")


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_committed_line_edited_in_the_working_tree_is_refused(tmp_path):
    def git(*args):
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    path = tmp_path / "lockbox_ledger.jsonl"
    path.write_bytes(_ledger.LEDGER.read_bytes().split(b"\n", 1)[0] + b"\n")
    git("init", "-q")
    git("add", path.name)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "ledger")
    _ledger.append_entry(path, fields(2))
    assert _ledger.committed_prefix_problem(path) is None  # appended, not yet committed: fine
    # the last committed line has no successor in the chain; git has it
    text = path.read_bytes().split(b"\n")
    text[0] = text[0].replace(b"1.008", b"0.908")
    path.write_bytes(b"\n".join(text[:1]) + b"\n")
    assert _ledger.read_ledger(path)  # the chain alone cannot see this
    code, out = refused(path, 2)
    assert code == 4 and "differ from the committed ledger" in out


def test_the_bench_checks_the_ledger_before_loading_or_training(monkeypatch, ledger):
    """`surrogate.py --lockbox` with its model version in the ledger stops at the ledger."""
    surrogate = pytest.importorskip("benchmarks.surrogate")

    def never(*args, **kwargs):
        raise AssertionError("the lockbox must not be scored in a test")

    for name in ("shared_data", "run_lockbox", "score_lockbox_once"):
        monkeypatch.setattr(surrogate, name, never)
    _ledger.append_entry(ledger, fields(surrogate.MODEL_VERSION))
    monkeypatch.setattr(_ledger, "LEDGER", ledger)
    monkeypatch.setattr(sys, "argv", ["surrogate.py", "--lockbox"])
    with pytest.raises(SystemExit) as exc:
        surrogate.main()
    assert exc.value.code == 3


def test_the_bench_appends_a_new_scoring_and_asks_for_a_commit(
    monkeypatch, ledger, tmp_path, capsys
):
    surrogate = pytest.importorskip("benchmarks.surrogate")
    from surrogates import datasets

    monkeypatch.setattr(surrogate, "run_lockbox", lambda dev, box: dict(FIGURES))
    written: dict[str, dict] = {}
    monkeypatch.setattr(
        surrogate, "write_result", lambda name, f, **kw: written.setdefault(name, f)
    )
    monkeypatch.setattr(_ledger, "LEDGER", ledger)
    (tmp_path / "obelix").mkdir()
    (tmp_path / "obelix" / "train.csv").write_text("ID\n")
    loaded = pd.DataFrame({c: ["x"] for c in datasets.SCHEMA})
    surrogate.score_lockbox_once(tmp_path, loaded, loaded, loaded, 0.0)
    entries = _ledger.read_ledger(ledger)
    new = entries[-1].record
    assert len(entries) == 2 and new["model_version"] == surrogate.MODEL_VERSION
    assert new["data_sha256"] == datasets.content_hash(loaded)
    assert new["data_files_sha256"] == {"obelix/train.csv": hashlib.sha256(b"ID\n").hexdigest()}
    assert new["lockbox_sha256"] == _ledger.file_sha256(surrogate.LOCKBOX_FILE)
    assert new["figures"]["lockbox_mae"] == 0.9 and "surrogate_lockbox" in written
    assert "commit the ledger now" in capsys.readouterr().out
