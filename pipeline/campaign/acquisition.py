"""Batch expected hypervolume improvement by Monte Carlo, with Kriging-believer fantasies.

The acquisition (pure NumPy, no model, no config; pipeline.campaign.suggest and
benchmarks/campaign.py feed it):

- Each candidate has S sampled outcomes (normalized objectives, minimized) and a feasibility flag
  per sample: draws of its conductivity from the surrogate's predictive distribution pushed
  through the physics, common random numbers across candidates.
- Hypervolume improvement of one sampled outcome p over the current front is the volume of the
  region p dominates that the front does not. It is integrated by quasi-Monte Carlo: scrambled
  Sobol points fill the box [lower, reference point]; those the front already dominates are
  dropped once, and HVI(p) = (number of remaining points p weakly dominates) x (volume per point).
- The acquisition of a candidate is E[HVI · 1(feasible)] over its samples: the joint Monte-Carlo
  form of "expected hypervolume improvement times probability of feasibility" (equal to the
  product when improvement and feasibility are independent; both factors are reported).
- Batch: sequential greedy selection with the Kriging believer (Ginsbourger, Le Riche & Carraro,
  "Kriging is well-suited to parallelize optimization", 2010): after a candidate is chosen, its
  mean outcome is believed, i.e. added to the front (the free points it dominates are removed),
  and every candidate sharing its composition (the same uncertain conductivity) collapses to its
  mean outcome, as a model retrained on the believed value would be sure of it. The next choice
  is made against that fantasized state.
- Correlated neighbours (optional: `correlation`, `z`, `redraw`): the draws of different
  compositions are joint, z ~ Normal(0, R) per composition group in standard units (the caller
  states R; pipeline.campaign.suggest uses a squared-exponential correlation over composition
  distance). Believing the chosen composition's value z_c = b (0: its mean; the caller may pass
  the standardized value of the outcome it believes, e.g. a robust quantile) then conditions every
  correlated neighbour, by pathwise (Matheron) updating of the same draws:
  z_j <- z_j + (P_jc / P_cc)(b - z_c),
  and the posterior covariance P <- P - P_:c P_c: / P_cc. A neighbour with correlation 0.99 keeps
  sqrt(1 - 0.99^2) = 14 % of its spread, so a second member of the same neighbourhood gains little
  beyond what its (fantasized) mean adds. The neighbours' outcomes are recomputed by the caller
  (`redraw`: the physics at the conditioned draws). Without `correlation` (or with the identity),
  the selection is the plain believer above, exactly.
- The value of a batch (`batch_value`) is the joint q-EHVI: E[HVI of the batch as one set] over
  the joint draws (the union of what its feasible members dominate in each draw; Daulton, Balandat
  & Bakshy, "Differentiable expected hypervolume improvement for parallel multi-objective Bayesian
  optimization", NeurIPS 2020, define qEHVI so). Members whose draws move together dominate the
  same regions in the same draws, so a redundant member adds (nearly) nothing to it.

Everything is deterministic under `seed` (the Sobol scramble).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.stats import qmc

REFERENCE_POINT = 1.1  # the hypervolume reference point of normalized objectives (search.nsga2)
_CHUNK = 1 << 22  # candidate points x free points compared per block (bounds the temporaries)


def free_points(
    front: np.ndarray, lower: np.ndarray, n_points: int, seed: int
) -> tuple[np.ndarray, float]:
    """Sobol points of the box [lower, ref] not weakly dominated by any front point, and the box
    volume each point stands for."""
    d = len(lower)
    ref = np.full(d, REFERENCE_POINT)
    lower = np.minimum(lower, ref - 1e-9)
    m = max(int(np.ceil(np.log2(max(n_points, 2)))), 1)
    u = qmc.Sobol(d, scramble=True, seed=seed).random_base2(m)
    points = lower + (ref - lower) * u
    volume = float(np.prod(ref - lower)) / len(points)
    if len(front):
        points = points[~dominated_by_any(points, front)]
    return points, volume


def dominated_by_any(points: np.ndarray, front: np.ndarray) -> np.ndarray:
    """Per point: is some front row ≤ it in every objective?"""
    out = np.zeros(len(points), dtype=bool)
    if not len(front) or not len(points):
        return out
    step = max(1, _CHUNK // max(len(front) * points.shape[1], 1))
    for start in range(0, len(points), step):
        block = points[start : start + step]
        out[start : start + step] = np.any(
            np.all(front[None, :, :] <= block[:, None, :], axis=2), axis=1
        )
    return out


def dominated_counts(points: np.ndarray, free: np.ndarray) -> np.ndarray:
    """Per point p (n, d), or per set of points (n, k, d): how many free points u it weakly
    dominates (p ≤ u everywhere; for a set, some member does: the union of what they dominate)."""
    sets = points if points.ndim == 3 else points[:, None, :]
    counts = np.zeros(len(sets), dtype=np.int64)
    if not len(free) or not len(sets):
        return counts
    # a point worse than every free point in some objective dominates none
    useful = np.any(np.all(sets <= free.max(axis=0), axis=2), axis=1)
    rows = np.flatnonzero(useful)
    k, d = sets.shape[1], sets.shape[2]
    step = max(1, _CHUNK // max(len(free) * d * k, 1))
    for start in range(0, len(rows), step):
        idx = rows[start : start + step]
        hit = np.all(sets[idx, :, None, :] <= free[None, None, :, :], axis=3).any(axis=1)
        counts[idx] = hit.sum(axis=1)
    return counts


Redraw = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
MOVED = (
    1e-3  # a group whose draws move by less than this fraction of the chosen one's is not redrawn
)


class _JointDraws:
    """Joint standardized draws z (S, G) with their current covariance P (G, G), conditioned in
    place, one believed group at a time, by pathwise (Matheron) updates."""

    def __init__(self, z: np.ndarray, correlation: np.ndarray):
        if correlation.shape != (z.shape[1], z.shape[1]):
            raise ValueError(
                f"correlation is {correlation.shape}, expected ({z.shape[1]}, {z.shape[1]}) "
                "for draws of that many groups"
            )
        self.z, self.P = z, correlation.copy()

    def condition(self, c: int, value: float = 0.0, tiny: float = 1e-12) -> np.ndarray:
        """Believe z_c = value: every group's draws and the covariance conditioned on it; returns
        the groups other than c whose draws moved (|P_jc / P_cc| > MOVED)."""
        pcc = self.P[c, c]
        if pcc <= tiny:  # already known (believed, or collapsed): nothing to learn from it
            return np.empty(0, dtype=np.intp)
        gain = self.P[:, c] / pcc
        self.z += gain[None, :] * (value - self.z[:, c : c + 1])
        self.P -= np.outer(self.P[:, c], self.P[c, :]) / pcc
        self.P[c, :] = self.P[:, c] = 0.0
        self.z[:, c] = value
        moved = np.flatnonzero(np.abs(gain) > MOVED)
        return moved[moved != c]


def batch_value(
    samples: np.ndarray,
    feasible: np.ndarray,
    index: np.ndarray,
    front: np.ndarray,
    *,
    n_points: int = 1 << 14,
    seed: int = 0,
    lower: np.ndarray | None = None,
) -> float:
    """The joint q-EHVI of a batch: E over the S joint draws of the hypervolume the batch adds to
    the front as one set (the union of what its feasible members dominate in that draw).

    samples (S, N, [K,] d) and feasible (S, N) as for greedy_batch; index: the batch's candidate
    rows; lower: the lower corner of the integration box (default: the smallest sampled value of
    every candidate and the front, as greedy_batch uses), so that batches of one candidate set are
    integrated over one box.
    """
    samples = np.nan_to_num(np.array(samples, dtype=float), nan=np.inf)
    if samples.ndim == 3:
        samples = samples[:, :, None, :]
    feasible = np.asarray(feasible, dtype=bool)
    index = np.asarray(index, dtype=np.intp)
    n_samples, _, k, d = samples.shape
    ref = np.full(d, REFERENCE_POINT)
    if not len(index):
        return 0.0
    if lower is None:
        finite = np.isfinite(samples).all(axis=3) & feasible[..., None]
        low = (
            np.where(finite[..., None], samples, np.inf).min(axis=(0, 1, 2))
            if finite.any()
            else ref
        )
        lower = np.minimum(low, front.min(axis=0) if len(front) else ref)
    free, volume = free_points(front, np.minimum(lower, ref), n_points, seed)
    members = np.where(feasible[:, index, None, None], samples[:, index], np.inf)
    sets = members.reshape(n_samples, len(index) * k, d)
    return float(dominated_counts(sets, free).mean() * volume)


@dataclass(frozen=True)
class BatchChoice:
    """The chosen candidates in the order chosen, with what justified each choice."""

    index: np.ndarray  # candidate rows
    acquisition: np.ndarray  # E[HVI · 1(feasible)] when chosen (normalized hypervolume units)
    ehvi_if_feasible: np.ndarray  # E[HVI | feasible]
    p_feasible: np.ndarray
    acquisition_all: np.ndarray  # every candidate's acquisition before the first choice
    free_points: int  # how many quasi-random points integrated the improvement


def greedy_batch(
    samples: np.ndarray,
    feasible: np.ndarray,
    mean: np.ndarray,
    mean_feasible: np.ndarray,
    group: np.ndarray,
    front: np.ndarray,
    q: int,
    *,
    n_points: int = 1 << 14,
    seed: int = 0,
    correlation: np.ndarray | None = None,
    z: np.ndarray | None = None,
    redraw: Redraw | None = None,
    believed: np.ndarray | None = None,
) -> BatchChoice:
    """Choose q candidates by greedy Monte-Carlo EHVI x feasibility with Kriging-believer fantasies.

    samples: (S, N, d) sampled normalized objectives (minimized), or (S, N, K, d) when a candidate is
    a set of K designs sharing one uncertain quantity (a material at K thicknesses: its improvement
    is that of the union); feasible: (S, N); mean: (N, d) or (N, K, d) the outcome at the
    predictive mean, mean_feasible: (N,); group: (N,) candidates sharing one uncertain
    quantity (a composition) get the same label; front: (M, d) the current normalized front.
    Candidates that are never feasible, or expected to improve nothing, are never chosen: fewer than
    q come back when fewer qualify.

    Correlated neighbours: correlation (G, G) the prior correlation of the groups' standardized
    draws (group labels 0..G-1), z (S, G) the draws the samples were made from, and
    redraw(rows, z_rows) -> (samples (S, len(rows), [K,] d), feasible (S, len(rows))) the outcomes
    of candidate rows at conditioned draws z_rows (S, len(rows)). After each choice the other
    groups are conditioned on the chosen group's draw being believed[c] (default 0, its mean; the
    standardized draw of the outcome `mean` stands for, e.g. a robust quantile) and the rows of
    groups whose draws moved are recomputed. All three None: the plain believer.
    """
    samples = np.array(samples, dtype=float)  # copies: fantasies overwrite rows
    mean = np.array(mean, dtype=float)
    if samples.ndim == 3:  # one design per candidate: a set of one
        samples, mean = samples[:, :, None, :], mean[:, None, :]
    feasible = np.array(feasible, dtype=bool)
    n_samples, n, k, d = samples.shape
    ref = np.full(d, REFERENCE_POINT)
    samples = np.nan_to_num(samples, nan=np.inf)
    mean = np.nan_to_num(mean, nan=np.inf)
    finite = np.isfinite(samples).all(axis=3) & feasible[..., None]
    candidates_low = (
        np.where(finite[..., None], samples, np.inf).min(axis=(0, 1, 2)) if finite.any() else ref
    )
    lower = np.minimum(candidates_low, front.min(axis=0) if len(front) else ref)
    free, volume = free_points(front, np.minimum(lower, ref), n_points, seed)

    def not_dominated(points: np.ndarray) -> np.ndarray:
        """Per set (..., k, d): is some member outside the front's dominated region?"""
        flat = points.reshape(-1, d)
        free_of_front = (~dominated_by_any(flat, front)).reshape(points.shape[:-1])
        return np.asarray(free_of_front.any(axis=-1), dtype=bool)

    # a draw the front already dominates dominates no free point: skip it (cheap, |front| << |free|)
    alive = feasible & not_dominated(samples)

    def counts_of(rows: np.ndarray) -> np.ndarray:
        flat = samples[:, rows].reshape(-1, k, d)
        live = alive[:, rows].reshape(-1)
        c = np.zeros(len(flat), dtype=np.int64)
        c[live] = dominated_counts(flat[live], free)
        return c.reshape(n_samples, len(rows))

    counts = counts_of(np.arange(n)).astype(float)
    p_feasible = feasible.mean(axis=0)
    joint = None
    if correlation is not None:
        if z is None or redraw is None:
            raise ValueError("correlated neighbours need the draws z and redraw as well")
        joint = _JointDraws(np.array(z, dtype=float), np.array(correlation, dtype=float))

    def redraw_rows(rows: np.ndarray, z_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        assert redraw is not None
        new_samples, new_feasible = redraw(rows, z_rows)
        new_samples = np.asarray(new_samples, dtype=float)
        if new_samples.ndim == 3:
            new_samples = new_samples[:, :, None, :]
        return new_samples, np.asarray(new_feasible, dtype=bool)

    first = counts.mean(axis=0) * volume
    chosen: list[int] = []
    acq, cond, pf = [], [], []
    available = p_feasible > 0
    for _ in range(min(q, int(available.sum()))):
        score = np.where(available, counts.mean(axis=0), -1.0)
        # ties (no improvement left anywhere): the likelier feasible, then the earlier candidate
        order = np.lexsort((np.arange(n), -p_feasible, -score))
        i = int(order[0])
        if not available[i] or score[i] <= 0.0:
            break  # nothing left that is expected to improve the front
        chosen.append(i)
        available[i] = False
        acq.append(score[i] * volume)
        pf.append(p_feasible[i])
        cond.append(score[i] * volume / p_feasible[i] if p_feasible[i] > 0 else 0.0)
        # believe the chosen design's mean outcome: it joins the front ...
        if mean_feasible[i]:
            gone = np.all(mean[i][:, None, :] <= free[None, :, :], axis=2).any(axis=0)
            if gone.any():
                removed = free[gone]
                free = free[~gone]
                flat = samples.reshape(-1, k, d)
                live = alive.reshape(-1)
                lost = np.zeros(len(flat), dtype=np.int64)
                lost[live] = dominated_counts(flat[live], removed)
                counts -= lost.reshape(n_samples, n)
        # ... its correlated neighbours are conditioned on it (their draws move, spreads shrink) ...
        if joint is not None:
            c = int(group[i])
            moved = joint.condition(c, 0.0 if believed is None else float(believed[c]))
            rows = np.flatnonzero(np.isin(group, moved) & (group != group[i]))
            if len(rows):
                new_samples, new_feasible = redraw_rows(rows, joint.z[:, group[rows]])
                samples[:, rows] = np.nan_to_num(new_samples, nan=np.inf)
                feasible[:, rows] = new_feasible
                alive[:, rows] = new_feasible & not_dominated(samples[:, rows])
                counts[:, rows] = counts_of(rows)
                p_feasible[rows] = feasible[:, rows].mean(axis=0)
                available[rows] &= p_feasible[rows] > 0
        # ... and its composition is now 'known' at that mean for every candidate sharing it
        same = np.flatnonzero(group == group[i])
        samples[:, same] = mean[same]
        feasible[:, same] = mean_feasible[same]
        alive[:, same] = mean_feasible[same] & not_dominated(mean[same])
        counts[:, same] = counts_of(same)
        p_feasible[same] = mean_feasible[same].astype(float)
        available[same] &= p_feasible[same] > 0
    return BatchChoice(
        np.array(chosen, dtype=np.intp),
        np.array(acq),
        np.array(cond),
        np.array(pf),
        first,
        len(free),
    )
