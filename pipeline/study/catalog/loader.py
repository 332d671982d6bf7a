"""load_catalog: read every file, let each table's loader check its cells, cross-check the tables,
and assemble the Catalog, raising once with every problem found."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pipeline.errors import CatalogError
from pipeline.study.catalog.checks import Problems, read_table
from pipeline.study.catalog.families import validate_families, validate_family_measurements
from pipeline.study.catalog.interfaces import load_interfaces
from pipeline.study.catalog.materials import load_materials
from pipeline.study.catalog.model import Catalog
from pipeline.study.catalog.processes import load_processes
from pipeline.study.catalog.schema import (
    COLUMNS,
    FILES,
    LAW_PARAMETERS,
    MATERIAL_PROPERTIES,
    PROCESS_PROPERTIES,
    ROLLER_PROPERTIES,
)
from pipeline.study.catalog.shorts import validate_short_circuit


def load_catalog(directory: str | Path) -> Catalog:
    """Load and validate the catalog folder. Raises CatalogError listing every bad cell."""
    directory = Path(directory)
    problems = Problems()
    if not directory.is_dir():  # one line, not one per missing file
        raise CatalogError(
            f"invalid catalog: {directory} is not a folder (expected the catalog folder holding "
            f"{', '.join(FILES.values())})"
        )
    frames = {key: read_table(directory, key, problems) for key in FILES}
    if problems.items:
        raise CatalogError("invalid catalog:\n" + "\n".join(f"  - {p}" for p in problems.items))
    mats, mprops, procs, pprops, coats, cprops, cathode, shorts, stab, fams, meas = (
        frames[k]
        for k in (
            "materials",
            "material_properties",
            "processes",
            "process_properties",
            "coatings",
            "coating_properties",
            "cathode_interfaces",
            "short_circuit",
            "stability",
            "families",
            "family_measurements",
        )
    )
    assert mats is not None and mprops is not None and procs is not None
    assert pprops is not None and coats is not None and stab is not None and fams is not None
    assert meas is not None and cprops is not None and cathode is not None
    assert shorts is not None
    files = {key: str(directory / name) for key, name in FILES.items()}

    material_tables = load_materials(mats, mprops, stab, files, problems)
    process_tables = load_processes(procs, pprops, mats, files, problems)
    interface_tables = load_interfaces(coats, cprops, cathode, mats, files, problems)
    mprops, stability = material_tables.properties, material_tables.stability
    pprops = process_tables.properties
    cprops, cathode = interface_tables.coating_properties, interface_tables.cathode
    shorts = validate_short_circuit(shorts, files["short_circuit"], mats, problems)
    families = validate_families(fams, files["families"], mats, problems)
    measurements = validate_family_measurements(
        meas, files["family_measurements"], families, problems
    )

    if problems.items:
        raise CatalogError("invalid catalog:\n" + "\n".join(f"  - {p}" for p in problems.items))

    wide_m = mprops.pivot(index="material_id", columns="property", values="value")
    materials = (
        mats.set_index("material_id")
        .join(wide_m)
        .reindex(columns=[*COLUMNS["materials"][1:], *MATERIAL_PROPERTIES])
        .join(stability[["li_side", "cathode_side"]])
    )
    general = pprops[pprops["applies_to"] == ""]  # the wide table: values for every family
    wide_p = general.pivot(index="process_id", columns="property", values="value")
    processes = (
        procs.set_index("process_id")
        .join(wide_p)
        .reindex(columns=[*COLUMNS["processes"][1:], *PROCESS_PROPERTIES])
    )
    processes["families"] = processes["families"].map(
        lambda s: tuple(x.strip() for x in s.split(";") if x.strip())
    )

    _check_completeness(materials, processes, coats, files, problems)
    if problems.items:
        raise CatalogError("invalid catalog:\n" + "\n".join(f"  - {p}" for p in problems.items))
    return Catalog(
        materials=materials,
        processes=processes,
        coatings=coats.drop(columns="_line").reset_index(drop=True),
        material_properties=mprops.drop(columns="_line"),
        process_properties=pprops.drop(columns="_line"),
        coating_properties=cprops.drop(columns="_line"),
        cathode_interfaces=cathode.drop(columns="_line"),
        short_circuit=shorts.drop(columns="_line"),
        stability=stability,
        directory=directory,
        families=families,
        family_measurements=measurements,
    )


def _check_completeness(materials, processes, coatings, files, problems) -> None:
    """Cross-table rules: each law has its parameters, each process a window, each family a coating."""
    for material_id, row in materials.iterrows():
        for prop in LAW_PARAMETERS[row["temperature_law"]]:
            if np.isnan(row[prop]):
                problems.add(
                    files["material_properties"],
                    None,
                    "property",
                    f"material {material_id!r} (temperature_law {row['temperature_law']}) needs {prop}",
                )
        if row["temperature_law"] == "vft" and not np.isnan(row["vft_vogel_temperature_k"]):
            if row["reference_temperature_c"] + 273.15 <= row["vft_vogel_temperature_k"]:
                problems.add(
                    files["material_properties"],
                    None,
                    "value",
                    f"material {material_id!r}: reference temperature must lie above the VFT T0",
                )
        if not any(row["family"] in fams for fams in processes["families"]):
            problems.add(
                files["processes"],
                None,
                "families",
                f"no process makes family {row['family']!r} ({material_id})",
            )
        if row["family"] not in set(coatings["family"]):
            problems.add(
                files["coatings"],
                None,
                "family",
                f"no coating row (not even 'none') for family {row['family']!r}",
            )
    for process_id, row in processes.iterrows():
        needed = [p for p in PROCESS_PROPERTIES if p not in ROLLER_PROPERTIES]
        needed += list(ROLLER_PROPERTIES) if row["scalability"] == "roll_to_roll" else []
        for prop in needed:
            if np.isnan(row[prop]):
                problems.add(
                    files["process_properties"],
                    None,
                    "property",
                    f"process {process_id!r} needs {prop}",
                )
        if row["min_thickness_um"] >= row["max_thickness_um"]:
            problems.add(
                files["process_properties"],
                None,
                "value",
                f"process {process_id!r}: min_thickness_um must be below max_thickness_um",
            )
