"""The optimization problem: decoded designs -> objectives F and constraints G, whole population at once.

Everything is minimized (pymoo's convention): thickness, total ASR (or its upper quantile in robust
mode), −strength, −manufacturability, optionally −energy density. Constraints are normalized by their
limits so a design is feasible when every G ≤ 0 (e.g. g = ASR/ASR_max − 1). A constraint that cannot be
evaluated (a material without a reported strength or CCD) counts as violated (G = 1) under
constraints.unknown = "infeasible", or as met (G = 0) under "ignore"; either way the front table says so.

Surrogate in the loop: per catalog material with a formula, the registered conductivity surrogate gives
log10 σ at the operating (and coldest) temperature with its std and an applicability score. With
surrogate.conductivity_source = "catalog" the literature σ is kept; "surrogate" uses the surrogate's
mean. Robust mode takes the bulk ASR at its q quantile over the uncertainty of the σ each design uses:
the surrogate's predictive spread where σ is predicted, the catalog's evidence range where σ is the
catalog's (robust_factors). Out-of-domain materials are flagged, and penalized (G = 1) if
surrogate.penalize_out_of_domain.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy.stats import norm

from objectives.constants import ZERO_CELSIUS_K
from pipeline.study.catalog import Catalog
from pipeline.study.config import StudyConfig
from pipeline.study.constraints import CONSTRAINTS, active_constraints, constraint_values
from pipeline.study.evaluation import Evaluator, sigma_at_temperature_s_per_cm
from pipeline.study.evidence_law import evidence_quantiles_of
from pipeline.study.predicted import predict_families
from pipeline.study.registry import G_CLIP, OBJECTIVES, computed_columns
from pipeline.study.space import DesignSpace, build_space, study_catalog


@dataclass(frozen=True)
class MaterialConductivity:
    """Per catalog material: σ used at each temperature, surrogate log10 std and applicability."""

    sigma_operating_s_per_cm: np.ndarray
    sigma_cold_s_per_cm: np.ndarray | None
    log10_std: np.ndarray  # NaN where no surrogate prediction exists
    applicability: np.ndarray  # NaN where no surrogate prediction exists
    in_domain: np.ndarray  # True where no surrogate prediction exists (nothing to flag)
    # calibrated P(below the detection limit) (issue 26); 0 where no surrogate prediction exists
    p_below_detection: np.ndarray | None = None
    # robust mode: σ used / σ at its (1 − robust_quantile) quantile (robust_factors); 1 otherwise
    robust_factor: np.ndarray = field(default_factory=lambda: np.ones(0))
    # where the σ used is the surrogate's prediction (conductivity_source: surrogate)
    sigma_predicted: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))


def material_conductivity(
    catalog: Catalog, config: StudyConfig, surrogate=None
) -> MaterialConductivity:
    temps_c = [config.operating.temperature_c]
    window = config.constraints.temperature_window_c
    if window:
        temps_c.append(float(window[0]))  # σ rises with T for every law here: the cold end binds
    n = len(catalog.material_ids)
    sigmas = [sigma_at_temperature_s_per_cm(catalog, t + ZERO_CELSIUS_K) for t in temps_c]
    std = np.full(n, np.nan)
    score = np.full(n, np.nan)
    p_below = np.zeros(n)
    formulas = catalog.materials["formula"].fillna("").to_numpy()
    rows = np.flatnonzero(formulas != "")
    if surrogate is not None and len(rows):
        for k, t in enumerate(temps_c):
            query = pd.DataFrame(
                {"composition": formulas[rows], "temperature_k": t + ZERO_CELSIUS_K}
            )
            table = surrogate.predict_table(query)
            if k == 0:
                std[rows] = table["log10_sigma_std"].to_numpy()
                score[rows] = table["applicability"].to_numpy()
                if "p_below_detection" in table:
                    p_below[rows] = table["p_below_detection"].to_numpy(float)
            if config.surrogate.conductivity_source == "surrogate":
                sigmas[k][rows] = 10.0 ** table["log10_sigma_mean"].to_numpy()
    threshold = getattr(getattr(surrogate, "domain_", None), "threshold", 0.05)
    in_domain = np.where(np.isnan(score), True, score >= threshold)
    predicted = np.zeros(n, dtype=bool)
    if surrogate is not None and config.surrogate.conductivity_source == "surrogate":
        predicted[rows] = True
    return MaterialConductivity(
        sigmas[0],
        sigmas[1] if window else None,
        std,
        score,
        in_domain,
        p_below,
        robust_factors(catalog, config, std, predicted),
        predicted,
    )


def robust_factors(
    catalog: Catalog,
    config: StudyConfig,
    std: np.ndarray,
    predicted: np.ndarray,
    fixed: np.ndarray | None = None,
) -> np.ndarray:
    """Per catalog material, robust mode's factor on the bulk ASR: the dense σ a design uses over
    that σ at its (1 − q) quantile, q = surrogate.robust_quantile (1 outside robust mode). It covers
    the material's σ (σ_ref) only: the process's conductivity factor, the reference temperature and
    Ea stay at their values (the plausible worlds draw those too).

    - σ predicted by the surrogate (predicted): 10^(z_q · its log10 std);
    - σ from the catalog: the lower quantile of the catalog's own evidence range, by the law the
      plausible worlds draw from (pipeline.study.evidence_law). The surrogate's spread says how
      well it predicts an unmeasured composition, not how well a measurement is known: applied to
      LLZO's measured σ it put its bulk ASR ×5 (s = 0.54 at 90 %), against ×2.47 from its range
      (the interquartile range of 23 doped garnet entries of McHaffie 2025, range_kind quartiles,
      read through its quartiles; ×1.33 while 29 entries' range was read as the whole range:
      README, 'Robust mode', says what the factor still leaves out);
    - a composite (effective medium of a matrix and a filler): the larger of its two phases'
      factors, each as above. Bruggeman and Maxwell-Garnett are homogeneous of degree 1 in the
      phases' σ, and increasing in each, so with both phases at their (1 − q) quantiles σ_eff
      falls by at most that factor (a bound, on the cautious side: the phases need not be at their
      low ends together);
    - fixed (a σ already set to one value of its range: a plausible world's draw, or the screening
      of one value at an end of its range): 1, else its uncertainty would count twice;
    - no σ range known (an unknown σ leaves the ASR unknown anyway): 1; and never below 1 (a
      value at the low end of its range, Li3InCl6's 1e-3 in 1e-3 to 4e-3 S/cm, would put the
      quantile above it): the robust ASR is never more optimistic than the nominal one.
    """
    n = len(catalog.material_ids)
    if not config.surrogate.robust:
        return np.ones(n)
    q = config.surrogate.robust_quantile
    factor = np.ones(n)
    columns, positions = catalog.material_property_positions(("sigma_ref_s_per_cm",))
    if columns:
        at = positions[:, 0]
        has = at >= 0
        table = catalog.material_properties.iloc[at[has]]
        value = table["value"].to_numpy(float)
        low = evidence_quantiles_of(table, 1.0 - q)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = value / low
        factor[has] = np.where(np.isfinite(ratio) & (ratio >= 1.0), ratio, 1.0)
    surrogate_std = np.nan_to_num(std, nan=0.0)
    factor = np.where(predicted, 10.0 ** (float(norm.ppf(q)) * surrogate_std), factor)
    if fixed is not None:
        factor = np.where(fixed, 1.0, factor)
    ids = {m: i for i, m in enumerate(catalog.material_ids)}
    law = catalog.materials["temperature_law"].to_numpy()
    for i in np.flatnonzero(law == "composite"):
        row = catalog.materials.iloc[i]
        phases = [ids[x] for x in (row["matrix_id"], row["filler_id"]) if x in ids]
        factor[i] = max((factor[j] for j in phases), default=1.0)
    return factor


class StudyModel:
    """Vectorized F, G and every intermediate for populations of encoded designs."""

    def __init__(
        self,
        catalog: Catalog,
        config: StudyConfig,
        surrogate=None,
        space: DesignSpace | None = None,
    ):
        catalog = study_catalog(catalog, config)  # plus the composition families it searches
        self.catalog = catalog
        self.config = config
        self.space = space or build_space(catalog, config)
        self.conductivity = material_conductivity(catalog, config, surrogate)
        window = config.constraints.temperature_window_c
        temps_c = [config.operating.temperature_c, *([float(window[0])] if window else [])]
        self.families_sigma = predict_families(catalog, config, surrogate, temps_c)
        self.domain_threshold = float(
            getattr(getattr(surrogate, "domain_", None), "threshold", 0.05)
        )
        self.evaluator = Evaluator(
            catalog, config, material_sigma_s_per_cm=self.conductivity.sigma_operating_s_per_cm
        )
        window = config.constraints.temperature_window_c
        self.cold = (
            Evaluator(
                catalog,
                config,
                temperature_c=float(window[0]),
                material_sigma_s_per_cm=self.conductivity.sigma_cold_s_per_cm,
            )
            if window
            else None
        )
        self.objectives = tuple(config.objectives)
        self.constraint_names = active_constraints(config)
        self.families = catalog.materials["family"].to_numpy()
        self.search_columns = self._search_columns()

    # the two parts the robust ASR and the cold ASR add up (evaluate)
    _ASR_PARTS = ("bulk_asr_ohm_cm2", "interface_asr_ohm_cm2")

    def _search_columns(self) -> tuple[str, ...]:
        """What F and G read of the evaluator's columns: the objectives' own or their inputs, the
        ASR parts, and the constraints the evaluator computes (found on one probe design)."""
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            probe = self.evaluator(self.space.decode(np.full((1, self.space.n_var), 0.5)))
        names = [c for name in self.objectives for c in OBJECTIVES[name].evaluated_columns]
        names += [*self._ASR_PARTS, *(c for c in CONSTRAINTS if c in probe)]
        return tuple(dict.fromkeys(names))

    @property
    def n_obj(self) -> int:
        return len(self.objectives)

    @property
    def n_constr(self) -> int:
        return len(self.constraint_names)

    def _predicted(self, batch, n: int) -> dict[str, np.ndarray]:
        """Per design: the family member's predicted σ at each temperature, std, applicability,
        interval and robust factor (NaN / catalog values for catalog materials)."""
        fam = self.families_sigma
        std = self.conductivity.log10_std[batch.material].copy()
        applicability = self.conductivity.applicability[batch.material].copy()
        in_domain = self.conductivity.in_domain[batch.material].copy()
        own_p = self.conductivity.p_below_detection
        p_below = own_p[batch.material].copy() if own_p is not None else np.zeros(n)
        factor = self.conductivity.robust_factor[batch.material].copy()
        predicted = np.zeros(n, dtype=bool)
        n_temps = 1 + (self.cold is not None)
        sigma = np.full((n_temps, n), np.nan)
        low, high = np.full(n, np.nan), np.full(n, np.nan)
        if fam is not None:
            rows, f, k = fam.locate(batch.material, batch.dopant_level)
            predicted[rows] = True
            sigma[:, rows] = 10.0 ** fam.log10_mean[:n_temps, f, k]
            low[rows] = 10.0 ** fam.log10_low[0, f, k]
            high[rows] = 10.0 ** fam.log10_high[0, f, k]
            std[rows] = fam.log10_std[f, k]
            applicability[rows] = fam.applicability[f, k]
            in_domain[rows] = fam.applicability[f, k] >= self.domain_threshold
            p_below[rows] = (
                fam.p_below_detection[f, k] if fam.p_below_detection is not None else 0.0
            )
            factor[rows] = 10.0 ** (fam.log10_mean[0, f, k] - fam.log10_robust_low[0, f, k])
        penalize = self.config.surrogate.penalize_out_of_domain
        return {
            "sigma": sigma,
            "factor": factor,
            "surrogate_log10_std": std,
            "applicability": applicability,
            "in_domain": in_domain,
            # outside the domain is penalized for every predicted composition, and for catalog
            # materials when surrogate.penalize_out_of_domain asks
            "domain_violation": ~in_domain & (predicted | penalize),
            "sigma_predicted": predicted,
            "sigma_p05_s_per_cm": low,
            "sigma_p95_s_per_cm": high,
            "p_below_detection": p_below,
        }

    def evaluate(
        self,
        X: np.ndarray,
        log10_sigma_shift: np.ndarray | None = None,
        world: np.ndarray | None = None,
        every_column: bool = True,
    ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """F, G and every intermediate (every_column=False: only the columns F and G read,
        search_columns, for callers that keep F and G alone). log10_sigma_shift (per design, decades): evaluate as if the
        dense conductivity were 10**shift times its value here (a draw from the surrogate's
        predictive distribution, pipeline.campaign.suggest); None: as searched. world (per design):
        the plausible world to evaluate it in, for a model whose evaluators are stacked over
        worlds (pipeline.study.plausible.stacked_model); None: the model's own."""
        batch = self.space.decode(X)
        if world is not None:
            batch = replace(batch, world=np.asarray(world, dtype=np.intp))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            p = self._predicted(batch, len(batch))
            sigma, factor = p.pop("sigma"), p.pop("factor")
            shifted = log10_sigma_shift is not None
            if shifted:
                sigma = self._shifted_sigma(batch, sigma, np.asarray(log10_sigma_shift, float))
                # a draw is one realization of σ: the robust quantile would count its
                # uncertainty a second time (robust ASR = ASR of the draw; a plausible world's
                # model has factor 1 already, plausible.model_with)
                factor = np.ones_like(factor)
            if self.families_sigma is not None or shifted:
                batch = replace(batch, sigma_override_s_per_cm=sigma[0])
            columns = None if every_column else self.search_columns
            out = self.evaluator(batch, columns=columns)
            out.update(p)
            out["robust_asr_ohm_cm2"] = (
                out["bulk_asr_ohm_cm2"] * factor + out["interface_asr_ohm_cm2"]
            )
            if self.cold is not None:
                if self.families_sigma is not None or shifted:
                    batch = replace(batch, sigma_override_s_per_cm=sigma[1])
                cold = self.cold(batch, columns=None if every_column else self._ASR_PARTS)
                out["total_asr_cold_ohm_cm2"] = (
                    cold["bulk_asr_ohm_cm2"] * factor + cold["interface_asr_ohm_cm2"]
                )
            out.update(constraint_values(out, self.config))
            F = np.empty((len(batch), self.n_obj))
            for j, name in enumerate(self.objectives):
                objective = OBJECTIVES[name]
                if name not in out:
                    out[name] = objective.column(out, self.config)
                F[:, j] = objective.minimized(out, self.config)
            G = np.empty((len(batch), self.n_constr))
            unknown_value = 1.0 if self.config.constraints.unknown == "infeasible" else 0.0
            unknown = np.zeros(len(batch), dtype=bool)
            for j, name in enumerate(self.constraint_names):
                g = out[name]
                missing = np.isnan(g)
                unknown |= missing
                G[:, j] = np.clip(np.where(missing, unknown_value, g), -G_CLIP, G_CLIP)
        out["constraints_unknown"] = unknown
        out["feasible"] = np.all(G <= 0.0, axis=1)
        out["option"] = self.space.option_of(X).astype(float)
        return F, G, out

    def _shifted_sigma(self, batch, sigma: np.ndarray, shift: np.ndarray) -> np.ndarray:
        """Per temperature and design: the dense σ (a family member's prediction, else the
        material's own at that evaluator) times 10**shift."""
        evaluators = [self.evaluator, *([self.cold] if self.cold is not None else [])]
        out = np.empty((len(evaluators), len(batch)))
        for k, ev in enumerate(evaluators):
            material = ev.indices(batch)[0]  # in a stacked evaluator, the world's own tables
            own = ev.sigma_dense_s_per_cm(material, batch.filler_fraction)
            out[k] = np.where(np.isnan(sigma[k]), own, sigma[k]) * 10.0**shift
        return out

    def compositions(self, batch) -> np.ndarray:
        """Per design: the catalog formula, or the family member's formula at its level."""
        formulas = self.catalog.materials["formula"].fillna("").to_numpy(object)[batch.material]
        fam = self.families_sigma
        if fam is not None:
            rows, f, k = fam.locate(batch.material, batch.dopant_level)
            formulas[rows] = [fam.formulas[i][j] for i, j in zip(f, k, strict=True)]
        return formulas

    def table(self, X: np.ndarray) -> pd.DataFrame:
        """Decoded designs with every objective, constraint and intermediate (units in the names)."""
        _, G, out = self.evaluate(X)
        out.update(computed_columns(out, self.config))
        batch = self.space.decode(X)
        cat = self.catalog
        frame = pd.DataFrame(
            {
                "material": np.array(cat.material_ids)[batch.material],
                "family": self.families[batch.material],
                "process": np.array(cat.process_ids)[batch.process],
                "coating": np.array(cat.coating_ids)[batch.coating],
                "thickness_um": batch.thickness_um,
                "relative_density": batch.relative_density,
                "filler_fraction": batch.filler_fraction,
            }
        )
        fam = self.families_sigma
        if fam is not None:
            frame["dopant_level"] = batch.dopant_level
            frame["composition"] = self.compositions(batch)
            # measured beside predicted: the literature's pellets and membranes of that member
            rows, f, k = fam.locate(batch.material, batch.dopant_level)
            measured = np.full(len(frame), np.nan)
            measured[rows] = fam.measured_sigma[f, k]
            notes = np.full(len(frame), "", dtype=object)
            notes[rows] = [fam.measured_note[i][j] for i, j in zip(f, k, strict=True)]
            frame["sigma_measured_s_per_cm"] = measured
            frame["measured"] = notes
            if fam.literature_reports is not None:
                reports = np.zeros(len(frame), dtype=int)
                reports[rows] = fam.literature_reports[f, k]
                frame["sigma_literature_reports"] = reports
        for key, values in out.items():
            if key not in frame:
                frame[key] = values
        frame["feasible"] = out["feasible"]
        for j, name in enumerate(self.constraint_names):
            frame[f"G_{name}"] = G[:, j]
        for j, column in enumerate(self.space.x_columns):
            frame[column] = X[:, j]
        return frame
