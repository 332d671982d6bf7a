"""The model allow-list is exact: it is what trained surrogates of every estimator hold, no more."""

import skops.io as sio

from surrogates.model import ConductivitySurrogate
from surrogates.persistence import TRUSTED_TYPES
from tests.surrogates.test_model import synthetic_series


def test_trusted_types_are_exactly_those_of_trained_models():
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
    found: set[str] = set()
    for model, params, ea_model in variants:
        surrogate = ConductivitySurrogate(
            model=model,
            model_params=params,
            ea_model=ea_model,
            ea_params={"n_estimators": 4} if ea_model == "forest" else {},
            descriptors="fractions",
            context=True,
            min_ea_groups=2,
            random_state=0,
        ).fit(data, y)
        types = set(sio.get_untrusted_types(data=sio.dumps(surrogate)))
        assert types <= TRUSTED_TYPES, types - TRUSTED_TYPES
        found |= types
    assert found == TRUSTED_TYPES  # no entry the models do not need
