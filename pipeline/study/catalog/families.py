"""composition_families.csv and family_measurements.csv: substitution series searched per composition
(a template linear in x, a window, a parent material) and their members' measured σ."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.study.catalog.checks import (
    check_choice,
    check_new_id,
    check_required_text,
    finite_float,
)
from pipeline.study.catalog.schema import MEASUREMENT_FORMS


def validate_families(frame, file, materials, problems) -> pd.DataFrame:
    """Each family: a new id, a catalog parent (not a composite template), 0 <= x_min < x_max, a
    template that reads at both ends, oxidation states for every element, charge neutrality at both
    ends (amounts are linear in x), and the source of its window."""
    from pipeline.study import compositions

    parents = dict(zip(materials["material_id"], materials["temperature_law"], strict=True))
    seen: set[str] = set(parents)
    lows, highs = [], []
    for _, row in frame.iterrows():
        check_new_id(problems, file, row, "family_id", seen)
        check_required_text(problems, file, row, ["name", "range_source"])
        if parents.get(row["parent_material_id"], "composite") == "composite":
            problems.add(
                file,
                row["_line"],
                "parent_material_id",
                f"expected a catalog material that is not a composite template, got "
                f"{row['parent_material_id']!r}",
            )
        lo, hi = finite_float(row["x_min"]), finite_float(row["x_max"])
        lows.append(lo if lo is not None else np.nan)
        highs.append(hi if hi is not None else np.nan)
        if lo is None or hi is None or not 0.0 <= lo < hi <= 10.0:
            problems.add(
                file,
                row["_line"],
                "x_max",
                f"expected numbers 0 <= x_min < x_max <= 10, got {row['x_min']!r}, {row['x_max']!r}",
            )
            continue
        try:
            states = compositions.parse_oxidation_states(row["oxidation_states"])
        except compositions.TemplateError as exc:
            problems.add(file, row["_line"], "oxidation_states", str(exc))
            continue
        try:  # linear in x, bounded, amounts >= 0 over the whole window (compositions module)
            compositions.check_template(row["template"], lo, hi)
        except compositions.TemplateError as exc:
            problems.add(file, row["_line"], "template", str(exc))
            continue
        for x in (lo, hi):
            try:
                formula = compositions.formula_at(row["template"], x)
                elements = compositions.elements(formula)
            except (compositions.TemplateError, ValueError) as exc:
                problems.add(file, row["_line"], "template", str(exc))
                break
            missing = sorted(elements - set(states))
            if missing:
                problems.add(
                    file,
                    row["_line"],
                    "oxidation_states",
                    f"{formula}: no oxidation state for {', '.join(missing)}",
                )
                break
            charge = compositions.charge_sum(formula, states)
            if abs(charge) > 1e-4:  # amounts are written to 6 decimals (2/3 -> 0.666667)
                problems.add(
                    file,
                    row["_line"],
                    "template",
                    f"{formula} (x = {x:g}) is not charge neutral: Σ charge = {charge:+.4g}",
                )
                break
    out = frame.assign(x_min=lows, x_max=highs).drop(columns="_line")
    return out.set_index("family_id")


def validate_family_measurements(frame, file, families, problems) -> pd.DataFrame:
    """Each row: a known family, x inside its window, the template's formula at x written out
    (a check that x was read right), σ in (0, 1) S/cm, a temperature, a form and a source."""
    from pipeline.study import compositions

    values: dict[str, list[float]] = {"x": [], "sigma_s_per_cm": [], "temperature_c": []}
    for _, row in frame.iterrows():
        line = row["_line"]
        check_required_text(problems, file, row, ["source"])
        check_choice(problems, file, row, "form", MEASUREMENT_FORMS)
        x, sigma, t = (finite_float(row[c]) for c in ("x", "sigma_s_per_cm", "temperature_c"))
        for column, value in (("x", x), ("sigma_s_per_cm", sigma), ("temperature_c", t)):
            values[column].append(value if value is not None else np.nan)
        if row["family_id"] not in families.index:
            problems.add(file, line, "family_id", f"unknown family {row['family_id']!r}")
            continue
        fam = families.loc[row["family_id"]]
        if x is None or not fam["x_min"] - 1e-9 <= x <= fam["x_max"] + 1e-9:
            problems.add(
                file,
                line,
                "x",
                f"expected x in [{fam['x_min']:g}, {fam['x_max']:g}], got {row['x']!r}",
            )
        else:
            try:
                compositions.check_template(fam["template"], fam["x_min"], fam["x_max"])
                expected = compositions.formula_at(fam["template"], x)
                same = compositions.same_composition(expected, row["composition"])
            except compositions.TemplateError:  # a bad template: reported on its family's line
                same = True
            except ValueError:
                same = False
            if not same:
                problems.add(
                    file,
                    line,
                    "composition",
                    f"{row['composition']!r} is not {row['family_id']} at x = {x:g} ({expected})",
                )
        if sigma is None or not 0.0 < sigma < 1.0:
            problems.add(
                file, line, "sigma_s_per_cm", f"expected (0, 1) S/cm, got {row['sigma_s_per_cm']!r}"
            )
        if t is None or not -100.0 <= t <= 500.0:
            problems.add(
                file,
                line,
                "temperature_c",
                f"expected a temperature in °C, got {row['temperature_c']!r}",
            )
    return frame.assign(**values).drop(columns="_line")
