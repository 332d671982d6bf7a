"""Shared helpers for benchmarks: machine/version info and writing flat JSON results."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import numpy as np

from pipeline.files import atomic_write

RESULTS = Path(__file__).resolve().parent / "results"


def versions(*packages: str) -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in packages:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def machine() -> dict[str, object]:
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "hostname_hash": abs(hash(platform.node())) % 10**8,
    }


def git_state() -> dict[str, object]:
    """The commit the benchmark ran from and whether tracked files differed from it (a figure
    from a dirty tree cannot be traced to code); None where git cannot tell."""
    from benchmarks._ledger import git_commit

    commit, dirty = git_commit(Path(__file__).resolve().parents[1])
    return {"commit": commit, "dirty": dirty}


def median_seconds(fn: Callable[[], object], repeats: int = 7, warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def write_result(
    name: str, figures: dict[str, object], packages: tuple[str, ...] = ("numpy",)
) -> Path:
    path = RESULTS / f"{name}.json"
    payload = {
        **figures,
        "versions": versions(*packages),
        "machine": machine(),
        "git": git_state(),
        "argv": sys.argv,
    }
    text = json.dumps(payload, indent=2, sort_keys=False) + "\n"
    atomic_write(path, lambda tmp: tmp.write_text(text))
    print(json.dumps(figures, indent=2))
    print(f"wrote {path}")
    return path


def paired_ratio_interval(
    errors_a, errors_b, level: float = 0.95, resamples: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """Percentile interval of mean|errors_a| / mean|errors_b| over the rows resampled with
    replacement, both models' errors of a row kept together (a paired bootstrap; Efron &
    Tibshirani 1993, ch. 13). Rows are taken as independent, so materials of one family that err
    together make it narrower than it should be; seeded, so a run reproduces it."""
    a = np.abs(np.asarray(errors_a, dtype=float))
    b = np.abs(np.asarray(errors_b, dtype=float))
    if a.shape != b.shape or a.ndim != 1 or not len(a):
        raise ValueError("paired_ratio_interval needs two 1-D error arrays of one non-zero length")
    rows = np.random.default_rng(seed).integers(0, len(a), size=(resamples, len(a)))
    ratios = a[rows].mean(axis=1) / b[rows].mean(axis=1)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(ratios, [tail, 1.0 - tail])
    return float(low), float(high)
