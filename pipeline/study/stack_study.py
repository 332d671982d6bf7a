"""A multi-layer study: NSGA-II over the layer thicknesses and densities of named stacks.

A study lists its stacks in `search.stacks`, each written from the Li side to the cathode side as
"material/process + material/process [+ material/process]", the first layer optionally with its
Li-side coating "material/process@coating" (default none). The search variables are the stack
(x0, one of the listed stacks) and, per layer, its thickness (log-uniform in its process's window)
and its relative density (in [search.relative_density_min, the process's cap]); a stack with fewer
layers leaves the others absent. Everything a stack is judged by comes from
pipeline/study/stacks.py (StackEvaluator): series ASR with the internal interfaces of
layer_interfaces.csv, each outer face's stability against its own electrode, the shorts of the
stack (a dense layer blocks what a porous one lets through), laminate mechanics, energy.

The constraints are the single-layer study's where a stack has them (ASR limit, stability,
P(short) of the stack, flaw-initiated penetration of the Li-side layer at the charge current,
every layer inside its process window, a valid material/process/coating for every layer); an
unknown value (an interface with no number, a missing CCD) follows constraints.unknown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.errors import ConfigError, did_you_mean
from pipeline.study.catalog import Catalog
from pipeline.study.config import StudyConfig
from pipeline.study.constraints import CONSTRAINTS
from pipeline.study.evaluation import Evaluator
from pipeline.study.registry import G_CLIP, OBJECTIVES
from pipeline.study.space import VARIABLE_BY_NAME, x_columns
from pipeline.study.stacks import MAX_LAYERS, StackBatch, StackEvaluator

STACK_OBJECTIVES = (
    "thickness_um",
    "total_asr_ohm_cm2",
    "handling_load_n_per_mm",
    "gravimetric_wh_per_kg",
)
SHARED_CONSTRAINTS = ("g_asr", "g_stability", "g_short", "g_ccd")  # pipeline/study/constraints.py
STACK_CONSTRAINTS = (*SHARED_CONSTRAINTS, "g_thickness_window", "g_valid")


@dataclass(frozen=True)
class Stack:
    """One named stack: per layer (Li side first) its material and process ids; the coating on
    the Li side of the first layer."""

    label: str
    materials: tuple[str, ...]
    processes: tuple[str, ...]
    coating: str


def parse_stacks(config: StudyConfig, catalog: Catalog) -> list[Stack]:
    """search.stacks as Stack records; a ConfigError naming the key and entry for anything the
    catalog does not hold or a stack of more than three layers."""
    key = f"{config.source}: key 'search.stacks'"
    if not config.search.stacks:
        raise ConfigError(f"{key}: a multi-layer study lists at least one stack")
    if len(set(config.search.stacks)) != len(config.search.stacks):
        raise ConfigError(f"{key}: a stack is listed twice")
    applies = catalog.process_applies()
    stacks = []
    for entry in config.search.stacks:
        parts = [p.strip() for p in entry.split("+")]
        if not 1 <= len(parts) <= MAX_LAYERS:
            raise ConfigError(
                f"{key}: {entry!r} has {len(parts)} layer(s); expected 1 to {MAX_LAYERS} "
                "'material/process' joined by ' + '"
            )
        if not all(parts):
            raise ConfigError(f"{key}: {entry!r}: a layer before or after '+' is empty")
        if any("@" in part for part in parts[1:]):
            raise ConfigError(
                f"{key}: {entry!r}: a coating ('@coating') goes on the first, Li-side layer only"
            )
        coating = "none"
        if "@" in parts[0]:
            parts[0], coating = (x.strip() for x in parts[0].split("@", 1))
        materials, processes = [], []
        for part in parts:
            if part.count("/") != 1:
                raise ConfigError(f"{key}: layer {part!r} of {entry!r}: expected material/process")
            material, process = (x.strip() for x in part.split("/"))
            for name, known, what in (
                (material, catalog.material_ids, "material"),
                (process, catalog.process_ids, "process"),
            ):
                if name not in known:
                    raise ConfigError(
                        f"{key}: {entry!r}: unknown {what} {name!r}{did_you_mean(name, known)}"
                    )
            if not applies[
                catalog.material_ids.index(material), catalog.process_ids.index(process)
            ]:
                raise ConfigError(
                    f"{key}: {entry!r}: process {process!r} does not make {material!r} "
                    "(processes.csv families, or the process that made an as-made sheet)"
                )
            materials.append(material)
            processes.append(process)
        if coating not in catalog.coating_ids:
            raise ConfigError(
                f"{key}: {entry!r}: unknown coating {coating!r}"
                f"{did_you_mean(coating, catalog.coating_ids)}"
            )
        stacks.append(Stack(entry, tuple(materials), tuple(processes), coating))
    return stacks


@dataclass(frozen=True)
class LayerWindows:
    """One layer slot's windows per stack: what the space's variable records decode a layer's
    thickness and density against (pipeline/study/space.py VARIABLES, as for a monolayer)."""

    log_min_thickness: np.ndarray  # (n_stacks,)
    log_max_thickness: np.ndarray
    density_low: np.ndarray
    density_high: np.ndarray


# per layer slot, the monolayer's own records: thickness log-uniform in the process window, relative
# density linear up to the process's cap
LAYER_VARIABLES = tuple(VARIABLE_BY_NAME[name] for name in ("thickness_um", "relative_density"))


@dataclass(frozen=True)
class StackSpace:
    """x0 picks a stack; then per layer variable (LAYER_VARIABLES) one column per layer slot
    (three): the thicknesses, then the densities."""

    stacks: list[Stack]
    material: np.ndarray  # (n_stacks, 3) material index, 0 where absent
    process: np.ndarray
    present: np.ndarray  # (n_stacks, 3) bool
    coating: np.ndarray  # (n_stacks,)
    log_min_thickness: np.ndarray  # (n_stacks, 3)
    log_max_thickness: np.ndarray
    density_low: np.ndarray
    density_high: np.ndarray

    @property
    def n_options(self) -> int:
        return len(self.stacks)

    @property
    def n_var(self) -> int:
        return 1 + len(LAYER_VARIABLES) * MAX_LAYERS

    @property
    def x_columns(self) -> list[str]:
        return x_columns(self.n_var)

    def option_of(self, X: np.ndarray) -> np.ndarray:
        X = np.clip(np.asarray(X, dtype=float), 0.0, 1.0)
        return np.minimum((X[:, 0] * self.n_options).astype(np.intp), self.n_options - 1)

    def layer(self, j: int) -> LayerWindows:
        return LayerWindows(
            self.log_min_thickness[:, j],
            self.log_max_thickness[:, j],
            self.density_low[:, j],
            self.density_high[:, j],
        )

    def decode(self, X: np.ndarray) -> StackBatch:
        X = np.clip(np.asarray(X, dtype=float), 0.0, 1.0)
        s = self.option_of(X)
        layers = [self.layer(j) for j in range(MAX_LAYERS)]
        values = {
            v.name: np.column_stack(
                [v.decode(X[:, 1 + k * MAX_LAYERS + j], layers[j], s) for j in range(MAX_LAYERS)]
            )
            for k, v in enumerate(LAYER_VARIABLES)
        }
        present = self.present[s]
        return StackBatch(
            material=self.material[s],
            process=self.process[s],
            thickness_um=np.where(present, values["thickness_um"], 0.0),  # an absent layer
            relative_density=np.where(present, values["relative_density"], 1.0),
            coating=self.coating[s],
        )


def build_stack_space(catalog: Catalog, config: StudyConfig, stacks: list[Stack]) -> StackSpace:
    ids_m = {m: i for i, m in enumerate(catalog.material_ids)}
    ids_p = {p: i for i, p in enumerate(catalog.process_ids)}
    n = len(stacks)
    material = np.zeros((n, MAX_LAYERS), dtype=np.intp)
    process = np.zeros((n, MAX_LAYERS), dtype=np.intp)
    present = np.zeros((n, MAX_LAYERS), dtype=bool)
    for i, stack in enumerate(stacks):
        for j, (m, p) in enumerate(zip(stack.materials, stack.processes, strict=True)):
            material[i, j], process[i, j], present[i, j] = ids_m[m], ids_p[p], True
    windows = {
        name: catalog.process_values(name)
        for name in ("min_thickness_um", "max_thickness_um", "relative_density_max")
    }
    low_t = np.where(present, windows["min_thickness_um"][material, process], 1.0)
    high_t = np.where(present, windows["max_thickness_um"][material, process], 1.0)
    cap = np.minimum(
        windows["relative_density_max"][material, process], config.search.relative_density_max
    )
    cap = np.where(present, cap, 1.0)
    return StackSpace(
        stacks=stacks,
        material=material,
        process=process,
        present=present,
        coating=np.array([catalog.coating_ids.index(s.coating) for s in stacks], dtype=np.intp),
        log_min_thickness=np.log(low_t),
        log_max_thickness=np.log(high_t),
        density_low=np.minimum(config.search.relative_density_min, cap),
        density_high=cap,
    )


class StackModel:
    """F, G and every intermediate for populations of encoded stacks (the interface run_nsga2
    reads: config, objectives, n_obj, space.n_var, evaluate)."""

    def __init__(
        self, catalog: Catalog, config: StudyConfig, evaluator: StackEvaluator | None = None
    ):
        self.catalog, self.config = catalog, config
        self.stacks = parse_stacks(config, catalog)  # first: a config without stacks says so
        unknown = [o for o in config.objectives if o not in STACK_OBJECTIVES]
        if unknown:
            raise ConfigError(
                f"{config.source}: key 'objectives': a multi-layer study optimizes "
                f"{', '.join(STACK_OBJECTIVES)}; not {', '.join(unknown)}"
            )
        self.space = build_stack_space(catalog, config, self.stacks)
        self.evaluator = evaluator or StackEvaluator(Evaluator(catalog, config))
        self.objectives = tuple(config.objectives)
        self.constraint_names = STACK_CONSTRAINTS

    @property
    def n_obj(self) -> int:
        return len(self.objectives)

    @property
    def n_constr(self) -> int:
        return len(self.constraint_names)

    def constraint_values(self, out: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The monolayer's records where a stack has the constraint (an inactive one is met, −1);
        the two of stacks alone: every layer inside its process window and a valid layer."""
        cfg = self.config
        with np.errstate(divide="ignore", invalid="ignore"):
            g = {
                name: CONSTRAINTS[name].value(out, cfg)
                if CONSTRAINTS[name].active(cfg)
                else np.full(len(out["total_asr_ohm_cm2"]), -1.0)
                for name in SHARED_CONSTRAINTS
            }
            g["g_thickness_window"] = out["g_layer_thickness_window"]
            g["g_valid"] = np.where(out["valid_combination"], -1.0, 1.0)
        return g

    def evaluate(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        batch = self.space.decode(X)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out = self.evaluator(batch)
        out.update(self.constraint_values(out))
        F = np.column_stack([OBJECTIVES[o].minimized(out, self.config) for o in self.objectives])
        unknown_value = 1.0 if self.config.constraints.unknown == "infeasible" else 0.0
        G = np.column_stack(
            [
                np.clip(np.where(np.isnan(out[name]), unknown_value, out[name]), -G_CLIP, G_CLIP)
                for name in self.constraint_names
            ]
        )
        out["feasible"] = np.all(G <= 0.0, axis=1)
        out["stack"] = self.space.option_of(X).astype(float)
        return F, G, out

    def table(self, X: np.ndarray) -> pd.DataFrame:
        """One row per design: the stack, its layers' thickness and density, the objectives, the
        constraints and the quantities a report reads."""
        X = np.asarray(X, dtype=float).reshape(-1, self.space.n_var)
        _, G, out = self.evaluate(X)
        batch = self.space.decode(X)
        s = self.space.option_of(X)
        frame = pd.DataFrame({"stack": [self.stacks[i].label for i in s]})
        for j in range(MAX_LAYERS):
            frame[f"layer{j}_thickness_um"] = batch.thickness_um[:, j]
            frame[f"layer{j}_relative_density"] = np.where(
                batch.thickness_um[:, j] > 0, batch.relative_density[:, j], np.nan
            )
        columns = [
            *self.objectives,
            "total_asr_ohm_cm2",
            "series_asr_ohm_cm2",
            "internal_interface_asr_ohm_cm2",
            "interface_asr_ohm_cm2",
            "short_probability",
            "flaw_hazard_per_membrane",
            "handling_load_n_per_mm",
            "minimum_bending_radius_mm",
            "gravimetric_wh_per_kg",
            "li_side_stable",
            "cathode_side_stable",
        ]
        for column in dict.fromkeys(columns):
            frame[column] = out[column]
        for j, name in enumerate(self.constraint_names):
            frame[f"G_{name}"] = G[:, j]
        frame["feasible"] = out["feasible"]
        for j, column in enumerate(self.space.x_columns):
            frame[column] = X[:, j]
        return frame
