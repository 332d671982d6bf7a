"""The law a catalog number's evidence range stands for (README, 'Plausible worlds'), as an inverse
CDF: plausible worlds draw from it (pipeline.study.plausible.draw_values) and robust mode reads its
lower quantile for the catalog's measured σ (pipeline.study.problem.robust_factors), so both
mean the same by a range.

Per evidence grade:
- measured-primary, measured-secondary, derived: triangular on [low, high] with its mode at the
  value (a measurement is most likely where it was reported);
- assumption: uniform on [low, high] (an assumption has no preferred point inside its range);
- on a log scale where the quantity scatters multiplicatively (MULTIPLICATIVE_PROPERTIES:
  conductivities, interfacial resistances, conductivity factors, critical current densities, and
  the sizes of defects, particles and interphases; most of their catalog ranges are ×/÷ factors
  about a value), and for any quantity where the range spans a decade or more (high/low ≥ 10),
  always with low > 0. An interface range that is growth over time (R0 to R at 100 h) is read the
  same way, as scatter: its median world lies nearer R0 on a log scale. Before 2026-12-07 only the
  span decided, so a "×/÷3 about one value" σ range (high/low = 9) was drawn linearly: a triangle on
  [v/3, 3v] has its median at 1.37 v, an optimistic bias in every plausible world's σ;
- unknown stays unknown (NaN), a zero-width range stays its value.
"""

from __future__ import annotations

import numpy as np

TRIANGULAR_GRADES = ("measured-primary", "measured-secondary", "derived")
LOG_SPAN = 10.0  # high/low from which any range is drawn on a log scale
MULTIPLICATIVE_PROPERTIES = (
    "sigma_ref_s_per_cm",
    "interfacial_resistance_ohm_cm2",
    "membrane_conductivity_factor",
    "ccd_ma_per_cm2",
    "defect_size_um",
    "particle_radius_nm",
    "interphase_thickness_nm",
)


def evidence_quantiles(value, low, high, grade, quantity, u) -> np.ndarray:
    """The values at probabilities u (broadcast against the rows: u[..., row]) of each row's law
    (module docstring; quantity: the catalog property each row gives); a row without a range
    (unknown, or high ≤ low) keeps its value."""
    value, low, high = (np.asarray(x, dtype=float) for x in (value, low, high))
    u = np.asarray(u, dtype=float)
    known = np.isfinite(value) & np.isfinite(low) & np.isfinite(high) & (high > low)
    multiplicative = np.isin(np.asarray(quantity), MULTIPLICATIVE_PROPERTIES)
    log = known & (low > 0) & (multiplicative | (high >= LOG_SPAN * low))
    # np.where evaluates both branches: the log and exp of rows on a linear scale are discarded
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        a = np.where(log, np.log(low), low)
        b = np.where(log, np.log(high), high)
        c = np.where(log, np.log(value), value)
        triangular = np.isin(np.asarray(grade), TRIANGULAR_GRADES)
        # inverse CDF of the triangular distribution (a, c, b); uniform otherwise
        split = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1.0 - u) * (b - a) * (b - c))
        tri = np.where(u < split, left, right)
        uniform = a + u * (b - a)
        drawn = np.where(triangular, tri, uniform)
        drawn = np.where(log, np.exp(drawn), drawn)
    return np.where(known, drawn, value)
