"""Grouped cross-validation of surrogates: accuracy and calibration on held-out compositions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import GroupKFold


@dataclass
class CVResult:
    mae: float
    r2: float
    coverage_90: float
    mean_interval_width_90: float
    oof: pd.DataFrame  # y, mean, std, lower, upper, fold per row

    def metrics(self, prefix: str = "cv_") -> dict[str, float]:
        return {
            f"{prefix}mae": self.mae,
            f"{prefix}r2": self.r2,
            f"{prefix}coverage_90": self.coverage_90,
            f"{prefix}interval_width_90": self.mean_interval_width_90,
        }


def grouped_folds(
    groups: np.ndarray, n_splits: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Shuffled GroupKFold: a composition's repeats never straddle folds; seeded for reproducibility."""
    n_splits = min(n_splits, len(np.unique(groups)))
    dummy = np.zeros(len(groups))
    return list(
        GroupKFold(n_splits=n_splits, shuffle=True, random_state=seed).split(dummy, dummy, groups)
    )


def repeated_grouped_folds(
    groups: np.ndarray, n_splits: int, seed: int, n_repeats: int = 1
) -> list[list[tuple[np.ndarray, np.ndarray]]]:
    """n_repeats independent shuffles of grouped_folds (seeds seed, seed + 1, ...), one list each.

    A model choice made on one split of a few hundred compositions is noisy: on the OBELiX training
    split, the MAE of one model moved by 0.1-0.2 decades between fold seeds, several times the gap
    between the candidates being chosen. Averaging repeats shrinks that noise."""
    if n_repeats < 1:
        raise ValueError(f"n_repeats must be at least 1, got {n_repeats}")
    return [grouped_folds(groups, n_splits, seed + r) for r in range(n_repeats)]


def r2_score(y: np.ndarray, pred: np.ndarray) -> float:
    ss_res = float(np.sum((y - pred) ** 2))
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    return 1.0 - ss_res / ss_tot if ss_tot > 0 else float("nan")


def iter_fold_predictions(
    estimator,
    X: pd.DataFrame,
    y: np.ndarray,
    folds: list[tuple[np.ndarray, np.ndarray]],
    extra_train: Callable[[np.ndarray], tuple[pd.DataFrame, np.ndarray]] | None = None,
    coverage: float = 0.9,
) -> Iterator[tuple[int, np.ndarray, pd.DataFrame]]:
    """Fit a clone per fold and yield (fold, test rows, predictions with mean/std/lower/upper).

    extra_train(test_rows) may return additional training rows (e.g. other datasets minus the test
    compositions), so held-out compositions stay unseen.
    """
    for i, (train, test) in enumerate(folds):
        X_train, y_train = X.iloc[train], y[train]
        if extra_train is not None:
            X_more, y_more = extra_train(test)
            X_train = pd.concat([X_train, X_more], ignore_index=True)
            y_train = np.concatenate([y_train, y_more])
        model = clone(estimator).fit(X_train, y_train)
        X_test = X.iloc[test]
        if hasattr(model, "predict_table"):  # one pass, with P(below detection) (issue 26)
            table = model.predict_table(X_test, coverage).set_axis(test)
            low_col, high_col = (c for c in table if c.startswith("log10_sigma_p"))
            frame = pd.DataFrame(
                {
                    "mean": table["log10_sigma_mean"],
                    "std": table["log10_sigma_std"],
                    "lower": table[low_col],
                    "upper": table[high_col],
                    "p_below_detection": table["p_below_detection"],
                },
                index=test,
            )
            yield i, test, frame
            continue
        mean, std = model.predict(X_test, return_std=True)
        low, high = model.predict_interval(X_test, coverage)
        yield (
            i,
            test,
            pd.DataFrame({"mean": mean, "std": std, "lower": low, "upper": high}, index=test),
        )


def _fold_predictions(
    estimator, X: pd.DataFrame, y: np.ndarray, train: np.ndarray, test: np.ndarray, extra_train
) -> pd.DataFrame:
    """One fold of iter_fold_predictions, as a task that can run in another process."""
    return next(iter_fold_predictions(estimator, X, y, [(train, test)], extra_train))[2]


def _fit_all(estimator, X: pd.DataFrame, y: np.ndarray, groups: np.ndarray):
    return clone(estimator).fit(X, y, groups=groups)


def cross_validate(
    estimator,
    X: pd.DataFrame,
    y,
    groups,
    n_splits: int = 5,
    seed: int = 0,
    extra_train=None,
    n_jobs: int | None = 1,
) -> CVResult:
    return cross_validate_and_fit(
        estimator, X, y, groups, n_splits, seed, extra_train, n_jobs, refit=False
    )[0]


def cross_validate_and_fit(
    estimator,
    X: pd.DataFrame,
    y,
    groups,
    n_splits: int = 5,
    seed: int = 0,
    extra_train=None,
    n_jobs: int | None = 1,
    refit: bool = True,
):
    """Grouped CV of `estimator` and (refit) a clone fitted on all rows: (CVResult, model or None).

    The fold fits and the final fit are independent tasks, run in n_jobs processes (joblib's
    `n_jobs` convention: 1 in this process, -1 every CPU). Each task is a clone of the same seeded
    estimator on the same rows whichever process runs it, so the result does not depend on n_jobs."""
    from joblib import Parallel, delayed

    y = np.asarray(y, dtype=float)
    groups = np.asarray(groups)
    folds = grouped_folds(groups, n_splits, seed)
    # the final fit (all rows, the longest task) first, so that it does not run alone at the end
    tasks = [delayed(_fit_all)(estimator, X, y, groups)] if refit else []
    tasks += [
        delayed(_fold_predictions)(estimator, X, y, train, test, extra_train)
        for train, test in folds
    ]
    done = Parallel(n_jobs=min(len(tasks), _cpus(n_jobs)))(tasks)
    model = done.pop(0) if refit else None
    parts = [
        pred.assign(y=y[test], fold=i)
        for i, ((_, test), pred) in enumerate(zip(folds, done, strict=True))
    ]
    oof = pd.concat(parts).sort_index()
    inside = (oof["y"] >= oof["lower"]) & (oof["y"] <= oof["upper"])
    result = CVResult(
        mae=float(np.mean(np.abs(oof["y"] - oof["mean"]))),
        r2=r2_score(oof["y"].to_numpy(), oof["mean"].to_numpy()),
        coverage_90=float(inside.mean()),
        mean_interval_width_90=float((oof["upper"] - oof["lower"]).mean()),
        oof=oof,
    )
    return result, model


def _cpus(n_jobs: int | None) -> int:
    """joblib's n_jobs as a count (None: 1; -1: every CPU; -2: all but one)."""
    import os

    if n_jobs is None:
        return 1
    if n_jobs < 0:
        return max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    return max(1, n_jobs)
