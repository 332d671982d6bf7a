"""What to make and measure next (`ssemo suggest`): a batch of designs, and the catalog gaps to fill.

Candidates: the study's final archive (every feasible non-dominated design the search kept) plus a
grid over every valid option (thickness on `THICKNESS_LEVELS` log-spaced levels of the process
window at the densest achievable membrane, each composition family on `FAMILY_LEVELS` substitution
levels, composites at half the filler limit), deduplicated by the rounded design (thickness to two
significant figures, density and filler fraction to 0.01, substitution level to 1e-3: closer designs
are one experiment in a lab), minus designs already measured (pipeline.campaign.store) and family
members whose σ the literature has measured (catalog family_measurements.csv: shown beside the
prediction on the front, not proposed as an experiment).

Each candidate's dense conductivity is drawn S times from the surrogate's predictive distribution,
log10 σ ~ Normal(mean, std) with the model's std (common random numbers across candidates; a
material without a surrogate prediction, e.g. a polymer without a formula, keeps its catalog value:
no distribution, no improvement from uncertainty), and pushed through the study's physics
(StudyModel.evaluate with the shift): objectives and constraints per draw. The ASR-limited
constraints then hold with a probability; in robust mode a draw is evaluated at its own σ (the
robust quantile is not applied on top: that would count the uncertainty twice). A composition the
surrogate gives a probability p of lying below the detection limit (`p_below_detection`, issue 26:
an insulator, no use as an electrolyte) is such an insulator in a fraction p of the draws (the
draws with u < p, u uniform and common across candidates): those draws count as infeasible, so its
expected improvement is (1 − p) times what it would be as a conductor. The batch is chosen by greedy
Monte-Carlo EHVI x feasibility with Kriging-believer fantasies (pipeline.campaign.acquisition).

Measurement suggestions: a design with a constraint that cannot be evaluated (no strength or CCD
in the catalog) is 'unknown' and, under constraints.unknown = infeasible, never on the front; each
material with such designs is listed with the measurement, the number of its designs it blocks
and the hypervolume they would add at the mean if the measurement showed the constraint met (an
upper bound on what measuring it can unlock).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipeline.campaign.acquisition import free_points, greedy_batch
from pipeline.study.constraints import CONSTRAINTS
from pipeline.study.predicted import REPORTED_COVERAGE
from pipeline.study.registry import normalize

THICKNESS_LEVELS = 6
FAMILY_LEVELS = 11
Z90 = 1.6448536269514722  # two-sided 90 % of a normal
# what to measure for a constraint the catalog cannot evaluate
MEASUREMENT_OF = {
    "g_strength": "fracture (flexural) strength, MPa",
    "g_ccd": "critical current density against Li, mA/cm²",
    "g_stability": "chemical stability against Li and the cathode",
    "g_short": "through-defect (short-circuit) density",
}


@dataclass(frozen=True)
class SuggestOptions:
    q: int = 8  # designs per batch
    samples: int = 64  # Monte-Carlo draws of the conductivity per candidate
    seed: int = 0
    points: int = 1 << 14  # quasi-Monte-Carlo points integrating the hypervolume improvement
    measured: pd.DataFrame | None = field(default=None, compare=False)  # store.measured_designs
    measurements_version: str = ""


@dataclass(frozen=True)
class Suggestions:
    designs: pd.DataFrame  # the batch, in the order chosen, with why
    gaps: pd.DataFrame  # measurements that would unblock whole materials
    info: dict


def candidate_designs(model, archive_X: np.ndarray) -> np.ndarray:
    """The archive plus a grid over every option (encoded X rows, before deduplication)."""
    space = model.space
    rows = []
    for i in range(space.n_options):
        per_variable = []
        for v in space.variables:
            if v.name == "thickness_um":
                per_variable.append(np.linspace(0.0, 1.0, THICKNESS_LEVELS))
            elif v.name == "dopant_level":
                per_variable.append(
                    np.linspace(0.0, 1.0, FAMILY_LEVELS) if space.is_family[i] else np.array([0.0])
                )
            elif v.name == "relative_density":
                per_variable.append(np.array([1.0]))
            else:  # filler fraction (composites), anything else: the middle of its range
                per_variable.append(np.array([0.5]))
        mesh = np.meshgrid(*per_variable, indexing="ij")
        centre = (i + 0.5) / space.n_options
        rows.append(np.column_stack([np.full(mesh[0].size, centre), *(m.ravel() for m in mesh)]))
    grid = np.vstack(rows) if rows else np.empty((0, space.n_var))
    archive_X = np.asarray(archive_X, dtype=float).reshape(-1, space.n_var)
    return np.vstack([archive_X, grid])


def design_key(table: pd.DataFrame) -> pd.Series:
    """A rounded design as text: one lab experiment."""
    thickness = table["thickness_um"].map(lambda t: f"{float(f'{t:.2g}'):g}")
    parts = [
        table["material"].astype(str),
        table["process"].astype(str),
        table["coating"].astype(str),
        thickness,
        table["relative_density"].round(2).astype(str),
        table["filler_fraction"].round(2).astype(str),
    ]
    if "dopant_level" in table:
        parts.append(table["dopant_level"].round(3).astype(str))
    key = parts[0]
    for p in parts[1:]:
        key = key + "|" + p
    return key


def composition_keys(model, table: pd.DataFrame) -> np.ndarray:
    """Per design: the formula key of its composition, or the material id when it has no formula."""
    from surrogates.chemistry import composition_key, parse_formula

    formulas = (
        table["composition"].fillna("").astype(str).to_numpy()
        if "composition" in table
        else model.catalog.materials["formula"].reindex(table["material"]).fillna("").to_numpy()
    )
    cache: dict[str, str] = {}
    out = []
    for formula, material in zip(formulas, table["material"].astype(str), strict=True):
        if not formula:
            out.append(f"material:{material}")
            continue
        if formula not in cache:
            try:
                cache[formula] = composition_key(parse_formula(formula))
            except Exception:
                cache[formula] = f"material:{material}"
        out.append(cache[formula])
    return np.array(out, dtype=object)


def already_measured(
    table: pd.DataFrame, keys: np.ndarray, measured: pd.DataFrame | None
) -> np.ndarray:
    """Per design: does a stored measurement cover it? Same composition (formula key, or catalog
    material), and the same process where the measurement names one, and a thickness within 10 %
    where it gives one (a pellet measurement without process or thickness covers the composition)."""
    hit = np.zeros(len(table), dtype=bool)
    if measured is None or not len(measured):
        return hit
    process = table["process"].astype(str).to_numpy()
    thickness = table["thickness_um"].to_numpy(float)
    for m in measured.itertuples(index=False):
        same = keys == m.formula_key
        if not same.any():
            continue
        if isinstance(m.process, str) and m.process:
            same &= process == m.process
        if m.thickness_um == m.thickness_um and m.thickness_um > 0:  # not NaN
            same &= np.abs(thickness / m.thickness_um - 1.0) <= 0.10
        hit |= same
    return hit


def _sigma_columns(out: dict, std: np.ndarray) -> dict[str, np.ndarray]:
    """σ per design with its 90 % interval: the family's own interval where predicted, else a normal
    on the surrogate's std around the dense σ used (no std: the catalog value, no interval)."""
    sigma = np.asarray(out["sigma_dense_s_per_cm"], float)
    low = sigma * 10.0 ** (-Z90 * std)
    high = sigma * 10.0 ** (Z90 * std)
    predicted = np.asarray(out.get("sigma_predicted", np.zeros(len(sigma), bool)), bool)
    if predicted.any():
        low = np.where(predicted, out["sigma_p05_s_per_cm"], low)
        high = np.where(predicted, out["sigma_p95_s_per_cm"], high)
    return {"sigma_s_per_cm": sigma, "sigma_p05_s_per_cm": low, "sigma_p95_s_per_cm": high}


def suggest(model, archive_X: np.ndarray, options: SuggestOptions) -> Suggestions:
    """The next batch of designs for a study model (StudyModel) and its search archive."""
    config = model.config
    objectives = model.objectives
    bounds = {name: config.normalization[name] for name in objectives}
    X_all = candidate_designs(model, archive_X)
    table = model.table(X_all)
    keep = ~design_key(table).duplicated().to_numpy()
    X, table = X_all[keep], table[keep].reset_index(drop=True)
    keys = composition_keys(model, table)
    measured = already_measured(table, keys, options.measured)
    # a family member whose σ the literature has measured (family_measurements.csv) is no unknown
    # to learn: scoring it at the surrogate's prediction ignored a value already in hand
    literature = (
        table["sigma_measured_s_per_cm"].notna().to_numpy()
        if "sigma_measured_s_per_cm" in table
        else np.zeros(len(table), dtype=bool)
    )
    measured_or_known = measured | literature
    front_F = model.evaluate(np.asarray(archive_X, float).reshape(-1, model.space.n_var))[0]
    front = normalize(front_F, objectives, bounds) if len(front_F) else np.empty((0, len(bounds)))
    gaps = measurement_gaps(model, X, table, front, options)
    keep_open = ~measured_or_known
    X, table, keys = X[keep_open], table[keep_open].reset_index(drop=True), keys[keep_open]

    F_mean, G_mean, out = model.evaluate(X)
    mean = normalize(F_mean, objectives, bounds)
    mean_feasible = np.all(G_mean <= 0.0, axis=1)
    std = np.nan_to_num(np.asarray(out["surrogate_log10_std"], float), nan=0.0)
    rng = np.random.default_rng(options.seed)
    z = rng.standard_normal((options.samples, len(X)))
    samples = np.empty((options.samples, len(X), len(objectives)))
    feasible = np.empty((options.samples, len(X)), dtype=bool)
    violated = np.zeros((len(X), model.n_constr))
    p_below = np.nan_to_num(
        np.asarray(out.get("p_below_detection", np.zeros(len(X))), float), nan=0.0
    )
    # drawn after z, so the conductivity draws are those of a surrogate without p
    insulating = rng.uniform(size=(options.samples, 1)) < p_below[None, :]
    for s in range(options.samples):
        F, G, _ = model.evaluate(X, log10_sigma_shift=std * z[s])
        samples[s] = normalize(F, objectives, bounds)
        feasible[s] = np.all(G <= 0.0, axis=1) & ~insulating[s]
        violated += G > 0.0
    _, group = np.unique(keys, return_inverse=True)
    choice = greedy_batch(
        samples,
        feasible,
        mean,
        mean_feasible,
        group,
        front,
        options.q,
        n_points=options.points,
        seed=options.seed,
    )
    idx = choice.index
    p_violated = violated / options.samples
    at_risk = np.argmax(p_violated, axis=1) if model.n_constr else np.zeros(len(X), int)
    sig = _sigma_columns(out, std)
    design_cols = [
        c
        for c in (
            "material",
            "composition",
            "dopant_level",
            "process",
            "coating",
            "thickness_um",
            "relative_density",
            "filler_fraction",
        )
        if c in table
    ]
    picked = table.loc[idx, design_cols].reset_index(drop=True)
    picked.insert(0, "rank", np.arange(1, len(idx) + 1))
    picked["expected_hv_improvement"] = choice.acquisition
    picked["hv_improvement_if_feasible"] = choice.ehvi_if_feasible
    picked["p_feasible"] = choice.p_feasible
    for name, values in sig.items():
        picked[name] = values[idx]
    picked["log10_sigma_std"] = std[idx]
    picked["applicability"] = np.asarray(out["applicability"], float)[idx]
    picked["p_below_detection"] = p_below[idx]
    names = list(model.constraint_names)
    picked["constraint_most_at_risk"] = [
        names[at_risk[i]] if names and p_violated[i, at_risk[i]] > 0 else "" for i in idx
    ]
    picked["p_constraint_violated"] = [p_violated[i, at_risk[i]] if names else 0.0 for i in idx]
    for name in objectives:
        picked[f"{name}_at_mean"] = table.loc[idx, name].to_numpy()
    picked["why"] = [_why(r) for r in picked.itertuples(index=False)]
    for j, column in enumerate(model.space.x_columns):  # the encoded design, to re-evaluate it
        picked[column] = X[idx, j]
    info = {
        "candidates": len(X_all),
        "distinct_candidates": int(keep.sum()),
        "already_measured": int(measured.sum()),
        "measured_in_literature": int((literature & ~measured).sum()),
        "scored": len(X),
        "samples": options.samples,
        "free_points": choice.free_points,
        "front_size": len(front),
        "seed": options.seed,
        "measurements_version": options.measurements_version,
        "method": "greedy Monte-Carlo EHVI x P(feasible), Kriging believer",
    }
    return Suggestions(picked, gaps, info)


def _why(r) -> str:
    risk = (
        f"most at risk: {r.constraint_most_at_risk} (violated in {r.p_constraint_violated:.0%} "
        "of draws)"
        if r.constraint_most_at_risk
        else "no constraint violated in any draw"
    )
    applicability = (
        f"applicability {r.applicability:.2f}"
        if r.applicability == r.applicability
        else "catalog σ (no surrogate prediction)"
    )
    return (
        f"expected HV gain {r.expected_hv_improvement:.3g} (if feasible {r.hv_improvement_if_feasible:.3g}, "
        f"P(feasible) {r.p_feasible:.0%}); σ {r.sigma_s_per_cm:.2g} S/cm, "
        f"{REPORTED_COVERAGE:.0%} interval {r.sigma_p05_s_per_cm:.2g}–{r.sigma_p95_s_per_cm:.2g}; "
        f"{applicability}; P(below detection) {r.p_below_detection:.0%}; {risk}"
    )


def measurement_gaps(
    model, X: np.ndarray, table: pd.DataFrame, front: np.ndarray, options: SuggestOptions
) -> pd.DataFrame:
    """Materials with designs that have a constraint the catalog cannot evaluate: what to measure,
    how many of their designs it blocks, and the hypervolume those would add (at the mean) if met."""
    columns = ["material", "measure", "constraint", "designs_blocked", "hv_if_met", "why"]
    names = [n for n in model.constraint_names if n in table]
    if not names or not len(table):
        return pd.DataFrame(columns=columns)
    F, G, out = model.evaluate(X)
    F_norm = normalize(
        F, model.objectives, {n: model.config.normalization[n] for n in model.objectives}
    )
    unknown = pd.DataFrame({n: np.isnan(np.asarray(out[n], float)) for n in names})
    unknown["material"] = table["material"].to_numpy()
    # a gap counts where it blocks any of a material's designs (a coating that reports its own CCD
    # can leave a few of them evaluable: LATP with LiI/ZnLix, none with its usual ALD Al2O3)
    blocked = unknown.groupby("material")[names].any()
    free, volume = free_points(front, np.zeros(F_norm.shape[1]), options.points, options.seed)
    rows = []
    for material, flags in blocked.iterrows():
        missing = [n for n in names if flags[n]]
        if not missing:
            continue
        of_material = table["material"].to_numpy() == material
        mine = of_material & unknown[missing].any(axis=1).to_numpy()
        # every other constraint met; the missing ones assumed met (G = 0)
        known = np.array([n not in missing for n in model.constraint_names])
        ok = mine & np.all(np.where(known[None, :], G, 0.0) <= 0.0, axis=1)
        hv = 0.0
        if ok.any():
            pts = F_norm[ok]
            covered = np.zeros(len(free), dtype=bool)
            for p in pts:
                covered |= np.all(p <= free, axis=1)
            hv = float(covered.sum() * volume)
        for n in missing:
            measure = MEASUREMENT_OF.get(n, CONSTRAINTS[n].description)
            rows.append(
                dict(
                    material=material,
                    measure=measure,
                    constraint=n,
                    designs_blocked=int(mine.sum()),
                    hv_if_met=hv,
                    why=(
                        f"{material}: {n} cannot be evaluated for {int(mine.sum())} of its "
                        f"{int(of_material.sum())} candidate designs "
                        f"({model.config.constraints.unknown} under "
                        f"constraints.unknown); measured and met, they would add up to {hv:.3g} "
                        "hypervolume at the mean"
                    ),
                )
            )
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["hv_if_met", "material"], ascending=[False, True]).reset_index(
        drop=True
    )
