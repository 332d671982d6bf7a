"""The evidence of a number: value, plausible range (low, high), grade, the basis of its range and
its source, one row each in the long tables (material_properties.csv, process_properties.csv,
coating_properties.csv, cathode_interfaces.csv). An unknown value stays unknown (grade 'unknown',
empty value, low and high)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.study.catalog.checks import check_choice, check_required_text, finite_float
from pipeline.study.catalog.schema import GRADES, UNKNOWN


@dataclass(frozen=True)
class Evidence:
    """One catalog number with its evidence (NaN value, low and high when unknown)."""

    value: float
    low: float
    high: float
    grade: str
    range_basis: str
    source: str

    @classmethod
    def of(cls, row) -> Evidence:
        """From a row of a validated long table (Catalog.evidence)."""
        return cls(
            float(row["value"]),
            float(row["low"]),
            float(row["high"]),
            str(row["grade"]),
            str(row["range_basis"]),
            str(row["source"]),
        )


def validate_long(
    frame, file, id_col, known_ids, schema, problems, key_col: str | None = None
) -> pd.DataFrame:
    """A long table: known ids and properties, each number with its evidence (check_evidence);
    one row per (id, [key_col,] property). Values, low and high become floats (NaN: unknown)."""
    parsed: dict[str, list[float]] = {"value": [], "low": [], "high": []}
    seen: dict[tuple[str, ...], int] = {}
    for _, row in frame.iterrows():
        line = row["_line"]
        if row[id_col] not in known_ids:
            problems.add(
                file, line, id_col, f"unknown {id_col.removesuffix('_id')} {row[id_col]!r}"
            )
        prop = row["property"]
        if prop not in schema:
            problems.add(
                file,
                line,
                "property",
                f"unknown property {prop!r}; expected one of {', '.join(schema)}",
            )
            numbers: tuple[float | None, ...] = (None, None, None)
        else:
            numbers = check_evidence(problems, file, row, schema[prop])
        for name, number in zip(("value", "low", "high"), numbers, strict=True):
            parsed[name].append(number if number is not None else np.nan)
        if prop == "strength_mpa" and not row["condition"]:
            problems.add(
                file, line, "condition", "strength_mpa needs its test type (e.g. '3-point bending')"
            )
        key = (row[id_col], *([row[key_col]] if key_col else []), prop)
        if key in seen:
            where = " on ".join(k for k in key[:-1] if k)
            problems.add(
                file, line, "property", f"duplicate of line {seen[key]}: {where} {prop} again"
            )
        seen[key] = line
    return frame.assign(**parsed)


def check_evidence(problems, file, row, unit_range) -> tuple[float | None, ...]:
    """value, low, high, grade, range_basis and source of one number: a known value lies in its
    own range [low, high] inside the property's physical bounds; grade 'unknown' goes with an empty
    value, low and high; every grade needs the basis of its range and a source, and a measured
    grade a source that is not an assumption."""
    line, grade = row["_line"], row["grade"]
    check_required_text(problems, file, row, ["source", "range_basis"])
    if grade == UNKNOWN:
        filled = [f"{c} {row[c]!r}" for c in ("value", "low", "high") if row[c]]
        if filled:
            problems.add(
                file,
                line,
                "grade",
                f"grade 'unknown' needs an empty value, low and high, got {', '.join(filled)}",
            )
        return (None, None, None)
    check_choice(problems, file, row, "grade", (*GRADES, UNKNOWN))
    if grade.startswith("measured") and row["source"].lower().startswith("assumption"):
        problems.add(
            file,
            line,
            "source",
            f"grade {grade!r} needs the measurement's source, not an assumption",
        )
    unit, lowest, highest = unit_range
    numbers = []
    for column in ("value", "low", "high"):
        number = finite_float(row[column])
        if number is None:
            problems.add(
                file,
                line,
                column,
                f"expected a number in {unit}, got {row[column]!r} (empty only with grade 'unknown')",
            )
        elif not lowest <= number <= highest:
            problems.add(
                file,
                line,
                column,
                f"expected {row['property']} in [{lowest:g}, {highest:g}] {unit}, got {number:g}",
            )
        numbers.append(number)
    value, low, high = numbers
    if low is not None and high is not None and low > high:
        problems.add(file, line, "low", f"low {low:g} exceeds high {high:g} (swapped?)")
    elif value is not None and low is not None and high is not None and not low <= value <= high:
        problems.add(
            file,
            line,
            "low" if value < low else "high",
            f"the value {value:g} lies outside its own range [low {low:g}, high {high:g}]",
        )
    return tuple(numbers)
