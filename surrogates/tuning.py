"""Optuna tuning of the conductivity surrogate: model choice and hyperparameters.

Objective: mean absolute error of log10 σ over shuffled GroupKFold folds grouped by composition (so a
material's repeats never straddle folds), optionally repeated with other shuffles (cv_repeats) so the
choice rests less on one split. Seeded TPE sampler, median pruner on the running fold MAE, and a
persistent storage (SQLite by default, any SQLAlchemy URL) so a study can be resumed: rerunning with
the same study name continues where it stopped, and refuses to if the cross-validation or the search
space differs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from objectives.errors import SsemoError
from surrogates.estimators import AGGREGATES
from surrogates.evaluation import iter_fold_predictions, r2_score, repeated_grouped_folds
from surrogates.features import DESCRIPTORS
from surrogates.model import ConductivitySurrogate

SEARCH_SPACES = ("forest", "gbm", "gp")
# Raised when a parameter's choices change: Optuna cannot add trials to a study stored with other
# categorical choices. 2: forest_aggregate gained "local_mean" (with forest_window_decades).
SEARCH_SPACE_VERSION = 2


class StudyMismatchError(SsemoError, ValueError):
    """A stored study was scored with other cross-validation settings, or tuned over another search
    space, than this call asks for."""


# Strong starting points, enqueued as the first trials of a new study so that a short study never
# ends worse than the best of them: extremely randomized trees with all features per split and the
# weighted median of the leaves on element fractions + structure, the same with the 0.4 quantile (a
# lower quantile for materials that conduct less than their neighbours in the leaves; the grouped CV
# decides), the mean of the leaf targets within 2 decades of that quantile, and the tree mean on
# Magpie-style statistics. On OBELiX with censored rows bench-surrogate's inner tuner chose the
# window mean in 4 of 5 outer folds and the median in the other; with them dropped, the last.
DEFAULT_FOREST = {
    "kind": "extra",
    "n_estimators": 300,
    "max_features": 1.0,
    "min_samples_leaf": 1,
    "bootstrap": False,
    "aggregate": "median",
    "point_quantile": 0.5,
}
WINDOW_MEAN_FOREST = {
    **DEFAULT_FOREST,
    "aggregate": "local_mean",
    "point_quantile": 0.4,
    "window_decades": 2.0,
}
STARTING_TRIALS = (
    {"descriptors": "fractions", **DEFAULT_FOREST},
    {"descriptors": "fractions", **DEFAULT_FOREST, "point_quantile": 0.4},
    {"descriptors": "fractions", **WINDOW_MEAN_FOREST},
    {
        "descriptors": "magpie",
        **{k: v for k, v in DEFAULT_FOREST.items() if k != "point_quantile"},
        "max_features": 0.5,
        "aggregate": "mean",
    },
)


def suggest_params(trial, model: str) -> dict[str, Any]:
    if model == "forest":
        params = {
            "kind": trial.suggest_categorical("forest_kind", ["extra", "random"]),
            "n_estimators": trial.suggest_int("forest_n_estimators", 100, 400, step=50),
            "max_features": trial.suggest_float("forest_max_features", 0.2, 1.0),
            "min_samples_leaf": trial.suggest_int("forest_min_samples_leaf", 1, 5),
            "bootstrap": trial.suggest_categorical("forest_bootstrap", [True, False]),
            "aggregate": trial.suggest_categorical("forest_aggregate", list(AGGREGATES)),
        }
        if params["aggregate"] != "mean":  # the mean has no quantile to choose
            params["point_quantile"] = trial.suggest_float("forest_point_quantile", 0.3, 0.5)
        if params["aggregate"] == "local_mean":
            params["window_decades"] = trial.suggest_float("forest_window_decades", 0.5, 4.0)
        return params
    if model == "gbm":
        return {
            "learning_rate": trial.suggest_float("gbm_learning_rate", 0.02, 0.2, log=True),
            "max_iter": trial.suggest_int("gbm_max_iter", 100, 400, step=50),
            "max_leaf_nodes": trial.suggest_int("gbm_max_leaf_nodes", 7, 31),
            "min_samples_leaf": trial.suggest_int("gbm_min_samples_leaf", 3, 20),
            "l2_regularization": trial.suggest_float("gbm_l2_regularization", 1e-4, 1.0, log=True),
        }
    if model == "gp":
        return {
            "length_scale": trial.suggest_float("gp_length_scale", 0.3, 30.0, log=True),
            "noise_level": trial.suggest_float("gp_noise_level", 1e-3, 1.0, log=True),
        }
    raise ValueError(
        f"unknown surrogate model {model!r}; expected one of {', '.join(SEARCH_SPACES)}"
    )


def model_from_params(
    params: dict[str, Any], random_state: int, base: dict[str, Any] | None = None
) -> ConductivitySurrogate:
    """Rebuild the surrogate a trial describes (params as stored by Optuna: 'model', 'descriptors',
    '<model>_<name>')."""
    model = params["model"]
    own = {k.split("_", 1)[1]: v for k, v in params.items() if k.startswith(f"{model}_")}
    extra = {k: params[k] for k in ("descriptors", "context") if k in params}
    return ConductivitySurrogate(
        model=model, model_params=own, random_state=random_state, **extra, **(base or {})
    )


def data_has_context(X: pd.DataFrame) -> bool:
    """Whether rows carry membrane context (a process or a thickness) for `context` to use."""
    return any(
        c in X and (X[c].notna() & (X[c].astype(str).str.strip() != "")).any()
        for c in ("process", "thickness_um")
    )


def make_objective(
    X: pd.DataFrame,
    y: np.ndarray,
    groups: np.ndarray,
    models: Sequence[str],
    n_splits: int,
    seed: int,
    base: dict[str, Any] | None = None,
    extra_train: Callable | None = None,
    cv_repeats: int = 1,
):
    import optuna

    repeats = repeated_grouped_folds(np.asarray(groups), n_splits, seed, cv_repeats)
    has_context = data_has_context(X)

    def objective(trial) -> float:
        model = trial.suggest_categorical("model", list(models))
        descriptors = trial.suggest_categorical("descriptors", list(DESCRIPTORS))
        # family / process route / thickness: only worth a dimension where the data carry them
        context = trial.suggest_categorical("context", [False, True]) if has_context else False
        params = suggest_params(trial, model)
        estimator = ConductivitySurrogate(
            model=model,
            model_params=params,
            descriptors=descriptors,
            context=context,
            random_state=seed,
            **(base or {}),
        )
        errors, inside, r2s, step = [], [], [], 0
        for folds in repeats:  # every repeat predicts every row once
            preds = np.empty(len(y))
            for _, test, pred in iter_fold_predictions(estimator, X, y, folds, extra_train):
                errors.append(np.abs(y[test] - pred["mean"].to_numpy()))
                inside.append(
                    (y[test] >= pred["lower"].to_numpy()) & (y[test] <= pred["upper"].to_numpy())
                )
                preds[test] = pred["mean"].to_numpy()
                trial.report(float(np.mean(np.concatenate(errors))), step)
                step += 1
                if trial.should_prune():
                    raise optuna.TrialPruned()
            r2s.append(r2_score(y, preds))
        mae = float(np.mean(np.concatenate(errors)))
        trial.set_user_attr("cv_coverage_90", float(np.mean(np.concatenate(inside))))
        trial.set_user_attr("cv_r2", float(np.mean(r2s)))
        return mae

    return objective


def storage_url(storage: str) -> str:
    """A bare path means a SQLite file; URLs (sqlite:///, postgresql://, ...) pass through."""
    return storage if "://" in storage else f"sqlite:///{storage}"


def tune(
    X: pd.DataFrame,
    y,
    groups,
    *,
    n_trials: int,
    seed: int,
    storage: str | None,
    study_name: str,
    models: Sequence[str] = SEARCH_SPACES,
    n_splits: int = 5,
    base: dict[str, Any] | None = None,
    callbacks: Sequence[Callable] = (),
    timeout_s: float | None = None,
    extra_train: Callable | None = None,
    cv_repeats: int = 1,
):
    """Run (or resume) an Optuna study; returns it. Trials already in the storage count toward n_trials.

    cv_repeats: how many shuffles of the n_splits grouped folds each trial is scored on (seeds seed,
    seed + 1, ...); the trial's MAE is over all of them. A stored study resumes only with the
    cross-validation it was started with, since its scores would not compare otherwise."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        study_name=study_name,
        storage=storage_url(storage) if storage else None,
        direction="minimize",
        sampler=optuna.samplers.TPESampler(seed=seed),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=1),
        load_if_exists=True,
    )
    cross_validation = {"n_splits": n_splits, "cv_repeats": cv_repeats, "seed": seed}
    stored = study.user_attrs.get("cross_validation")
    if stored is None:  # a new study (or one stored before this record existed)
        study.set_user_attr("cross_validation", cross_validation)
    elif stored != cross_validation:
        raise StudyMismatchError(
            f"Optuna study {study_name!r} in {storage} was scored with cross-validation {stored}, "
            f"not {cross_validation}; resume it with those settings or give a new study_name"
        )
    done = sum(t.state.is_finished() for t in study.trials)
    # a study stored before this record existed was made with search space 1
    space = study.user_attrs.get("search_space", 1 if study.trials else None)
    if space is None:
        study.set_user_attr("search_space", SEARCH_SPACE_VERSION)
    elif space != SEARCH_SPACE_VERSION and done < n_trials:
        # a finished study is still read (its best trial rebuilds); adding trials to it would fail
        raise StudyMismatchError(
            f"Optuna study {study_name!r} in {storage} was tuned over search space {space}; this "
            f"version of ssemo tunes over search space {SEARCH_SPACE_VERSION} and cannot add trials "
            f"to it; give a new study_name (or delete the study from the storage)"
        )
    if not study.trials and "forest" in models:
        context = {"context": False} if data_has_context(X) else {}
        for start in STARTING_TRIALS[:n_trials]:  # a queued trial beyond n_trials would linger
            study.enqueue_trial(
                {
                    "model": "forest",
                    "descriptors": start["descriptors"],
                    **context,
                    **{f"forest_{k}": v for k, v in start.items() if k != "descriptors"},
                }
            )
    remaining = max(0, n_trials - done)
    if remaining:
        objective = make_objective(
            X,
            np.asarray(y, float),
            np.asarray(groups),
            models,
            n_splits,
            seed,
            base=base,
            extra_train=extra_train,
            cv_repeats=cv_repeats,
        )
        study.optimize(objective, n_trials=remaining, timeout=timeout_s, callbacks=list(callbacks))
    return study
