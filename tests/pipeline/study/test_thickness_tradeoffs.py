"""Thinner costs something: handling load, through-defects, stability, supported films, report flags."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from pipeline.reporting.report import render
from pipeline.search.nsga2 import run_nsga2
from pipeline.study.catalog import load_catalog
from pipeline.study.config import StudyConfig, load_config
from pipeline.study.evaluation import DesignBatch, Evaluator
from pipeline.study.problem import StudyModel
from pipeline.study.registry import computed_columns
from pipeline.study.stability import stability_exclusions
from tests.conftest import CONFIGS


def batch(catalog, rows) -> DesignBatch:
    """rows: (material, process, coating, thickness_um, relative_density)."""
    m, p, c = catalog.material_ids, catalog.process_ids, catalog.coating_ids
    return DesignBatch(
        material=np.array([m.index(r[0]) for r in rows], dtype=np.intp),
        process=np.array([p.index(r[1]) for r in rows], dtype=np.intp),
        coating=np.array([c.index(r[2]) for r in rows], dtype=np.intp),
        thickness_um=np.array([r[3] for r in rows], dtype=float),
        relative_density=np.array([r[4] for r in rows], dtype=float),
        filler_fraction=np.zeros(len(rows)),
    )


def evaluate(config, catalog, rows):
    with np.errstate(divide="ignore", invalid="ignore"):
        out = Evaluator(catalog, config)(batch(catalog, rows))
    return {**out, **computed_columns(out, config)}


@pytest.fixture(scope="module")
def default_front():
    config = load_config(
        CONFIGS / "default.yaml",
        # C/20 charging: at the default C/10 only coated garnet passes the flaw-penetration
        # criterion; these tests are about thickness trade-offs across several options
        [
            "search.population_size=40",
            "search.generations=60",  # 30: one option spread its thickness over 3x
            "tracking.enabled=false",
            "cell.charge_c_rate_per_h=0.05",
        ],
    )
    model = StudyModel(load_catalog(config.catalog_dir()), config)
    return config, model, model.table(run_nsga2(model, progress=False).archive.X)


def test_thicker_designs_of_one_option_are_on_the_front_for_their_handling_load(default_front):
    _, _, front = default_front
    groups = front.groupby(["material", "process", "coating"])
    spread = groups["thickness_um"].agg(lambda t: t.max() / t.min())
    wide = spread[spread > 3].index  # options with a thin and a thick design on the front
    assert len(wide) >= 2
    for key in wide:
        rows = groups.get_group(key)
        # the thicker design survives because it carries more load (σ_f·t), the objective that
        # grows with thickness; ASR grows with thickness too, so without it thick designs would
        # be dominated
        rho = spearmanr(rows["thickness_um"], rows["handling_load_n_per_mm"]).statistic
        assert rho > 0.9, key
        np.testing.assert_allclose(
            rows["handling_load_n_per_mm"], rows["strength_mpa"] * rows["thickness_um"] * 1e-3
        )


def test_no_recommended_free_standing_design_is_thinner_than_its_process_has_made(default_front):
    from pipeline.search.decisions import choose
    from pipeline.study.registry import normalize

    config, model, front = default_front
    bounds = {n: config.normalization[n] for n in model.objectives}
    F_norm = normalize(
        model.evaluate(front[model.space.x_columns].to_numpy())[0], model.objectives, bounds
    )
    chosen = choose(front, F_norm, model.objectives, config.decision.asf_weights)
    free = chosen[chosen["free_standing"].astype(bool)]
    assert len(free)
    minimum = model.catalog.processes.loc[free["process"], "min_thickness_um"].to_numpy()
    assert np.all(free["thickness_um"].to_numpy() >= minimum)
    assert np.all(free["short_circuit_probability"] <= config.constraints.max_short_probability)


def test_thinner_and_less_dense_membranes_short_more_often(default_config, catalog):
    out = evaluate(
        default_config,
        catalog,
        [
            ("Li6PS5Cl", "wet_coating", "li3n", 200.0, 0.96),
            ("Li6PS5Cl", "wet_coating", "li3n", 20.0, 0.96),
            ("Li6PS5Cl", "wet_coating", "li3n", 20.0, 0.955),
        ],
    )
    # random pinholes only (above the sulfide percolation threshold 0.95): wet coating d = 3 µm,
    # A = 1 cm² (1.11·10⁷ sites); the SSE layer is the membrane less the Li3N interlayer
    lam = out["through_defects_per_membrane"]
    assert np.all(out["percolation_paths_per_membrane"] == 0.0)
    sse = 20.0 - out["interlayer_thickness_um"][1]
    assert lam[0] < 1e-6 < lam[1] < lam[2]
    assert out["short_hazard_per_membrane"][1] == pytest.approx(lam[1])
    assert lam[1] == pytest.approx((1 / 3e-4**2) * 0.04 ** (sse / 3.0))


def test_a_pressed_sulfide_below_the_percolation_threshold_shorts_at_any_thickness(
    default_config, catalog
):
    # the example: a 1 mm cold-pressed sulfide at 90 % density had P ≈ 1e-194 from random
    # pinholes; its pores percolate (threshold 95 %, escholarship 3gg5c4qk): cold pressing d = 5
    # µm, 4·10⁶ sites, λ = 4e6 · (0.05/0.95)^0.41 = 1.2e6 paths
    out = evaluate(default_config, catalog, [("Li6PS5Cl", "cold_pressing", "none", 1000.0, 0.90)])
    assert out["through_defects_per_membrane"][0] < 1e-100
    assert out["percolation_paths_per_membrane"][0] == pytest.approx(
        4e6 * (0.05 / 0.95) ** 0.41, rel=1e-9
    )
    assert out["short_circuit_probability"][0] == pytest.approx(1.0)
    # its constraint is on density: 0.95/0.90 − 1
    assert out["g_percolation"][0] == pytest.approx(0.95 / 0.90 - 1.0)


def test_a_fully_dense_garnet_shorts_above_its_critical_current(default_config, catalog):
    # no pores: no pinhole, no percolation; flaws open at 0.4 mA/cm² against a 0.5 mA/cm² CCD
    out = evaluate(default_config, catalog, [("LLZO", "ultrafast_sintering", "none", 60.0, 1.0)])
    assert out["through_defects_per_membrane"][0] == 0.0
    assert out["percolation_paths_per_membrane"][0] == 0.0
    assert out["short_circuit_probability"][0] == pytest.approx(
        1 - np.exp(-np.log(2) * 0.8**5), rel=1e-9
    )


def test_thinner_dense_polymer_films_short_more(default_config, catalog):
    # protrusions of the plated Li (4 mAh/cm²: 19.4 µm, amplification 1, modulus 5) span a thin
    # film: 25 µm -> λ = ln 2 · (19.4/25)⁵ = 0.195, 100 µm -> 1.9e-4
    out = evaluate(
        default_config,
        catalog,
        [
            ("PEO-LiTFSI", "wet_coating", "none", 25.0, 1.0),
            ("PEO-LiTFSI", "wet_coating", "none", 100.0, 1.0),
        ],
    )
    lam = out["protrusion_hazard_per_membrane"]
    assert lam[0] == pytest.approx(0.19486, rel=1e-3)
    assert lam[1] == pytest.approx(1.903e-4, rel=1e-3)
    assert out["g_short"][0] > 0 > out["g_short"][1]


def test_latp_on_bare_li_is_excluded_and_a_curing_interlayer_allows_it(default_config, catalog):
    out = evaluate(
        default_config,
        catalog,
        [
            ("LATP", "tape_casting", "none", 50.0, 0.94),
            ("LATP", "tape_casting", "ald_al2o3", 50.0, 0.94),
            ("LATP", "tape_casting", "ald_zno", 50.0, 0.94),  # Zn lithiates: no cure
            ("LLZO", "tape_casting", "none", 50.0, 0.94),  # passivating against Li
        ],
    )
    np.testing.assert_array_equal(out["g_stability"], [1.0, -1.0, 1.0, -1.0])


def test_sulfides_need_a_coated_cathode(default_config, catalog):
    rows = [
        ("Li6PS5Cl", "wet_coating", "li3n", 50.0, 0.97),
        ("LLZO", "tape_casting", "li3n", 50, 0.9),
    ]
    coated = evaluate(default_config, catalog, rows)
    data = default_config.to_dict()
    data["cell"]["cathode_coating"] = "none"
    uncoated_config = StudyConfig.from_dict(data, source=default_config.source)
    uncoated = evaluate(uncoated_config, catalog, rows)
    np.testing.assert_array_equal(coated["g_stability"], [-1.0, -1.0])
    np.testing.assert_array_equal(uncoated["g_stability"], [1.0, -1.0])
    model = StudyModel(catalog, uncoated_config)
    lines = stability_exclusions(catalog, uncoated_config, model.space)
    assert any(line.startswith("Li6PS5Cl: reacts with the uncoated cathode") for line in lines)
    assert any(
        line.startswith("LATP with coating 'none': keeps reacting with Li") for line in lines
    )
    assert not any(line.split()[0].rstrip(":") == "LLZO" for line in lines)  # LLZO passivates


def test_a_supported_film_needs_no_handling_strength(default_config, catalog):
    out = evaluate(default_config, catalog, [("LiPON", "sputtering", "none", 1.0, 1.0)])
    assert not out["free_standing"][0]
    assert np.isnan(out["handling_load_n_per_mm"][0])  # carried by its electrode
    assert out["g_strength"][0] == -1.0
    assert out["short_circuit_probability"][0] == 0.0  # pore-free film


def test_report_flags_unknown_constraints_supported_films_and_duplicates(default_config):
    data = default_config.to_dict()
    data["constraints"]["unknown"] = "ignore"
    config = StudyConfig.from_dict(data)
    chosen = pd.DataFrame(
        {
            "choice": ["knee", "best_glass_thin_film"],
            "why": ["high trade-off point", "best glass_thin_film design by the same ASF"],
            "same_as_choice": ["asf, best_oxide", ""],
            "material": ["LLZO", "LiPON"],
            "process": ["tape_casting", "sputtering"],
            "coating": ["ald_al2o3", "none"],
            "thickness_um": [40.0, 0.5],
            "g_asr": [-0.5, -0.4],
            "g_strength": [-0.9, -1.0],
            "g_ccd": [-0.2, np.nan],
            "free_standing": [True, False],
            "in_domain": [True, True],
        }
    )
    summary = {
        "front_size": 2.0,
        "hypervolume": 0.5,
        "generations": 1,
        "n_evals": 10,
        "search_wall_s": 0.1,
        "min_asr_at_thickness_le_20um": 10.0,
        "best_manufacturability_at_asr_le_50": 0.8,
    }
    text = render(config, summary, chosen, chosen, [], [], ["LATP with coating 'none': ..."])
    table = text.split("## Recommended designs")[1].split("Why:")[0]
    rows = [line for line in table.splitlines() if line.startswith("| knee") or "LiPON" in line]
    assert rows[0].endswith("|  |")  # nothing to flag for the knee
    assert "g_ccd unknown (ignore); supported film on the cathode, not free-standing" in rows[1]
    assert "**asf**: same as knee" in text and "**best_oxide**: same as knee" in text
    assert "- LATP with coating 'none': ..." in text.split("## Excluded by chemical stability")[1]


def test_a_bilayer_interlayer_is_in_series_and_part_of_the_membrane_thickness(catalog):
    config = load_config(CONFIGS / "default.yaml", ["surrogate.enabled=false"])
    rows = [
        ("LATP", "tape_casting", "ald_al2o3", 40.0, 0.95),
        ("LATP", "tape_casting", "peo_interlayer", 45.0, 0.95),
    ]
    out = evaluate(config, catalog, rows)
    ev = Evaluator(catalog, config)
    peo = catalog.material_ids.index("PEO-LiTFSI")
    # 5 µm of PEO-LiTFSI (coatings.csv) at its 25 °C conductivity: L/σ in series with the LATP layer
    layer_asr = 5e-4 / ev.sigma_material_s_per_cm[peo]
    assert out["interlayer_thickness_um"].tolist() == [0.0, 5.0]
    np.testing.assert_allclose(out["interlayer_asr_ohm_cm2"], [0.0, layer_asr])
    # same 40 µm LATP layer in both: the bilayer adds exactly the interlayer's L/σ
    np.testing.assert_allclose(out["bulk_asr_ohm_cm2"][1] - out["bulk_asr_ohm_cm2"][0], layer_asr)
    assert layer_asr > 20  # PEO at 25 °C (~12 µS/cm): a 5 µm layer costs tens of Ω cm²
    # the interlayer cures the LATP | Li reaction (Ti4+ reduction), as ALD Al2O3 does
    assert out["li_side_stable"].all()
    np.testing.assert_array_equal(
        out["handling_load_n_per_mm"][0], out["handling_load_n_per_mm"][1]
    )


def test_the_thickness_window_applies_to_the_sse_layer_under_an_interlayer(catalog):
    config = load_config(CONFIGS / "default.yaml", ["surrogate.enabled=false"])
    low = float(catalog.processes.loc["tape_casting", "min_thickness_um"])
    rows = [
        ("LATP", "tape_casting", "ald_al2o3", low + 2.0, 0.95),
        ("LATP", "tape_casting", "peo_interlayer", low + 2.0, 0.95),  # leaves low - 3 µm of LATP
    ]
    out = evaluate(config, catalog, rows)
    assert out["g_thickness_min"][0] <= 0 < out["g_thickness_min"][1]


def test_a_roll_to_roll_sheet_must_bend_over_its_roller_and_carry_the_web(default_config, catalog):
    # wet-coated Li6PS5Cl: E 20 GPa (sulfides ~20 GPa, [VOLT]), σ_f 50 MPa, roller radius 50 mm,
    # web tension 0.1 N/mm (both assumptions, process_properties.csv). R_min = E·t/(2σ_f): 38 µm
    # -> 7.6 mm; 300 µm -> 60 mm, over the roller; a tape-cast garnet never runs over rollers
    out = evaluate(
        default_config,
        catalog,
        [
            ("Li6PS5Cl", "wet_coating", "none", 38.0, 0.97),
            ("Li6PS5Cl", "wet_coating", "none", 300.0, 0.97),
            ("LLZO", "tape_casting", "lii_znlix", 100.0, 0.94),
        ],
    )
    np.testing.assert_allclose(out["minimum_bending_radius_mm"][:2], [7.6, 60.0])
    np.testing.assert_allclose(out["g_bending"][:2], [7.6 / 50 - 1, 60.0 / 50 - 1])
    assert out["g_bending"][2] == -1.0 and out["g_web_tension"][2] == -1.0
    load = out["handling_load_n_per_mm"][0]
    assert out["g_web_tension"][0] == pytest.approx(0.1 / load - 1.0)
    assert out["g_web_tension"][0] < 0
