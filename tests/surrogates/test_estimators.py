import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from surrogates.estimators import ForestSurrogate, GPSurrogate, QuantileGBMSurrogate, make_estimator

FAST = [
    ForestSurrogate(n_estimators=10, random_state=0),
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


@pytest.mark.parametrize("name", ["forest", "gbm", "gp"])
def test_conformal_intervals_cover_about_90_percent_of_new_data(name):
    X, y = synthetic(400, 1)
    X_new, y_new = synthetic(1000, 2)
    params = {"forest": {"n_estimators": 100}, "gbm": {"max_iter": 100}, "gp": {}}[name]
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


def test_bad_parameters_are_named():
    X, y = synthetic(50, 4)
    with pytest.raises(ValueError, match="'kind' parameter of ForestSurrogate"):
        ForestSurrogate(kind="boosted").fit(X, y)
    model = ForestSurrogate(n_estimators=5, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="'coverage' parameter"):
        model.predict_interval(X, 1.5)
    with pytest.raises(ValueError, match="unknown surrogate model"):
        make_estimator("svm", {})
