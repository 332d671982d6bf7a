"""The lockbox ledger: a committed, append-only record of every scoring of benchmarks/lockbox.json.

`bench-surrogate --lockbox` (benchmarks/surrogate.py) scores the lockbox once per model version
(surrogates.MODEL_VERSION). The record of what was scored is benchmarks/lockbox_ledger.jsonl, a file
that is committed with the code, so every clone knows what was scored already: it is not a result
file that `make clean` or a fresh clone would remove.

One JSON object per line, in the order of the scorings:
- `date`: UTC time of the scoring (ISO 8601), `commit`: `git rev-parse HEAD` when it ran,
  `commit_dirty`: whether the working tree had uncommitted changes then (null: not known);
- `model_version`: surrogates.MODEL_VERSION of the model scored (an integer >= 1);
- `data_sha256`: surrogates.datasets.content_hash of the OBELiX training split as the bench loads
  it, `data_files_sha256`: the SHA-256 of each OBELiX file it reads (null where not recorded);
- `lockbox_sha256`: SHA-256 of the bytes of benchmarks/lockbox.json;
- `figures`: what the scoring measured (a JSON object);
- `note`: optional text (where a field is null, why);
- `prev_sha256`: SHA-256 of the previous line's bytes (UTF-8, without its newline); null on line 1.
  The chain makes an edit of any earlier line visible: the next line's `prev_sha256` no longer
  matches. The last line has no successor; `committed_prefix_problem` compares the file with the
  committed one for it (git history is the record of a committed line).

A line that is not such an object, a second line of the same model version, a broken chain, a
blank line or a last line without its newline is refused with its line number (`LedgerError`).

Exit codes of the bench (documented in README): EXIT_ALREADY_SCORED (3) when this model version has
been scored already (the earlier scorings are printed first), EXIT_LEDGER_INVALID (4) when the
ledger is missing, malformed or edited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

LEDGER = Path(__file__).resolve().parent / "lockbox_ledger.jsonl"
EXIT_ALREADY_SCORED = 3
EXIT_LEDGER_INVALID = 4

_HEX64 = re.compile(r"[0-9a-f]{64}")
_COMMIT = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?")  # SHA-1 or SHA-256 object names
# field: (types allowed, required)
_FIELDS: dict[str, tuple[tuple[type, ...], bool]] = {
    "date": ((str, type(None)), True),
    "commit": ((str, type(None)), True),
    "commit_dirty": ((bool, type(None)), False),
    "model_version": ((int,), True),
    "data_sha256": ((str, type(None)), True),
    "data_files_sha256": ((dict, type(None)), False),
    "lockbox_sha256": ((str, type(None)), True),
    "figures": ((dict,), True),
    "note": ((str,), False),
    "prev_sha256": ((str, type(None)), True),
}
# figures shown when the earlier scorings are printed (the bench's keys, then the README's wording
# that the first line keeps)
_HEADLINE = (
    "lockbox_mae",
    "lockbox_mae_baseline_rf",
    "lockbox_coverage_90",
    "lockbox_interval_width_median_decades",
    "ssemo_mae",
    "baseline_rf_mae",
    "coverage_90",
    "interval_width_median_decades",
)


class LedgerError(Exception):
    """The ledger cannot be trusted: `line` is the 1-based line at fault (0: the file as a whole)."""

    def __init__(self, path: Path | str, line: int, reason: str) -> None:
        self.path, self.line, self.reason = Path(path), line, reason
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {reason}")


class AlreadyScored(Exception):
    """This model version has been scored on the lockbox already (`earlier`: its ledger entries)."""

    def __init__(self, model_version: int, earlier: Sequence[Entry]) -> None:
        self.model_version, self.earlier = model_version, list(earlier)
        lines = ", ".join(str(e.line) for e in self.earlier)
        super().__init__(
            f"the lockbox was scored already for model version {model_version} "
            f"(lockbox ledger line {lines}); it is scored once per model version"
        )


@dataclass(frozen=True)
class Entry:
    """One ledger line: its number, its bytes (without the newline) and the parsed object."""

    line: int
    raw: bytes
    record: dict[str, Any]

    @property
    def model_version(self) -> int:
        return int(self.record["model_version"])

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()

    def describe(self) -> str:
        """One line for people: where, when, which commit and model, the headline figures."""
        r = self.record
        commit = (r["commit"] or "null")[:12] + ("+dirty" if r.get("commit_dirty") else "")
        figures = r["figures"]
        shown = {k: figures[k] for k in _HEADLINE if k in figures} or {
            k: v for k, v in figures.items() if isinstance(v, int | float | str | None)
        }
        text = ", ".join(f"{k} {_short(v)}" for k, v in shown.items())
        return (
            f"line {self.line}: model version {self.model_version}, date {r['date'] or 'null'}, "
            f"commit {commit}: {text}"
        )


def _short(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"key {key!r} appears twice")
        out[key] = value
    return out


def _check_record(record: Any) -> str | None:
    """Why `record` is not a ledger line, or None."""
    if not isinstance(record, dict):
        return f"a ledger line must be a JSON object, got {type(record).__name__}"
    for key, (types, required) in _FIELDS.items():
        if key not in record:
            if required:
                return f"field {key!r} is missing"
            continue
        value = record[key]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            allowed = " or ".join("null" if t is type(None) else t.__name__ for t in types)
            return f"field {key!r} must be {allowed}, got {value!r}"
    if record["model_version"] < 1:
        return f"field 'model_version' must be >= 1, got {record['model_version']}"
    for key in ("data_sha256", "lockbox_sha256", "prev_sha256"):
        if record[key] is not None and not _HEX64.fullmatch(record[key]):
            return f"field {key!r} must be 64 lowercase hex digits or null, got {record[key]!r}"
    if record["commit"] is not None and not _COMMIT.fullmatch(record["commit"]):
        return f"field 'commit' must be a full git object name or null, got {record['commit']!r}"
    if record["date"] is not None:
        try:
            dt.datetime.fromisoformat(record["date"])
        except ValueError:
            return f"field 'date' must be an ISO 8601 time or null, got {record['date']!r}"
    for name, digest in (record.get("data_files_sha256") or {}).items():
        if not isinstance(digest, str) or not _HEX64.fullmatch(digest):
            return f"data_files_sha256[{name!r}] must be 64 lowercase hex digits, got {digest!r}"
    return None


def parse_ledger(data: bytes, path: Path | str = LEDGER) -> list[Entry]:
    """The entries of a ledger's bytes, every line and the chain checked (LedgerError otherwise)."""
    if not data:
        return []
    if not data.endswith(b"\n"):
        n = data.count(b"\n") + 1
        raise LedgerError(path, n, "the last line has no newline (a write cut short?)")
    entries: list[Entry] = []
    versions: dict[int, int] = {}
    for number, raw in enumerate(data[:-1].split(b"\n"), start=1):
        if not raw.strip():
            raise LedgerError(path, number, "blank line")
        try:
            text = raw.decode("utf-8")
            record = json.loads(
                text, object_pairs_hook=_no_duplicates, parse_constant=_refuse_constant
            )
        except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            raise LedgerError(path, number, f"not a JSON object: {exc}") from None
        problem = _check_record(record)
        if problem:
            raise LedgerError(path, number, problem)
        expected = entries[-1].sha256 if entries else None
        if record["prev_sha256"] != expected:
            what = (
                "line 1 must have prev_sha256 null"
                if expected is None
                else f"prev_sha256 is not the SHA-256 of line {number - 1} ({expected[:12]}...): "
                f"line {number - 1} was edited, or a line was removed or inserted before this one"
            )
            raise LedgerError(path, number, what)
        version = int(record["model_version"])
        if version in versions:
            raise LedgerError(
                path,
                number,
                f"model version {version} was scored already on line {versions[version]}; "
                "the lockbox is scored once per model version",
            )
        versions[version] = number
        entries.append(Entry(number, raw, record))
    return entries


def _read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise LedgerError(path, 0, "the lockbox ledger is missing (it is committed)") from None
    if not data:
        raise LedgerError(path, 0, "the lockbox ledger is empty (it is committed with line 1)")
    return data


def read_ledger(path: Path | str = LEDGER) -> list[Entry]:
    """The ledger's entries; a missing or empty ledger is refused (it is committed, with line 1)."""
    path = Path(path)
    return parse_ledger(_read_bytes(path), path)


def check_not_scored(entries: Sequence[Entry], model_version: int) -> None:
    """AlreadyScored when `model_version` has a ledger entry."""
    earlier = [e for e in entries if e.model_version == model_version]
    if earlier:
        raise AlreadyScored(model_version, earlier)


def _plain(value: Any) -> Any:
    """JSON-safe figures: numpy scalars as Python numbers, non-finite floats as null."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def format_line(fields: Mapping[str, Any], previous: Entry | None) -> bytes:
    """A ledger line (without its newline) for `fields`, chained to `previous`."""
    record = {k: _plain(v) for k, v in fields.items() if k != "prev_sha256"}
    record["prev_sha256"] = previous.sha256 if previous else None
    problem = _check_record(record)
    if problem:
        raise ValueError(f"not a ledger line: {problem}")
    return json.dumps(record, ensure_ascii=True, allow_nan=False).encode("ascii")


def append_entry(path: Path | str, fields: Mapping[str, Any]) -> Entry:
    """Append one scoring to the ledger (read and checked again first; AlreadyScored if its model
    version is there by now). Atomic: the new file is written beside the ledger, flushed to disk
    and renamed over it, so a reader sees the old ledger or the new one, never half a line."""
    path = Path(path)
    data = _read_bytes(path)
    entries = parse_ledger(data, path)
    check_not_scored(entries, int(fields["model_version"]))
    line = format_line(fields, entries[-1])
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as out:
            out.write(data + line + b"\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    try:  # the rename itself on disk
        fd = os.open(path.parent, os.O_RDONLY)
    except OSError:  # folders cannot be opened on some systems (Windows)
        pass
    else:
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)
    return parse_ledger(path.read_bytes(), path)[-1]


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes] | None:
    try:
        return subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None


def committed_prefix_problem(path: Path | str = LEDGER) -> str | None:
    """Why the ledger is not the committed ledger plus appended lines, or None (also when git or
    the committed file is not there: a copy outside git has only the chain)."""
    path = Path(path).resolve()
    top = _git(path.parent, "rev-parse", "--show-toplevel")
    if top is None or top.returncode != 0:
        return None
    root = Path(top.stdout.decode().strip())
    relative = path.relative_to(root).as_posix()
    shown = _git(root, "show", f"HEAD:{relative}")
    if shown is None or shown.returncode != 0:
        return None
    committed = shown.stdout
    if not path.read_bytes().startswith(committed):
        n = committed.count(b"\n")
        return f"its first {n} lines differ from the committed ledger (HEAD:{relative})"
    return None


def git_commit(repo: Path) -> tuple[str | None, bool | None]:
    """(HEAD's object name, whether the working tree has uncommitted changes); None where unknown."""
    head = _git(repo, "rev-parse", "HEAD")
    if head is None or head.returncode != 0:
        return None, None
    status = _git(repo, "status", "--porcelain", "--untracked-files=no")
    dirty = None if status is None or status.returncode != 0 else bool(status.stdout.strip())
    return head.stdout.decode().strip(), dirty


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def guard(path: Path | str, model_version: int, stream: IO[str] | None = None) -> list[Entry]:
    """The bench's check before any scoring: the ledger's entries when `model_version` may be
    scored. Otherwise the earlier scorings and one line of reason go to `stream` (stderr) and
    SystemExit carries EXIT_ALREADY_SCORED or EXIT_LEDGER_INVALID."""
    stream = stream or sys.stderr
    try:
        entries = read_ledger(path)
        problem = committed_prefix_problem(path)
        if problem:
            raise LedgerError(path, 0, problem)
        check_not_scored(entries, model_version)
    except LedgerError as exc:
        print(f"lockbox ledger refused: {exc}", file=stream)
        raise SystemExit(EXIT_LEDGER_INVALID) from None
    except AlreadyScored as exc:
        print("lockbox scorings so far:", file=stream)
        for entry in entries:
            print("  " + entry.describe(), file=stream)
        print(f"refused: {exc} (exit {EXIT_ALREADY_SCORED})", file=stream)
        raise SystemExit(EXIT_ALREADY_SCORED) from None
    return entries
