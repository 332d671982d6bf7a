"""Composition families: templates, charge neutrality, the dopant variable and predicted σ per design."""

import numpy as np
import pandas as pd
import pytest
from pymatgen.core import Composition, Element

from pipeline.errors import CatalogError, ConfigError
from pipeline.search.nsga2 import run_nsga2
from pipeline.study import compositions
from pipeline.study.catalog import load_catalog
from pipeline.study.config import StudyConfig
from pipeline.study.predicted import interval_columns
from pipeline.study.problem import StudyModel
from tests.conftest import CONFIGS

FAMILIES = ["garnet_ta", "argyrodite_cl", "latp", "llto"]


class FamilySurrogate:
    """A deterministic stand-in: log10 σ = −6 + 20·(Li atomic fraction), an asymmetric interval
    (−0.8 / +0.4 decades at 90 %, wider below for a robust quantile), std 0.3; compositions with
    an element listed in `outside` score applicability 0 (out of domain)."""

    class domain_:
        threshold = 0.05

    def __init__(self, outside=(), reported=()):
        self.outside = set(outside)
        self.reported = set(reported)  # compositions "measured" in its data: 3 reports each
        self.calls = 0

    def predict_table(self, query, coverage=0.9):
        self.calls += 1
        comps = [Composition(c) for c in query["composition"]]
        mean = np.array([-6.0 + 20.0 * c.get_atomic_fraction(Element("Li")) for c in comps])
        width = 1.0 + (coverage - 0.9) * 5  # wider for higher coverage
        low_col, high_col = interval_columns(coverage)
        return pd.DataFrame(
            {
                "log10_sigma_mean": mean,
                "log10_sigma_std": np.full(len(comps), 0.3),
                low_col: mean - 0.8 * width,
                high_col: mean + 0.4 * width,
                "applicability": [
                    0.0 if {str(e) for e in c.elements} & self.outside else 0.9 for c in comps
                ],
                "measured_reports": [3 if f in self.reported else 0 for f in query["composition"]],
            },
            index=query.index,
        )


def composition_config(default_config, **search) -> StudyConfig:
    data = default_config.to_dict()
    data["search"].update(
        {
            "population_size": 24,
            "generations": 8,
            "materials": ["LLZO", "Li6PS5Cl"],
            "families": FAMILIES,
            **search,
        }
    )
    # C/20 charging: at C/10 only coated garnet passes the flaw-penetration criterion, a needle
    # these small budgets need not find; the tests are about compositions
    data["cell"]["charge_c_rate_per_h"] = 0.05
    return StudyConfig.from_dict(data, source=str(CONFIGS / "default.yaml"))


def test_templates_give_formulas_per_formula_unit():
    assert compositions.formula_at("Li{7-x}La3Zr{2-x}Ta{x}O12", 0.6) == "Li6.4La3Zr1.4Ta0.6O12"
    assert compositions.formula_at("Li6PS5Cl{1-x}Br{x}", 0.0) == "Li6PS5Cl"  # zero drops Br
    assert compositions.formula_at("Li{1+x}Al{x}Ti{2-x}(PO4)3", 0.3) == "Li1.3Al0.3Ti1.7(PO4)3"
    assert compositions.formula_at("Li{3*x}La{2/3-x}TiO3", 0.1) == "Li0.3La0.566667TiO3"


@pytest.mark.parametrize(
    "template, x",
    [
        ("Li{7-x}La3Zr{2-x}Ta{x}O12", 2.5),  # negative Zr
        ("Li{__import__('os')}O", 0.1),  # not arithmetic in x
        ("Li{x**2}O", 0.1),  # only + - * /
        ("Li7La3Zr2O12", 0.1),  # no variable amount
    ],
)
def test_bad_templates_are_refused(template, x):
    with pytest.raises(compositions.TemplateError):
        compositions.formula_at(template, x)


@pytest.mark.parametrize(
    "x_min, x_max, step, n",
    [(0.08, 0.25, 0.01, 18), (0.2, 1.0, 0.01, 81), (0.0, 2.0, 0.02, 101), (0.0, 10.0, 0.1, 101)],
)
def test_levels_are_steps_a_synthesis_weighs_out(x_min, x_max, step, n):
    """Ga-LLZO's 0.08-0.25 is visited at 0.08, 0.09, ... 0.25 (until 2026-12-08: 101 levels 0.0017
    apart, and suggest proposed Ga0.1718); a wider window takes the next step that fits LEVELS."""
    grid = compositions.family_levels(x_min, x_max)
    assert len(grid) == n <= compositions.LEVELS
    assert grid[0] == x_min and grid[-1] == x_max
    assert np.allclose(np.diff(grid), step)
    padded = compositions.levels(x_min, x_max)
    assert len(padded) == compositions.LEVELS and (padded[n:] == x_max).all()


def test_a_window_off_the_step_keeps_its_ends_and_the_multiples_between():
    grid = compositions.family_levels(0.033, 0.1)
    assert list(grid) == pytest.approx([0.033, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1])
    # a multiple within half a step of an end is no level of its own (a review: 0.0899 and 0.09)
    assert list(compositions.family_levels(0.0899, 0.13)) == pytest.approx(
        [0.0899, 0.1, 0.11, 0.12, 0.13]
    )


def test_search_variable_and_level_index_agree_on_every_level():
    grid = compositions.family_levels(0.08, 0.25)
    u = np.linspace(0.0, 1.0, 1001)
    x = compositions.level_at(0.08, 0.25, u)
    assert set(np.round(x, 10)) == set(grid)  # u reaches every level, and only levels
    assert (grid[compositions.level_index(0.08, 0.25, x)] == x).all()
    # a measured x between levels goes to the nearest one
    assert grid[compositions.level_index(0.08, 0.25, np.array([0.1718, 0.154]))] == pytest.approx(
        [0.17, 0.15]
    )


def test_every_shipped_family_is_charge_neutral_across_its_window(catalog):
    for fid, fam in catalog.families.iterrows():
        states = compositions.parse_oxidation_states(fam["oxidation_states"])
        for x in compositions.levels(fam["x_min"], fam["x_max"])[::10]:
            formula = compositions.formula_at(fam["template"], x)
            assert abs(compositions.charge_sum(formula, states)) < 1e-4, (fid, formula)


@pytest.mark.parametrize(
    "column, value, expected",
    [
        ("template", "Li{7-x}La3Zr{2-x}Ta{2*x}O12", "not charge neutral"),
        ("parent_material_id", "PEO-LiTFSI+LLZO", "not a composite template"),
        ("x_max", "0.1", "0 <= x_min < x_max"),
        ("oxidation_states", "Li:1;La:3;Zr:4;O:-2", "no oxidation state for Ta"),
    ],
)
def test_a_bad_family_row_is_named_by_line_and_column(catalog_copy, column, value, expected):
    path = catalog_copy / "composition_families.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table.loc[0, column] = value  # garnet_ta, line 2
    table.to_csv(path, index=False)
    with pytest.raises(CatalogError) as err:
        load_catalog(catalog_copy)
    assert f"composition_families.csv, line 2, column '{column}'" in str(err.value)
    assert expected in str(err.value)


def test_decoded_compositions_are_neutral_and_inside_their_sourced_windows(default_config, catalog):
    model = StudyModel(catalog, composition_config(default_config), FamilySurrogate())
    assert model.space.n_var == 5  # the dopant level joins x only when families are searched
    table = model.table(np.random.default_rng(3).random((400, model.space.n_var)))
    members = table[table["material"].isin(FAMILIES)]
    assert (
        members["sigma_predicted"].all()
        and not table.loc[~table["material"].isin(FAMILIES), "sigma_predicted"].any()
    )
    for fid, rows in members.groupby("material"):
        fam = catalog.families.loc[fid]
        assert rows["dopant_level"].between(fam["x_min"] - 1e-12, fam["x_max"] + 1e-12).all()
        states = compositions.parse_oxidation_states(fam["oxidation_states"])
        for formula, x in zip(rows["composition"], rows["dopant_level"], strict=True):
            assert formula == compositions.formula_at(fam["template"], x)
            assert abs(compositions.charge_sum(formula, states)) < 1e-4
    # a family member inherits its parent's chemistry, mechanics and processes
    assert set(members.loc[members["material"] == "latp", "li_side_stable"]) <= {True, False}
    catalog_rows = table[~table["material"].isin(FAMILIES)]
    assert catalog_rows["dopant_level"].isna().all()


def test_member_sigma_is_the_prediction_with_its_interval(default_config, catalog):
    model = StudyModel(catalog, composition_config(default_config), FamilySurrogate())
    table = model.table(np.random.default_rng(4).random((300, model.space.n_var)))
    members = table[table["sigma_predicted"]]
    li = np.array(
        [Composition(c).get_atomic_fraction(Element("Li")) for c in members["composition"]]
    )
    np.testing.assert_allclose(members["sigma_dense_s_per_cm"], 10 ** (-6 + 20 * li), rtol=1e-9)
    np.testing.assert_allclose(members["sigma_p05_s_per_cm"], 10 ** (-6 + 20 * li - 0.8), rtol=1e-9)
    np.testing.assert_allclose(members["sigma_p95_s_per_cm"], 10 ** (-6 + 20 * li + 0.4), rtol=1e-9)


def test_robust_mode_uses_the_predictive_quantile(default_config, catalog):
    config = composition_config(default_config)
    data = config.to_dict()
    data["surrogate"].update({"robust": True, "robust_quantile": 0.95})
    config = StudyConfig.from_dict(data, source=config.source)
    model = StudyModel(catalog, config, FamilySurrogate())
    _, _, out = model.evaluate(np.random.default_rng(5).random((300, model.space.n_var)))
    rows = out["sigma_predicted"]
    # coverage 2q − 1 = 0.9: the fake's low end is 0.8 decades below the mean
    ratio = (out["robust_asr_ohm_cm2"] - out["interface_asr_ohm_cm2"]) / out["bulk_asr_ohm_cm2"]
    np.testing.assert_allclose(ratio[rows], 10**0.8, rtol=1e-6)  # ASR sums round at ~1e-9


def test_out_of_domain_compositions_are_penalized_by_default(default_config, catalog):
    config = composition_config(default_config)
    assert not config.surrogate.penalize_out_of_domain
    model = StudyModel(catalog, config, FamilySurrogate(outside={"Ta"}))
    table = model.table(np.random.default_rng(6).random((400, model.space.n_var)))
    ta = table["composition"].str.contains("Ta")
    assert ta.any() and (table.loc[ta, "G_g_domain"] > 0).all()
    assert not table.loc[ta, "feasible"].any()
    assert (table.loc[~ta, "G_g_domain"] < 0).all()  # catalog materials: not penalized by default


def test_same_seed_same_composition_front(default_config, catalog):
    config = composition_config(default_config)
    a = run_nsga2(StudyModel(catalog, config, FamilySurrogate()), progress=False)
    b = run_nsga2(StudyModel(catalog, config, FamilySurrogate()), progress=False)
    np.testing.assert_array_equal(a.archive.X, b.archive.X)
    front = StudyModel(catalog, config, FamilySurrogate()).table(a.archive.X)
    assert front["sigma_predicted"].any()  # predicted compositions reach the front


def test_predictions_are_made_once_per_temperature_not_per_generation(default_config, catalog):
    surrogate = FamilySurrogate()
    model = StudyModel(catalog, composition_config(default_config), surrogate)
    # one call for the catalog materials, one for every level of every family (25 °C only)
    assert surrogate.calls == 2
    run_nsga2(model, progress=False)
    assert surrogate.calls == 2  # the search itself never calls the model


def test_families_without_a_surrogate_or_unknown_are_config_errors(default_config, catalog):
    with pytest.raises(ConfigError, match=r"search\.families'.*none is available"):
        StudyModel(catalog, composition_config(default_config), None)
    with pytest.raises(ConfigError, match=r"search\.families': unknown 'garnet_tx'.*garnet_ta"):
        StudyModel(catalog, composition_config(default_config, families=["garnet_tx"]), None)


def test_the_report_flags_predicted_conductivities_with_their_interval(default_config, catalog):
    from pipeline.reporting.report import design_flags, shown_columns

    config = composition_config(default_config)
    model = StudyModel(catalog, config, FamilySurrogate())
    table = model.table(np.random.default_rng(7).random((200, model.space.n_var)))
    flags = design_flags(table, config)
    members = table["sigma_predicted"].to_numpy(bool)
    row = table[members].iloc[0]
    assert f"σ predicted for {row['composition']}: 90 % interval" in flags[members].iloc[0]
    assert not flags[~members].str.contains("σ predicted").any()
    assert {"composition", "dopant_level"} <= set(shown_columns())


def test_a_member_the_surrogates_data_measured_is_flagged_as_reported_not_predicted(
    default_config, catalog
):
    """A family member whose composition the surrogate's training data reported takes its σ from
    those reports (model version 7): the flag says so, not "σ predicted"."""
    from pipeline.reporting.report import design_flags

    config = composition_config(default_config)
    probe = StudyModel(catalog, config, FamilySurrogate())
    table = probe.table(np.random.default_rng(7).random((200, probe.space.n_var)))
    members = table[table["sigma_predicted"].to_numpy(bool)]
    reported = members["composition"].iloc[0]
    model = StudyModel(catalog, config, FamilySurrogate(reported={reported}))
    table = model.table(np.random.default_rng(7).random((200, model.space.n_var)))
    flags = design_flags(table, config)
    hit = (table["composition"] == reported).to_numpy()
    assert hit.any()
    assert (table.loc[hit, "sigma_literature_reports"] == 3).all()
    assert (
        flags[hit].str.contains(f"σ from 3 literature report(s) of {reported}", regex=False).all()
    )
    assert not flags[hit].str.contains("σ predicted").any()
    others = table["sigma_predicted"].to_numpy(bool) & ~hit
    assert flags[others].str.contains("σ predicted for").all()


def test_measured_members_are_shown_beside_the_prediction(default_config, catalog):
    model = StudyModel(catalog, composition_config(default_config), FamilySurrogate())
    fam = model.families_sigma
    ta = FAMILIES.index("garnet_ta")
    # x = 0.6 is level 40 of 0.2, 0.21, ... 1.0: Li et al. 2012 pellet 1.0e-3 and the hot-pressed
    # M034 4.54e-4
    assert compositions.levels(0.2, 1.0)[40] == pytest.approx(0.6)
    assert fam.measured_sigma[ta, 40] == pytest.approx(np.median([1.0e-3, 4.54e-4]))
    assert "M034" in fam.measured_note[ta][40]
    assert np.isnan(fam.measured_sigma[ta, 41])  # nothing measured at x = 0.61
    table = model.table(np.random.default_rng(8).random((300, model.space.n_var)))
    shown = table["sigma_measured_s_per_cm"].notna()
    assert (table.loc[shown, "measured"].str.len() > 0).all()
    assert table.loc[shown, "sigma_predicted"].all()  # only family members carry them


def test_a_measurement_that_is_not_the_family_member_is_refused(catalog_copy):
    path = catalog_copy / "family_measurements.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table.loc[0, "composition"] = "Li6.6La3Zr1.6Ta0.4O12"  # the x = 0.4 member, row says x = 0.2
    table.to_csv(path, index=False)
    with pytest.raises(
        CatalogError, match=r"family_measurements.csv, line 2, column 'composition'"
    ):
        load_catalog(catalog_copy)


def test_a_composition_study_runs_end_to_end(tmp_path, monkeypatch):
    import pipeline.run
    from pipeline.study.config import load_config

    monkeypatch.setattr(
        pipeline.run, "load_surrogate", lambda config, messages: (FamilySurrogate(), "fake")
    )
    config = load_config(
        CONFIGS / "studies" / "composition_families.yaml",
        [
            "search.population_size=20",
            "search.generations=12",
            "cell.charge_c_rate_per_h=0.05",  # as in composition_config
            f"tracking.tracking_uri=sqlite:///{tmp_path}/mlflow.db",
        ],
    )
    summary = pipeline.run.run_study(config, tmp_path / "out")
    front = pd.read_parquet(tmp_path / "out" / "front.parquet")
    assert front["sigma_predicted"].any() and front["composition"].str.len().gt(0).all()
    report = (tmp_path / "out" / "report.md").read_text()
    assert "σ predicted for" in report
    assert summary["front_size"] == len(front)


def test_a_drawn_conductivity_is_not_made_robust_a_second_time(default_config, catalog):
    """suggest draws σ from the predictive distribution; a draw is one realization, so robust mode's
    quantile factor must not be applied on top of it (a new user found P(feasible) far too low)."""
    config = composition_config(default_config)
    data = config.to_dict()
    data["surrogate"].update({"robust": True, "robust_quantile": 0.95})
    model = StudyModel(
        catalog, StudyConfig.from_dict(data, source=config.source), FamilySurrogate()
    )
    X = np.random.default_rng(9).random((200, model.space.n_var))
    _, _, searched = model.evaluate(X)
    _, _, drawn = model.evaluate(X, log10_sigma_shift=np.zeros(len(X)))
    members = searched["sigma_predicted"]
    assert (searched["robust_asr_ohm_cm2"][members] > searched["total_asr_ohm_cm2"][members]).all()
    np.testing.assert_allclose(drawn["robust_asr_ohm_cm2"], drawn["total_asr_ohm_cm2"])


def test_a_family_is_excluded_on_one_line_with_its_parent(default_config, catalog):
    from pipeline.study.stability import stability_exclusions

    config = composition_config(default_config, materials=["LATP"], families=["latp"])
    model = StudyModel(catalog, config, FamilySurrogate())
    lines = stability_exclusions(model.catalog, config, model.space)
    assert lines and all(line.startswith("LATP, latp with coating") for line in lines)


def test_plausible_worlds_draw_each_predicted_composition_once(default_config, catalog):
    from pipeline.reporting.worlds import evaluate_worlds
    from pipeline.study.plausible import sigma_draws

    model = StudyModel(catalog, composition_config(default_config), FamilySurrogate())
    X = np.random.default_rng(0).random((400, model.space.n_var))
    draws = sigma_draws(model, 16, seed=3)
    shifts = draws.shifts(model, X)
    batch = model.space.decode(X)
    members = model.families_sigma.locate(batch.material, batch.dopant_level)[0]
    catalog_rows = np.setdiff1d(np.arange(len(X)), members)
    # a catalog material keeps its catalog σ (its range is drawn as a catalog value); a member's
    # log10 σ moves by z · 0.3 (the stand-in's std), z standard normal
    assert np.all(shifts[:, catalog_rows] == 0.0) and len(members) > 0
    assert 0.2 < np.std(shifts[:, members]) < 0.4
    # one draw per composition: designs of the same member (at other thicknesses) share it
    keys = pd.Series(model.compositions(batch)[members])
    twins = keys[keys.duplicated(keep=False)]
    assert len(twins) > 1
    first = twins.groupby(twins).head(1).index
    for i in first:
        same = members[twins.index[twins == twins[i]]]
        assert np.all(shifts[:, same] == shifts[:, [members[i]]])
    # the worlds read them: a member's ASR in each world moves with its own σ draw
    front = model.table(X[members[:40]])
    evidence = catalog.evidence()
    _, _, asr, _ = evaluate_worlds(model, front, evidence, 16, seed=3)
    import pipeline.reporting.worlds as worlds_module

    original = worlds_module.sigma_draws
    worlds_module.sigma_draws = lambda *a, **k: None  # the catalog-only worlds
    try:
        _, _, asr_catalog_only, _ = evaluate_worlds(model, front, evidence, 16, seed=3)
    finally:
        worlds_module.sigma_draws = original
    moved = np.abs(np.log10(asr / asr_catalog_only)).max(axis=0)  # per design, over worlds
    assert np.all(moved > 1e-9)  # every member's ASR moves (little where the interface dominates)
    # where the bulk dominates, by decades (std 0.3 decade over 16 worlds)
    assert moved.max() > 0.3 and np.mean(moved > 0.01) > 0.25


def test_a_predicted_composition_is_a_value_worth_measuring_in_the_worlds(default_config, catalog):
    from pipeline.reporting.decisive import decisive_values
    from pipeline.reporting.worlds import front_worlds
    from pipeline.run import front_and_choices

    config = composition_config(default_config)
    data = config.to_dict()
    data["uncertainty"]["worlds"] = 32
    config = StudyConfig.from_dict(data, source=config.source)
    model = StudyModel(catalog, config, FamilySurrogate())
    front, chosen = front_and_choices(model, run_nsga2(model, progress=False).archive.X)
    members = front[front["sigma_predicted"].astype(bool)]
    assert len(members)
    worlds = front_worlds(model, front, chosen, decisive_values(model, front, chosen))
    ranked = worlds.measurements
    predicted = ranked[ranked["grade"] == "predicted"]
    # one row per predicted composition on the front, measured by a pellet's impedance, its range
    # the prediction's 90 % interval in decades (the stand-in's std 0.3: ±0.49)
    assert set(predicted["value"]) == {
        f"surrogate {c} log10_sigma_decades" for c in members["composition"].unique()
    }
    assert (
        predicted["measurement"]
        == "impedance of a dense pellet of the composition at the study's temperature"
    ).all()
    assert np.allclose(predicted["high"], 1.645 * 0.3) and np.allclose(predicted["low"], -0.4935)


def test_worlds_draw_neighbouring_levels_together_and_other_families_apart(default_config, catalog):
    from pipeline.study.plausible import sigma_draws

    model = StudyModel(catalog, composition_config(default_config), FamilySurrogate())
    family = sigma_draws(model, 400, seed=0).family  # [world, family, level]
    garnet, argyrodite = FAMILIES.index("garnet_ta"), FAMILIES.index("argyrodite_cl")
    neighbours = np.corrcoef(family[:, garnet, 50], family[:, garnet, 51])[0, 1]
    apart = np.corrcoef(family[:, garnet, 50], family[:, argyrodite, 50])[0, 1]
    assert neighbours > 0.95
    assert abs(apart) < 0.15  # independent: 400 draws scatter by about 0.05
    assert 0.85 < family[:, garnet, 50].std() < 1.15  # standard normal marginals


def test_a_level_the_literature_measured_is_not_ranked_for_measuring(default_config, catalog):
    from pipeline.reporting.decisive import evidence_uses
    from pipeline.reporting.worlds import composition_values
    from pipeline.study.plausible import sigma_draws

    config = composition_config(default_config)
    data = config.to_dict()
    data["uncertainty"]["worlds"] = 16
    model = StudyModel(
        catalog, StudyConfig.from_dict(data, source=config.source), FamilySurrogate()
    )
    fam, space = model.families_sigma, model.space
    measured = np.argwhere(np.isfinite(fam.measured_sigma))
    assert len(measured)
    f, k = measured[0]
    unmeasured = next(j for j in range(101) if not np.isfinite(fam.measured_sigma[f, j]))
    option = int(np.flatnonzero(space.options["material_id"] == FAMILIES[f])[0])
    dopant = 1 + [v.name for v in space.variables].index("dopant_level")
    X = np.full((2, space.n_var), 0.5)
    X[:, 0] = (option + 0.5) / space.n_options
    X[:, dopant] = [k / 100, unmeasured / 100]
    front = model.table(X)
    evidence = catalog.evidence()
    uses = evidence_uses(model.catalog, front, config.cell.cathode_coating)
    draws = sigma_draws(model, 16, model.config.uncertainty.seed)
    _, ranked, _ = composition_values(model, front, evidence, uses, draws)
    added = set(ranked.loc[len(evidence) :, "item"])
    assert added == {front["composition"].iloc[1]}  # the measured level is left out
