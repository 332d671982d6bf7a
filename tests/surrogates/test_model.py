import numpy as np
import pandas as pd
import pytest

from objectives.temperature import arrhenius_from_reference_s_per_cm
from surrogates.domain import ApplicabilityDomain
from surrogates.model import ConductivitySurrogate, arrhenius_shift, fit_arrhenius

COMPOSITIONS = [
    "Li7La3Zr2O12",
    "Li6.4La3Zr1.4Ta0.6O12",
    "Li6.5La3Zr1.5Ta0.5O12",
    "Li1.3Al0.3Ti1.7(PO4)3",
    "Li1.4Al0.4Ge1.6(PO4)3",
    "LiTi2(PO4)3",
    "Li6PS5Cl",
    "Li6PS5Br",
    "Li6PS5I",
    "Li10GeP2S12",
    "Li3PS4",
    "Li7P3S11",
    "Li3InCl6",
    "Li3YCl6",
    "Li3YBr6",
    "Li0.34La0.56TiO3",
    "Li3PO4",
    "Li2S",
]


def synthetic_series(seed=0):
    """Arrhenius (σT) series: each composition at 5 temperatures with its own Ea and σ(298 K)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i, comp in enumerate(COMPOSITIONS):
        ea = 0.25 + 0.02 * i
        log_ref = -2.0 - 0.3 * i
        for t in (260.0, 298.15, 330.0, 360.0, 400.0):
            s = arrhenius_from_reference_s_per_cm(
                10**log_ref,
                reference_temperature_k=298.15,
                activation_energy_ev=ea,
                temperature_k=t,
                form="sigma_t",
            )
            rows.append((comp, t, np.log10(s) + rng.normal(0, 0.02)))
    return pd.DataFrame(rows, columns=["composition", "temperature_k", "log10_sigma"])


def test_arrhenius_fit_recovers_activation_energy():
    t = np.array([260.0, 300.0, 350.0, 400.0])
    y = np.log10(
        arrhenius_from_reference_s_per_cm(
            1e-3,
            reference_temperature_k=298.15,
            activation_energy_ev=0.42,
            temperature_k=t,
            form="sigma_t",
        )
    )
    ea, _ = fit_arrhenius(t, y)
    assert ea == pytest.approx(0.42, abs=1e-9)
    assert arrhenius_shift(298.15, 298.15, 0.4) == pytest.approx(0.0)


@pytest.fixture(scope="module")
def fitted():
    data = synthetic_series()
    model = ConductivitySurrogate(
        model_params={"n_estimators": 60},
        ea_params={"n_estimators": 60},
        structure=False,
        random_state=0,
        min_ea_groups=5,
    )
    return model.fit(data[["composition", "temperature_k"]], data["log10_sigma"]), data


def test_learns_activation_energies_and_predictions_rise_with_temperature(fitted):
    model, data = fitted
    assert model.n_ea_groups_ == len(COMPOSITIONS)
    temps = np.linspace(230.0, 420.0, 12)
    for comp in ("Li7La3Zr2O12", "Li6PS5Cl", "Li3InCl6", "Li2S"):
        q = pd.DataFrame({"composition": comp, "temperature_k": temps})
        assert np.all(np.diff(model.predict(q)) > 0), comp
    # training compositions are reproduced well at the measured temperatures
    pred = model.predict(data[["composition", "temperature_k"]])
    assert np.mean(np.abs(pred - data["log10_sigma"])) < 0.35


def test_interval_is_wider_and_applicability_lower_far_from_data(fitted):
    model, _ = fitted
    q = pd.DataFrame(
        {"composition": ["Li6PS5Cl", "CsAuF6Li0.01"], "temperature_k": [298.15, 298.15]}
    )
    table = model.predict_table(q)
    width = table["log10_sigma_p95"] - table["log10_sigma_p05"]
    assert width.iloc[1] > width.iloc[0]
    assert table["applicability"].iloc[0] > table["applicability"].iloc[1]
    assert bool(table["in_domain"].iloc[0]) and not bool(table["in_domain"].iloc[1])
    # away from the reference temperature the Ea uncertainty widens the interval
    hot = model.predict_table(pd.DataFrame({"composition": ["Li6PS5Cl"], "temperature_k": [420.0]}))
    assert hot["log10_sigma_std"].iloc[0] >= table["log10_sigma_std"].iloc[0]


def test_same_seed_same_model():
    data = synthetic_series(1)
    X, y = data[["composition", "temperature_k"]], data["log10_sigma"]
    kwargs = dict(model_params={"n_estimators": 30}, structure=False, random_state=3)
    a = ConductivitySurrogate(**kwargs).fit(X, y).predict(X, return_std=True)
    b = ConductivitySurrogate(**kwargs).fit(X, y).predict(X, return_std=True)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_fallback_activation_energy_without_temperature_data():
    data = synthetic_series()
    rt = data[data["temperature_k"] == 298.15]
    model = ConductivitySurrogate(
        model_params={"n_estimators": 30}, structure=False, random_state=0
    )
    model.fit(rt[["composition", "temperature_k"]], rt["log10_sigma"])
    assert model.ea_estimator_ is None
    table = model.predict_table(
        pd.DataFrame({"composition": ["Li6PS5Cl"], "temperature_k": [350.0]})
    )
    assert table["activation_energy_ev"].iloc[0] == pytest.approx(0.35)


def test_input_errors():
    model = ConductivitySurrogate()
    with pytest.raises(TypeError, match="DataFrame"):
        model.fit(np.zeros((3, 2)), [1, 2, 3])
    with pytest.raises(ValueError, match="temperature_k"):
        model.fit(pd.DataFrame({"composition": ["Li2O"]}), [1.0])


def test_applicability_domain_scores():
    rng = np.random.default_rng(0)
    X = rng.normal(0, 1, (200, 4))
    domain = ApplicabilityDomain().fit(X)
    scores = domain.score(np.vstack([np.zeros(4), np.full(4, 50.0)]))
    assert scores[0] > 0.5 and scores[1] == 0.0
    assert domain.in_domain(np.zeros((1, 4)))[0]
