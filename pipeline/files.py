"""Writing result files so that a crash, `kill -9` or a full disk never leaves a torn one.

`atomic_write` lets a writer fill a temporary file beside the target (same folder, so the same file
system), flushes it to disk and then renames it over the target with os.replace, which is atomic on
POSIX and Windows: a reader sees either the previous file or the new one, never half of one. If the
writer fails, the temporary file is removed and the previous file is left as it was.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path


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
