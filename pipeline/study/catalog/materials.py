"""materials.csv, material_properties.csv and stability.csv: what each electrolyte is, its numbers
with their evidence, and how it behaves against Li and the cathode."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.study.catalog.checks import (
    Problems,
    check_choice,
    check_new_id,
    check_required_text,
)
from pipeline.study.catalog.evidence import validate_long
from pipeline.study.catalog.schema import (
    ATMOSPHERES,
    FAMILIES,
    MATERIAL_PROPERTIES,
    SIGMA_REF_FORMS,
    STABILITY_CLASSES,
    STATUSES,
    TEMPERATURE_LAWS,
)


@dataclass(frozen=True)
class MaterialTables:
    """The materials' identity rows, their long evidence table and their stability classes
    (frames keep their `_line` column until the catalog is assembled)."""

    identity: pd.DataFrame
    properties: pd.DataFrame
    stability: pd.DataFrame


def load_materials(mats, mprops, stab, files, problems: Problems) -> MaterialTables:
    """Check every material row, its properties and its stability row."""
    seen_ids: set[str] = set()
    for _, row in mats.iterrows():
        f = files["materials"]
        check_new_id(problems, f, row, "material_id", seen_ids)
        check_choice(problems, f, row, "family", FAMILIES)
        check_choice(problems, f, row, "temperature_law", TEMPERATURE_LAWS)
        check_choice(problems, f, row, "atmosphere", ATMOSPHERES)
        check_choice(problems, f, row, "atmosphere_status", STATUSES)
        if row["temperature_law"] != "composite" or row["sigma_ref_form"]:
            check_choice(problems, f, row, "sigma_ref_form", SIGMA_REF_FORMS)
        check_required_text(problems, f, row, ["name", "source", "atmosphere_source"])
        if row["formula"]:
            _check_formula(problems, f, row)
        _check_own_processes(problems, f, row)
        _check_composite_parts(problems, f, row, mats)
    properties = validate_long(
        mprops, files["material_properties"], "material_id", seen_ids, MATERIAL_PROPERTIES, problems
    )
    _check_room_temperature_ceiling(problems, files["material_properties"], properties)
    stability = _validate_stability(stab, files["stability"], seen_ids, problems)
    return MaterialTables(mats, properties, stability)


def _check_room_temperature_ceiling(problems, f, properties) -> None:
    """A σ_ref (value or high end) at a room reference temperature above the ceiling no solid Li
    conductor reaches there: a unit slip (objectives.constants)."""
    from objectives.constants import conductivity_ceiling_problem

    # a duplicated (material, property) is reported by validate_long; its first row is checked here
    unique = properties.drop_duplicates(["material_id", "property"])
    value = unique.set_index(["material_id", "property"])["value"]
    for _, row in properties[properties["property"] == "sigma_ref_s_per_cm"].iterrows():
        t_ref = value.get((row["material_id"], "reference_temperature_c"), np.nan)
        if not np.isfinite(t_ref):
            continue
        for column in ("value", "high"):
            if problem := conductivity_ceiling_problem(row[column], t_ref):
                problems.add(f, row["_line"], column, problem)
                break


def _check_formula(problems, f, row) -> None:
    from surrogates.chemistry import FormulaError, parse_formula

    try:
        parse_formula(row["formula"])
    except FormulaError as exc:
        problems.add(
            f,
            row["_line"],
            "formula",
            f"expected a chemical formula or empty, got {row['formula']!r} ({exc})",
        )


def _check_own_processes(problems, f, row) -> None:
    """An as-made sheet or film σ_ref names the process(es) that made it."""
    if row["sigma_ref_form"] in ("sheet", "film") and not row["processes"].strip():
        problems.add(
            f,
            row["_line"],
            "processes",
            f"a {row['sigma_ref_form']} sigma_ref needs the process(es) that made it "
            "(';'-separated process ids)",
        )


def _check_composite_parts(problems, f, row, mats) -> None:
    """A composite template names a matrix and a filler, both non-composite catalog materials;
    other materials name neither."""
    if row["temperature_law"] == "composite":
        for column in ("matrix_id", "filler_id"):
            ref = row[column]
            ok = ref in set(mats["material_id"]) and ref != row["material_id"]
            law = mats.loc[mats["material_id"] == ref, "temperature_law"]
            if not ok or (len(law) and law.iloc[0] == "composite"):
                problems.add(
                    f,
                    row["_line"],
                    column,
                    f"expected a non-composite material id, got {ref!r}",
                )
    elif row["matrix_id"] or row["filler_id"]:
        problems.add(
            f,
            row["_line"],
            "matrix_id",
            "only materials with temperature_law 'composite' have a matrix/filler",
        )


def _validate_stability(frame, file, material_ids, problems) -> pd.DataFrame:
    """One row per material: its Li-side and cathode-side class, each with status and source."""
    seen: dict[str, int] = {}
    for _, row in frame.iterrows():
        line = row["_line"]
        if row["material_id"] not in material_ids:
            problems.add(file, line, "material_id", f"unknown material {row['material_id']!r}")
        if row["material_id"] in seen:
            problems.add(file, line, "material_id", f"duplicate of line {seen[row['material_id']]}")
        seen[row["material_id"]] = line
        for side in ("li_side", "cathode_side"):
            check_choice(problems, file, row, side, STABILITY_CLASSES)
            check_choice(problems, file, row, f"{side}_status", STATUSES)
            check_required_text(problems, file, row, [f"{side}_source"])
    for missing in sorted(set(material_ids) - set(seen)):
        problems.add(file, None, "material_id", f"no stability row for material {missing!r}")
    return frame.drop(columns="_line").set_index("material_id")
