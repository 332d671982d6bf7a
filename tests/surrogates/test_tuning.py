import optuna
import pytest

from surrogates.tuning import (
    SEARCH_SPACE_VERSION,
    StudyMismatchError,
    model_from_params,
    suggest_params,
    tune,
)
from tests.surrogates.test_model import synthetic_series


def data():
    d = synthetic_series(2)
    return (
        d[["composition", "temperature_k"]],
        d["log10_sigma"].to_numpy(),
        d["composition"].to_numpy(),
    )


def test_seeded_tuning_is_reproducible_and_resumable(tmp_path):
    X, y, groups = data()
    storage = str(tmp_path / "study.db")
    kwargs = dict(seed=7, models=("forest",), n_splits=3, base={"structure": False})
    first = tune(X, y, groups, n_trials=4, storage=storage, study_name="s", **kwargs)
    assert len(first.trials) == 4
    resumed = tune(X, y, groups, n_trials=5, storage=storage, study_name="s", **kwargs)
    assert len(resumed.trials) == 5  # continued the stored study instead of starting over
    again = tune(X, y, groups, n_trials=5, storage=None, study_name="mem", **kwargs)
    # the four starting points first, then the seeded sampler: same seed, same trials and scores
    starts = [
        (
            t.params["descriptors"],
            t.params["forest_aggregate"],
            t.params.get("forest_point_quantile"),
        )
        for t in again.trials
    ]
    assert starts[:4] == [
        ("fractions", "median", 0.5),
        ("fractions", "median", 0.4),
        ("fractions", "local_mean", 0.4),
        ("magpie", "mean", None),
    ]
    assert again.trials[2].params["forest_window_decades"] == 2.0
    assert again.trials[4].params == resumed.trials[4].params
    assert [t.value for t in again.trials] == [t.value for t in resumed.trials]
    assert "cv_coverage_90" in first.trials[0].user_attrs


def test_repeated_cv_scores_every_shuffle_and_guards_resume(tmp_path):
    X, y, groups = data()
    storage = str(tmp_path / "study.db")
    kwargs = dict(seed=7, models=("forest",), n_splits=3, base={"structure": False}, n_trials=1)
    once = tune(X, y, groups, storage=None, study_name="one", cv_repeats=1, **kwargs)
    twice = tune(X, y, groups, storage=storage, study_name="s", cv_repeats=2, **kwargs)
    # same starting trial, scored on two shuffles: the MAE is over both, so it differs from one
    assert once.trials[0].params == twice.trials[0].params
    assert twice.trials[0].value != once.trials[0].value
    # 3 folds x 2 shuffles reported as the running MAE, one step per fold
    assert sorted(twice.trials[0].intermediate_values) == list(range(6))
    assert twice.user_attrs["cross_validation"] == {"n_splits": 3, "cv_repeats": 2, "seed": 7}
    with pytest.raises(StudyMismatchError, match=r"'cv_repeats': 2.*not .*'cv_repeats': 1"):
        tune(
            X, y, groups, storage=storage, study_name="s", cv_repeats=1, **{**kwargs, "n_trials": 2}
        )


def test_a_study_from_an_older_search_space_is_read_but_not_extended(tmp_path):
    X, y, groups = data()
    storage = str(tmp_path / "study.db")
    kwargs = dict(seed=7, models=("forest",), n_splits=3, base={"structure": False})
    study = tune(X, y, groups, n_trials=1, storage=storage, study_name="s", **kwargs)
    assert study.user_attrs["search_space"] == SEARCH_SPACE_VERSION
    study.set_user_attr("search_space", SEARCH_SPACE_VERSION - 1)  # as an older ssemo stored it
    finished = tune(X, y, groups, n_trials=1, storage=storage, study_name="s", **kwargs)
    assert len(finished.trials) == 1  # nothing to add: its best trial is still usable
    with pytest.raises(StudyMismatchError, match=r"'s' .*search space 1.*new study_name"):
        tune(X, y, groups, n_trials=2, storage=storage, study_name="s", **kwargs)
    assert len(optuna.load_study(study_name="s", storage=f"sqlite:///{storage}").trials) == 1


def test_model_from_params_round_trip():
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0))
    trial = study.ask()
    trial.suggest_categorical("model", ["gbm"])
    trial.suggest_categorical("descriptors", ["fractions"])
    suggest_params(trial, "gbm")
    model = model_from_params(trial.params, random_state=1)
    assert model.model == "gbm"
    assert model.descriptors == "fractions"
    assert set(model.model_params) == {
        "learning_rate",
        "max_iter",
        "max_leaf_nodes",
        "min_samples_leaf",
        "l2_regularization",
    }
