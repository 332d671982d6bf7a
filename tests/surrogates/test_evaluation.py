import numpy as np
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
