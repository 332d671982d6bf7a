"""Plausible worlds: the recommended designs evaluated in catalogs drawn from the evidence ranges.

The one-value-at-a-time screening (decisive.py) says which single number can flip a design; here
every known catalog number is drawn at once, S times (`uncertainty.worlds`), and the front is
evaluated in each drawn catalog. The uncertainty is about the world, not about each design: one
draw per catalog entry (a material's conductivity, a process's density cap, an interface), shared
by every design that uses it. The draw per evidence grade (README, 'Plausible worlds'):

- measured-primary, measured-secondary, derived: triangular on [low, high] with its mode at the
  value (a measurement is most likely where it was reported);
- assumption: uniform on [low, high] (an assumption has no preferred point inside its range);
- on a log scale where the range spans a decade or more (high/low ≥ 10 with low > 0): conductivities,
  interfacial resistances and factors scatter multiplicatively;
- unknown: stays unknown (NaN; the study's constraints.unknown decides), a zero-width range stays
  its value.

Per front design: P(feasible) over the worlds, the spread of its total ASR, and the catalog values
whose draws explain most of that spread and of its feasibility (Spearman rank correlation over the
worlds, the values the design's evaluation reads: decisive.evidence_uses). This is a report on the
nominal search's front, not yet a search for designs that hold in every world.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from pipeline.study.catalog import Catalog
from pipeline.study.catalog.schema import MATERIAL_PROPERTIES

TRIANGULAR_GRADES = ("measured-primary", "measured-secondary", "derived")
LOG_SPAN = 10.0  # high/low from which a range is drawn on a log scale
# the long tables in Catalog.evidence() order: (attribute, id column)
LONG_TABLES = (
    ("material_properties", "material_id"),
    ("process_properties", "process_id"),
    ("coating_properties", "coating_id"),
    ("cathode_interfaces", "cathode_coating"),
    ("short_circuit", "mechanism"),
)


def draw_values(evidence: pd.DataFrame, n_worlds: int, seed: int) -> np.ndarray:
    """Matrix [world, evidence row] of drawn values (module docstring); NaN where unknown."""
    value = evidence["value"].to_numpy(float)
    low = evidence["low"].to_numpy(float)
    high = evidence["high"].to_numpy(float)
    grade = evidence["grade"].to_numpy()
    rng = np.random.default_rng(seed)
    u = rng.random((n_worlds, len(evidence)))  # one draw per entry and world, whatever its law
    known = np.isfinite(value) & np.isfinite(low) & np.isfinite(high) & (high > low)
    log = known & (low > 0) & (high >= LOG_SPAN * low)
    # np.where evaluates both branches: the log and exp of rows on a linear scale are discarded
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        a = np.where(log, np.log(low), low)
        b = np.where(log, np.log(high), high)
        c = np.where(log, np.log(value), value)
        triangular = np.isin(grade, TRIANGULAR_GRADES)
        # inverse CDF of the triangular distribution (a, c, b); uniform otherwise
        split = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1.0 - u) * (b - a) * (b - c))
        tri = np.where(u < split, left, right)
        uniform = a + u * (b - a)
        drawn = np.where(triangular, tri, uniform)
        drawn = np.where(log, np.exp(drawn), drawn)
    return np.where(known, drawn, value)  # a zero-width range or an unknown keeps its value


def catalog_with(catalog: Catalog, values: np.ndarray) -> Catalog:
    """The catalog with every evidence row's number replaced (values in Catalog.evidence() order);
    a composition family's copy of a material follows its parent, as decisive._at does."""
    parts: dict[str, pd.DataFrame] = {}
    start = 0
    for name, _ in LONG_TABLES:
        table = getattr(catalog, name)
        parts[name] = table.assign(value=values[start : start + len(table)])
        start += len(table)
    props = parts["material_properties"]
    wide = props.pivot(index="material_id", columns="property", values="value")
    materials = catalog.materials.copy()
    owners = [catalog.family_parent(m) or m for m in materials.index]
    columns = [c for c in wide.columns if c in MATERIAL_PROPERTIES]
    rows = wide.reindex(owners)[columns].to_numpy(float)
    materials[columns] = rows
    return replace(catalog, materials=materials, **parts)


@dataclass(frozen=True)
class Worlds:
    """P(feasible) and the ASR spread of every front design over the drawn worlds, and per front
    design the values that explain them."""

    n_worlds: int
    p_feasible: np.ndarray  # per front row
    asr_p10: np.ndarray
    asr_p90: np.ndarray
    drivers: dict[int, list[str]]  # front row -> 'label: ρ_ASR, ρ_feasible' (strongest first)


def evaluate_worlds(model, front: pd.DataFrame, evidence: pd.DataFrame, n_worlds: int, seed: int):
    """The front evaluated in n_worlds drawn catalogs: (drawn values [world, evidence row],
    feasible [world, front row], total ASR [world, front row]). One StudyModel per world (about
    30 ms each), the whole front in one vectorized call per world."""
    from pipeline.reporting.decisive import model_with

    values = draw_values(evidence, n_worlds, seed)
    X = front[model.space.x_columns].to_numpy(float)
    feasible = np.zeros((n_worlds, len(front)), dtype=bool)
    asr = np.full((n_worlds, len(front)), np.nan)
    for s in range(n_worlds):
        moved = model_with(model, catalog_with(model.catalog, values[s]))
        _, G, out = moved.evaluate(X)
        feasible[s] = np.all(G <= 0.0, axis=1)
        asr[s] = out["total_asr_ohm_cm2"]
    return values, feasible, asr


def front_worlds(model, front: pd.DataFrame, chosen: pd.DataFrame, decisive) -> Worlds | None:
    """P(feasible) and ASR spread of every front design over the study's plausible worlds
    (uncertainty.worlds; None when 0 or the front is empty), with the values that drive each
    chosen design (decisive: the screening's evidence table and uses)."""
    from pipeline.reporting.decisive import value_label

    u = model.config.uncertainty
    if u.worlds == 0 or len(front) == 0:
        return None
    evidence = decisive.evidence
    values, feasible, asr = evaluate_worlds(model, front, evidence, u.worlds, u.seed)
    labels = {k: value_label(evidence.loc[k]) for k in range(len(evidence))}
    rows = sorted({int(r) for r in chosen.index})
    return summarize(front, rows, decisive.uses, labels, values, feasible, asr)


def summarize(
    front: pd.DataFrame,
    rows: list[int],
    uses: pd.DataFrame,
    labels: dict[int, str],
    values: np.ndarray,
    feasible: np.ndarray,
    asr: np.ndarray,
    top: int = 3,
) -> Worlds:
    """P(feasible), ASR quantiles for every front design; for the given rows the catalog values
    whose draws rank-correlate most with its ASR and its feasibility over the worlds."""
    with np.errstate(invalid="ignore"):
        p10 = np.nanquantile(asr, 0.1, axis=0) if asr.size else np.array([])
        p90 = np.nanquantile(asr, 0.9, axis=0) if asr.size else np.array([])
    drivers: dict[int, list[str]] = {}
    # a rank correlation of independent draws scatters with sd 1/√(S − 1); ~60 values are tested
    # per design, so only |ρ| above 3.2 sd (a 5 % family-wise level) is named
    noise = 3.2 / np.sqrt(max(len(values) - 1, 1))
    for r in rows:
        used = uses.loc[uses["front_row"] == r, "evidence_row"].to_numpy()
        scores = []
        for k in used:
            x = values[:, k]
            if not np.isfinite(x).all() or np.ptp(x) == 0:
                continue
            rho_asr = _spearman(x, asr[:, r])
            rho_feasible = _spearman(x, feasible[:, r].astype(float))
            strength = np.nanmax(np.abs([rho_asr, rho_feasible]))
            if np.isfinite(strength) and strength >= noise:
                scores.append((strength, labels[k], rho_asr, rho_feasible))
        scores.sort(key=lambda t: -t[0])
        drivers[r] = [
            f"{label} (ρ with ASR {_fmt(ra)}, with feasibility {_fmt(rf)})"
            for _, label, ra, rf in scores[:top]
        ]
    return Worlds(len(values), feasible.mean(axis=0), p10, p90, drivers)


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    ok = np.isfinite(y)
    if ok.sum() < 3 or np.ptp(y[ok]) == 0:
        return float("nan")
    return float(spearmanr(x[ok], y[ok]).statistic)


def _fmt(value: float) -> str:
    return "–" if not np.isfinite(value) else f"{value:+.2f}"
