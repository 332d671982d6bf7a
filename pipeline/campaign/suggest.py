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
log10 σ = mean + std · z with the model's std; a catalog material whose σ is the catalog's
(surrogate.conductivity_source: catalog) is drawn from its catalog range's evidence law instead, at
u = Φ(z) (pipeline.campaign.sigma_draws), and one with no range keeps its value (no distribution,
no improvement from uncertainty). The z are joint: one per composition (every design of a composition shares its σ
draw), and across compositions z ~ Normal(0, R) with R = exp(−d² / 2ℓ²) over the distance d between
their atom-fraction vectors (Euclidean, elements as fractions of all atoms). The surrogate reports
only marginals; this correlation model is an assumption stated here: its errors at neighbouring
compositions are correlated (a quantile forest predicts them from the same leaves), falling with
distance on the scale ℓ = CORRELATION_LENGTH = 0.015, the median distance from a composition of the
shipped training data to its nearest other composition (699 distinct compositions of
configs/train_default.yaml's data): two compositions as close as the literature's typical
neighbours are correlated at exp(−1/2) = 0.61; neighbouring levels of one family (Ga-LLZO x and
x + 0.02: d = 0.0024) at 0.99; Ga- and Ta-LLZO (d ≈ 0.027) at 0.2; a garnet and an argyrodite at 0.
A design without a formula is independent of every other. `correlation_length = 0` turns the
correlation off (independent compositions). Draws are pushed through the study's physics
(StudyModel.evaluate with the shift): objectives and constraints per draw. The ASR-limited
constraints then hold with a probability; in robust mode a draw is evaluated at its own σ (the
robust quantile is not applied on top: that would count the uncertainty twice). A composition the
surrogate gives a probability p of lying below the detection limit (`p_below_detection`, issue 26:
an insulator, no use as an electrolyte) is such an insulator in a fraction p of the draws (the
draws with u < p, u uniform and common across candidates): those draws count as infeasible, so its
expected improvement is (1 − p) times what it would be as a conductor. The batch is chosen by greedy
Monte-Carlo EHVI x feasibility with Kriging-believer fantasies (pipeline.campaign.acquisition):
after each choice, the chosen composition's σ is believed at the value whose outcome joins the
front (the study's own: in robust mode the robust quantile, σ / factor, else the mean) and every
correlated neighbour is conditioned on it (its draws move and shrink: at correlation 0.99 to 14 %
of their spread), so the next choice is made as if the chosen experiment's answer were known.

What the literature has measured: each candidate composition is compared with the literature's
measured compositions (the surrogate's shipped training data, configs/train_default.yaml, rows
within 5 °C of the operating temperature, plus the catalog's family_measurements.csv; or
`SuggestOptions.literature`), and with the measurement store's (`SuggestOptions.lab`). A composition within KNOWN_DISTANCE of a measured one (correlation
≥ KNOWN_CORRELATION = 0.985 under the model above: learning that one would leave ≤ 17 % of its own
spread, so it is the same experiment; for Ga-LLZO about ±0.02 in x) has no novelty and, where its
σ is the surrogate's prediction (a family member), is not proposed, as the family members of family_measurements.csv were not before (counted in
info['measured_in_literature'], those beyond the catalog's in 'published_within_tolerance'). Every
suggestion names its nearest published composition, the distance and its median published σ. A
catalog material is kept as before: its σ is the catalog's, a published value by construction, and
what is suggested for it is a membrane design, not a conductivity to learn.

The batch's value is reported as the joint q-EHVI (acquisition.batch_value: E[hypervolume the batch
adds as one set] over the joint draws), beside that of the greedy-repeated batch (the q candidates
with the highest single-point acquisition, chosen without regard to each other).

Measurement suggestions: a design with a constraint that cannot be evaluated (no strength or CCD
in the catalog) is 'unknown' and, under constraints.unknown = infeasible, never on the front; each
material with such designs is listed with the measurement, the number of its designs it blocks
and the hypervolume they would add at the mean if the measurement showed the constraint met (an
upper bound on what measuring it can unlock).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.campaign.acquisition import batch_value, free_points, greedy_batch
from pipeline.campaign.sigma_draws import SigmaDraws
from pipeline.study.catalog_measurements import catalog_sigma_rows
from pipeline.study.compositions import (
    CORRELATION_LENGTH,
    correlation_of,
    fraction_vectors,
    joint_normal,
)
from pipeline.study.constraints import CONSTRAINTS
from pipeline.study.predicted import REPORTED_COVERAGE
from pipeline.study.registry import normalize

THICKNESS_LEVELS = 6
FAMILY_LEVELS = 11
KNOWN_CORRELATION = 0.985  # this close to a measured composition: the same experiment
KNOWN_DISTANCE = CORRELATION_LENGTH * math.sqrt(-2.0 * math.log(KNOWN_CORRELATION))  # 0.0026
LITERATURE_WITHIN_C = 5.0  # literature σ measured this close to the operating temperature counts
LITERATURE_CONFIG = Path(__file__).resolve().parents[2] / "configs" / "train_default.yaml"
# what to measure for a constraint the catalog cannot evaluate
MEASUREMENT_OF = {
    "g_strength": "fracture (flexural) strength, MPa",
    "g_ccd": "critical current density against Li, mA/cm²",
    "g_stability": "chemical stability against Li and the cathode",
    "g_short": "through-defect (short-circuit) density",
    "g_percolation": "the relative density below which pressed membranes short (a density series)",
    "g_bending": "Young's modulus and fracture strength (GPa, MPa) of sheets",
    "g_web_tension": "fracture (flexural) strength of sheets, MPa",
    "g_asr": "ionic conductivity at the operating temperature, S/cm",
    "g_asr_cold": "ionic conductivity at the cold end of the temperature window, S/cm",
}


@dataclass(frozen=True)
class SuggestOptions:
    q: int = 8  # designs per batch
    samples: int = 64  # Monte-Carlo draws of the conductivity per candidate
    seed: int = 0
    points: int = 1 << 14  # quasi-Monte-Carlo points integrating the hypervolume improvement
    measured: pd.DataFrame | None = field(default=None, compare=False)  # store.measured_designs
    measurements_version: str = ""
    # ℓ of the σ draws' correlation over atom-fraction distance; 0: independent compositions
    correlation_length: float = CORRELATION_LENGTH
    # measured compositions (composition, log10_sigma, temperature_c, source); None: the shipped
    # training data (LITERATURE_CONFIG); an empty frame: none
    literature: pd.DataFrame | None = field(default=None, compare=False)
    # the measurement store's compositions, the same columns (store.measured_compositions): known
    # as the literature's are, so a composition measured in the lab is not proposed again at
    # another thickness, nor its neighbour within KNOWN_DISTANCE (before 2026-12-08 only the
    # design within 10 % of the measured thickness was left out: a trial was offered its measured
    # Ta0.68 again at 73 µm, and Ga0.11 after measuring Ga0.12, for σ draws as wide as before)
    lab: pd.DataFrame | None = field(default=None, compare=False)


LAB_MATCH_DECIMALS = 6
LAB_CHECK_COLUMNS = (
    "composition",
    "source",
    "temperature_c",
    "sigma_measured_s_per_cm",
    "sigma_predicted_s_per_cm",
    "sigma_p05_s_per_cm",
    "sigma_p95_s_per_cm",
    "inside_interval",
    "trained_on_reports",
)


@dataclass(frozen=True)
class Suggestions:
    designs: pd.DataFrame  # the batch, in the order chosen, with why
    gaps: pd.DataFrame  # measurements that would unblock whole materials
    info: dict
    # the store's measurements of family members beside the surrogate's prediction for them
    lab_check: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(LAB_CHECK_COLUMNS))
    )


def lab_against_predictions(model, lab: pd.DataFrame | None) -> tuple[pd.DataFrame, int]:
    """Each composition-family member the store measured near the study's temperature beside
    the surrogate's prediction for it at that temperature (its point and 90 % interval for the
    dense material), one row per sample and composition, the measurement nearest the study's
    temperature; and how many stored compositions are no level of the study's families (not
    compared). A trial found nothing that said whether its measurements agreed with what had been
    predicted. `trained_on_reports` > 0: the surrogate was trained on reports of the composition
    (the store's included where the job retrained it), so the prediction is those reports, not a
    test of the model. inside_interval is NA where the surrogate gave no interval."""
    from surrogates.chemistry import FormulaError, composition_key, parse_formula

    empty = pd.DataFrame(columns=list(LAB_CHECK_COLUMNS))
    fam = getattr(model, "families_sigma", None)
    if lab is None or not len(lab) or fam is None:
        return empty, 0

    # a level is matched exactly (atom fractions to 6 decimals): the 3-decimal merge key would
    # give Ta0.214, which no level is, the prediction of Ta0.21
    def exact(formula: str) -> str:
        return composition_key(parse_formula(formula), LAB_MATCH_DECIMALS)

    where: dict[str, tuple[int, int]] = {}
    for f, formulas in enumerate(fam.formulas):
        for k, formula in enumerate(formulas):
            where.setdefault(exact(formula), (f, k))
    temperature = model.config.operating.temperature_c
    near = lab[(lab["temperature_c"] - temperature).abs() <= LITERATURE_WITHIN_C]
    near = near.assign(off=(near["temperature_c"] - temperature).abs()).sort_values("off")
    rows, skipped = [], 0
    for r in near.drop_duplicates(["source", "composition"]).itertuples(index=False):
        try:
            level = where.get(exact(str(r.composition)))
        except FormulaError:  # the store checked its formulas; nothing to compare otherwise
            level = None
        if level is None:
            skipped += 1
            continue
        f, k = level
        low, high = 10.0 ** fam.log10_low[0, f, k], 10.0 ** fam.log10_high[0, f, k]
        measured = 10.0**r.log10_sigma
        reports = fam.literature_reports[f, k] if fam.literature_reports is not None else 0
        inside = bool(low <= measured <= high) if np.isfinite([low, high]).all() else pd.NA
        rows.append(
            (
                r.composition,
                r.source,
                float(r.temperature_c),
                measured,
                float(10.0 ** fam.log10_mean[0, f, k]),
                low,
                high,
                inside,
                int(reports),
            )
        )
    return pd.DataFrame(rows, columns=list(LAB_CHECK_COLUMNS)), skipped


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


def design_formulas(model, table: pd.DataFrame) -> np.ndarray:
    """Per design: its composition's formula ('' for a material without one)."""
    if "composition" in table:
        formulas = table["composition"].fillna("").astype(str).to_numpy(object)
        missing = formulas == ""
        if missing.any():
            catalog = model.catalog.materials["formula"].reindex(table["material"]).fillna("")
            formulas[missing] = catalog.astype(str).to_numpy(object)[missing]
        return formulas
    return (
        model.catalog.materials["formula"]
        .reindex(table["material"])
        .fillna("")
        .astype(str)
        .to_numpy(object)
    )


@functools.lru_cache(maxsize=4)
def _training_literature(path: str) -> pd.DataFrame:
    from pipeline.study.config import load_train_config
    from pipeline.training import load_training_data

    rows = load_training_data(load_train_config(path)).rows
    rows = rows[~rows["censored"].astype(bool)]
    source = rows["dataset"].astype(str)
    if "source_doi" in rows:
        source = (source + " " + rows["source_doi"].fillna("").astype(str)).str.rstrip()
    return pd.DataFrame(
        {
            "composition": rows["composition"].astype(str).to_numpy(),
            "log10_sigma": rows["log10_sigma"].to_numpy(float),
            "temperature_c": rows["temperature_k"].to_numpy(float) - 273.15,
            "source": source.to_numpy(),
        }
    )


def literature_table(model, options: SuggestOptions) -> pd.DataFrame:
    """Measured compositions near the operating temperature, one row per composition: formula
    key, a formula, the median log10 σ, how many rows and their sources (module docstring)."""
    from surrogates.chemistry import composition_key, parse_formula

    columns = ["formula_key", "composition", "log10_sigma", "rows", "source"]
    parts = []
    given = options.literature
    if given is None:
        given = _training_literature(str(LITERATURE_CONFIG)) if LITERATURE_CONFIG.exists() else None
    if given is not None and len(given):
        parts.append(given[["composition", "log10_sigma", "temperature_c", "source"]])
    if options.lab is not None and len(options.lab):
        parts.append(options.lab[["composition", "log10_sigma", "temperature_c", "source"]])
    family = getattr(model.catalog, "family_measurements", None)
    if family is not None and len(family):
        parts.append(
            pd.DataFrame(
                {
                    "composition": family["composition"].astype(str).to_numpy(),
                    "log10_sigma": np.log10(family["sigma_s_per_cm"].to_numpy(float)),
                    "temperature_c": family["temperature_c"].to_numpy(float),
                    "source": "catalog family_measurements.csv: "
                    + family["source"].astype(str).to_numpy(),
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=columns)
    rows = pd.concat(parts, ignore_index=True)
    temperature = model.config.operating.temperature_c
    rows = rows[(rows["temperature_c"] - temperature).abs() <= LITERATURE_WITHIN_C]
    rows = rows[np.isfinite(rows["log10_sigma"].to_numpy(float))]
    keys = []
    for formula in rows["composition"]:
        try:
            keys.append(composition_key(parse_formula(str(formula))))
        except Exception:
            keys.append("")
    rows = rows.assign(formula_key=keys)
    rows = rows[rows["formula_key"] != ""]
    if not len(rows):
        return pd.DataFrame(columns=columns)
    merged = rows.groupby("formula_key", sort=True).agg(
        composition=("composition", "first"),
        log10_sigma=("log10_sigma", "median"),
        rows=("log10_sigma", "size"),
        source=("source", lambda v: "; ".join(dict.fromkeys(v))),
    )
    return merged.reset_index()[columns]


@dataclass(frozen=True)
class Neighbourhood:
    """Per composition group: the nearest measured composition, and the correlation of the groups'
    σ draws (identity where no formula, decoupled where the composition counts as measured)."""

    nearest: pd.DataFrame  # per group: composition, distance, log10_sigma, source (NaN/'' if none)
    known: np.ndarray  # per group: within KNOWN_DISTANCE of a measured composition
    correlation: np.ndarray  # (G, G)


def neighbourhood(
    group_formulas: np.ndarray, literature: pd.DataFrame, length: float
) -> Neighbourhood:
    """Nearest literature composition and draw correlation per composition group."""
    n = len(group_formulas)
    lit_formulas = literature["composition"].to_numpy(object) if len(literature) else []
    V, _ = fraction_vectors(list(group_formulas) + list(lit_formulas))
    own, lit = V[:n], V[n:]
    has = ~np.isnan(own).any(axis=1)
    distance = np.full(n, np.nan)
    nearest = np.full(n, -1)
    if len(lit) and has.any():
        d = np.linalg.norm(own[has][:, None, :] - lit[None, :, :], axis=2)
        nearest[has] = np.argmin(d, axis=1)
        distance[has] = d[np.arange(len(d)), nearest[has]]
    found = nearest >= 0
    table = pd.DataFrame(
        {
            "literature_nearest": np.where(
                found, np.asarray(lit_formulas, dtype=object)[np.maximum(nearest, 0)], ""
            )
            if len(lit)
            else "",
            "literature_distance": distance,
            "literature_log10_sigma": np.where(
                found, literature["log10_sigma"].to_numpy(float)[np.maximum(nearest, 0)], np.nan
            )
            if len(lit)
            else np.nan,
            "literature_source": np.where(
                found, literature["source"].to_numpy(object)[np.maximum(nearest, 0)], ""
            )
            if len(lit)
            else "",
        }
    )
    known = np.nan_to_num(distance, nan=np.inf) <= KNOWN_DISTANCE
    correlation = np.eye(n)
    free = has & ~known
    if length > 0 and free.sum() > 1:
        idx = np.flatnonzero(free)
        correlation[np.ix_(idx, idx)] = correlation_of(own[idx], length)
    return Neighbourhood(table, known, correlation)


def _sigma_columns(out: dict, draws: SigmaDraws) -> dict[str, np.ndarray]:
    """σ per design with its 90 % interval: the family's own interval where predicted, else the
    interval of the law its draws follow around the dense σ used (SigmaDraws.interval_factors; no
    spread: the catalog value, no interval)."""
    sigma = np.asarray(out["sigma_dense_s_per_cm"], float)
    low_factor, high_factor = draws.interval_factors()
    low, high = sigma * low_factor, sigma * high_factor
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
    # a composition within KNOWN_DISTANCE of a published one (training data, catalog): the same
    published_rows = literature_table(model, options)
    _, first_row, group = np.unique(keys, return_index=True, return_inverse=True)
    formulas = design_formulas(model, table)
    predicted = (
        table["sigma_predicted"].fillna(False).to_numpy(bool)
        if "sigma_predicted" in table
        else np.zeros(len(table), dtype=bool)
    )  # a catalog material's σ is the catalog's (published) value already: kept, as before
    published = neighbourhood(formulas[first_row], published_rows, 0.0).known[group] & predicted
    lab_check, lab_not_compared = lab_against_predictions(model, options.lab)
    measured_or_known = measured | literature | published
    front_F = model.evaluate(np.asarray(archive_X, float).reshape(-1, model.space.n_var))[0]
    front = normalize(front_F, objectives, bounds) if len(front_F) else np.empty((0, len(bounds)))
    gaps = measurement_gaps(model, X, table, front, options)
    keep_open = ~measured_or_known
    X, table, keys = X[keep_open], table[keep_open].reset_index(drop=True), keys[keep_open]

    F_mean, G_mean, out = model.evaluate(X)
    own = ~np.asarray(out.get("sigma_predicted", np.zeros(len(X), bool)), bool)
    law = None
    if model.config.surrogate.conductivity_source == "catalog":
        # a catalog material's σ is the catalog's: drawn from its catalog range by the evidence law
        # (pipeline.campaign.sigma_draws), not by the surrogate's spread about a formula that may
        # drop the dopant (LLZO: its quartiles 3.61e-4–9.39e-4 S/cm, where the surrogate said
        # 0.54 decade)
        law = catalog_sigma_rows(model.catalog).iloc[model.space.decode(X).material]
    draws = SigmaDraws.of(out["surrogate_log10_std"], law, own)
    std = draws.spread()
    _, first_row, group = np.unique(keys, return_index=True, return_inverse=True)
    formulas = design_formulas(model, table)
    near = neighbourhood(formulas[first_row], published_rows, options.correlation_length)
    mean = normalize(F_mean, objectives, bounds)
    mean_feasible = np.all(G_mean <= 0.0, axis=1)
    # the standardized σ draw of the outcome the believer adds to the front: the study's own
    # (robust mode: ASR at its quantile, i.e. bulk ASR x factor, σ / factor; else the σ used)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = (
            np.asarray(out["robust_asr_ohm_cm2"], float)
            - np.asarray(out["interface_asr_ohm_cm2"], float)
        ) / np.asarray(out["bulk_asr_ohm_cm2"], float)
    lie = draws.z_at(1.0 / factor, options.samples)
    believed = lie[first_row]
    rng = np.random.default_rng(options.seed)
    z = joint_normal(rng, near.correlation, options.samples)  # (S, groups)
    p_below = np.nan_to_num(
        np.asarray(out.get("p_below_detection", np.zeros(len(X))), float), nan=0.0
    )
    # drawn after z, so the conductivity draws are those of a surrogate without p
    insulating = rng.uniform(size=(options.samples, 1)) < p_below[None, :]

    def outcomes(rows: np.ndarray, z_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Normalized objectives, feasibility and constraint values of rows at draws z_rows."""
        n_s = len(z_rows)
        shift = draws.shift(rows, z_rows)
        F, G, _ = model.evaluate(
            np.tile(X[rows], (n_s, 1)), log10_sigma_shift=shift.reshape(-1), every_column=False
        )
        F = normalize(F, objectives, bounds).reshape(n_s, len(rows), -1)
        G = G.reshape(n_s, len(rows), -1)
        return F, np.all(G <= 0.0, axis=2) & ~insulating[:, rows], G

    samples = np.empty((options.samples, len(X), len(objectives)))
    feasible = np.empty((options.samples, len(X)), dtype=bool)
    violated = np.zeros((len(X), model.n_constr))
    for s in range(options.samples):
        F, feasible_s, G = outcomes(np.arange(len(X)), z[s : s + 1, group])
        samples[s], feasible[s] = F[0], feasible_s[0]
        violated += G[0] > 0.0
    correlated = options.correlation_length > 0 and not np.array_equal(
        near.correlation, np.eye(len(near.correlation))
    )
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
        correlation=near.correlation if correlated else None,
        z=z if correlated else None,
        redraw=(lambda rows, z_rows: outcomes(rows, z_rows)[:2]) if correlated else None,
        believed=believed,
    )
    idx = choice.index
    repeated = greedy_repeated(choice.acquisition_all, len(idx))
    value = {
        name: batch_value(
            samples, feasible, rows, front, n_points=options.points, seed=options.seed
        )
        for name, rows in (("joint", idx), ("greedy_repeated", repeated))
    }
    p_violated = violated / options.samples
    at_risk = np.argmax(p_violated, axis=1) if model.n_constr else np.zeros(len(X), int)
    sig = _sigma_columns(out, draws)
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
    # a family member's σ is the surrogate's prediction; a catalog material's is the catalog's
    picked["sigma_predicted"] = np.asarray(
        out.get("sigma_predicted", np.zeros(len(X), bool)), bool
    )[idx]
    picked["p_below_detection"] = p_below[idx]
    names = list(model.constraint_names)
    picked["constraint_most_at_risk"] = [
        names[at_risk[i]] if names and p_violated[i, at_risk[i]] > 0 else "" for i in idx
    ]
    picked["p_constraint_violated"] = [p_violated[i, at_risk[i]] if names else 0.0 for i in idx]
    for name in objectives:
        picked[f"{name}_at_mean"] = table.loc[idx, name].to_numpy()
    lit = near.nearest.iloc[group[idx]].reset_index(drop=True)
    for column in lit.columns:
        picked[column] = lit[column].to_numpy()
    # how strongly each member's σ draws move with an earlier member's (prior correlation)
    picked["max_correlation_with_earlier"] = [
        float(near.correlation[group[i], group[idx[:k]]].max()) if k else 0.0
        for k, i in enumerate(idx)
    ]
    picked["why"] = [_why(r) for r in picked.itertuples(index=False)]
    for j, column in enumerate(model.space.x_columns):  # the encoded design, to re-evaluate it
        picked[column] = X[idx, j]
    info = {
        "candidates": len(X_all),
        "distinct_candidates": int(keep.sum()),
        "already_measured": int(measured.sum()),
        "measured_in_literature": int(((literature | published) & ~measured).sum()),
        "published_within_tolerance": int((published & ~measured & ~literature).sum()),
        "scored": len(X),
        "samples": options.samples,
        "free_points": choice.free_points,
        "front_size": len(front),
        "seed": options.seed,
        "measurements_version": options.measurements_version,
        "method": "greedy Monte-Carlo EHVI x P(feasible), Kriging believer"
        + (
            f", σ draws correlated over composition (ℓ = {options.correlation_length:g} "
            "atom fraction), believed compositions condition their neighbours"
            if correlated
            else ", independent compositions"
        ),
        "correlation_length": options.correlation_length,
        "literature_compositions": len(published_rows),
        # stored compositions that are no level of the study's families: not set beside a prediction
        "lab_compositions_not_compared": lab_not_compared,
        "batch_value_joint": value["joint"],
        "batch_value_greedy_repeated": value["greedy_repeated"],
        "greedy_repeated_loss_fraction": loss_fraction(value["joint"], value["greedy_repeated"]),
        **{
            f"{what}_{name}": int(table.loc[rows, column].nunique()) if len(rows) else 0
            for name, rows in (("joint", idx), ("greedy_repeated", repeated))
            for what, column in (
                ("distinct_compositions", "composition" if "composition" in table else "material"),
                ("distinct_processes", "process"),
                ("distinct_families", "family"),
            )
        },
    }
    return Suggestions(picked, gaps, info, lab_check)


def greedy_repeated(acquisition: np.ndarray, q: int) -> np.ndarray:
    """The greedy-repeated batch: the q candidates of highest single-point acquisition, chosen
    without regard to each other (ties: the earlier candidate); only those expected to gain."""
    order = np.lexsort((np.arange(len(acquisition)), -acquisition))
    order = order[acquisition[order] > 0.0]
    return np.asarray(order[:q], dtype=np.intp)


def loss_fraction(joint: float, repeated: float) -> float:
    """1 − repeated / joint: the share of the joint batch's value a greedy-repeated batch loses."""
    return float(1.0 - repeated / joint) if joint > 0 else 0.0


def _why(r) -> str:
    risk = (
        f"most at risk: {r.constraint_most_at_risk} (violated in {r.p_constraint_violated:.0%} "
        "of its own draws)"
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
        f"P(feasible) over its σ draws {r.p_feasible:.0%}"
        # after the batch's earlier picks are believed, correlated neighbours' draws move: a trial
        # read 'P(feasible) 19 %' beside 'violated in 11 %' (its draws before them) as a contradiction
        + (" given the picks above" if r.rank > 1 else "")
        + f"); σ {r.sigma_s_per_cm:.2g} S/cm, "
        f"{REPORTED_COVERAGE:.0%} interval {r.sigma_p05_s_per_cm:.2g}–{r.sigma_p95_s_per_cm:.2g}; "
        f"{applicability}; P(below detection) {r.p_below_detection:.0%}; {risk}"
        + _literature_note(r)
    )


def _literature_note(r) -> str:
    if not isinstance(r.literature_nearest, str) or not r.literature_nearest:
        return "; no published composition to compare"
    sigma = 10.0**r.literature_log10_sigma
    if not r.sigma_predicted:
        # a catalog material's formula can drop its dopant (Al-doped cubic LLZO is written
        # Li7La3Zr2O12): the nearest training row may be another phase, not its measurement
        return (
            f"; a catalog material (its σ and source are the catalog's; the training data's "
            f"nearest formula, {r.literature_nearest} at {sigma:.2g} S/cm, may be another phase "
            "or doping)"
        )
    return (
        f"; nearest published {r.literature_nearest} at {sigma:.2g} S/cm (distance "
        f"{r.literature_distance:.4f})"
    )


def _what_to_measure(constraint: str, out: dict, rows: np.ndarray) -> str:
    """The measurement that would let `constraint` be evaluated on `rows`: for an ASR limit the
    part of the ASR that is unknown (σ, or an interface with no number), not σ whatever it is."""
    if constraint not in ("g_asr", "g_asr_cold") or "interface_asr_ohm_cm2" not in out:
        return MEASUREMENT_OF.get(constraint, CONSTRAINTS[constraint].description)
    parts = []
    if np.isnan(np.asarray(out["bulk_asr_ohm_cm2"], float)[rows]).any():
        parts.append(MEASUREMENT_OF[constraint])
    if np.isnan(np.asarray(out["interface_asr_ohm_cm2"], float)[rows]).any():
        parts.append("interfacial resistance against Li or the cathode (with its coating), Ω cm²")
    return "; ".join(parts) or MEASUREMENT_OF[constraint]


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
            # this constraint's own gap: the designs it leaves unknown, and what is unknown in it
            its_own = of_material & unknown[n].to_numpy()
            measure = _what_to_measure(n, out, its_own)
            rows.append(
                dict(
                    material=material,
                    measure=measure,
                    constraint=n,
                    designs_blocked=int(its_own.sum()),
                    hv_if_met=hv,
                    why=(
                        f"{material}: {n} cannot be evaluated for {int(its_own.sum())} of its "
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
