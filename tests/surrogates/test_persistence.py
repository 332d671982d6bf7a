"""The model allow-list is exact: it is what trained surrogates of every estimator hold, no more;
and every trained surrogate passes the fitted-array checks made after loading (surrogates.integrity)."""

import numpy as np
import pytest
import skops.io as sio

from surrogates.integrity import check_fitted_model, check_tree, check_tree_predictor
from surrogates.model import ConductivitySurrogate
from surrogates.persistence import TRUSTED_TYPES
from tests.surrogates.test_model import synthetic_series


@pytest.fixture(scope="module")
def trained_variants() -> list[ConductivitySurrogate]:
    data = synthetic_series(4).assign(
        family="x", process="RF magnetron sputtering", thickness_um=1.0
    )
    y = data["log10_sigma"].to_numpy()
    variants = [
        ("forest", {"n_estimators": 4, "aggregate": "mean"}, "gp"),
        ("forest", {"n_estimators": 4, "aggregate": "median", "kind": "random"}, "forest"),
        ("forest", {"n_estimators": 4, "aggregate": "local_mean"}, "gbm"),
        ("gbm", {"max_iter": 10}, "forest"),
        ("gp", {}, "forest"),
    ]
    return [
        ConductivitySurrogate(
            model=model,
            model_params=params,
            ea_model=ea_model,
            ea_params={"n_estimators": 4} if ea_model == "forest" else {},
            descriptors="fractions",
            context=True,
            min_ea_groups=2,
            random_state=0,
        ).fit(data, y)
        for model, params, ea_model in variants
    ]


def test_trusted_types_are_exactly_those_of_trained_models(trained_variants):
    found: set[str] = set()
    for surrogate in trained_variants:
        types = set(sio.get_untrusted_types(data=sio.dumps(surrogate)))
        assert types <= TRUSTED_TYPES, types - TRUSTED_TYPES
        found |= types
    assert found == TRUSTED_TYPES  # no entry the models do not need


def test_every_trained_model_passes_the_fitted_array_checks(trained_variants):
    for surrogate in trained_variants:
        data = sio.dumps(surrogate)
        loaded = sio.loads(data, trusted=sio.get_untrusted_types(data=data))
        assert check_fitted_model(loaded, "model m") is loaded


def test_the_tree_checks_accept_trees_of_any_shape_sklearn_fits():
    """No false refusal outside ssemo's own shapes: several outputs, several classes, deep and
    best-first trees, gradient boosting with many leaves."""
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 7))
    trees = [
        DecisionTreeRegressor(random_state=0).fit(X, rng.normal(size=(300, 2))),
        DecisionTreeRegressor(max_leaf_nodes=20, random_state=0).fit(X, X[:, 0]),
        DecisionTreeClassifier(random_state=0).fit(X, rng.integers(0, 4, 300)),
    ]
    for tree in trees:
        check_tree(tree.tree_, "tree_", n_features=7)
    boosted = HistGradientBoostingRegressor(max_iter=5, max_leaf_nodes=31).fit(X, X[:, 1])
    for (predictor,) in boosted._predictors:
        check_tree_predictor(predictor, "predictor", n_features=7)
