"""Accuracy and calibration of the conductivity surrogate against the OBELiX paper's baseline.

OBELiX training split (../shared/data/obelix, or $SSEMO_SHARED_DATA/obelix), 5-fold cross-validation
grouped by composition (shuffled GroupKFold, seed 0). On the same folds, in the same run:
- ssemo: the ConductivitySurrogate, tuned by Optuna *inside each outer training fold* (nested: the
  held-out fold never influences the hyperparameters or the choice of descriptors, element fractions
  or Magpie-style statistics, each + structure; every trial scored on 4 grouped inner folds, 3
  shuffles of them by default ($SSEMO_BENCH_CV_REPEATS); the configuration chosen per fold is recorded);
- baseline: random forest on element fractions + space group + lattice parameters (OBELiX paper).
Both with censored values at 1e-15 S/cm (OBELiX convention) and with censored rows dropped.
Then Liverpool (conductivity vs temperature): MAE at unseen temperatures of seen materials (rows of
multi-temperature compositions split at random) and at unseen materials (grouped by composition).
Targets (issue 3): mae_ssemo <= 0.8 * mae_baseline_rf; 0.85 <= coverage_90 <= 0.95.
Context: mae_ratio_default_config_split_* and mae_ratio_local_mean_config_split_*, the ratio for two
fixed ssemo configurations over five fold shuffles (how much of the headline ratio is the luck of one
split), and on how many of them the window mean beat the median (split_seeds_local_mean_better);
mae_repeat_measurements, the MAE of predicting a measurement of a composition by the median of its
other measurements (compositions reported more than once): the literature's own scatter;
mae_*_on_censored_rows / _on_measured_rows, the same predictions scored apart on the rows reported as
`<1E-10` and on those with a measured value.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sklearn.ensemble import RandomForestRegressor
from sklearn.model_selection import KFold

from benchmarks._common import write_result
from surrogates import datasets
from surrogates.chemistry import parse_formula
from surrogates.evaluation import grouped_folds, r2_score
from surrogates.model import ConductivitySurrogate
from surrogates.tuning import DEFAULT_FOREST, WINDOW_MEAN_FOREST, model_from_params, tune

SEED = 0
N_FOLDS = 5
INNER_TRIALS = int(os.environ.get("SSEMO_BENCH_TRIALS", "6"))
# each inner trial is scored on this many shuffles of the inner grouped folds (tuning cv_repeats)
INNER_CV_REPEATS = int(os.environ.get("SSEMO_BENCH_CV_REPEATS", "3"))
# gbm/gp are tuned by `ssemo train` too; only the forest is tuned here, since tuning all three inside
# every outer fold would triple the benchmark's run time
INNER_MODELS = ("forest",)


def shared_data() -> Path:
    root = Path(
        os.environ.get("SSEMO_SHARED_DATA")
        or Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    if not (root / "obelix" / "train.csv").exists():
        sys.exit(f"benchmark needs the OBELiX copy at {root / 'obelix'} (set SSEMO_SHARED_DATA)")
    return root


def baseline_features(rows: pd.DataFrame, elements: list[str]) -> np.ndarray:
    fractions = []
    for formula in rows["composition"]:
        amounts = parse_formula(formula)
        total = sum(amounts.values())
        fractions.append([amounts.get(e, 0.0) / total for e in elements])
    structure = (
        rows[["space_group_number", "a", "b", "c", "alpha", "beta", "gamma"]]
        .fillna(-1.0)
        .to_numpy()
    )
    return np.hstack([np.array(fractions), structure])


def baseline_predictions(B: np.ndarray, y: np.ndarray, train, test) -> np.ndarray:
    """The OBELiX paper's baseline: a random forest on element fractions + structure (B)."""
    forest = RandomForestRegressor(n_estimators=500, random_state=SEED, n_jobs=-1)
    return forest.fit(B[train], y[train]).predict(B[test])


def describe_choice(params: dict[str, Any]) -> str:
    """The tuned configuration in one word, e.g. forest/fractions/extra/local_mean/q0.40/w2.00."""
    words = [
        str(params.get(k, "")) for k in ("model", "descriptors", "forest_kind", "forest_aggregate")
    ]
    for key, letter in (("forest_point_quantile", "q"), ("forest_window_decades", "w")):
        if key in params:
            words.append(f"{letter}{params[key]:.2f}")
    return "/".join(words)


def run_obelix(rows: pd.DataFrame, label: str) -> dict[str, Any]:
    X = rows.reset_index(drop=True)
    y = X["log10_sigma"].to_numpy(float)
    groups = X["formula_key"].to_numpy()
    folds = grouped_folds(groups, N_FOLDS, SEED)
    elements = sorted({e for f in X["composition"] for e in parse_formula(f)})
    B = baseline_features(X, elements)
    pred_ssemo, pred_base = np.empty(len(y)), np.empty(len(y))
    low, high = np.empty(len(y)), np.empty(len(y))
    choices: dict[str, str] = {}
    for i, (train, test) in enumerate(folds):
        started = time.perf_counter()
        study = tune(
            X.iloc[train],
            y[train],
            groups[train],
            n_trials=INNER_TRIALS,
            seed=SEED,
            storage=None,
            study_name=f"bench-{label}-{i}",
            models=INNER_MODELS,
            n_splits=4,
            cv_repeats=INNER_CV_REPEATS,
        )
        model = model_from_params(study.best_params, random_state=SEED).fit(
            X.iloc[train], y[train], groups=groups[train]
        )
        params = study.best_params
        choices[f"fold{i + 1}_choice"] = describe_choice(params)
        pred_ssemo[test] = model.predict(X.iloc[test])
        low[test], high[test] = model.predict_interval(X.iloc[test], 0.9)
        pred_base[test] = baseline_predictions(B, y, train, test)
        print(
            f"[{label}] fold {i + 1}/{len(folds)}: ssemo MAE {np.mean(np.abs(pred_ssemo[test] - y[test])):.3f}, "
            f"baseline {np.mean(np.abs(pred_base[test] - y[test])):.3f}; chose {choices[f'fold{i + 1}_choice']} "
            f"({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    return {
        "mae_ssemo": float(np.mean(np.abs(pred_ssemo - y))),
        "mae_baseline_rf": float(np.mean(np.abs(pred_base - y))),
        "r2_ssemo": r2_score(y, pred_ssemo),
        "r2_baseline_rf": r2_score(y, pred_base),
        "coverage_90": float(np.mean((y >= low) & (y <= high))),
        "interval_width_90": float(np.mean(high - low)),
        # the mean is dominated by the few rows whose leaves hold both modes (insulator at -15 and
        # conductor); the median is the typical width
        "interval_width_90_median": float(np.median(high - low)),
        "n_rows": len(y),
        **censored_breakdown(X["censored"].to_numpy(bool), y, pred_ssemo, pred_base),
        **choices,
    }


def censored_breakdown(
    censored: np.ndarray, y: np.ndarray, pred_ssemo: np.ndarray, pred_base: np.ndarray
) -> dict[str, float]:
    """Where the MAE difference comes from: rows reported as a bound (`<1E-10`, set to the censoring
    value) and rows with a measured value, scored apart. Empty when no row is censored."""
    if not censored.any():
        return {}
    figures: dict[str, float] = {"n_rows_censored": int(censored.sum())}
    for name, rows in (("censored_rows", censored), ("measured_rows", ~censored)):
        for model, pred in (("ssemo", pred_ssemo), ("baseline_rf", pred_base)):
            figures[f"mae_{model}_on_{name}"] = float(np.mean(np.abs(pred[rows] - y[rows])))
    return figures


# untuned starting configurations of the tuner scored over several fold shuffles (fractions +
# structure): the quantile forest median and the window mean around the 0.4 quantile
SPLIT_CONFIGS = {"default": DEFAULT_FOREST, "local_mean": WINDOW_MEAN_FOREST}


def split_sensitivity(rows: pd.DataFrame, seeds: range = range(5)) -> dict[str, float]:
    """How much the MAE ratio to the baseline depends on which grouped 5-fold split is drawn: fixed
    ssemo configurations (SPLIT_CONFIGS; untuned, so no inner tuning) against the baseline forest on
    the folds of several shuffle seeds. The headline ratio is one split (seed 0); this range is the
    yardstick for reading a few per cent of it, and the paired count says on how many splits the
    window mean beat the median."""
    X = rows.reset_index(drop=True)
    y = X["log10_sigma"].to_numpy(float)
    groups = X["formula_key"].to_numpy()
    B = baseline_features(X, sorted({e for f in X["composition"] for e in parse_formula(f)}))
    ratios: dict[str, list[float]] = {name: [] for name in SPLIT_CONFIGS}
    for seed in seeds:
        pred_base = np.empty(len(y))
        preds = {name: np.empty(len(y)) for name in SPLIT_CONFIGS}
        for train, test in grouped_folds(groups, N_FOLDS, seed):
            pred_base[test] = baseline_predictions(B, y, train, test)
            for name, params in SPLIT_CONFIGS.items():
                model = ConductivitySurrogate(
                    descriptors="fractions", model_params=params, random_state=SEED
                ).fit(X.iloc[train], y[train], groups=groups[train])
                preds[name][test] = model.predict(X.iloc[test])
        base = np.mean(np.abs(pred_base - y))
        for name, pred in preds.items():
            ratios[name].append(float(np.mean(np.abs(pred - y)) / base))
        print(
            f"[split seed {seed}] untuned / baseline MAE: "
            + ", ".join(f"{name} {r[-1]:.3f}" for name, r in ratios.items()),
            flush=True,
        )
    figures: dict[str, float] = {"split_seeds_default_config": len(seeds)}
    for name, r in ratios.items():
        figures[f"mae_ratio_{name}_config_split_min"] = float(np.min(r))
        figures[f"mae_ratio_{name}_config_split_mean"] = float(np.mean(r))
        figures[f"mae_ratio_{name}_config_split_max"] = float(np.max(r))
    figures["split_seeds_local_mean_better"] = int(
        np.sum(np.array(ratios["local_mean"]) < np.array(ratios["default"]))
    )
    return figures


def repeat_noise_floor(rows: pd.DataFrame) -> dict[str, float]:
    """How well one measurement of a composition predicts another: each row of a composition measured
    more than once, predicted by the median of that composition's other rows. No model can be
    expected to beat this much on unseen compositions; it puts the MAE target in context."""
    y = rows["log10_sigma"].to_numpy(float)
    keys = rows["formula_key"].to_numpy()
    errors = []
    for key in np.unique(keys):
        members = np.flatnonzero(keys == key)
        if len(members) < 2:
            continue
        for i in members:
            errors.append(abs(y[i] - np.median(y[members[members != i]])))
    return {
        "mae_repeat_measurements": float(np.mean(errors)),
        "n_rows_repeat_measurements": len(errors),
    }


def run_liverpool(path: Path) -> dict[str, float]:
    rows = datasets.load_liverpool(path).rows.reset_index(drop=True)
    y = rows["log10_sigma"].to_numpy(float)
    groups = rows["formula_key"].to_numpy()
    out: dict[str, float] = {"liverpool_n_rows": len(rows)}
    # unseen materials
    pred, inside = np.empty(len(y)), np.empty(len(y), bool)
    for train, test in grouped_folds(groups, N_FOLDS, SEED):
        m = ConductivitySurrogate(random_state=SEED).fit(
            rows.iloc[train], y[train], groups=groups[train]
        )
        pred[test] = m.predict(rows.iloc[test])
        lo, hi = m.predict_interval(rows.iloc[test], 0.9)
        inside[test] = (y[test] >= lo) & (y[test] <= hi)
    out["liverpool_mae_unseen_material"] = float(np.mean(np.abs(pred - y)))
    out["liverpool_coverage_90_unseen_material"] = float(inside.mean())
    # unseen temperatures of seen materials: rows of compositions measured at >= 3 temperatures
    counts = rows.groupby("formula_key")["temperature_k"].transform("nunique").to_numpy()
    multi = np.flatnonzero(counts >= 3)
    errors, covered = [], []
    for _train_m, test_m in KFold(N_FOLDS, shuffle=True, random_state=SEED).split(multi):
        test = multi[test_m]
        train = np.setdiff1d(np.arange(len(y)), test)
        m = ConductivitySurrogate(random_state=SEED).fit(
            rows.iloc[train], y[train], groups=groups[train]
        )
        errors.append(np.abs(m.predict(rows.iloc[test]) - y[test]))
        lo, hi = m.predict_interval(rows.iloc[test], 0.9)
        covered.append((y[test] >= lo) & (y[test] <= hi))
    out["liverpool_mae_unseen_temperature"] = float(np.mean(np.concatenate(errors)))
    out["liverpool_coverage_90_unseen_temperature"] = float(np.mean(np.concatenate(covered)))
    out["liverpool_n_rows_unseen_temperature"] = len(multi)
    return out


def main() -> None:
    root = shared_data()
    started = time.perf_counter()
    loaded = datasets.load_obelix(root / "obelix", "train").rows
    with_censored = datasets.apply_censoring(loaded, "value", -15.0)
    dropped = datasets.apply_censoring(loaded, "drop")
    a = run_obelix(with_censored, "censored-at-1e-15")
    b = run_obelix(dropped, "censored-dropped")
    liverpool = run_liverpool(root / "liverpool_ionics" / "LiIonDatabase.csv")
    figures = {
        **a,
        **{f"censored_dropped_{k}": v for k, v in b.items() if k.endswith("_choice")},
        "mae_ssemo_censored_dropped": b["mae_ssemo"],
        "mae_baseline_rf_censored_dropped": b["mae_baseline_rf"],
        "coverage_90_censored_dropped": b["coverage_90"],
        "n_rows_censored_dropped": b["n_rows"],
        "mae_ratio_ssemo_to_baseline": a["mae_ssemo"] / a["mae_baseline_rf"],
        "mae_ratio_ssemo_to_baseline_censored_dropped": b["mae_ssemo"] / b["mae_baseline_rf"],
        "meets_mae_target": a["mae_ssemo"] <= 0.8 * a["mae_baseline_rf"],
        "meets_coverage_target": 0.85 <= a["coverage_90"] <= 0.95,
        "n_folds": N_FOLDS,
        "inner_trials": INNER_TRIALS,
        "inner_cv_repeats": INNER_CV_REPEATS,
        **repeat_noise_floor(with_censored.reset_index(drop=True)),
        **split_sensitivity(with_censored),
        **liverpool,
        "wall_s": time.perf_counter() - started,
    }
    write_result(
        "surrogate", figures, packages=("numpy", "scikit-learn", "optuna", "pymatgen-core")
    )


if __name__ == "__main__":
    main()
