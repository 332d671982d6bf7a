"""Conductivity of composition-family members, predicted by the surrogate for every design.

A family's substitution level snaps to its levels (compositions.family_levels), so every
composition a search can visit is known when the study starts: the surrogate predicts them all at
once per temperature (one batched call, a few hundred rows), and evaluating a population is then a
gather by (family, level), with no model call inside the search loop. The cache key is the rounded
composition itself; the front reports the same formula the surrogate was asked about.

Per level and temperature: log10 σ mean, the 90 % interval (reported), the robust quantile's lower
bound (robust mode: the ASR quantile is the σ quantile 1 − q, read from the surrogate's own predictive
interval rather than a Gaussian on its std), the std and the applicability score.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from objectives.constants import ZERO_CELSIUS_K
from pipeline.errors import ConfigError
from pipeline.study import compositions
from pipeline.study.catalog import Catalog
from pipeline.study.config import StudyConfig

REPORTED_COVERAGE = 0.9


def interval_columns(coverage: float) -> tuple[str, str]:
    """The surrogate table's interval columns for a central coverage (model.predict_table names)."""
    pct = round(coverage * 100)
    return f"log10_sigma_p{(100 - pct) // 2:02d}", f"log10_sigma_p{100 - (100 - pct) // 2:02d}"


@dataclass(frozen=True)
class FamilyConductivity:
    """Predictions for every level of every searched family (arrays [temperature, family, level])."""

    family_of_material: (
        np.ndarray
    )  # per catalog material: its family row, -1 for a catalog material
    x_min: np.ndarray
    x_max: np.ndarray
    formulas: list[list[str]]  # [family][level]
    log10_mean: np.ndarray
    log10_robust_low: (
        np.ndarray
    )  # lower bound of the robust central interval (= mean if not robust)
    log10_low: np.ndarray  # reported 90 % interval
    log10_high: np.ndarray
    log10_std: np.ndarray  # [family, level], at the operating temperature
    applicability: np.ndarray  # [family, level]
    # measured σ near the operating temperature at the level nearest each measurement
    # (family_measurements.csv): median [family, level] (NaN: none) and what was measured, by whom
    measured_sigma: np.ndarray
    measured_note: list[list[str]]
    # calibrated P(below the detection limit) [family, level] (issue 26); None: a surrogate without
    p_below_detection: np.ndarray | None = None
    # literature reports behind a member's σ [family, level] (0: the model's prediction; model
    # version 7: a composition the surrogate's data measured takes its reports); None: not told
    literature_reports: np.ndarray | None = None

    def locate(
        self, material: np.ndarray, dopant_level: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows that are family members, their family row, their level index)."""
        fam_all = self.family_of_material[material]
        rows = np.flatnonzero(fam_all >= 0)
        fam = fam_all[rows]
        if dopant_level is None or not rows.size:
            return rows, fam, np.zeros(rows.size, dtype=np.intp)
        level = np.zeros(rows.size, dtype=np.intp)
        for f in np.unique(fam):
            mine = fam == f
            x = dopant_level[rows[mine]]
            level[mine] = compositions.level_index(self.x_min[f], self.x_max[f], x)
        return rows, fam, level


def predict_families(
    catalog: Catalog, config: StudyConfig, surrogate, temperatures_c: list[float]
) -> FamilyConductivity | None:
    """Surrogate predictions for the study's families (None when it searches none)."""
    families = list(config.search.families)
    if not families:
        return None
    if surrogate is None:
        raise ConfigError(
            f"{config.source}: key 'search.families': composition families get their conductivity "
            "from the surrogate, and none is available (set surrogate.enabled: true and register "
            "one: `ssemo train --config configs/train_default.yaml`)"
        )
    fams = catalog.families.loc[families]
    formulas = [
        [compositions.formula_at(t, x) for x in compositions.levels(lo, hi)]
        for t, lo, hi in fams[["template", "x_min", "x_max"]].itertuples(index=False)
    ]
    flat = [f for per_family in formulas for f in per_family]
    shape = (len(families), compositions.LEVELS)
    robust_q = config.surrogate.robust_quantile if config.surrogate.robust else None
    lo_col, hi_col = interval_columns(REPORTED_COVERAGE)
    mean, robust_low, low, high = (np.empty((len(temperatures_c), *shape)) for _ in range(4))
    tables = []
    for k, t in enumerate(temperatures_c):
        query = pd.DataFrame({"composition": flat, "temperature_k": t + ZERO_CELSIUS_K})
        table = surrogate.predict_table(query, coverage=REPORTED_COVERAGE)
        tables.append(table)
        mean[k] = table["log10_sigma_mean"].to_numpy(float).reshape(shape)
        low[k] = table[lo_col].to_numpy(float).reshape(shape)
        high[k] = table[hi_col].to_numpy(float).reshape(shape)
        if robust_q is None:
            robust_low[k] = mean[k]
        else:  # the ASR's q-quantile is σ's (1 − q)-quantile: the low end of a 2q − 1 interval
            coverage = 2.0 * robust_q - 1.0
            robust = surrogate.predict_table(query, coverage=coverage)
            robust_low[k] = robust[interval_columns(coverage)[0]].to_numpy(float).reshape(shape)
    # std and applicability at the operating temperature (the first)
    std = tables[0]["log10_sigma_std"].to_numpy(float).reshape(shape)
    applicability = tables[0]["applicability"].to_numpy(float).reshape(shape)
    p_below = (
        tables[0]["p_below_detection"].to_numpy(float).reshape(shape)
        if "p_below_detection" in tables[0]
        else None
    )
    reports = (
        tables[0]["measured_reports"].to_numpy(int).reshape(shape)
        if "measured_reports" in tables[0]
        else None
    )
    measured_sigma, measured_note = _measured(catalog, families, config.operating.temperature_c)
    position = {f: i for i, f in enumerate(families)}
    family_of_material = np.array([position.get(m, -1) for m in catalog.material_ids], np.intp)
    return FamilyConductivity(
        family_of_material,
        fams["x_min"].to_numpy(float),
        fams["x_max"].to_numpy(float),
        formulas,
        mean,
        robust_low,
        low,
        high,
        std,
        applicability,
        measured_sigma,
        measured_note,
        p_below,
        reports,
    )


MEASURED_WITHIN_C = 5.0  # measurements shown beside a prediction only this close to its temperature


def _measured(
    catalog: Catalog, families: list[str], temperature_c: float
) -> tuple[np.ndarray, list[list[str]]]:
    """Measured σ of family members (catalog family_measurements.csv) per (family, level)."""
    sigma = np.full((len(families), compositions.LEVELS), np.nan)
    notes = [[""] * compositions.LEVELS for _ in families]
    table = catalog.family_measurements
    if table.empty:
        return sigma, notes
    near = table[(table["temperature_c"] - temperature_c).abs() <= MEASURED_WITHIN_C]
    for i, fid in enumerate(families):
        fam = catalog.families.loc[fid]
        rows = near[near["family_id"] == fid]
        level = compositions.level_index(fam["x_min"], fam["x_max"], rows["x"].to_numpy(float))
        for k, group in rows.groupby(level):
            sigma[i, k] = float(group["sigma_s_per_cm"].median())
            notes[i][k] = "; ".join(
                f"{r.composition} {r.form}"
                + (f" {r.thickness_um} µm" if str(r.thickness_um) else "")
                + f" {r.sigma_s_per_cm:.3g} S/cm at {r.temperature_c:g} °C ({r.source})"
                for r in group.itertuples()
            )
    return sigma, notes
