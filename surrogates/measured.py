"""A composition's own measurements: where training saw it, they, not the composition model, give σ.

Two shapes (ConductivitySurrogate.fit builds them, _predict_all uses them):

- a *series*: rows over ≥ `min_arrhenius_span_k` of temperature. Its σT Arrhenius line
  (Famprikis et al., Nat. Mater. 2019), fitted by weighted least squares, gives σ at any temperature;
- a *point*: rows at one temperature (or a span too short for a slope). Its σ at the reference
  temperature is the reports' weighted mean, moved along the Arrhenius line with the model's Ea.

Each training row may stand for several literature reports merged at one temperature
(surrogates.datasets.merge_duplicates: `n_reports` distinct values, `log10_sigma_repeat_sd`
their scatter). A row is weighted by its reports, as the fit over every report would weigh it (the
merged value is their median, not their mean: an approximation), and their scatter enters the
per-report scatter s, estimated from all reports: (within-row sum of squares + weighted residual
sum of squares) / degrees of freedom (N − 2 for a line through N reports, N − 1 for a point).

What a prediction's std means: where a new laboratory's value falls, so it is the predictive
spread of one new report, s_post·√(1 + leverage), with leverage 1/N + (x − x̄)²/Sxx for a line in
x = 1/T (1/N for a point, plus the Ea term moving it off its temperature). s_post pools the
composition's own s with the literature's per-report scatter s0 as a prior worth PRIOR_DOF degrees
of freedom, s_post² = (dof·s² + ν0·s0²) / (dof + ν0) (the conjugate normal model's posterior
variance, Gelman et al., Bayesian Data Analysis, 3rd ed., §3.3, used as a plug-in: no Student-t
widening on top, as s0 is pooled over the literature, not guessed). s0 comes from noise_floor, the
0.9 decades by which a repeat report lies off the median of its composition's m other reports
(benchmarks/surrogate.py, repeat_noise_floor): that difference has s0·√(1 + 1/m) of spread, and
over the OBELiX training split's repeat rows (37 pairs, 9 triples, 3 groups of four, 6 of five,
counted 2026-12-08) the row-weighted mean of 1 + 1/m is 1.69, so s0 = 0.9 / 1.3. Consequences: a
composition reported once predicts a new report within 0.98 decades (std, 0.9·√2 / 1.3), about as the literature's
repeats do; one whose reports agree tightly gets a narrower band, one whose reports scatter a
wider one.

The model's calibrated spread at the composition (the regressor's conformal std at its distance
bin, out-of-fold errors of unseen compositions) is a second estimate of where a new report falls,
and near a doping series it is the narrower one: a series measured in one paper lies on a smooth
trend (grouped-CV neighbours of make run's model: std about 0.5). s0 is the narrower of the two,
min(0.9 / 1.3, model std / √2), so that a composition reported once is never less certain than
the model would be about it unmeasured. (Found in the composition_families study: with the
literature's s0 alone, Li6.55Ga0.15La3Zr2O12, reported once at 10^−2.69, got std 0.98 beside its
unmeasured neighbour Ga0.148 at 10^−2.87 ± 0.50, and a robust search prefers the neighbour.)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from objectives.constants import BOLTZMANN_EV_PER_K

LN10_K_EV = BOLTZMANN_EV_PER_K * math.log(10.0)
# The literature-wide repeat scatter counts as this many degrees of freedom of a composition's own
# scatter (an assumption: about what five reports of one composition would tell).
PRIOR_DOF = 4.0
# noise_floor (a report against its composition's other reports) over one report's own scatter:
# √(row-weighted mean of 1 + 1/m) over OBELiX's repeat groups (module docstring)
REPEAT_TO_REPORT = 1.3
SERIES_FIELDS = ("activation_energy_ev", "log10_sigma_ref", "scatter", "reports", "x_mean", "sxx")
POINT_FIELDS = ("log10_sigma_ref", "temperature_k", "scatter", "reports", "activation_energy_ev")


def arrhenius_shift(temperature_k, reference_temperature_k: float, activation_energy_ev):
    """log10 σ(T) − log10 σ(T_ref) in the σT Arrhenius form (dimensionless)."""
    t = np.asarray(temperature_k, dtype=float)
    return np.log10(reference_temperature_k / t) - np.asarray(
        activation_energy_ev, dtype=float
    ) / LN10_K_EV * (1.0 / t - 1.0 / reference_temperature_k)


def fit_arrhenius(
    temperature_k: np.ndarray, log10_sigma: np.ndarray, weights: np.ndarray | None = None
) -> tuple[float, float]:
    """(Weighted) least-squares σT Arrhenius line log10(σT) = c − Ea/(k_B ln 10) · (1/T);
    returns (Ea [eV], c). weights: reports per row (numpy's polyfit takes their square root)."""
    x = 1.0 / temperature_k
    yy = log10_sigma + np.log10(temperature_k)
    w = None if weights is None else np.sqrt(np.asarray(weights, dtype=float))
    slope, intercept = np.polyfit(x, yy, 1, w=w)
    return float(-slope * LN10_K_EV), float(intercept)


def report_weights(X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the reports it stands for (1 where unknown, e.g. a lab measurement appended after
    the merge) and their within-row sum of squares (n − 1)·sd² (0 where unknown)."""
    ones = np.ones(len(X))
    n = pd.to_numeric(X["n_reports"], errors="coerce").to_numpy(float) if "n_reports" in X else ones
    n = np.where(np.isfinite(n) & (n >= 1.0), n, 1.0)
    if "log10_sigma_repeat_sd" not in X:
        return n, np.zeros(len(X))
    sd = pd.to_numeric(X["log10_sigma_repeat_sd"], errors="coerce").to_numpy(float)
    return n, np.where(np.isfinite(sd) & (sd >= 0.0), (n - 1.0) * sd**2, 0.0)


def fit_series(
    temperature_k: np.ndarray,
    log10_sigma: np.ndarray,
    reports: np.ndarray,
    within_ss: np.ndarray,
    reference_temperature_k: float,
) -> tuple[float, list[float]]:
    """A composition's Arrhenius line through its rows, weighted by reports: (Ea, SERIES_FIELDS)."""
    ea, intercept = fit_arrhenius(temperature_k, log10_sigma, reports)
    t_ref = reference_temperature_k
    log_ref = intercept - math.log10(t_ref) - ea / (LN10_K_EV * t_ref)
    resid = log10_sigma - (log_ref + arrhenius_shift(temperature_k, t_ref, ea))
    total = float(reports.sum())
    x = 1.0 / temperature_k
    x_mean = float(np.sum(reports * x) / total)
    scatter = _scatter(float(within_ss.sum() + np.sum(reports * resid**2)), total - 2.0)
    sxx = float(np.sum(reports * (x - x_mean) ** 2))
    return ea, [float(ea), float(log_ref), scatter, total, x_mean, sxx]


def fit_point(
    temperature_k: np.ndarray,
    log10_sigma_ref: np.ndarray,
    reports: np.ndarray,
    within_ss: np.ndarray,
    activation_energy_ev: float,
) -> list[float]:
    """A composition measured at one temperature: its reports' weighted mean at the reference
    temperature (rows already moved there with activation_energy_ev), POINT_FIELDS."""
    total = float(reports.sum())
    mean = float(np.sum(reports * log10_sigma_ref) / total)
    scatter = _scatter(
        float(within_ss.sum() + np.sum(reports * (log10_sigma_ref - mean) ** 2)), total - 1.0
    )
    t0 = float(np.sum(reports * temperature_k) / total)
    return [mean, t0, scatter, total, float(activation_energy_ev)]


def _scatter(sum_of_squares: float, dof: float) -> float:
    return math.sqrt(sum_of_squares / dof) if dof > 0 else 0.0


def posterior_scatter(scatter: float, dof: float, prior_report_std: float, min_std: float) -> float:
    """s_post, one report's scatter (module docstring): the composition's own, `dof` degrees of
    freedom, pooled with the prior prior_report_std worth PRIOR_DOF (0: no prior)."""
    dof = max(dof, 0.0)
    prior = PRIOR_DOF if prior_report_std > 0 else 0.0
    if dof + prior <= 0:  # no scatter known at all (floor switched off, one report)
        return min_std
    s_post = math.sqrt((dof * scatter**2 + prior * prior_report_std**2) / (dof + prior))
    return max(s_post, min_std)


def prior_report_std(literature_floor: float, model_std: float) -> float:
    """One report's scatter before a composition's own reports speak: the narrower of the
    literature's (literature_floor / REPEAT_TO_REPORT) and the model's calibrated spread at the
    composition read as a new report's given one (model_std / √2). Module docstring."""
    return min(literature_floor / REPEAT_TO_REPORT, model_std / math.sqrt(2.0))
