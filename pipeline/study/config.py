"""Study configuration: frozen, validated value objects loaded from YAML.

Each section is a frozen dataclass whose fields carry their allowed range or choices in metadata.
`StudyConfig.from_dict` validates every key and reports *all* problems at once, naming the file,
the key path, the value and what was expected, and suggests close matches for misspelled keys.
`to_dict` round-trips: StudyConfig.from_dict(c.to_dict()) == c. The validation machinery
(`spec`, `build`) lives in pipeline/study/schema.py.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pipeline import REPO_ROOT
from pipeline.errors import ConfigError
from pipeline.files import escape_problem
from pipeline.study.catalog import ARCHITECTURES, ATMOSPHERES, SCALABILITY
from pipeline.study.registry import DEFAULT_OBJECTIVES, OBJECTIVES, default_bounds
from pipeline.study.schema import SAFE_NAME, as_dict, read_with_overrides, spec, validate
from pipeline.study.schema import read_yaml_mapping as read_yaml_mapping  # re-exported
from pipeline.study.schema import set_override as set_override  # re-exported

COMPOSITE_MODELS = ("parallel", "series", "maxwell_garnett", "bruggeman", "core_shell")
CATHODE_COATINGS = ("linbo3", "none")
POROSITY_MODELS = ("bruggeman", "maxwell_garnett")
MANUFACTURABILITY_COMPONENTS = (
    "maturity",
    "thickness_margin",
    "temperature",
    "atmosphere",
    "scalability",
)


@dataclass(frozen=True)
class Operating:
    temperature_c: float = spec(-60.0, 200.0, unit="°C", default=25.0)
    asr_max_ohm_cm2: float = spec(0.01, 1e4, unit="Ω cm²", default=50.0)  # > 0: ASR / limit


@dataclass(frozen=True)
class Cell:
    areal_capacity_mah_per_cm2: float = spec(0.01, 50.0, unit="mAh/cm²", default=4.0)
    c_rate_per_h: float = spec(0.001, 100.0, unit="1/h", default=1.0)
    # Li is plated on the Li-metal side while the cell charges: the CCD and the short-circuit
    # hazards read the charge current (None: the same C-rate as c_rate_per_h)
    charge_c_rate_per_h: float | None = spec(0.001, 100.0, unit="1/h", default=None)
    average_voltage_v: float = spec(0.5, 6.0, unit="V", default=3.8)
    active_specific_capacity_mah_per_g: float = spec(1.0, 5000.0, unit="mAh/g", default=200.0)
    active_mass_fraction: float = spec(0.01, 1.0, unit="", default=0.7)
    cathode_solid_density_g_per_cm3: float = spec(0.1, 20.0, unit="g/cm³", default=3.2)
    cathode_porosity: float = spec(0.0, 0.95, unit="", default=0.15)
    lithium_capacity_ratio: float = spec(0.0, 50.0, unit="", default=1.0)
    lithium_density_g_per_cm3: float = spec(0.1, 2.0, unit="g/cm³", default=0.534)
    al_thickness_um: float = spec(0.0, 100.0, unit="µm", default=12.0)
    cu_thickness_um: float = spec(0.0, 100.0, unit="µm", default=8.0)
    al_density_g_per_cm3: float = spec(0.1, 30.0, unit="g/cm³", default=2.70)
    cu_density_g_per_cm3: float = spec(0.1, 30.0, unit="g/cm³", default=8.96)
    collector_share: float = spec(0.0, 1.0, unit="", default=1.0)
    # a coated cathode (e.g. LiNbO3 on NMC) cures a reacting SSE | cathode contact (Takada 2018)
    cathode_coating: str = spec(choices=CATHODE_COATINGS, default="linbo3")
    # the hottest step a film deposited on this cathode may take (processes.csv
    # processing_temperature_c of a supported film): an assumption per cell, see default.yaml
    cathode_max_processing_temperature_c: float = spec(-50.0, 2000.0, unit="°C", default=300.0)

    @property
    def charging_c_rate_per_h(self) -> float:
        return self.c_rate_per_h if self.charge_c_rate_per_h is None else self.charge_c_rate_per_h


@dataclass(frozen=True)
class Interfaces:
    contact_fraction: float = spec(1e-3, 1.0, unit="", default=1.0)
    # added to the catalog's cathode side (cathode_interfaces.csv for cell.cathode_coating): a
    # study's own cathode can carry its measured extra resistance here
    cathode_interface_ohm_cm2: float = spec(0.0, 1e5, unit="Ω cm²", default=0.0)


@dataclass(frozen=True)
class Mechanics:
    membrane_area_cm2: float = spec(1e-4, 1e5, unit="cm²", default=1.0)
    strength_porosity_coefficient: float = spec(0.0, 50.0, unit="", default=4.1)
    porosity_model: str = spec(choices=POROSITY_MODELS, default="bruggeman")
    min_strength_mpa: float = spec(0.0, 1e4, unit="MPa", default=10.0)


@dataclass(frozen=True)
class Composite:
    model: str = spec(choices=COMPOSITE_MODELS, default="bruggeman")
    interphase_sigma_s_per_cm: float | None = spec(1e-12, 10.0, unit="S/cm", default=None)


def _default_weights() -> dict[str, float]:
    return dict.fromkeys(MANUFACTURABILITY_COMPONENTS, 1.0)


@dataclass(frozen=True)
class Manufacturability:
    weights: dict[str, float] = spec(
        0.0,
        1e3,
        choices=MANUFACTURABILITY_COMPONENTS,
        complete=True,
        default_factory=_default_weights,
    )
    mrl_low: float = spec(1.0, 10.0, default=1.0)
    mrl_high: float = spec(1.0, 10.0, default=9.0)
    full_margin: float = spec(1e-3, 100.0, default=0.5)
    ambient_c: float = spec(-50.0, 100.0, unit="°C", default=25.0)
    t_max_c: float = spec(100.0, 5000.0, unit="°C", default=1500.0)
    atmosphere_scores: dict[str, float] = spec(
        0.0,
        1.0,
        choices=ATMOSPHERES,
        complete=True,
        default_factory=lambda: {"ambient": 1.0, "dry_room": 0.6, "inert": 0.3, "vacuum": 0.4},
    )
    scalability_scores: dict[str, float] = spec(
        0.0,
        1.0,
        choices=SCALABILITY,
        complete=True,
        default_factory=lambda: {"roll_to_roll": 1.0, "batch": 0.5},
    )


UNKNOWN_POLICIES = ("infeasible", "ignore")
CONDUCTIVITY_SOURCES = ("catalog", "surrogate")


@dataclass(frozen=True)
class Search:
    population_size: int = spec(4, 100_000, default=100)
    generations: int = spec(1, 100_000, default=100)
    seed: int = spec(0, 2**31 - 1, default=1)
    hv_stagnation_window: int = spec(0, 10_000, default=0)  # 0: run all generations
    hv_stagnation_tol: float = spec(0.0, 1.0, default=1e-4)
    relative_density_min: float = spec(0.4, 1.0, default=0.85)
    relative_density_max: float = spec(0.4, 1.0, default=1.0)
    filler_fraction_max: float = spec(0.0, 0.95, default=0.6)
    grid_levels: int = spec(
        0, 1000, default=0
    )  # >0 snaps continuous variables to a grid (exact-front checks)
    materials: tuple[str, ...] = spec(default=())  # empty: every catalog material
    processes: tuple[str, ...] = spec(default=())
    coatings: tuple[str, ...] = spec(default=())
    # which kinds of membrane the study asks for (processes.csv 'architecture'): free_standing
    # separators handled on their own, supported films deposited on an electrode; empty: both.
    # A sub-µm vacuum film and a 50 µm sheet answer different questions (bulk cell vs thin-film
    # cell), so the shipped studies search one kind each
    architectures: tuple[str, ...] = spec(choices=ARCHITECTURES, default=())
    # composition families (composition_families.csv) searched beside the materials, each with its
    # substitution level as a variable; their conductivity comes from the surrogate, per design
    families: tuple[str, ...] = spec(default=())
    # multi-layer stacks a `ssemo stacks` study searches, each "material/process + material/process"
    # from the Li side (the first layer optionally "material/process@coating"); pipeline/study/
    # stack_study.py
    stacks: tuple[str, ...] = spec(default=())
    archive_limit: int = spec(10, 1_000_000, default=20_000)
    engine: str = spec(choices=("fast", "pymoo"), default="fast")


@dataclass(frozen=True)
class Constraints:
    asr: bool = True
    strength: bool = True
    ccd: bool = True
    temperature_window_c: tuple[float, ...] = spec(
        default=()
    )  # e.g. [-20, 60]: ASR limit must hold over it
    unknown: str = spec(
        choices=UNKNOWN_POLICIES, default="infeasible"
    )  # a constraint that cannot be evaluated
    short_circuit: bool = True  # through-defect probability <= max_short_probability
    max_short_probability: float = spec(1e-9, 1.0, default=0.01)
    stability: bool = True  # reacting Li-side or cathode-side pairs need a cure
    # a film deposited on the cathode is processed no hotter than the cathode takes
    substrate_temperature: bool = True
    # a membrane made on a roll-to-roll line survives its smallest roller and its web tension
    roll_to_roll: bool = True


@dataclass(frozen=True)
class Uncertainty:
    """Plausible worlds (pipeline/reporting/worlds.py): the front evaluated in catalogs drawn from
    the evidence ranges, one draw per catalog entry; 0 worlds: off."""

    worlds: int = spec(0, 4096, default=0)
    seed: int = spec(0, 2**31 - 1, default=0)
    # a recommended design is flagged when it is feasible in fewer worlds than this
    feasibility_level: float = spec(0.5, 1.0, default=0.9)
    # search over the worlds (pipeline/study/robust.py): feasible = feasible in at least
    # feasibility_level of them, each objective at this quantile; false: the nominal catalog
    search: bool = False
    objective_quantile: float = spec(0.5, 0.999, default=0.9)


@dataclass(frozen=True)
class SurrogateUse:
    enabled: bool = True
    model: str = spec(default="models:/ssemo-conductivity@champion")
    conductivity_source: str = spec(choices=CONDUCTIVITY_SOURCES, default="catalog")
    robust: bool = False
    robust_quantile: float = spec(0.5, 0.999, default=0.9)
    penalize_out_of_domain: bool = False


@dataclass(frozen=True)
class Decision:
    asf_weights: dict[str, float] = spec(
        0.0, 1e3, choices=OBJECTIVES, default_factory=lambda: dict.fromkeys(DEFAULT_OBJECTIVES, 1.0)
    )


@dataclass(frozen=True)
class Compute:
    """Dask scale-out of one study (jobs distribute whole studies, see configs/jobs/)."""

    scheduler: str | None = spec(default=None)  # e.g. tcp://127.0.0.1:8786; None: in-process
    evaluation_chunks: int = spec(1, 10_000, default=1)  # >1: split each population across workers


@dataclass(frozen=True)
class TrackingConfig:
    enabled: bool = True
    tracking_uri: str = spec(default="sqlite:///mlflow.db")
    experiment: str = spec(default="ssemo-search", pattern=SAFE_NAME)  # a folder in mlartifacts/
    output_dir: str = spec(default="../results")


@dataclass(frozen=True)
class StudyConfig:
    catalog: str = "catalog"
    # a lab's own measurements of catalog values (pipeline/study/catalog_measurements.py): they
    # narrow, or when they conflict widen, the values' ranges; empty: none
    catalog_measurements: str = ""
    name: str = spec(default="default", pattern=SAFE_NAME)  # the results folder's name
    description: str = ""
    operating: Operating = field(default_factory=Operating)
    cell: Cell = field(default_factory=Cell)
    interfaces: Interfaces = field(default_factory=Interfaces)
    mechanics: Mechanics = field(default_factory=Mechanics)
    composite: Composite = field(default_factory=Composite)
    manufacturability: Manufacturability = field(default_factory=Manufacturability)
    objectives: tuple[str, ...] = spec(choices=OBJECTIVES, default=DEFAULT_OBJECTIVES)
    search: Search = field(default_factory=Search)
    constraints: Constraints = field(default_factory=Constraints)
    surrogate: SurrogateUse = field(default_factory=SurrogateUse)
    uncertainty: Uncertainty = field(default_factory=Uncertainty)
    decision: Decision = field(default_factory=Decision)
    # fixed objective ranges for hypervolume (reference point 1.1 in each normalized objective);
    # an objective not named keeps its registry default
    normalization: dict[str, tuple[float, float]] = spec(
        choices=OBJECTIVES, default_factory=default_bounds
    )
    tracking: TrackingConfig = field(default_factory=TrackingConfig)
    compute: Compute = field(default_factory=Compute)
    source: str = field(default="<dict>", compare=False)  # file the config came from, for messages

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "<dict>") -> StudyConfig:
        # the cross-checks resolve relative paths against the config file's folder: they see it
        return validate(
            cls, data, source, checks=lambda cfg: _cross_checks(replace(cfg, source=source))
        )

    @classmethod
    def from_run_record(cls, data: Mapping[str, Any], source: str) -> StudyConfig:
        """A finished run's resolved_config.yaml read back (ssemo compare): checked as from_dict
        checks a config, except the rules on where its paths and tracking store lead, which
        resolve relative paths against the config's folder: a downloaded copy is not in that
        folder, and `../../results` from a temporary one leads out of any project (every study
        under configs/studies/ was refused so until 2026-12-08). A reader of the record uses its
        objectives, bounds and limits only, and those are still checked (one objective alone is
        refused here, not met by an internal error further on: a review)."""

        def checks(cfg: StudyConfig) -> list[str]:
            return [
                p
                for p in _cross_checks(replace(cfg, source=source))
                if not p.startswith(RECORD_UNCHECKED_KEYS)
            ]

        return validate(cls, data, source, checks=checks)

    def to_dict(self) -> dict[str, Any]:
        return as_dict(self)

    def catalog_dir(self) -> Path:
        return self.resolve_path(self.catalog)

    def resolve_path(self, path: str) -> Path:
        """Relative paths are relative to the config file's folder (configs/ for dict configs)."""
        p = Path(path)
        if p.is_absolute():
            return p
        return (self.folder() / p).resolve()

    def folder(self) -> Path:
        """The config file's folder (configs/ for a config built from a dict)."""
        return (
            Path(self.source).parent if self.source not in ("<dict>", "") else REPO_ROOT / "configs"
        )

    def config_hash(self) -> str:
        import hashlib
        import json

        return hashlib.sha256(
            json.dumps(self.to_dict(), sort_keys=True, default=str).encode()
        ).hexdigest()


def _cross_checks(cfg: StudyConfig) -> list[str]:
    problems = []
    m = cfg.manufacturability
    if m.mrl_high <= m.mrl_low:
        problems.append(
            f"key 'manufacturability.mrl_high': must exceed mrl_low ({m.mrl_low}), got {m.mrl_high}"
        )
    if sum(m.weights.values()) <= 0:
        problems.append("key 'manufacturability.weights': at least one weight must be positive")
    window = cfg.constraints.temperature_window_c
    if window and (len(window) != 2 or not window[0] < window[1]):
        problems.append(
            f"key 'constraints.temperature_window_c': expected [low, high] in °C with low < high, got {list(window)}"
        )
    if len(set(cfg.objectives)) != len(cfg.objectives) or len(cfg.objectives) < 2:
        problems.append(
            f"key 'objectives': expected at least two distinct objectives, got {list(cfg.objectives)}"
        )
    if (problem := scheduler_address_problem(cfg.compute.scheduler)) is not None:
        problems.append(f"key 'compute.scheduler': {problem}")
    if cfg.search.relative_density_min > cfg.search.relative_density_max:
        problems.append(
            "key 'search.relative_density_min': must not exceed search.relative_density_max"
        )
    # whether or not tracking is enabled: the results folder is written either way
    if problem := escape_problem("tracking.output_dir", cfg.folder(), cfg.tracking.output_dir):
        problems.append(problem)
    if (problem := _uri_problem(cfg.tracking.tracking_uri)) is not None:
        problems.append(f"key 'tracking.tracking_uri': {problem}")
    if 0 < cfg.uncertainty.worlds < 16:
        # quartile bins of the value of information need 4 worlds each, and P(feasible) from
        # fewer than 16 worlds moves in steps of more than 6 %
        problems.append(
            f"key 'uncertainty.worlds': expected 0 (off) or at least 16, got {cfg.uncertainty.worlds}"
        )
    if cfg.uncertainty.search and cfg.uncertainty.worlds == 0:
        problems.append("key 'uncertainty.search': needs uncertainty.worlds ≥ 16, got 0")
    if cfg.composite.model == "core_shell" and cfg.composite.interphase_sigma_s_per_cm is None:
        problems.append(
            "key 'composite.interphase_sigma_s_per_cm': required when composite.model is "
            "'core_shell' (no sourced default exists), got null"
        )
    return problems


# where a run record's paths and tracking store lead: meaningful only from the config's own folder
RECORD_UNCHECKED_KEYS = ("key 'tracking.output_dir'", "key 'tracking.tracking_uri'", "key 'catalog")

_HOST_LABEL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?")


def scheduler_address_problem(address: str | None) -> str | None:
    """What is wrong with a Dask scheduler address, or None. Accepted: null (in-process) or
    tcp://HOST:PORT, HOST a host name, an IPv4 address or a bracketed IPv6 address, PORT 1-65535.
    Only tcp:// is: tls:// needs certificates ssemo does not pass, inproc:// reaches only this
    process, ucx:// needs UCX."""
    if address is None:
        return None
    expected = (
        f"expected null or an address tcp://HOST:PORT like tcp://127.0.0.1:8786, got {address!r}"
    )
    scheme, sep, rest = address.partition("://")
    if not sep or scheme != "tcp":
        return expected
    host, sep, port = rest.rpartition(":")
    if not sep or not port.isascii() or not port.isdigit() or not 1 <= int(port) <= 65535:
        return f"{expected} (PORT: a number from 1 to 65535)"
    if host.startswith("[") and host.endswith("]"):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return f"{expected} (HOST: {host} is not an IPv6 address)"
        return None
    if host.replace(".", "").isdigit():  # looks like an IPv4 address: it must be one
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return f"{expected} (HOST: {host} is not an IPv4 address)"
        return None
    if ":" in host:
        return f"{expected} (HOST: an IPv6 address goes in brackets, e.g. tcp://[::1]:8786)"
    labels = host.split(".")
    if len(host) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        return f"{expected} (HOST: a host name or IP address, without spaces)"
    return None


def _uri_problem(tracking_uri: str) -> str | None:
    from pipeline.reporting.tracking import tracking_uri_problem  # imported when a config is read

    return tracking_uri_problem(tracking_uri)


def load_config(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> StudyConfig:
    """Read, override and validate a study config. Raises ConfigError naming the file and key."""
    data = read_with_overrides(path, overrides)
    if {"data", "mlflow"} <= set(data) and not {"search", "objectives"} & set(data):
        # one line for the wrong kind of file, not an unknown-key line per training section
        raise ConfigError(
            f"{path}: a training config (it has 'data' and 'mlflow', no 'search'), where a study "
            f"config was expected; train with `ssemo train --config {path}`"
        )
    config = StudyConfig.from_dict(data, source=str(path))
    # checked for a config file a user names, not for a run's stored copy (compare reads those
    # away from any catalog); else the catalog loader would name the folder but not the key
    if not config.catalog_dir().is_dir():
        raise ConfigError(
            f"{path}: invalid config: key 'catalog': expected the catalog folder, "
            f"{config.catalog_dir()} is not one (a relative path is relative to the config file's "
            f"folder, {config.folder()})"
        )
    return config


# --- training job config (ssemo train) -----------------------------------------------------------

SURROGATE_MODELS = ("forest", "gbm", "gp")
CENSORED_POLICIES = ("value", "bound", "drop")


@dataclass(frozen=True)
class Source:
    enabled: bool = False
    path: str = ""
    keep_extrapolated: bool = False  # McHaffie only: keep RT values extrapolated from high T


def _shared(relative_path: str):
    """A data source under ${SSEMO_SHARED_DATA}, off unless a training config enables it."""
    return field(default_factory=lambda: Source(False, "${SSEMO_SHARED_DATA}/" + relative_path))


@dataclass(frozen=True)
class MeasurementsSource:
    """The lab's own measurements (`ssemo ingest`, pipeline.campaign.store): a store folder, the
    version to train on ('latest', a number or a label such as v0003-<hash>), and how many
    literature rows one measurement counts as (each is repeated `weight` times)."""

    enabled: bool = False
    path: str = "../measurements"
    version: str = spec(default="latest", number_as_text=True)
    weight: int = spec(1, 100, default=3)


@dataclass(frozen=True)
class Sources:
    curated: Source = field(default_factory=lambda: Source(True, "data/curated_conductivity.csv"))
    obelix: Source = _shared("obelix")
    liverpool: Source = _shared("liverpool_ionics/LiIonDatabase.csv")
    laskowski: Source = _shared("laskowski2023/laskowski_with_dois.csv")
    mchaffie: Source = _shared("mchaffie2025/ionic_conductivity_database.csv")
    bradford: Source = _shared("polymer_electrolyte_bradford2023/clean_train_data.csv")
    kang: Source = _shared("kang2023_sse_328/Ionic_conductivity_training_dataset.csv")
    # the permissive datasets converted and shipped in the repository (configs/data/LICENSES.md)
    literature: Source = field(
        default_factory=lambda: Source(False, "data/literature_conductivity.csv.gz")
    )
    measurements: MeasurementsSource = field(default_factory=MeasurementsSource)


@dataclass(frozen=True)
class Censoring:
    policy: str = spec(choices=CENSORED_POLICIES, default="value")
    value_log10: float = spec(-30.0, 0.0, unit="log10 S/cm", default=-15.0)


@dataclass(frozen=True)
class Data:
    sources: Sources = field(default_factory=Sources)
    censored: Censoring = field(default_factory=Censoring)
    min_rows: int = spec(2, 1_000_000, default=10)


@dataclass(frozen=True)
class Tuning:
    # false: no search, the model's defaults (a recipe fixed before seeing the data); the registered
    # model is reused when it was trained by the same recipe on the same data (hash)
    enabled: bool = True
    n_trials: int = spec(1, 10_000, default=12)
    models: tuple[str, ...] = spec(choices=SURROGATE_MODELS, default=SURROGATE_MODELS)
    cv_folds: int = spec(2, 20, default=5)
    cv_repeats: int = spec(1, 20, default=1)
    seed: int = spec(0, 2**31 - 1, default=0)
    storage: str | None = spec(default="results/optuna.db")
    study_name: str = spec(default="ssemo-conductivity")
    timeout_s: float | None = spec(1.0, 1e6, unit="s", default=None)
    # enabled: false only: trees per forest of the fixed recipe (the log10 σ, Ea and composition-only
    # forests); null: the model's default (300)
    fixed_n_estimators: int | None = spec(1, 5000, default=None)


@dataclass(frozen=True)
class Tracking:
    tracking_uri: str = spec(default="sqlite:///mlflow.db")
    experiment: str = spec(default="ssemo-surrogates", pattern=SAFE_NAME)
    registered_model: str = spec(default="ssemo-conductivity")
    alias: str = spec(default="champion")


@dataclass(frozen=True)
class TrainConfig:
    data: Data = field(default_factory=Data)
    tuning: Tuning = field(default_factory=Tuning)
    mlflow: Tracking = field(default_factory=Tracking)
    source: str = field(default="<dict>", compare=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "<dict>") -> TrainConfig:
        return validate(cls, data, source, checks=_train_checks)

    def to_dict(self) -> dict[str, Any]:
        return as_dict(self)

    def resolve_path(self, path: str) -> Path:
        """Expand ${SSEMO_SHARED_DATA} (default: ../shared/data beside the repository) and resolve
        relative paths against the config file's folder."""
        import os

        shared = os.environ.get("SSEMO_SHARED_DATA") or str(REPO_ROOT.parent / "shared" / "data")
        expanded = Path(path.replace("${SSEMO_SHARED_DATA}", shared))
        if expanded.is_absolute():
            return expanded
        base = Path(self.source).parent if self.source not in ("<dict>", "") else Path.cwd()
        return (base / expanded).resolve()


def _train_checks(cfg: TrainConfig) -> list[str]:
    from pipeline.reporting.tracking import alias_problem, registered_model_problem

    problems = []
    if (problem := _uri_problem(cfg.mlflow.tracking_uri)) is not None:
        problems.append(f"key 'mlflow.tracking_uri': {problem}")
    # MLflow's naming rules, before anything is trained or registered (train) or looked up (predict)
    if (problem := registered_model_problem(cfg.mlflow.registered_model)) is not None:
        problems.append(f"key 'mlflow.registered_model': {problem}")
    if (problem := alias_problem(cfg.mlflow.alias)) is not None:
        problems.append(f"key 'mlflow.alias': {problem}")
    return problems


def load_train_config(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> TrainConfig:
    """Read, override and validate a training config (ssemo train)."""
    return TrainConfig.from_dict(read_with_overrides(path, overrides), source=str(path))
