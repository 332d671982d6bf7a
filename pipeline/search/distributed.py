"""Dask scale-out of one study: population chunks evaluated on the cluster's workers.

Worth it when evaluations are expensive (e.g. a large surrogate in the loop); the default physics is
so cheap that in-process evaluation is faster. The model is broadcast once to every worker; each
generation the population is split into `chunks` contiguous pieces whose results are concatenated in
order, so the search is identical to a local run with the same seed.
"""

from __future__ import annotations

import numpy as np


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
