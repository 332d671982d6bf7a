"""Dask scale-out of one study: population chunks evaluated on the cluster's workers.

Worth it when evaluations are expensive (e.g. a large surrogate in the loop); the default physics is
so cheap that in-process evaluation is faster. The model is broadcast once to every worker; each
generation the population is split into `chunks` contiguous pieces whose results are concatenated in
order, so the search is identical to a local run with the same seed.
"""

from __future__ import annotations

import numpy as np

from pipeline.errors import EnvironmentProblem

# how long `ssemo run` waits for compute.scheduler to answer before any MLflow run or results folder
# exists: a scheduler that is up answers in well under a second, and a wrong address (nothing
# listening, an unknown host) should fail in seconds, not in Dask's default 30 s
SCHEDULER_PROBE_TIMEOUT_S = 5.0
# the connection the search itself uses, once the probe has answered: Dask's default
SCHEDULER_CONNECT_TIMEOUT_S = 30.0


def scheduler_used(compute) -> bool:
    """Whether a study's search runs on compute.scheduler: only with evaluation_chunks > 1 (with 1,
    the population is evaluated in this process and the address is not used)."""
    return bool(compute.scheduler) and compute.evaluation_chunks > 1


def connect(address: str, timeout_s: float, source: str = ""):
    """A distributed.Client of the scheduler at `address`, or EnvironmentProblem (exit 5) naming
    the config file `source` and compute.scheduler when none answers within timeout_s seconds."""
    from distributed import Client

    try:
        return Client(address, timeout=f"{timeout_s:g}s", set_as_default=False)
    except (OSError, TimeoutError):  # refused, unknown host, timed out
        where = f"{source}: " if source else ""
        raise EnvironmentProblem(
            f"{where}key 'compute.scheduler': {address}: no Dask scheduler answered within "
            f"{timeout_s:g} s (start one there, or set compute.scheduler: null)"
        ) from None


def probe_scheduler(address: str, source: str = "") -> None:
    """Raise EnvironmentProblem unless a Dask scheduler answers at `address` within
    SCHEDULER_PROBE_TIMEOUT_S: checked before a run starts anything it would leave behind."""
    connect(address, SCHEDULER_PROBE_TIMEOUT_S, source).close()


def _evaluate_chunk(model, X: np.ndarray):
    return model.evaluate(X)


class ChunkedModel:
    """Wraps a StudyModel: same interface, evaluate() runs on Dask workers."""

    def __init__(self, model, client, chunks: int):
        self._model = model
        self._client = client
        self._chunks = max(1, int(chunks))
        self._remote = client.scatter(model, broadcast=True)

    def __getattr__(self, name):
        return getattr(self._model, name)

    def evaluate(self, X: np.ndarray):
        parts = [p for p in np.array_split(X, min(self._chunks, len(X))) if len(p)]
        futures = [self._client.submit(_evaluate_chunk, self._remote, p, pure=False) for p in parts]
        results = self._client.gather(futures)
        F = np.vstack([r[0] for r in results])
        G = np.vstack([r[1] for r in results])
        out = {k: np.concatenate([r[2][k] for r in results]) for k in results[0][2]}
        return F, G, out
