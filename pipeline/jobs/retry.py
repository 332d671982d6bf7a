"""Retries with exponential backoff for transient failures (tracking server unreachable, database locked)."""

from __future__ import annotations

import sqlite3
import sys
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

TRANSIENT_MESSAGES = (
    "database is locked",
    "connection refused",
    "max retries exceeded",
    "temporarily unavailable",
    "connection reset",
    "failed to establish a new connection",
    "timed out",
    "api request to endpoint",
)


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, ConnectionError | TimeoutError):
        return True
    if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc).lower():
        return True
    text = f"{type(exc).__name__}: {exc}".lower()
    return any(m in text for m in TRANSIENT_MESSAGES)


def with_retries(fn: Callable[[], T], attempts: int, backoff_s: float, what: str) -> T:
    """Call fn; on a transient error wait backoff_s · 2^k and try again, up to `attempts` calls."""
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except Exception as exc:
            if attempt == attempts or not is_transient(exc):
                raise
            wait = backoff_s * 2 ** (attempt - 1)
            print(
                f"{what}: transient failure ({type(exc).__name__}: {str(exc)[:200]}); retry {attempt}/{attempts - 1} "
                f"in {wait:.1f} s",
                file=sys.stderr,
                flush=True,
            )
            time.sleep(wait)
    raise AssertionError("unreachable")
