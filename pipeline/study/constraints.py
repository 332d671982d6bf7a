"""The constraints: one frozen record per constraint G ≤ 0, normalized by its limit.

The problem's G, the report's and CLI's constraint columns, and the limits drawn on plots all read
these records; adding a constraint is one `Constraint` in `CONSTRAINTS` plus the evaluated columns it
reads. A design is feasible when every active G ≤ 0; G = value/limit − 1 (or limit/value − 1) keeps
every G of order one. Each record reads its limit from the study config; the objectives it bounds
are the registry's (pipeline/study/registry.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeline.study.config import StudyConfig
from pipeline.study.registry import Values, searched_asr_ohm_cm2


@dataclass(frozen=True)
class Constraint:
    """A constraint G ≤ 0, normalized by its limit (G = value/limit − 1 or limit/value − 1).

    limit_key: the config key that holds the limit (None: a limit of the catalog, e.g. a process's
    thickness window); unknown: what a NaN means; whether it then counts as violated or met is the
    study's `constraints.unknown` policy. inputs: the evaluated columns `value` reads (a constraint is
    computed wherever they are present). limit_on: (objective column, "≤" or "≥") when the limit
    bounds an objective directly, so a plot of that objective can draw it (None: no such axis).
    """

    name: str
    description: str
    limit_key: str | None
    normalization: str
    unknown: str
    inputs: tuple[str, ...]
    value: Callable[[Values, StudyConfig], np.ndarray]
    active: Callable[[StudyConfig], bool]
    limit_on: tuple[str, str] | None = None


def _asr_limit(config: StudyConfig) -> float:
    return config.operating.asr_max_ohm_cm2


def _hazard_ratio(hazard: np.ndarray, config: StudyConfig) -> np.ndarray:
    """λ/λ_max − 1, λ_max = −ln(1 − p_max): ≤ 0 exactly when P(short) ≤ p_max. (Percolating pores,
    whose λ is 10⁶ paths for any density below the threshold, have their own constraint on
    density, g_percolation: inside g_short they left no direction, 0 feasible designs in 10 000
    evaluations of the default study, measured.)"""
    return hazard / -np.log1p(-config.constraints.max_short_probability) - 1.0


CONSTRAINTS: dict[str, Constraint] = {
    c.name: c
    for c in (
        Constraint(
            "g_asr",
            "total ASR at the operating temperature ≤ the limit",
            "operating.asr_max_ohm_cm2",
            "ASR / asr_max − 1",
            "no conductivity for the material at this temperature",
            ("total_asr_ohm_cm2",),
            lambda out, cfg: searched_asr_ohm_cm2(out, cfg) / _asr_limit(cfg) - 1.0,
            lambda cfg: cfg.constraints.asr,
            ("total_asr_ohm_cm2", "≤"),
        ),
        Constraint(
            "g_asr_cold",
            "total ASR at the cold end of constraints.temperature_window_c ≤ the limit",
            "operating.asr_max_ohm_cm2",
            "ASR(T_cold) / asr_max − 1",
            "no conductivity for the material at the cold end",
            ("total_asr_cold_ohm_cm2",),
            lambda out, cfg: out["total_asr_cold_ohm_cm2"] / _asr_limit(cfg) - 1.0,
            lambda cfg: cfg.constraints.asr and bool(cfg.constraints.temperature_window_c),
        ),
        Constraint(
            "g_thickness_min",
            "SSE layer thickness ≥ the process's minimum",
            None,
            "min_thickness / SSE layer thickness − 1",
            "never (every process has a window)",
            ("process_min_thickness_um", "sse_layer_thickness_um"),
            lambda out, cfg: out["process_min_thickness_um"] / out["sse_layer_thickness_um"] - 1.0,
            lambda cfg: True,
        ),
        Constraint(
            "g_thickness_max",
            "SSE layer thickness ≤ the process's maximum",
            None,
            "SSE layer thickness / max_thickness − 1",
            "never (every process has a window)",
            ("process_max_thickness_um", "sse_layer_thickness_um"),
            lambda out, cfg: out["sse_layer_thickness_um"] / out["process_max_thickness_um"] - 1.0,
            lambda cfg: True,
        ),
        Constraint(
            "g_strength",
            "strength ≥ the handling minimum (free-standing membranes; a supported film is -1)",
            "mechanics.min_strength_mpa",
            "min_strength / strength − 1",
            "no strength reported for the material",
            ("strength_mpa", "free_standing"),
            lambda out, cfg: np.where(
                out["free_standing"],
                cfg.mechanics.min_strength_mpa / out["strength_mpa"] - 1.0,
                -1.0,
            ),
            lambda cfg: cfg.constraints.strength,
            ("strength_mpa", "≥"),
        ),
        Constraint(
            "g_ccd",
            "flaw-initiated Li penetration at the charge current (areal capacity × charge C-rate, "
            "focused by lost contact): its probability ≤ the limit (a measured CCD is the median "
            "failure current of a test cell; objectives/shorts.py)",
            "constraints.max_short_probability",
            "λ_flaw / λ_max − 1 with λ_max = −ln(1 − max_short_probability)",
            "no CCD reported for the material or its coating",
            ("flaw_hazard_per_membrane",),
            lambda out, cfg: _hazard_ratio(out["flaw_hazard_per_membrane"], cfg),
            lambda cfg: cfg.constraints.ccd,
        ),
        Constraint(
            "g_short",
            "probability of a short by random pinholes, Li protrusions through a soft film or the "
            "plated capacity ≤ the limit (percolating pores: g_percolation)",
            "constraints.max_short_probability",
            # P = 1 − exp(−λ) ≤ p_max exactly when λ ≤ −ln(1 − p_max): the search compares the
            # summed hazard; the probability is computed for tables and reports
            "λ / λ_max − 1 with λ_max = −ln(1 − max_short_probability)",
            "a mechanism assessed for the material with an unknown number (short_circuit.csv)",
            ("short_hazard_per_membrane",),
            lambda out, cfg: _hazard_ratio(out["short_hazard_per_membrane"], cfg),
            lambda cfg: cfg.constraints.short_circuit,
            ("short_circuit_probability", "≤"),
        ),
        Constraint(
            "g_percolation",
            "relative density ≥ the family's pore-percolation threshold: below it Li filaments grow "
            "through the connected pores whatever the thickness (short_circuit.csv; −1 where the "
            "mechanism is not assessed)",
            "constraints.short_circuit",
            "ρ_c / ρ − 1",
            "a threshold assessed for the family with an unknown value",
            ("percolation_relative_density", "design_relative_density"),
            lambda out, cfg: (
                out["percolation_relative_density"] / out["design_relative_density"] - 1.0
            ),
            lambda cfg: cfg.constraints.short_circuit,
        ),
        Constraint(
            "g_stability",
            "the material is stable against Li (or a coating cures it) and against the cathode "
            "(or the cathode is coated)",
            "cell.cathode_coating",
            "−1 stable, +1 a reacting pair without a cure",
            "never (every material has a stability row)",
            ("li_side_stable", "cathode_side_stable"),
            lambda out, cfg: np.where(
                out["li_side_stable"] & out["cathode_side_stable"], -1.0, 1.0
            ),
            lambda cfg: cfg.constraints.stability,
        ),
        Constraint(
            "g_substrate",
            "a film deposited on the cathode is processed no hotter than the cathode takes "
            "(free-standing membranes are made apart from it)",
            "cell.cathode_max_processing_temperature_c",
            "T_process / T_max − 1 in kelvin (−1 for a free-standing membrane)",
            "never (every process has a processing temperature)",
            ("processing_temperature_c", "free_standing"),
            lambda out, cfg: np.where(
                out["free_standing"],
                -1.0,
                (out["processing_temperature_c"] + 273.15)
                / (cfg.cell.cathode_max_processing_temperature_c + 273.15)
                - 1.0,
            ),
            lambda cfg: cfg.constraints.substrate_temperature,
        ),
        Constraint(
            "g_bending",
            "a membrane made on a roll-to-roll line bends over its smallest roller without "
            "cracking: minimum bending radius E·t/(2σ_f) ≤ roller radius (−1 off rollers)",
            "constraints.roll_to_roll",
            "R_min / R_roller − 1 (−1 for a process that does not run over rollers)",
            "no Young's modulus or strength for the material",
            ("over_rollers", "minimum_bending_radius_mm", "roller_radius_mm"),
            lambda out, cfg: np.where(
                out["over_rollers"],
                out["minimum_bending_radius_mm"] / out["roller_radius_mm"] - 1.0,
                -1.0,
            ),
            lambda cfg: cfg.constraints.roll_to_roll,
        ),
        Constraint(
            "g_web_tension",
            "a membrane made on a roll-to-roll line carries the line's web tension: σ_f·t ≥ "
            "web tension (−1 off rollers)",
            "constraints.roll_to_roll",
            "T_web / (σ_f·t) − 1 (−1 for a process that does not run over rollers)",
            "no strength for the material",
            ("over_rollers", "handling_load_n_per_mm", "web_tension_n_per_mm"),
            lambda out, cfg: np.where(
                out["over_rollers"],
                out["web_tension_n_per_mm"] / out["handling_load_n_per_mm"] - 1.0,
                -1.0,
            ),
            lambda cfg: cfg.constraints.roll_to_roll,
        ),
        Constraint(
            "g_domain",
            "the surrogate's applicability score ≥ its domain threshold (no extrapolation): always "
            "for predicted compositions, for catalog materials when penalize_out_of_domain",
            "surrogate.penalize_out_of_domain",
            "−1 inside the domain, +1 outside",
            "never (no surrogate prediction counts as inside)",
            ("domain_violation",),
            lambda out, cfg: np.where(out["domain_violation"], 1.0, -1.0),
            lambda cfg: cfg.surrogate.penalize_out_of_domain or bool(cfg.search.families),
        ),
    )
}


def constraint_values(out: Values, config: StudyConfig) -> dict[str, np.ndarray]:
    """Every registered constraint whose input columns are present (active or not)."""
    return {
        name: c.value(out, config)
        for name, c in CONSTRAINTS.items()
        if all(column in out for column in c.inputs)
    }


def active_constraints(config: StudyConfig) -> tuple[str, ...]:
    return tuple(name for name, c in CONSTRAINTS.items() if c.active(config))


def objective_limits(config: StudyConfig) -> dict[str, tuple[str, float]]:
    """Objective column -> (relation, limit) of every active constraint that bounds it directly,
    the limit read from the config key the constraint names (e.g. total ASR ≤ 50)."""
    out: dict[str, tuple[str, float]] = {}
    for c in CONSTRAINTS.values():
        if c.limit_on is None or c.limit_key is None or not c.active(config):
            continue
        value: Any = config
        for part in c.limit_key.split("."):
            value = getattr(value, part)
        out[c.limit_on[0]] = (c.limit_on[1], float(value))
    return out
