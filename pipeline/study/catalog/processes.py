"""processes.csv and process_properties.csv: how a membrane is made and the numbers of each process,
for every family it makes or for one family or material (applies_to)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline.study.catalog.checks import (
    Problems,
    check_choice,
    check_new_id,
    check_required_text,
)
from pipeline.study.catalog.evidence import validate_long
from pipeline.study.catalog.schema import (
    ARCHITECTURES,
    ATMOSPHERES,
    FAMILIES,
    PROCESS_PROPERTIES,
    SCALABILITY,
    STATUSES,
)


@dataclass(frozen=True)
class ProcessTables:
    """The processes' identity rows and their long evidence table."""

    identity: pd.DataFrame
    properties: pd.DataFrame


def load_processes(procs, pprops, mats, files, problems: Problems) -> ProcessTables:
    proc_ids: set[str] = set()
    for _, row in procs.iterrows():
        f = files["processes"]
        check_new_id(problems, f, row, "process_id", proc_ids)
        families = [x.strip() for x in row["families"].split(";") if x.strip()]
        bad = [x for x in families if x not in FAMILIES]
        if not families or bad:
            problems.add(
                f,
                row["_line"],
                "families",
                f"expected ';'-separated families from {', '.join(FAMILIES)}, got {row['families']!r}",
            )
        check_choice(problems, f, row, "architecture", ARCHITECTURES)
        check_choice(problems, f, row, "atmosphere", ATMOSPHERES)
        check_choice(problems, f, row, "scalability", SCALABILITY)
        check_choice(problems, f, row, "status", STATUSES)
        check_required_text(problems, f, row, ["name", "source"])
    properties = validate_long(
        pprops,
        files["process_properties"],
        "process_id",
        proc_ids,
        PROCESS_PROPERTIES,
        problems,
        key_col="applies_to",
    )
    _check_process_targets(properties, files["process_properties"], procs, mats, problems)
    _check_material_processes(mats, procs, files["materials"], problems)
    return ProcessTables(procs, properties)


def _check_material_processes(mats, procs, file, problems) -> None:
    """materials.csv `processes`: known process ids that make the material's family."""
    makes = {
        pid: {x.strip() for x in fams.split(";")}
        for pid, fams in zip(procs["process_id"], procs["families"], strict=True)
    }
    for _, row in mats.iterrows():
        for pid in (x.strip() for x in row["processes"].split(";") if x.strip()):
            if row["family"] not in makes.get(pid, set()):
                problems.add(
                    file,
                    row["_line"],
                    "processes",
                    f"{pid!r} is not a process of processes.csv that makes {row['family']} "
                    f"membranes (material {row['material_id']!r})",
                )


def _check_process_targets(frame, file, procs, mats, problems) -> None:
    """applies_to of a process row: empty, a family the process makes, or a material of one."""
    makes = {
        pid: {x.strip() for x in fams.split(";")}
        for pid, fams in zip(procs["process_id"], procs["families"], strict=True)
    }
    family_of = dict(zip(mats["material_id"], mats["family"], strict=True))
    for _, row in frame.iterrows():
        target = row["applies_to"]
        if not target or row["process_id"] not in makes:
            continue
        family = target if target in FAMILIES else family_of.get(target)
        if family not in makes[row["process_id"]]:
            problems.add(
                file,
                row["_line"],
                "applies_to",
                f"expected empty, a family {row['process_id']!r} makes "
                f"({', '.join(sorted(makes[row['process_id']]))}) or a material of one, got {target!r}",
            )
