"""Simulated measurement campaigns (issue 24, 'Value of information'): does measuring what ssemo
ranks first settle the choice sooner than measuring in another order?

A hidden true world is one draw of every catalog value from its evidence range (plausible.draw_values
with a seed of its own). A campaign starts from the prior catalog and, per step, measures one catalog
value: the true value times a log-normal error of `noise_sd_log10` decades (an assumption: about
±12 % at 1 sd, a careful lab measurement; the update is told the same sd). The measurement updates
the catalog by the one stated rule, catalog_measurements.apply_measurements (log10 normal update;
a measurement far from the prior widens the range instead of narrowing it). The campaign re-plans in
worlds drawn from the updated ranges and recommends a design; its regret is read in the true world.

- Candidates: re-running NSGA-II at every step is too slow, so the decision is made among a fixed
  set (`candidate_designs`): the compromise choices (knee, ASF, pseudo-weights, best per family) of
  the nominal study's front and of the fronts NSGA-II finds in `n_worlds` catalogs drawn from the
  prior ranges. The nominal front alone can be one material, process and coating at many
  thicknesses (the default study's is: UFS LLZO with LiI/ZnLix), between which no measurement can
  choose; the fronts of drawn worlds add the designs that win when a range's other end is true.
- Recommendation: the candidate with the best mean utility over the planning worlds
  (worlds.best_expected, the report's 'choice now'), utility as worlds.utility: −ASF (the ASF of
  the study's weights on its fixed normalization bounds, clipped to [0, 1]) where the design is
  feasible in that world, one less where it is not.
- Regret in the true world: max over candidates of the true utility − the recommendation's true
  utility. The utility is already normalized (the ASF is 0 at the objectives' best bounds and 1 at
  their worst), so regret ≤ 5 % means `regret ≤ 0.05`: the recommendation is feasible whenever any
  candidate is, and its ASF is within 5 % of the normalization range of the best candidate's.
- Policies, each measuring every value at most once, among the same measurable values (every
  catalog value a candidate's evaluation reads that has a positive, non-zero-width range):
  'ssemo': the unmeasured value with the largest expected value of partial perfect information
  (worlds.value_of_information, the estimate the report's 'Which measurement is worth most'
  ranks by, without the report's noise floor; ties, e.g. values no candidate's utility depends on,
  go to the widest log range: Campaign.zero_value_picks counts them); 'random': a seeded random
  order; 'widest_first': widest log10(high/low) first; 'none': no measurement.
- Measurements to regret ≤ 5 %: the number of measurements after which the recommendation first
  has regret ≤ 0.05 (0 when the prior's already does); budget + 1 when it never does within the
  budget. A campaign runs to the budget all the same, so that a recommendation that dips below
  0.05 by churning and leaves again shows: `n_measurements_stays` counts until the regret is ≤ 0.05
  and stays there to the budget (budget + 1 when it is above at the end).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pipeline.reporting.decisive import evidence_uses
from pipeline.reporting.worlds import best_expected, evaluate_at, utility, value_of_information
from pipeline.run import front_and_choices
from pipeline.search.nsga2 import run_nsga2
from pipeline.study.catalog_measurements import apply_measurements
from pipeline.study.plausible import catalog_with, draw_values, model_with

POLICIES = ("ssemo", "random", "widest_first", "none")
REGRET_THRESHOLD = 0.05  # in utility (ASF) units: 5 % of the objectives' normalization range
NOISE_SD_LOG10 = 0.05  # assumption: a measurement's standard error, in decades (±12 %)


@dataclass(frozen=True)
class Setup:
    """What every campaign of one study shares: the model (prior catalog), the candidate designs,
    the prior evidence table, the measurable evidence rows and the planning protocol."""

    model: Any  # StudyModel
    candidates: pd.DataFrame
    evidence: pd.DataFrame  # the prior catalog's evidence (Catalog.evidence)
    measurable: np.ndarray  # evidence rows a policy may measure
    # 4 EVPPI bins of 64: with 8 worlds a bin (32 worlds) the best of ~50 candidates' bin means was
    # mostly noise (benchmarks/uncertainty.py, protocol 1 against 2)
    n_planning_worlds: int = 256
    planning_seed: int = 0
    noise_sd_log10: float = NOISE_SD_LOG10
    budget: int = 8
    threshold: float = REGRET_THRESHOLD
    # plans by the measurements so far (the prior's plan is shared by every campaign)
    cache: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Hidden:
    """A hidden true world: its catalog values, each candidate's utility there, and what a lab
    would read when measuring each evidence row (true value × log-normal error, drawn once per
    row so that every policy measuring a value reads the same number)."""

    seed: int
    values: np.ndarray  # per evidence row
    utility: np.ndarray  # per candidate
    readings: np.ndarray  # per evidence row


@dataclass(frozen=True)
class Plan:
    """Planning worlds drawn from the current catalog's ranges: their values, the candidates'
    utility in each [world, candidate] and the recommendation."""

    values: np.ndarray
    utility: np.ndarray
    recommendation: int


@dataclass(frozen=True)
class Campaign:
    """One policy in one hidden world: the values measured in order, the recommendation and its
    regret after 0, 1, ... measurements, and the measurements to regret ≤ threshold."""

    policy: str
    measured: list[int]
    recommendations: list[int]
    regrets: list[float]
    n_measurements: int  # budget + 1 when never reached
    n_measurements_stays: int  # until ≤ threshold to the end; budget + 1 when above at the end
    zero_value_picks: int = 0  # ssemo's picks made by the tie rule (every EVPPI 0)


def candidate_designs(model, n_worlds: int, seed: int) -> pd.DataFrame:
    """The compromise choices of the nominal front and of NSGA-II's front in each of n_worlds
    catalogs drawn from the prior ranges (a world where nothing is feasible adds none), one row
    per distinct design (the study's decoded table, the world it came from: -1 nominal)."""
    evidence = model.catalog.evidence()
    values = draw_values(evidence, n_worlds, seed)
    parts = []
    for world in range(-1, n_worlds):
        moved = (
            model
            if world < 0
            else model_with(model, catalog_with(model.catalog, values[world]), "all")
        )
        archive = run_nsga2(moved, progress=False).archive.X
        if len(archive) == 0:
            continue
        _, chosen = front_and_choices(moved, archive)
        parts.append(model.table(chosen[model.space.x_columns].to_numpy(float)).assign(world=world))
    if not parts:
        return pd.DataFrame(columns=[*model.space.x_columns, "world"])
    table = pd.concat(parts, ignore_index=True)
    return table.drop_duplicates(subset=list(model.space.x_columns)).reset_index(drop=True)


def measurable_values(model, candidates: pd.DataFrame, evidence: pd.DataFrame) -> np.ndarray:
    """Evidence rows a candidate's evaluation reads (decisive.evidence_uses) whose value and range
    are positive and of non-zero width: the values a campaign can measure and update in log10."""
    if len(candidates) == 0:
        return np.array([], dtype=int)
    uses = evidence_uses(
        model.catalog,
        candidates,
        model.config.cell.cathode_coating,
        model.config.surrogate.conductivity_source == "surrogate",
    )
    rows = np.unique(uses["evidence_row"].to_numpy(int))
    v, low, high = (evidence.loc[rows, c].to_numpy(float) for c in ("value", "low", "high"))
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(v) & np.isfinite(low) & np.isfinite(high) & (low > 0) & (high > low)
    return widest_first(rows[ok], evidence)


def widest_first(rows: Sequence[int] | np.ndarray, evidence: pd.DataFrame) -> np.ndarray:
    """Evidence rows by log10(high / low), widest first (ties in row order)."""
    rows = np.asarray(rows, dtype=int)
    span = np.log10(evidence.loc[rows, "high"].to_numpy(float)) - np.log10(
        evidence.loc[rows, "low"].to_numpy(float)
    )
    return rows[np.argsort(-span, kind="stable")]


def hidden_world(setup: Setup, seed: int) -> Hidden:
    """One true world drawn from the prior ranges with its own seed, the candidates' utility in
    it, and the reading a lab would get for each value (error drawn from the same seed)."""
    values = draw_values(setup.evidence, 1, seed)
    feasible, _, asf = evaluate_at(setup.model, setup.candidates, values)
    error = np.random.default_rng([seed, 1]).normal(0.0, setup.noise_sd_log10, len(values[0]))
    return Hidden(seed, values[0], utility(feasible, asf)[0], values[0] * 10.0**error)


def regret(hidden: Hidden, recommendation: int) -> float:
    """True utility of the best candidate − that of the recommendation (utility units)."""
    return float(np.max(hidden.utility) - hidden.utility[recommendation])


def prior_regrets(setup: Setup, seeds: Sequence[int]) -> np.ndarray:
    """The regret of the prior's recommendation (no measurement) in the hidden world of each seed:
    a property of the study, its ranges and candidates, not of any policy. Its share ≤ threshold
    says how often knowledge cannot matter (a campaign's 0 before any measurement)."""
    recommendation = plan(setup, []).recommendation
    return np.array([regret(hidden_world(setup, seed), recommendation) for seed in seeds])


def measurements_frame(setup: Setup, measured: Sequence[tuple[int, float]]) -> pd.DataFrame:
    """The measurements as catalog_measurements.apply_measurements reads them."""
    return pd.DataFrame(
        {
            "evidence_row": [k for k, _ in measured],
            "value": [v for _, v in measured],
            "sd_log10": [setup.noise_sd_log10] * len(measured),
            "sample_id": [f"simulated-{i + 1}" for i in range(len(measured))],
            "source": ["simulated campaign"] * len(measured),
        }
    )


def plan(setup: Setup, measured: Sequence[tuple[int, float]]) -> Plan:
    """The candidates in planning worlds drawn from the catalog updated by these measurements.
    The same planning seed at every step (common random numbers: each value's Latin-hypercube
    strata stay where they were), so a recommendation moves because a measurement moved a range,
    not because the planning worlds were drawn again; the prior's plan is every campaign's."""
    key = tuple(sorted(measured))
    if key in setup.cache:
        return setup.cache[key]
    catalog = setup.model.catalog
    if measured:
        catalog, _ = apply_measurements(catalog, measurements_frame(setup, measured))
    values = draw_values(catalog.evidence(), setup.n_planning_worlds, setup.planning_seed)
    feasible, _, asf = evaluate_at(setup.model, setup.candidates, values)
    u = utility(feasible, asf)
    result = Plan(values, u, best_expected(u))
    setup.cache[key] = result
    return result


def ssemo_choice(setup: Setup, current: Plan, unmeasured: np.ndarray) -> tuple[int, float] | None:
    """The unmeasured value with the largest EVPPI over the current planning worlds (ties to the
    widest range) and its EVPPI; None when none varies in them."""
    ranked = value_of_information(current.values, current.utility, list(unmeasured), n_null=0)
    if ranked.empty:
        return None
    return int(ranked["evidence_row"].iloc[0]), float(ranked["evppi"].iloc[0])


def run_campaign(
    setup: Setup, hidden: Hidden, policy: str, order_seed: int | Sequence[int] = 0
) -> Campaign:
    """One campaign to the budget (module docstring); `order_seed` seeds the random policy's
    order."""
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r}; expected one of {', '.join(POLICIES)}")
    order = list(widest_first(setup.measurable, setup.evidence))
    if policy == "random":
        order = list(np.random.default_rng(order_seed).permutation(setup.measurable))
    measured: list[tuple[int, float]] = []
    current = plan(setup, measured)
    recommendations = [current.recommendation]
    regrets = [regret(hidden, current.recommendation)]
    zero_value_picks = 0
    while len(measured) < setup.budget and policy != "none":
        done = {k for k, _ in measured}
        unmeasured = np.array([k for k in order if k not in done], dtype=int)
        if len(unmeasured) == 0:
            break
        if policy == "ssemo":
            pick = ssemo_choice(setup, current, unmeasured)
            if pick is None:
                break
            k = pick[0]
            zero_value_picks += pick[1] <= 1e-12
        else:
            k = int(unmeasured[0])
        measured.append((k, float(hidden.readings[k])))
        current = plan(setup, measured)
        recommendations.append(current.recommendation)
        regrets.append(regret(hidden, current.recommendation))
    return Campaign(
        policy,
        [k for k, _ in measured],
        recommendations,
        regrets,
        first_below(regrets, setup.threshold, setup.budget),
        stays_below(regrets, setup.threshold, setup.budget),
        zero_value_picks,
    )


def first_below(regrets: Sequence[float], threshold: float, budget: int) -> int:
    """Measurements until the regret is first ≤ threshold; budget + 1 when never."""
    return next((n for n, r in enumerate(regrets) if r <= threshold), budget + 1)


def stays_below(regrets: Sequence[float], threshold: float, budget: int) -> int:
    """Measurements after which the regret is ≤ threshold at every later step of the campaign;
    budget + 1 when the last regret is above it. A campaign that ended early (nothing left to
    measure) keeps its last recommendation to the budget."""
    above = [n for n, r in enumerate(regrets) if r > threshold]
    if not above:
        return 0
    return budget + 1 if above[-1] == len(regrets) - 1 else above[-1] + 1


def study_setup(
    model,
    *,
    candidate_worlds: int = 16,
    candidate_seed: int = 0,
    **protocol,
) -> Setup:
    """The setup of a study's campaigns: candidates from the nominal front and candidate_worlds
    drawn worlds, the prior evidence and what can be measured; protocol: Setup's other fields."""
    evidence = model.catalog.evidence()
    candidates = candidate_designs(model, candidate_worlds, candidate_seed)
    return Setup(
        model, candidates, evidence, measurable_values(model, candidates, evidence), **protocol
    )
