"""How the surrogate's interval calibration was chosen (issue 14), on data the OBELiX benchmark never scores.

Rows: the McHaffie 2025 and Kang 2023 rows of the shipped table (configs/data/literature_conductivity.csv.gz)
whose composition is not in OBELiX at all (313 rows), so bench-surrogate's folds and lockbox stay
untouched by the choice. Model: ConductivitySurrogate with the default forest on element fractions
(these rows carry almost no structure). Each `calibration_split` (surrogates.estimators: "grouped",
"cluster", "both") is scored by two outer splits: leave-one-cluster-out (KMeans k = 5, seed 1, on the
standardized composition descriptors; training rows sharing a composition with the held-out cluster
removed) and 5-fold cross-validation grouped by composition (shuffled, seed 1). Figures per split and
calibration: MAE, 90 % coverage and median interval width (decades). The point predictions do not
depend on the calibration, so the MAE is the same within one outer split.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sklearn.cluster import KMeans
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import StandardScaler

from benchmarks._common import write_result
from surrogates import datasets
from surrogates.estimators import CALIBRATION_SPLITS
from surrogates.features import composition_features
from surrogates.model import ConductivitySurrogate
from surrogates.tuning import DEFAULT_FOREST

TABLE = Path(__file__).resolve().parents[1] / "configs/data/literature_conductivity.csv.gz"
SEED, K = 1, 5


def development_rows() -> pd.DataFrame:
    rows = datasets.load_literature(TABLE).rows
    obelix = set(rows.loc[rows["dataset"] == "obelix", "formula_key"])
    keep = (rows["dataset"] != "obelix") & ~rows["formula_key"].isin(obelix)
    return rows[keep].reset_index(drop=True)


def outer_splits(rows: pd.DataFrame) -> dict[str, list[tuple[np.ndarray, np.ndarray]]]:
    keys = rows["formula_key"].to_numpy()
    Z = StandardScaler().fit_transform(composition_features(rows["composition"]))
    labels = KMeans(n_clusters=K, random_state=SEED, n_init=10).fit_predict(Z)
    clusters = []
    for c in range(K):
        test = labels == c
        clusters.append((np.flatnonzero(~test & ~np.isin(keys, keys[test])), np.flatnonzero(test)))
    grouped = GroupKFold(n_splits=K, shuffle=True, random_state=SEED).split(rows, groups=keys)
    return {"clusters": clusters, "compositions": list(grouped)}


def score(rows: pd.DataFrame, folds, calibration: str) -> dict[str, float]:
    y = rows["log10_sigma"].to_numpy(float)
    mean, low, high = (np.full(len(y), np.nan) for _ in range(3))
    for train, test in folds:
        part = rows.iloc[train].reset_index(drop=True)
        model = ConductivitySurrogate(
            descriptors="fractions",
            structure=False,
            composition_fallback=False,
            model_params=DEFAULT_FOREST,
            calibration_split=calibration,
            random_state=0,
        ).fit(part, y[train], groups=part["formula_key"].to_numpy())
        table = model.predict_table(rows.iloc[test].reset_index(drop=True), 0.9)
        mean[test] = table["log10_sigma_mean"].to_numpy()
        low[test] = table["log10_sigma_p05"].to_numpy()
        high[test] = table["log10_sigma_p95"].to_numpy()
    return {
        "mae": float(np.mean(np.abs(mean - y))),
        "coverage_90": float(np.mean((y >= low) & (y <= high))),
        "interval_width_median_decades": float(np.median(high - low)),
    }


def main() -> None:
    started = time.perf_counter()
    rows = development_rows()
    figures: dict[str, object] = {"n_rows": len(rows), "k": K, "seed": SEED}
    for split, folds in outer_splits(rows).items():
        for calibration in CALIBRATION_SPLITS:
            for name, value in score(rows, folds, calibration).items():
                figures[f"{name}_{calibration}_held_out_{split}"] = value
            print(
                f"[{split}] {calibration}: coverage "
                f"{figures[f'coverage_90_{calibration}_held_out_{split}']:.3f}, median width "
                f"{figures[f'interval_width_median_decades_{calibration}_held_out_{split}']:.2f}",
                flush=True,
            )
    figures["wall_s"] = time.perf_counter() - started
    write_result("calibration", figures, packages=("numpy", "scikit-learn"))


if __name__ == "__main__":
    main()
