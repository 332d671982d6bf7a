"""Measured catalog quantities as evidence: a lab's own measurements of an interface, a σ, a
strength, a CCD or a density narrow (or, when they conflict, widen) the range of the catalog value
they measure (issue 24, item 6).

The file (`catalog_measurements` in a study config; CSV) has one row per measurement: `table`
(material, process, coating, cathode, short: Catalog.evidence()'s tables), `item` (the material,
process, coating, cathode coating or mechanism id), `applies_to` (the family or material a process,
coating, cathode or short row applies to; empty for a material), `property`, `value`, `sd_log10`
(the measurement's standard uncertainty in decades, > 0), `sample_id` and `source`.

The update rule, in log10 space (every such catalog value is positive):
- the catalog value is a prior: mean log10(value), standard deviation (log10 high − log10 low)/4
  (its range read as ±2 sd; a zero-width range is taken as ±0.01 decade);
- consistent measurements combine with it by precision weighting (the normal-normal update): the
  value moves to the posterior mean, the range becomes its ±2 sd;
- measurements that conflict — one more than 3 combined sd from the prior, or two more than 3
  combined sd from each other — are not averaged away: the value is the posterior mean, but the
  range widens to cover the prior range and every measurement ±2 sd, and the row says so;
- the grade becomes measured-primary, its source names the sample ids and sources.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.errors import CatalogError
from pipeline.study.catalog import Catalog
from pipeline.study.plausible import LONG_TABLES, with_long_tables

COLUMNS = ("table", "item", "applies_to", "property", "value", "sd_log10", "sample_id", "source")
TABLES = {"material": 0, "process": 1, "coating": 2, "cathode": 3, "short": 4}
CONFLICT_SD = 3.0


def read_measurements(path: str | Path, catalog: Catalog) -> pd.DataFrame:
    """The measurements with the evidence row each one measures (`evidence_row`). CatalogError,
    one line per bad cell (file, line, column), for anything else."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise CatalogError(f"{path}: file missing (catalog_measurements)") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: not a readable CSV ({exc})") from None
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise CatalogError(f"{path}: missing column(s) {', '.join(missing)}")
    evidence = catalog.evidence()
    keys = {
        (t, i, a, p): k
        for k, (t, i, a, p) in enumerate(
            evidence[["table", "item", "applies_to", "property"]].fillna("").itertuples(index=False)
        )
    }
    problems, rows = [], []
    for n, row in enumerate(frame.itertuples(index=False), start=2):
        cell = dict(zip(frame.columns, row, strict=True))
        where = f"{path}, line {n}"
        key = tuple(cell[c].strip() for c in ("table", "item", "applies_to", "property"))
        if key[0] not in TABLES:
            problems.append(f"{where}, column 'table': expected one of {', '.join(TABLES)}")
            continue
        k = keys.get(key)
        if k is None:
            problems.append(
                f"{where}: no catalog value {' / '.join(x for x in key if x)} "
                "(see `ssemo catalog evidence` for the table, item, applies_to and property)"
            )
            continue
        numbers = {}
        for column in ("value", "sd_log10"):
            try:
                numbers[column] = float(cell[column])
            except ValueError:
                numbers[column] = float("nan")
            if not np.isfinite(numbers[column]) or numbers[column] <= 0:
                problems.append(f"{where}, column {column!r}: expected a number > 0")
        if not cell["source"].strip():
            problems.append(f"{where}, column 'source': a measurement needs its source")
        rows.append({**cell, **numbers, "evidence_row": k, "line": n})
    if problems:
        raise CatalogError(
            "invalid catalog measurements:\n" + "\n".join(f"  - {p}" for p in problems)
        )
    return pd.DataFrame(rows)


def updated_evidence(prior: pd.Series, measured: pd.DataFrame) -> dict:
    """value, low, high, grade, range_basis and source of one catalog value after its
    measurements (module docstring's rule)."""
    m0 = np.log10(prior["value"])
    span = np.log10(prior["high"]) - np.log10(prior["low"]) if prior["low"] > 0 else np.nan
    sd0 = span / 4 if np.isfinite(span) and span > 0 else 0.01
    x = np.log10(measured["value"].to_numpy(float))
    sd = measured["sd_log10"].to_numpy(float)
    precision = 1 / sd0**2 + np.sum(1 / sd**2)
    mean = (m0 / sd0**2 + np.sum(x / sd**2)) / precision
    post_sd = precision**-0.5
    far_from_prior = np.abs(x - m0) / np.sqrt(sd0**2 + sd**2) > CONFLICT_SD
    apart = (
        np.abs(x[:, None] - x[None, :]) / np.sqrt(sd[:, None] ** 2 + sd[None, :] ** 2) > CONFLICT_SD
    )
    conflict = bool(far_from_prior.any() or apart.any())
    samples = ", ".join(
        f"{s} ({src})" for s, src in zip(measured["sample_id"], measured["source"], strict=True)
    )
    if conflict:
        low = min(np.log10(prior["low"]), float(np.min(x - 2 * sd)))
        high = max(np.log10(prior["high"]), float(np.max(x + 2 * sd)))
        basis = (
            f"conflicting measurements ({len(x)}) widen the range to the prior's and theirs ±2 sd "
            "(not averaged away)"
        )
    else:
        low, high = mean - 2 * post_sd, mean + 2 * post_sd
        basis = f"prior range as ±2 sd, updated by {len(x)} measurement(s) in log10 space (±2 sd)"
    return {
        "value": float(10**mean),
        "low": float(10 ** min(low, mean)),
        "high": float(10 ** max(high, mean)),
        "grade": "measured-primary",
        "range_basis": basis,
        "source": f"ingested: {samples}; prior {prior['value']:.4g} ({prior['grade']}: {prior['source']})",
        "conflict": conflict,
    }


def apply_measurements(catalog: Catalog, measurements: pd.DataFrame) -> tuple[Catalog, list[str]]:
    """The catalog with every measured value updated, and one line per changed value for the
    report ('label: 7.4 -> 9.1 (7-45.4 -> 8.2-10.1), 2 measurements')."""
    if measurements.empty:
        return catalog, []
    evidence = catalog.evidence()
    offsets = np.cumsum([0, *(len(getattr(catalog, name)) for name, _ in LONG_TABLES)])
    tables = {name: getattr(catalog, name).copy() for name, _ in LONG_TABLES}
    lines = []
    for k, group in measurements.groupby("evidence_row"):
        prior = evidence.loc[k]
        if not (np.isfinite(prior["value"]) and prior["value"] > 0):
            prior = prior.copy()  # an unknown prior: the measurements alone, with a wide prior
            first = float(group["value"].iloc[0])
            prior["value"], prior["low"], prior["high"] = first, first / 1e3, first * 1e3
        new = updated_evidence(prior, group)
        t = int(np.searchsorted(offsets, k, side="right") - 1)
        name = LONG_TABLES[t][0]
        index = tables[name].index[k - offsets[t]]
        for column in ("value", "low", "high", "grade", "range_basis", "source"):
            tables[name].loc[index, column] = new[column]
        label = f"{prior['table']} {prior['item']}" + (
            f" on {prior['applies_to']}" if prior.get("applies_to") else ""
        )
        lines.append(
            f"{label} {prior['property']}: {evidence.at[k, 'value']:.4g} -> {new['value']:.4g} "
            f"(range {evidence.at[k, 'low']:.3g}-{evidence.at[k, 'high']:.3g} -> "
            f"{new['low']:.3g}-{new['high']:.3g}), {len(group)} measurement(s)"
            + ("; they conflict: the range widened" if new["conflict"] else "")
        )
    return with_long_tables(catalog, tables), lines
