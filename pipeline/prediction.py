"""`ssemo predict`: conductivity of user compositions from a registered surrogate, row by row checked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.errors import InputError
from pipeline.study.designs import check_column_names, finite_float, read_user_table
from surrogates.chemistry import FormulaError, contains_lithium, is_lithium_metal, parse_formula
from surrogates.features import STRUCTURE_COLUMNS as OPTIONAL_STRUCTURE
from surrogates.structure import LI_LI_COLUMNS, MAX_DISTANCE_A

# the temperatures a prediction may be asked at, °C (temperature_c and --temperature-c alike): a cell
# operates far inside it, and beyond it an Arrhenius line from room temperature means nothing
TEMPERATURE_RANGE_C = (-100.0, 400.0)
# Physical ranges of the optional structure columns (an empty cell means unknown).
STRUCTURE_RANGES = {
    "space_group_number": (1, 230, "an integer space group number in [1, 230]"),
    "a": (0.0, 1000.0, "a lattice length in (0, 1000] Å"),
    "b": (0.0, 1000.0, "a lattice length in (0, 1000] Å"),
    "c": (0.0, 1000.0, "a lattice length in (0, 1000] Å"),
    "alpha": (0.0, 180.0, "an angle in (0, 180) degrees"),
    "beta": (0.0, 180.0, "an angle in (0, 180) degrees"),
    "gamma": (0.0, 180.0, "an angle in (0, 180) degrees"),
    "formula_units_per_cell": (0.0, 1000.0, "a number of formula units in (0, 1000]"),
    **{
        c: (0.0, MAX_DISTANCE_A, f"a Li–Li distance in (0, {MAX_DISTANCE_A:g}) Å")
        for c in LI_LI_COLUMNS
    },
}
KNOWN_COLUMNS = (
    "composition",
    "temperature_c",
    *OPTIONAL_STRUCTURE,
    "family",
    "process",
    "thickness_um",
)


def _structure_problem(column: str, text: str) -> str | None:
    """Why a structure cell is impossible, or None (empty: unknown, allowed)."""
    if text.strip() == "":
        return None
    low, high, expected = STRUCTURE_RANGES.get(column, (0.0, float("inf"), "a positive number"))
    value = finite_float(text)
    ok = value is not None and low < value <= high
    if ok and column == "space_group_number":
        ok = value is not None and value == int(value) and low <= value
    if ok and column in ("alpha", "beta", "gamma", *LI_LI_COLUMNS):  # open upper end
        ok = value is not None and value < high
    return None if ok else f"expected {expected}, got {text!r}"


def read_prediction_input(
    path: str | Path, temperature_c: float | None
) -> tuple[pd.DataFrame, pd.DataFrame, dict[int, str]]:
    """Returns (table as read, model input for the good rows, {position: error message})."""
    path = Path(path)
    low, high = TEMPERATURE_RANGE_C
    if temperature_c is not None and not low <= temperature_c <= high:  # the CLI checks it first
        raise InputError(f"temperature {temperature_c} °C: expected one in [{low:g}, {high:g}] °C")
    table = read_user_table(path, "input file")
    if "composition" not in table:
        raise InputError(
            f"{path}: missing column 'composition' (optional: temperature_c, {', '.join(OPTIONAL_STRUCTURE)}, family, process, thickness_um)"
        )
    check_column_names(path, list(table.columns), KNOWN_COLUMNS)
    errors: dict[int, str] = {}
    good, temps = [], []
    for pos, row in enumerate(table.to_dict("records")):
        line = pos + 2
        try:
            amounts = parse_formula(row["composition"])
        except FormulaError as exc:
            errors[pos] = f"{path}, line {line}, column 'composition': {exc}"
            continue
        if not contains_lithium(amounts):  # as training refuses such rows (surrogates.datasets)
            errors[pos] = (
                f"{path}, line {line}, column 'composition': {row['composition']!r} has no Li; the "
                "surrogate predicts Li-ion conductors only"
            )
            continue
        if is_lithium_metal(amounts):
            errors[pos] = (
                f"{path}, line {line}, column 'composition': {row['composition']!r} is Li metal, "
                "an electronic conductor; expected a Li compound (the surrogate predicts Li-ion "
                "conductors)"
            )
            continue
        t = 25.0
        if temperature_c is not None:
            t = temperature_c
        elif row.get("temperature_c", "") != "":
            parsed = finite_float(row["temperature_c"])
            low, high = TEMPERATURE_RANGE_C
            if parsed is None or not low <= parsed <= high:
                errors[pos] = (
                    f"{path}, line {line}, column 'temperature_c': expected a number in "
                    f"[{low:g}, {high:g}] °C, got {row['temperature_c']!r}"
                )
                continue
            t = parsed
        thickness = str(row.get("thickness_um", "")).strip()
        if thickness not in ("", "nan"):
            value = finite_float(thickness)
            if value is None or value <= 0:
                errors[pos] = (
                    f"{path}, line {line}, column 'thickness_um': expected a positive number of µm, got {row['thickness_um']!r}"
                )
                continue
        problem = next(
            (
                (column, why)
                for column in OPTIONAL_STRUCTURE
                if column in row and (why := _structure_problem(column, str(row[column])))
            ),
            None,
        )
        if problem is not None:
            errors[pos] = f"{path}, line {line}, column '{problem[0]}': {problem[1]}"
            continue
        good.append(pos)
        temps.append(t + 273.15)
    inputs = pd.DataFrame(
        {"composition": table["composition"].iloc[good].to_numpy(), "temperature_k": temps},
        index=good,
    )
    for column in OPTIONAL_STRUCTURE:
        if column in table:
            inputs[column] = pd.to_numeric(table[column].iloc[good], errors="coerce").to_numpy()
    # membrane context, used by models trained with `context` (ignored by the others)
    for column in ("family", "process"):
        if column in table:
            inputs[column] = table[column].iloc[good].fillna("").astype(str).to_numpy()
    if "thickness_um" in table:
        inputs["thickness_um"] = pd.to_numeric(
            table["thickness_um"].iloc[good], errors="coerce"
        ).to_numpy()
    return table, inputs, errors


def predict_file(
    model, path: str | Path, temperature_c: float | None, coverage: float = 0.9
) -> tuple[pd.DataFrame, dict[int, str]]:
    table, inputs, errors = read_prediction_input(path, temperature_c)
    out = table.copy()
    out.insert(0, "line", np.arange(len(table)) + 2)
    out["status"] = "ok"
    out["error"] = ""
    for pos, msg in errors.items():
        out.loc[pos, "status"] = "rejected"
        out.loc[pos, "error"] = msg.removeprefix(f"{path}, ")  # the file is the whole table's
    if len(inputs):
        predicted = model.predict_table(inputs, coverage)
        predicted.insert(0, "temperature_k", inputs["temperature_k"])
        predicted["sigma_mean_s_per_cm"] = 10.0 ** predicted["log10_sigma_mean"]
        out = out.join(predicted)
    return out, errors
