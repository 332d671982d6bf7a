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
- a range of kind 'quartiles' (catalog column range_kind: the 25th and 75th percentiles of a set
  of reported values, the value their median) is a split normal (two-piece normal, John,
  Commun. Stat. Theory Methods 11, 879 (1982)) on the same scale: its median at the value and its
  quartiles at low and high, one normal half on each side, so a quarter of the draws fall below low
  and a quarter above high (bounds drawn as above never leave [low, high]: read that way LLZO's
  interquartile range 3.6-9.4e-4 S/cm, of 23 doped garnet entries, gave a 10 % quantile of
  4.5e-4, where 2 of the 23 lie below 2.9e-4 and the split normal puts it at 2.35e-4). Draws beyond
  the lowest or highest reported value (catalog columns reported_min, reported_max) are set to it:
  a split normal through PEO-LiTFSI's skewed quartiles (7 entries, 9.4e-6-6.7e-5 S/cm) would
  otherwise reach 5e-3 S/cm at its 99th percentile, where the highest of them is 1.3e-4. Clipped,
  not truncated: truncation would move the law's median off the value (LLZO 5.3e-4 instead of
  5.8e-4) and its quartiles inward; the price is that the worlds beyond an end sit on it (LLZO and
  LAGP 11 %, PEO-LiTFSI 18 %, Li10GeP2S12 4 % at their highest reported values), about the share
  of entries reported near those ends (LLZO: 5 of 23 above 1.05e-3);
- unknown stays unknown (NaN), a zero-width range stays its value.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

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


# Φ⁻¹(0.75): a normal's quartiles lie this many standard deviations from its median
QUARTILE_Z = float(ndtri(0.75))


def evidence_quantiles(
    value, low, high, grade, quantity, u, kind=None, reported_min=None, reported_max=None
) -> np.ndarray:
    """The values at probabilities u (broadcast against the rows: u[..., row]) of each row's law
    (module docstring; quantity: the catalog property each row gives; kind: its range_kind, None
    for every row 'bounds'; reported_min/max: a quartiles row's lowest and highest reported
    values, where its tails stop (NaN or None: no stop)); a row without a range (unknown, or
    high ≤ low) keeps its value."""
    value, low, high = (np.asarray(x, dtype=float) for x in (value, low, high))
    u = np.asarray(u, dtype=float)
    quartiles = np.zeros(value.shape, bool) if kind is None else np.asarray(kind) == "quartiles"
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
        # split normal through the quartiles: its half below the median has sd (c − a)/z, above
        # (b − c)/z. A half whose quartile equals the median (tied values) says nothing of its
        # spread; it takes the other half's (an assumption; no shipped row has such a tie)
        below_half = np.where(c > a, c - a, b - c)
        above_half = np.where(b > c, b - c, c - a)
        # u strictly inside (0, 1): an open tail (no reported end) at u = 0 or 1 would be infinite
        z = ndtri(np.clip(u, 1e-12, 1.0 - 1e-12)) / QUARTILE_Z
        split_normal = c + z * np.where(u < 0.5, below_half, above_half)
        drawn = np.where(quartiles, split_normal, drawn)
        drawn = np.where(log, np.exp(drawn), drawn)
    # clipped, not truncated, to the reported values (module docstring); fmax/fmin skip NaN: a row
    # without its reported spread keeps the split normal's tails
    smallest, largest = (
        np.nan if x is None else np.asarray(x, float) for x in (reported_min, reported_max)
    )
    clipped = np.fmin(np.fmax(drawn, smallest), largest)
    drawn = np.where(quartiles, clipped, drawn)
    return np.where(known, drawn, value)


def evidence_quantiles_of(rows, u) -> np.ndarray:
    """evidence_quantiles of evidence rows as Catalog.evidence() or a long table gives them
    (value, low, high, grade, property, and range_kind, reported_min, reported_max where present)."""
    return evidence_quantiles(
        rows["value"],
        rows["low"],
        rows["high"],
        rows["grade"],
        rows["property"],
        u,
        rows.get("range_kind"),
        rows.get("reported_min"),
        rows.get("reported_max"),
    )


def evidence_probability_of(rows, x, halvings: int = 60) -> np.ndarray:
    """The probability at which each row's law reaches x (its CDF at x, in (0, 1)): the inverse of
    evidence_quantiles_of, which suggest uses to find the draw a believed σ stands for.

    By bisection on u (60 halvings: u to 1e-18), not a closed-form CDF per grade: the law has one
    definition, its inverse CDF above, and a second formula for each of its branches would have to
    be kept in step with it. Where the law is flat (a clipped tail, a row without a range) the
    lowest u that reaches x is not guaranteed, only some u in the flat part."""
    x = np.asarray(x, dtype=float)
    lo = np.full(np.broadcast(x, np.asarray(rows["value"], float)).shape, 1e-12)
    hi = np.full(lo.shape, 1.0 - 1e-12)
    for _ in range(halvings):
        mid = 0.5 * (lo + hi)
        below = evidence_quantiles_of(rows, mid) < x
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return 0.5 * (lo + hi)
