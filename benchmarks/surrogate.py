"""Accuracy and calibration of the conductivity surrogate against the OBELiX paper's baseline.

Headline (issue 14): extrapolation. A surrogate that proposes new compositions must be measured on
materials unlike its training data, so the headline figures come from splits fixed before any
modelling change of issue 14 (k, seeds and rules below were written down first, never varied):
- leave-one-cluster-out (LOCO; Meredig et al., Mol. Syst. Des. Eng. 2018): KMeans with k = 5
  (seed 0, n_init 10) on the standardized Magpie-style composition descriptors
  (surrogates.features.composition_features); each cluster is one test fold;
- leave-one-family-out (LOFO): every OBELiX family label with >= 10 rows is a fold, the rest
  (smaller families and unlabelled rows) one more fold;
- leave-source-out (LOSO): 5 folds grouped by source DOI (shuffled GroupKFold, seed 0); a fold per DOI
  (177 of them) would cost 177 fits;
in every split, training rows that share a composition with a test row are removed from training.
Scored on the OBELiX training split *minus the lockbox* (below), beside the OBELiX paper's baseline
(random forest, 500 trees, on element fractions + space group + lattice, censored rows at 1e-15 as
the paper does) trained on the same folds in the same run. ssemo is scored twice:
- default: the untuned configuration (`DEFAULT_CONFIG`: the tuner's first starting trial, the
  quantile-forest median on element fractions + structure); on all three splits;
- tuned: Optuna inside each LOCO training part only (nested), every trial scored by leave-one-cluster-
  out *within* that training part (KMeans k = 4 on it), $SSEMO_BENCH_TRIALS trials (default 4: the
  tuner's starting configurations); LOCO only, for run time.
Figures: MAE with censored rows at -15 (the benchmark's convention) and on measured rows; a
censoring-aware MAE (a censored row's error is how far the prediction lies above its reported bound);
coverage of the 90 % interval (censored rows at -15) overall and per applicability bin; median interval
width in decades; n_predictions_at_censoring_value: measured rows predicted within 0.5 decade of -15.
Below detection (issue 26), on every split and on the grouped CV of the default recipe:
below_detection_precision / _recall of the rows reported as a bound, ssemo flagging a row when its
calibrated p_below_detection >= 0.5 (with the Brier score and mean p per class), the baseline when
its prediction lies below the detection limit (-10); MAE with censored rows at -15 (the OBELiX
paper's convention, `mae_*`) and on measured rows (`mae_measured_rows_*`, `mae_*_measured_rows`).
What bounds the width (issue 26), per split: `interval_width_constant_85*`, `*_if_measurable*` and
`share_lower_end_in_below_detection_component` (score()'s docstring says what each is); also
`per_fold_*`, `mae_ratio_*` (with a 95 % paired row-bootstrap interval, `*_ci95_low/high`, on each
split and on the grouped CV; ratio_interval) and the `meets_loco_*_target` flags.

Lockbox: benchmarks/lockbox.json lists OBELiX training IDs withheld from everything above (chosen at
the start of issue 14 before any modelling change: source DOIs in a seeded random order, seed 14,
until >= 15 % of rows, plus every row sharing a composition with them; its SHA-256 is checked on every
run). `--lockbox` trains on all non-lockbox rows and scores the lockbox once per model version
(surrogates.MODEL_VERSION): every scoring is a line of the committed, append-only, hash-chained ledger
benchmarks/lockbox_ledger.jsonl (benchmarks/_ledger.py: date, commit, model version, data and lockbox
hashes, figures). Before anything is trained the ledger is read and checked; a model version already
in it is refused (the earlier scorings printed, exit 3), a malformed or edited ledger too (exit 4).
The ledger, not a result file, is the guard: `make clean` or a fresh clone cannot re-enable a scoring.
Every run carries the ledger into its results (`lockbox_ledger`); `lockbox_model_version` says which
model was scored last (1 = before the version existed), `model_version` which one this run measured.

More data (issue 14: "and more with all shipped data"): LOCO on the same folds with each training part
extended by the McHaffie 2025 and Kang 2023 rows of the shipped table that the same KMeans puts in
another cluster and that share no composition with a test row (`*_loco_default_all_shipped`, the
untuned model and the baseline on the same rows).

`interval_width_median_lower_bound_85_decades`: the narrowest median width any intervals centred on
the same predictions could have while covering 85 % of the rows (an oracle that knows every error);
what the point predictions allow, whatever the uncertainty model.

The model `make run` trains (issue 16: configs/train_default.yaml's fixed recipe, no tuning) is also
scored by 5-fold cross-validation grouped by composition on the non-lockbox rows, on the same folds as
the legacy figures below (shuffled GroupKFold, seed 0), beside the baseline on those folds:
mae_default_grouped_cv, mae_baseline_rf_grouped_cv (always computed; ~25 s).

Then, unless SSEMO_BENCH_LEGACY=0, the interpolation figures of before issue 14 (on non-lockbox rows):
5-fold cross-validation grouped by composition (shuffled GroupKFold, seed 0), ssemo tuned by Optuna
*inside each outer training fold*, both with censored values at 1e-15 S/cm and with censored rows
dropped; split sensitivity (mae_ratio_*_config_split_*), the repeat-measurement noise floor
(mae_repeat_measurements), and Liverpool (unseen temperatures of seen materials and unseen materials;
lockbox compositions removed).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sklearn.cluster import KMeans
from sklearn.ensemble import RandomForestRegressor
from sklearn.model_selection import GroupKFold, KFold
from sklearn.preprocessing import StandardScaler

from benchmarks import _ledger
from benchmarks._common import paired_ratio_interval, write_result
from surrogates import MODEL_VERSION, datasets
from surrogates.chemistry import parse_formula
from surrogates.evaluation import cross_validate, grouped_folds, r2_score
from surrogates.features import composition_features
from surrogates.model import ConductivitySurrogate
from surrogates.tuning import DEFAULT_FOREST, WINDOW_MEAN_FOREST, model_from_params, tune

SEED = 0
N_FOLDS = 5
INNER_TRIALS = int(os.environ.get("SSEMO_BENCH_TRIALS", "6"))
# extrapolation splits (fixed at the start of issue 14, before any modelling change)
LOCO_K, LOCO_SEED, INNER_LOCO_K = 5, 0, 4
FAMILY_MIN_ROWS = 10
SOURCE_FOLDS = 5
EXTRAPOLATION_TRIALS = int(os.environ.get("SSEMO_BENCH_TRIALS", "4"))
CENSORING_VALUE, DETECTION_LIMIT = -15.0, -10.0
AT_CENSORING_TOLERANCE = 0.5  # decades: a prediction this close to -15 counts as "at" it
APPLICABILITY_BINS = (0.0, 0.05, 0.5, 1.0000001)
DEFAULT_CONFIG: dict[str, Any] = {"descriptors": "fractions", "model_params": DEFAULT_FOREST}
LOCKBOX_FILE = Path(__file__).resolve().parent / "lockbox.json"
SHIPPED_TABLE = Path(__file__).resolve().parents[1] / "configs/data/literature_conductivity.csv.gz"
LOCKBOX_SEED, LOCKBOX_FRACTION = 14, 0.15
# the OBELiX files the bench reads (their SHA-256 goes into a lockbox scoring's ledger line)
OBELIX_FILES = (
    "all.csv",
    "train.csv",
    "test.csv",
    "train_idx.csv",
    "test_idx.csv",
    "all_cifs.tar.gz",
)
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


def baseline_forest() -> RandomForestRegressor:
    """The OBELiX paper's baseline model: a random forest of 500 trees."""
    return RandomForestRegressor(n_estimators=500, random_state=SEED, n_jobs=-1)


def baseline_predictions(B: np.ndarray, y: np.ndarray, train, test) -> np.ndarray:
    """The OBELiX paper's baseline: a random forest on element fractions + structure (B)."""
    return baseline_forest().fit(B[train], y[train]).predict(B[test])


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


def run_liverpool(path: Path, exclude_keys: set[str]) -> dict[str, float]:
    rows = datasets.load_liverpool(path).rows
    rows = rows[~rows["formula_key"].isin(exclude_keys)].reset_index(drop=True)
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


def select_lockbox(rows: pd.DataFrame) -> np.ndarray:
    """The lockbox rule (fixed before any modelling change of issue 14): source DOIs in a random
    order (seed 14), taken until >= 15 % of rows, plus every row sharing a composition with them."""
    dois = sorted({d for d in rows["source_doi"] if d})
    order = np.random.default_rng(LOCKBOX_SEED).permutation(len(dois))
    pick = np.zeros(len(rows), bool)
    for i in order:
        if pick.sum() >= LOCKBOX_FRACTION * len(rows):
            break
        pick |= (rows["source_doi"] == dois[i]).to_numpy()
        pick |= rows["formula_key"].isin(set(rows.loc[pick, "formula_key"])).to_numpy()
    return pick


def ids_hash(ids: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()


def lockbox_mask(rows: pd.DataFrame) -> np.ndarray:
    """Rows of the recorded lockbox (benchmarks/lockbox.json), its hash checked."""
    record = json.loads(LOCKBOX_FILE.read_text())
    if ids_hash(record["ids"]) != record["sha256"]:
        sys.exit(f"{LOCKBOX_FILE}: the ids do not match the recorded sha256")
    ids = rows["source_row"].astype(str)
    if not set(record["ids"]) <= set(ids):
        sys.exit(f"{LOCKBOX_FILE}: lockbox ids missing from the OBELiX training split")
    return ids.isin(set(record["ids"])).to_numpy()


def write_lockbox_record(rows: pd.DataFrame) -> None:
    pick = select_lockbox(rows)
    ids = sorted(rows.loc[pick, "source_row"].astype(str))
    record = {
        "what": "OBELiX training-split IDs withheld from bench-surrogate development (issue 14)",
        "rule": "source DOIs in a seeded random order (numpy default_rng(14).permutation of the "
        "sorted DOIs), taken until >= 15 % of rows, plus every row sharing a composition",
        "seed": LOCKBOX_SEED,
        "fraction": LOCKBOX_FRACTION,
        "n_rows": len(ids),
        "n_rows_total": len(rows),
        "sha256": ids_hash(ids),
        "ids": ids,
    }
    LOCKBOX_FILE.write_text(json.dumps(record, indent=1) + "\n")


# --- extrapolation splits -------------------------------------------------------------------------
Folds = list[tuple[np.ndarray, np.ndarray]]


def _without_shared_compositions(keys: np.ndarray, test: np.ndarray) -> np.ndarray:
    """Training rows: all rows not in test and sharing no composition with a test row."""
    in_test = np.zeros(len(keys), bool)
    in_test[test] = True
    shared = np.isin(keys, keys[test])
    return np.flatnonzero(~in_test & ~shared)


def cluster_model(rows: pd.DataFrame, k: int, seed: int) -> tuple[StandardScaler, KMeans]:
    scaler = StandardScaler().fit(composition_features(rows["composition"]))
    Z = scaler.transform(composition_features(rows["composition"]))
    return scaler, KMeans(n_clusters=k, random_state=seed, n_init=10).fit(Z)


def cluster_labels(rows: pd.DataFrame, k: int, seed: int) -> np.ndarray:
    return cluster_model(rows, k, seed)[1].labels_


def loco_folds(rows: pd.DataFrame) -> tuple[Folds, list[str]]:
    labels = cluster_labels(rows, LOCO_K, LOCO_SEED)
    keys = rows["formula_key"].to_numpy()
    tests = [np.flatnonzero(labels == c) for c in range(LOCO_K)]
    return [(_without_shared_compositions(keys, t), t) for t in tests], [
        f"cluster{c}" for c in range(LOCO_K)
    ]


def family_folds(rows: pd.DataFrame) -> tuple[Folds, list[str]]:
    family = rows["family"].fillna("").astype(str).to_numpy()
    counts = pd.Series(family[family != ""]).value_counts()
    named = sorted(counts[counts >= FAMILY_MIN_ROWS].index)
    label = np.where(np.isin(family, named), family, "other")
    keys = rows["formula_key"].to_numpy()
    names = [*named, "other"]
    tests = [np.flatnonzero(label == n) for n in names]
    return [(_without_shared_compositions(keys, t), t) for t in tests if len(t)], names


def source_folds(rows: pd.DataFrame) -> tuple[Folds, list[str]]:
    doi = rows["source_doi"].fillna("").astype(str).to_numpy()
    doi = np.where(doi == "", "no-doi-" + rows["formula_key"].to_numpy(), doi)
    keys = rows["formula_key"].to_numpy()
    dummy = np.zeros(len(rows))
    splitter = GroupKFold(n_splits=SOURCE_FOLDS, shuffle=True, random_state=SEED)
    tests = [test for _, test in splitter.split(dummy, dummy, doi)]
    return [(_without_shared_compositions(keys, t), t) for t in tests], [
        f"sources{i}" for i in range(len(tests))
    ]


def fit_default(rows: pd.DataFrame, y: np.ndarray) -> ConductivitySurrogate:
    """The untuned configuration; no composition-only fallback (every OBELiX row has structure, so
    it would predict nothing here)."""
    return ConductivitySurrogate(
        **DEFAULT_CONFIG, composition_fallback=False, random_state=SEED
    ).fit(rows, y, groups=rows["formula_key"].to_numpy())


def fit_tuned(rows: pd.DataFrame, y: np.ndarray, label: str) -> tuple[ConductivitySurrogate, str]:
    """Optuna on this training part only; each trial scored by leave-one-cluster-out inside it."""
    inner = cluster_labels(rows, INNER_LOCO_K, LOCO_SEED)
    study = tune(
        rows,
        y,
        inner,
        n_trials=EXTRAPOLATION_TRIALS,
        seed=SEED,
        storage=None,
        study_name=f"bench-{label}",
        models=INNER_MODELS,
        n_splits=INNER_LOCO_K,
        cv_repeats=1,
        base={"composition_fallback": False},
    )
    model = model_from_params(
        study.best_params, random_state=SEED, base={"composition_fallback": False}
    ).fit(rows, y, groups=rows["formula_key"].to_numpy())
    return model, describe_choice(study.best_params)


PREDICTED_COLUMNS = (
    "mean",
    "lower",
    "upper",
    "applicability",
    "p_below_detection",
    "lower_if_measurable",
    "upper_if_measurable",
)


def predict_rows(model: ConductivitySurrogate, rows: pd.DataFrame) -> pd.DataFrame:
    table = model.predict_table(rows, 0.9)
    return pd.DataFrame(
        {
            "mean": table["log10_sigma_mean"].to_numpy(),
            "lower": table["log10_sigma_p05"].to_numpy(),
            "upper": table["log10_sigma_p95"].to_numpy(),
            "applicability": table["applicability"].to_numpy(),
            "p_below_detection": table["p_below_detection"].to_numpy(),
            "lower_if_measurable": table["log10_sigma_if_measurable_p05"].to_numpy(),
            "upper_if_measurable": table["log10_sigma_if_measurable_p95"].to_numpy(),
        }
    )


def centred_width_lower_bound(error: np.ndarray, coverage: float) -> float:
    """The narrowest median width any intervals centred on these predictions can have while covering
    `coverage` of the rows: an oracle that knows every error covers the rows with the smallest ones
    (width 2|error|) and gives the others zero width. What the point predictions allow, whatever the
    uncertainty model."""
    k = math.ceil(coverage * len(error))
    widths = np.concatenate([2.0 * np.sort(error)[:k], np.zeros(len(error) - k)])
    return float(np.median(widths))


def below_detection_figures(censored: np.ndarray, flagged: np.ndarray) -> dict[str, Any]:
    """Precision and recall of the below-detection class (issue 26): `flagged` rows called below
    detection against the rows reported as a bound. None where undefined (nothing flagged)."""
    hits = int(np.sum(flagged & censored))
    return {
        "below_detection_n_flagged": int(flagged.sum()),
        "below_detection_n_true_positive": hits,
        "below_detection_precision": hits / int(flagged.sum()) if flagged.any() else None,
        "below_detection_recall": hits / int(censored.sum()) if censored.any() else None,
    }


def score(
    y: np.ndarray,
    censored: np.ndarray,
    pred: np.ndarray,
    low=None,
    high=None,
    applicability=None,
    p_below=None,
    low_if_measurable=None,
    high_if_measurable=None,
) -> dict[str, Any]:
    """Figures of one model's out-of-fold predictions (y: censored rows at the -15 convention).

    What bounds the interval width (issue 26, item 2): `interval_width_constant_85_decades`, the
    width a constant interval centred on each point needs to cover 85 % of the rows (twice the 85th
    percentile of |error|), beside the oracle lower bound; the interval if measurable (the
    measurable case alone, without the censoring mixture: its median width and its coverage of the
    measured rows); and `share_lower_end_in_below_detection_component`, the rows whose p exceeds
    the interval's 5 % lower tail, so that the mixture's lower end lies among the insulators.

    Below detection (issue 26): ssemo flags a row when its calibrated p_below_detection >= 0.5
    (with the Brier score and mean p of both classes); a model without p (the baseline forest) when
    its prediction lies below the detection limit (-10)."""
    measured = ~censored
    error = np.abs(pred - y)
    if p_below is not None:
        p_below = np.asarray(p_below, float)
        below = below_detection_figures(censored, p_below >= 0.5)
        below |= {
            "below_detection_brier": float(np.mean((p_below - censored) ** 2)),
            "below_detection_mean_p_censored_rows": float(p_below[censored].mean())
            if censored.any()
            else None,
            "below_detection_mean_p_measured_rows": float(p_below[measured].mean()),
        }
    else:
        below = below_detection_figures(censored, pred < DETECTION_LIMIT)
    aware = np.where(censored, np.maximum(pred - DETECTION_LIMIT, 0.0), error)
    out: dict[str, Any] = {
        "mae": float(error.mean()),
        "mae_measured_rows": float(error[measured].mean()),
        "mae_censoring_aware": float(aware.mean()),
        "n_predictions_at_censoring_value": int(
            np.sum(measured & (np.abs(pred - CENSORING_VALUE) <= AT_CENSORING_TOLERANCE))
        ),
        "n_predictions_at_censoring_value_all_rows": int(
            np.sum(np.abs(pred - CENSORING_VALUE) <= AT_CENSORING_TOLERANCE)
        ),
    }
    if low is not None:
        inside = (y >= low) & (y <= high)
        width = high - low
        out |= {
            "coverage_90": float(inside.mean()),
            "coverage_90_measured_rows": float(inside[measured].mean()),
            "interval_width_median_decades": float(np.median(width)),
            "interval_width_mean_decades": float(np.mean(width)),
            "interval_width_max_decades": float(np.max(width)),
            "interval_upper_max_log10": float(np.max(high)),
            "interval_width_median_lower_bound_85_decades": centred_width_lower_bound(error, 0.85),
            "interval_width_constant_85_decades": float(2.0 * np.quantile(error, 0.85)),
            "interval_width_constant_85_measured_rows_decades": float(
                2.0 * np.quantile(error[measured], 0.85)
            ),
        }
        if p_below is not None:
            out["share_lower_end_in_below_detection_component"] = float(np.mean(p_below > 0.05))
        if low_if_measurable is not None:
            inside_m = (y >= low_if_measurable) & (y <= high_if_measurable)
            width_m = high_if_measurable - low_if_measurable
            out |= {
                "interval_width_median_if_measurable_decades": float(np.median(width_m)),
                "coverage_90_if_measurable_measured_rows": float(inside_m[measured].mean()),
            }
        bins = {}
        for lo_edge, hi_edge in itertools.pairwise(APPLICABILITY_BINS):
            rows = (applicability >= lo_edge) & (applicability < hi_edge)
            bins[f"{lo_edge:g}-{min(hi_edge, 1):g}"] = {
                "n": int(rows.sum()),
                "coverage_90": float(inside[rows].mean()) if rows.any() else None,
                "interval_width_median_decades": float(np.median(width[rows]))
                if rows.any()
                else None,
                "mae": float(error[rows].mean()) if rows.any() else None,
            }
        out["by_applicability"] = bins
    return out | below


def summary_line(out: dict[str, Any], name: str) -> str:
    """MAE (censored rows at -15), MAE on measured rows and below-detection precision / recall of
    each model scored on one split, for the log."""

    def fmt(value) -> str:
        return "-" if value is None else f"{value:.3f}"

    parts = []
    for label, mae, rest in (
        ("tuned", f"mae_{name}", f"_{name}"),
        ("default", f"mae_{name}_default", f"_{name}_default"),
        ("baseline", f"mae_baseline_rf_{name}", f"_baseline_rf_{name}"),
    ):
        if mae not in out:
            continue
        measured = out.get(mae.replace(f"_{name}", f"_measured_rows_{name}", 1))
        parts.append(
            f"{label} MAE {fmt(out[mae])} (measured {fmt(measured)}), below detection "
            f"P {fmt(out.get('below_detection_precision' + rest))} "
            f"R {fmt(out.get('below_detection_recall' + rest))}"
        )
    return "; ".join(parts)


def run_extrapolation(
    rows: pd.DataFrame, name: str, folds: Folds, fold_names: list[str], tuned: bool
) -> dict[str, Any]:
    """Default (and tuned) ssemo and the baseline on one extrapolation split; out-of-fold figures."""
    X = rows.reset_index(drop=True)
    y = X["log10_sigma"].to_numpy(float)
    censored = X["censored"].to_numpy(bool)
    elements = sorted({e for f in X["composition"] for e in parse_formula(f)})
    B = baseline_features(X, elements)
    n = len(y)
    preds = {
        "default": pd.DataFrame(
            index=range(n),
            columns=list(PREDICTED_COLUMNS),
            dtype=float,
        )
    }
    if tuned:
        preds["tuned"] = preds["default"].copy()
    base = np.full(n, np.nan)
    per_fold: dict[str, dict[str, Any]] = {}
    for (train, test), fold_name in zip(folds, fold_names, strict=True):
        started = time.perf_counter()
        train_rows = X.iloc[train].reset_index(drop=True)
        test_rows = X.iloc[test].reset_index(drop=True)
        models = {"default": fit_default(train_rows, y[train])}
        choice = ""
        if tuned:
            models["tuned"], choice = fit_tuned(train_rows, y[train], f"{name}-{fold_name}")
        for key, model in models.items():
            preds[key].iloc[test] = predict_rows(model, test_rows).to_numpy()
        base[test] = baseline_predictions(B, y, train, test)
        per_fold[fold_name] = {
            "n": len(test),
            "n_train": len(train),
            **{
                f"mae_{key}": float(np.mean(np.abs(preds[key]["mean"].to_numpy()[test] - y[test])))
                for key in models
            },
            "mae_baseline_rf": float(np.mean(np.abs(base[test] - y[test]))),
            **({"tuned_choice": choice} if choice else {}),
        }
        print(
            f"[{name}] {fold_name}: n={len(test)} "
            + ", ".join(
                f"{k} {v:.3f}" for k, v in per_fold[fold_name].items() if k.startswith("mae")
            )
            + (f"; chose {choice}" if choice else "")
            + f" ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    out: dict[str, Any] = {}
    for key, pred in preds.items():
        figures = score(
            y,
            censored,
            pred["mean"].to_numpy(float),
            pred["lower"].to_numpy(float),
            pred["upper"].to_numpy(float),
            pred["applicability"].to_numpy(float),
            pred["p_below_detection"].to_numpy(float),
            pred["lower_if_measurable"].to_numpy(float),
            pred["upper_if_measurable"].to_numpy(float),
        )
        suffix = "" if key == "tuned" else "_default"
        out |= {f"{k}_{name}{suffix}": v for k, v in figures.items()}
        out |= ratio_interval(f"{name}{suffix}", pred["mean"].to_numpy(float), base, y)
    for k, v in score(y, censored, base).items():
        out[
            f"{k.replace('mae', 'mae_baseline_rf', 1) if k.startswith('mae') else k + '_baseline_rf'}_{name}"
        ] = v
    print(f"[{name}] {summary_line(out, name)}", flush=True)
    out[f"per_fold_{name}"] = per_fold
    out[f"n_rows_{name}"] = n
    out[f"n_folds_{name}"] = len(folds)
    return out


def ratio_interval(
    name: str, pred: np.ndarray, base: np.ndarray, y: np.ndarray
) -> dict[str, float]:
    """95 % paired-bootstrap interval of mae_ratio_<name>_to_baseline (censored rows at −15),
    resampling rows (benchmarks._common.paired_ratio_interval). On held-out clusters or families
    the rows of one fold err together, so there it understates how the ratio would move with
    another draw of clusters; on grouped CV rows are about as independent as compositions are."""
    low, high = paired_ratio_interval(pred - y, base - y)
    return {
        f"mae_ratio_{name}_to_baseline_ci95_low": low,
        f"mae_ratio_{name}_to_baseline_ci95_high": high,
    }


def shipped_extra_rows() -> pd.DataFrame:
    """The rows `make run` trains on besides OBELiX: McHaffie 2025 and Kang 2023 in the shipped table."""
    rows = datasets.load_literature(SHIPPED_TABLE).rows
    return rows[rows["dataset"] != "obelix"].reset_index(drop=True)


def run_loco_all_shipped(dev: pd.DataFrame) -> dict[str, Any]:
    """Leave-one-cluster-out on the same folds, training on every shipped dataset: each fold's training
    part gains the McHaffie and Kang rows that KMeans (fitted on the development rows) puts in another
    cluster and that share no composition with a test row, so the held-out cluster stays unseen. The
    default (untuned) model and the baseline are trained on the same rows; the issue's comparison is
    with the baseline trained on OBELiX alone (mae_baseline_rf_loco)."""
    X = dev.reset_index(drop=True)
    y = X["log10_sigma"].to_numpy(float)
    censored = X["censored"].to_numpy(bool)
    extra = shipped_extra_rows()
    scaler, km = cluster_model(X, LOCO_K, LOCO_SEED)
    extra_cluster = km.predict(scaler.transform(composition_features(extra["composition"])))
    folds, _ = loco_folds(X)
    pred = pd.DataFrame(index=range(len(y)), columns=list(PREDICTED_COLUMNS), dtype=float)
    base = np.full(len(y), np.nan)
    added = []
    for c, (train, test) in enumerate(folds):
        keep = (extra_cluster != c) & ~extra["formula_key"].isin(set(X["formula_key"].iloc[test]))
        rows = pd.concat([X.iloc[train], extra[keep.to_numpy()]], ignore_index=True)
        added.append(int(keep.sum()))
        y_rows = rows["log10_sigma"].to_numpy(float)
        p = predict_rows(fit_default(rows, y_rows), X.iloc[test].reset_index(drop=True))
        pred.iloc[test] = p[list(PREDICTED_COLUMNS)].to_numpy()
        both = pd.concat([rows, X.iloc[test]], ignore_index=True)
        B = baseline_features(
            both, sorted({e for f in both["composition"] for e in parse_formula(f)})
        )
        y_both = both["log10_sigma"].to_numpy(float)
        base[test] = baseline_predictions(
            B, y_both, np.arange(len(rows)), np.arange(len(rows), len(both))
        )
        print(f"[loco all shipped] cluster{c}: +{added[-1]} McHaffie/Kang rows", flush=True)
    figures = score(
        y,
        censored,
        pred["mean"].to_numpy(float),
        pred["lower"].to_numpy(float),
        pred["upper"].to_numpy(float),
        pred["applicability"].to_numpy(float),
        pred["p_below_detection"].to_numpy(float),
        pred["lower_if_measurable"].to_numpy(float),
        pred["upper_if_measurable"].to_numpy(float),
    )
    out = {f"{k}_loco_default_all_shipped": v for k, v in figures.items()}
    out |= {
        f"{k.replace('mae', 'mae_baseline_rf', 1)}_loco_all_shipped": v
        for k, v in score(y, censored, base).items()
        if k.startswith("mae")
    }
    print(
        f"[loco all shipped] default MAE {out['mae_loco_default_all_shipped']:.3f} (measured "
        f"{out['mae_measured_rows_loco_default_all_shipped']:.3f}), below detection P "
        f"{out['below_detection_precision_loco_default_all_shipped']} R "
        f"{out['below_detection_recall_loco_default_all_shipped']}",
        flush=True,
    )
    out["n_extra_rows_per_fold_loco_all_shipped"] = added
    return out


def run_lockbox(dev: pd.DataFrame, box: pd.DataFrame) -> dict[str, Any]:
    """Train on every non-lockbox row, score the lockbox rows once (default, tuned, baseline)."""
    dev = dev.reset_index(drop=True)
    box = box.reset_index(drop=True)
    all_rows = pd.concat([dev, box], ignore_index=True)
    y_dev = dev["log10_sigma"].to_numpy(float)
    y_box = box["log10_sigma"].to_numpy(float)
    censored = box["censored"].to_numpy(bool)
    elements = sorted({e for f in all_rows["composition"] for e in parse_formula(f)})
    B = baseline_features(all_rows, elements)
    train, test = np.arange(len(dev)), np.arange(len(dev), len(all_rows))
    y_all = np.concatenate([y_dev, y_box])
    base = baseline_predictions(B, y_all, train, test)
    out: dict[str, Any] = {"lockbox_n_rows": len(box), "lockbox_n_train_rows": len(dev)}
    tuned, choice = fit_tuned(dev, y_dev, "lockbox")
    for key, model in (("", tuned), ("_default", fit_default(dev, y_dev))):
        p = predict_rows(model, box)
        figures = score(
            y_box,
            censored,
            p["mean"].to_numpy(),
            p["lower"].to_numpy(),
            p["upper"].to_numpy(),
            p["applicability"].to_numpy(),
            p["p_below_detection"].to_numpy(),
        )
        out |= {f"lockbox_{k}{key}": v for k, v in figures.items()}
    out |= {
        f"lockbox_{k.replace('mae', 'mae_baseline_rf', 1)}": v
        for k, v in score(y_box, censored, base).items()
        if k.startswith("mae")
    }
    out["lockbox_tuned_choice"] = choice
    out["lockbox_model_version"] = MODEL_VERSION
    out["lockbox_mae_ratio_to_baseline"] = out["lockbox_mae"] / out["lockbox_mae_baseline_rf"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lockbox", action="store_true", help="score the lockbox (once)")
    args = parser.parse_args()
    # the committed ledger is checked first: a refused scoring costs nothing
    ledger = _ledger.guard(_ledger.LEDGER, MODEL_VERSION) if args.lockbox else read_ledger_or_exit()
    root = shared_data()
    started = time.perf_counter()
    loaded = datasets.load_obelix(root / "obelix", "train").rows
    if not LOCKBOX_FILE.exists():
        write_lockbox_record(loaded)
    in_box = lockbox_mask(loaded)
    with_censored_all = datasets.apply_censoring(loaded, "value", CENSORING_VALUE)
    dev = with_censored_all[~in_box].reset_index(drop=True)
    if args.lockbox:
        score_lockbox_once(root, loaded, dev, with_censored_all[in_box], started)
        return
    figures: dict[str, Any] = {
        "lockbox_sha256": json.loads(LOCKBOX_FILE.read_text())["sha256"],
        "n_rows_development": len(dev),
        "n_rows_lockbox": int(in_box.sum()),
        "loco_k": LOCO_K,
        "loco_seed": LOCO_SEED,
        "extrapolation_trials": EXTRAPOLATION_TRIALS,
    }
    for name, make, tuned in (
        ("loco", loco_folds, True),
        ("lofo", family_folds, False),
        ("loso", source_folds, False),
    ):
        folds, names = make(dev)
        if name == "loco" and EXTRAPOLATION_TRIALS < 1:
            tuned = False
        figures |= run_extrapolation(dev, name, folds, names, tuned)
    if "mae_loco" in figures:
        figures["mae_ratio_loco_to_baseline"] = (
            figures["mae_loco"] / figures["mae_baseline_rf_loco"]
        )
        figures["meets_loco_mae_target"] = figures["mae_ratio_loco_to_baseline"] <= 0.85
        figures["meets_loco_coverage_target"] = 0.85 <= figures["coverage_90_loco"] <= 0.95
        figures["meets_loco_width_target"] = figures["interval_width_median_decades_loco"] <= 4.0
        figures["interval_width_median_decades"] = figures["interval_width_median_decades_loco"]
        figures["n_predictions_at_censoring_value"] = figures[
            "n_predictions_at_censoring_value_loco"
        ]
    figures["mae_ratio_loco_default_to_baseline"] = (
        figures["mae_loco_default"] / figures["mae_baseline_rf_loco"]
    )
    figures |= run_loco_all_shipped(dev)
    figures["mae_ratio_loco_default_all_shipped_to_baseline"] = (
        figures["mae_loco_default_all_shipped"] / figures["mae_baseline_rf_loco"]
    )
    figures |= default_recipe_grouped_cv(dev)
    # the lockbox's scorings, as the ledger records them; never recomputed here
    figures["lockbox_ledger"] = [entry.record for entry in ledger]
    figures["lockbox_model_version"] = ledger[-1].model_version
    figures["model_version"] = MODEL_VERSION
    figures["wall_s"] = time.perf_counter() - started
    packages = ("numpy", "scikit-learn", "optuna", "pymatgen-core")
    write_result(
        "surrogate", figures, packages=packages
    )  # the headline, before the long legacy part
    if os.environ.get("SSEMO_BENCH_LEGACY", "1") != "0":
        figures |= legacy(root, dev, set(loaded.loc[in_box, "formula_key"]))
        figures["wall_s"] = time.perf_counter() - started
        write_result("surrogate", figures, packages=packages)


def read_ledger_or_exit() -> list[_ledger.Entry]:
    """The lockbox ledger's entries; a missing, malformed or edited ledger stops the bench (exit 4)."""
    try:
        return _ledger.read_ledger(_ledger.LEDGER)
    except _ledger.LedgerError as exc:
        print(f"lockbox ledger refused: {exc}", file=sys.stderr)
        raise SystemExit(_ledger.EXIT_LEDGER_INVALID) from None


def score_lockbox_once(
    root: Path, loaded: pd.DataFrame, dev: pd.DataFrame, box: pd.DataFrame, started: float
) -> None:
    """Score the lockbox (the ledger's guard passed), append the scoring to the ledger, then write
    benchmarks/results/surrogate_lockbox.json (a copy of the figures; the ledger is the record)."""
    repo = Path(__file__).resolve().parents[1]
    commit, dirty = _ledger.git_commit(repo)
    folder = root / "obelix"
    fields = {
        "date": _ledger.now(),
        "commit": commit,
        "commit_dirty": dirty,
        "model_version": MODEL_VERSION,
        "data_sha256": datasets.content_hash(loaded),
        "data_files_sha256": {
            f"obelix/{name}": _ledger.file_sha256(folder / name)
            for name in OBELIX_FILES
            if (folder / name).is_file()
        },
        "lockbox_sha256": _ledger.file_sha256(LOCKBOX_FILE),
    }
    boxed = run_lockbox(dev, box)
    boxed["wall_s"] = time.perf_counter() - started
    try:
        entry = _ledger.append_entry(_ledger.LEDGER, fields | {"figures": boxed})
    except (_ledger.LedgerError, _ledger.AlreadyScored, OSError) as exc:
        print(json.dumps(boxed, indent=2, default=str))
        print(f"the lockbox was scored but NOT recorded in the ledger: {exc}", file=sys.stderr)
        raise SystemExit(_ledger.EXIT_LEDGER_INVALID) from None
    write_result("surrogate_lockbox", boxed, packages=("numpy", "scikit-learn", "optuna"))
    print(f"recorded as {_ledger.LEDGER}:{entry.line}: {entry.describe()}")
    print(
        f"commit the ledger now (git add {os.path.relpath(_ledger.LEDGER, repo)} && git commit): "
        "uncommitted, other clones do not know this model version was scored"
    )


def default_recipe_grouped_cv(rows: pd.DataFrame) -> dict[str, Any]:
    """The model `make run` trains (configs/train_default.yaml's fixed recipe, as ssemo train builds
    it) and the baseline on the legacy grouped folds (grouped_folds(formula_key, N_FOLDS, SEED), as
    in run_obelix); the folds run side by side (n_jobs), which does not change the result."""
    from pipeline.study.config import load_train_config
    from pipeline.training import features_frame, fixed_estimator

    config = load_train_config(Path(__file__).resolve().parents[1] / "configs/train_default.yaml")
    rows = rows.reset_index(drop=True)
    X = features_frame(rows)  # the columns ssemo train gives the model
    y = rows["log10_sigma"].to_numpy(float)
    groups = rows["formula_key"].to_numpy()
    estimator = fixed_estimator(SEED, config.tuning.fixed_n_estimators)
    started = time.perf_counter()
    cv = cross_validate(estimator, X, y, groups, n_splits=N_FOLDS, seed=SEED, n_jobs=-1)
    B = baseline_features(rows, sorted({e for f in rows["composition"] for e in parse_formula(f)}))
    base = np.empty(len(y))
    for train, test in grouped_folds(groups, N_FOLDS, SEED):
        base[test] = baseline_predictions(B, y, train, test)
    pred = cv.oof["mean"].to_numpy()
    censored = rows["censored"].to_numpy(bool)
    ours = score(y, censored, pred, p_below=cv.oof["p_below_detection"].to_numpy())
    below = {
        f"{k}_default_grouped_cv": v for k, v in ours.items() if k.startswith("below_detection")
    }
    below |= {
        f"{k}_baseline_rf_grouped_cv": v
        for k, v in score(y, censored, base).items()
        if k.startswith("below_detection")
    }
    out = {
        **below,
        "mae_default_grouped_cv": cv.mae,
        "mae_baseline_rf_grouped_cv": float(np.mean(np.abs(base - y))),
        "mae_ratio_default_grouped_cv_to_baseline": cv.mae / float(np.mean(np.abs(base - y))),
        **ratio_interval("default_grouped_cv", pred, base, y),
        "mae_default_grouped_cv_measured_rows": float(np.mean(np.abs(pred - y)[~censored])),
        "mae_baseline_rf_grouped_cv_measured_rows": float(np.mean(np.abs(base - y)[~censored])),
        "coverage_90_default_grouped_cv": cv.coverage_90,
        "interval_width_median_decades_default_grouped_cv": float(
            np.median(cv.oof["upper"] - cv.oof["lower"])
        ),
        "default_recipe_n_estimators": config.tuning.fixed_n_estimators,
        "default_grouped_cv_wall_s": time.perf_counter() - started,
    }
    print(
        f"[grouped CV] default recipe MAE {out['mae_default_grouped_cv']:.3f} (measured "
        f"{out['mae_default_grouped_cv_measured_rows']:.3f}), baseline "
        f"{out['mae_baseline_rf_grouped_cv']:.3f} ({out['mae_baseline_rf_grouped_cv_measured_rows']:.3f}); "
        f"below detection P/R {out['below_detection_precision_default_grouped_cv']} / "
        f"{out['below_detection_recall_default_grouped_cv']}, baseline "
        f"{out['below_detection_precision_baseline_rf_grouped_cv']} / "
        f"{out['below_detection_recall_baseline_rf_grouped_cv']} "
        f"({out['default_grouped_cv_wall_s']:.0f} s)",
        flush=True,
    )
    return out


def legacy(root: Path, dev: pd.DataFrame, lockbox_keys: set[str]) -> dict[str, Any]:
    """The interpolation figures of before issue 14, on the non-lockbox rows."""
    dropped = dev[~dev["censored"]].reset_index(drop=True)
    a = run_obelix(dev, "censored-at-1e-15")
    b = run_obelix(dropped, "censored-dropped")
    liverpool = run_liverpool(root / "liverpool_ionics" / "LiIonDatabase.csv", lockbox_keys)
    return {
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
        **repeat_noise_floor(dev),
        **split_sensitivity(dev),
        **liverpool,
    }


if __name__ == "__main__":
    main()
