"""Below-detection diagnosis (issue 26): on the grouped-CV folds of `make run`'s recipe, how well
the censoring classifier's own forest probability and its calibrated p rank and match the censored
rows, beside the OBELiX baseline forest on the same folds.

`make bench-censoring` writes benchmarks/results/censoring.json (about 40 s on 2 cores). Rows and
folds are bench-surrogate's: the OBELiX training split minus the lockbox, censored rows at −15,
5 folds grouped by composition (seed 0), ssemo's fixed recipe (configs/train_default.yaml) fitted
in each training part. Figures (flat):
- auc_*: ROC AUC for telling censored rows from measured ones, of the forest's p (`forest_p`), the
  calibrated p (`calibrated_p`) and the baseline's prediction (lower = more likely censored);
- brier_*: Brier score of the forest's and the calibrated p;
- reliability_<p>_<bin>_{n,censored_share,mean_p}: rows per bin of p, the share of them that are
  censored, and their mean p (a calibrated p has censored_share ≈ mean_p);
- mean_prediction_censored_rows_{ssemo,baseline} and mae_censored_rows_{ssemo,baseline}.
It is a diagnosis of one model version on the folds the bench scores, not a score to choose a
model by (README, issue 26: what was and was not acted on).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks import surrogate as bench  # rows, lockbox and baseline of bench-surrogate
from benchmarks._common import write_result
from surrogates import MODEL_VERSION, datasets
from surrogates.chemistry import parse_formula
from surrogates.estimators import _positive_probability
from surrogates.evaluation import grouped_folds

BINS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0)


def development_rows() -> pd.DataFrame:
    """bench-surrogate's development rows: OBELiX training split minus the lockbox, censored at −15."""
    loaded = datasets.load_obelix(bench.shared_data() / "obelix", "train").rows
    in_box = bench.lockbox_mask(loaded)
    censored = datasets.apply_censoring(loaded, "value", bench.CENSORING_VALUE)
    return censored[~in_box].reset_index(drop=True)


def out_of_fold(rows: pd.DataFrame) -> pd.DataFrame:
    """Per row: the forest's and the calibrated p, ssemo's point and the baseline's, out of fold."""
    from pipeline.study.config import load_train_config
    from pipeline.training import features_frame, fixed_estimator

    config = load_train_config(Path(__file__).resolve().parents[1] / "configs/train_default.yaml")
    X = features_frame(rows)
    y = rows["log10_sigma"].to_numpy(float)
    groups = rows["formula_key"].to_numpy()
    elements = sorted({e for f in rows["composition"] for e in parse_formula(f)})
    B = bench.baseline_features(rows, elements)
    parts = []
    for train, test in grouped_folds(groups, bench.N_FOLDS, bench.SEED):
        model = fixed_estimator(bench.SEED, config.tuning.fixed_n_estimators)
        model.fit(X.iloc[train], y[train], groups[train])
        F = model._parts(X.iloc[test])[0]
        table = model.predict_table(X.iloc[test], 0.9)
        parts.append(
            pd.DataFrame(
                {
                    "row": test,
                    "forest_p": _positive_probability(model.censoring_classifier_, F),
                    "calibrated_p": model.p_below_detection(F),
                    "ssemo": table["log10_sigma_mean"].to_numpy(),
                    "baseline": bench.baseline_predictions(B, y, train, test),
                }
            )
        )
    out = pd.concat(parts).set_index("row").sort_index()
    return out.assign(y=y, censored=rows["censored"].to_numpy(bool))


def figures_of(oof: pd.DataFrame) -> dict[str, float | int | None]:
    from sklearn.metrics import roc_auc_score

    censored = oof["censored"].to_numpy()
    out: dict[str, float | int | None] = {
        "n_rows": len(oof),
        "n_censored_rows": int(censored.sum()),
        "auc_baseline": float(roc_auc_score(censored, -oof["baseline"])),
    }
    for name in ("forest_p", "calibrated_p"):
        p = oof[name].to_numpy()
        out[f"auc_{name}"] = float(roc_auc_score(censored, p))
        out[f"brier_{name}"] = float(np.mean((p - censored) ** 2))
        which = np.digitize(p, BINS[1:-1])
        for b in range(len(BINS) - 1):
            key = f"reliability_{name}_{BINS[b]:g}_{BINS[b + 1]:g}"
            inside = which == b
            out[f"{key}_n"] = int(inside.sum())
            out[f"{key}_censored_share"] = float(censored[inside].mean()) if inside.any() else None
            out[f"{key}_mean_p"] = float(p[inside].mean()) if inside.any() else None
    for name in ("ssemo", "baseline"):
        pred = oof.loc[censored, name].to_numpy()
        out[f"mean_prediction_censored_rows_{name}"] = float(pred.mean())
        out[f"mae_censored_rows_{name}"] = float(np.mean(np.abs(pred - bench.CENSORING_VALUE)))
    return out


def main() -> None:
    started = time.perf_counter()
    figures = {"model_version": MODEL_VERSION, **figures_of(out_of_fold(development_rows()))}
    figures["wall_s"] = time.perf_counter() - started
    write_result("censoring", figures, packages=("numpy", "scikit-learn"))


if __name__ == "__main__":
    main()
