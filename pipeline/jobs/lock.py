"""A job lock that a dead process cannot hold: an advisory flock on a file with the holder's details.

The kernel releases a flock when its process dies (even by kill -9), so a lock left by a crashed job is
detected as stale and taken over; a live holder makes a second copy exit at once with LockedError.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from pathlib import Path

from pipeline.errors import EnvironmentProblem, SsemoError


class LockedError(SsemoError):
    """Another copy of the job holds the lock."""

    exit_code = 3


class JobLock:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._fd: int | None = None
        self.took_over: dict | None = None  # details of a stale holder that was replaced

    def acquire(self) -> JobLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:  # a read-only or missing state folder: said before any study runs
            raise EnvironmentProblem(
                f"{self.path}: cannot create the job lock ({exc.strerror or type(exc).__name__})"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = self._read(fd)
            os.close(fd)
            who = (
                f"pid {holder.get('pid')} on {holder.get('host')} since {holder.get('started')}"
                if holder
                else "another process"
            )
            raise LockedError(
                f"{self.path}: job already running ({who}); this copy exits"
            ) from None
        previous = self._read(fd)
        if previous:  # the file outlived its holder (crash, kill -9): a stale lock, now ours
            self.took_over = previous
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        self._fd = fd
        return self

    @staticmethod
    def _read(fd: int) -> dict:
        try:
            raw = os.pread(fd, 4096, 0)
            return json.loads(raw) if raw.strip() else {}
        except (OSError, ValueError):
            return {}

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)  # an empty file means: released cleanly
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> JobLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
