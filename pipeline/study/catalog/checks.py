"""Cell-level checks shared by the table loaders: every problem is collected as
`file, line N, column 'c': message`, so that one load reports all bad cells at once."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.study.catalog.schema import COLUMNS, FAMILIES, FILES


class Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, file: str, line: int | None, column: str, message: str) -> None:
        where = f"{file}, line {line}" if line is not None else file
        self.items.append(f"{where}, column '{column}': {message}")


def read_table(directory: Path, key: str, problems: Problems) -> pd.DataFrame | None:
    path = directory / FILES[key]
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError:
        problems.items.append(
            f"{path}: file missing (the catalog needs {', '.join(FILES.values())})"
        )
        return None
    except pd.errors.EmptyDataError:
        problems.items.append(f"{path}: empty file (expected a header: {', '.join(COLUMNS[key])})")
        return None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        problems.items.append(f"{path}: not a readable CSV ({exc})")
        return None
    except OSError as exc:  # a folder where the file should be, a file where the folder should be
        problems.items.append(f"{path}: not a readable file ({exc.strerror or exc})")
        return None
    missing = [c for c in COLUMNS[key] if c not in frame.columns]
    if missing:
        problems.items.append(f"{path}: missing column(s) {', '.join(missing)}")
        return None
    frame = frame.apply(lambda col: col.str.strip())
    frame.insert(0, "_line", np.arange(len(frame)) + 2)  # line 1 is the header
    return frame


def finite_float(text: str) -> float | None:
    """A finite number from a table cell, or None (not a number, nan, inf)."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def check_new_id(problems, file, row, column, seen: set[str]) -> None:
    """An id cell must be non-empty and not used by an earlier row; it is then remembered."""
    if not row[column] or row[column] in seen:
        problems.add(
            file, row["_line"], column, f"must be unique and non-empty, got {row[column]!r}"
        )
    seen.add(row[column])


def check_choice(problems, file, row, column, choices) -> None:
    if row[column] not in choices:
        problems.add(
            file, row["_line"], column, f"expected one of {', '.join(choices)}, got {row[column]!r}"
        )


def check_family_or_material(problems, file, row, materials, column: str = "applies_to") -> None:
    """The cell names an electrolyte family or a material id of materials.csv."""
    if row[column] not in FAMILIES and row[column] not in materials:
        problems.add(
            file,
            row["_line"],
            column,
            f"expected a family ({', '.join(FAMILIES)}) or a material id, got {row[column]!r}",
        )


def check_required_text(problems, file, row, columns) -> None:
    for column in columns:
        if not row[column]:
            problems.add(file, row["_line"], column, "must not be empty (every entry needs it)")
