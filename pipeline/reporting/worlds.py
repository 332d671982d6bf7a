"""Plausible worlds: the recommended designs evaluated in catalogs drawn from the evidence ranges.

The one-value-at-a-time screening (decisive.py) says which single number can flip a design; here
every known catalog number is drawn at once, S times (`uncertainty.worlds`), and the front is
evaluated in each drawn catalog. The uncertainty is about the world, not about each design: one
draw per catalog entry (a material's conductivity, a process's density cap, an interface), shared
by every design that uses it. The draw (README, 'Plausible worlds'): triangular at the value for a
measured or derived number, uniform for an assumption, on a log scale for quantities that scatter
multiplicatively, and through its quartiles for an interquartile range (range_kind quartiles;
pipeline.study.evidence_law); unknown stays unknown (NaN; the study's
constraints.unknown decides).

Per front design: P(feasible) over the worlds, the spread of its total ASR, and the catalog values
whose draws explain most of that spread and of its feasibility (Spearman rank correlation over the
worlds, the values the design's evaluation reads: decisive.evidence_uses). This is a report on the
nominal search's front, not yet a search for designs that hold in every world.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from pipeline.search.decisions import asf_values
from pipeline.study.plausible import catalog_with, draw_values, model_with, sigma_draws


@dataclass(frozen=True)
class Worlds:
    """P(feasible) and the ASR spread of every front design over the drawn worlds, and per front
    design the values that explain them."""

    n_worlds: int
    p_feasible: np.ndarray  # per front row
    asr_p10: np.ndarray
    asr_p90: np.ndarray
    drivers: dict[int, list[str]]  # front row -> 'label: ρ_ASR, ρ_feasible' (strongest first)
    # per catalog value a front design uses: its value of information for the ASF choice
    measurements: pd.DataFrame | None = None


def evaluate_worlds(
    model,
    front: pd.DataFrame,
    evidence: pd.DataFrame,
    n_worlds: int,
    seed: int,
    violated: np.ndarray | None = None,
):
    """The front evaluated in n_worlds drawn catalogs, the predicted conductivities drawn too
    (plausible.sigma_draws): (drawn values [world, evidence row], feasible, total ASR, ASF, each
    [world, front row]); `violated` as evaluate_at's. One StudyModel per world (about 30 ms
    each), the whole front in one vectorized call per world."""
    values = draw_values(evidence, n_worlds, seed)
    draws = sigma_draws(model, n_worlds, seed)
    X = front[model.space.x_columns].to_numpy(float)
    shifts = draws.shifts(model, X) if draws is not None else None
    return (values, *evaluate_at(model, front, values, shifts, violated))


def evaluate_at(
    model,
    front: pd.DataFrame,
    values: np.ndarray,
    sigma_shifts: np.ndarray | None = None,
    violated: np.ndarray | None = None,
):
    """The front evaluated in the catalogs with these values [world, evidence row] and, where σ
    is predicted, these log10 σ shifts [world, front row] (plausible.SigmaDraws): (feasible,
    total ASR, ASF), each [world, front row]. `violated` [constraint, front row], if given, counts
    the worlds in which each of the model's constraints is violated."""
    n_worlds = len(values)
    X = front[model.space.x_columns].to_numpy(float)
    feasible = np.zeros((n_worlds, len(front)), dtype=bool)
    asr = np.full((n_worlds, len(front)), np.nan)
    asf = np.full((n_worlds, len(front)), np.nan)
    for s in range(n_worlds):
        moved = model_with(model, catalog_with(model.catalog, values[s]), "all")
        F, G, out = moved.evaluate(X, sigma_shifts[s] if sigma_shifts is not None else None)
        feasible[s] = np.all(G <= 0.0, axis=1)
        if violated is not None:
            violated += (G > 0.0).T
        asr[s] = out["total_asr_ohm_cm2"]
        asf[s] = asf_values(model, F)
    return feasible, asr, asf


def utility(feasible: np.ndarray, asf: np.ndarray) -> np.ndarray:
    """The decision's utility per (world, design): −ASF (clipped to [0, 1]) where the design is
    feasible in that world, one less than the worst feasible design where it is not."""
    value = -np.clip(np.nan_to_num(asf, nan=1.0), 0.0, 1.0)
    return np.where(feasible, value, value - 1.0)


def best_expected(u: np.ndarray) -> int:
    """The design (column) with the best mean utility over the worlds (rows): the choice 'now'."""
    return int(np.argmax(u.mean(axis=0)))


def value_of_information(
    values: np.ndarray, u: np.ndarray, candidates, n_bins: int = 4, n_null: int = 100, seed: int = 0
) -> pd.DataFrame:
    """Expected value of partial perfect information of each catalog value (evidence row) from the
    worlds, by binning: learning the value puts the world in one of n_bins quantile bins of its
    draws, where the best design of that bin is chosen; EVPPI = mean over bins of the best mean
    utility in the bin − the best mean utility without knowing it. With few worlds per bin the
    maximum over many designs is biased upwards even for an irrelevant value: the same estimate
    for random relabellings of the worlds gives that bias, and a value counts only above the 95th
    percentile of the largest of as many relabellings as values tested (`above_noise`, a 5 %
    family-wise level). Returns per candidate row: evppi, noise_95, the design
    chosen now and in the lowest and highest bin (front row indices)."""
    rng = np.random.default_rng(seed)
    n_worlds = len(u)
    prior = best_expected(u)
    best_prior = float(u.mean(axis=0)[prior])

    def evppi(order: np.ndarray) -> tuple[float, int, int]:
        bins = np.array_split(order, n_bins)
        means = np.stack([u[b].mean(axis=0) for b in bins])
        picks = means.argmax(axis=1)
        # a bin whose pick is feasible in none of its worlds has no design to make (-1): every
        # utility there is an infeasible one (below −1) and argmax would name an arbitrary row
        feasible = [bool((u[b, pick] > -1.0).any()) for b, pick in zip(bins, picks, strict=True)]
        low, high = (int(picks[i]) if feasible[i] else -1 for i in (0, -1))
        return float(means.max(axis=1).mean() - best_prior), low, high

    # the largest of len(candidates) irrelevant values' gains, n_null times: a value counts when
    # its gain exceeds the 95th percentile of that maximum (a 5 % family-wise error over every
    # value tested, not 5 % per value, which would name ~3 irrelevant values of 60)
    m = max(len(candidates), 1)
    null = [max(evppi(rng.permutation(n_worlds))[0] for _ in range(m)) for _ in range(n_null)]
    noise = float(np.quantile(null, 0.95)) if null else 0.0
    rows = []
    for k in candidates:
        x = values[:, k]
        if not np.isfinite(x).all() or np.ptp(x) == 0:
            continue
        gain, low_pick, high_pick = evppi(np.argsort(x, kind="stable"))
        rows.append(
            {
                "evidence_row": int(k),
                "evppi": gain,
                "noise_95": noise,
                "above_noise": gain > noise,
                "choice_now": prior,
                "choice_if_low": low_pick,
                "choice_if_high": high_pick,
            }
        )
    columns = ["evidence_row", "evppi", "noise_95", "above_noise"]
    columns += ["choice_now", "choice_if_low", "choice_if_high"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values("evppi", ascending=False, kind="stable").reset_index(drop=True)


# what a lab measures to learn a catalog number (by property)
MEASUREMENTS = {
    "interfacial_resistance_ohm_cm2": "impedance of a symmetric cell with that interface "
    "(Li | SSE | Li, or cathode | SSE | cathode)",
    "sigma_ref_s_per_cm": "impedance of a dense pellet at room temperature",
    "activation_energy_ev": "impedance of a pellet from -20 to 80 °C",
    "membrane_conductivity_factor": "impedance of the as-made sheet beside a pellet of the powder",
    "ccd_ma_per_cm2": "stepwise critical-current test of Li | SSE | Li cells",
    "weibull_modulus": "flexure of ten or more sheets of two sizes (the scatter of strength)",
    # short_circuit.csv's Weibull modulus is the critical current's, not the strength's
    "short:weibull_modulus": "critical-current tests of ten or more cells (their scatter)",
    "test_area_cm2": "the area of the cells of the critical-current test",
    "strength_mpa": "biaxial flexure (ring-on-ring) of sheets",
    "youngs_modulus_gpa": "nanoindentation or resonance of a dense sample",
    "relative_density_max": "Archimedes density of the densest sheets the process makes",
    "percolation_relative_density": "short-circuit tests of sheets across a density series",
    "defect_size_um": "pore / particle size by SEM cross-sections",
    "min_thickness_um": "the thinnest free-standing sheet the process makes",
    "max_thickness_um": "the thickest sheet the process makes",
    "protrusion_amplification": "cycling of polymer films across a thickness series",
    "reference_temperature_c": "the temperature of the conductivity measurement",
    "log10_sigma_decades": "impedance of a dense pellet of the composition at the study's "
    "temperature",
    "fracture_toughness_mpa_m05": "fracture toughness of dense bars (single-edge notched beam)",
    "transference_number": "Bruce–Vincent polarization of a Li | SSE | Li cell",
    "shear_modulus_gpa": "ultrasonic sound velocities of a dense sample",
    "density_g_per_cm3": "helium pycnometry of the powder",
    "layer_thickness_um": "SEM cross-section of the interlayer",
    "roller_radius_mm": "the smallest roller of the line the membrane runs over",
    "web_tension_n_per_mm": "the web tension the line runs at",
    "threshold_capacity_mah_per_cm2": "plating tests of Li | SSE | Li cells to failure across areal "
    "capacities",
}


def front_worlds(model, front: pd.DataFrame, chosen: pd.DataFrame, decisive) -> Worlds | None:
    """P(feasible) and ASR spread of every front design over the study's plausible worlds
    (uncertainty.worlds; None when 0 or the front is empty), with the values that drive each
    chosen design (decisive: the screening's evidence table and uses)."""
    from pipeline.reporting.decisive import value_label

    u = model.config.uncertainty
    if u.worlds == 0 or len(front) == 0:
        return None
    values, feasible, asr, asf = evaluate_worlds(model, front, decisive.evidence, u.worlds, u.seed)
    # each predicted composition's σ draw is one more uncertain value, beside the catalog's
    draws = sigma_draws(model, u.worlds, u.seed)
    extra, evidence, uses = composition_values(
        model, front, decisive.evidence, decisive.uses, draws
    )
    values = np.hstack([values, extra])
    labels = {k: value_label(evidence.loc[k]) for k in range(len(evidence))}
    rows = sorted({int(r) for r in chosen.index})
    worlds = summarize(rows, uses, labels, values, feasible, asr)
    candidates = sorted(set(uses["evidence_row"]))
    voi = value_of_information(values, utility(feasible, asf), candidates, seed=u.seed)
    table = _measurement_table(voi, evidence, labels, front)
    # the design chosen now is the best over the worlds, not a recommended one: its P(feasible)
    table["choice_now_p_feasible"] = [
        float(feasible[:, r].mean()) if r >= 0 else np.nan for r in voi["choice_now"]
    ]
    return replace(worlds, measurements=table)


def composition_values(
    model, front: pd.DataFrame, evidence: pd.DataFrame, uses: pd.DataFrame, draws
):
    """The worlds' draws (plausible.SigmaDraws, or None) of each predicted composition's σ as
    extra values: ([world, composition]
    log10 shifts, the evidence table with one row per composition, the uses with the designs made
    of each). A composition's row: table 'surrogate', its formula, property log10_sigma_decades (its
    σ's deviation from the prediction, in decades), range ±1.645 std (the 90 % predictive
    interval). A family level the literature has measured is left out: it is not worth measuring
    again (its worlds still draw it, from the surrogate's prediction)."""
    n_worlds = model.config.uncertainty.worlds
    X = front[model.space.x_columns].to_numpy(float)
    if draws is None or not len(front):
        return np.empty((n_worlds, 0)), evidence, uses
    shifts, std = draws.shifts(model, X), draws.stds(model, X)
    batch = model.space.decode(X)
    formulas = model.compositions(batch)
    moved = np.any(shifts != 0.0, axis=0)
    fam = model.families_sigma
    if fam is not None:  # a level the literature measured (family_measurements.csv) is known:
        rows, f, k = fam.locate(batch.material, batch.dopant_level)  # not worth measuring again
        moved[rows[np.isfinite(fam.measured_sigma[f, k])]] = False
    moved = np.flatnonzero(moved)
    columns: list[np.ndarray] = []
    records: list[dict] = []
    use_rows: list[dict] = []
    for formula in dict.fromkeys(formulas[moved]):
        designs = moved[formulas[moved] == formula]
        k = len(evidence) + len(records)
        columns.append(shifts[:, designs[0]])
        half = 1.645 * float(std[designs[0]])
        records.append(
            {
                "table": "surrogate",
                "item": formula,
                "applies_to": "",
                # the draw's deviation from the prediction, in decades (its range: ±1.645 std)
                "property": "log10_sigma_decades",
                "value": 0.0,
                "low": -half,
                "high": half,
                "grade": "predicted",
            }
        )
        use_rows += [{"front_row": int(r), "evidence_row": k} for r in designs]
    extra = np.column_stack(columns) if columns else np.empty((n_worlds, 0))
    added = pd.DataFrame(records, index=range(len(evidence), len(evidence) + len(records)))
    return (
        extra,
        pd.concat([evidence, added]),
        pd.concat([uses, pd.DataFrame(use_rows, columns=["front_row", "evidence_row"])]),
    )


def _measurement(row) -> str:
    """What a lab measures to learn one evidence row (a table-specific entry first)."""
    specific = MEASUREMENTS.get(f"{row['table']}:{row['property']}")
    return specific or MEASUREMENTS.get(row["property"], "")


def design_name(r: pd.Series) -> str:
    """'LLZO / ultrafast_sintering / lii_znlix, 67.5 µm' (a family member by its formula)."""
    composition = r.get("composition")
    name = composition if isinstance(composition, str) and composition else r["material"]
    return f"{name} / {r['process']} / {r['coating']}, {r['thickness_um']:.3g} µm"


def _measurement_table(voi: pd.DataFrame, evidence, labels, front) -> pd.DataFrame:
    """The value of information with what to measure and how the choice would change."""

    def design(row: int) -> str:
        return design_name(front.iloc[row]) if row >= 0 else "no feasible design"

    out = voi.assign(
        value=[labels[k] for k in voi["evidence_row"]],
        grade=[evidence.at[k, "grade"] for k in voi["evidence_row"]],
        low=[evidence.at[k, "low"] for k in voi["evidence_row"]],
        high=[evidence.at[k, "high"] for k in voi["evidence_row"]],
        measurement=[_measurement(evidence.loc[k]) for k in voi["evidence_row"]],
        choice_now_design=[design(r) for r in voi["choice_now"]],
        choice_if_low_design=[design(r) for r in voi["choice_if_low"]],
        choice_if_high_design=[design(r) for r in voi["choice_if_high"]],
    )
    return out


def summarize(
    rows: list[int],
    uses: pd.DataFrame,
    labels: dict[int, str],
    values: np.ndarray,
    feasible: np.ndarray,
    asr: np.ndarray,
    top: int = 3,
) -> Worlds:
    """P(feasible), ASR quantiles for every front design; for the given rows the catalog values
    whose draws rank-correlate most with its ASR and its feasibility over the worlds."""
    with np.errstate(invalid="ignore"):
        p10 = np.nanquantile(asr, 0.1, axis=0) if asr.size else np.array([])
        p90 = np.nanquantile(asr, 0.9, axis=0) if asr.size else np.array([])
    drivers: dict[int, list[str]] = {}
    # a rank correlation of independent draws scatters with sd 1/√(S − 1); ~60 values are tested
    # per design, so only |ρ| above 3.2 sd (a 5 % family-wise level) is named
    noise = 3.2 / np.sqrt(max(len(values) - 1, 1))
    for r in rows:
        used = uses.loc[uses["front_row"] == r, "evidence_row"].to_numpy()
        scores = []
        for k in used:
            x = values[:, k]
            if not np.isfinite(x).all() or np.ptp(x) == 0:
                continue
            rho_asr = _spearman(x, asr[:, r])
            rho_feasible = _spearman(x, feasible[:, r].astype(float))
            strength = np.nanmax(np.abs([rho_asr, rho_feasible]))
            if np.isfinite(strength) and strength >= noise:
                scores.append((strength, labels[k], rho_asr, rho_feasible))
        scores.sort(key=lambda t: -t[0])
        drivers[r] = [
            f"{label} (ρ with ASR {_fmt(ra)}, with feasibility {_fmt(rf)})"
            for _, label, ra, rf in scores[:top]
        ]
    return Worlds(len(values), feasible.mean(axis=0), p10, p90, drivers)


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    ok = np.isfinite(y)
    if ok.sum() < 3 or np.ptp(y[ok]) == 0:
        return float("nan")
    return float(spearmanr(x[ok], y[ok]).statistic)


def _fmt(value: float) -> str:
    return "–" if not np.isfinite(value) else f"{value:+.2f}"
