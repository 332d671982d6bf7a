import numpy as np
import pandas as pd
import pytest

from surrogates.evaluation import grouped_folds, repeated_grouped_folds


def test_repeats_are_independent_grouped_partitions():
    groups = np.repeat(np.arange(30), 3)  # 30 compositions, 3 measurements each
    repeats = repeated_grouped_folds(groups, 4, seed=5, n_repeats=3)
    assert len(repeats) == 3
    for folds in repeats:
        tests = np.concatenate([test for _, test in folds])
        assert np.array_equal(np.sort(tests), np.arange(len(groups)))  # every row held out once
        for train, test in folds:
            assert not set(groups[train]) & set(groups[test])  # no composition straddles

    # the first repeat is the plain split with the same seed; the others are other shuffles
    def tests_of(folds):
        return [test for _, test in folds]

    plain = tests_of(grouped_folds(groups, 4, 5))
    assert all(map(np.array_equal, tests_of(repeats[0]), plain))
    assert not all(map(np.array_equal, tests_of(repeats[1]), plain))


def test_repeats_must_be_positive():
    with pytest.raises(ValueError, match="n_repeats must be at least 1, got 0"):
        repeated_grouped_folds(np.arange(10), 2, seed=0, n_repeats=0)


def test_cross_validation_and_final_fit_in_two_processes_equal_one():
    """ssemo train runs the CV folds and the final fit side by side (n_jobs): same numbers as in turn."""
    from surrogates.evaluation import cross_validate, cross_validate_and_fit
    from surrogates.model import ConductivitySurrogate
    from tests.surrogates.test_model import synthetic_series

    data = synthetic_series()
    X, y = data[["composition", "temperature_k"]], data["log10_sigma"].to_numpy()
    groups = data["composition"].to_numpy()
    trees = {"n_estimators": 20}
    estimator = ConductivitySurrogate(
        model_params=trees, ea_params=trees, structure=False, min_ea_groups=5, random_state=0
    )
    serial, model = cross_validate_and_fit(estimator, X, y, groups, n_splits=3, n_jobs=1)
    parallel, model_2 = cross_validate_and_fit(estimator, X, y, groups, n_splits=3, n_jobs=2)
    pd.testing.assert_frame_equal(serial.oof, parallel.oof)
    assert serial.metrics() == parallel.metrics()
    assert serial.metrics() == cross_validate(estimator, X, y, groups, n_splits=3).metrics()
    np.testing.assert_array_equal(model.predict(X), model_2.predict(X))
    np.testing.assert_array_equal(model.predict_interval(X)[0], model_2.predict_interval(X)[0])
    assert not hasattr(estimator, "sigma_estimator_")  # the estimator passed in stays unfitted
