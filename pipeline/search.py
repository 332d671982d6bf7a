"""NSGA-II search with an archive of every non-dominated feasible design, hypervolume per generation.

pymoo's NSGA-II (duplicate elimination off: the objective is cheap and vectorized, while duplicate
checks and per-individual bookkeeping dominate pymoo's time), seeded and deterministic. With four
objectives a final population is a poor picture of the front, so every evaluated feasible design
enters an archive that keeps only non-dominated points (moocore). Hypervolume is computed on
objectives normalized by fixed bounds from config (reference point 1.1 in each), so runs compare.
Termination: the configured number of generations, or earlier when the archive's hypervolume has
improved by less than hv_stagnation_tol (relative) over hv_stagnation_window generations.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import moocore
import numpy as np

from pipeline.problem import MAXIMIZED, StudyModel

REFERENCE_POINT = 1.1


def normalize(
    F: np.ndarray, objectives: tuple[str, ...], bounds: dict[str, tuple[float, float]]
) -> np.ndarray:
    """Map minimized objectives (maximized ones carry a minus sign) to [0, 1] by fixed bounds."""
    out = np.empty_like(F, dtype=float)
    for j, name in enumerate(objectives):
        lo, hi = bounds[name]
        value = -F[:, j] if name in MAXIMIZED else F[:, j]
        out[:, j] = (hi - value) / (hi - lo) if name in MAXIMIZED else (value - lo) / (hi - lo)
    return out


def hypervolume(F_norm: np.ndarray) -> float:
    if len(F_norm) == 0:
        return 0.0
    inside = np.all(F_norm < REFERENCE_POINT, axis=1)
    if not inside.any():
        return 0.0
    return float(moocore.hypervolume(F_norm[inside], ref=np.full(F_norm.shape[1], REFERENCE_POINT)))


@dataclass
class Archive:
    """Non-dominated feasible designs seen so far (X in [0,1]^n, F minimized)."""

    n_var: int
    n_obj: int
    limit: int = 20_000
    X: np.ndarray = field(init=False)
    F: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.X = np.empty((0, self.n_var))
        self.F = np.empty((0, self.n_obj))

    def add(self, X: np.ndarray, F: np.ndarray, feasible: np.ndarray) -> None:
        if not feasible.any():
            return
        X_all = np.vstack([self.X, X[feasible]])
        F_all = np.vstack([self.F, F[feasible]])
        keep = moocore.is_nondominated(F_all, keep_weakly=False)
        # identical objective vectors: keep the first (archive order, then population order)
        X_all, F_all = X_all[keep], F_all[keep]
        _, first = np.unique(F_all, axis=0, return_index=True)
        first = np.sort(first)
        self.X, self.F = X_all[first], F_all[first]
        if (
            len(self.F) > self.limit
        ):  # keep the most spread-out points by crowding in normalized space
            order = np.lexsort(self.F.T[::-1])
            self.X, self.F = self.X[order[: self.limit]], self.F[order[: self.limit]]

    def __len__(self) -> int:
        return len(self.F)


@dataclass
class SearchResult:
    archive: Archive
    history: list[dict[str, float]]
    n_evals: int
    wall_s: float
    stopped_early: bool
    final_population_X: np.ndarray


def run_nsga2(
    model: StudyModel,
    *,
    on_generation: Callable[[dict[str, float]], None] | None = None,
    progress: bool = True,
) -> SearchResult:
    """Run NSGA-II on the study model; returns the archive and the per-generation history."""
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.problem import Problem

    config = model.config
    s = config.search
    bounds = {name: tuple(getattr(config.normalization, name)) for name in model.objectives}

    class MembraneProblem(Problem):
        def __init__(self) -> None:
            super().__init__(
                n_var=4, n_obj=model.n_obj, n_ieq_constr=model.n_constr, xl=0.0, xu=1.0
            )

        def _evaluate(self, X, out, *args, **kwargs):
            F, G, extra = model.evaluate(X)
            out["F"] = F
            out["G"] = G
            out["feasible_"] = extra["feasible"]

    problem = MembraneProblem()
    algorithm = NSGA2(pop_size=s.population_size, eliminate_duplicates=False)
    algorithm.setup(problem, termination=("n_gen", s.generations), seed=s.seed, verbose=False)
    archive = Archive(4, model.n_obj, s.archive_limit)
    history: list[dict[str, float]] = []
    started = time.perf_counter()
    stopped_early = False
    n_evals = 0
    while algorithm.has_next():
        algorithm.next()
        new = algorithm.off if algorithm.off is not None and len(history) > 0 else algorithm.pop
        X, F, G = new.get("X"), new.get("F"), new.get("G")
        feasible = np.all(G <= 0.0, axis=1) if G.size else np.ones(len(F), dtype=bool)
        n_evals = algorithm.evaluator.n_eval
        archive.add(X, F, feasible)
        hv = hypervolume(normalize(archive.F, model.objectives, bounds))
        record = {
            "generation": len(history) + 1,
            "n_evals": n_evals,
            "hypervolume": hv,
            "archive_size": len(archive),
            "feasible_fraction": float(feasible.mean()),
        }
        history.append(record)
        if on_generation is not None:
            on_generation(record)
        if progress and (record["generation"] % 10 == 0 or record["generation"] == 1):
            print(
                f"  generation {record['generation']:>4}/{s.generations}  evaluations {n_evals:>7}  "
                f"front {len(archive):>5}  hypervolume {hv:.4f}",
                file=sys.stderr,
                flush=True,
            )
        window = s.hv_stagnation_window
        if window and len(history) > window:
            before = history[-window - 1]["hypervolume"]
            if hv - before <= s.hv_stagnation_tol * max(before, 1e-12):
                stopped_early = True
                break
    return SearchResult(
        archive,
        history,
        n_evals,
        time.perf_counter() - started,
        stopped_early,
        algorithm.pop.get("X"),
    )
