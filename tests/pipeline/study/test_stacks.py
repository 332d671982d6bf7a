"""Multi-layer membranes (pipeline/study/stacks.py): worked numbers against the single-layer
Evaluator, a halide | sulfide bilayer, a dense layer on a porous support, absent layers, and the
internal-interface table's loader."""

import csv

import numpy as np
import pytest

from pipeline.errors import CatalogError
from pipeline.study.evaluation import DesignBatch, Evaluator
from pipeline.study.stacks import (
    LAYER_INTERFACES_FILE,
    StackBatch,
    StackEvaluator,
    internal_interface_matrix,
    load_layer_interfaces,
)


@pytest.fixture(scope="module")
def evaluator(default_config, catalog):
    return Evaluator(catalog, default_config)


@pytest.fixture(scope="module")
def stacks(evaluator):
    return StackEvaluator(evaluator)


def ids(catalog):
    m = {k: i for i, k in enumerate(catalog.material_ids)}
    p = {k: i for i, k in enumerate(catalog.process_ids)}
    return m, p


def stack_of(catalog, layers, coating="none", width=3):
    """One stack from (material, process, thickness, relative density) layers, padded with absent
    layers (material −1, density NaN: ignored) to `width`."""
    m, p = ids(catalog)
    pad = width - len(layers)
    return StackBatch(
        material=np.array([[m[x[0]] for x in layers] + [-1] * pad]),
        process=np.array([[p[x[1]] for x in layers] + [-1] * pad]),
        thickness_um=np.array([[x[2] for x in layers] + [0.0] * pad], float),
        relative_density=np.array([[x[3] for x in layers] + [np.nan] * pad], float),
        coating=np.array([catalog.coating_ids.index(coating)]),
    )


def rewrite_table(path, change):
    """A copy of layer_interfaces.csv with `change(rows)` applied to its rows (lists of cells)."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    change(header, body)
    with open(path, "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([header, *body])


def test_one_layer_stack_reproduces_the_evaluator(catalog, evaluator, stacks):
    """Same material, process, thickness, density and coating: the same total ASR, handling load
    (σ_f·t) and short probability (1 − exp(−(λ_short + λ_percolation)))."""
    rng = np.random.default_rng(3)
    n = 400
    applies = catalog.process_applies()
    layer_um, _ = catalog.coating_layer()
    ok_coating = catalog.coating_applies() & (layer_um == 0.0)
    templates = catalog.is_composite_template()
    plain = np.flatnonzero(~templates)
    mat = rng.choice(plain, n)
    proc = np.array([rng.choice(np.flatnonzero(applies[i])) for i in mat])
    coat = np.array([rng.choice(np.flatnonzero(ok_coating[:, i])) for i in mat])
    t = rng.uniform(1.0, 200.0, n)
    rho = rng.uniform(0.6, 1.0, n)
    single = evaluator(DesignBatch(mat, proc, coat, t, rho, np.zeros(n)))
    pad = np.zeros((n, 2))
    out = stacks(
        StackBatch(
            material=np.column_stack([mat, pad.astype(int) - 1]),
            process=np.column_stack([proc, pad.astype(int) - 1]),
            thickness_um=np.column_stack([t, pad]),
            relative_density=np.column_stack([rho, pad + np.nan]),
            coating=coat,
        )
    )
    close = {"rtol": 1e-12, "equal_nan": True}
    np.testing.assert_allclose(out["total_asr_ohm_cm2"], single["total_asr_ohm_cm2"], **close)
    np.testing.assert_allclose(
        out["handling_load_n_per_mm"], single["handling_load_n_per_mm"], **close
    )
    hazard = single["short_hazard_per_membrane"] + single["percolation_paths_per_membrane"]
    np.testing.assert_allclose(out["short_probability"], -np.expm1(-hazard), **close)
    np.testing.assert_allclose(out["short_hazard_per_membrane"], hazard, **close)
    np.testing.assert_allclose(
        out["flaw_hazard_per_membrane"], single["flaw_hazard_per_membrane"], **close
    )
    np.testing.assert_allclose(
        out["gravimetric_wh_per_kg"], single["gravimetric_wh_per_kg"], **close
    )
    np.testing.assert_array_equal(out["li_side_stable"], single["li_side_stable"])
    np.testing.assert_array_equal(out["cathode_side_stable"], single["cathode_side_stable"])
    np.testing.assert_array_equal(out["valid_combination"], single["valid_combination"])
    assert np.isfinite(out["handling_load_n_per_mm"]).sum() > 40  # not all NaN


def test_llzo_one_layer_worked_numbers(catalog, evaluator, stacks):
    """20 µm tape-cast LLZO, dense, bare Li: ASR = 1710 (Li | garnet) + 20e-4/5.81e-4 + 11.3
    (LiNbO3-coated cathode | oxide); handling σ_f·t; one-layer bending E·t/(2σ_f)."""
    out = stacks(stack_of(catalog, [("LLZO", "tape_casting", 20.0, 1.0)]))
    assert out["total_asr_ohm_cm2"][0] == pytest.approx(1710 + 20e-4 / 5.81e-4 + 11.3)
    strength = out["layer0_strength_mpa"][0]
    assert out["handling_load_n_per_mm"][0] == pytest.approx(strength * 20.0 * 1e-3)
    assert out["minimum_bending_radius_mm"][0] == pytest.approx(169.2 * 10.0 / strength)
    assert out["n_layers"][0] == 1 and out["cathode_side_layer"][0] == 0


def halide_sulfide_bilayer(catalog):
    # a thin Li6PS5Cl anolyte on the Li side, Li3InCl6 toward the cathode (WSC21)
    return [("Li6PS5Cl", "wet_coating", 5.0, 1.0), ("Li3InCl6", "cold_pressing", 20.0, 1.0)]


def test_halide_sulfide_bilayer_is_stable_where_bare_halide_is_not(catalog, stacks):
    bare = stacks(stack_of(catalog, [("Li3InCl6", "cold_pressing", 25.0, 1.0)]))
    bilayer = stacks(stack_of(catalog, halide_sulfide_bilayer(catalog)))
    assert not bare["li_side_stable"][0]  # Li reduces the halide
    assert bilayer["li_side_stable"][0]  # Li meets the passivating argyrodite
    assert bilayer["cathode_side_stable"][0]  # the halide faces the cathode
    assert bilayer["cathode_side_layer"][0] == 1
    # the halide | sulfide interface is unknown in the shipped table: the ASR stays unknown
    assert np.isnan(bilayer["internal_interface_asr_ohm_cm2"][0])
    assert np.isnan(bilayer["total_asr_ohm_cm2"][0])
    assert bilayer["li_interface_ohm_cm2"][0] == pytest.approx(7.4)  # Li | Li6PS5Cl R0


def test_bilayer_asr_is_the_layers_plus_the_internal_interface(
    catalog, evaluator, catalog_copy, tmp_path
):
    """With a halide | sulfide value (here an illustrative 50 Ω cm²): ASR = 7.4 (Li | LPSCl)
    + 5 µm/σ_LPSCl + 50 + 20 µm/σ_LIC + 16.8 (coated cathode | halide)."""
    path = catalog_copy / LAYER_INTERFACES_FILE

    def give_value(header, body):
        row = next(r for r in body if {r[0], r[1]} == {"halide", "sulfide"})
        at = {name: i for i, name in enumerate(header)}
        row[at["value"]], row[at["low"]], row[at["high"]] = "50", "0", "100"
        row[at["grade"]] = "assumption"

    rewrite_table(path, give_value)
    stacks = StackEvaluator(evaluator, load_layer_interfaces(path, catalog))
    out = stacks(stack_of(catalog, halide_sulfide_bilayer(catalog)))
    sigma0 = out["layer0_sigma_membrane_s_per_cm"][0]
    sigma1 = out["layer1_sigma_membrane_s_per_cm"][0]
    assert sigma1 == pytest.approx(1e-3)  # Li3InCl6, cold pressed, dense: 20 µm -> 2.0 Ω cm²
    expected = 7.4 + 5e-4 / sigma0 + 50.0 + 20e-4 / sigma1 + 16.8
    assert out["total_asr_ohm_cm2"][0] == pytest.approx(expected)
    assert out["internal_interface_asr_ohm_cm2"][0] == pytest.approx(50.0)
    # each layer's σ is the single-layer Evaluator's for the same layer
    m, p = ids(catalog)
    one = evaluator(
        DesignBatch(
            np.array([m["Li6PS5Cl"], m["Li3InCl6"]]),
            np.array([p["wet_coating"], p["cold_pressing"]]),
            np.zeros(2, dtype=int),
            np.array([5.0, 20.0]),
            np.ones(2),
            np.zeros(2),
        )
    )
    np.testing.assert_allclose(one["sigma_membrane_s_per_cm"], [sigma0, sigma1], rtol=1e-12)


def test_dense_layer_on_porous_support(catalog, stacks):
    """10 µm of dense LLZO (ρ 0.99) on a 90 µm porous LLZO support (ρ 0.70, below the 0.95
    percolation threshold): the support alone shorts (P = 1), the stack only if the dense layer
    does; the support carries the tension (first-layer failure at equal strain, Σ E_i t_i · ε_f)."""
    dense = ("LLZO", "tape_casting", 10.0, 0.99)
    porous = ("LLZO", "tape_casting", 90.0, 0.70)
    stack = stacks(stack_of(catalog, [dense, porous]))
    alone_dense = stacks(stack_of(catalog, [dense]))
    alone_porous = stacks(stack_of(catalog, [porous]))
    assert alone_porous["short_probability"][0] == pytest.approx(1.0)
    assert stack["short_probability"][0] == pytest.approx(alone_dense["short_probability"][0])
    assert stack["short_probability"][0] < 1e-2 * alone_porous["short_probability"][0]
    # tension: ε_f = min σ_f,i/E_i; F/w = ε_f Σ E_i t_i (GPa·µm = N/mm, MPa/GPa = 1e-3)
    e = np.array([stack["layer0_youngs_modulus_gpa"][0], stack["layer1_youngs_modulus_gpa"][0]])
    s = np.array([stack["layer0_strength_mpa"][0], stack["layer1_strength_mpa"][0]])
    expected = np.min(s / e) * 1e-3 * (e @ np.array([10.0, 90.0]))
    assert stack["handling_load_n_per_mm"][0] == pytest.approx(expected)
    assert alone_dense["handling_load_n_per_mm"][0] == pytest.approx(s[0] * 10.0 * 1e-3)
    assert stack["handling_load_n_per_mm"][0] > 3 * alone_dense["handling_load_n_per_mm"][0]
    # the co-sintered LLZO | LLZO interface: an assumption of 0 Ω cm² (layer_interfaces.csv)
    assert stack["internal_interface_asr_ohm_cm2"][0] == 0.0
    # a stiff support bends less far than the dense layer alone
    assert stack["minimum_bending_radius_mm"][0] > alone_dense["minimum_bending_radius_mm"][0]


def test_absent_layers_contribute_nothing(catalog, stacks):
    layers = [("LLZO", "tape_casting", 10.0, 0.99), ("LLZO", "tape_casting", 90.0, 0.80)]
    padded = stacks(stack_of(catalog, layers, width=3))
    exact = stacks(stack_of(catalog, layers, width=2))
    for key in (
        "thickness_um",
        "total_asr_ohm_cm2",
        "short_probability",
        "handling_load_n_per_mm",
        "minimum_bending_radius_mm",
        "membrane_areal_mass_g_per_cm2",
        "gravimetric_wh_per_kg",
        "g_layer_thickness_window",
    ):
        np.testing.assert_allclose(padded[key], exact[key], rtol=1e-12, err_msg=key)
    assert padded["n_layers"][0] == 2
    assert padded["layer2_thickness_um"][0] == 0.0
    assert np.isnan(padded["layer2_sigma_membrane_s_per_cm"][0])
    assert padded["layer2_process_min_thickness_um"][0] == 0.0


def test_a_present_layer_after_an_absent_one_is_refused(catalog, stacks):
    from objectives.errors import DomainError

    batch = stack_of(catalog, [("LLZO", "tape_casting", 10.0, 0.99)] * 3)
    thickness = batch.thickness_um.copy()
    thickness[0, 1] = 0.0
    with pytest.raises(DomainError, match="absent layers"):
        stacks(StackBatch(batch.material, batch.process, thickness, batch.relative_density))


def test_a_coating_that_is_a_layer_is_not_a_valid_stack_coating(catalog, stacks):
    """lpscl_anolyte is a µm Li6PS5Cl layer: in a stack it is written as layer 0 instead."""
    layers = [("Li3InCl6", "cold_pressing", 25.0, 1.0)]
    assert not stacks(stack_of(catalog, layers, coating="lpscl_anolyte"))["valid_combination"][0]
    assert stacks(stack_of(catalog, layers))["valid_combination"][0]


def test_chunks_give_the_same_numbers(catalog, stacks):
    batch = stack_of(
        catalog, [("LLZO", "tape_casting", 10.0, 0.99), ("LLZO", "tape_casting", 90.0, 0.7)]
    )
    many = batch.take(np.zeros(50, dtype=np.intp))
    whole = stacks(many)
    chunked = stacks(many, chunk_size=7)
    for key, values in whole.items():
        np.testing.assert_array_equal(values, chunked[key], err_msg=key)


def test_internal_interface_matrix_most_specific_and_symmetric(catalog, stacks):
    m, _ = ids(catalog)
    matrix = internal_interface_matrix(catalog, stacks.layer_interfaces)
    np.testing.assert_array_equal(matrix, matrix.T)
    assert matrix[m["LLZO"], m["LLZO"]] == 0.0  # material × material (assumption row)
    assert np.isnan(matrix[m["LLZO"], m["LATP"]])  # oxide | oxide: unknown
    assert matrix[m["LLZO"], m["PEO-LiTFSI"]] == 9000.0  # material × family
    assert matrix[m["PEO-SN"], m["LATP"]] == 47.0  # either order
    assert np.isnan(matrix[m["LAGP"], m["PEO-LiTFSI"]])  # family × family: unknown
    assert np.isnan(matrix[m["Li6PS5Cl"], m["Li3InCl6"]])  # halide | sulfide: unknown


def test_every_shipped_row_carries_its_evidence(catalog, stacks):
    table = stacks.layer_interfaces
    assert set(table["property"]) == {"interfacial_resistance_ohm_cm2"}
    pairs = {frozenset((a, b)) for a, b in zip(table["side_a"], table["side_b"], strict=True)}
    for pair in (
        {"halide", "sulfide"},
        {"oxide", "polymer"},
        {"oxide"},
        {"sulfide"},
        {"polymer", "sulfide"},
    ):
        assert frozenset(pair) in pairs
    unknown = table["grade"] == "unknown"
    assert table.loc[unknown, "value"].isna().all()
    assert table.loc[~unknown, "value"].notna().all()
    assert (table["source"].str.len() > 0).all() and (table["range_basis"].str.len() > 0).all()


@pytest.mark.parametrize(
    ("change", "line", "column", "message"),
    [
        (lambda h, b: b[1].__setitem__(0, "garnett"), 3, "side_a", "expected an electrolyte"),
        (lambda h, b: b[2].__setitem__(4, "-5"), 4, "low", "expected interfacial_resistance"),
        (lambda h, b: b[0].__setitem__(3, "12"), 2, "grade", "grade 'unknown' needs an empty"),
        (lambda h, b: b.append([b[0][1], b[0][0], *b[0][2:]]), 11, "side_b", "pairs are unordered"),
    ],
)
def test_loader_rejects_a_bad_row_naming_file_line_and_column(
    catalog, catalog_copy, change, line, column, message
):
    path = catalog_copy / LAYER_INTERFACES_FILE
    rewrite_table(path, change)
    with pytest.raises(CatalogError) as err:
        load_layer_interfaces(path, catalog)
    text = str(err.value)
    assert f"{path}, line {line}, column '{column}'" in text
    assert message in text


def test_loader_names_a_missing_file(catalog, tmp_path):
    with pytest.raises(CatalogError, match="file missing"):
        load_layer_interfaces(tmp_path / "nope.csv", catalog)
