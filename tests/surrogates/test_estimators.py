import numpy as np
import pytest
from sklearn.model_selection import KFold
from sklearn.utils.estimator_checks import parametrize_with_checks

from surrogates.estimators import (
    ForestSurrogate,
    GPSurrogate,
    QuantileGBMSurrogate,
    forest_leaf_weights,
    make_estimator,
    weighted_quantiles,
    window_means,
)

FAST = [
    ForestSurrogate(n_estimators=10, random_state=0),
    ForestSurrogate(n_estimators=10, aggregate="median", random_state=0),
    ForestSurrogate(n_estimators=10, aggregate="local_mean", random_state=0),
    QuantileGBMSurrogate(max_iter=20, random_state=0),
    GPSurrogate(random_state=0),
]


@parametrize_with_checks(FAST)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def synthetic(n, seed):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2, 2, (n, 3))
    y = np.sin(2 * X[:, 0]) + 0.5 * X[:, 1] + rng.normal(0, 0.3, n)
    return X, y


@pytest.mark.parametrize("estimator", FAST, ids=lambda e: type(e).__name__)
def test_same_seed_same_predictions(estimator):
    X, y = synthetic(120, 0)
    a = estimator.fit(X, y).predict(X[:20], return_std=True)
    b = type(estimator)(**estimator.get_params()).fit(X, y).predict(X[:20], return_std=True)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


@pytest.mark.parametrize("name", ["forest", "forest-median", "forest-local_mean", "gbm", "gp"])
def test_conformal_intervals_cover_about_90_percent_of_new_data(name):
    X, y = synthetic(400, 1)
    X_new, y_new = synthetic(1000, 2)
    params = {
        "forest": {"n_estimators": 100},
        "forest-median": {"n_estimators": 100, "aggregate": "median"},
        "forest-local_mean": {"n_estimators": 100, "aggregate": "local_mean"},
        "gbm": {"max_iter": 100},
        "gp": {},
    }[name]
    name = name.split("-")[0]
    model = make_estimator(name, params, random_state=0).fit(X, y)
    low, high = model.predict_interval(X_new, 0.9)
    coverage = np.mean((y_new >= low) & (y_new <= high))
    assert 0.84 <= coverage <= 0.96
    low50, high50 = model.predict_interval(X_new, 0.5)
    assert np.all(high50 - low50 <= high - low + 1e-12)


def test_interval_widens_far_from_data():
    X, y = synthetic(200, 3)
    model = GPSurrogate(random_state=0).fit(X, y)
    _, std_near = model.predict(np.zeros((1, 3)), return_std=True)
    _, std_far = model.predict(np.full((1, 3), 25.0), return_std=True)
    assert std_far[0] > 2 * std_near[0]


def test_leaf_weights_worked_example():
    # two training rows per leaf of a single stump: a test point shares its leaf with exactly two
    # rows, each weighted 1/2; the rows of the other leaf get 0
    X = np.array([[0.0], [0.1], [1.0], [1.1]])
    y = np.array([-15.0, -3.0, -2.0, -2.5])
    model = ForestSurrogate(
        kind="random", n_estimators=1, bootstrap=False, aggregate="median", min_samples_leaf=2
    ).fit(X, y)
    forest, train_leaves, y_sorted = model.core_
    weights = forest_leaf_weights(forest, train_leaves, np.array([[1.05], [0.05]]))
    np.testing.assert_allclose(weights.sum(axis=1), 1.0)
    # training rows are stored sorted by y: -15, -3, -2.5, -2
    np.testing.assert_allclose(weights, [[0, 0, 0.5, 0.5], [0.5, 0.5, 0, 0]])
    # median of {-2.5, -2} with equal weights: the lower one (first with cumulative weight >= 1/2)
    np.testing.assert_allclose(weighted_quantiles(weights, y_sorted, (0.5,))[0], [-2.5, -15.0])


def test_median_forest_does_not_average_two_modes():
    # a bimodal neighbourhood (2/3 insulators at -15, 1/3 conductors at -3): the mean forest says
    # about -11, a value no row has; the median forest says -15, the more likely mode
    rng = np.random.default_rng(5)
    X = rng.uniform(0, 1, (300, 2))
    y = np.where(rng.uniform(size=300) < 2 / 3, -15.0, -3.0)
    kw = {"n_estimators": 50, "min_samples_leaf": 20, "random_state": 0}
    median = ForestSurrogate(aggregate="median", **kw).fit(X, y).predict(np.full((5, 2), 0.5))
    mean = ForestSurrogate(aggregate="mean", **kw).fit(X, y).predict(np.full((5, 2), 0.5))
    np.testing.assert_allclose(median, -15.0)
    assert np.all((mean > -13.0) & (mean < -9.0))


def test_point_quantile_picks_a_lower_quantile_of_the_leaf_distribution():
    # one leaf holding all five rows, each weighted 1/5: cumulative 0.2, 0.4, 0.6, 0.8, 1.0
    X = np.arange(5.0)[:, None]
    y = np.array([-3.0, -15.0, -5.0, -4.0, -6.0])
    kw = {"kind": "random", "n_estimators": 1, "bootstrap": False, "min_samples_leaf": 5}
    x = np.array([[2.0]])
    median = ForestSurrogate(aggregate="median", **kw).fit(X, y)
    lower = ForestSurrogate(aggregate="median", point_quantile=0.3, **kw).fit(X, y)
    assert median.predict(x)[0] == -5.0  # first sorted value with cumulative weight >= 0.5
    assert lower.predict(x)[0] == -6.0  # ... >= 0.3
    del lower.point_quantile  # a model saved before the parameter existed predicts the median
    assert lower.predict(x)[0] == -5.0


def test_window_means_worked_example():
    # one row of weights over y = -15, -6, -5, -4, -3 (ascending), centre -5 (the weighted median)
    y_sorted = np.array([-15.0, -6.0, -5.0, -4.0, -3.0])
    weights = np.array([[0.3, 0.1, 0.2, 0.2, 0.2]])
    centre = np.array([-5.0])
    # window 1: -6, -5, -4 with weights 0.1, 0.2, 0.2 -> (-0.6 - 1.0 - 0.8) / 0.5 = -4.8
    np.testing.assert_allclose(window_means(weights, y_sorted, centre, 1.0), [-4.8])
    # window 2: -3 joins -> (-2.4 - 0.6) / 0.7 = -3/0.7; the insulator at -15 stays out
    np.testing.assert_allclose(window_means(weights, y_sorted, centre, 2.0), [-3.0 / 0.7])
    # a window wider than the data is the plain weighted mean
    np.testing.assert_allclose(
        window_means(weights, y_sorted, centre, 100.0), [weights[0] @ y_sorted]
    )


def test_local_mean_averages_the_dominant_mode_and_leaves_out_the_far_one():
    # one leaf of all rows: conductors at -4, -3, -2 (2/3 of the weight) and insulators at -15
    X = np.arange(6.0)[:, None]
    y = np.array([-15.0, -15.0, -4.0, -3.0, -2.0, -3.0])
    kw = {"kind": "random", "n_estimators": 1, "bootstrap": False, "min_samples_leaf": 6}
    x = np.array([[2.0]])
    median = ForestSurrogate(aggregate="median", **kw).fit(X, y).predict(x)[0]
    mean = ForestSurrogate(aggregate="mean", **kw).fit(X, y).predict(x)[0]
    local = ForestSurrogate(aggregate="local_mean", window_decades=2.0, **kw).fit(X, y)
    assert median == -4.0  # cumulative 1/3, 1/3 (the -15s), 1/2 at -4
    np.testing.assert_allclose(mean, -42.0 / 6)  # pulled towards the insulators
    np.testing.assert_allclose(local.predict(x)[0], -3.0)  # mean of -4, -3, -3, -2
    wide = ForestSurrogate(aggregate="local_mean", window_decades=20.0, **kw).fit(X, y)
    np.testing.assert_allclose(wide.predict(x)[0], mean)


def test_median_forest_predicts_in_chunks_as_row_by_row():
    X, y = synthetic(150, 6)
    model = ForestSurrogate(n_estimators=10, aggregate="median", random_state=0).fit(X, y)
    X_many = np.random.default_rng(7).uniform(-2, 2, (2100, 3))  # more than one chunk of 2048
    mean, std = model.predict(X_many, return_std=True)
    for i in (0, 2047, 2048, 2099):
        one_mean, one_std = model.predict(X_many[i : i + 1], return_std=True)
        assert (mean[i], std[i]) == (one_mean[0], one_std[0])


def test_bad_parameters_are_named():
    X, y = synthetic(50, 4)
    with pytest.raises(ValueError, match="'kind' parameter of ForestSurrogate"):
        ForestSurrogate(kind="boosted").fit(X, y)
    with pytest.raises(ValueError, match="'aggregate' parameter of ForestSurrogate"):
        ForestSurrogate(aggregate="mode").fit(X, y)
    with pytest.raises(ValueError, match="'point_quantile' parameter of ForestSurrogate"):
        ForestSurrogate(aggregate="median", point_quantile=1.5).fit(X, y)
    with pytest.raises(ValueError, match="'window_decades' parameter of ForestSurrogate"):
        ForestSurrogate(aggregate="local_mean", window_decades=0.0).fit(X, y)
    model = ForestSurrogate(n_estimators=5, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="'coverage' parameter"):
        model.predict_interval(X, 1.5)
    with pytest.raises(ValueError, match="unknown surrogate model"):
        make_estimator("svm", {})
    with pytest.raises(ValueError, match="'calibration_split' parameter must be one of"):
        ForestSurrogate(n_estimators=5, calibration_split="random").fit(X, y)


def blobs(seed: int, n_blobs: int = 6, per_blob: int = 30):
    """Materials in separate families: each blob (a family) has its own offset, unknown elsewhere."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-10, 10, (n_blobs, 2))
    offsets = rng.normal(0, 3, n_blobs)
    label = np.repeat(np.arange(n_blobs), per_blob)
    X = centres[label] + rng.normal(0, 0.5, (len(label), 2))
    y = offsets[label] + 0.3 * X[:, 0] + rng.normal(0, 0.2, len(label))
    return X, y, label


def test_cluster_calibration_holds_out_whole_clusters_and_their_compositions():
    X, y, label = blobs(0)
    groups = np.arange(len(y)) // 2  # pairs of rows share a composition
    groups[0] = groups[-1]  # one composition in two families
    model = ForestSurrogate(n_estimators=5, calibration_split="cluster", random_state=0)
    splits = model._calibration_splits(X, y, groups, 6)
    assert len(splits) == 6
    tested = np.concatenate([test for _, test in splits])
    assert sorted(tested) == list(range(len(y)))  # every row scored once
    for train, test in splits:
        assert len(set(label[test])) == 1  # a held-out cluster is one whole family here
        assert not set(groups[train]) & set(groups[test])
    both = ForestSurrogate(n_estimators=5, calibration_split="both", random_state=0)
    folds = both._calibration_splits(X, y, groups, 6)
    assert len(folds) == 12  # the six clusters, then six folds grouped by composition
    assert sorted(np.concatenate([test for _, test in folds])) == sorted(2 * list(range(len(y))))
    assert len(both.fit(X, y, groups).conformity_scores_) == 2 * len(y)


def test_cluster_calibration_widens_intervals_for_an_unseen_family():
    """Grouped folds calibrate on interpolation inside known families; leave-one-cluster-out
    calibration sees extrapolation errors: a larger q̂, and better coverage of a new family."""
    coverage: dict[str, list[float]] = {"grouped": [], "cluster": []}
    for seed in range(4):
        X, y, label = blobs(seed, n_blobs=7)
        new = label == 6
        q = {}
        for split in coverage:
            model = ForestSurrogate(
                n_estimators=50,
                calibration_split=split,
                calibration_folds=6,
                distance_bins=1,
                random_state=0,
            ).fit(X[~new], y[~new], groups=np.arange((~new).sum()))
            low, high = model.predict_interval(X[new], 0.9)
            coverage[split].append(float(np.mean((y[new] >= low) & (y[new] <= high))))
            q[split] = model._quantile(0.9)
        assert q["cluster"] > 2 * q["grouped"]
        assert coverage["cluster"][-1] >= coverage["grouped"][-1]
    assert np.mean(coverage["cluster"]) >= 0.85 > np.mean(coverage["grouped"])


def test_below_detection_probability_is_calibrated_on_a_known_rate():
    """Issue 26: on synthetic rows whose true P(below detection) is known (a smooth function of
    the features), the calibrated probability tracks the observed rate of fresh rows in bins of
    predicted p; the forest's own in-sample-fitted probabilities are more extreme than the truth."""
    from surrogates.estimators import censoring_probability, fit_censoring_classifier

    rng = np.random.default_rng(0)

    def draw(n):
        F = rng.uniform(0.0, 1.0, (n, 3))
        true_p = 0.02 + 0.6 * F[:, 0] ** 2
        return F, true_p, rng.uniform(size=n) < true_p

    F, _, below = draw(1200)
    splits = list(KFold(5, shuffle=True, random_state=0).split(F))
    forest, calibration, distance_model = fit_censoring_classifier(
        F, below, splits, random_state=0, n_estimators=60
    )
    assert distance_model is None  # distance_bins=1: one pooled fit
    assert calibration.shape == (2,) and calibration[0] > 0
    F_new, true_new, below_new = draw(4000)
    p = censoring_probability(forest, calibration, F_new)
    edges = np.quantile(p, np.linspace(0, 1, 6))
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, 4)
    for b in range(5):
        rows = which == b
        assert abs(p[rows].mean() - below_new[rows].mean()) < 0.06
        assert abs(p[rows].mean() - true_new[rows].mean()) < 0.06
    assert abs(p.mean() - true_new.mean()) < 0.03
    # calibration matters here: the uncalibrated forest's Brier score is worse
    raw = censoring_probability(forest, None, F_new)
    assert np.mean((p - below_new) ** 2) < np.mean((raw - below_new) ** 2)


def test_below_detection_calibration_per_distance_bin_keeps_near_rows_sharp():
    """Model version 4: near folds (interpolation, where the forest recognises insulators) and far
    folds (a held-out cluster, where it cannot) are calibrated apart. Pooled, the far rows flatten
    the one Platt slope and with it the near rows' p; binned by distance, a fresh row next to known
    insulators keeps a high p, and a far one gets its bin's own (lower) confidence."""
    from surrogates.estimators import (
        MIN_EVENTS_PER_CALIBRATION_BIN,
        censoring_probability,
        fit_censoring_classifier,
    )

    rng = np.random.default_rng(1)

    def near_rows(n):
        # below detection exactly where x0 > 0.7: learnable from neighbours
        F = np.column_stack([rng.uniform(0, 1, n), rng.uniform(0, 1, n), np.zeros(n)])
        return F, F[:, 0] > 0.7

    def far_rows(n):
        # a cluster far away in x2 whose labels the features do not explain
        F = np.column_stack([rng.uniform(0, 1, n), rng.uniform(0, 1, n), np.full(n, 8.0)])
        return F, rng.uniform(size=n) < 0.3

    (Fn, bn), (Ff, bf) = near_rows(400), far_rows(200)
    F, below = np.vstack([Fn, Ff]), np.concatenate([bn, bf])
    grouped = list(KFold(5, shuffle=True, random_state=0).split(F))
    # the far cluster held out whole, as a leave-one-cluster-out fold
    far = np.arange(len(Fn), len(F))
    cluster = [(np.arange(len(Fn)), far)]
    splits = grouped + cluster
    pooled = fit_censoring_classifier(F, below, splits, random_state=0, n_estimators=60)
    binned = fit_censoring_classifier(
        F, below, splits, random_state=0, n_estimators=60, distance_bins=3
    )
    assert pooled[2] is None
    edges, _, _, k = binned[2]
    assert k == 5  # the neighbours the distances were averaged over, kept with the model
    calibration = binned[1]
    assert calibration.shape == (len(edges) + 1, 2) and (calibration[:, 0] >= 0).all()
    F_near, b_near = near_rows(2000)
    p_pooled = censoring_probability(pooled[0], pooled[1], F_near)
    p_binned = censoring_probability(binned[0], binned[1], F_near, binned[2])
    insulators = b_near & (F_near[:, 0] > 0.75)  # clear of the boundary
    assert np.median(p_binned[insulators]) > 0.8
    assert np.median(p_binned[insulators]) > np.median(p_pooled[insulators]) + 0.1
    # and the binned p stays calibrated on fresh near rows (both classes)
    assert abs(p_binned.mean() - b_near.mean()) < 0.05
    # a bin is only made where it holds enough rows of both classes: with 3 insulators, one bin
    few = np.zeros(len(F), int)
    few[:3] = 1
    assert 3 < MIN_EVENTS_PER_CALIBRATION_BIN
    assert fit_censoring_classifier(F, few, splits, 0, 20, distance_bins=3)[2] is None
    # no out-of-fold rows at all (no splits): one pooled fit at the base rate, no crash
    _, calibration, distance_model = fit_censoring_classifier(F, below, [], 0, 20, 3)
    assert distance_model is None and calibration[0] == 0.0


def test_mixture_quantiles_move_continuously_with_p():
    from scipy.stats import norm

    from surrogates.estimators import mixture_quantiles

    p = np.linspace(0.0, 1.0, 1001)
    median = mixture_quantiles(0.5, np.full_like(p, -3.0), np.full_like(p, 1.0), p, -11.0, 0.9)
    assert median[0] == -3.0 and median[-1] == pytest.approx(-11.0, abs=1e-6)
    assert np.all(np.diff(median) <= 1e-9)
    # continuous, though steep where the median crosses the gap between the two modes (p near
    # 0.5, where the mixture's density is lowest): steps of 1e-6 in p there move it < 0.1 decade
    k = int(np.argmax(-np.diff(median)))
    assert -11.0 < median[k + 1] < median[k] < -3.0
    fine_p = np.linspace(p[k], p[k + 1], 1001)
    fine = mixture_quantiles(0.5, np.full(1001, -3.0), np.full(1001, 1.0), fine_p, -11.0, 0.9)
    assert np.max(-np.diff(fine)) < 0.1
    # the mixture's CDF at its quantile is the level
    for level in (0.05, 0.5, 0.95):
        q = mixture_quantiles(level, np.full_like(p, -3.0), np.full_like(p, 1.0), p, -11.0, 0.9)
        cdf = p * norm.cdf(q, -11.0, 0.9) + (1 - p) * norm.cdf(q, -3.0, 1.0)
        assert np.allclose(cdf, level, atol=1e-7)
