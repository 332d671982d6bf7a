"""NSGA-II search with an archive of every non-dominated feasible design and its hypervolume.

pymoo's NSGA-II (duplicate elimination off: the objective is cheap and vectorized, while duplicate
checks and per-individual bookkeeping dominate pymoo's time), seeded and deterministic. With four
objectives a final population is a poor picture of the front, so every evaluated feasible design
enters an archive that keeps only non-dominated points (moocore). Hypervolume is computed on
objectives normalized by fixed bounds from config (reference point 1.1 in each), so runs compare.
It is computed every generation when the stagnation test needs it, otherwise on the first, every
HV_EVERY-th and the last generation: the 4-objective archive holds thousands of designs and its exact
hypervolume (O(n^2), 5 ms at 2,700 points on the 2-core dev machine) cost more than the whole rest of
a generation (evaluation, archive update, survival, variation: about 2.6 ms).
Termination: the configured number of generations, or earlier when the archive's hypervolume has
improved by less than hv_stagnation_tol (relative) over hv_stagnation_window generations.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import moocore
import numpy as np

from pipeline.study.config import StudyConfig
from pipeline.study.registry import normalize

REFERENCE_POINT = 1.1
HV_EVERY = 5  # generations between hypervolume records when no stagnation test needs every one


class SearchModel(Protocol):
    """What the search reads of a model: a StudyModel (catalog options) or a StackModel
    (multi-layer stacks) alike."""

    config: StudyConfig
    objectives: tuple[str, ...]
    space: Any  # with n_var: the number of columns of X, each in [0, 1]

    @property
    def n_obj(self) -> int: ...

    @property
    def n_constr(self) -> int: ...

    def evaluate(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]: ...


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
        # keep_weakly=False also keeps only the first of identical objective vectors (archive first)
        keep = moocore.is_nondominated(F_all, keep_weakly=False)
        self.X, self.F = X_all[keep], F_all[keep]
        if len(self.F) > self.limit:  # thin a huge archive: drop the most crowded points
            from pymoo.operators.survival.rank_and_crowding.metrics import calc_crowding_distance

            order = np.sort(
                np.argsort(-calc_crowding_distance(self.F), kind="stable")[: self.limit]
            )
            self.X, self.F = self.X[order], self.F[order]

    def __len__(self) -> int:
        return len(self.F)


@dataclass
class SearchResult:
    archive: Archive
    history: list[dict[str, float]]
    n_evals: int
    wall_s: float
    stopped_early: bool


def constraint_violation(G: np.ndarray) -> np.ndarray:
    return np.maximum(G, 0.0).sum(axis=1) if G.size else np.zeros(len(G))


def survival(F: np.ndarray, G: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """NSGA-II survival with Deb's constraint handling: feasible designs by non-dominated rank and
    crowding distance, then infeasible ones by increasing violation. Returns (kept, rank, crowding)."""
    from pymoo.operators.survival.rank_and_crowding.metrics import calc_crowding_distance

    cv = constraint_violation(G)
    feasible = np.flatnonzero(cv <= 0.0)
    infeasible = np.flatnonzero(cv > 0.0)
    rank = np.full(len(F), np.iinfo(np.int64).max, dtype=np.int64)
    crowd = np.zeros(len(F))
    kept: list[np.ndarray] = []
    taken = 0
    if len(feasible):
        r = np.asarray(moocore.pareto_rank(F[feasible]), dtype=np.int64)
        rank[feasible] = r
        for level in range(int(r.max()) + 1):
            front = feasible[r == level]
            crowd[front] = calc_crowding_distance(F[front]) if len(front) > 2 else np.inf
            room = n - taken
            if room <= 0:
                break
            if len(front) <= room:
                kept.append(front)
                taken += len(front)
            else:  # split front: keep the most spread-out points (stable order: deterministic)
                order = np.argsort(-crowd[front], kind="stable")
                kept.append(front[order[:room]])
                taken += room
                break
    if len(infeasible):
        rank[infeasible] = int(rank[feasible].max()) + 1 if len(feasible) else 0
        room = n - taken
        if room > 0:
            order = np.argsort(cv[infeasible], kind="stable")
            kept.append(infeasible[order[:room]])
    keep = np.concatenate(kept) if kept else np.arange(min(n, len(F)))
    return keep, rank, crowd


def _tournament(
    rank: np.ndarray, crowd: np.ndarray, cv: np.ndarray, n_picks: int, rng
) -> np.ndarray:
    """Binary tournaments with NSGA-II's crowded comparison (feasibility and violation first)."""
    a = rng.integers(0, len(rank), n_picks)
    b = rng.integers(0, len(rank), n_picks)
    same_cv = cv[a] == cv[b]
    same_rank = same_cv & (rank[a] == rank[b])
    a_better = (
        (cv[a] < cv[b]) | (same_cv & (rank[a] < rank[b])) | (same_rank & (crowd[a] > crowd[b]))
    )
    tie = same_rank & (crowd[a] == crowd[b])
    coin = rng.random(n_picks) < 0.5
    return np.where(a_better | (tie & coin), a, b)


@dataclass(frozen=True)
class Generation:
    """What a callback sees at the end of each generation (pymoo's Callback.notify in spirit).

    record: this generation's figures (generation, n_evals, archive_size, feasible_fraction, and
    hypervolume on the generations that compute it: see HV_EVERY); population: the survivors' arrays (X, F, G, and rank, crowd in the fast
    engine); rng: the engine's generator (its state is part of a checkpoint; None for pymoo's).
    """

    record: dict[str, float]
    history: list[dict[str, float]]
    archive: Archive
    population: dict[str, np.ndarray]
    n_evals: int
    stopped: bool
    rng: np.random.Generator | None
    generations: int


Callback = Callable[[Generation], None]


def print_progress(gen: Generation) -> None:
    """One line on stderr every ten generations (and the first)."""
    r = gen.record
    if (r["generation"] % 10 == 0 or r["generation"] == 1) and "hypervolume" in r:
        print(
            f"  generation {r['generation']:>4}/{gen.generations}  evaluations {gen.n_evals:>7}  "
            f"front {len(gen.archive):>5}  hypervolume {r['hypervolume']:.4f}",
            file=sys.stderr,
            flush=True,
        )


def checkpoint_writer(checkpoint) -> Callback:
    """Write the engine's whole state after every generation (resume gives the identical front)."""

    def save(gen: Generation) -> None:
        assert gen.rng is not None, "checkpoints need the fast engine"
        checkpoint.save(
            {
                **gen.population,
                "archive_X": gen.archive.X,
                "archive_F": gen.archive.F,
            },
            {
                "history": gen.history,
                "n_evals": gen.n_evals,
                "stopped": gen.stopped,
                "rng_state": gen.rng.bit_generator.state,
            },
        )

    return save


class _Tracker:
    """Archive, hypervolume history, stagnation test and callbacks, shared by both engines."""

    def __init__(self, model: SearchModel, callbacks: list[Callback]) -> None:
        s = model.config.search
        self.model, self.s, self.callbacks = model, s, callbacks
        self.bounds = {name: model.config.normalization[name] for name in model.objectives}
        self.archive = Archive(model.space.n_var, model.n_obj, s.archive_limit)
        self.history: list[dict[str, float]] = []
        self.started = time.perf_counter()

    def record(self, X: np.ndarray, F: np.ndarray, G: np.ndarray, n_evals: int) -> bool:
        """Add evaluated designs; returns True when the search should stop for stagnation."""
        feasible = np.all(G <= 0.0, axis=1) if G.size else np.ones(len(F), dtype=bool)
        self.archive.add(X, F, feasible)
        generation = len(self.history) + 1
        record = {
            "generation": generation,
            "n_evals": n_evals,
            "archive_size": len(self.archive),
            "feasible_fraction": float(feasible.mean()),
        }
        window = self.s.hv_stagnation_window
        if window or generation in (1, self.s.generations) or generation % HV_EVERY == 0:
            hv = hypervolume(normalize(self.archive.F, self.model.objectives, self.bounds))
            record["hypervolume"] = hv
        self.history.append(record)
        if window and len(self.history) > window:
            before = self.history[-window - 1]["hypervolume"]
            return hv - before <= self.s.hv_stagnation_tol * max(before, 1e-12)
        return False

    def notify(self, population: dict[str, np.ndarray], n_evals: int, stopped: bool, rng) -> None:
        gen = Generation(
            self.history[-1],
            self.history,
            self.archive,
            population,
            n_evals,
            stopped,
            rng,
            self.s.generations,
        )
        for callback in self.callbacks:
            callback(gen)

    def result(self, n_evals: int, stopped: bool) -> SearchResult:
        wall = time.perf_counter() - self.started
        return SearchResult(self.archive, self.history, n_evals, wall, stopped)


def run_nsga2(
    model: SearchModel,
    *,
    callbacks: Sequence[Callback] = (),
    progress: bool = True,
    engine: str | None = None,
    checkpoint=None,
) -> SearchResult:
    """Run NSGA-II on the study model; returns the archive and the per-generation history.

    engine "fast" (default): NSGA-II on whole arrays — pymoo's SBX and polynomial-mutation kernels,
    moocore's non-dominated ranking, pymoo's crowding distance, no per-individual objects.
    engine "pymoo": pymoo's NSGA2 algorithm object (same operators and survival), kept as reference.
    callbacks: called with a `Generation` at the end of every generation, in order (progress lines,
    the checkpoint, MLflow metrics while the search runs). checkpoint (fast engine): a
    pipeline.search.checkpoint.Checkpoint resumed from when present and written after every
    generation, so an interrupted search ends with exactly the uninterrupted front.
    """
    engine = engine or model.config.search.engine
    hooks = [*([print_progress] if progress else []), *callbacks]
    if engine == "pymoo":  # pymoo's algorithm object keeps its own state: no checkpoint
        return _run_pymoo(model, _Tracker(model, hooks))
    if engine != "fast":
        raise ValueError(f"unknown search engine {engine!r}; expected 'fast' or 'pymoo'")
    if checkpoint is not None:
        hooks.append(checkpoint_writer(checkpoint))
    return _run_fast(model, _Tracker(model, hooks), checkpoint, progress)


def _run_fast(model: SearchModel, tracker: _Tracker, checkpoint, progress: bool) -> SearchResult:
    from pymoo.operators.crossover.sbx import cross_sbx
    from pymoo.operators.mutation.pm import mut_pm

    s = model.config.search
    n, n_var = s.population_size, model.space.n_var
    n_matings = (n + 1) // 2
    rng = np.random.default_rng(s.seed)
    xl, xu = np.zeros(n_var), np.ones(n_var)
    # pymoo NSGA2 defaults: SBX(eta=15, prob=0.9, prob_var=0.5, prob_bin=0.5), PM(eta=20, prob_var=1/n)
    eta_c = np.full((n_matings, 1), 15.0)
    half = np.full((n_matings, 1), 0.5)
    eta_m = np.full(n, 20.0)
    prob_m = np.full(n, 1.0 / n_var)

    state = checkpoint.load() if checkpoint is not None else None
    if state is not None:  # resume exactly where the last completed generation left off
        arrays, meta = state
        X, F, G, rank, crowd = (arrays[k] for k in ("X", "F", "G", "rank", "crowd"))
        tracker.archive.X, tracker.archive.F = arrays["archive_X"], arrays["archive_F"]
        tracker.history = meta["history"]
        n_evals = int(meta["n_evals"])
        stopped = bool(meta["stopped"])
        rng.bit_generator.state = meta["rng_state"]
        if progress:
            print(
                f"  resuming from checkpoint at generation {len(tracker.history)}",
                file=sys.stderr,
                flush=True,
            )
    else:
        X = rng.random((n, n_var))
        F, G, _ = model.evaluate(X)
        n_evals = n
        stopped = tracker.record(X, F, G, n_evals)
        keep, rank, crowd = survival(F, G, n)
        X, F, G, rank, crowd = X[keep], F[keep], G[keep], rank[keep], crowd[keep]
        population = {"X": X, "F": F, "G": G, "rank": rank, "crowd": crowd}
        tracker.notify(population, n_evals, stopped, rng)
    while not stopped and len(tracker.history) < s.generations:
        parents = _tournament(rank, crowd, constraint_violation(G), 2 * n_matings, rng)
        P = X[parents.reshape(2, n_matings)]
        Q = cross_sbx(P, xl, xu, eta_c, half, half, random_state=rng)
        copy = rng.random(n_matings) >= 0.9
        Q[:, copy] = P[:, copy]
        off = np.concatenate([Q[0], Q[1]])[:n]
        off = mut_pm(off, xl, xu, eta_m, prob_m, at_least_once=False, random_state=rng)
        F_off, G_off, _ = model.evaluate(off)
        n_evals += len(off)
        stopped = tracker.record(off, F_off, G_off, n_evals)
        X_all, F_all, G_all = np.vstack([X, off]), np.vstack([F, F_off]), np.vstack([G, G_off])
        keep, rank_all, crowd_all = survival(F_all, G_all, n)
        X, F, G = X_all[keep], F_all[keep], G_all[keep]
        rank, crowd = rank_all[keep], crowd_all[keep]
        population = {"X": X, "F": F, "G": G, "rank": rank, "crowd": crowd}
        tracker.notify(population, n_evals, stopped, rng)
    return tracker.result(n_evals, stopped)


def _run_pymoo(model: SearchModel, tracker: _Tracker) -> SearchResult:
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.problem import Problem

    s = model.config.search

    class MembraneProblem(Problem):
        def __init__(self) -> None:
            super().__init__(
                n_var=model.space.n_var,
                n_obj=model.n_obj,
                n_ieq_constr=model.n_constr,
                xl=0.0,
                xu=1.0,
            )

        def _evaluate(self, X, out, *args, **kwargs):
            F, G, _ = model.evaluate(X)
            out["F"] = F
            out["G"] = G

    algorithm = NSGA2(pop_size=s.population_size, eliminate_duplicates=False)
    algorithm.setup(
        MembraneProblem(), termination=("n_gen", s.generations), seed=s.seed, verbose=False
    )
    stopped = False
    n_evals = 0
    while algorithm.has_next() and not stopped:
        algorithm.next()
        new = algorithm.off if algorithm.off is not None and tracker.history else algorithm.pop
        n_evals = algorithm.evaluator.n_eval
        stopped = tracker.record(new.get("X"), new.get("F"), new.get("G"), n_evals)
        pop = algorithm.pop
        tracker.notify({k: pop.get(k) for k in ("X", "F", "G")}, n_evals, stopped, None)
    return tracker.result(n_evals, stopped)
