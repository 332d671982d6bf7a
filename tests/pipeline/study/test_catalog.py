import csv

import numpy as np
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


def test_every_number_has_status_and_source(catalog):
    for table in (catalog.material_properties, catalog.process_properties, catalog.coatings):
        assert (table["source"].str.len() > 0).all()
        assert table["status"].isin(["literature", "derived", "assumption"]).all()


def test_review_table_values_are_in_catalog(catalog):
    m = catalog.materials
    # LLZO: the typical pellet (McHaffie median, 4.9e-4 S/cm), not the review's best 1e-3 S/cm,
    # which the catalog keeps in the note
    assert m.loc["LLZO", "sigma_ref_s_per_cm"] == 4.9e-4
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
            "status",
            "guess",
            "expected one of literature, derived, assumption",
        ),
        ("materials.csv", 2, "family", "ceramic", "expected one of oxide, sulfide"),
        ("processes.csv", 2, "families", "oxide;garnet", "expected ';'-separated families"),
        (
            "coatings.csv",
            2,
            "interfacial_resistance_ohm_cm2",
            "-3",
            "expected a number in [0, 1e6]",
        ),
        ("coatings.csv", 15, "layer_material_id", "PEO", "expected a material_id"),
        ("coatings.csv", 15, "layer_thickness_um", "0", "expected a number in (0, 100] µm"),
        ("coatings.csv", 15, "layer_source", "", "needs layer_material_id, layer_thickness_um"),
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
