"""The interfaces: coatings.csv (which Li-side coatings and interlayers exist per family),
coating_properties.csv (their numbers per family or material) and cathode_interfaces.csv (the
cathode side per cell cathode coating and electrolyte)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline.study.catalog.checks import (
    Problems,
    check_choice,
    check_family_or_material,
    check_required_text,
)
from pipeline.study.catalog.evidence import validate_long
from pipeline.study.catalog.schema import (
    CATHODE_COATINGS,
    COATING_PROPERTIES,
    CURES,
    FAMILIES,
)


@dataclass(frozen=True)
class InterfaceTables:
    coatings: pd.DataFrame
    coating_properties: pd.DataFrame
    cathode: pd.DataFrame


def load_interfaces(coats, cprops, cathode, mats, files, problems: Problems) -> InterfaceTables:
    coat_keys: dict[tuple[str, str], int] = {}
    material_ids = set(mats["material_id"])
    for _, row in coats.iterrows():
        f = files["coatings"]
        check_choice(problems, f, row, "family", FAMILIES)
        check_required_text(problems, f, row, ["coating_id", "name"])
        if row["cures"]:
            check_choice(problems, f, row, "cures", CURES)
            check_required_text(problems, f, row, ["cure_source"])
        key = (row["coating_id"], row["family"])
        if key in coat_keys:
            problems.add(
                f, row["_line"], "coating_id", f"duplicate of line {coat_keys[key]} for {key}"
            )
        coat_keys[key] = row["_line"]
        _check_interlayer(problems, f, row, material_ids)
    cprops = _validate_coating_properties(cprops, files, coats, mats, problems)
    cathode = _validate_cathode_interfaces(cathode, files["cathode_interfaces"], mats, problems)
    return InterfaceTables(coats, cprops, cathode)


def _check_interlayer(problems, f, row, material_ids) -> None:
    """An interlayer coating (a bilayer membrane's Li-side layer) names a catalog material and its
    source (its thickness is a coating property); a nm-scale coating leaves both empty."""
    if not row["layer_material_id"] and not row["layer_source"]:
        return
    if not row["layer_material_id"] or not row["layer_source"]:
        missing = "layer_source" if row["layer_material_id"] else "layer_material_id"
        problems.add(
            f,
            row["_line"],
            missing,
            "an interlayer needs layer_material_id and layer_source together",
        )
    elif row["layer_material_id"] not in material_ids:
        problems.add(
            f,
            row["_line"],
            "layer_material_id",
            f"expected a material_id of materials.csv, got {row['layer_material_id']!r}",
        )


def _validate_cathode_interfaces(frame, file, mats, problems) -> pd.DataFrame:
    """Each row: a cathode coating ssemo models, an electrolyte family or material, its evidence;
    every family the catalog holds has a row for every cathode coating (an unknown one with grade
    'unknown')."""
    materials = set(mats["material_id"])
    for _, row in frame.iterrows():
        check_family_or_material(problems, file, row, materials)
    schema = {
        "interfacial_resistance_ohm_cm2": COATING_PROPERTIES["interfacial_resistance_ohm_cm2"]
    }
    out = validate_long(
        frame,
        file,
        "cathode_coating",
        set(CATHODE_COATINGS),
        schema,
        problems,
        key_col="applies_to",
    )
    have = set(out[["cathode_coating", "applies_to"]].itertuples(index=False, name=None))
    for family in sorted(set(mats["family"])):
        for coating in CATHODE_COATINGS:
            if (coating, family) not in have:
                problems.add(
                    file,
                    None,
                    "applies_to",
                    f"no row for cathode coating {coating!r} with family {family!r} (an unknown "
                    "value is written with grade 'unknown')",
                )
    return out


def _validate_coating_properties(frame, files, coats, mats, problems) -> pd.DataFrame:
    """Each row: a coating that coatings.csv has for the family it applies to (a family, or a
    material of that family), its evidence, and per coating and family an interfacial resistance
    (possibly unknown) and, for an interlayer, the layer's thickness."""
    file = files["coating_properties"]
    family_of = dict(zip(mats["material_id"], mats["family"], strict=True))
    pairs = set(coats[["coating_id", "family"]].itertuples(index=False, name=None))
    for _, row in frame.iterrows():
        target = row["applies_to"]
        family = target if target in FAMILIES else family_of.get(target)
        if family is None:
            problems.add(
                file,
                row["_line"],
                "applies_to",
                f"expected a family ({', '.join(FAMILIES)}) or a material id, got {target!r}",
            )
        elif (row["coating_id"], family) not in pairs:
            problems.add(
                file,
                row["_line"],
                "applies_to",
                f"coatings.csv has no {row['coating_id']!r} for family {family!r}",
            )
    out = validate_long(
        frame,
        file,
        "coating_id",
        set(coats["coating_id"]),
        COATING_PROPERTIES,
        problems,
        key_col="applies_to",
    )
    have = set(out[["coating_id", "applies_to", "property"]].itertuples(index=False, name=None))
    for _, row in coats.iterrows():
        needed = ["interfacial_resistance_ohm_cm2"]
        needed += ["layer_thickness_um"] if row["layer_material_id"] else []
        for prop in needed:
            if (row["coating_id"], row["family"], prop) not in have:
                problems.add(
                    file,
                    None,
                    "property",
                    f"coating {row['coating_id']!r} on {row['family']} needs its {prop} row "
                    f"(coatings.csv line {row['_line']}; an unknown value is written with grade 'unknown')",
                )
    return out
