import numpy as np
import pandas as pd
import pytest

from objectives.temperature import arrhenius_from_reference_s_per_cm
from surrogates.chemistry import composition_key, parse_formula
from surrogates.domain import ApplicabilityDomain
from surrogates.model import (
    LN10_K_EV,
    MEASURED_KEY_DECIMALS,
    ConductivitySurrogate,
    arrhenius_shift,
    fit_arrhenius,
)

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


def test_temperatures_outside_the_training_rows_are_flagged(fitted):
    model, data = fitted
    low, high = data["temperature_k"].min(), data["temperature_k"].max()
    assert list(model.temperature_range_k_) == [low, high]
    q = pd.DataFrame(
        {
            "composition": "Li6PS5Cl",
            "temperature_k": [low, (low + high) / 2, high, high + 1.0, 573.15],
        }
    )
    flags = model.predict_table(q)["temperature_in_training_range"].tolist()
    assert flags == [True, True, True, False, False]
    del model.temperature_range_k_  # a model saved before it recorded them cannot tell
    try:
        assert model.predict_table(q)["temperature_in_training_range"].all()
    finally:
        model.temperature_range_k_ = np.array([low, high])


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


# --- issue 14: censoring, physical bounds, formula scale, missing structure ------------------------
FAST_FOREST = {"n_estimators": 60, "aggregate": "local_mean", "point_quantile": 0.4}


def censored_table(seed=0):
    """Sulfides Li(x)P S(y) with a smooth log10 σ, and oxides Li(x)B O(y) reported as "< 1E-10"
    (censored, stored at the -15 convention), some oxides measured just above the limit."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(90):
        x = 2.0 + 4.0 * i / 90
        rows.append(
            (f"Li{x:.3f}PS{3 + x / 2:.3f}", -2.0 - 0.5 * (6 - x) + rng.normal(0, 0.2), False)
        )
    for i in range(30):
        x = 0.5 + 2.0 * i / 30
        censored = i % 3 != 0
        value = -15.0 if censored else -8.5 + rng.normal(0, 0.3)
        rows.append((f"Li{x:.3f}BO{1.5 + x / 2:.3f}", value, censored))
    frame = pd.DataFrame(rows, columns=["composition", "log10_sigma", "censored"])
    return frame.assign(temperature_k=298.15)


def test_censored_rows_never_pull_a_point_prediction_to_the_censoring_value():
    data = censored_table()
    y = data["log10_sigma"].to_numpy()
    model = ConductivitySurrogate(
        descriptors="fractions", model_params=FAST_FOREST, random_state=0
    ).fit(data, y)
    assert model.censoring_classifier_ is not None and model.n_censored_ == 20
    table = model.predict_table(data)
    mean = table["log10_sigma_mean"].to_numpy()
    # no prediction at the censoring value (-15), not for measured rows nor for censored ones
    assert np.all(np.abs(mean - (-15.0)) > 0.5)
    censored = data["censored"].to_numpy()
    # materials the classifier calls insulating: the mixture's median lies below the detection
    # limit once p·P(below component <= −10) >= 0.5, i.e. from p ≈ 0.58 (issue 26)
    p = table["p_below_detection"].to_numpy()
    assert (p >= 0.5)[censored].mean() > 0.5
    assert p[censored].mean() > p[~censored].mean() + 0.3
    likely = p >= 0.6
    assert likely.any() and np.all(mean[likely] <= -10.0)
    # measured sulfides far from the insulators are predicted near their values
    sulfide = np.arange(90)
    assert np.mean(np.abs(mean[sulfide] - y[sulfide])) < 0.5


def test_without_a_censored_column_every_row_is_a_measurement():
    data = censored_table().drop(columns="censored")
    model = ConductivitySurrogate(descriptors="fractions", model_params=FAST_FOREST, random_state=0)
    model.fit(data, data["log10_sigma"].to_numpy())
    assert model.censoring_classifier_ is None
    assert (model.predict_table(data)["p_below_detection"] == 0).all()


def test_intervals_stay_within_physical_bounds_and_finite():
    from surrogates.model import PHYSICAL_BOUNDS_LOG10

    data = censored_table()
    model = ConductivitySurrogate(descriptors="fractions", model_params=FAST_FOREST, random_state=0)
    model.fit(data, data["log10_sigma"].to_numpy())
    # far from the data: other chemistries entirely
    query = pd.DataFrame(
        {"composition": ["Li7La3Zr2O12", "LiCl", "Li3N", "Li10GeP2S12", "CsLiF2"]}
    ).assign(temperature_k=298.15)
    for coverage in (0.5, 0.9, 0.99):
        low, high = model.predict_interval(query, coverage)
        assert np.all(np.isfinite(low)) and np.all(np.isfinite(high))
        assert np.all(low >= PHYSICAL_BOUNDS_LOG10[0]) and np.all(high <= PHYSICAL_BOUNDS_LOG10[1])
        assert np.all(low <= high)
    mean = model.predict(query)
    assert np.all((mean >= PHYSICAL_BOUNDS_LOG10[0]) & (mean <= PHYSICAL_BOUNDS_LOG10[1]))


def test_intervals_widen_with_distance_from_the_data():
    data = censored_table()
    model = ConductivitySurrogate(descriptors="fractions", model_params=FAST_FOREST, random_state=0)
    model.fit(data, data["log10_sigma"].to_numpy())
    estimator = model.sigma_estimator_
    assert len(estimator.binned_scores_) == 3
    F = model.featurizer_.transform(data)
    q = estimator.row_quantiles(F, 0.9)
    d = estimator.distance(F)
    near, far = d <= np.quantile(d, 0.2), d >= np.quantile(d, 0.8)
    assert q[far].min() >= q[near].max()  # q-hat is non-decreasing in distance


def test_a_formula_and_its_unit_cell_get_identical_predictions():
    data = synthetic_series()
    model = ConductivitySurrogate(
        descriptors="magpie", model_params={"n_estimators": 40}, random_state=0
    ).fit(data, data["log10_sigma"].to_numpy())
    query = pd.DataFrame(
        {
            "composition": [
                "Li6.4Al0.2La3Zr2O12",
                "Li51.2Al1.6La24Zr16O96",
                "0.75Li2S-0.25P2S5",
                "75Li2S·25P2S5",
                "Li2S-P2S5 (75:25)",
                "Li3PS4",
            ]
        }
    ).assign(temperature_k=298.15)
    table = model.predict_table(query)
    numbers = table.drop(columns=["in_domain", "measured_series"]).to_numpy()
    np.testing.assert_array_equal(numbers[0], numbers[1])
    for i in (3, 4, 5):
        np.testing.assert_array_equal(numbers[2], numbers[i])


def test_rows_without_structure_use_the_composition_only_model():
    from surrogates.model import PHYSICAL_BOUNDS_LOG10

    data = synthetic_series()
    lattice = dict(space_group_number=62.0, a=10.0, b=8.0, c=6.0, alpha=90.0, beta=90.0, gamma=90.0)
    structured = data.assign(**lattice, formula_units_per_cell=4.0)
    model = ConductivitySurrogate(
        descriptors="fractions",
        model_params={"n_estimators": 40},
        use_measured_series=False,
        random_state=0,
    ).fit(structured, data["log10_sigma"].to_numpy())
    assert model.composition_estimator_ is not None
    assert model.composition_featurizer_.structure is False
    query = structured[structured["temperature_k"] == 298.15].head(6).reset_index(drop=True)
    bare = query[["composition", "temperature_k"]]
    # at the reference temperature the Arrhenius shift is 0: the prediction is the regressor's
    expected_bare = model.composition_estimator_.predict(
        model.composition_featurizer_.transform(bare)
    )
    expected_full = model.sigma_estimator_.predict(model.featurizer_.transform(query))
    np.testing.assert_allclose(model.predict(bare), np.clip(expected_bare, *PHYSICAL_BOUNDS_LOG10))
    np.testing.assert_allclose(model.predict(query), np.clip(expected_full, *PHYSICAL_BOUNDS_LOG10))


def test_a_widely_scattered_measured_series_keeps_its_interval_within_physics():
    """Papers that disagree by decades on one composition: the Gaussian band about its own Arrhenius
    line would pass 1 S/cm; it is clipped to the physical bounds, moved by the line's Arrhenius term."""
    from surrogates.model import (
        FAST_CONDUCTOR_EA_EV,
        MEASURED_KEY_DECIMALS,
        PHYSICAL_BOUNDS_LOG10,
        arrhenius_shift,
    )

    data = synthetic_series()
    scattered = pd.DataFrame(
        {
            "composition": "Li6PS5Cl",
            "temperature_k": [260.0, 280.0, 298.15, 298.15, 320.0, 340.0, 360.0, 380.0],
            "log10_sigma": [-3.5, -6.0, -2.5, -6.5, -1.8, -5.0, -1.7, -4.0],
        }
    )
    data = pd.concat([data, scattered], ignore_index=True)
    model = ConductivitySurrogate(descriptors="fractions", model_params=FAST_FOREST, random_state=0)
    model.fit(data, data["log10_sigma"].to_numpy())
    query = pd.DataFrame(
        {"composition": ["Li6PS5Cl"] * 3, "temperature_k": [298.15, 253.15, 360.0]}
    )
    table = model.predict_table(query, 0.99)
    assert table["measured_series"].all()
    low, high = table["log10_sigma_p00"].to_numpy(), table["log10_sigma_p100"].to_numpy()
    from surrogates.chemistry import composition_key, parse_formula

    ea = model.series_[composition_key(parse_formula("Li6PS5Cl"), MEASURED_KEY_DECIMALS)][0]
    shift = arrhenius_shift(query["temperature_k"].to_numpy(), 298.15, ea)
    assert high[0] == pytest.approx(PHYSICAL_BOUNDS_LOG10[1])  # the band alone would pass it
    # the ceiling moves with the fastest conductors' Arrhenius term, the floor with the row's own
    fastest = arrhenius_shift(query["temperature_k"].to_numpy(), 298.15, FAST_CONDUCTOR_EA_EV)
    assert np.all(high <= PHYSICAL_BOUNDS_LOG10[1] + fastest + 1e-12)
    assert high[1] == pytest.approx(PHYSICAL_BOUNDS_LOG10[1] + fastest[1])
    assert np.all(low >= PHYSICAL_BOUNDS_LOG10[0] + shift - 1e-12)
    assert np.all(low < table["log10_sigma_mean"]) and np.all(table["log10_sigma_mean"] < high)


def _with(data, rows):
    return pd.concat([data, pd.DataFrame(rows)], ignore_index=True)


S0 = 0.9 / 1.3  # one report's scatter behind the literature's repeat spread (surrogates.measured)


def test_a_composition_reported_once_predicts_a_new_report_within_the_literatures_repeat_spread():
    """Two single reports, 25 and 200 °C (the shape of a garnet's curated series): no scatter of
    its own, so a new report at a measured temperature spreads as the literature's repeats do,
    s0·√(1 + 1/2 + lever ½) = 0.9·√2/1.3 (before version 7: hypot(0.1·t-inflation·1, 0.9))."""
    data = _with(
        synthetic_series(),
        {
            "composition": "Li5La3Ta2O12",
            "temperature_k": [298.15, 473.15],
            "log10_sigma": [-4.8, -1.9],
        },
    )
    model = ConductivitySurrogate(descriptors="fractions", model_params=FAST_FOREST, random_state=0)
    model.fit(data, data["log10_sigma"].to_numpy())
    table = model.predict_table(
        pd.DataFrame({"composition": ["Li5La3Ta2O12"], "temperature_k": [298.15]})
    )
    assert table["measured_series"].iloc[0] and table["measured_reports"].iloc[0] == 2
    assert table["log10_sigma_mean"].iloc[0] == pytest.approx(-4.8)
    assert table["log10_sigma_std"].iloc[0] == pytest.approx(S0 * np.sqrt(2.0), rel=1e-9)


def fourteen_and_one_series_model():
    """Li5La3Ta2O12 merged from fourteen reports at 25 °C (sd 1.0 decade) and one at 200 °C."""
    data = _with(
        synthetic_series(),
        {
            "composition": "Li5La3Ta2O12",
            "temperature_k": [298.15, 473.15],
            "log10_sigma": [-4.8, -1.9],
            "n_reports": [14, 1],
            "log10_sigma_repeat_sd": [1.0, np.nan],
        },
    )
    model = ConductivitySurrogate(descriptors="fractions", model_params=FAST_FOREST, random_state=0)
    return model.fit(data, data["log10_sigma"].to_numpy())


def test_a_series_weighs_each_temperature_by_its_reports_and_spreads_as_they_scatter():
    """Fourteen merged reports at 25 °C (sd 1.0 decade) and one at 200 °C: the line passes through
    both, and a new 25 °C report spreads by the reports' own scatter pooled with the literature's
    (4 prior degrees of freedom), s_post·√(1 + 1/15 + 1/210) (the 25 °C x's leverage for weights
    14 : 1), not by how well two medians lie on a line."""
    model = fourteen_and_one_series_model()
    table = model.predict_table(
        pd.DataFrame({"composition": ["Li5La3Ta2O12"], "temperature_k": [298.15]})
    )
    s_post = np.sqrt((13 * 1.0**2 + 4 * S0**2) / 17)
    assert table["measured_reports"].iloc[0] == 15
    assert table["log10_sigma_mean"].iloc[0] == pytest.approx(-4.8)
    assert table["log10_sigma_std"].iloc[0] == pytest.approx(s_post * np.sqrt(1 + 1 / 15 + 1 / 210))


def test_many_reports_at_one_temperature_pull_the_line_toward_them():
    """The shipped Li6PS5Cl: nine reports merged at 25 °C (−2.70), one each at 18.8 and 150.6 °C.
    Weighted by its reports (9 : 1 : 1) the line passes within 0.1 decade of the 25 °C value;
    weighted as one row each (before version 7) it missed it by 0.32."""
    t = np.array([291.95, 298.15, 423.75])
    y = np.array([-3.42, -2.70, -1.68])
    rows = {"composition": "Li5.5PS4.5Cl1.5", "temperature_k": t, "log10_sigma": y}
    data = _with(synthetic_series(), rows | {"n_reports": [1, 9, 1]})
    model = ConductivitySurrogate(descriptors="fractions", model_params=FAST_FOREST, random_state=0)
    model.fit(data, data["log10_sigma"].to_numpy())
    query = pd.DataFrame({"composition": ["Li5.5PS4.5Cl1.5"], "temperature_k": [298.15]})
    table = model.predict_table(query)
    point = table["log10_sigma_mean"].iloc[0]

    def at_298(weights):
        ea, c = fit_arrhenius(t, y, weights)
        return ea, c - np.log10(298.15) - ea / (LN10_K_EV * 298.15)

    ea_w, weighted = at_298(np.array([1.0, 9.0, 1.0]))
    _, unweighted = at_298(None)
    assert point == pytest.approx(weighted)
    assert table["activation_energy_ev"].iloc[0] == pytest.approx(ea_w)
    assert abs(point - (-2.70)) < 0.1 < 0.3 < abs(unweighted - (-2.70))


def test_a_composition_measured_at_one_temperature_predicts_from_its_reports():
    """Li3N in the shipped data: three distinct reports at 25 °C (−3.68 to −3.24), merged at −3.38,
    which the forest put at −4.80 (model version 6). Now its own value, with its reports' scatter
    pooled with the literature's; away from 25 °C moved along the Arrhenius line with its Ea, the
    Ea's spread added by its lever."""
    from surrogates.measured import arrhenius_shift

    data = _with(
        synthetic_series(),
        {
            "composition": "Li3N",
            "temperature_k": [298.15],
            "log10_sigma": [-3.38],
            "n_reports": [3],
            "log10_sigma_repeat_sd": [0.22],
        },
    )
    model = ConductivitySurrogate(descriptors="fractions", model_params=FAST_FOREST, random_state=0)
    model.fit(data, data["log10_sigma"].to_numpy())
    query = pd.DataFrame({"composition": ["Li3N", "Li3N"], "temperature_k": [298.15, 353.15]})
    table = model.predict_table(query)
    assert not table["measured_series"].any() and (table["measured_reports"] == 3).all()
    report = np.sqrt((2 * 0.22**2 + 4 * S0**2) / 6) * np.sqrt(1 + 1 / 3)
    assert table["log10_sigma_mean"].iloc[0] == pytest.approx(-3.38)
    assert table["log10_sigma_std"].iloc[0] == pytest.approx(report)
    ea, ea_std = table["activation_energy_ev"].iloc[1], table["activation_energy_std_ev"].iloc[1]
    assert ea_std > 0
    assert table["log10_sigma_mean"].iloc[1] == pytest.approx(
        -3.38 + arrhenius_shift(353.15, 298.15, ea)
    )
    lever = (1 / 298.15 - 1 / 353.15) / LN10_K_EV
    assert table["log10_sigma_std"].iloc[1] == pytest.approx(np.hypot(report, lever * ea_std))
    # the same rows without the composition's reports: the forest's value, somewhere else
    other = ConductivitySurrogate(
        descriptors="fractions", model_params=FAST_FOREST, use_measured_series=False, random_state=0
    ).fit(data, data["log10_sigma"].to_numpy())
    assert other.predict_table(query)["measured_reports"].eq(0).all()


def test_tight_reports_narrow_the_band_and_scattered_ones_widen_it():
    """Ten reports of one composition at 25 °C: agreeing to 0.1 decade they predict a new report
    closer than one report does (the literature's spread); scattered by 2 decades, wider."""
    rows = {
        "composition": ["Li3N", "Li3P", "Li3As"],
        "temperature_k": [298.15] * 3,
        "log10_sigma": [-3.4, -4.0, -5.0],
        "n_reports": [10, 1, 10],
        "log10_sigma_repeat_sd": [0.1, np.nan, 2.0],
    }
    data = _with(synthetic_series(), rows)
    model = ConductivitySurrogate(descriptors="fractions", model_params=FAST_FOREST, random_state=0)
    model.fit(data, data["log10_sigma"].to_numpy())
    std = model.predict_table(pd.DataFrame(rows)[["composition", "temperature_k"]])[
        "log10_sigma_std"
    ].to_numpy()
    assert std[1] == pytest.approx(0.9 * np.sqrt(2) / 1.3)
    assert std[0] == pytest.approx(np.sqrt((9 * 0.01 + 4 * S0**2) / 13) * np.sqrt(1.1))
    assert std[0] < std[1] < std[2]


def test_a_composition_reported_once_is_never_less_certain_than_the_model_unmeasured(monkeypatch):
    """Near a doping series the regressor's calibrated spread can be narrower than the literature's
    repeat scatter (make run's model: std about 0.5 beside Li6.55Ga0.15La3Zr2O12). The one report
    then centres the prediction with the model's spread, not the wider 0.98 a robust search would
    penalise against the unmeasured neighbour."""
    rows = {"composition": ["Li3N"], "temperature_k": [298.15], "log10_sigma": [-3.4]}
    data = _with(synthetic_series(), rows)
    model = ConductivitySurrogate(descriptors="fractions", model_params=FAST_FOREST, random_state=0)
    model.fit(data, data["log10_sigma"].to_numpy())
    query = pd.DataFrame(rows)[["composition", "temperature_k"]]
    estimator = model.sigma_estimator_
    narrow = estimator.row_quantiles(model.featurizer_.transform(query), 0.9) * 0.4
    monkeypatch.setattr(estimator, "row_quantiles", lambda F, coverage: narrow[: len(F)])
    measured = model.predict_table(query)
    model.use_measured_series = False
    unmeasured = model.predict_table(query)
    assert unmeasured["log10_sigma_std"].iloc[0] < 0.9 * np.sqrt(2) / 1.3  # the model is narrower
    assert measured["log10_sigma_mean"].iloc[0] == pytest.approx(-3.4)
    assert measured["log10_sigma_std"].iloc[0] == pytest.approx(
        unmeasured["log10_sigma_std"].iloc[0]
    )


def test_an_uncertain_activation_energy_never_lowers_the_interval_as_temperature_rises(monkeypatch):
    """Ea is clipped to its bounds (0.05-1.5 eV), so its spread is a truncated normal: with Li3N's
    0.37 ± 0.67 eV (make run's model, 2026-12-08) a symmetric term put the 100 °C p05 1.6 decades
    under the 25 °C one, though a higher temperature can only raise σ for any Ea in the bounds.
    Now p05 rises with T, and p95 stops at the ceiling moved by the fastest conductors' Ea."""
    from surrogates.model import FAST_CONDUCTOR_EA_EV, PHYSICAL_BOUNDS_LOG10

    data = synthetic_series()
    model = ConductivitySurrogate(
        descriptors="fractions", model_params=FAST_FOREST, use_measured_series=False, random_state=0
    ).fit(data, data["log10_sigma"].to_numpy())
    monkeypatch.setattr(
        model, "_predict_ea", lambda F: (np.full(len(F), 0.37), np.full(len(F), 0.67))
    )
    temperatures = np.array([298.15, 313.15, 333.15, 353.15, 373.15, 423.15])
    query = pd.DataFrame({"composition": COMPOSITIONS[3], "temperature_k": temperatures})
    table = model.predict_table(query)
    low, high = table["log10_sigma_p05"].to_numpy(), table["log10_sigma_p95"].to_numpy()
    assert np.all(np.diff(low) > 0)
    ceiling = PHYSICAL_BOUNDS_LOG10[1] + arrhenius_shift(temperatures, 298.15, FAST_CONDUCTOR_EA_EV)
    assert np.all(high <= ceiling + 1e-12)
    # the truncated spread is the one reported: narrower than the untruncated 0.67
    assert np.all(table["activation_energy_std_ev"] < 0.67)
    assert table["activation_energy_std_ev"].iloc[0] == pytest.approx(
        truncnorm_std((0.05 - 0.37) / 0.67, (1.5 - 0.37) / 0.67) * 0.67
    )


def truncnorm_std(a, b):
    from scipy.stats import truncnorm

    return float(truncnorm.std(a, b))


def test_a_composition_reported_below_the_detection_limit_says_so_in_p(monkeypatch):
    """Li3PO4 in the shipped data: measured (not censored) at 10^-12.8. Its P(below detection)
    follows from its own reports, not from a classifier that put it at 0.005."""
    from scipy.special import ndtr

    data = _with(
        censored_table(),
        {
            "composition": ["Li3PO4"],
            "temperature_k": [298.15],
            "log10_sigma": [-12.8],
            "censored": [False],
        },
    )
    model = ConductivitySurrogate(descriptors="fractions", model_params=FAST_FOREST, random_state=0)
    model.fit(data, data["log10_sigma"].to_numpy())
    assert model.censoring_classifier_ is not None
    row = model.predict_table(pd.DataFrame({"composition": ["Li3PO4"], "temperature_k": [298.15]}))
    assert row["measured_reports"].iloc[0] == 1
    std = row["log10_sigma_std"].iloc[0]
    assert row["p_below_detection"].iloc[0] == pytest.approx(ndtr((-10.0 + 12.8) / std))
    assert row["p_below_detection"].iloc[0] > 0.9


def test_a_series_reports_the_standard_error_of_its_activation_energy():
    """The slope of a composition's own line in x = 1/T has the standard error s_post / √Sxx; in
    eV that is k_B ln 10 times it (before 2026-12-08 a series reported 0, as if its Ea were known
    exactly: Li7La3Zr2O12's 0.487 eV rests on one 200 °C row)."""
    model = fourteen_and_one_series_model()
    row = model.predict_table(
        pd.DataFrame({"composition": ["Li5La3Ta2O12"], "temperature_k": [298.15]})
    )
    x = 1 / np.array([298.15, 473.15])
    w = np.array([14.0, 1.0])
    sxx = np.sum(w * (x - np.sum(w * x) / 15) ** 2)
    s_post = np.sqrt((13 * 1.0 + 4 * S0**2) / 17)
    assert row["activation_energy_std_ev"].iloc[0] == pytest.approx(
        LN10_K_EV * s_post / np.sqrt(sxx)
    )


def test_heating_a_measured_series_does_not_raise_its_p_below_detection():
    """P(below detection) is the material's, at T_ref: a series' band widening away from its
    measured temperatures raised it on heating (a new user's trial: Li7La3Zr2O12 1.8e-7 at 25 °C,
    8.9e-5 at 200 °C)."""
    rows = {
        "composition": "Li5La3Ta2O12",
        "temperature_k": [298.15, 473.15],
        "log10_sigma": [-9.0, -6.0],
        "censored": False,
    }
    data = _with(censored_table(), rows)
    model = ConductivitySurrogate(descriptors="fractions", model_params=FAST_FOREST, random_state=0)
    model.fit(data, data["log10_sigma"].to_numpy())
    query = pd.DataFrame(
        {"composition": ["Li5La3Ta2O12"] * 3, "temperature_k": [298.15, 473.15, 673.15]}
    )
    table = model.predict_table(query)
    assert table["measured_series"].all()
    p = table["p_below_detection"].to_numpy()
    assert 0.01 < p[0] < 0.5 and np.all(p == p[0])


def test_a_composition_is_measured_only_when_its_fractions_equal_a_reported_ones():
    """The merge groups compositions by element fractions to 3 decimals, a grid cell that a
    reported composition sits anywhere in: LATP's reports must not reach Li1.29Al0.29Ti1.71(PO4)3
    (3 % less Al; it did, while +1.7 % did not), but do reach LATP written another way."""
    rows = {
        "composition": ["Li1.3Al0.3Ti1.7(PO4)3"],
        "temperature_k": [298.15],
        "log10_sigma": [-3.0],
    }
    data = _with(synthetic_series(), rows)
    model = ConductivitySurrogate(descriptors="fractions", model_params=FAST_FOREST, random_state=0)
    model.fit(data, data["log10_sigma"].to_numpy())
    query = pd.DataFrame(
        {
            "composition": [
                "Li1.3Al0.3Ti1.7(PO4)3",
                "Li2.6Al0.6Ti3.4P6O24",
                "Li1.29Al0.29Ti1.71(PO4)3",
                "Li1.305Al0.305Ti1.695(PO4)3",
            ],
            "temperature_k": 298.15,
        }
    )
    assert composition_key(parse_formula(query["composition"][2])) == composition_key(
        parse_formula(query["composition"][0])
    )  # the same merge cell
    reports = model.predict_table(query)["measured_reports"].tolist()
    assert reports[0] == reports[1] == 6 and reports[2:] == [0, 0]  # 5 synthetic + 1 here


def test_every_composition_a_merged_row_was_reported_as_takes_its_reports():
    """A merged row keeps its first composition string; the others its reports were written as
    (reported_as) match too, so the order of rows does not decide which composition is measured
    (a review found Li1.3Al0.3 with two reports left to the forest, Li1.29Al0.29 with one taking
    all three)."""
    first, second, unreported = (
        "Li6.547Ga0.151La3Zr2O12",
        "Li6.55Ga0.15La3Zr2O12",
        "Li6.544Ga0.152La3Zr2O12",
    )
    cell = {composition_key(parse_formula(f)) for f in (first, second)}
    exact = {composition_key(parse_formula(f), MEASURED_KEY_DECIMALS) for f in (first, second)}
    assert len(cell) == 1 and len(exact) == 2  # one merge cell, two compositions
    rows = {
        "composition": [first],
        "temperature_k": [298.15],
        "log10_sigma": [-3.0],
        "n_reports": [3],
        "reported_as": [f"{first} | {second}"],
    }
    data = _with(synthetic_series(), rows)
    model = ConductivitySurrogate(
        descriptors="fractions", model_params=FAST_FOREST, random_state=0
    ).fit(data, data["log10_sigma"].to_numpy())
    query = pd.DataFrame({"composition": [first, second, unreported], "temperature_k": 298.15})
    table = model.predict_table(query)
    assert table["measured_reports"].tolist() == [3, 3, 0]
    assert table["log10_sigma_mean"].iloc[0] == table["log10_sigma_mean"].iloc[1] == -3.0


def test_copies_of_a_lab_measurement_are_one_report():
    """The measurement store adds a lab's value `weight` times for the regressor; as reports the
    copies are one measurement, not laboratories in perfect agreement."""
    one = {"composition": ["Li3N"], "temperature_k": [298.15], "log10_sigma": [-3.4]}
    three = {key: value * 3 for key, value in one.items()}
    query = pd.DataFrame({"composition": ["Li3N"], "temperature_k": [298.15]})
    tables = []
    for rows in (one, three):
        data = _with(synthetic_series(), rows)
        model = ConductivitySurrogate(
            descriptors="fractions", model_params=FAST_FOREST, random_state=0
        ).fit(data, data["log10_sigma"].to_numpy())
        tables.append(model.predict_table(query))
    assert tables[0]["measured_reports"].iloc[0] == tables[1]["measured_reports"].iloc[0] == 1
    assert tables[1]["log10_sigma_mean"].iloc[0] == pytest.approx(-3.4)


def test_point_follows_the_censoring_mixture_continuously_and_the_interval_reaches_below(
    monkeypatch,
):
    """Issue 26: the point is the mixture's median, moving continuously with p (not pinned at a
    value from p >= 0.5), and a likely insulator's interval reaches below the detection limit."""
    data = censored_table()
    model = ConductivitySurrogate(  # a training row, asked of the model (not of its own reports)
        descriptors="fractions", model_params=FAST_FOREST, use_measured_series=False, random_state=0
    ).fit(data, data["log10_sigma"].to_numpy())
    conductor = data.iloc[[45]]  # a sulfide near −3.5
    base = model.predict_table(conductor)
    levels = np.linspace(0.0, 1.0, 201)
    rows = data.iloc[np.full(len(levels), 45)].reset_index(drop=True)
    monkeypatch.setattr(model, "p_below_detection", lambda F: levels[: len(F)])
    table = model.predict_table(rows)
    points = table["log10_sigma_mean"].to_numpy()
    lows, highs = table["log10_sigma_p05"].to_numpy(), table["log10_sigma_p95"].to_numpy()
    # p = 0: the regressor's own point and interval
    regressor = model.sigma_estimator_.predict(model.featurizer_.transform(conductor))[0]
    assert points[0] == pytest.approx(regressor, abs=1e-9)
    assert base["p_below_detection"].iloc[0] < 0.05
    assert np.all(np.diff(points) <= 1e-9)  # more likely insulating, lower
    # the point takes many values (the old rule took two: the regressor's or min(it, −10)), and
    # moves little while p is small
    assert len(np.unique(np.round(points, 3))) > 100
    assert points[0] - points[int(np.argmin(np.abs(levels - 0.1)))] < 0.3
    assert points[0] > -5.0 and points[-1] == pytest.approx(-11.0, abs=0.05)
    assert np.all((lows <= points + 1e-9) & (points <= highs + 1e-9))
    # a material p = 0.2 likely below detection: the 90 % interval's lower end lies below −10,
    # its upper end still at the conductor's
    k = int(np.argmin(np.abs(levels - 0.2)))
    assert lows[k] < -10.0 and lows[0] > -10.0
    assert highs[k] > -5.0
    # p = 0.02 (under the 5 % tail): the interval stays the conductor's
    assert lows[int(np.argmin(np.abs(levels - 0.02)))] > -10.0


def test_the_interval_if_measurable_leaves_the_censoring_mixture_out(monkeypatch):
    """Issue 26: beside P(below detection), the interval of the measurable case alone: the same as
    the mixture's where p = 0, unmoved by p, and narrower once p passes the 5 % lower tail (where
    the mixture's lower end drops into the below-detection component)."""
    data = censored_table()
    model = ConductivitySurrogate(  # a training row, asked of the model (not of its own reports)
        descriptors="fractions", model_params=FAST_FOREST, use_measured_series=False, random_state=0
    ).fit(data, data["log10_sigma"].to_numpy())
    levels = np.array([0.0, 0.02, 0.1, 0.5, 0.9])
    rows = data.iloc[np.full(len(levels), 45)].reset_index(drop=True)
    monkeypatch.setattr(model, "p_below_detection", lambda F: levels[: len(F)])
    table = model.predict_table(rows)
    low, high = table["log10_sigma_p05"].to_numpy(), table["log10_sigma_p95"].to_numpy()
    low_m = table["log10_sigma_if_measurable_p05"].to_numpy()
    high_m = table["log10_sigma_if_measurable_p95"].to_numpy()
    assert low_m[0] == pytest.approx(low[0]) and high_m[0] == pytest.approx(high[0])
    np.testing.assert_allclose(low_m, low_m[0])  # p does not move it
    np.testing.assert_allclose(high_m, high_m[0])
    assert low[2] < -10.0 < low_m[2]  # p = 0.1: the mixture reaches the insulators, it does not
    assert np.all(high_m - low_m <= high - low + 1e-9)
