"""Writing result files so that a crash, `kill -9` or a full disk never leaves a torn one.

`atomic_write` lets a writer fill a temporary file beside the target (same folder, so the same file
system), flushes it to disk and then renames it over the target with os.replace, which is atomic on
POSIX and Windows: a reader sees either the previous file or the new one, never half of one. If the
writer fails, the temporary file is removed and the previous file is left as it was. `write_all`
does the same for a set of files (a study's outputs): all are written, then all are moved into place.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.errors import EnvironmentProblem, SsemoError

# Prefix of the folder a study's files are first written into (write_all);
# followed by the writer's process id, so that a later run can remove one its dead writer left.
PARTIAL_PREFIX = ".partial-"


def atomic_write(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Write `path` through `write(tmp)`, which must create the file `tmp`; returns `path`.

    The temporary name is hidden, unique per call and keeps the target's suffix (pandas and numpy
    infer formats and compression from it). The target's folder is created if missing.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}-{secrets.token_hex(4)}.tmp{path.suffix}")
    try:
        write(tmp)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:  # also KeyboardInterrupt and SIGTERM raised as an exception
        tmp.unlink(missing_ok=True)
        raise
    return path


def inside(root: str | Path, *parts: str) -> Path:
    """root/parts resolved, or an SsemoError when the result is not under root (a name such as
    '../x' or an absolute path would put files elsewhere)."""
    base = Path(root).resolve()
    target = base.joinpath(*parts).resolve()
    if target != base and base not in target.parents:
        raise SsemoError(f"{target}: refused, outside its root folder {base}")
    return target


def project_root(folder: str | Path) -> Path:
    """The folder a relative output path of a config in `folder` must stay inside: the repository
    for a config inside it, else the folder above the config's folder (a config in ~/study/configs
    may write to ~/study/results, as configs/ writes to results/)."""
    from pipeline import REPO_ROOT

    folder = Path(folder).resolve()
    repo = REPO_ROOT.resolve()
    return repo if folder == repo or repo in folder.parents else folder.parent


def escape_problem(key: str, base: str | Path, relative: str) -> str | None:
    """A config problem when the relative path `relative` of `key`, taken from the config's folder
    `base`, climbs out of project_root(base) ('../../tmp/x'); None when it stays inside or is
    absolute (an absolute path is the user's explicit choice). Checked on the path as written,
    not through symbolic links: a results/ that links to another disk is still inside."""
    if Path(relative).is_absolute():
        return None
    base = Path(base).resolve()
    root = project_root(base)
    target = Path(os.path.normpath(base / relative))
    if target == root or root in target.parents:
        return None
    return (
        f"key '{key}': {relative!r} leads to {target}, outside the project folder {root}; a "
        "relative output folder must stay inside it (give an absolute path to write elsewhere)"
    )


def ensure_writable(folder: str | Path, what: str = "output folder") -> Path:
    """Create `folder` if needed and check that a file can be written in it, so that a read-only
    or full location fails before a long computation rather than after it."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".write-test-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise EnvironmentProblem(
            f"{folder}: {what} is not writable ({exc.strerror or type(exc).__name__})"
        ) from None
    return folder


def process_alive(pid: int) -> bool:
    """Whether process `pid` runs on this machine (a zombie, dead but not yet reaped, is not)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def remove_stale_partials(folder: str | Path) -> list[Path]:
    """Remove the partial-output folders (PARTIAL_PREFIX<pid>-...) in `folder` whose writing
    process is dead (killed while writing); returns those removed."""
    removed = []
    for path in Path(folder).glob(f"{PARTIAL_PREFIX}*"):
        pid = path.name.removeprefix(PARTIAL_PREFIX).split("-", 1)[0]
        if path.is_dir() and pid.isdigit() and not process_alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(frame):
    """A copy of a table whose text cells cannot run as spreadsheet formulas: a text cell starting
    with = + - @ (or a tab or carriage return) gets a leading apostrophe, the usual escape
    (OWASP "CSV injection"). Numbers, and text that reads as a number ("-5", "1e-3"), are kept."""
    import math

    from pandas.api.types import is_object_dtype, is_string_dtype

    def safe(cell):
        if not isinstance(cell, str) or not cell.startswith(_FORMULA_START):
            return cell
        try:
            if math.isfinite(float(cell)):
                return cell
        except ValueError:
            pass
        return "'" + cell

    out = frame.copy()
    for column in out.columns:
        if is_object_dtype(out[column]) or is_string_dtype(out[column]):
            out[column] = out[column].map(safe)
    return out


def to_csv(frame, path: Path, **kwargs) -> None:
    """frame.to_csv with text cells made safe for spreadsheets (spreadsheet_safe): every table a
    user opens goes through here, since ids, notes and sources in it can come from their files."""
    spreadsheet_safe(frame).to_csv(path, **{"index": False, **kwargs})


def write_all(out_dir: Path, writers: dict[str, Callable[[Path], Any]]) -> list[Path]:
    """Write every file into a temporary folder beside out_dir, then move each into place (a
    rename on the same file system), so a crash while writing leaves the previous set intact. The
    folder's name carries this process's id: one left by a killed run is removed by the next
    (remove_stale_partials)."""
    prefix = f"{PARTIAL_PREFIX}{os.getpid()}-"
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=prefix) as tmp:
        for name, write in writers.items():
            write(Path(tmp) / name)
        for name in writers:
            (Path(tmp) / name).replace(out_dir / name)
    return [out_dir / name for name in writers]
