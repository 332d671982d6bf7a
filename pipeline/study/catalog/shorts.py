"""short_circuit.csv: the numbers of the short-circuit mechanisms beyond random pinholes
(objectives/shorts.py) per electrolyte family or material, each with its evidence."""

from __future__ import annotations

import pandas as pd

from pipeline.study.catalog.checks import Problems, check_family_or_material
from pipeline.study.catalog.evidence import validate_long
from pipeline.study.catalog.schema import SHORT_MECHANISMS, SHORT_PROPERTIES


def validate_short_circuit(frame, file, mats, problems: Problems) -> pd.DataFrame:
    """Each row: a known mechanism, a family or material it applies to, one of the mechanism's
    numbers with its evidence. A mechanism with a row for a family needs all its numbers there
    (half a law cannot be evaluated)."""
    materials = set(mats["material_id"])
    for _, row in frame.iterrows():
        check_family_or_material(problems, file, row, materials)
        wanted = SHORT_MECHANISMS.get(row["mechanism"], ())
        if wanted and row["property"] in SHORT_PROPERTIES and row["property"] not in wanted:
            problems.add(
                file,
                row["_line"],
                "property",
                f"mechanism {row['mechanism']!r} reads {', '.join(wanted)}, "
                f"not {row['property']!r}",
            )
    out = validate_long(
        frame,
        file,
        "mechanism",
        set(SHORT_MECHANISMS),
        SHORT_PROPERTIES,
        problems,
        key_col="applies_to",
    )
    have = set(out[["mechanism", "applies_to", "property"]].itertuples(index=False, name=None))
    for mechanism, target in sorted(set(zip(out["mechanism"], out["applies_to"], strict=True))):
        for prop in SHORT_MECHANISMS.get(mechanism, ()):
            if (mechanism, target, prop) not in have:
                problems.add(
                    file,
                    None,
                    "property",
                    f"mechanism {mechanism!r} on {target!r} needs {prop} too (an unknown value "
                    "is written with grade 'unknown')",
                )
    return out
