"""The registry: one frozen record per objective, constraint and decision-variable kind.

Everything else derives from these records: config validation (`objectives`, `decision.asf_weights`,
`normalization` keys and defaults), the problem's F and G, the search's number of variables,
hypervolume normalization, plot labels, report and CLI tables, front comparison. Adding an
objective is one `register_objective(Objective(...))` (tests/pipeline/study/test_registry.py runs a
study with a toy objective); adding a variable kind is one `Variable` record in `VARIABLES` plus the
physics that uses its column.

Conventions: every record's name is the column it fills in the evaluated table, with its unit in the
name (`thickness_um`, `g_asr`); the search minimizes (pymoo), so a maximized objective enters F with
a minus sign; constraints are normalized so that a design is feasible when every G ≤ 0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from objectives import defects, microstructure
from pipeline.study import compositions

if TYPE_CHECKING:
    from pipeline.study.config import StudyConfig
    from pipeline.study.space import DesignSpace

Values = Mapping[str, np.ndarray]
G_CLIP = (
    1e6  # |G| and an unknown minimized objective are clipped here, so no inf reaches the search
)


# --- objectives ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Objective:
    """An objective: the column it reads (or computes), its unit, sense and default bounds.

    bounds: the default normalization range for hypervolume (the config's `normalization` overrides);
    compute: how the column is computed from the evaluated columns when the evaluation does not
    already fill it; searched: the value the search optimizes when it differs from the reported
    column (robust mode optimizes the ASR quantile); a NaN (unknown) value counts as the worst:
    0 for a maximized objective (it cannot be claimed), G_CLIP for a minimized one.
    """

    name: str
    unit: str
    sense: str  # "min" or "max"
    label: str
    bounds: tuple[float, float]
    description: str
    compute: Callable[[Values, StudyConfig], np.ndarray] | None = None
    searched: Callable[[Values, StudyConfig], np.ndarray] | None = None

    def __post_init__(self) -> None:
        if self.sense not in ("min", "max"):
            raise ValueError(f"objective {self.name!r}: sense must be 'min' or 'max'")
        if not self.bounds[0] < self.bounds[1]:
            raise ValueError(f"objective {self.name!r}: bounds must be (low, high), low < high")

    @property
    def maximized(self) -> bool:
        return self.sense == "max"

    @property
    def axis_label(self) -> str:
        return f"{self.label} [{self.unit}]" if self.unit else self.label

    def column(self, out: Values, config: StudyConfig) -> np.ndarray:
        return out[self.name] if self.compute is None else self.compute(out, config)

    def minimized(self, out: Values, config: StudyConfig) -> np.ndarray:
        """The F column: the searched value, sign-flipped when maximized, unknown as the worst."""
        value = out[self.name] if self.searched is None else self.searched(out, config)
        if self.maximized:
            return -np.nan_to_num(value, nan=0.0)
        return np.nan_to_num(value, nan=G_CLIP)

    def normalized(self, f: np.ndarray, low: float, high: float) -> np.ndarray:
        """An F column mapped to [0, 1] between the bounds (0 = best bound, 1 = worst)."""
        if self.maximized:
            value = -f
            return (high - value) / (high - low)
        return (f - low) / (high - low)


def searched_asr_ohm_cm2(out: Values, config: StudyConfig) -> np.ndarray:
    """The ASR the search holds to account: the robust quantile in robust mode, else the mean."""
    if config.surrogate.robust and "robust_asr_ohm_cm2" in out:
        return out["robust_asr_ohm_cm2"]
    return out["total_asr_ohm_cm2"]


OBJECTIVES: dict[str, Objective] = {}


def register_objective(objective: Objective) -> Objective:
    if objective.name in OBJECTIVES:
        raise ValueError(f"objective {objective.name!r} is already registered")
    OBJECTIVES[objective.name] = objective
    return objective


@contextmanager
def registered(objective: Objective) -> Iterator[Objective]:
    """Register an objective for the duration of a block (plug-ins and tests)."""
    register_objective(objective)
    try:
        yield objective
    finally:
        OBJECTIVES.pop(objective.name, None)


for _objective in (
    Objective(
        "thickness_um",
        "µm",
        "min",
        "thickness",
        (0.0, 250.0),
        "membrane thickness (the SSE layer plus a bilayer's Li-side interlayer, if any)",
    ),
    Objective(
        "total_asr_ohm_cm2",
        "Ω cm²",
        "min",
        "total ASR",
        (0.0, 50.0),
        "bulk L/σ plus Li-side and cathode-side interfacial ASR",
        searched=searched_asr_ohm_cm2,
    ),
    Objective(
        "strength_mpa",
        "MPa",
        "max",
        "strength",
        (0.0, 300.0),
        "porosity-reduced intrinsic strength (the same at any thickness)",
    ),
    Objective(
        "handling_load_n_per_mm",
        "N/mm",
        "max",
        "handling load",
        (0.0, 50.0),
        "tensile load per unit width a free-standing membrane carries, σ_f·t (unknown for a "
        "supported film: it is carried by its electrode)",
    ),
    Objective(
        "bending_moment_n_mm_per_mm",
        "N mm/mm",
        "max",
        "bending moment capacity",
        (0.0, 3.0),
        "bending moment per unit width, σ_f·t²/6 (physics notes §5)",
        compute=lambda out, cfg: np.where(
            out["free_standing"],
            microstructure.bending_moment_capacity_n_mm_per_mm(
                out["strength_mpa"], out["thickness_um"]
            ),
            np.nan,
        ),
    ),
    Objective(
        "short_circuit_probability",
        "0-1",
        "min",
        "short-circuit probability",
        (0.0, 1.0),
        "probability of at least one through-thickness defect in the membrane (objectives/defects.py)",
        compute=lambda out, cfg: defects.short_circuit_probability(
            out["through_defects_per_membrane"]
        ),
    ),
    Objective(
        "manufacturability",
        "0-1",
        "max",
        "manufacturability",
        (0.0, 1.0),
        "weighted score of maturity, thickness margin, temperature, atmosphere, scalability",
    ),
    Objective(
        "gravimetric_wh_per_kg",
        "Wh/kg",
        "max",
        "stack energy",
        (0.0, 600.0),
        "Al | cathode | SSE | Li | Cu stack energy density",
    ),
):
    register_objective(_objective)

# a cell engineer judges a free-standing membrane by the load it carries, which falls with thickness
DEFAULT_OBJECTIVES = (
    "thickness_um",
    "total_asr_ohm_cm2",
    "handling_load_n_per_mm",
    "manufacturability",
)


def computed_columns(out: Values, config: StudyConfig) -> dict[str, np.ndarray]:
    """Every registered objective the evaluation does not fill itself, computed from its columns
    (for tables and reports; the search computes only the objectives it optimizes)."""
    return {
        name: o.column(out, config)
        for name, o in OBJECTIVES.items()
        if name not in out and o.compute is not None
    }


def objective_set_key(objectives: tuple[str, ...] | list[str]) -> str:
    """One name for a set of objectives, in registry order (the same set listed in another order
    gives the same key): metrics of different sets, such as hypervolumes, get different names."""
    order = list(OBJECTIVES)
    return "-".join(sorted(objectives, key=order.index))


def axis_label(column: str) -> str:
    """An objective's label with unit; other columns as they are named."""
    return OBJECTIVES[column].axis_label if column in OBJECTIVES else column


def default_bounds() -> dict[str, tuple[float, float]]:
    return {name: o.bounds for name, o in OBJECTIVES.items()}


def normalize(
    F: np.ndarray, objectives: tuple[str, ...], bounds: Mapping[str, tuple[float, float]]
) -> np.ndarray:
    """Map minimized objectives (maximized ones carry a minus sign) to [0, 1] by fixed bounds."""
    out = np.empty_like(F, dtype=float)
    for j, name in enumerate(objectives):
        low, high = bounds[name]
        out[:, j] = OBJECTIVES[name].normalized(F[:, j], low, high)
    return out


# --- constraints --------------------------------------------------------------------------------


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
            "critical current density ≥ the cell's current density (areal capacity × C-rate)",
            "cell.c_rate_per_h",
            "j / CCD − 1",
            "no CCD reported for the material or its coating",
            ("current_density_ma_per_cm2", "ccd_ma_per_cm2"),
            lambda out, cfg: out["current_density_ma_per_cm2"] / out["ccd_ma_per_cm2"] - 1.0,
            lambda cfg: cfg.constraints.ccd,
        ),
        Constraint(
            "g_short",
            "probability of a through-defect (short circuit) ≤ the limit",
            "constraints.max_short_probability",
            # P = 1 − exp(−λ) ≤ p_max exactly when λ ≤ −ln(1 − p_max): the search compares the
            # expected defect count; the probability is computed for tables and reports
            "λ / λ_max − 1 with λ_max = −ln(1 − max_short_probability)",
            "never (every process has a density cap and a defect size)",
            ("through_defects_per_membrane",),
            lambda out, cfg: (
                out["through_defects_per_membrane"]
                / -np.log1p(-cfg.constraints.max_short_probability)
                - 1.0
            ),
            lambda cfg: cfg.constraints.short_circuit,
            ("short_circuit_probability", "≤"),
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


# --- decision variables -------------------------------------------------------------------------


@dataclass(frozen=True)
class Variable:
    """A continuous decision variable: one column of X in [0, 1] after the option column.

    decode maps that column to the design's value for each row's option (an index into the valid
    (material, process, coating) options); grid_values lists the values of x to enumerate for one
    option when the space is snapped to `levels` (exact-front checks).
    """

    name: str
    unit: str
    description: str
    decode: Callable[[np.ndarray, DesignSpace, np.ndarray], np.ndarray]
    grid_values: Callable[[DesignSpace, int, np.ndarray], np.ndarray]
    # a variable that no option of a space uses gets no column of X (catalog studies keep n_var)
    active: Callable[[DesignSpace], bool] = lambda space: True
    inactive_value: float = 0.0


def _all_levels(space: DesignSpace, option: int, levels: np.ndarray) -> np.ndarray:
    return levels


def _log_uniform_thickness(x: np.ndarray, space: DesignSpace, option: np.ndarray) -> np.ndarray:
    lo, hi = space.log_min_thickness[option], space.log_max_thickness[option]
    return np.exp(lo + x * (hi - lo))


def _relative_density(x: np.ndarray, space: DesignSpace, option: np.ndarray) -> np.ndarray:
    low, high = space.density_low[option], space.density_high[option]
    return low + x * (high - low)


def _filler_fraction(x: np.ndarray, space: DesignSpace, option: np.ndarray) -> np.ndarray:
    return np.where(space.is_template[option], x * space.filler_fraction_max, 0.0)


def _filler_levels(space: DesignSpace, option: int, levels: np.ndarray) -> np.ndarray:
    return levels if space.is_template[option] else np.array([0.0])


def _dopant_level(x: np.ndarray, space: DesignSpace, option: np.ndarray) -> np.ndarray:
    """Substitution level x of a composition family, snapped to its LEVELS grid; NaN otherwise."""
    low, high = space.dopant_low[option], space.dopant_high[option]
    steps = compositions.LEVELS - 1
    return low + np.round(x * steps) / steps * (high - low)


def _dopant_levels(space: DesignSpace, option: int, levels: np.ndarray) -> np.ndarray:
    return levels if space.is_family[option] else np.array([0.0])


# The option variable (x0) comes first: floor(x0 · n_options) picks a valid (material, process,
# coating) combination; these columns name what it decodes to.
OPTION_COLUMNS = ("material", "process", "coating")

VARIABLES: tuple[Variable, ...] = (
    Variable(
        "thickness_um",
        "µm",
        "log-uniform inside the option's process window [min, max]",
        _log_uniform_thickness,
        _all_levels,
    ),
    Variable(
        "relative_density",
        "",
        "linear in [search.relative_density_min, the process's relative_density_max]",
        _relative_density,
        _all_levels,
    ),
    Variable(
        "filler_fraction",
        "",
        "filler volume fraction in [0, search.filler_fraction_max]; 0 unless a composite template",
        _filler_fraction,
        _filler_levels,
    ),
    Variable(
        "dopant_level",
        "",
        "substitution level x of a composition family in its sourced window [x_min, x_max] "
        "(composition_families.csv), on 101 levels; NaN for a catalog material",
        _dopant_level,
        _dopant_levels,
        active=lambda space: bool(space.is_family.any()),
        inactive_value=np.nan,
    ),
)

DESIGN_COLUMNS = (*OPTION_COLUMNS, *(v.name for v in VARIABLES))


def x_columns(n_var: int) -> list[str]:
    """Names of the encoded-variable columns in a front table (x0 = option, x1... = VARIABLES)."""
    return [f"x{j}" for j in range(n_var)]
