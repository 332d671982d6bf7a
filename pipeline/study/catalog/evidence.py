"""The evidence of a number: value, plausible range (low, high), grade, the basis of its range and
its source, one row each in the long tables (material_properties.csv, process_properties.csv,
coating_properties.csv, cathode_interfaces.csv). An unknown value stays unknown (grade 'unknown',
empty value, low and high)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.study.catalog.checks import check_choice, check_required_text, finite_float
from pipeline.study.catalog.schema import (
    GRADES,
    OPTIONAL_EVIDENCE_COLUMNS,
    QUARTILE_GRADES,
    RANGE_KIND_DEFAULT,
    RANGE_KINDS,
    UNKNOWN,
)


@dataclass(frozen=True)
class Evidence:
    """One catalog number with its evidence (NaN value, low and high when unknown)."""

    value: float
    low: float
    high: float
    grade: str
    range_basis: str
    source: str
    range_kind: str = RANGE_KIND_DEFAULT

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
            _kind(row.get("range_kind")),
        )


# the numbers of a long-table row, parsed to floats (NaN: empty or unknown)
NUMBER_COLUMNS = ("value", "low", "high", "reported_min", "reported_max")


def _kind(cell) -> str:
    """A range_kind cell as text: empty, missing or NaN (a table built in code) is bounds."""
    return cell if isinstance(cell, str) and cell else RANGE_KIND_DEFAULT


def validate_long(
    frame, file, id_col, known_ids, schema, problems, key_col: str | None = None
) -> pd.DataFrame:
    """A long table: known ids and properties, each number with its evidence (check_evidence);
    one row per (id, [key_col,] property). Values, low and high become floats (NaN: unknown);
    range_kind is always present ('bounds' where the column is absent or the cell empty), and so
    are reported_min and reported_max (floats; NaN unless quartiles)."""
    for column in OPTIONAL_EVIDENCE_COLUMNS:
        if column not in frame.columns:
            frame = frame.assign(**{column: ""})
    parsed: dict[str, list[float]] = {name: [] for name in NUMBER_COLUMNS}
    kinds: list[str] = []
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
            numbers: tuple[float | None, ...] = (None,) * len(NUMBER_COLUMNS)
        else:
            evidence = check_evidence(problems, file, row, schema[prop])
            spread = check_reported_spread(problems, file, row, schema[prop], evidence)
            numbers = (*evidence, *spread)
        for name, number in zip(NUMBER_COLUMNS, numbers, strict=True):
            parsed[name].append(number if number is not None else np.nan)
        kinds.append(_kind(row["range_kind"]))
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
    return frame.assign(**parsed, range_kind=kinds)


def check_evidence(problems, file, row, unit_range) -> tuple[float | None, ...]:
    """value, low, high, grade, range_basis and source of one number: a known value lies in its
    own range [low, high] inside the property's physical bounds; grade 'unknown' goes with an empty
    value, low and high; every grade needs the basis of its range and a source, and a measured
    grade a source that is not an assumption."""
    line, grade = row["_line"], row["grade"]
    check_required_text(problems, file, row, ["source", "range_basis"])
    check_range_kind(problems, file, row)
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


def check_range_kind(problems, file, row) -> None:
    """The optional range_kind cell (schema.RANGE_KINDS; empty: bounds): quartiles only for a
    number that summarizes reported values (a measured or derived grade)."""
    kind = _kind(row.get("range_kind"))
    line = row["_line"]
    if kind not in RANGE_KINDS:
        problems.add(
            file,
            line,
            "range_kind",
            f"expected one of {', '.join(RANGE_KINDS)} (or empty: {RANGE_KIND_DEFAULT}), "
            f"got {kind!r}",
        )
    elif kind == "quartiles" and row["grade"] not in QUARTILE_GRADES:
        problems.add(
            file,
            line,
            "range_kind",
            f"quartiles summarize reported values, so they need grade "
            f"{', '.join(QUARTILE_GRADES)}, got grade {row['grade']!r}",
        )


def check_reported_spread(problems, file, row, unit_range, numbers) -> tuple[float | None, ...]:
    """reported_min and reported_max of a quartiles row: numbers in the property's bounds with
    reported_min ≤ low and high ≤ reported_max (the quartiles lie inside the reported values);
    both empty for any other row. Returns them (None where empty or bad)."""
    kind = _kind(row.get("range_kind"))
    cells = {c: row.get(c, "") for c in ("reported_min", "reported_max")}
    line = row["_line"]
    if kind not in RANGE_KINDS:  # said once by check_range_kind; nothing to check them against
        return (None, None)
    if kind != "quartiles":
        for column, cell in cells.items():
            if cell:
                problems.add(
                    file, line, column, f"only a quartiles range has {column}, got {cell!r}"
                )
        return (None, None)
    unit, lowest, highest = unit_range
    out: list[float | None] = []
    for column, cell in cells.items():
        number = finite_float(cell)
        if number is None or not lowest <= number <= highest:
            problems.add(
                file,
                line,
                column,
                f"a quartiles range needs the {column.split('_')[1]} of the reported values, a "
                f"number in [{lowest:g}, {highest:g}] {unit}, got {cell!r}",
            )
            number = None
        out.append(number)
    _, low, high = numbers
    smallest, largest = out
    if smallest is not None and low is not None and smallest > low:
        problems.add(
            file,
            line,
            "reported_min",
            f"reported_min {smallest:g} exceeds the quartile low {low:g}",
        )
    if largest is not None and high is not None and largest < high:
        problems.add(
            file,
            line,
            "reported_max",
            f"reported_max {largest:g} is below the quartile high {high:g}",
        )
    return tuple(out)
