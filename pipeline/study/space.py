"""The design space: valid (material, process, coating) options and continuous variables in [0, 1].

Encoding (pymoo's X, one row per design, every column in [0, 1]): x0 is the option index, one valid
(material, process, coating) combination, floor(x0 · n_options); x1... are the continuous variable
kinds of `VARIABLES` that the space uses, in order (thickness log-uniform inside the option's
process window, relative density, filler fraction of effective-medium composites, and the substitution
level of a composition family when the study searches families), each decoded by its record.
Only valid combinations exist in the option list: a process that cannot make the material's family,
or a coating without interfacial data for it, is never proposed (integer encoding with the repair
built into the decoding). With grid_levels > 0 the continuous variables snap to that many levels,
which makes the space finite for exact-front checks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pipeline.errors import ConfigError, did_you_mean
from pipeline.study import compositions
from pipeline.study.catalog import Catalog
from pipeline.study.config import StudyConfig
from pipeline.study.evaluation import DesignBatch


@dataclass(frozen=True)
class DesignSpace:
    options: pd.DataFrame  # material, process, coating ids and indices, thickness window
    material: np.ndarray
    process: np.ndarray
    coating: np.ndarray
    log_min_thickness: np.ndarray
    log_max_thickness: np.ndarray
    is_template: np.ndarray
    density_low: np.ndarray  # per option: search.relative_density_min (or the cap, if lower)
    density_high: np.ndarray  # per option: the process's achievable density, capped by the config
    filler_fraction_max: float
    grid_levels: int
    # composition families (options whose material is a family): the substitution window per option,
    # NaN for catalog materials
    is_family: np.ndarray
    dopant_low: np.ndarray
    dopant_high: np.ndarray

    @property
    def variables(self) -> tuple[Variable, ...]:
        """The variable kinds this space uses, in X column order after the option."""
        return tuple(v for v in VARIABLES if v.active(self))

    @property
    def n_options(self) -> int:
        return len(self.options)

    def snap(self, X: np.ndarray) -> np.ndarray:
        """Snap continuous variables to the grid (if any); the option variable to its cell centre."""
        X = np.clip(np.asarray(X, dtype=float), 0.0, 1.0)
        if self.grid_levels > 0:
            X = X.copy()
            levels = self.grid_levels - 1
            X[:, 1:] = np.round(X[:, 1:] * levels) / levels if levels > 0 else 0.5
        return X

    @property
    def n_var(self) -> int:
        return 1 + len(self.variables)

    @property
    def x_columns(self) -> list[str]:
        """The encoded variables' columns in a front table (x0 the option, then VARIABLES)."""
        return x_columns(self.n_var)

    def decode(self, X: np.ndarray) -> DesignBatch:
        X = self.snap(X)
        option = self._option(X)
        values = {v.name: np.full(len(X), v.inactive_value) for v in VARIABLES}
        for k, v in enumerate(self.variables):
            values[v.name] = v.decode(X[:, 1 + k], self, option)
        return DesignBatch(
            self.material[option], self.process[option], self.coating[option], **values
        )

    def option_of(self, X: np.ndarray) -> np.ndarray:
        return self._option(self.snap(X))

    def _option(self, X: np.ndarray) -> np.ndarray:
        return np.minimum((X[:, 0] * self.n_options).astype(np.intp), self.n_options - 1)

    def grid(self) -> np.ndarray:
        """Every point of the snapped space (needs grid_levels > 0): X rows for exhaustive enumeration."""
        if self.grid_levels <= 0:
            raise ValueError("grid() needs search.grid_levels > 0")
        levels = (
            np.linspace(0.0, 1.0, self.grid_levels) if self.grid_levels > 1 else np.array([0.5])
        )
        centres = (np.arange(self.n_options) + 0.5) / self.n_options
        rows = []
        for i, c in enumerate(centres):
            values = [v.grid_values(self, i, levels) for v in self.variables]
            mesh = np.meshgrid(*values, indexing="ij")
            block = np.column_stack([np.full(mesh[0].size, c), *(m.ravel() for m in mesh)])
            rows.append(block)
        return np.vstack(rows)


# --- decision-variable kinds: each decodes one column of X from the space's arrays ---------------


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
    # the space is a DesignSpace, or a stack's layer slot (stack_study.LayerWindows) for the
    # thickness and density a multi-layer study decodes per layer
    decode: Callable[[np.ndarray, Any, np.ndarray], np.ndarray]
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
    """Substitution level x of a composition family, snapped to its levels (compositions.
    family_levels: steps a synthesis weighs out); NaN otherwise."""
    low, high = space.dopant_low[option], space.dopant_high[option]
    out = np.full(np.shape(x), np.nan)
    # the windows of the space's family options (a few), not of every row: no per-row sort or loop
    options = np.flatnonzero(np.isfinite(space.dopant_low))
    for lo, hi in {(float(space.dopant_low[o]), float(space.dopant_high[o])) for o in options}:
        rows = (low == lo) & (high == hi)
        out[rows] = compositions.level_at(lo, hi, np.asarray(x)[rows])
    return out


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
        "(composition_families.csv), in steps of 0.01 (compositions.family_levels); NaN for a "
        "catalog material",
        _dopant_level,
        _dopant_levels,
        active=lambda space: bool(space.is_family.any()),
        inactive_value=np.nan,
    ),
)

DESIGN_COLUMNS = (*OPTION_COLUMNS, *(v.name for v in VARIABLES))
VARIABLE_BY_NAME = {v.name: v for v in VARIABLES}


def x_columns(n_var: int) -> list[str]:
    """Names of the encoded-variable columns in a front table (x0 = option, x1... = VARIABLES)."""
    return [f"x{j}" for j in range(n_var)]


def study_catalog(catalog: Catalog, config: StudyConfig) -> Catalog:
    """The catalog a study searches: the shipped one plus the composition families it lists."""
    families = list(config.search.families)
    unknown = [f for f in families if f not in catalog.family_ids]
    if unknown:
        detail = ", ".join(f"{u!r}{did_you_mean(u, catalog.family_ids, n=1)}" for u in unknown)
        raise ConfigError(
            f"{config.source}: key 'search.families': unknown {detail}; expected family_id values "
            f"of {catalog.directory / 'composition_families.csv'}"
        )
    if len(set(families)) != len(families):
        raise ConfigError(f"{config.source}: key 'search.families': a family is listed twice")
    added = [f for f in families if f not in catalog.material_ids]
    return catalog.with_families(added)


def build_space(catalog: Catalog, config: StudyConfig) -> DesignSpace:
    s = config.search
    catalog = study_catalog(catalog, config)
    base = [m for m in catalog.material_ids if m not in catalog.family_ids]
    materials = [*(list(s.materials) or base), *s.families]
    processes = list(s.processes) or catalog.process_ids
    coatings = list(s.coatings) or catalog.coating_ids
    for key, chosen, known in (
        ("materials", list(s.materials), base),
        ("processes", processes, catalog.process_ids),
        ("coatings", coatings, catalog.coating_ids),
    ):
        unknown = [x for x in chosen if x not in known]
        if unknown:
            detail = ", ".join(f"{u!r}{did_you_mean(u, known, n=1)}" for u in unknown)
            raise ConfigError(
                f"{config.source}: key 'search.{key}': unknown {detail}; expected names from the catalog"
            )
    if s.architectures:  # the kinds of membrane the study asks for
        architecture = catalog.processes["architecture"]
        processes = [p for p in processes if architecture[p] in s.architectures]
    applies = catalog.process_applies()
    coating_applies = catalog.coating_applies()
    templates = (catalog.materials["temperature_law"] == "composite").to_numpy()
    windows = {
        name: catalog.process_values(name)
        for name in ("min_thickness_um", "max_thickness_um", "relative_density_max")
    }
    rows = []
    for m in materials:
        i = catalog.material_ids.index(m)
        for p in processes:
            j = catalog.process_ids.index(p)
            if not applies[i, j]:
                continue
            for c in coatings:
                k = catalog.coating_ids.index(c)
                if not coating_applies[k, i]:
                    continue
                rows.append(
                    dict(
                        material_id=m,
                        process_id=p,
                        coating_id=c,
                        material=i,
                        process=j,
                        coating=k,
                        min_thickness_um=windows["min_thickness_um"][i, j],
                        max_thickness_um=windows["max_thickness_um"][i, j],
                        relative_density_max=windows["relative_density_max"][i, j],
                    )
                )
    if not rows:
        raise ConfigError(
            f"{config.source}: key 'search': no valid (material, process, coating) combination in the chosen sets"
        )
    options = pd.DataFrame(rows)
    fams = catalog.families
    is_family = options["material_id"].isin(fams.index).to_numpy()
    window = np.full((len(options), 2), np.nan)
    if is_family.any():
        ids = options.loc[is_family, "material_id"]
        window[is_family] = fams.loc[ids, ["x_min", "x_max"]].to_numpy(float)
    # the densest membrane a process has been shown to make (process_properties.csv)
    high = np.minimum(options["relative_density_max"].to_numpy(float), s.relative_density_max)
    return DesignSpace(
        options=options,
        material=options["material"].to_numpy(np.intp),
        process=options["process"].to_numpy(np.intp),
        coating=options["coating"].to_numpy(np.intp),
        log_min_thickness=np.log(options["min_thickness_um"].to_numpy(float)),
        log_max_thickness=np.log(options["max_thickness_um"].to_numpy(float)),
        is_template=templates[options["material"].to_numpy()],
        density_low=np.minimum(s.relative_density_min, high),
        density_high=high,
        filler_fraction_max=s.filler_fraction_max,
        grid_levels=s.grid_levels,
        is_family=is_family,
        dopant_low=np.where(is_family, window[:, 0], np.nan),
        dopant_high=np.where(is_family, window[:, 1], np.nan),
    )
