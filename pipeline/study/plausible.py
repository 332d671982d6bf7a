"""Plausible worlds of the catalog: every known number drawn from its evidence range at once (one
draw per catalog entry, shared by every design that uses it), a catalog with those numbers, and a
study model that reads it. The report (pipeline/reporting/worlds.py, decisive.py) and the search over
worlds (pipeline/study/robust.py) share these.

The draw per evidence grade: pipeline.study.evidence_law (README, 'Plausible worlds').
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.stats import qmc

from objectives.constants import ZERO_CELSIUS_K
from pipeline.study.catalog import Catalog
from pipeline.study.catalog.schema import MATERIAL_PROPERTIES
from pipeline.study.compositions import correlation_of, fraction_vectors, joint_normal
from pipeline.study.evaluation import Evaluator, sigma_at_temperature_s_per_cm
from pipeline.study.evidence_law import evidence_quantiles_of

# the long tables in Catalog.evidence() order: (attribute, id column)
LONG_TABLES = (
    ("material_properties", "material_id"),
    ("process_properties", "process_id"),
    ("coating_properties", "coating_id"),
    ("cathode_interfaces", "cathode_coating"),
    ("short_circuit", "mechanism"),
)


# (derived property, property it is fitted from): a material's row of the first, an interquartile
# range computed from the same reported values as its row of the second, is drawn with u = 1 − the
# second's (comonotone, decreasing). PEO-LiTFSI's VFT B is the two-point fit through its σ_ref's
# 25 °C values with σ at 80 °C fixed, B = ln(σ80/σ25) / (1/(T25 − T0) − 1/(T80 − T0)), decreasing
# and affine in ln σ25, so B's split normal is the image of σ_ref's and this draw keeps σ at 80 °C
# at its fitted 1.03e-3 S/cm in every world; drawn apart, σ at 80 °C ranged from 1.4e-4 to 7.3e-3
# S/cm at the quartile pairs and 6e-6 to 0.17 S/cm at the reported ends (found by a review). What
# it leaves out: the 80 °C values' own scatter (0.55 decade over their 6 entries)
FITTED_FROM = (("vft_pseudo_activation_k", "sigma_ref_s_per_cm"),)


def draw_values(evidence: pd.DataFrame, n_worlds: int, seed: int) -> np.ndarray:
    """Matrix [world, evidence row] of drawn values (module docstring); NaN where unknown."""
    # one draw per entry and world, whatever its law, by Latin hypercube: each entry's n_worlds
    # draws fill its n_worlds quantile strata once (independent permutations across entries), so a
    # value that decides every design (an interface all of them share) is represented by its exact
    # distribution rather than by one random sample of it; with plain random draws, 64 worlds put
    # P(feasible) of the default front at 0.21 against 0.37 in 200 others (bench-uncertainty)
    u = qmc.LatinHypercube(d=max(len(evidence), 1), seed=np.random.default_rng(seed)).random(
        n_worlds
    )[:, : len(evidence)]
    return evidence_quantiles_of(evidence, fitted_together(evidence, u))


def fitted_together(evidence: pd.DataFrame, u: np.ndarray) -> np.ndarray:
    """u with each FITTED_FROM row's column set to 1 − its source row's (same material, both
    interquartile ranges; other rows keep their own draws)."""
    if not {"table", "item", "property", "range_kind"} <= set(evidence.columns):
        return u  # rows without their catalog identity (a bare long table): nothing to pair
    u = u.copy()
    rows = evidence.reset_index(drop=True)
    quartiles = (rows["table"] == "material") & (rows["range_kind"] == "quartiles")
    for derived, source in FITTED_FROM:
        sources = {
            rows.at[j, "item"]: j for j in np.flatnonzero(quartiles & (rows["property"] == source))
        }
        for i in np.flatnonzero(quartiles & (rows["property"] == derived)):
            j = sources.get(rows.at[i, "item"])
            if j is not None:
                u[:, i] = 1.0 - u[:, j]
    return u


def catalog_with(catalog: Catalog, values: np.ndarray) -> Catalog:
    """The catalog with every evidence row's number replaced (values in Catalog.evidence() order);
    a composition family's copy of a material follows its parent, as decisive._at does."""
    parts: dict[str, pd.DataFrame] = {}
    start = 0
    for name, _ in LONG_TABLES:
        table = getattr(catalog, name)
        parts[name] = table.assign(value=values[start : start + len(table)])
        start += len(table)
    return with_long_tables(catalog, parts)


def with_long_tables(catalog: Catalog, tables: dict[str, pd.DataFrame]) -> Catalog:
    """The catalog with these long tables, which hold its own rows with other numbers (drawn
    worlds, ingested measurements): the materials' wide columns are gathered again from
    material_properties by row position (a composition family's copy of a material follows its
    parent), and the structural look-ups, which read no number, are shared with `catalog` (a
    pivot and the look-ups per world were most of a world's cost, measured)."""
    for name, _ in LONG_TABLES:
        if not tables[name].index.equals(getattr(catalog, name).index):
            raise ValueError(f"with_long_tables: {name} must keep the catalog's rows")
    columns, positions = catalog.material_property_positions(tuple(MATERIAL_PROPERTIES))
    numbers = tables["material_properties"]["value"].to_numpy(dtype=float)
    materials = catalog.materials.copy()
    materials[columns] = np.where(positions >= 0, numbers[positions], np.nan)
    return replace(catalog, materials=materials, **tables).share_structure(catalog)


def model_with(model, catalog: Catalog, fixed_sigma: str = "none"):
    """A shallow copy of a StudyModel whose evaluators read `catalog`. The dense σ the model uses
    per material is scaled by the catalog law's change at each temperature, so a surrogate's σ
    (conductivity_source: surrogate) and family members' predictions stay as they were.
    fixed_sigma: which σ_ref `catalog` sets to one drawn or chosen value ("all": a plausible world;
    "moved": those it changed; "none"), where robust mode takes no quantile (_robust_factors_in)."""
    moved = copy.copy(model)
    moved.catalog = catalog
    config = model.config
    surrogate_sigma = config.surrogate.conductivity_source == "surrogate"
    has_formula = (model.catalog.materials["formula"].fillna("") != "").to_numpy()

    def scaled(sigma: np.ndarray | None, temperature_c: float) -> np.ndarray | None:
        if sigma is None:
            return None
        kelvin = temperature_c + ZERO_CELSIUS_K
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = sigma_at_temperature_s_per_cm(catalog, kelvin) / sigma_at_temperature_s_per_cm(
                model.catalog, kelvin
            )
        ratio = np.where(np.isfinite(ratio), ratio, 1.0)
        if surrogate_sigma:
            ratio = np.where(has_formula, 1.0, ratio)
        return sigma * ratio

    moved.conductivity = _robust_factors_in(model, catalog, fixed_sigma)
    operating = config.operating.temperature_c
    moved.evaluator = Evaluator(
        catalog,
        config,
        material_sigma_s_per_cm=scaled(model.conductivity.sigma_operating_s_per_cm, operating),
    )
    if model.cold is not None:
        cold_c = float(config.constraints.temperature_window_c[0])
        moved.cold = Evaluator(
            catalog,
            config,
            temperature_c=cold_c,
            material_sigma_s_per_cm=scaled(model.conductivity.sigma_cold_s_per_cm, cold_c),
        )
    return moved


# which σ_ref a catalog given to model_with sets to one value (robust mode: factor 1 for those)
FIXED_SIGMA = ("none", "all", "moved")


def _robust_factors_in(model, catalog: Catalog, fixed_sigma: str):
    """The model's conductivities with robust mode's factors read from `catalog` (its values and
    ranges), and factor 1 where σ_ref is one value rather than an uncertain one (the σ's
    uncertainty would count twice, problem.robust_factors): every material in a plausible world
    ("all"), the materials whose σ_ref `catalog` moved in the one-at-a-time screening ("moved"),
    none in a catalog of other evidence, such as the prior of measured values ("none")."""
    from pipeline.study.problem import robust_factors

    if fixed_sigma not in FIXED_SIGMA:
        raise ValueError(f"fixed_sigma: expected one of {FIXED_SIGMA}, got {fixed_sigma!r}")
    conductivity = model.conductivity
    if not model.config.surrogate.robust:
        return conductivity
    n = len(catalog.material_ids)
    fixed = np.full(n, fixed_sigma == "all")
    if fixed_sigma == "moved":
        before = model.catalog.materials["sigma_ref_s_per_cm"].to_numpy(float)
        after = catalog.materials["sigma_ref_s_per_cm"].to_numpy(float)
        fixed = ~((before == after) | (np.isnan(before) & np.isnan(after)))
    factor = robust_factors(
        catalog, model.config, conductivity.log10_std, conductivity.sigma_predicted, fixed
    )
    return replace(conductivity, robust_factor=factor)


def stacked_model(model, worlds: list):
    """A shallow copy of a StudyModel whose evaluators are those of `worlds` (model_with copies of
    it) stacked (Evaluator.stacked): evaluate(X, world=w) evaluates each design in its world, the
    whole designs × worlds population in one vectorized call. Its conductivities are the worlds'
    (model_with(..., "all"): robust mode takes no quantile of a σ drawn once per world)."""
    stacked = copy.copy(model)
    stacked.conductivity = worlds[0].conductivity
    stacked.evaluator = Evaluator.stacked([w.evaluator for w in worlds])
    if model.cold is not None:
        stacked.cold = Evaluator.stacked([w.cold for w in worlds])
    return stacked


@dataclass(frozen=True)
class SigmaDraws:
    """Per world, one standard-normal draw of every surrogate-predicted conductivity: each level of
    each searched composition family, and each catalog material whose σ the surrogate gives
    (surrogate.conductivity_source: surrogate). A design's σ in a world is the prediction times
    10**(z · its log10 std): one draw per composition, shared by every design made of it (the
    uncertainty is about the world, as for the catalog's values; issue 24 item 1)."""

    family: np.ndarray | None  # [world, family, level]
    material: np.ndarray  # [world, material]

    def stds(self, model, X: np.ndarray) -> np.ndarray:
        """[design]: the log10 std its σ is drawn with (0 where σ is not predicted)."""
        return self._drawn(model, X)[1]

    def shifts(self, model, X: np.ndarray) -> np.ndarray:
        """[world, design]: each design's log10 σ shift in each world (0 where σ is not predicted)."""
        z, std = self._drawn(model, X)
        return z * std

    def _drawn(self, model, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each design's draws z [world, design] and the std they scale [design]."""
        batch = model.space.decode(np.asarray(X, dtype=float).reshape(-1, model.space.n_var))
        z = np.zeros((len(self.material), len(batch)))
        std = np.zeros(len(batch))
        if model.config.surrogate.conductivity_source == "surrogate":
            std = np.nan_to_num(model.conductivity.log10_std[batch.material], nan=0.0)
            z = self.material[:, batch.material]
        fam = model.families_sigma
        if fam is not None and self.family is not None:
            rows, f, k = fam.locate(batch.material, batch.dopant_level)
            z[:, rows], std[rows] = self.family[:, f, k], fam.log10_std[f, k]
        return z, std


def sigma_draws(model, n_worlds: int, seed: int) -> SigmaDraws | None:
    """The worlds' draws of the predicted conductivities (None when the study predicts none, so a
    catalog study's worlds are exactly as before). Joint over compositions with the correlation
    `ssemo suggest` assumes (compositions.correlation_of: neighbouring levels of a family move
    together, a garnet and an argyrodite independently). A random stream of its own, apart from
    the catalog values' Latin hypercube: the same seed gives the same draws in the report's worlds
    and in the search's."""
    fam = model.families_sigma
    if fam is None and model.config.surrogate.conductivity_source != "surrogate":
        return None
    n_materials = len(model.catalog.material_ids)
    formulas = list(model.catalog.materials["formula"].fillna(""))
    if fam is not None:
        formulas += [formula for levels in fam.formulas for formula in levels]
    vectors, _ = fraction_vectors(formulas)
    known = np.flatnonzero(~np.isnan(vectors).any(axis=1))  # no formula: independent
    correlation = np.eye(len(formulas))
    correlation[np.ix_(known, known)] = correlation_of(vectors[known])
    z = joint_normal(np.random.default_rng([seed, 1]), correlation, n_worlds)
    family = z[:, n_materials:].reshape(n_worlds, *fam.log10_std.shape) if fam is not None else None
    return SigmaDraws(family, z[:, :n_materials])
