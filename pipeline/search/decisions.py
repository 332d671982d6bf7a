"""Picking designs from a Pareto front: knee, achievement scalarization, pseudo-weights, per family.

All choices work on objectives normalized by the study's fixed bounds (0 = best bound, 1 = worst), so
weights mean the same thing in every run:
- knee: pymoo's high trade-off points (Rachmawati & Srinivasan 2009), the one with the largest
  trade-off; when pymoo finds none, the point closest to the ideal point (Euclidean);
- asf: argmin over the front of max_i w_i · f_i (achievement scalarizing function, weights from config);
- pseudo_weights: pymoo's pseudo-weight vector closest to the configured weights (Deb 2001);
- best per material family: the ASF choice among each family's front points.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from pipeline.study.registry import normalize


def _pymoo_mcdm():
    """pymoo's decision-making modules; their import trips a SciPy deprecation inside pymoo."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from pymoo.mcdm.high_tradeoff import HighTradeoffPoints
        from pymoo.mcdm.pseudo_weights import PseudoWeights
    return HighTradeoffPoints, PseudoWeights


def asf_values(model, F: np.ndarray) -> np.ndarray:
    """ASF of minimized objective rows with the study's weights on its fixed bounds (lower wins):
    the 'asf' choice's rule, for a model's F outside a front (worlds, stacks)."""
    config = model.config
    bounds = {name: config.normalization[name] for name in model.objectives}
    weights = np.array([config.decision.asf_weights.get(o, 1.0) for o in model.objectives])
    return np.max(normalize(F, model.objectives, bounds) * weights, axis=1)


def asf_index(F_norm: np.ndarray, weights: np.ndarray) -> int:
    return int(np.argmin(np.max(F_norm * weights, axis=1)))


def knee_index(F_norm: np.ndarray) -> tuple[int, str]:
    if len(F_norm) >= 3:
        HighTradeoffPoints = _pymoo_mcdm()[0]
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            try:
                found = HighTradeoffPoints().do(F_norm)
            except (ValueError, IndexError, ZeroDivisionError):
                found = None
        if found is not None and len(np.atleast_1d(found)):
            idx = np.atleast_1d(found)
            # largest trade-off among the candidates: farthest from the ideal-nadir hyperplane
            return int(idx[np.argmin(F_norm[idx].sum(axis=1))]), "high trade-off point"
    return int(np.argmin(np.linalg.norm(F_norm, axis=1))), "closest to the ideal point"


def pseudo_weight_index(F_norm: np.ndarray, weights: np.ndarray) -> int:
    PseudoWeights = _pymoo_mcdm()[1]
    # an objective constant over the front has no pseudo-weight (pymoo divides by its zero range
    # and every weight becomes NaN): the choice is made among the objectives that vary
    varying = np.ptp(F_norm, axis=0) > 0
    if not varying.any():
        return 0
    w = weights[varying] / weights[varying].sum()
    with np.errstate(all="ignore"):
        return int(PseudoWeights(w).do(F_norm[:, varying]))


def choose(
    front: pd.DataFrame,
    F_norm: np.ndarray,
    objectives: tuple[str, ...],
    asf_weights: dict[str, float],
) -> pd.DataFrame:
    """Rows of the front chosen as compromise designs, with a `choice` and `why` column."""
    if len(front) == 0:
        return front.assign(choice=[], why=[], same_as_choice=[])
    weights = np.array([asf_weights.get(o, 1.0) for o in objectives], dtype=float)
    picks: list[tuple[int, str, str]] = []
    k, how = knee_index(F_norm)
    picks.append((k, "knee", how))
    picks.append(
        (
            asf_index(F_norm, weights),
            "asf",
            f"achievement scalarization with weights {dict(zip(objectives, weights.tolist(), strict=True))}",
        )
    )
    picks.append(
        (
            pseudo_weight_index(F_norm, weights),
            "pseudo_weights",
            "pseudo-weights closest to the configured weights",
        )
    )
    for family in sorted(front["family"].unique()):
        rows = np.flatnonzero(front["family"].to_numpy() == family)
        picks.append(
            (
                int(rows[asf_index(F_norm[rows], weights)]),
                f"best_{family}",
                f"best {family} design by the same ASF",
            )
        )
    return _one_row_per_design(front, picks)


def _one_row_per_design(front: pd.DataFrame, picks: list[tuple[int, str, str]]) -> pd.DataFrame:
    """The first choice of each distinct design; later choices of the same design are named in
    `same_as_choice` of that row ("same as knee"), so no design is recommended twice."""
    first: dict[int, int] = {}
    rows: list[tuple[int, str, str]] = []
    also: list[list[str]] = []
    for index, label, why in picks:
        if index in first:
            also[first[index]].append(label)
            continue
        first[index] = len(rows)
        rows.append((index, label, why))
        also.append([])
    out = front.iloc[[r[0] for r in rows]].copy()
    out.insert(0, "choice", [r[1] for r in rows])
    out.insert(1, "why", [r[2] for r in rows])
    out.insert(2, "same_as_choice", [", ".join(a) for a in also])
    return out
