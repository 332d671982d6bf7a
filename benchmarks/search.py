"""Search speed and quality: ssemo's NSGA-II against Optuna's NSGAIISampler on the same problem.

Measured in one run on the default study (catalog conductivities, so both optimizers see the same
deterministic problem):
- ssemo (NSGA-II, population 100, 100 generations = 10,000 evaluations, the archive updated every
  generation and its hypervolume recorded as the default study does: first, every 5th and last) and Optuna's NSGAIISampler (in-memory storage, same population size, 10,000
  trials): evaluations per second and hypervolume of the feasible non-dominated designs each found,
  with the study's fixed normalization and reference point;
- pymoo's own NSGA2 object on the same problem (the reference engine) for context;
- a reduced space (3 materials x 3 processes x 3 coatings, continuous variables on an 11-level grid,
  searched with 1,200 evaluations, fewer than the grid has points):
  hypervolume ssemo reaches versus the exact front from exhaustive enumeration;
- wall time of the whole default `ssemo run` process with a registered surrogate (trained first into
  a throw-away MLflow store), and of a bare process that imports pymoo and runs NSGA-II 100x100 with
  pymoo's defaults on the same problem.
Targets (issue 4): speedup_vs_optuna >= 100 with hv_ssemo >= hv_optuna; hv_fraction_of_exact >= 0.99;
default_job_wall_s <= 20 x bare_pymoo_wall_s.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks._common import write_result
from pipeline.search.nsga2 import hypervolume, run_nsga2
from pipeline.study.catalog import load_catalog
from pipeline.study.config import load_config
from pipeline.study.problem import StudyModel
from pipeline.study.registry import normalize

EVALS = 10_000
POP = 100
PYTHON = sys.executable
SSEMO = str(Path(sys.executable).with_name("ssemo"))

BARE_PYMOO = """
import sys; sys.path.insert(0, {root!r})
from pymoo.algorithms.moo.nsga2 import NSGA2
from pymoo.core.problem import Problem
from pymoo.optimize import minimize
from pipeline.study.catalog import load_catalog
from pipeline.study.config import load_config
from pipeline.study.problem import StudyModel
cfg = load_config({config!r}, ["surrogate.enabled=false"])
model = StudyModel(load_catalog(cfg.catalog_dir()), cfg)
class P(Problem):
    def __init__(self):
        super().__init__(n_var=model.space.n_var, n_obj=model.n_obj, n_ieq_constr=model.n_constr, xl=0.0, xu=1.0)
    def _evaluate(self, X, out, *a, **k):
        F, G, _ = model.evaluate(X); out["F"] = F; out["G"] = G
res = minimize(P(), NSGA2(pop_size=100), ("n_gen", 100), seed=1, verbose=False)
print(len(res.F) if res.F is not None else 0)
"""


def front_hv(model: StudyModel, F: np.ndarray, G: np.ndarray) -> float:
    bounds = {n: model.config.normalization[n] for n in model.objectives}
    feasible = np.all(G <= 0.0, axis=1)
    return hypervolume(normalize(F[feasible], model.objectives, bounds))


def run_optuna(model: StudyModel, n_trials: int) -> tuple[float, float]:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.NSGAIISampler(population_size=POP, seed=1)
    study = optuna.create_study(directions=["minimize"] * model.n_obj, sampler=sampler)

    def objective(trial):
        x = np.array([[trial.suggest_float(x, 0.0, 1.0) for x in model.space.x_columns]])
        F, G, _ = model.evaluate(x)
        trial.set_user_attr("g", G[0].tolist())
        for name, value in zip(model.constraint_names, G[0], strict=True):
            trial.set_constraint(name, float(value))  # Optuna 5 constraint API (G <= 0 feasible)
        return F[0].tolist()

    started = time.perf_counter()
    study.optimize(objective, n_trials=n_trials)
    wall = time.perf_counter() - started
    F = np.array([t.values for t in study.trials])
    G = np.array([t.user_attrs["g"] for t in study.trials])
    return n_trials / wall, front_hv(model, F, G)


def reduced_space_fraction(config_path: Path) -> tuple[float, float, float]:
    overrides = [
        "surrogate.enabled=false",
        "search.materials=[LLZO, LATP, Li6PS5Cl]",
        "search.processes=[tape_casting, wet_coating, cold_pressing]",
        "search.coatings=[ald_al2o3, li3n, none]",
        "search.grid_levels=11",
        "search.population_size=40",
        "search.generations=30",
    ]
    config = load_config(config_path, overrides)
    model = StudyModel(load_catalog(config.catalog_dir()), config)
    grid = model.space.grid()
    F, G, _ = model.evaluate(grid)
    exact = front_hv(model, F, G)
    found = run_nsga2(model, progress=False).history[-1]["hypervolume"]
    return found / exact, exact, float(len(grid))


def timed(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        cmd, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def main() -> None:
    config_path = ROOT / "configs" / "default.yaml"
    config = load_config(config_path, ["surrogate.enabled=false"])
    model = StudyModel(load_catalog(config.catalog_dir()), config)
    run_nsga2(model, progress=False)  # warm-up (imports, caches)
    ssemo = run_nsga2(model, progress=False)
    pymoo_ref = run_nsga2(model, progress=False, engine="pymoo")
    evals_per_s_ssemo = ssemo.n_evals / ssemo.wall_s
    print(
        f"ssemo: {evals_per_s_ssemo:,.0f} evaluations/s; running Optuna ({EVALS} trials) ...",
        flush=True,
    )
    evals_per_s_optuna, hv_optuna = run_optuna(model, EVALS)
    fraction, exact, grid_size = reduced_space_fraction(config_path)

    env = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}
    with tempfile.TemporaryDirectory() as tmp:
        store = f"sqlite:///{tmp}/mlflow.db"
        subprocess.run(
            [
                SSEMO,
                "train",
                "--config",
                str(ROOT / "configs" / "train.yaml"),
                "--set",
                f"mlflow.tracking_uri={store}",
                "--set",
                f"tuning.storage={tmp}/optuna.db",
                "--set",
                "tuning.n_trials=2",
                "--set",
                "tuning.models=[forest]",
                "--set",  # the job's wall is measured, not the model: train on the curated rows
                "data.sources.literature.enabled=false",
                "--set",
                "data.min_rows=10",
            ],
            check=True,
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        default_job = timed(
            [
                SSEMO,
                "run",
                "--config",
                str(config_path),
                "--set",
                f"tracking.tracking_uri={store}",
                "--out",
                f"{tmp}/out",
            ],
            env,
        )
        bare = timed(
            [PYTHON, "-c", BARE_PYMOO.format(root=str(ROOT), config=str(config_path))], env
        )

    write_result(
        "search",
        {
            "evals_per_s_ssemo": evals_per_s_ssemo,
            "evals_per_s_optuna": evals_per_s_optuna,
            "speedup_vs_optuna": evals_per_s_ssemo / evals_per_s_optuna,
            "evals_per_s_pymoo_nsga2_object": pymoo_ref.n_evals / pymoo_ref.wall_s,
            "hv_ssemo": ssemo.history[-1]["hypervolume"],
            "hv_optuna": hv_optuna,
            "hv_pymoo_nsga2_object": pymoo_ref.history[-1]["hypervolume"],
            "evaluations": ssemo.n_evals,
            "population_size": POP,
            "hv_fraction_of_exact": fraction,
            "hv_exact_reduced_space": exact,
            "reduced_space_grid_points": grid_size,
            "default_job_wall_s": default_job,
            "bare_pymoo_wall_s": bare,
            "default_job_over_bare_pymoo": default_job / bare,
            "meets_speedup_target": evals_per_s_ssemo / evals_per_s_optuna >= 100,
            "meets_hv_vs_optuna": ssemo.history[-1]["hypervolume"] >= hv_optuna,
            "meets_exact_target": fraction >= 0.99,
            "meets_wall_target": default_job <= 20 * bare,
        },
        packages=("numpy", "pymoo", "optuna", "moocore", "mlflow"),
    )


if __name__ == "__main__":
    main()
