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
  (its range read as ±2 sd); a range of kind quartiles is the evidence law's split normal
  (pipeline.study.evidence_law), whose half on the side of the measurements is used: sd
  (log10 value − log10 low)/0.674 below the value, (log10 high − log10 value)/0.674 above it (a
  tied half borrows the other's, as the law does). The normal-normal update with that half
  leaves out the posterior's part on the other side of the value: close when the measurement's
  sd is small against that half, not otherwise (PEO-LiTFSI, against the exact split-normal
  posterior's median on a grid: 8e-6 S/cm at sd 0.1 decade 0.001 decade off, at sd 0.3 0.06, at
  sd 1.0 0.37; 3e-5 S/cm at sd 0.5 0.08). A measurement beyond the lowest or highest reported
  value by more than CONFLICT_SD of its own sd conflicts, and a widened range keeps the prior's
  part within the reported values. Until 2026-12-07 both sides
  took (log10 high − log10 low)/1.349, which for PEO-LiTFSI's skewed quartiles (9.4e-6, 1.16e-5,
  6.7e-5 S/cm) gave a measurement below the value a prior 4.6 times too wide and one above it a
  prior 1.8 times too narrow; a zero-width range is taken as ±0.01 decade;
- consistent measurements combine with it by precision weighting (the normal-normal update): the
  value moves to the posterior mean, the range becomes its ±2 sd;
- measurements that conflict — one more than 3 combined sd from the prior, or two more than 3
  combined sd from each other — are not averaged away: the value is the posterior mean, but the
  range widens to cover the prior range and every measurement ±2 sd, and the row says so;
- the grade becomes measured-primary, its source names the sample ids and sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.errors import CatalogError, did_you_mean
from pipeline.files import to_csv
from pipeline.study.catalog import Catalog
from pipeline.study.catalog.schema import (
    COATING_PROPERTIES,
    MATERIAL_PROPERTIES,
    OPTIONAL_EVIDENCE_COLUMNS,
    PROCESS_PROPERTIES,
    RANGE_KIND_DEFAULT,
    SHORT_PROPERTIES,
)
from pipeline.study.evidence_law import QUARTILE_Z
from pipeline.study.plausible import LONG_TABLES, with_long_tables

COLUMNS = ("table", "item", "applies_to", "property", "value", "sd_log10", "sample_id", "source")
TABLES = {"material": 0, "process": 1, "coating": 2, "cathode": 3, "short": 4}
CONFLICT_SD = 3.0
# a measured value must lie in its property's physical bounds, the catalog files' own (schema.py:
# they catch unit slips, a strength in Pa typed as MPa); the cathode table holds interfaces
BOUNDS = {
    "material": MATERIAL_PROPERTIES,
    "process": PROCESS_PROPERTIES,
    "coating": COATING_PROPERTIES,
    "cathode": COATING_PROPERTIES,
    "short": SHORT_PROPERTIES,
}
# values the log10 update cannot take as measurements: a reference temperature is the convention a
# σ_ref is quoted at, an MRL a maturity judgment, and °C is no ratio scale (log10 of a Celsius
# temperature is meaningless; 0 °C is not "no temperature")
NOT_MEASURABLE = {
    "reference_temperature_c": "the temperature σ_ref is quoted at, a convention, not a measurement",
    "mrl": "a manufacturing-readiness judgment, not a measurement",
    "processing_temperature_c": "a temperature in °C, which the log10 update cannot average",
}
# a standard uncertainty of more than a decade is not a measurement of the value (±2 sd would
# span four decades): it could only widen the catalog's range
MAX_SD_LOG10 = 1.0
# below this a measurement's stated error is noted at ingest as implausibly small (±2 %)
MIN_PLAUSIBLE_SD_LOG10 = 0.01
# below this it is refused: no measurement of these quantities is known to 0.0002 %, and the
# update's precisions 1/sd² overflow to inf (a value of NaN) from about 1e-154
MIN_SD_LOG10 = 1e-6


def raise_problems(problems: list[str]) -> None:
    if problems:
        raise CatalogError(
            "invalid catalog measurements:\n" + "\n".join(f"  - {p}" for p in problems)
        )


def check_measurements(
    frame: pd.DataFrame, catalog: Catalog, path: str | Path, places: list[str] | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """(good rows with their `evidence_row` and `line`, one problem per bad cell): the one
    definition of a valid measurement, for a study's CSV and for `ssemo ingest`. places: how each
    row is named in a problem (default '<path>, line <n>'). A missing column is CatalogError."""
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise CatalogError(f"{path}: missing column(s) {', '.join(missing)}")
    evidence = catalog.evidence()
    keys: dict[tuple[str, ...], int] = {
        (t, i, a, p): k
        for k, (t, i, a, p) in enumerate(
            evidence[["table", "item", "applies_to", "property"]].fillna("").itertuples(index=False)
        )
    }
    problems: list[str] = []
    rows: list[dict | None] = []
    seen: dict[tuple, str] = {}
    kept: dict[tuple, tuple[int, str]] = {}  # a good row's place in rows and where it is
    for n, row in enumerate(frame.itertuples(index=False), start=2):
        cell = dict(zip(frame.columns, row, strict=True))
        where = places[n - 2] if places is not None else f"{path}, line {n}"
        key = tuple(str(cell[c]).strip() for c in ("table", "item", "applies_to", "property"))
        if key[0] not in TABLES:
            problems.append(f"{where}, column 'table': expected one of {', '.join(TABLES)}")
            continue
        k = keys.get(key)
        if k is None:
            problems.append(f"{where}{_no_such_value(key, evidence)}")
            continue
        if key[3] in NOT_MEASURABLE:
            problems.append(
                f"{where}, column 'property': {key[3]} is {NOT_MEASURABLE[key[3]]}; expected a "
                "measured quantity (an interface, a σ, a strength, a CCD, a density, ...)"
            )
            continue
        bad = len(problems)
        numbers = {}
        for column in ("value", "sd_log10"):
            try:
                numbers[column] = float(cell[column])
            except ValueError:
                numbers[column] = float("nan")
            if not np.isfinite(numbers[column]) or numbers[column] <= 0:
                problems.append(
                    f"{where}, column {column!r}: expected a number > 0, got {str(cell[column])!r}"
                )
        unit, low, high = BOUNDS[key[0]].get(key[3], ("", 0.0, np.inf))
        if len(problems) == bad and not low <= numbers["value"] <= high:
            problems.append(
                f"{where}, column 'value': {numbers['value']:g} is outside the physical bounds of "
                f"{key[3]} [{low:g}, {high:g}] {unit} (a unit slip?)"
            )
        if len(problems) == bad and numbers["sd_log10"] > MAX_SD_LOG10:
            problems.append(
                f"{where}, column 'sd_log10': expected at most {MAX_SD_LOG10:g} decade (a "
                "measurement that uncertain would not narrow the value)"
            )
        if len(problems) == bad and numbers["sd_log10"] < MIN_SD_LOG10:
            problems.append(
                f"{where}, column 'sd_log10': expected at least {MIN_SD_LOG10:g} decade, got "
                f"{numbers['sd_log10']:g} (no measurement is that exact)"
            )
        if len(problems) == bad and key[:1] == ("material",) and key[3] == "sigma_ref_s_per_cm":
            if slip := _sigma_unit_slip(catalog, key[1], numbers["value"]):
                problems.append(f"{where}, column 'value': {slip}")
        if not str(cell["source"]).strip():
            problems.append(f"{where}, column 'source': a measurement needs its source")
        sample = str(cell["sample_id"]).strip()
        if (sample, k) in seen:  # one sample counted twice would halve its uncertainty
            problems.append(
                f"{where}, column 'sample_id': {sample!r} measures this value twice (first: "
                f"{seen[sample, k]}); expected one row per sample and value, neither row is taken"
            )
            if (first := kept.pop((sample, k), None)) is not None:  # which is right is unknown
                rows[first[0]] = None
                problems.append(
                    f"{first[1]}, column 'sample_id': {sample!r} measures this value again "
                    f"({where}); neither row is taken"
                )
        elif len(problems) == bad:
            kept[sample, k] = (len(rows), where)
        seen.setdefault((sample, k), places[n - 2] if places is not None else f"line {n}")
        if len(problems) == bad:
            rows.append({**cell, **numbers, "evidence_row": k, "line": n})
    return pd.DataFrame([r for r in rows if r is not None]), problems


def _sigma_unit_slip(catalog: Catalog, material: str, sigma_s_per_cm: float) -> str | None:
    """The room-temperature σ ceiling (objectives.constants), at the material's reference
    temperature, which a measured σ_ref is given at: what the catalog files themselves obey."""
    from objectives.constants import conductivity_ceiling_problem

    ids = list(catalog.material_ids)
    if material not in ids:
        return None
    reference_c = catalog.materials["reference_temperature_c"].to_numpy(float)[ids.index(material)]
    return conductivity_ceiling_problem(sigma_s_per_cm, float(reference_c))


def surprises(rows: pd.DataFrame, catalog: Catalog, places: list[str]) -> list[str]:
    """A note per good row that is valid but surprising, for the person ingesting it: a value
    more than CONFLICT_SD combined sd from the catalog's (a unit slip reads as three decades off;
    a real conflict is kept, and widens the value's range in a study), or an sd_log10 below
    MIN_PLAUSIBLE_SD_LOG10 (it would outweigh every other measurement of the value)."""
    evidence = catalog.evidence()
    notes = []
    for where, r in zip(places, rows.itertuples(index=False), strict=True):
        prior = evidence.loc[int(r.evidence_row)]
        off, z = (
            float(a[0]) for a in from_prior(prior, np.array([r.value]), np.array([r.sd_log10]))
        )
        if z > CONFLICT_SD:
            notes.append(
                f"{where}: {r.value:g} is {abs(off):.1f} decade(s) {'above' if off > 0 else 'below'}"
                f" the catalog's {prior['value']:.4g} (range {_num(prior['low'])}-"
                f"{_num(prior['high'])}{_reported_note(prior)}), {z:.0f} sd: a unit slip? Stored; "
                "a study reading it widens the value's range instead of averaging it away"
            )
        if r.sd_log10 < MIN_PLAUSIBLE_SD_LOG10:
            notes.append(
                f"{where}: sd_log10 {r.sd_log10:g} is below {MIN_PLAUSIBLE_SD_LOG10:g} decade "
                f"(±{10**MIN_PLAUSIBLE_SD_LOG10 - 1:.0%}): few measurements are that precise, and "
                "it will outweigh every other measurement of this value"
            )
    return notes


def _no_such_value(key: tuple[str, ...], evidence: pd.DataFrame) -> str:
    """Which of the row's cells names nothing in the catalog, with the closest names."""
    rows = evidence[evidence["table"] == key[0]]
    for column, position in (("item", 1), ("applies_to", 2), ("property", 3)):
        known = set(rows[column].fillna(""))
        if key[position] not in known:
            return (
                f", column {column!r}: no {key[0]} {column} {key[position]!r}"
                f"{did_you_mean(key[position], sorted(known))} "
                "(`ssemo catalog evidence` lists every value)"
            )
        rows = rows[rows[column].fillna("") == key[position]]
    return (
        f": no catalog value {' / '.join(x for x in key if x)} (`ssemo catalog evidence` lists "
        "the table, item, applies_to and property of every value)"
    )


def log10_sd_of_range(low: float, high: float) -> float:
    """The standard deviation in log10 that a bounds range stands for, read as ±2 sd:
    (log10 high − log10 low) / 4 (0 for a zero-width, unknown or non-positive range; a quartiles
    range is read by its halves, prior_log10)."""
    if not (low > 0 and high > low):
        return 0.0
    return float(np.log10(high) - np.log10(low)) / 4


def catalog_sigma_rows(catalog: Catalog) -> pd.DataFrame:
    """Per material (catalog.material_ids order), the material_properties row that gives its
    reference σ, with the columns the evidence law reads (pipeline.study.evidence_law; a
    composition family's copy reads its parent's row; every column NaN where none)."""
    n = len(catalog.material_ids)
    columns, positions = catalog.material_property_positions(("sigma_ref_s_per_cm",))
    table = catalog.material_properties
    if not columns or table.empty:
        empty = {"value": np.nan, "low": np.nan, "high": np.nan, "grade": "", "property": ""}
        return pd.DataFrame([empty] * n)
    at = positions[:, 0]
    rows = table.iloc[np.maximum(at, 0)].reset_index(drop=True)
    rows.loc[at < 0] = np.nan  # no σ row (a composite): no law
    return rows


def prior_log10(prior: pd.Series, toward) -> tuple[float, np.ndarray]:
    """A catalog value as the update's prior on the side of `toward` (log10 values, e.g. the
    measurements'): log10 of its value and its sd in decades per element of toward (bounds: its
    range as ±2 sd, log10_sd_of_range; quartiles: the split normal's half on toward's side,
    module docstring; 0.01 decade for a zero-width range)."""
    m0 = float(np.log10(prior["value"]))
    toward = np.asarray(toward, dtype=float)
    if prior.get("range_kind", RANGE_KIND_DEFAULT) != "quartiles":
        sd = log10_sd_of_range(prior["low"], prior["high"])
        return m0, np.full(toward.shape, sd or 0.01)
    below, above = _quartile_halves(prior, m0)
    return m0, np.where(toward < m0, below, above)


def _quartile_halves(prior: pd.Series, m0: float) -> tuple[float, float]:
    """A quartiles prior's split-normal sd in decades below and above its value m0 (log10); a
    tied half borrows the other's, 0.01 decade when both are tied."""
    below = max(m0 - float(np.log10(prior["low"])), 0.0) / QUARTILE_Z
    above = max(float(np.log10(prior["high"])) - m0, 0.0) / QUARTILE_Z
    return (below or above or 0.01), (above or below or 0.01)


def from_prior(
    prior: pd.Series, values: np.ndarray, sd_log10: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each measurement's offset from the prior in decades and in sd: |offset| over
    √(sd_prior² + sd²) (the prior's sd on the measurement's side), or for a quartiles prior, if
    larger, how far the measurement lies beyond the lowest or highest reported value in its own sd
    (the law stops there: PEO-LiTFSI's upper half, 1.13 decades, would call 1e-2 S/cm, 77 times
    its highest entry, consistent). Above CONFLICT_SD it conflicts with the catalog's value."""
    x = np.log10(values)
    m0, sd0 = prior_log10(prior, x)
    offset = x - m0
    z = np.abs(offset) / np.sqrt(sd0**2 + sd_log10**2)
    smallest, largest = _reported_log10(prior)
    beyond = np.fmax(np.fmax(x - largest, smallest - x), 0.0) / sd_log10
    return offset, np.fmax(z, np.nan_to_num(beyond, nan=0.0))


def _reported_note(prior: pd.Series) -> str:
    """' of reported 7.9e-07-0.00013' for a quartiles prior, '' otherwise."""
    smallest, largest = _reported_log10(prior)
    if not (np.isfinite(smallest) and np.isfinite(largest)):
        return ""
    return f", quartiles of reported {_num(10**smallest)}-{_num(10**largest)}"


def _reported_log10(prior: pd.Series) -> tuple[float, float]:
    """log10 of a quartiles prior's lowest and highest reported values (NaN otherwise)."""
    if prior.get("range_kind", RANGE_KIND_DEFAULT) != "quartiles":
        return np.nan, np.nan
    low, high = (float(prior.get(c, np.nan)) for c in ("reported_min", "reported_max"))
    return (
        float(np.log10(low)) if low > 0 else np.nan,
        float(np.log10(high)) if high > 0 else np.nan,
    )


def updated_evidence(prior: pd.Series, measured: pd.DataFrame) -> dict:
    """value, low, high, grade, range_basis and source of one catalog value after its
    measurements (module docstring's rule)."""
    x = np.log10(measured["value"].to_numpy(float))
    sd = measured["sd_log10"].to_numpy(float)
    # the prior's side: that of the measurements' own precision-weighted mean
    m0, prior_sd = prior_log10(prior, np.sum(x / sd**2) / np.sum(1 / sd**2))
    sd0 = float(prior_sd)
    precision = 1 / sd0**2 + np.sum(1 / sd**2)
    mean = (m0 / sd0**2 + np.sum(x / sd**2)) / precision
    post_sd = precision**-0.5
    far_from_prior = from_prior(prior, measured["value"].to_numpy(float), sd)[1] > CONFLICT_SD
    apart = (
        np.abs(x[:, None] - x[None, :]) / np.sqrt(sd[:, None] ** 2 + sd[None, :] ** 2) > CONFLICT_SD
    )
    conflict = bool(far_from_prior.any() or apart.any())
    samples = ", ".join(
        f"{s} ({src})" for s, src in zip(measured["sample_id"], measured["source"], strict=True)
    )
    if conflict:
        # the prior's extent: its range, or each half's ±2 sd for quartiles (their low and high
        # hold only half the reported values; the widened range is read as bounds)
        if prior.get("range_kind") == "quartiles":
            sd_below, sd_above = _quartile_halves(prior, m0)
            smallest, largest = _reported_log10(prior)  # where the law stops
            prior_low = float(np.fmax(m0 - 2 * sd_below, smallest))
            prior_high = float(np.fmin(m0 + 2 * sd_above, largest))
        else:
            prior_low, prior_high = np.log10(prior["low"]), np.log10(prior["high"])
        low = min(prior_low, float(np.min(x - 2 * sd)))
        high = max(prior_high, float(np.max(x + 2 * sd)))
        basis = (
            f"conflicting measurements ({len(x)}) widen the range to the prior's and theirs ±2 sd "
            "(not averaged away)"
        )
    else:
        low, high = mean - 2 * post_sd, mean + 2 * post_sd
        read = "quartiles" if prior.get("range_kind") == "quartiles" else "±2 sd"
        basis = f"prior range as {read}, updated by {len(x)} measurement(s) in log10 space (±2 sd)"
    return {
        "value": float(10**mean),
        "low": float(10 ** min(low, mean)),
        "high": float(10 ** max(high, mean)),
        "grade": "measured-primary",
        "range_basis": basis,
        "range_kind": "bounds",  # the updated range is ±2 sd, not quartiles of reported values
        "reported_min": np.nan,
        "reported_max": np.nan,
        "source": f"ingested: {samples}; prior {prior['value']:.4g} ({prior['grade']}: {prior['source']})",
        "conflict": conflict,
        # the samples more than CONFLICT_SD from the prior, named where a range widens
        "far_from_prior": [str(x) for x in measured["sample_id"][far_from_prior]],
    }


def _p_note(r) -> str:
    """'; P(feasible) in the plausible worlds 0.41 -> 0.8' for a recommendations row (the design
    chosen now, read in the prior catalog's worlds and in the measured one's), or ''."""
    if not np.isfinite(r.p_feasible):
        return ""
    return (
        f"; P(feasible) of the design chosen now in the plausible worlds "
        f"{r.p_feasible_prior_catalog:.2f} with the prior catalog -> {r.p_feasible:.2f}"
    )


def _num(x: float, spec: str = ".3g") -> str:
    """3 significant digits, without an exponent between 1000 and 1e6 (1000, not 1e+03);
    'unknown' for a value the catalog did not have (NaN)."""
    if not np.isfinite(x):
        return "unknown"
    return f"{x:.0f}" if 1e3 <= abs(x) < 1e6 else f"{x:{spec}}"


def _range(low: float, high: float) -> str:
    return (
        "unknown" if not (np.isfinite(low) and np.isfinite(high)) else f"{_num(low)}-{_num(high)}"
    )


def _conflict_note(far: list[str]) -> str:
    if not far:
        return "; they conflict with each other: the range widened"
    return f"; they conflict ({', '.join(far)} far from the prior): the range widened"


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
            prior["range_kind"] = "bounds"
        new = within_bounds(updated_evidence(prior, group), prior)
        t = int(np.searchsorted(offsets, k, side="right") - 1)
        name = LONG_TABLES[t][0]
        index = tables[name].index[k - offsets[t]]
        for column in (
            "value",
            "low",
            "high",
            "grade",
            "range_basis",
            "source",
            *OPTIONAL_EVIDENCE_COLUMNS,
        ):
            tables[name].loc[index, column] = new[column]
        label = f"{prior['table']} {prior['item']}" + (
            f" on {prior['applies_to']}" if prior.get("applies_to") else ""
        )
        lines.append(
            f"{label} {prior['property']}: {_num(evidence.at[k, 'value'], '.4g')} -> "
            f"{new['value']:.4g} (range {_range(evidence.at[k, 'low'], evidence.at[k, 'high'])} -> "
            f"{_num(new['low'])}-{_num(new['high'])}), {len(group)} measurement(s)"
            + (_conflict_note(new["far_from_prior"]) if new["conflict"] else "")
        )
    raise_problems(window_problems(tables["process_properties"], measurements, evidence))
    return with_long_tables(catalog, tables), lines


def within_bounds(new: dict, prior: pd.Series) -> dict:
    """The updated value and range clipped to the property's physical bounds (schema.py): a
    ±2 sd range of a relative density or a transference number measured near 1 would pass 1."""
    _, low, high = BOUNDS[prior["table"]].get(prior["property"], ("", 0.0, np.inf))
    return {**new, **{c: float(np.clip(new[c], low, high)) for c in ("value", "low", "high")}}


def window_problems(
    process_properties: pd.DataFrame, measurements: pd.DataFrame, evidence: pd.DataFrame
) -> list[str]:
    """A measured thickness end that closes a process's window (min ≥ max for a family or for
    every family), which the catalog's own loader refuses: named, not left to empty a study."""
    measured = {
        (evidence.at[k, "item"], a if isinstance(a := evidence.at[k, "applies_to"], str) else "")
        for k in measurements["evidence_row"]
        if evidence.at[k, "table"] == "process"
        and evidence.at[k, "property"] in ("min_thickness_um", "max_thickness_um")
    }
    table = process_properties.assign(applies_to=process_properties["applies_to"].fillna(""))
    problems = []
    for process, applies in sorted(measured):
        rows = table[table["process_id"] == process]
        scopes = {applies} | ({""} if applies else set(rows["applies_to"]))
        for scope in sorted(scopes):
            ends = {}
            for prop in ("min_thickness_um", "max_thickness_um"):
                own = rows[(rows["property"] == prop) & (rows["applies_to"] == scope)]
                generic = rows[(rows["property"] == prop) & (rows["applies_to"] == "")]
                found = own if len(own) else generic
                ends[prop] = float(found["value"].iloc[0]) if len(found) else np.nan
            if ends["min_thickness_um"] >= ends["max_thickness_um"]:
                problems.append(
                    f"process {process!r}{f' on {scope}' if scope else ''}: with the measurements "
                    f"min_thickness_um is {ends['min_thickness_um']:.4g} µm, not below "
                    f"max_thickness_um {ends['max_thickness_um']:.4g} µm; expected a window the "
                    "process can make (check the measured value, or measure the other end too)"
                )
    return problems


@dataclass
class Applied:
    """What a study's catalog measurements did (`measured_catalog`): where they came from (a file
    and its SHA-256, or a measurement store's version), the catalog before them, one row per
    measurement with the value it changed (`changes`), and the report's lines."""

    origin: str  # 'file <path>' or 'measurement store <path>'
    version: str  # the file's SHA-256 (first 12) or the store's catalog version label
    prior: Catalog
    changes: pd.DataFrame
    lines: list[str]

    def tags(self) -> dict[str, str]:
        """MLflow tags of the run."""
        return {
            "ssemo.catalog_measurements": self.origin,
            "ssemo.catalog_measurements_version": self.version,
            "ssemo.catalog_measurements_changed": str(self.changes["value_label"].nunique())
            if len(self.changes)
            else "0",
        }

    def writers(self, model, front: pd.DataFrame, messages: list[str]) -> dict:
        """The run's files on what the measurements changed (catalog_measurements_applied.csv:
        one row per measurement with the value before and after; catalog_measurements_
        recommendations.csv: each compromise choice with and without them), and one report line
        per recommendation they changed (appended to messages)."""
        table = self.recommendations(model, front)
        moved = table[table["changed"]]
        for r in moved.itertuples():
            if r.prior_choice != r.design:
                messages.append(
                    f"the ingested catalog measurements change recommendation '{r.choice}': "
                    f"{r.prior_choice} with the prior catalog -> {r.design}" + _p_note(r)
                )
            else:
                messages.append(
                    f"the ingested catalog measurements move recommendation '{r.choice}' "
                    f"({r.design}): total ASR {r.total_asr_ohm_cm2_prior_catalog:.4g} -> "
                    f"{r.total_asr_ohm_cm2:.4g} ohm cm2, feasible "
                    f"{'yes' if r.feasible_prior_catalog else 'no'} -> "
                    f"{'yes' if r.feasible else 'no'} (nominal values)" + _p_note(r)
                )
        if len(table) and not len(moved):
            messages.append(
                "the ingested catalog measurements change no recommendation (each compromise "
                "choice, its total ASR and its feasibility are as with the prior catalog)"
            )
        changes = self.changes
        return {
            "catalog_measurements_applied.csv": lambda p: to_csv(changes, p),
            "catalog_measurements_recommendations.csv": lambda p: to_csv(table, p),
        }

    def recommendations(self, model, front: pd.DataFrame) -> pd.DataFrame:
        """Per compromise choice (knee, asf, ...): the design chosen with the measurements and the
        one the prior catalog would choose among the same front, and the chosen design's total ASR
        and feasibility in both catalogs (changed: the choice moved, or its ASR or feasibility)."""
        from pipeline.reporting.decisive import _choices
        from pipeline.study.plausible import model_with
        from pipeline.study.space import study_catalog

        columns = ["choice", "design", "prior_choice", "total_asr_ohm_cm2"]
        # *_prior_catalog: the design chosen now, read in the prior catalog (the prior choice's
        # own ASR is prior_choice_total_asr_ohm_cm2)
        columns += ["total_asr_ohm_cm2_prior_catalog", "prior_choice_total_asr_ohm_cm2"]
        columns += ["feasible", "feasible_prior_catalog", "changed"]
        # where the study draws plausible worlds: P(feasible) of the design chosen now, in the
        # worlds of each catalog (the same seed: only the measured values' draws differ)
        columns += ["p_feasible", "p_feasible_prior_catalog"]
        if not len(front):
            return pd.DataFrame(columns=columns)
        prior_model = model_with(model, study_catalog(self.prior, model.config))
        X = front[model.space.x_columns].to_numpy()
        F, _, out = model.evaluate(X)
        F0, _, out0 = prior_model.evaluate(X)
        now = _choices(model, front, F, out["feasible"])
        before = _choices(prior_model, front, F0, out0["feasible"])

        def name(row: int | None) -> str:
            if row is None:
                return "(none feasible)"
            r = front.iloc[row]
            return f"{r['material']} / {r['process']} / {r['coating']} / {r['thickness_um']:.3g} µm"

        records = []
        for choice, row in now.items():
            asr, asr0 = out["total_asr_ohm_cm2"][row], out0["total_asr_ohm_cm2"][row]
            moved = before.get(choice) != row
            changed = moved or not np.isclose(asr, asr0, rtol=1e-9, equal_nan=True)
            changed |= bool(out["feasible"][row] != out0["feasible"][row])
            records.append(
                {
                    "choice": choice,
                    "design": name(row),
                    "prior_choice": name(before.get(choice)),
                    "total_asr_ohm_cm2": float(asr),
                    "total_asr_ohm_cm2_prior_catalog": float(asr0),
                    "prior_choice_total_asr_ohm_cm2": (
                        float(out0["total_asr_ohm_cm2"][before[choice]])
                        if before.get(choice) is not None
                        else float("nan")
                    ),
                    "feasible": bool(out["feasible"][row]),
                    "feasible_prior_catalog": bool(out0["feasible"][row]),
                    "changed": bool(changed),
                }
            )
        table = pd.DataFrame(records, columns=columns)
        rows = [now[c] for c in table["choice"]]
        for column, m in (("p_feasible", model), ("p_feasible_prior_catalog", prior_model)):
            table[column] = _p_feasible(m, front.iloc[rows]) if rows else []
        return table


def _p_feasible(model, designs: pd.DataFrame) -> np.ndarray:
    """Each design's share of the study's plausible worlds in which it is feasible (NaN per
    design when the study draws none: uncertainty.worlds 0)."""
    from pipeline.reporting.worlds import evaluate_worlds

    u = model.config.uncertainty
    if u.worlds == 0:
        return np.full(len(designs), np.nan)
    evidence = model.catalog.evidence()
    return evaluate_worlds(model, designs, evidence, u.worlds, u.seed)[1].mean(axis=0)


def measured_catalog(
    catalog: Catalog, measurements: pd.DataFrame, origin: str, version: str
) -> tuple[Catalog, Applied]:
    """The catalog updated by checked measurements (a file's: pipeline.catalog_inputs, or a
    measurement store's: pipeline.campaign.store.read_store_measurements), and what they changed."""
    updated, lines = apply_measurements(catalog, measurements)
    return updated, Applied(
        origin, version, catalog, changes(catalog, updated, measurements), lines
    )


def changes(before: Catalog, after: Catalog, measurements: pd.DataFrame) -> pd.DataFrame:
    """One row per measurement: its sample, source and provenance, and the catalog value it
    measured before and after every measurement was applied (catalog_measurements_applied.csv)."""
    keep = ["sample_id", "source", "value", "sd_log10"]
    stored = ("version", "source_file", "source_line", "source_sha256", "ingested")
    provenance = [c for c in stored if c in measurements] or ["line"]  # a store's, or a file's
    columns = ["value_label", "property", *keep, *provenance]
    columns += ["value_before", "low_before", "high_before", "value_after", "low_after"]
    columns += ["high_after", "grade_before", "range_widened"]
    if measurements.empty:
        return pd.DataFrame(columns=columns)
    old, new = before.evidence(), after.evidence()
    records = []
    for r in measurements.to_dict("records"):
        k = int(r["evidence_row"])
        prior, post = old.loc[k], new.loc[k]
        label = f"{prior['table']} {prior['item']}" + (
            f" on {prior['applies_to']}" if prior.get("applies_to") else ""
        )
        records.append(
            {
                "value_label": label,
                "property": prior["property"],
                **{c: r[c] for c in keep},
                **{c: r[c] for c in provenance},
                "value_before": prior["value"],
                "low_before": prior["low"],
                "high_before": prior["high"],
                "value_after": post["value"],
                "low_after": post["low"],
                "high_after": post["high"],
                "grade_before": prior["grade"],
                "range_widened": str(post["range_basis"]).startswith("conflicting"),
            }
        )
    return pd.DataFrame(records, columns=columns).rename(columns={"value": "measured_value"})
