"""Composition search: cost and quality of searching composition families with the surrogate in the loop.

Measured in one run, with one surrogate (the fixed recipe `make run` trains, no tuning, fitted on the
training data of --train-config, default configs/train_default.yaml: the data the project ships):
- wall time of the composition study (configs/studies/composition_families.yaml) and of the catalog
  study (configs/default.yaml) at the same budget (population x generations), model set-up included:
  `composition_over_catalog_wall` (target <= 5);
- surrogate predictions per second: every level of every family is predicted in one batched call per
  temperature when the study starts, and the search then gathers (`surrogate_calls_during_search`);
- the fraction of front designs inside the surrogate's applicability domain, and how many front
  designs are predicted compositions;
- `hv_fraction_of_reference`: hypervolume of the study's archive against a run of the same study with
  20x the budget (same seed; population x 4, generations x 5), target >= 0.99.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks._common import write_result
from pipeline.search import nsga2
from pipeline.study.catalog import load_catalog
from pipeline.study.config import load_config, load_train_config
from pipeline.study.problem import StudyModel
from pipeline.study.registry import normalize
from pipeline.training import features_frame, fixed_estimator, load_training_data

STUDY = ROOT / "configs" / "studies" / "composition_families.yaml"
CATALOG_STUDY = ROOT / "configs" / "default.yaml"


class CountingSurrogate:
    """Wraps the fitted model: counts predict_table calls and rows, and the time they take."""

    def __init__(self, model):
        self.model, self.domain_ = model, model.domain_
        self.calls, self.rows, self.seconds = 0, 0, 0.0

    def predict_table(self, query, coverage=0.9):
        started = time.perf_counter()
        table = self.model.predict_table(query, coverage=coverage)
        self.seconds += time.perf_counter() - started
        self.calls, self.rows = self.calls + 1, self.rows + len(query)
        return table


def fit_surrogate(train_config: Path):
    """The model `make run` trains: the training config's fixed recipe on its data."""
    config = load_train_config(train_config)
    data = load_training_data(config)
    model = fixed_estimator(config.tuning.seed, config.tuning.fixed_n_estimators)
    model.fit(
        features_frame(data.rows),
        data.rows["log10_sigma"].to_numpy(float),
        groups=data.rows["formula_key"].to_numpy(),
    )
    return model, len(data.rows), data.data_hash


def timed_study(path: Path, overrides: list[str], catalog, surrogate):
    started = time.perf_counter()
    config = load_config(path, ["tracking.enabled=false", *overrides])
    model = StudyModel(catalog, config, surrogate)
    result = nsga2.run_nsga2(model, progress=False)
    return time.perf_counter() - started, model, result


def archive_hv(model: StudyModel, F: np.ndarray) -> float:
    bounds = {n: model.config.normalization[n] for n in model.objectives}
    return nsga2.hypervolume(normalize(F, model.objectives, bounds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--train-config", type=Path, default=ROOT / "configs" / "train_default.yaml"
    )
    parser.add_argument("--population", type=int, default=100)
    parser.add_argument("--generations", type=int, default=100)
    args = parser.parse_args()

    fit_started = time.perf_counter()
    fitted, n_rows, data_hash = fit_surrogate(args.train_config)
    fit_s = time.perf_counter() - fit_started
    catalog = load_catalog(ROOT / "configs" / "catalog")
    budget = [f"search.population_size={args.population}", f"search.generations={args.generations}"]

    surrogate = CountingSurrogate(fitted)
    timed_study(STUDY, budget, catalog, surrogate)  # warm-up: imports, featurizer caches
    surrogate = CountingSurrogate(fitted)
    comp_wall, model, result = timed_study(STUDY, budget, catalog, surrogate)
    calls_at_start = surrogate.calls
    catalog_wall, _, _ = timed_study(CATALOG_STUDY, budget, catalog, CountingSurrogate(fitted))

    front = model.table(result.archive.X)
    hv = archive_hv(model, result.archive.F)
    big = [
        f"search.population_size={4 * args.population}",
        f"search.generations={5 * args.generations}",
    ]
    every = nsga2.HV_EVERY
    nsga2.HV_EVERY = 10**9  # the reference's per-generation history is not needed, only its end
    try:
        _, ref_model, reference = timed_study(STUDY, big, catalog, CountingSurrogate(fitted))
    finally:
        nsga2.HV_EVERY = every
    hv_reference = archive_hv(ref_model, reference.archive.F)

    write_result(
        "composition",
        {
            "composition_wall_s": comp_wall,
            "catalog_wall_s": catalog_wall,
            "composition_over_catalog_wall": comp_wall / catalog_wall,
            "meets_wall_target": comp_wall / catalog_wall <= 5.0,
            "evaluations": result.n_evals,
            "surrogate_rows_predicted": surrogate.rows,
            "surrogate_predict_s": surrogate.seconds,
            "surrogate_predictions_per_s": surrogate.rows / surrogate.seconds,
            "surrogate_calls_during_search": surrogate.calls - calls_at_start,
            "front_size": len(front),
            "front_predicted_compositions": int(front["sigma_predicted"].sum()),
            "front_fraction_in_domain": float(front["in_domain"].astype(bool).mean()),
            "hv": hv,
            "hv_reference": hv_reference,
            "reference_evaluations": reference.n_evals,
            "hv_fraction_of_reference": hv / hv_reference,
            "meets_hv_target": hv / hv_reference >= 0.99,
            "surrogate_fit_s": fit_s,
            "surrogate_training_rows": n_rows,
            "surrogate_data_hash": data_hash,
            "train_config": str(args.train_config),
        },
        packages=("numpy", "pymoo", "scikit-learn", "pymatgen"),
    )


if __name__ == "__main__":
    main()
