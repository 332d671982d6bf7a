"""How a candidate's conductivity moves with its standardized draw z in `ssemo suggest`.

Every candidate gets one z per Monte-Carlo sample (joint across compositions, correlated by
composition distance: pipeline.study.compositions.joint_normal). What z means depends on where the
design's σ comes from:

- predicted by the surrogate: log10 σ = mean + std · z, the surrogate's predictive normal;
- a catalog material's own σ (surrogate.conductivity_source: catalog): the catalog's evidence law
  of its reference σ (pipeline.study.evidence_law, the law the plausible worlds draw from and robust
  mode reads its quantile from) at u = Φ(z). A Gaussian copula: the correlation between compositions
  is the z's, each marginal is its own law's. Until 2026-12-07 a catalog σ was drawn as a normal
  with the range read as ±2 sd (bounds) or ±0.674 sd (quartiles): a second reading of one range,
  which put PEO-LiTFSI's skewed quartiles symmetric about the median (44 % of draws below Q1,
  where the worlds and the data put 25 %) and let bounded ranges draw beyond their bounds;
- a catalog σ without a range: its value, every draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from pipeline.study.evidence_law import evidence_probability_of, evidence_quantiles_of

Z90 = float(ndtri(0.95))  # two-sided 90 % of a normal
SPREAD_POINTS = 2000  # midpoints of u on which a law's sd in decades is summed


@dataclass(frozen=True)
class SigmaDraws:
    """Per candidate: std (decades, the normal's, 0 for a law row) and, where by_law, the evidence
    row (law, one row per candidate) whose law its σ is drawn from."""

    std: np.ndarray
    law: pd.DataFrame | None = None
    by_law: np.ndarray | None = None

    @classmethod
    def of(cls, std: np.ndarray, law: pd.DataFrame | None, own: np.ndarray) -> SigmaDraws:
        """Draws by `std`, except candidates whose σ is the catalog's own (own) and whose law row
        has a range (low < high): those by the law. An own σ without a range stays at its value."""
        std = np.nan_to_num(np.asarray(std, float), nan=0.0)
        if law is None:
            return cls(std)
        law = law.reset_index(drop=True)
        low, high = (law[c].to_numpy(float) for c in ("low", "high"))
        value = law["value"].to_numpy(float)
        ranged = np.isfinite(value) & np.isfinite(low) & np.isfinite(high) & (high > low)
        own = np.asarray(own, bool)
        return cls(np.where(own, 0.0, std), law, own & ranged)

    def _rows(
        self, rows: np.ndarray, also: np.ndarray | bool = True
    ) -> tuple[np.ndarray, pd.DataFrame | None]:
        """Which of `rows` are drawn by their law (and `also`), and those rows' law rows."""
        if self.by_law is None or self.law is None:
            return np.zeros(len(rows), bool), None
        m = self.by_law[rows] & also
        return m, self.law.iloc[rows[m]]

    def shift(self, rows: np.ndarray, z_rows: np.ndarray) -> np.ndarray:
        """log10 σ − log10 σ used, per draw (z_rows: samples × len(rows))."""
        rows = np.asarray(rows)
        shift = self.std[rows][None, :] * z_rows
        m, law = self._rows(rows)
        if law is not None and m.any():
            drawn = evidence_quantiles_of(law, ndtr(z_rows[:, m]))
            shift[:, m] = np.log10(drawn / law["value"].to_numpy(float))
        return shift

    def z_at(self, ratio: np.ndarray, samples: int) -> np.ndarray:
        """Per candidate, the z at which its σ is ratio × the σ used (0 where no draw moves that
        σ, or the ratio is not a positive number), never beyond the 1/(2·samples) and
        1 − 1/(2·samples) quantiles: a value at an end of its law (Li3InCl6's 1e-3 S/cm at the low
        end of 1e-3–4e-3) has its CDF at 0, where bisection gives z = −7, and that believed z
        would drag every correlated neighbour's draws decades down; no draw of `samples` is
        expected beyond those quantiles."""
        ratio = np.asarray(ratio, float)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(self.std > 0, np.log10(ratio) / self.std, 0.0)
        m, law = self._rows(np.arange(len(ratio)), np.isfinite(ratio) & (ratio > 0))
        if law is not None and m.any():
            value = law["value"].to_numpy(float)
            z[m] = ndtri(evidence_probability_of(law, value * ratio[m]))
        end = ndtri(1.0 - 0.5 / samples)
        return np.clip(np.nan_to_num(z, nan=0.0, posinf=0.0, neginf=0.0), -end, end)

    def spread(self) -> np.ndarray:
        """Per candidate, the sd in decades of its log10 σ draws (the law's, summed on
        SPREAD_POINTS midpoints of u, where drawn by its law)."""
        spread = self.std.copy()
        m, law = self._rows(np.arange(len(spread)))
        if law is not None and m.any():
            u = (np.arange(SPREAD_POINTS) + 0.5)[:, None] / SPREAD_POINTS
            spread[m] = np.log10(evidence_quantiles_of(law, u)).std(axis=0)
        return spread

    def interval_factors(self) -> tuple[np.ndarray, np.ndarray]:
        """Per candidate, the 5 % and 95 % quantiles of σ over the σ used (the normal's
        10^(∓1.645 std), or the law's Q(0.05) / value and Q(0.95) / value)."""
        low, high = 10.0 ** (-Z90 * self.std), 10.0 ** (Z90 * self.std)
        m, law = self._rows(np.arange(len(self.std)))
        if law is not None and m.any():
            value = law["value"].to_numpy(float)
            low[m] = evidence_quantiles_of(law, 0.05) / value
            high[m] = evidence_quantiles_of(law, 0.95) / value
        return low, high
