"""Materials no model here has seen (issue 26): the room-temperature rows of the Liverpool Ionics
and Laskowski 2023 datasets whose composition is in none of the training rows, predicted by the
surrogate `make run` trains (configs/train_default.yaml's recipe on every shipped dataset) and by
the same recipe on the OBELiX training split alone, each beside the OBELiX paper's random forest
trained on the same rows (on element fractions alone: these rows carry no lattice).

Why these rows: the issue scores the models on OBELiX's withheld test split, which the project does
not have. The shared copies of Liverpool and Laskowski had every row matching that split removed
(../shared/data/README.md), and neither dataset is shipped or trained on, so their compositions
outside the training rows are materials the models have never seen, a third of them measured by
laboratories that are not in the training sources. They are not censored: a material below 1e-10
S/cm was measured (LiF −13.9, Li2Ge7O15 −15.3), so "below detection" here is a measured
log10 σ < −10, and the paper's convention (such a row scored at −15) is reported beside the measured
values. The datasets are read in place (academic-use licence, no licence stated), never copied.

`make bench-unseen` writes benchmarks/results/unseen.json (about 30 s on 2 cores; it needs the
shared data, see benchmarks/surrogate.py). Figures per model (`default`: make run's recipe on all
shipped data; `obelix_only`: the recipe on the OBELiX training split) and per baseline
(`baseline_rf_default`, `baseline_rf_obelix_only`): MAE on the measured values, MAE with rows below
−10 at −15, 90 % coverage and median width (ssemo), below-detection precision / recall (ssemo:
p ≥ 0.5; the baseline: a prediction below −10), ssemo's mean p on insulators and on the others, and
the ROC AUC with which ssemo's p, ssemo's point (lower first) and the baseline's prediction rank
the insulators above the others (`below_detection_roc_auc_*`) and the insulators ssemo's p expects
(`expected_insulators_*`, the sum of p, beside `n_insulators_*`) and the highest point prediction
of an insulator (`max_point_insulators_*`): added on 2026-12-07 after
the scoring, a diagnosis of why none is flagged, not a model choice. Each MAE ratio to the baseline
carries a 95 % paired-bootstrap interval over the unseen rows (`*_ci95_low` / `*_ci95_high`,
benchmarks._common.paired_ratio_interval; added on 2026-12-08 to read the ≤ 0.85 target against,
from the same predictions).
Scored first on model version 4 on 2026-12-07, after every modelling choice had been made; version
6 prints the same figures (it changes only measured series, which no unseen row has), version 7
moves make run's row a little through the activation energies its report weights change (MAE 1.101,
width 4.5), and version 9 prints version 7's. A change chosen by these figures would be tuned to
them (README, issue 26).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks import surrogate as bench
from benchmarks._common import paired_ratio_interval, write_result
from surrogates import MODEL_VERSION, datasets
from surrogates.chemistry import parse_formula

ROOM_TEMPERATURE_K = (288.15, 308.15)  # 15-35 °C, as the catalog reads "room temperature"
LIMIT, CONVENTION = -10.0, -15.0


def unseen_rows(shared: Path, training_keys: set[str]) -> pd.DataFrame:
    """Room-temperature Liverpool and Laskowski rows whose composition no training row has, one
    row per composition (the median of its values: repeats of one material are not two tests)."""
    parts = [
        datasets.load_liverpool(shared / "liverpool_ionics" / "LiIonDatabase.csv").rows,
        datasets.load_laskowski(shared / "laskowski2023" / "laskowski_with_dois.csv").rows,
    ]
    rows = pd.concat(parts, ignore_index=True)
    t = rows["temperature_k"].to_numpy(float)
    rows = rows[(t >= ROOM_TEMPERATURE_K[0]) & (t <= ROOM_TEMPERATURE_K[1])]
    rows = rows[~rows["formula_key"].isin(training_keys) & ~rows["censored"].astype(bool)]
    first = rows.groupby("formula_key", sort=True).first()
    first["log10_sigma"] = rows.groupby("formula_key", sort=True)["log10_sigma"].median()
    return first.reset_index()


def training_sets(config) -> dict[str, pd.DataFrame]:
    """make run's training rows (train_default.yaml's sources) and the OBELiX training split."""
    from pipeline.training import load_training_data

    shipped = load_training_data(config).rows
    obelix = datasets.apply_censoring(
        datasets.load_obelix(bench.shared_data() / "obelix", "train").rows, "value", CONVENTION
    )
    return {"default": shipped, "obelix_only": obelix}


def score(
    name: str, train: pd.DataFrame, test: pd.DataFrame, trees: int | None
) -> dict[str, float | int | None]:
    """Figures of the fixed recipe (`trees` per forest) and the baseline, trained on `train`."""
    from pipeline.training import features_frame, fixed_estimator

    y_train = train["log10_sigma"].to_numpy(float)
    model = fixed_estimator(bench.SEED, trees).fit(
        features_frame(train), y_train, train["formula_key"].to_numpy()
    )
    table = model.predict_table(features_frame(test), 0.9)
    y = test["log10_sigma"].to_numpy(float)
    insulator = y < LIMIT
    convention = np.where(insulator, CONVENTION, y)
    point = table["log10_sigma_mean"].to_numpy()
    low, high = table["log10_sigma_p05"].to_numpy(), table["log10_sigma_p95"].to_numpy()
    p = table["p_below_detection"].to_numpy()
    # the baseline on element fractions alone: the test rows carry no lattice (Liverpool none,
    # Laskowski a space group only), and a forest split on lattice parameters sends a row with
    # them missing (−1) wherever the training rows' −1 went (on the OBELiX split: nowhere)
    elements = sorted(
        {e for f in pd.concat([train, test])["composition"] for e in parse_formula(f)}
    )
    B_train = bench.baseline_features(train, elements)[:, : len(elements)]
    B_test = bench.baseline_features(test, elements)[:, : len(elements)]
    base = bench.baseline_forest().fit(B_train, y_train).predict(B_test)
    out: dict[str, float | int | None] = {
        f"n_rows_{name}": len(y),
        f"n_insulators_{name}": int(insulator.sum()),
        f"mae_{name}": float(np.mean(np.abs(point - y))),
        f"mae_convention_{name}": float(np.mean(np.abs(point - convention))),
        f"coverage_90_{name}": float(np.mean((y >= low) & (y <= high))),
        f"interval_width_median_decades_{name}": float(np.median(high - low)),
        f"mean_p_insulators_{name}": float(p[insulator].mean()) if insulator.any() else None,
        f"mean_p_others_{name}": float(p[~insulator].mean()),
        # a calibrated p expects as many insulators as there are (sum of p against the count)
        f"expected_insulators_{name}": float(p.sum()),
        # the most hopeful point an insulator gets (log10 S/cm): is any worth a membrane?
        f"max_point_insulators_{name}": float(point[insulator].max()) if insulator.any() else None,
        f"mae_baseline_rf_{name}": float(np.mean(np.abs(base - y))),
        f"mae_convention_baseline_rf_{name}": float(np.mean(np.abs(base - convention))),
    }
    for who, flagged in ((name, p >= 0.5), (f"baseline_rf_{name}", base < LIMIT)):
        hits = int((flagged & insulator).sum())
        out[f"below_detection_precision_{who}"] = hits / flagged.sum() if flagged.any() else None
        out[f"below_detection_recall_{who}"] = hits / insulator.sum() if insulator.any() else None
    # how well each score ranks the insulators above the others, whatever its threshold (a
    # diagnosis added after the figures above were scored; it changes no model)
    for who, score_ in ((name, p), (f"point_{name}", -point), (f"baseline_rf_{name}", -base)):
        auc = roc_auc_score(insulator, score_) if 0 < insulator.sum() < len(y) else None
        out[f"below_detection_roc_auc_{who}"] = auc
    out[f"mae_ratio_{name}_to_baseline"] = out[f"mae_{name}"] / out[f"mae_baseline_rf_{name}"]
    out[f"mae_convention_ratio_{name}_to_baseline"] = (
        out[f"mae_convention_{name}"] / out[f"mae_convention_baseline_rf_{name}"]
    )
    # how far the ratios could move with another draw of unseen materials (added 2026-12-08 to
    # read the 0.85 target against; a row bootstrap of the same predictions, no model changed)
    for what, truth in (("", y), ("convention_", convention)):
        low_, high_ = paired_ratio_interval(point - truth, base - truth)
        out[f"mae_{what}ratio_{name}_to_baseline_ci95_low"] = low_
        out[f"mae_{what}ratio_{name}_to_baseline_ci95_high"] = high_
    return out


def main() -> None:
    from pipeline.study.config import load_train_config

    started = time.perf_counter()
    shared = bench.shared_data()
    config = load_train_config(Path(__file__).resolve().parents[1] / "configs/train_default.yaml")
    figures: dict[str, float | int | None] = {"model_version": MODEL_VERSION}
    for name, train in training_sets(config).items():
        test = unseen_rows(shared, set(train["formula_key"]))
        figures |= score(name, train, test, config.tuning.fixed_n_estimators)
    figures["wall_s"] = time.perf_counter() - started
    write_result("unseen", figures, packages=("numpy", "scikit-learn"))


if __name__ == "__main__":
    main()
