"""The registry: one frozen record per objective.

Everything else derives from these records: config validation (`objectives`, `decision.asf_weights`,
`normalization` keys and defaults), the problem's F, hypervolume normalization, plot labels, report
and CLI tables, front comparison. Adding an objective is one `register_objective(Objective(...))`
(tests/pipeline/study/test_registry.py runs a study with a toy objective). Constraints are declared
the same way in pipeline/study/constraints.py, decision-variable kinds in pipeline/study/space.py.

Conventions: every record's name is the column it fills in the evaluated table, with its unit in the
name (`thickness_um`); the search minimizes (pymoo), so a maximized objective enters F with a minus
sign.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from objectives import microstructure, shorts

Values = Mapping[str, np.ndarray]
# The config an objective's compute and searched receive: a pipeline.study.config.StudyConfig. It is
# named, not imported: the config validates its objective names against this registry, so the
# registry sits below it and imports nothing of it (tests/test_import_graph.py).
StudyConfigLike = Any
G_CLIP = (
    1e6  # |G| and an unknown minimized objective are clipped here, so no inf reaches the search
)


# --- objectives ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Objective:
    """An objective: the column it reads (or computes), its unit, sense and default bounds.

    bounds: the default normalization range for hypervolume (the config's `normalization` overrides);
    compute: how the column is computed from the evaluated columns when the evaluation does not
    already fill it, and inputs: the evaluated columns it reads (a search keeps only those of its
    objectives, StudyModel.search_columns); searched: the value the search optimizes when it differs from the reported
    column (robust mode optimizes the ASR quantile); a NaN (unknown) value counts as the worst:
    0 for a maximized objective (it cannot be claimed), G_CLIP for a minimized one.
    """

    name: str
    unit: str
    sense: str  # "min" or "max"
    label: str
    bounds: tuple[float, float]
    description: str
    compute: Callable[[Values, StudyConfigLike], np.ndarray] | None = None
    searched: Callable[[Values, StudyConfigLike], np.ndarray] | None = None
    inputs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.sense not in ("min", "max"):
            raise ValueError(f"objective {self.name!r}: sense must be 'min' or 'max'")
        if (self.compute is None) != (not self.inputs):
            raise ValueError(
                f"objective {self.name!r}: inputs are named exactly when it is computed"
            )
        if not self.bounds[0] < self.bounds[1]:
            raise ValueError(f"objective {self.name!r}: bounds must be (low, high), low < high")

    @property
    def maximized(self) -> bool:
        return self.sense == "max"

    @property
    def axis_label(self) -> str:
        return f"{self.label} [{self.unit}]" if self.unit else self.label

    @property
    def evaluated_columns(self) -> tuple[str, ...]:
        """The evaluated columns this objective is read or computed from."""
        return self.inputs or (self.name,)

    def column(self, out: Values, config: StudyConfigLike) -> np.ndarray:
        return out[self.name] if self.compute is None else self.compute(out, config)

    def minimized(self, out: Values, config: StudyConfigLike) -> np.ndarray:
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


def searched_asr_ohm_cm2(out: Values, config: StudyConfigLike) -> np.ndarray:
    """The ASR the search holds to account: its robust quantile in robust mode, else the ASR at the
    σ used."""
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
        inputs=("free_standing", "strength_mpa", "thickness_um"),
    ),
    Objective(
        "short_circuit_probability",
        "0-1",
        "min",
        "short-circuit probability",
        (0.0, 1.0),
        "probability of a short by every mechanism the catalog assesses (objectives/defects.py, "
        "objectives/shorts.py); flaw-initiated penetration adds nothing where no CCD is known (its "
        "constraint carries that unknown to the study's policy)",
        compute=lambda out, cfg: shorts.short_probability(
            out["short_hazard_per_membrane"],
            out["percolation_paths_per_membrane"],
            np.nan_to_num(out["flaw_hazard_per_membrane"], nan=0.0),
        ),
        inputs=(
            "short_hazard_per_membrane",
            "percolation_paths_per_membrane",
            "flaw_hazard_per_membrane",
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


def computed_columns(out: Values, config: StudyConfigLike) -> dict[str, np.ndarray]:
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
