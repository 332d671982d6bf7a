"""Plausible worlds: draws per evidence grade, one per catalog entry, and the front evaluated in them."""

import numpy as np
import pandas as pd
import pytest

from pipeline.reporting.decisive import decisive_values
from pipeline.reporting.worlds import evaluate_worlds, front_worlds
from pipeline.run import front_and_choices
from pipeline.search.nsga2 import run_nsga2
from pipeline.study.catalog import load_catalog
from pipeline.study.config import load_config
from pipeline.study.plausible import catalog_with, draw_values
from pipeline.study.problem import StudyModel
from tests.conftest import CONFIGS, FEASIBLE_AT_SMALL_BUDGET

OVERRIDES = [
    "search.population_size=24",
    "search.generations=12",
    "tracking.enabled=false",
    "uncertainty.worlds=32",
    *FEASIBLE_AT_SMALL_BUDGET,
]


def evidence_of(rows):
    """Catalog.evidence()'s columns the draws read; a row of five is a bounds range."""
    rows = [r if len(r) == 8 else (*r, "bounds", np.nan, np.nan) for r in rows]
    columns = ["value", "low", "high", "grade", "property", "range_kind"]
    return pd.DataFrame(rows, columns=[*columns, "reported_min", "reported_max"])


def test_draws_follow_the_grade_and_the_scale():
    ev = evidence_of(
        [
            (2.0, 1.0, 4.0, "measured-primary", "strength_mpa"),  # triangular, linear
            (10.0, 1.0, 1000.0, "assumption", "mrl"),  # uniform on a log scale (span ≥ 10)
            (5.0, 5.0, 5.0, "derived", "mrl"),  # zero width: the value
            (np.nan, np.nan, np.nan, "unknown", "mrl"),  # stays unknown
            # ×/÷3 about a σ: triangular on a log scale, whose median is the value
            (7e-4, 7e-4 / 3, 2.1e-3, "measured-primary", "sigma_ref_s_per_cm"),
            # an interquartile σ range (LLZO's 29-entry figures): a quarter of the worlds below
            # it, a quarter above, none beyond the reported values
            (
                4.9e-4,
                2.9e-4,
                8.7e-4,
                "derived",
                "sigma_ref_s_per_cm",
                "quartiles",
                1.63e-6,
                1.39e-3,
            ),
        ]
    )
    draws = draw_values(ev, 20000, seed=1)
    assert draws.shape == (20000, 6)
    quartiles = draws[:, 5]
    assert np.mean(quartiles < 2.9e-4) == pytest.approx(0.25, abs=0.01)
    assert np.mean(quartiles > 8.7e-4) == pytest.approx(0.25, abs=0.01)
    assert np.median(quartiles) == pytest.approx(4.9e-4, rel=0.01)
    assert quartiles.max() == pytest.approx(1.39e-3) and quartiles.min() >= 1.63e-6
    assert np.median(draws[:, 4]) == pytest.approx(7e-4, rel=0.01)
    tri = draws[:, 0]
    assert tri.min() >= 1.0 and tri.max() <= 4.0
    assert np.mean(tri) == pytest.approx((1 + 2 + 4) / 3, abs=0.02)  # triangular mean
    logs = np.log10(draws[:, 1])
    assert logs.min() >= 0 and logs.max() <= 3
    assert np.mean(logs < 1) == pytest.approx(1 / 3, abs=0.02)  # log-uniform: a decade in three
    assert np.all(draws[:, 2] == 5.0) and np.all(np.isnan(draws[:, 3]))
    np.testing.assert_array_equal(draw_values(ev, 50, seed=1), draw_values(ev, 50, seed=1))


def test_peo_vft_b_is_drawn_with_the_sigma_it_is_fitted_from():
    """PEO-LiTFSI's B is the two-point VFT fit through its 25 °C σ values with σ at 80 °C fixed
    (1.03e-3 S/cm, T0 = 163 K): drawn with u = 1 − σ_ref's u, σ at 80 °C stays at 1.03e-3 in every
    world (to the rounding of the catalog's reported ends), where independent draws spread it over
    decades; a copy of B graded assumption (PEO/F-BN) keeps its own draw."""
    catalog = load_catalog(CONFIGS / "catalog")
    ev = catalog.evidence()
    draws = draw_values(ev, 500, seed=3)

    def row(item, prop):
        return int(np.flatnonzero((ev["item"] == item) & (ev["property"] == prop))[0])

    sigma = draws[:, row("PEO-LiTFSI", "sigma_ref_s_per_cm")]
    b = draws[:, row("PEO-LiTFSI", "vft_pseudo_activation_k")]
    delta = 1 / (298.15 - 163.0) - 1 / (353.15 - 163.0)
    sigma_80 = sigma * np.exp(b * delta)
    assert np.log10(sigma).std() > 0.3  # σ_ref itself is drawn over its range
    np.testing.assert_allclose(sigma_80, 1.03e-3, rtol=0.01)
    copy = draws[:, row("PEO/F-BN", "vft_pseudo_activation_k")]
    sigma_copy = draws[:, row("PEO/F-BN", "sigma_ref_s_per_cm")]
    assert abs(np.corrcoef(np.log(sigma_copy), copy)[0, 1]) < 0.2


def test_a_catalog_with_its_own_values_is_the_catalog():
    config = load_config(CONFIGS / "default.yaml", ["tracking.enabled=false"])
    catalog = load_catalog(config.catalog_dir())
    same = catalog_with(catalog, catalog.evidence()["value"].to_numpy(float))
    pd.testing.assert_frame_equal(same.materials, catalog.materials)
    for name in ("process_properties", "coating_properties", "cathode_interfaces"):
        pd.testing.assert_frame_equal(getattr(same, name), getattr(catalog, name))


@pytest.fixture(scope="module")
def study():
    config = load_config(CONFIGS / "default.yaml", OVERRIDES)
    model = StudyModel(load_catalog(config.catalog_dir()), config)
    front, chosen = front_and_choices(model, run_nsga2(model, progress=False).archive.X)
    assert len(front), "the small default front is empty"
    return model, front, chosen, decisive_values(model, front, chosen)


def test_zero_width_ranges_reproduce_the_nominal_front(study):
    model, front, _, decisive = study
    ev = decisive.evidence.copy()
    ev["low"] = ev["high"] = ev["value"]
    _, feasible, asr, _ = evaluate_worlds(model, front, ev, 3, seed=0)
    assert feasible.all()  # every front design is feasible nominally
    np.testing.assert_allclose(asr, np.tile(front["total_asr_ohm_cm2"].to_numpy(), (3, 1)))


def test_one_draw_per_catalog_entry_is_shared_by_every_design(study):
    model, front, _, decisive = study
    values, feasible, asr, _ = evaluate_worlds(model, front, decisive.evidence, 8, seed=2)
    # designs of one option see the same catalog in a world: their ASRs move together (one draw
    # per entry), far less apart than each moves across the worlds
    key = front["material"] + front["process"] + front["coating"]
    rows = np.flatnonzero(key == key.value_counts().index[0])
    assert len(rows) >= 2
    together = np.std(np.log(asr[:, rows[0]] / asr[:, rows[1]]))
    assert together < 0.5 * np.std(np.log(asr[:, rows[0]]))
    assert values.shape == (8, len(decisive.evidence)) and feasible.shape == (8, len(front))


def test_the_report_gives_p_feasible_and_what_drives_it(study):
    model, front, chosen, decisive = study
    worlds = front_worlds(model, front, chosen, decisive)
    assert worlds is not None and worlds.n_worlds == 32
    assert worlds.p_feasible.shape == (len(front),)
    assert np.all((0 <= worlds.p_feasible) & (worlds.p_feasible <= 1))
    assert np.all(worlds.asr_p10 <= worlds.asr_p90)
    # the sulfide sheets' ASR rests on the LiNbO3-coated cathode | sulfide interface (assumed
    # 11.3 within 1-128.4 Ω cm²): its draw must be named as a driver of a chosen design
    named = [d for r in chosen.index for d in worlds.drivers[int(r)]]
    assert any("cathode linbo3" in d for d in named), named
    table = worlds.measurements
    assert table is not None and len(table) > 0
    assert {"value", "grade", "evppi", "noise_95", "measurement", "choice_if_low_design"} <= set(
        table.columns
    )
    assert table["evppi"].is_monotonic_decreasing  # most valuable first
    off = load_config(CONFIGS / "default.yaml", [*OVERRIDES, "uncertainty.worlds=0"])
    model_off = StudyModel(model.catalog, off)
    assert front_worlds(model_off, front, chosen, decisive) is None


def test_the_value_that_decides_the_choice_is_worth_measuring_and_noise_is_not():
    from pipeline.reporting.worlds import utility, value_of_information

    flagged_noise = 0
    for seed in range(20):
        rng = np.random.default_rng(seed)
        n = 256
        decisive_draw = rng.random(n)  # decides which of two designs is better
        noise_draw = rng.random(n)
        values = np.column_stack([decisive_draw, noise_draw])
        # design 0 is better when the value is low, design 1 when it is high; design 2 dominated
        asf = np.column_stack(
            [0.3 + 0.4 * decisive_draw, 0.7 - 0.4 * decisive_draw, np.full(n, 0.9)]
        )
        u = utility(np.ones_like(asf, dtype=bool), asf)
        voi = value_of_information(values, u, [0, 1], seed=seed).set_index("evidence_row")
        # by quartiles of x (means 1/8, 3/8, 5/8, 7/8) the better design's ASF is 0.35, 0.45,
        # 0.45, 0.35: 0.40 on average against 0.50 without knowing x, an EVPPI of 0.10
        assert voi.at[0, "evppi"] == pytest.approx(0.10, abs=0.025)
        assert voi.at[0, "above_noise"]
        assert voi.at[0, "choice_if_low"] == 0 and voi.at[0, "choice_if_high"] == 1
        flagged_noise += bool(voi.at[1, "above_noise"])
    # an irrelevant value passes the 95th percentile of the null about one time in twenty
    assert flagged_noise <= 3
    # an infeasible design in a world is worth one less than the worst feasible one
    assert utility(np.array([[False]]), np.array([[0.2]]))[0, 0] == pytest.approx(-1.2)


def test_an_outcome_in_which_nothing_is_feasible_chooses_no_design():
    from pipeline.reporting.worlds import utility, value_of_information

    n = 64
    x = np.linspace(0.0, 1.0, n)
    # two designs, both feasible only where the value is in its lower three quarters
    feasible = np.column_stack([x < 0.74, x < 0.74])
    asf = np.column_stack([np.full(n, 0.3), np.full(n, 0.5)])
    voi = value_of_information(x[:, None], utility(feasible, asf), [0], n_null=5)
    assert voi.at[0, "choice_if_low"] == 0
    assert voi.at[0, "choice_if_high"] == -1  # not row 0 by argmax over equal infeasible utilities
