import csv

import numpy as np
import pandas as pd
import pytest

from pipeline.errors import CatalogError
from pipeline.study.catalog import MATERIAL_PROPERTIES, load_catalog

REVIEW_SYSTEMS = [
    "LLZO",
    "LATP",
    "LAGP",
    "LLTO",
    "LiPON",
    "Li6PS5Cl",
    "Li9.88GeP1.96Sb0.04S11.88Cl0.12",
    "Li5.4PS4.4Cl1.6",
    "PEO-LiTFSI",
    "PEO/F-BN",
    "LLZO/ETPTA",
    "PEF/PPVD",
    "Li3InCl6",
]
ISSUE_PROCESSES = [
    "tape_casting",
    "ultrafast_sintering",
    "cold_pressing",
    "wet_coating",
    "dry_film",
    "melt_bonding",
    "scaffold_infiltration",
    "in_situ_polymerization",
    "sputtering",
    "roll_to_roll",
]


def test_catalog_covers_review_systems_and_processes(catalog):
    assert set(REVIEW_SYSTEMS) <= set(catalog.material_ids)
    assert set(ISSUE_PROCESSES) <= set(catalog.process_ids)
    assert {"none", "ald_al2o3", "li3n"} <= set(catalog.coating_ids)


def test_every_number_that_enters_the_physics_has_grade_range_and_source(catalog):
    """Issue 23: each catalog number an objective or constraint reads carries its evidence. The
    Evaluator reads the wide tables, which are pivoted from these long tables only, so checking
    every long-table row checks every number it can read."""
    evidence = catalog.evidence()
    tables = (
        catalog.material_properties,
        catalog.process_properties,
        catalog.coating_properties,
        catalog.cathode_interfaces,
        catalog.short_circuit,
    )
    assert len(evidence) == sum(len(t) for t in tables)
    assert (evidence["source"].str.len() > 0).all()
    assert (evidence["range_basis"].str.len() > 0).all()
    assert (
        evidence["grade"]
        .isin(["measured-primary", "measured-secondary", "derived", "assumption", "unknown"])
        .all()
    )
    known = evidence[evidence["grade"] != "unknown"]
    assert ((known["low"] <= known["value"]) & (known["value"] <= known["high"])).all()
    unknown = evidence[evidence["grade"] == "unknown"]
    assert unknown[["value", "low", "high"]].isna().all().all()
    # every wide-table number comes from a long-table row (no number enters without evidence)
    for table, wide, id_col in (
        (catalog.material_properties, catalog.materials, "material_id"),
        (catalog.process_properties, catalog.processes, "process_id"),
    ):
        for prop in table["property"].unique():
            have = set(table.loc[table["property"] == prop, id_col])
            assert set(wide.index[wide[prop].notna()]) <= have


def test_bare_li_on_argyrodite_uses_its_measured_value_and_range(catalog):
    """The bare Li | Li6PS5Cl interface is the measured R0 = 7.4 ± 0.4 Ω cm² growing as k·√t
    (Wenzel 2018 via Zhang 2019; thin_membrane_tradeoffs §1b), not the old 1000 Ω cm² assumption;
    LGPS-type, whose interphase conducts electrons, has its own (parent LGPS) row."""
    r = catalog.coating_resistance_ohm_cm2()
    none = catalog.coating_ids.index("none")
    assert r[none, catalog.material_ids.index("Li6PS5Cl")] == 7.4
    assert r[none, catalog.material_ids.index("Li5.4PS4.4Cl1.6")] == 7.4  # argyrodite family row
    assert r[none, catalog.material_ids.index("Li9.88GeP1.96Sb0.04S11.88Cl0.12")] == 83.9
    row = catalog.coating_properties.query(
        "coating_id == 'none' and applies_to == 'sulfide' and "
        "property == 'interfacial_resistance_ohm_cm2'"
    ).iloc[0]
    assert row["grade"] == "measured-secondary"
    assert (row["low"], row["high"]) == (7.0, 45.4)  # R0 - 0.4 .. R0 + 3.8·√100 h
    assert "Wenzel" in row["source"]


def test_an_unknown_interface_stays_unknown(catalog):
    """Bare Li | halide has no measured value: NaN (the study's unknown policy decides), while the
    coating still exists for halides (a valid, unknown pair)."""
    none = catalog.coating_ids.index("none")
    halide = catalog.material_ids.index("Li3InCl6")
    assert np.isnan(catalog.coating_resistance_ohm_cm2()[none, halide])
    assert catalog.coating_applies()[none, halide]


def test_assumptions_lists_every_assumption_grade_number_with_its_range(catalog):
    table = catalog.assumptions()
    evidence = catalog.evidence()
    assert len(table) == (evidence["grade"] == "assumption").sum() > 0
    assert {"kind", "item", "property", "value", "low", "high", "source"} <= set(table.columns)


def test_review_table_values_are_in_catalog(catalog):
    m = catalog.materials
    # LLZO: the typical doped-garnet pellet (median of 23 doped McHaffie entries, 5.81e-4 S/cm),
    # not the review's best 1e-3 S/cm, which the catalog keeps in the note
    assert m.loc["LLZO", "sigma_ref_s_per_cm"] == 5.81e-4
    llzo = catalog.material_properties.query(
        "material_id == 'LLZO' and property == 'sigma_ref_s_per_cm'"
    )
    assert "1e-3 S/cm is the best reported" in llzo["note"].iloc[0]
    assert m.loc["Li5.4PS4.4Cl1.6", "sigma_ref_s_per_cm"] == 8.4e-3  # review: dry film 8.4e-3 S/cm
    assert m.loc["LLZO/ETPTA", "strength_mpa"] == 100.0  # review composite table
    assert m.loc["PEF/PPVD", "strength_mpa"] == 250.0
    assert (
        catalog.processes.loc["wet_coating", "min_thickness_um"] == 8.0
    )  # review: 8 µm wet coating


def _rewrite(path, line, column, value):
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[line - 2][column] = value
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.parametrize(
    ("file", "line", "column", "value", "expected"),
    [
        (
            "material_properties.csv",
            2,
            "value",
            "1 mS/cm",
            "expected a number in S/cm, got '1 mS/cm'",
        ),
        (
            "material_properties.csv",
            2,
            "value",
            "5000",
            "expected sigma_ref_s_per_cm in [1e-14, 10] S/cm",
        ),
        # inside [1e-14, 10] S/cm but above what any solid Li conductor reaches at 25 °C
        ("material_properties.csv", 2, "high", "0.5", "0.5 S/cm at 25 °C is above 0.079 S/cm"),
        ("material_properties.csv", 3, "material_id", "LLZ0", "unknown material 'LLZ0'"),
        (
            "material_properties.csv",
            2,
            "property",
            "conductivity",
            "unknown property 'conductivity'",
        ),
        ("material_properties.csv", 2, "source", "", "must not be empty"),
        (
            "material_properties.csv",
            2,
            "grade",
            "guess",
            "expected one of measured-primary, measured-secondary, derived, assumption",
        ),
        ("material_properties.csv", 2, "grade", "", "expected one of measured-primary"),
        ("material_properties.csv", 2, "low", "", "expected a number in S/cm"),
        ("material_properties.csv", 2, "high", "4e-4", "outside its own range [low 0.000361"),
        ("material_properties.csv", 2, "range_basis", "", "must not be empty"),
        (
            "material_properties.csv",
            9,
            "source",
            "assumption: a guess",
            "grade 'measured-primary' needs the measurement's source",
        ),
        (
            "material_properties.csv",
            2,
            "grade",
            "unknown",
            "grade 'unknown' needs an empty value, low and high",
        ),
        # what a range stands for (range_kind; line 2: LLZO's σ, an interquartile range)
        (
            "material_properties.csv",
            2,
            "range_kind",
            "Quartiles",
            "expected one of bounds, quartiles",
        ),
        ("material_properties.csv", 2, "reported_min", "", "needs the min of the reported values"),
        ("material_properties.csv", 2, "reported_min", "5e-4", "exceeds the quartile low 0.000361"),
        ("material_properties.csv", 2, "reported_max", "1e-4", "is below the quartile high"),
        ("material_properties.csv", 3, "reported_max", "30", "only a quartiles range has"),
        (
            "material_properties.csv",
            3,
            "range_kind",
            "quartiles",
            "quartiles summarize reported values, so they need grade",
        ),
        ("process_properties.csv", 2, "low", "76", "outside its own range"),
        ("materials.csv", 2, "family", "ceramic", "expected one of oxide, sulfide"),
        ("processes.csv", 2, "families", "oxide;garnet", "expected ';'-separated families"),
        (
            "coating_properties.csv",
            2,
            "value",
            "-3",
            "expected interfacial_resistance_ohm_cm2 in [0, 1e+06]",
        ),
        ("coating_properties.csv", 2, "applies_to", "ceramic", "expected a family"),
        (
            "coating_properties.csv",
            3,
            "applies_to",
            "sulfide",
            "coatings.csv has no 'ald_al2o3' for family 'sulfide'",
        ),
        ("coating_properties.csv", 17, "value", "0", "expected layer_thickness_um in [0.001, 100]"),
        ("coatings.csv", 15, "layer_material_id", "PEO", "expected a material_id"),
        ("coatings.csv", 15, "layer_source", "", "needs layer_material_id and layer_source"),
    ],
)
def test_bad_cell_is_named_by_file_line_and_column(
    catalog_copy, file, line, column, value, expected
):
    _rewrite(catalog_copy / file, line, column, value)
    with pytest.raises(CatalogError) as err:
        load_catalog(catalog_copy)
    message = str(err.value)
    assert f"{file}, line {line}, column '{column}'" in message
    assert expected in message
    if value == "Quartiles":  # one line for a bad kind, not one per reported_* cell too
        assert message.count(f"line {line},") == 1


def test_missing_law_parameter_is_reported(catalog_copy):
    path = catalog_copy / "material_properties.csv"
    lines = [
        ln for ln in path.read_text().splitlines() if not ln.startswith("LATP,activation_energy_ev")
    ]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(CatalogError, match=r"material 'LATP' .* needs activation_energy_ev"):
        load_catalog(catalog_copy)


def test_missing_file_is_reported(catalog_copy):
    (catalog_copy / "coatings.csv").unlink()
    with pytest.raises(CatalogError, match=r"coatings.csv: file missing"):
        load_catalog(catalog_copy)


def test_lookup_tables(catalog):
    applies = catalog.process_applies()
    llzo, sputter = catalog.material_ids.index("LLZO"), catalog.process_ids.index("sputtering")
    assert not applies[llzo, sputter]
    assert applies[llzo, catalog.process_ids.index("tape_casting")]
    r = catalog.coating_resistance_ohm_cm2()
    assert r[catalog.coating_ids.index("ald_al2o3"), llzo] == 1.0  # Han et al. 2017
    assert np.isnan(
        r[catalog.coating_ids.index("ald_al2o3"), catalog.material_ids.index("Li6PS5Cl")]
    )


def test_property_units_are_in_names():
    units = {
        "s_per_cm",
        "_c",
        "_ev",
        "_k",
        "g_per_cm3",
        "_gpa",
        "_mpa",
        "_cm2",
        "_nm",
        "mpa_m05",
        "ma_per_cm2",
    }
    dimensionless = {"modulus_porosity_coefficient", "weibull_modulus", "transference_number"}
    for name in MATERIAL_PROPERTIES:
        assert name in dimensionless or any(name.endswith(u) for u in units), name


def test_process_windows_are_demonstrated_per_family(catalog):
    """Windows per (process, family or material), most specific row first: tape-cast oxides from
    the thinnest free-standing sintered tapes (LAGP ~75 µm, MgO-LLZO 80 µm), wet-coated sulfide
    sheets from 25 µm, except the LGPS-type material's own 8 µm membrane."""
    lo = catalog.process_values("min_thickness_um")
    m, p = catalog.material_ids.index, catalog.process_ids.index
    assert lo[m("LLZO"), p("tape_casting")] == 75.0
    assert lo[m("LLZO"), p("ultrafast_sintering")] == 45.0
    assert lo[m("Li6PS5Cl"), p("wet_coating")] == 25.0
    assert lo[m("Li9.88GeP1.96Sb0.04S11.88Cl0.12"), p("wet_coating")] == 8.0
    assert lo[m("PEO-LiTFSI"), p("wet_coating")] == 25.0
    assert lo[m("Li6PS5Cl"), p("roll_to_roll")] == 50.0
    assert lo[m("PEO-LiTFSI"), p("roll_to_roll")] == 20.0  # the general row
    rows = catalog.process_properties.query("property == 'min_thickness_um'")
    assert (rows["source"].str.len() > 0).all() and (rows["range_basis"].str.len() > 0).all()


def test_no_sheet_factor_is_applied_to_a_sigma_that_is_already_a_sheet_value(catalog):
    """σ_ref says what it was measured on: a pellet value gets the process's sheet factor, an
    as-made sheet or film value does not (it already holds the process's cost)."""
    factor = catalog.membrane_conductivity_factor()
    m, p = catalog.material_ids.index, catalog.process_ids.index
    forms = catalog.materials["sigma_ref_form"]
    assert forms["Li6PS5Cl"] == "pellet" and forms["Li5.4PS4.4Cl1.6"] == "sheet"
    assert factor[m("Li6PS5Cl"), p("wet_coating")] == 0.92
    assert factor[m("Li6PS5Cl"), p("nonwoven_infiltration")] == 0.27
    assert factor[m("Li5.4PS4.4Cl1.6"), p("dry_film")] == 1.0  # the review's dry film itself
    assert factor[m("Li9.88GeP1.96Sb0.04S11.88Cl0.12"), p("wet_coating")] == 1.0
    assert factor[m("PEO-LiTFSI"), p("wet_coating")] == 1.0


@pytest.mark.parametrize(
    ("file", "line", "column", "value", "expected"),
    [
        ("materials.csv", 2, "sigma_ref_form", "", "expected one of pellet, sheet, film"),
        ("materials.csv", 2, "sigma_ref_form", "powder", "expected one of pellet, sheet, film"),
        (
            "process_properties.csv",
            2,
            "applies_to",
            "sulfide",
            "expected empty, a family 'tape_casting' makes (oxide)",
        ),
        (
            "process_properties.csv",
            2,
            "applies_to",
            "Li6PS5Cl",
            "or a material of one, got 'Li6PS5Cl'",
        ),
    ],
)
def test_bad_form_or_process_target_is_named(catalog_copy, file, line, column, value, expected):
    _rewrite(catalog_copy / file, line, column, value)
    with pytest.raises(CatalogError) as err:
        load_catalog(catalog_copy)
    assert f"{file}, line {line}, column '{column}'" in str(err.value)
    assert expected in str(err.value)


def test_a_coated_cathode_is_not_zero_ohm(catalog, default_config):
    """The cathode side comes from cathode_interfaces.csv for the cell's cathode coating: uncoated
    LCO | sulfide 128.4 Ω cm² and LCO | Li3YCl6 16.8 (Asano 2018 via Wang 2022), a LiNbO3-coated
    cathode | sulfide an assumption bounded by them (no coated number found), never 0."""
    m = catalog.material_ids.index
    bare = catalog.cathode_resistance_ohm_cm2("none")
    coated = catalog.cathode_resistance_ohm_cm2("linbo3")
    assert bare[m("Li6PS5Cl")] == 128.4 and bare[m("Li3InCl6")] == 16.8
    assert 0 < coated[m("Li6PS5Cl")] < bare[m("Li6PS5Cl")]
    assert (coated > 0).all()
    row = catalog.cathode_interfaces.query(
        "cathode_coating == 'linbo3' and applies_to == 'sulfide'"
    ).iloc[0]
    assert row["grade"] == "assumption" and (row["low"], row["high"]) == (1.0, 128.4)


def test_every_family_needs_a_cathode_row(catalog_copy):
    path = catalog_copy / "cathode_interfaces.csv"
    lines = [ln for ln in path.read_text().splitlines() if not ln.startswith("linbo3,oxide,")]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(
        CatalogError, match="no row for cathode coating 'linbo3' with family 'oxide'"
    ):
        load_catalog(catalog_copy)


def test_an_as_made_sigma_is_tied_to_the_process_that_made_it(catalog):
    """A sheet or film σ_ref already holds the cost of the process that made it, so only that
    process makes the material; a pellet σ_ref is open to every process of its family."""
    applies = catalog.process_applies()
    made = {
        m: {p for j, p in enumerate(catalog.process_ids) if applies[i, j]}
        for i, m in enumerate(catalog.material_ids)
    }
    assert made["LiPON"] == {"sputtering"}
    assert made["Kevlar/COF"] == {"layer_by_layer_assembly"}
    assert made["Li5.4PS4.4Cl1.6"] == {"dry_film"}
    assert {"tape_casting", "ultrafast_sintering", "pulsed_laser_deposition"} <= made["LLZO"]
    forms = catalog.materials["sigma_ref_form"]
    for material in catalog.material_ids:
        if forms[material] in ("sheet", "film"):
            assert made[material] == set(catalog.materials.loc[material, "processes"].split(";"))


@pytest.mark.parametrize(
    ("material", "value", "expected"),
    [
        ("LiPON", "", "a film sigma_ref needs the process(es) that made it"),
        ("LiPON", "tape_casting", "'tape_casting' is not a process of processes.csv that makes"),
        ("LiPON", "tape_castin", "'tape_castin' is not a process of processes.csv"),
    ],
)
def test_a_bad_process_list_is_named(catalog_copy, material, value, expected):
    path = catalog_copy / "materials.csv"
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    line = next(i for i, r in enumerate(rows) if r["material_id"] == material) + 2
    _rewrite(path, line, "processes", value)
    with pytest.raises(CatalogError) as err:
        load_catalog(catalog_copy)
    assert f"materials.csv, line {line}, column 'processes'" in str(err.value)
    assert expected in str(err.value)


@pytest.mark.parametrize(
    "name", ["coatings.csv", "material_properties.csv", "cathode_interfaces.csv"]
)
def test_an_empty_catalog_file_is_named(catalog_copy, name):
    (catalog_copy / name).write_text("")
    with pytest.raises(CatalogError, match=rf"{name}: empty file \(expected a header"):
        load_catalog(catalog_copy)


def test_a_missing_catalog_folder_is_one_line(tmp_path):
    with pytest.raises(CatalogError) as err:
        load_catalog(tmp_path / "nowhere")
    assert str(err.value).count("\n") == 0 and "is not a folder" in str(err.value)


def test_a_folder_where_a_file_should_be_is_named(catalog_copy):
    (catalog_copy / "stability.csv").unlink()
    (catalog_copy / "stability.csv").mkdir()
    with pytest.raises(CatalogError, match=r"stability.csv: not a readable file"):
        load_catalog(catalog_copy)


def test_swapped_range_and_duplicate_rows_read_plainly(catalog_copy):
    _rewrite(catalog_copy / "material_properties.csv", 2, "low", "0.0009")
    _rewrite(catalog_copy / "material_properties.csv", 2, "high", "0.0003")
    path = catalog_copy / "process_properties.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n")
    with pytest.raises(CatalogError) as err:
        load_catalog(catalog_copy)
    message = str(err.value)
    assert "column 'low': low 0.0009 exceeds high 0.0003 (swapped?)" in message
    assert "duplicate of line 2: tape_casting min_thickness_um again" in message


def test_a_catalog_without_range_kind_columns_reads_every_range_as_bounds(catalog_copy):
    """range_kind, reported_min and reported_max are optional: a catalog written before them
    loads, every range read as bounds (the law's docstring), and the shipped one marks its
    interquartile σ ranges and the PEO-LiTFSI VFT B fitted through its σ quartiles."""
    path = catalog_copy / "material_properties.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    shipped = load_catalog(catalog_copy).evidence()
    quartiles = shipped.loc[shipped["range_kind"] == "quartiles", ["item", "property"]]
    assert sorted(map(tuple, quartiles.to_numpy())) == [
        ("LAGP", "sigma_ref_s_per_cm"),
        ("LLZO", "sigma_ref_s_per_cm"),
        ("Li10GeP2S12", "sigma_ref_s_per_cm"),
        ("PEO-LiTFSI", "sigma_ref_s_per_cm"),
        ("PEO-LiTFSI", "vft_pseudo_activation_k"),
    ]
    assert (
        shipped.loc[quartiles.index, "reported_min"] < shipped.loc[quartiles.index, "low"]
    ).all()
    frame.drop(columns=["range_kind", "reported_min", "reported_max"]).to_csv(path, index=False)
    older = load_catalog(catalog_copy).evidence()
    assert (older["range_kind"] == "bounds").all() and older["reported_min"].isna().all()
