"""Reading a user's table of membrane designs, with row-level validation.

Columns: material, process, coating, thickness_um, relative_density (default: the process's
relative_density_max, the densest membrane it has been shown to make), filler_fraction
(default 0; only for effective-medium composite templates). Every bad cell is reported as
`file, line N, column 'c': ...`; the good rows still become a DesignBatch.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.errors import InputError, did_you_mean
from pipeline.study.catalog import Catalog, finite_float
from pipeline.study.evaluation import DesignBatch

REQUIRED = ("material", "process", "coating", "thickness_um")
# 1 cm: thicker than any pellet a cell would hold; a larger number is a unit slip (nm for µm), and
# the laws would score it without complaint (only g_thickness_max would say it is too thick)
THICKNESS_MAX_UM = 10_000.0
OPTIONAL = {"relative_density": 1.0, "filler_fraction": 0.0}


@dataclass(frozen=True)
class ParsedDesigns:
    table: pd.DataFrame  # the file as read, with a 'line' column
    batch: DesignBatch  # the good rows only
    good_rows: np.ndarray  # positions in `table` of the rows in `batch`
    errors: dict[int, list[str]]  # position in `table` -> messages


# A user's table larger than this is refused before parsing (the shipped examples are < 1 kB).
MAX_INPUT_BYTES = 50_000_000


def read_user_table(path: Path, what: str) -> pd.DataFrame:
    """A user's CSV as strings (stripped), or one InputError naming the file and the problem: no
    such file, a folder, unreadable, larger than MAX_INPUT_BYTES, not UTF-8, not CSV, no data rows,
    a column named twice."""
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise InputError(f"{path}: is a folder, expected a CSV {what}")
        if size > MAX_INPUT_BYTES:
            raise InputError(f"{path}: {size} bytes, more than the {MAX_INPUT_BYTES} allowed")
        with open(path, encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            header = next(reader, [])
            for row in reader:  # pandas would turn extra fields into a silent row index
                if len(row) > len(header):
                    raise InputError(
                        f"{path}, line {reader.line_num}: {len(row)} fields, the header has "
                        f"{len(header)}"
                    )
        table = pd.read_csv(
            path, dtype=str, keep_default_na=False, skipinitialspace=True, encoding="utf-8"
        )
    except FileNotFoundError:
        raise InputError(f"{path}: no such {what}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read {what} ({exc.strerror})") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{path}: not a readable CSV ({first})") from None
    names = [name.strip() for name in header]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise InputError(f"{path}, line 1, column {i + 1}: column {name!r} appears twice")
    if table.empty:
        raise InputError(f"{path}: no data rows (only a header)")
    return table


def check_column_names(path: Path, columns: Sequence[str], known: Sequence[str]) -> None:
    """InputError for a column that looks like a misspelling of a known one ('relative_densty'
    would otherwise be ignored and its default used); other extra columns are carried along."""
    for i, name in enumerate(columns):
        if name not in known and (hint := did_you_mean(name, known, n=1)):
            raise InputError(f"{path}, line 1, column {i + 1}: unknown column {name!r}{hint}")


def read_designs(path: str | Path, catalog: Catalog) -> ParsedDesigns:
    """Read and validate a designs CSV. Raises InputError only if the file itself is unusable."""
    path = Path(path)
    table = read_user_table(path, "designs file")
    missing = [c for c in REQUIRED if c not in table.columns]
    if missing:
        raise InputError(
            f"{path}: missing column(s) {', '.join(missing)}; expected columns "
            f"{', '.join(REQUIRED)} and optionally {', '.join(OPTIONAL)}"
        )
    check_column_names(path, list(table.columns), (*REQUIRED, *OPTIONAL))
    table = table.apply(lambda col: col.str.strip())
    table.insert(0, "line", np.arange(len(table)) + 2)

    mat_ids = {m: i for i, m in enumerate(catalog.material_ids)}
    proc_ids = {p: i for i, p in enumerate(catalog.process_ids)}
    coat_ids = {c: i for i, c in enumerate(catalog.coating_ids)}
    applies = catalog.process_applies()
    coating_applies = catalog.coating_applies()
    density_max = catalog.process_values("relative_density_max")  # [material, process]
    families = catalog.materials["family"]
    templates = catalog.materials.index[catalog.materials["temperature_law"] == "composite"]

    errors: dict[int, list[str]] = {}
    rows: list[tuple] = []
    good: list[int] = []
    for pos, row in enumerate(table.to_dict("records")):
        msgs: list[str] = []

        def bad(column: str, message: str, _msgs=msgs, _line=row["line"]) -> None:
            _msgs.append(f"{path}, line {_line}, column '{column}': {message}")

        m = mat_ids.get(row["material"])
        if m is None:
            bad(
                "material",
                f"unknown material {row['material']!r}{did_you_mean(row['material'], mat_ids, n=2)}",
            )
        p = proc_ids.get(row["process"])
        if p is None:
            bad(
                "process",
                f"unknown process {row['process']!r}{did_you_mean(row['process'], proc_ids, n=2)}",
            )
        elif m is not None and not applies[m, p]:
            ok = [pid for pid, j in proc_ids.items() if applies[m, j]]
            bad(
                "process",
                f"{row['process']!r} does not make {families.iloc[m]} membranes; for "
                f"{row['material']!r} use one of {', '.join(ok)}",
            )
        c = coat_ids.get(row["coating"] or "none")
        if c is None:
            bad(
                "coating",
                f"unknown coating {row['coating']!r}{did_you_mean(row['coating'], coat_ids, n=2)}",
            )
        elif m is not None and not coating_applies[c, m]:
            ok = [cid for cid, k in coat_ids.items() if coating_applies[k, m]]
            bad(
                "coating",
                f"{row['coating']!r} is not made for {families.iloc[m]} electrolytes; "
                f"use one of {', '.join(ok)}",
            )
        thickness = finite_float(row["thickness_um"])
        if thickness is None or not 0 < thickness <= THICKNESS_MAX_UM:
            bad(
                "thickness_um",
                f"expected a number in (0, {THICKNESS_MAX_UM:g}] µm, got {row['thickness_um']!r}",
            )
        values = {}
        for column, default in OPTIONAL.items():
            text = row.get(column, "")
            values[column] = default if text == "" else finite_float(text)
        if row.get("relative_density", "") == "" and p is not None and m is not None:
            # no density given: the densest membrane the process has been shown to make of the
            # material's family
            values["relative_density"] = float(density_max[m, p])
        rho = values["relative_density"]
        if rho is None or not 0.4 <= rho <= 1.0:
            bad(
                "relative_density",
                f"expected a number in [0.4, 1], got {row.get('relative_density')!r}",
            )
        phi = values["filler_fraction"]
        if phi is None or not 0.0 <= phi < 1.0:
            bad(
                "filler_fraction",
                f"expected a number in [0, 1), got {row.get('filler_fraction')!r}",
            )
        elif phi > 0 and m is not None and catalog.material_ids[m] not in templates:
            bad(
                "filler_fraction",
                f"only effective-medium composites ({', '.join(templates)}) take a filler "
                f"fraction; {row['material']!r} is a measured material, got {phi}",
            )
        if msgs:
            errors[pos] = msgs
        else:
            good.append(pos)
            rows.append((m, p, c, thickness, rho, phi))

    cols = list(zip(*rows, strict=True)) if rows else [()] * 6
    batch = DesignBatch(
        material=np.array(cols[0], dtype=np.intp),
        process=np.array(cols[1], dtype=np.intp),
        coating=np.array(cols[2], dtype=np.intp),
        thickness_um=np.array(cols[3], dtype=float),
        relative_density=np.array(cols[4], dtype=float),
        filler_fraction=np.array(cols[5], dtype=float),
    )
    return ParsedDesigns(
        table=table, batch=batch, good_rows=np.array(good, dtype=np.intp), errors=errors
    )
