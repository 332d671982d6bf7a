"""The law a catalog number's evidence range stands for (README, 'Plausible worlds'), as an inverse
CDF: plausible worlds draw from it (pipeline.study.plausible.draw_values) and robust mode reads its
lower quantile for the catalog's measured σ (pipeline.study.problem.material_conductivity), so both
mean the same by a range.

Per evidence grade:
- measured-primary, measured-secondary, derived: triangular on [low, high] with its mode at the
  value (a measurement is most likely where it was reported);
- assumption: uniform on [low, high] (an assumption has no preferred point inside its range);
- on a log scale where the range spans a decade or more (high/low ≥ 10 with low > 0);
- unknown stays unknown (NaN), a zero-width range stays its value.
"""

from __future__ import annotations

import numpy as np

TRIANGULAR_GRADES = ("measured-primary", "measured-secondary", "derived")
LOG_SPAN = 10.0  # high/low from which a range is drawn on a log scale


def evidence_quantiles(value, low, high, grade, u) -> np.ndarray:
    """The values at probabilities u (broadcast against the rows: u[..., row]) of each row's law
    (module docstring); a row without a range (unknown, or high ≤ low) keeps its value."""
    value, low, high = (np.asarray(x, dtype=float) for x in (value, low, high))
    u = np.asarray(u, dtype=float)
    known = np.isfinite(value) & np.isfinite(low) & np.isfinite(high) & (high > low)
    log = known & (low > 0) & (high >= LOG_SPAN * low)
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
