"""ssemo suggest: feasible, distinct, reproducible batches that never repeat a measured design."""

import numpy as np
import pandas as pd
import pytest

from pipeline.campaign.store import MeasurementStore, measured_designs, read_measurements
from pipeline.campaign.suggest import (
    SuggestOptions,
    already_measured,
    composition_keys,
    design_key,
    suggest,
)
from pipeline.search.nsga2 import run_nsga2
from pipeline.study.problem import StudyModel
from tests.pipeline.study.test_compositions import FamilySurrogate, composition_config

FAST = dict(q=4, samples=12, points=1 << 11)
ASR_CONSTRAINTS = ("g_asr", "g_asr_cold")


@pytest.fixture(scope="module")
def searched(default_config, catalog):
    model = StudyModel(catalog, composition_config(default_config), FamilySurrogate())
    return model, run_nsga2(model, progress=False).archive.X


def test_suggestions_are_feasible_distinct_and_explained(searched):
    model, archive = searched
    out = suggest(model, archive, SuggestOptions(seed=1, **FAST))
    designs = out.designs
    assert 1 <= len(designs) <= 4
    assert design_key(designs).is_unique
    assert (designs["p_feasible"] > 0).all() and (designs["expected_hv_improvement"] > 0).all()
    # every constraint but the ASR limit (which the σ draw decides) is met at the suggestion
    X = designs[model.space.x_columns].to_numpy()
    _, G, out_mean = model.evaluate(X)
    others = [j for j, n in enumerate(model.constraint_names) if n not in ASR_CONSTRAINTS]
    assert (G[:, others] <= 0).all()
    assert not out_mean["constraints_unknown"].any()
    for column in ("sigma_p05_s_per_cm", "sigma_s_per_cm", "sigma_p95_s_per_cm", "applicability"):
        assert designs[column].notna().all()
    assert (designs["sigma_p05_s_per_cm"] <= designs["sigma_p95_s_per_cm"]).all()
    assert designs["why"].str.contains("expected HV gain").all()
    # the expected gain falls along the batch order or the batch is diverse (KB fantasies)
    assert designs["expected_hv_improvement"].iloc[0] == designs["expected_hv_improvement"].max()


def test_same_seed_same_suggestions(searched):
    model, archive = searched
    a = suggest(model, archive, SuggestOptions(seed=3, **FAST)).designs
    b = suggest(model, archive, SuggestOptions(seed=3, **FAST)).designs
    pd.testing.assert_frame_equal(a, b)


def test_measured_designs_are_not_suggested_again(searched, tmp_path, catalog):
    model, archive = searched
    first = suggest(model, archive, SuggestOptions(seed=0, **FAST)).designs
    # the lab measured the whole first batch: ingest it
    rows = pd.DataFrame(
        {
            "sample_id": [f"S{i}" for i in range(len(first))],
            "operator": "tester",
            "date": "2026-01-02",
            "composition": first["composition"].fillna(""),
            "material": first["material"].where(first["composition"].isna(), ""),
            "process": first["process"],
            "thickness_um": first["thickness_um"].round(3),
            "temperature_c": 25,
            "sigma_s_per_cm": 1e-3,
        }
    )
    path = tmp_path / "measured.csv"
    rows.to_csv(path, index=False)
    parsed = read_measurements(path, catalog)
    assert not parsed.errors
    store = MeasurementStore(tmp_path / "store")
    store.ingest(parsed.rows, str(path))
    measured = measured_designs(store.load())
    again = suggest(model, archive, SuggestOptions(seed=0, measured=measured, **FAST))
    second = again.designs
    assert again.info["already_measured"] >= len(first)
    assert len(second)
    keys = composition_keys(model, second)
    assert not already_measured(second, keys, measured).any()
    assert not set(design_key(first)) & set(design_key(second))


def test_catalog_gaps_that_block_whole_materials_are_listed(default_config, catalog):
    data = default_config.to_dict()
    data["search"].update(generations=5, population_size=20)
    config = default_config.from_dict(data, source=default_config.source)
    model = StudyModel(catalog, config)  # catalog study, no surrogate
    archive = run_nsga2(model, progress=False).archive.X
    gaps = suggest(model, archive, SuggestOptions(**FAST)).gaps
    assert {"g_strength", "g_ccd"} & set(gaps["constraint"])
    materials = model.catalog.materials
    column = {"g_strength": "strength_mpa", "g_ccd": "ccd_ma_per_cm2"}
    for r in gaps.itertuples():
        assert r.designs_blocked > 0 and r.hv_if_met >= 0
        if r.constraint in column and materials.loc[r.material, "temperature_law"] != "composite":
            # the catalog really has no value for it
            assert np.isnan(materials.loc[r.material, column[r.constraint]])


def test_each_gap_counts_the_designs_its_own_constraint_leaves_unknown(default_config, catalog):
    # one count for every constraint of a material read as if each blocked all of them (198 of
    # 198 for a material whose strength alone was unknown on most designs)
    from pipeline.campaign.suggest import measurement_gaps

    model = StudyModel(catalog, default_config)
    X = np.random.default_rng(3).random((400, model.space.n_var))
    table = model.table(X)
    _, _, out = model.evaluate(X)
    front = np.empty((0, len(model.objectives)))
    gaps = measurement_gaps(model, X, table, front, SuggestOptions(**FAST))
    assert len(gaps)
    materials = table["material"].to_numpy()
    for r in gaps.itertuples():
        unknown = np.isnan(np.asarray(out[r.constraint], float)) & (materials == r.material)
        assert r.designs_blocked == int(unknown.sum()) > 0, (r.material, r.constraint)
        assert f"for {r.designs_blocked} of its" in r.why
        if r.constraint == "g_asr":  # what is unknown in the ASR is what to measure
            interface = np.isnan(np.asarray(out["interface_asr_ohm_cm2"], float))[unknown]
            assert ("interfacial resistance" in r.measure) == bool(interface.any())


def test_members_measured_in_the_literature_are_not_suggested(searched):
    """family_measurements.csv holds e.g. Li6.25Ga0.25La3Zr2O12 at 3.5e-4 S/cm: a new user found it
    suggested at its (higher) predicted σ, an experiment whose answer is already published."""
    model, archive = searched
    picked = suggest(model, archive, SuggestOptions(**FAST))
    table = model.table(picked.designs[model.space.x_columns].to_numpy())
    assert table["sigma_measured_s_per_cm"].isna().all()
    assert picked.info["measured_in_literature"] > 0


def test_a_composition_measured_in_the_lab_is_known_at_every_thickness_and_nearby(searched):
    """A trial measured a suggested family member at one thickness and was offered the same
    composition again at another (σ, all the acquisition sees, was measured) and its neighbour
    0.01 in x away: the store's compositions are now known as the literature's are."""
    from pipeline.campaign.store import measured_compositions
    from pipeline.study import compositions

    model, archive = searched
    plain = suggest(model, archive, SuggestOptions(seed=1, **FAST))
    top = plain.designs.dropna(subset=["composition"]).iloc[0]
    family = model.catalog.families.loc[top["material"]]
    grid = compositions.family_levels(family["x_min"], family["x_max"])
    level = int(np.argmin(np.abs(grid - top["dopant_level"])))
    neighbour = compositions.formula_at(
        family["template"], grid[level + 1 if level + 1 < len(grid) else level - 1]
    )
    store = pd.DataFrame(
        {
            "formula": [top["composition"]],
            "sigma_s_per_cm": [top["sigma_s_per_cm"]],
            "temperature_c": [model.config.operating.temperature_c],
            "sample_id": ["LAB-1"],
        }
    )
    lab = measured_compositions(store)
    again = suggest(model, archive, SuggestOptions(seed=1, lab=lab, **FAST))
    offered = set(again.designs["composition"].dropna())
    assert top["composition"] not in offered and neighbour not in offered
    # every candidate design of the measured composition and its neighbours is left out
    assert again.info["measured_in_literature"] > plain.info["measured_in_literature"]
    # the lab row is read as the literature's: 'lab: <sample>' where it is the nearest
    assert list(lab["source"]) == ["lab: LAB-1"]
    # and set beside the surrogate's prediction for that composition (lab_vs_predicted.csv)
    check = again.lab_check
    assert list(check["composition"]) == [top["composition"]]
    assert check["sigma_measured_s_per_cm"].iloc[0] == pytest.approx(top["sigma_s_per_cm"])
    low, high = check[["sigma_p05_s_per_cm", "sigma_p95_s_per_cm"]].iloc[0]
    assert low < check["sigma_predicted_s_per_cm"].iloc[0] < high
    assert bool(check["inside_interval"].iloc[0]) == (low <= top["sigma_s_per_cm"] <= high)
    far = measured_compositions(store.assign(sigma_s_per_cm=[10.0 * high]))
    outside = suggest(model, archive, SuggestOptions(seed=1, lab=far, **FAST)).lab_check
    assert not outside["inside_interval"].iloc[0]
    assert plain.lab_check.empty and list(plain.lab_check.columns) == list(check.columns)


def test_every_measured_family_level_is_checked_once_and_others_are_counted(searched):
    """A review found lab rows compared only where the candidate grid happened to hold their
    level (Ta0.21 was skipped without a word) and one sample's two temperatures listed as twins:
    every level is compared, one row per sample and composition (the temperature nearest the
    study's), and a composition on no level is counted as not compared."""
    from pipeline.campaign.store import measured_compositions
    from pipeline.study import compositions

    model, archive = searched
    family = model.catalog.families.loc["garnet_ta"]
    grid = compositions.family_levels(family["x_min"], family["x_max"])
    formula = compositions.formula_at(family["template"], grid[1])  # x = 0.21
    off_grid = compositions.formula_at(family["template"], grid[1] + 0.004)
    t = model.config.operating.temperature_c
    store = pd.DataFrame(
        {
            "formula": [formula, formula, off_grid],
            "sigma_s_per_cm": [3e-4, 3.5e-4, 3e-4],
            "temperature_c": [t, t + 4.0, t],
            "sample_id": ["L1", "L1", "L2"],
        }
    )
    chosen = suggest(
        model, archive, SuggestOptions(seed=1, lab=measured_compositions(store), **FAST)
    )
    check = chosen.lab_check
    assert list(check["composition"]) == [formula] and list(check["temperature_c"]) == [t]
    assert check["sigma_measured_s_per_cm"].iloc[0] == pytest.approx(3e-4)
    assert chosen.info["lab_compositions_not_compared"] == 1


class InsulatorSurrogate(FamilySurrogate):
    """FamilySurrogate, with the compositions in `insulators` likely below the detection limit."""

    def __init__(self, insulators=(), p=0.97):
        super().__init__()
        self.insulators, self.p = set(insulators), p

    def predict_table(self, query, coverage=0.9):
        table = super().predict_table(query, coverage)
        flagged = query["composition"].isin(self.insulators).to_numpy()
        return table.assign(p_below_detection=np.where(flagged, self.p, 0.0))


def test_likely_insulators_are_not_suggested(default_config, catalog):
    """Issue 26: suggest must not spend experiments on compositions the surrogate thinks are below
    the detection limit. The composition suggested first when every p is 0 is, once p = 0.97, not
    suggested at all (its draws are insulators 97 % of the time), and the batch reports p."""
    config = composition_config(default_config)
    plain = StudyModel(catalog, config, InsulatorSurrogate())
    archive = run_nsga2(plain, progress=False).archive.X
    first = suggest(plain, archive, SuggestOptions(seed=1, **FAST)).designs
    assert (first["p_below_detection"] == 0).all()
    top = first["composition"].dropna()
    assert len(top)  # a family member leads the batch, so the test below means something
    target = top.iloc[0]
    flagged = StudyModel(catalog, config, InsulatorSurrogate(insulators={target}))
    assert flagged.families_sigma.p_below_detection.max() == pytest.approx(0.97)
    again = suggest(flagged, archive, SuggestOptions(seed=1, **FAST)).designs
    assert len(again)
    assert target not in set(again["composition"].dropna())
    assert (again["p_below_detection"] < 0.5).all()
    assert again["why"].str.contains("P(below detection)", regex=False).all()


def test_every_constraint_that_can_be_unknown_names_what_to_measure():
    from pipeline.campaign.suggest import MEASUREMENT_OF
    from pipeline.study.constraints import CONSTRAINTS

    can_be_unknown = {n for n, c in CONSTRAINTS.items() if not c.unknown.startswith("never")}
    assert can_be_unknown - set(MEASUREMENT_OF) == set()
    assert {"g_bending", "g_web_tension", "g_percolation"} <= can_be_unknown


def test_a_catalog_materials_sigma_is_drawn_with_its_catalog_range(catalog):
    """LLZO's σ is the catalog's median of 23 doped garnet entries with its interquartile range
    (range_kind quartiles): its draws follow that range's evidence law, the split normal through
    its quartiles clipped at the reported ends, whose sd is 0.279 decade (before 2026-12-07 a
    normal of 0.307 decade, the quartiles read as ±0.674 sd, and before that as ±2 sd; without a
    surrogate: not drawn at all; with one, by its 0.54 about a formula without the dopant); each
    suggestion's 90 % interval is the law's."""
    from pipeline.study.catalog_measurements import catalog_sigma_rows
    from pipeline.study.config import load_config
    from pipeline.study.evidence_law import evidence_quantiles_of
    from tests.conftest import CONFIGS, FEASIBLE_AT_SMALL_BUDGET

    row = catalog_sigma_rows(catalog).iloc[[catalog.material_ids.index("LLZO")]]
    assert row["range_kind"].iloc[0] == "quartiles"
    u = (np.arange(100_000) + 0.5) / 100_000
    sd = np.log10(evidence_quantiles_of(row, u[:, None])).std()
    assert sd == pytest.approx(0.279, abs=1e-3)
    config = load_config(
        CONFIGS / "default.yaml",
        [
            "tracking.enabled=false",
            "search.population_size=24",
            "search.generations=10",
            "search.materials=[LLZO]",
            *FEASIBLE_AT_SMALL_BUDGET,
        ],
    )
    model = StudyModel(catalog, config)
    designs = suggest(model, run_nsga2(model, progress=False).archive.X, SuggestOptions(**FAST))
    picked = designs.designs
    assert len(picked) and (picked["material"] == "LLZO").all()
    assert np.allclose(picked["log10_sigma_std"], sd, atol=1e-3)
    ends = evidence_quantiles_of(row, np.array([0.05, 0.95])) / row["value"].iloc[0]
    assert np.allclose(picked["sigma_p05_s_per_cm"] / picked["sigma_s_per_cm"], ends[0])
    assert np.allclose(picked["sigma_p95_s_per_cm"] / picked["sigma_s_per_cm"], ends[1])


def _llzo_config(*extra):
    from pipeline.study.config import load_config
    from tests.conftest import CONFIGS, FEASIBLE_AT_SMALL_BUDGET

    return load_config(
        CONFIGS / "default.yaml",
        [
            "tracking.enabled=false",
            "search.population_size=24",
            "search.generations=10",
            "search.materials=[LLZO]",
            *FEASIBLE_AT_SMALL_BUDGET,
            *extra,
        ],
    )


def test_suggest_draws_llzo_from_its_law_clipped_at_the_highest_reported_value(
    catalog, monkeypatch
):
    """The draws suggest pushes through the physics (log10_sigma_shift) follow LLZO's evidence
    law: none beyond the highest reported doped garnet (1.39e-3 S/cm, 0.379 decade above the
    value), about 11 % of them on it (the clipped tail). A normal of the law's sd, as suggest drew
    before, sends 11 % of the draws past it instead."""
    from pipeline.study.catalog_measurements import catalog_sigma_rows

    row = catalog_sigma_rows(catalog).iloc[catalog.material_ids.index("LLZO")]
    top = np.log10(row["reported_max"] / row["value"])
    model = StudyModel(catalog, _llzo_config())
    archive = run_nsga2(model, progress=False).archive.X
    shifts = []
    evaluate = model.evaluate

    def recording(X, *args, log10_sigma_shift=None, **kwargs):
        if log10_sigma_shift is not None:
            shifts.append(np.asarray(log10_sigma_shift, float))
        return evaluate(X, *args, log10_sigma_shift=log10_sigma_shift, **kwargs)

    monkeypatch.setattr(model, "evaluate", recording)
    suggest(model, archive, SuggestOptions(q=1, samples=400, points=1 << 11))
    drawn = np.unique(np.concatenate(shifts).round(12))  # one draw per sample, shared by designs
    assert len(drawn) > 300
    assert drawn.max() == pytest.approx(top, abs=1e-9)
    on_top = np.mean(np.isclose(np.concatenate(shifts), top))
    assert 0.05 < on_top < 0.2


def test_the_robust_believer_believes_the_robust_quantile_of_the_law(catalog, monkeypatch):
    """In robust mode the design the believer adds to the front is the one at the robust
    quantile: for LLZO's catalog σ the z it conditions on is Φ⁻¹(1 − 0.9) = −1.28, the law's 10 %
    draw (the normal reading gave −log10(2.47) / 0.279 = −1.41)."""
    from scipy.special import ndtri

    import pipeline.campaign.suggest as module

    seen = {}
    greedy = module.greedy_batch

    def recording(*args, believed=None, **kwargs):
        seen["believed"] = believed
        return greedy(*args, believed=believed, **kwargs)

    monkeypatch.setattr(module, "greedy_batch", recording)
    model = StudyModel(catalog, _llzo_config("surrogate.robust=true"))
    suggest(model, run_nsga2(model, progress=False).archive.X, SuggestOptions(**FAST))
    assert len(seen["believed"]) == 1  # one composition
    assert seen["believed"][0] == pytest.approx(ndtri(0.1), abs=1e-6)


def test_a_later_pick_says_its_p_feasible_is_given_the_picks_above(searched):
    """P(feasible) of pick 2 onwards is read from draws conditioned on the earlier picks, the
    violation rate from the candidate's own draws: the line says which is which (a trial read them
    as contradicting each other)."""
    model, archive = searched
    designs = suggest(model, archive, SuggestOptions(seed=1, **FAST)).designs
    assert len(designs) >= 2
    assert "given the picks above" not in designs["why"].iloc[0]
    assert designs["why"].iloc[1:].str.contains("given the picks above", regex=False).all()
    risky = designs["constraint_most_at_risk"].fillna("") != ""
    assert designs.loc[risky, "why"].str.contains("of its own draws", regex=False).all()
