"""benchmarks._common.paired_ratio_interval: the bootstrap interval the unseen bench reads its
MAE ratios against."""

import numpy as np
import pytest

from benchmarks._common import paired_ratio_interval


def test_a_model_with_half_the_error_on_every_row_has_ratio_half_in_every_resample():
    errors = np.random.default_rng(1).normal(size=200)
    assert paired_ratio_interval(errors / 2.0, errors) == pytest.approx((0.5, 0.5))


def test_interval_holds_the_whole_sample_ratio_and_narrows_with_more_rows():
    rng = np.random.default_rng(2)
    widths = []
    for n in (100, 2000):
        a, b = rng.normal(scale=0.8, size=n), rng.normal(scale=1.0, size=n)
        low, high = paired_ratio_interval(a, b)
        ratio = np.abs(a).mean() / np.abs(b).mean()
        assert low < ratio < high
        widths.append(high - low)
    assert widths[1] < widths[0] / 2.0  # ~1/sqrt(n): 4.5x narrower for 20x the rows


def test_errors_of_a_row_stay_paired():
    # a and b err together (b = a + small noise): paired resampling keeps the ratio near 1, while
    # resampling them apart would scatter it as widely as the errors themselves
    rng = np.random.default_rng(3)
    a = rng.lognormal(sigma=1.5, size=300)
    low, high = paired_ratio_interval(a, a + rng.normal(scale=0.01, size=300))
    assert 0.97 < low <= high < 1.01


def test_same_seed_same_interval_and_signs_do_not_matter():
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=50), rng.normal(size=50)
    assert paired_ratio_interval(a, b) == paired_ratio_interval(-a, b)
    assert paired_ratio_interval(a, b, seed=7) != paired_ratio_interval(a, b, seed=8)


@pytest.mark.parametrize("a, b", [([1.0, 2.0], [1.0]), ([], []), ([[1.0]], [[1.0]])])
def test_unpaired_or_empty_errors_are_refused(a, b):
    with pytest.raises(ValueError, match="1-D error arrays"):
        paired_ratio_interval(a, b)
