import numpy as np
import pytest

from objectives.constants import ZERO_CELSIUS_K
from pipeline.study.constraints import CONSTRAINTS
from pipeline.study.evaluation import (
    REPORT_ONLY,
    DesignBatch,
    Evaluator,
    sigma_at_temperature_s_per_cm,
)
from pipeline.study.registry import OBJECTIVES


def batch_of(catalog, rows):
    m = {k: i for i, k in enumerate(catalog.material_ids)}
    p = {k: i for i, k in enumerate(catalog.process_ids)}
    c = {k: i for i, k in enumerate(catalog.coating_ids)}
    return DesignBatch(
        material=np.array([m[r[0]] for r in rows]),
        process=np.array([p[r[1]] for r in rows]),
        coating=np.array([c[r[2]] for r in rows]),
        thickness_um=np.array([r[3] for r in rows], float),
        relative_density=np.array([r[4] for r in rows], float),
        filler_fraction=np.array([r[5] for r in rows], float),
    )


def random_valid_batch(catalog, n, seed=0):
    rng = np.random.default_rng(seed)
    applies = catalog.process_applies()
    resistance = catalog.coating_resistance_ohm_cm2()
    mat = rng.integers(0, len(catalog.material_ids), n)
    proc = np.array([rng.choice(np.flatnonzero(applies[i])) for i in mat])
    coat = np.array([rng.choice(np.flatnonzero(~np.isnan(resistance[:, i]))) for i in mat])
    templates = (catalog.materials["temperature_law"] == "composite").to_numpy()
    phi = np.where(templates[mat], rng.uniform(0, 0.6, n), 0.0)
    return DesignBatch(mat, proc, coat, rng.uniform(0.5, 200, n), rng.uniform(0.6, 1.0, n), phi)


def test_llzo_worked_design(default_config, catalog):
    ev = Evaluator(catalog, default_config)
    out = ev(batch_of(catalog, [("LLZO", "tape_casting", "ald_al2o3", 20.0, 1.0, 0.0)]))
    # tape casting keeps the pellet value (factor 1.0, sintered sheet vs pellet, M074): LLZO's
    # 5.81e-4 S/cm, the median of 23 doped garnet entries (McHaffie 2025)
    assert out["sigma_membrane_s_per_cm"][0] == pytest.approx(5.81e-4)
    assert out["bulk_asr_ohm_cm2"][0] == pytest.approx(20e-4 / 5.81e-4)  # L/σ = 3.44 Ω cm²
    # + 1 Ω cm² ALD Al2O3 (Han et al.) + the cathode side (an assumed 11.3 Ω cm² for an oxide
    # against a LiNbO3-coated cathode, cathode_interfaces.csv)
    cathode = 11.3
    assert out["cathode_interface_ohm_cm2"][0] == cathode
    assert out["total_asr_ohm_cm2"][0] == pytest.approx(20e-4 / 5.81e-4 + 1.0 + cathode)
    assert out["strength_mpa"][0] == pytest.approx(223.3)  # dense, 1 cm² as tested
    assert out["g_asr"][0] == pytest.approx((20e-4 / 5.81e-4 + 1.0 + cathode) / 50.0 - 1.0)
    # default cell: 4 mAh/cm² at C/10 -> 0.4 mA/cm², 0.8 of the garnet CCD of 0.5 mA/cm²: read as
    # the median failure current of a 1 cm² test cell with Weibull modulus 5 (short_circuit.csv),
    # λ = ln 2 · 0.8⁵ = 0.227, P = 0.20: far above the 1 % limit
    assert out["current_density_ma_per_cm2"][0] == pytest.approx(0.4)
    assert ev.charge_current_ma_per_cm2 == pytest.approx(0.4)
    assert out["flaw_hazard_per_membrane"][0] == pytest.approx(np.log(2) * 0.8**5)
    assert out["g_ccd"][0] == pytest.approx(np.log(2) * 0.8**5 / -np.log(0.99) - 1.0)
    assert out["valid_combination"][0]


def test_bare_garnet_interface_fails_the_asr_limit(default_config, catalog):
    ev = Evaluator(catalog, default_config)
    out = ev(batch_of(catalog, [("LLZO", "tape_casting", "none", 20.0, 1.0, 0.0)]))
    # Han et al.'s bare Li | garnet, plus the cathode side
    assert out["total_asr_ohm_cm2"][0] == pytest.approx(1710.0 + 20e-4 / 5.81e-4 + 11.3)
    assert out["g_asr"][0] > 0


def test_vectorized_equals_elementwise(default_config, catalog):
    ev = Evaluator(catalog, default_config)
    batch = random_valid_batch(catalog, 200)
    with np.errstate(divide="ignore", invalid="ignore"):
        whole = ev(batch)
        for i in range(0, 200, 17):
            single = ev(batch.take(np.array([i])))
            for key, values in single.items():
                np.testing.assert_array_equal(values[0], whole[key][i], err_msg=key)


def test_chunking_does_not_change_results(default_config, catalog):
    ev = Evaluator(catalog, default_config)
    batch = random_valid_batch(catalog, 1000, seed=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        a, b = ev(batch, chunk_size=64), ev(batch, chunk_size=100_000)
        reused = ev(batch, chunk_size=64, out={k: np.full_like(v, -1.0) for k, v in a.items()})
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
        np.testing.assert_array_equal(a[key], reused[key], err_msg=key)
    # every registered objective and the constraints that need no surrogate or second temperature
    expected = {"g_asr", "g_thickness_min", "g_thickness_max", "g_strength", "g_ccd"}
    evaluated = {name for name, o in OBJECTIVES.items() if o.compute is None}
    assert evaluated | expected <= set(a)


def test_asked_columns_are_the_same_numbers_and_skip_only_report_columns(default_config, catalog):
    """A search keeps a few columns (Evaluator(columns=...)): they equal the full evaluation's, in
    one chunk and in many, and the columns left uncomputed are those no objective or constraint
    reads (REPORT_ONLY)."""
    ev = Evaluator(catalog, default_config)
    batch = random_valid_batch(catalog, 1000, seed=2)
    asked = ("total_asr_ohm_cm2", "g_short", "handling_load_n_per_mm")
    with np.errstate(divide="ignore", invalid="ignore"):
        full = ev(batch)
        few = ev(batch, columns=asked)
        chunked = ev(batch, chunk_size=64, columns=asked)
        core = ev._evaluate(batch, report=False)
    assert tuple(few) == tuple(chunked) == asked
    for key in asked:
        np.testing.assert_array_equal(few[key], full[key], err_msg=key)
        np.testing.assert_array_equal(chunked[key], full[key], err_msg=key)
    assert set(full) - set(core) == REPORT_ONLY
    for key in core:
        np.testing.assert_array_equal(core[key], full[key], err_msg=key)
    consumed = {c for constraint in CONSTRAINTS.values() for c in constraint.inputs}
    consumed |= {c for o in OBJECTIVES.values() for c in o.evaluated_columns}
    assert not consumed & REPORT_ONLY


def test_a_column_the_evaluator_does_not_make_is_refused_by_name(default_config, catalog):
    ev = Evaluator(catalog, default_config)
    with pytest.raises(ValueError, match="no evaluated column named total_asr_ohm"):
        ev(random_valid_batch(catalog, 10), columns=("thickness_um", "total_asr_ohm"))


def test_warmer_is_less_resistive(default_config, catalog):
    batch = random_valid_batch(catalog, 300, seed=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        cold = Evaluator(catalog, default_config, temperature_c=-20.0)(batch)["bulk_asr_ohm_cm2"]
        warm = Evaluator(catalog, default_config, temperature_c=60.0)(batch)["bulk_asr_ohm_cm2"]
    known = np.isfinite(cold) & np.isfinite(warm)
    assert known.sum() > 250
    assert np.all(warm[known] < cold[known])


def test_thinner_is_less_resistive_and_lighter(default_config, catalog):
    rows = [("Li6PS5Cl", "wet_coating", "li3n", t, 0.9, 0.0) for t in (60.0, 30.0, 10.0)]
    out = Evaluator(catalog, default_config)(batch_of(catalog, rows))
    assert np.all(np.diff(out["total_asr_ohm_cm2"]) < 0)
    assert np.all(np.diff(out["gravimetric_wh_per_kg"]) > 0)


def test_composite_template_limits(default_config, catalog):
    ev = Evaluator(catalog, default_config)
    out = ev(
        batch_of(
            catalog,
            [
                ("PEO-LiTFSI+LLZO", "wet_coating", "none", 20.0, 1.0, 0.0),
                ("PEO-LiTFSI", "wet_coating", "none", 20.0, 1.0, 0.0),
                ("PEO-LiTFSI+LLZO", "wet_coating", "none", 20.0, 1.0, 0.5),
            ],
        )
    )
    sigma = out["sigma_dense_s_per_cm"]
    assert sigma[0] == pytest.approx(sigma[1])  # φ = 0 is the pure matrix
    assert sigma[2] > sigma[0]  # the LLZO filler percolates above φ = 1/3


def test_pe0_vft_parameters_reproduce_the_80c_point(catalog):
    # Catalog B for PEO-LiTFSI was fitted through the medians of the Bradford 2023 PEO-LiTFSI
    # entries (EO:Li 14-22, Mw >= 1e5): 1.16e-5 S/cm at 25 °C and 1.03e-3 S/cm at 80 °C.
    i = catalog.material_ids.index("PEO-LiTFSI")
    sigma_80 = sigma_at_temperature_s_per_cm(catalog, 80.0 + ZERO_CELSIUS_K)[i]
    assert sigma_80 == pytest.approx(1.03e-3, rel=2e-3)


def test_the_cathode_side_adds_the_catalog_value_for_the_cells_cathode_coating(
    default_config, catalog
):
    import dataclasses

    rows = [("Li6PS5Cl", "cold_pressing", "none", 100.0, 0.9, 0.0)]
    out = Evaluator(catalog, default_config)(batch_of(catalog, rows))
    coated = catalog.cathode_resistance_ohm_cm2("linbo3")[catalog.material_ids.index("Li6PS5Cl")]
    assert out["cathode_interface_ohm_cm2"][0] == coated
    assert out["interface_asr_ohm_cm2"][0] == pytest.approx(7.4 + coated)
    # the study's own extra term adds on top
    extra = dataclasses.replace(
        default_config,
        interfaces=dataclasses.replace(default_config.interfaces, cathode_interface_ohm_cm2=5.0),
    )
    again = Evaluator(catalog, extra)(batch_of(catalog, rows))
    assert again["interface_asr_ohm_cm2"][0] == pytest.approx(7.4 + coated + 5.0)


def test_a_film_on_the_cathode_is_processed_no_hotter_than_the_cathode_takes(
    default_config, catalog
):
    """g_substrate: a supported film made at 700 °C (PLD) on a cathode that takes 300 °C is
    infeasible, in kelvin (973.15 / 573.15 − 1); a free-standing membrane is made apart (−1)."""
    rows = [
        ("LLZO", "pulsed_laser_deposition", "ald_al2o3", 0.5, 1.0, 0.0),
        ("LLZO", "tape_casting", "ald_al2o3", 100.0, 0.94, 0.0),
    ]
    out = Evaluator(catalog, default_config)(batch_of(catalog, rows))
    g = out["g_substrate"]
    t_pld = out["processing_temperature_c"][0]
    limit = default_config.cell.cathode_max_processing_temperature_c
    assert g[0] == pytest.approx((t_pld + 273.15) / (limit + 273.15) - 1.0) and g[0] > 0
    assert g[1] == -1.0
