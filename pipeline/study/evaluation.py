"""Vectorized evaluation of membrane designs: every objective, constraint and intermediate quantity.

A design is (material, process, coating, thickness, relative density, filler fraction). Everything
that depends only on the material, process or coating at the operating temperature is computed once
per catalog entry in `Evaluator.__init__`; a population is then a few gathers plus array arithmetic
from `objectives/`, with no Python loop over designs. Large batches are evaluated in chunks that
stay in cache.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from objectives import (
    composites,
    defects,
    dendrites,
    energy,
    handling,
    interfaces,
    manufacturability,
    microstructure,
    shorts,
)
from objectives.constants import ZERO_CELSIUS_K
from objectives.temperature import arrhenius_from_reference_s_per_cm, vft_from_reference_s_per_cm
from objectives.transport import area_conductance_s_per_cm2, asr_ohm_cm2
from pipeline.study.catalog import Catalog
from pipeline.study.config import MANUFACTURABILITY_COMPONENTS, StudyConfig
from pipeline.study.constraints import constraint_values

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


@dataclass(frozen=True)
class DesignBatch:
    """A population of designs as parallel arrays (indices into the catalog's id lists)."""

    material: IntArray
    process: IntArray
    coating: IntArray
    thickness_um: FloatArray
    relative_density: FloatArray
    filler_fraction: FloatArray
    dopant_level: FloatArray | None = None  # composition families' substitution level (NaN: none)
    # per-design dense σ at the evaluator's temperature (a family member's prediction); NaN or
    # None: the material's own
    sigma_override_s_per_cm: FloatArray | None = None
    # per design, the world it is evaluated in (an evaluator stacked over plausible worlds,
    # Evaluator.stacked); None: the evaluator's only world
    world: IntArray | None = None

    def __len__(self) -> int:
        return len(self.thickness_um)

    def take(self, rows: slice | IntArray) -> DesignBatch:
        parts: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            array = getattr(self, name)
            parts[name] = None if array is None else array[rows]
        return DesignBatch(**parts)


def sigma_at_temperature_s_per_cm(catalog: Catalog, temperature_k: float) -> FloatArray:
    """Dense-material conductivity of every catalog material at one temperature (NaN for templates)."""
    m = catalog.materials
    t_ref = m["reference_temperature_c"].to_numpy(float) + ZERO_CELSIUS_K
    sigma_ref = m["sigma_ref_s_per_cm"].to_numpy(float)
    law = m["temperature_law"].to_numpy()
    out = np.full(len(m), np.nan)
    for form in ("sigma", "sigma_t"):
        rows = law == f"arrhenius_{form}"
        out[rows] = arrhenius_from_reference_s_per_cm(
            sigma_ref[rows],
            reference_temperature_k=t_ref[rows],
            activation_energy_ev=m["activation_energy_ev"].to_numpy(float)[rows],
            temperature_k=temperature_k,
            form=form,
        )
    rows = law == "vft"
    out[rows] = vft_from_reference_s_per_cm(
        sigma_ref[rows],
        reference_temperature_k=t_ref[rows],
        pseudo_activation_k=m["vft_pseudo_activation_k"].to_numpy(float)[rows],
        vogel_temperature_k=m["vft_vogel_temperature_k"].to_numpy(float)[rows],
        temperature_k=temperature_k,
    )
    return out


# Evaluator.stacked puts the per-catalog tables of several worlds one after another along axis 0:
# every table below is laid out with materials, processes or coatings on axis 0 (per material, per
# process, per (material, process), per (coating, material)), which Evaluator.indices offsets per
# world. An array attribute missing here cannot be stacked (stacked() refuses it): a new table
# must be placed in one of these groups.
_WORLD_TABLES = frozenset(
    {
        # per material
        "is_template",
        "matrix_index",
        "filler_index",
        "sigma_material_s_per_cm",
        "density_g_per_cm3",
        "particle_radius_nm",
        "interphase_thickness_nm",
        "strength_ref_mpa",
        "monroe_newman",
        "transference_number",
        "bending_radius_mm_per_um",
        "cathode_side_ok",
        "cathode_ohm_cm2",
        "flaw_weibull_modulus",
        "flaw_test_area_cm2",
        "percolation_density",
        "percolation_on",
        "percolation_threshold",
        "protrusion_amplification",
        "protrusion_on",
        "protrusion_modulus",
        "capacity_hazard",
        # per process
        "free_standing",
        "handling_scale",
        "over_rollers",
        "scalability",
        # per (material, process), flat or with materials on axis 0
        "membrane_conductivity_factor",
        "defect_size_um",
        "roller_radius_mm",
        "web_tension_n_per_mm",
        "min_thickness_um",
        "max_thickness_um",
        "maturity",
        "processing_temperature_c",
        "temperature_score",
        "atmosphere",
        "valid_process",
        # per (coating, material), coatings on axis 0
        "li_side_ok",
        "interface_ohm_cm2",
        "layer_thickness_um",
        "layer_asr_ohm_cm2",
        "ccd_ma_per_cm2",
        "flaw_hazard",
        "coating_applies",
    }
)
_MATERIAL_INDEX_TABLES = ("matrix_index", "filler_index")
# columns no objective or constraint reads: computed only when asked for (Evaluator(columns=...)),
# a twentieth of an evaluation (bench-physics)
REPORT_ONLY = frozenset(
    {
        "area_conductance_s_per_cm2",
        "ohmic_drop_v",
        "current_density_ma_per_cm2",
        "ccd_ma_per_cm2",
        "ccd_margin",
        "monroe_newman_ratio",
        "transference_number",
        "valid_combination",
    }
)  # their values index materials
_SHARED = ("weights",)  # from the study config: the same in every world


def _scores(labels: Iterable[str], scores: Mapping[str, float]) -> FloatArray:
    """Each label's score (NaN: none), as Series.map(scores) gives it at a tenth of its cost (a
    plausible world builds an evaluator: hundreds per campaign step)."""
    return np.array([scores.get(x, np.nan) for x in labels], dtype=np.float64)


class Evaluator:
    """Evaluate populations of designs for one study config and catalog."""

    def __init__(
        self,
        catalog: Catalog,
        config: StudyConfig,
        temperature_c: float | None = None,
        material_sigma_s_per_cm: FloatArray | None = None,
    ):
        """material_sigma_s_per_cm: per-material dense conductivity at this temperature replacing the
        catalog's temperature law (e.g. a surrogate's mean or robust quantile); NaN keeps the catalog."""
        self.catalog = catalog
        self.config = config
        self.temperature_c = (
            config.operating.temperature_c if temperature_c is None else temperature_c
        )
        m, p, mech, cell = catalog.materials, catalog.processes, config.mechanics, config.cell
        ids = {mid: i for i, mid in enumerate(catalog.material_ids)}
        self.n_coatings = len(catalog.coating_ids)

        sigma_t = sigma_at_temperature_s_per_cm(catalog, self.temperature_c + ZERO_CELSIUS_K)
        if material_sigma_s_per_cm is not None:
            override = np.asarray(material_sigma_s_per_cm, dtype=float)
            sigma_t = np.where(np.isnan(override), sigma_t, override)
        self.n_materials = len(m)
        self.is_template = (m["temperature_law"] == "composite").to_numpy()
        self.matrix_index = np.array([ids.get(x, -1) for x in m["matrix_id"]], dtype=np.intp)
        self.filler_index = np.array([ids.get(x, -1) for x in m["filler_id"]], dtype=np.intp)
        self.sigma_material_s_per_cm = sigma_t
        # σ_membrane/σ_pellet per process: binder, scaffold and pressing losses of the as-processed
        # membrane against the dense-pellet σ the materials carry (thin_membrane_tradeoffs §4)
        # per (material, process), flat [material * n_processes + process]: windows, density caps
        # and sheet factors are demonstrated per family (process_properties.csv applies_to), and no
        # factor is applied to a σ_ref that is already an as-made sheet (Catalog docstrings)
        self.n_processes = len(p)
        self.membrane_conductivity_factor = catalog.membrane_conductivity_factor().ravel()
        density = m["density_g_per_cm3"].to_numpy(float).copy()
        # Templates: volume-weighted density at the filler fraction is taken per design (below).
        self.density_g_per_cm3 = density
        self.particle_radius_nm = m["particle_radius_nm"].to_numpy(float)
        self.interphase_thickness_nm = m["interphase_thickness_nm"].to_numpy(float)

        # Strength at the membrane area: Weibull factor where the material has (A_ref, m), else 1.
        area_ref = m["strength_area_cm2"].to_numpy(float)
        weibull_m = m["weibull_modulus"].to_numpy(float)
        has_weibull = ~np.isnan(area_ref) & ~np.isnan(weibull_m)
        factor = np.ones(len(m))
        factor[has_weibull] = microstructure.weibull_scaled_strength_mpa(
            1.0,
            area_ref_cm2=area_ref[has_weibull],
            area_cm2=mech.membrane_area_cm2,
            weibull_modulus=weibull_m[has_weibull],
        )
        self.strength_ref_mpa = m["strength_mpa"].to_numpy(float) * factor
        self.monroe_newman = dendrites.monroe_newman_ratio(m["shear_modulus_gpa"].to_numpy(float))
        self.transference_number = m["transference_number"].to_numpy(float)

        # Architecture, achievable density and defect scale per process (thin_membrane_tradeoffs §3).
        self.free_standing = (p["architecture"] == "free_standing").to_numpy()
        # σ_f [MPa = N/mm²] · t [µm] · 1e-3 = N/mm; a supported film is carried by its electrode:
        # no handling load of its own (NaN)
        self.handling_scale = np.where(self.free_standing, 1e-3, np.nan)
        self.defect_size_um = catalog.process_values("defect_size_um").ravel()
        # roll-to-roll lines bend the membrane over rollers and pull it with a web tension
        self.over_rollers = (p["scalability"] == "roll_to_roll").to_numpy()
        self.roller_radius_mm = catalog.process_values("roller_radius_mm").ravel()
        self.web_tension_n_per_mm = catalog.process_values("web_tension_n_per_mm").ravel()
        # R_min = E·t/(2σ_f) of the dense material per µm of thickness (linear in t): an
        # exponential porosity law with one coefficient for E and σ_f cancels in the ratio (an
        # assumption: no porosity law for strength was found); per design one gather, one product
        self.bending_radius_mm_per_um = handling.minimum_bending_radius_mm(
            m["youngs_modulus_gpa"].to_numpy(float), 1.0, self.strength_ref_mpa
        )
        # Chemical stability per (coating, material): a reacting Li side needs a coating that cures
        # it; a reacting cathode side needs a coated cathode (stability.csv, coatings.csv 'cures').
        li_reacting = (m["li_side"] == "reacting").to_numpy()
        self.li_side_ok = ~li_reacting[None, :] | catalog.coating_cures_li_side()
        cathode_reacting = (m["cathode_side"] == "reacting").to_numpy()
        self.cathode_side_ok = ~cathode_reacting | (cell.cathode_coating != "none")

        # Interfaces and CCD per (coating, material).
        self.interface_ohm_cm2 = interfaces.interfacial_resistance_ohm_cm2(
            catalog.coating_resistance_ohm_cm2(), config.interfaces.contact_fraction
        )
        # Bilayer membranes: an interlayer coating is a µm layer of another catalog material on the
        # Li side, part of the membrane thickness, in series with the SSE layer (thin_membrane_
        # tradeoffs §3e); its dense σ at this temperature (no process factor: no sourced value).
        self.layer_thickness_um, layer_index = catalog.coating_layer()
        layer_sigma = np.where(layer_index >= 0, sigma_t[layer_index], np.inf)
        self.layer_asr_ohm_cm2 = np.where(
            layer_index >= 0,
            asr_ohm_cm2(np.maximum(self.layer_thickness_um, 1e-9), layer_sigma),
            0.0,
        )
        # the cathode side: the catalog's value for the cell's cathode coating (cathode_interfaces
        # .csv) plus the study's own extra term (interfaces.cathode_interface_ohm_cm2, default 0)
        self.cathode_ohm_cm2 = (
            catalog.cathode_resistance_ohm_cm2(cell.cathode_coating)
            + config.interfaces.cathode_interface_ohm_cm2
        )
        self.ccd_ma_per_cm2 = np.fmax(
            m["ccd_ma_per_cm2"].to_numpy(float)[None, :], catalog.coating_ccd_ma_per_cm2()
        )
        self.current_density_ma_per_cm2 = float(
            dendrites.current_density_ma_per_cm2(cell.areal_capacity_mah_per_cm2, cell.c_rate_per_h)
        )
        # Li is plated while the cell charges: the CCD and the shorts read the charge current
        self.charge_current_ma_per_cm2 = float(
            dendrites.current_density_ma_per_cm2(
                cell.areal_capacity_mah_per_cm2, cell.charging_c_rate_per_h
            )
        )
        self._short_mechanisms(catalog, config)
        c = cell  # the cell's other layers: the same for every separator
        self.cell_layers = energy.cell_layers(
            areal_capacity_mah_per_cm2=c.areal_capacity_mah_per_cm2,
            average_voltage_v=c.average_voltage_v,
            active_specific_capacity_mah_per_g=c.active_specific_capacity_mah_per_g,
            active_mass_fraction=c.active_mass_fraction,
            cathode_solid_density_g_per_cm3=c.cathode_solid_density_g_per_cm3,
            cathode_porosity=c.cathode_porosity,
            lithium_capacity_ratio=c.lithium_capacity_ratio,
            al_thickness_um=c.al_thickness_um,
            cu_thickness_um=c.cu_thickness_um,
            al_density_g_per_cm3=c.al_density_g_per_cm3,
            cu_density_g_per_cm3=c.cu_density_g_per_cm3,
            lithium_density_g_per_cm3=c.lithium_density_g_per_cm3,
            collector_share=c.collector_share,
        )

        # Manufacturability components per process, and per (material, process) for atmosphere.
        mf = config.manufacturability
        self.min_thickness_um = catalog.process_values("min_thickness_um").ravel()
        self.max_thickness_um = catalog.process_values("max_thickness_um").ravel()
        self.maturity = manufacturability.maturity_score(
            catalog.process_values("mrl").ravel(), mrl_low=mf.mrl_low, mrl_high=mf.mrl_high
        )
        self.processing_temperature_c = catalog.process_values("processing_temperature_c").ravel()
        self.temperature_score = manufacturability.temperature_score(
            self.processing_temperature_c,
            ambient_c=mf.ambient_c,
            t_max_c=mf.t_max_c,
        )
        self.scalability = _scores(p["scalability"], mf.scalability_scores)
        atm_m = _scores(m["atmosphere"], mf.atmosphere_scores)
        atm_p = _scores(p["atmosphere"], mf.atmosphere_scores)
        self.atmosphere = np.minimum(atm_m[:, None], atm_p[None, :])  # the stricter one governs
        self.weights = np.array([mf.weights[k] for k in MANUFACTURABILITY_COMPONENTS])
        self.valid_process = catalog.process_applies()
        self.coating_applies = catalog.coating_applies()

    @classmethod
    def stacked(cls, evaluators: list[Evaluator]) -> Evaluator:
        """One evaluator for several worlds (evaluators of the same study config on drawn
        catalogs, pipeline.study.plausible): their tables one after another, so that a batch whose
        `world` says which world each design is in is evaluated in all of them in one vectorized
        call (issue 24: designs × worlds). Equal, design by design, to evaluating in each world
        alone (tests/pipeline/study/test_evaluation_worlds.py). The stacked evaluator's `catalog` is
        the first world's: read the worlds' own catalogs for anything else."""
        if not evaluators:
            raise ValueError("stacking needs at least one evaluator")
        first = evaluators[0]
        if any(vars(e).keys() != vars(first).keys() for e in evaluators[1:]):
            raise TypeError("Evaluator.stacked: the worlds' evaluators hold different tables")
        stacked = copy.copy(first)
        for name, value in vars(first).items():
            values = [vars(e)[name] for e in evaluators]
            if name in _WORLD_TABLES:
                if name in _MATERIAL_INDEX_TABLES:  # world w's materials start at w·n_materials
                    values = [
                        np.where(v >= 0, v + w * first.n_materials, -1)
                        for w, v in enumerate(values)
                    ]
                setattr(stacked, name, np.concatenate(values, axis=0))
            elif isinstance(value, np.ndarray) and name not in _SHARED:
                raise TypeError(f"Evaluator.stacked: table {name!r} has no place in _WORLD_TABLES")
            elif name != "catalog" and not all(np.array_equal(v, value) for v in values[1:]):
                raise ValueError(f"Evaluator.stacked: {name!r} differs between the worlds")
        return stacked

    def _short_mechanisms(self, catalog: Catalog, config: StudyConfig) -> None:
        """What the short-circuit mechanisms beyond random pinholes need (objectives/shorts.py,
        short_circuit.csv): per (coating, material) the hazard of flaw-initiated penetration at
        the charge current, focused on the contacting part of the interface; per material the
        percolation threshold, the protrusion law and the plated-capacity hazard. A mechanism not
        assessed for a material adds no hazard; an unknown number of an assessed one is NaN."""
        area = config.mechanics.membrane_area_cm2
        j_local = shorts.local_current_density_ma_per_cm2(
            self.charge_current_ma_per_cm2, config.interfaces.contact_fraction
        )
        modulus, _ = catalog.short_parameter("flaw", "weibull_modulus")
        test_area, _ = catalog.short_parameter("flaw", "test_area_cm2")
        self.flaw_weibull_modulus, self.flaw_test_area_cm2 = modulus, test_area
        # a CCD of 0 shorts at any current: an infinite hazard, not a division error
        ccd = np.where(self.ccd_ma_per_cm2 == 0.0, np.nan, self.ccd_ma_per_cm2)
        hazard = shorts.flaw_penetration_hazard(
            current_density_ma_per_cm2=j_local,
            ccd_ma_per_cm2=ccd,
            weibull_modulus=modulus[None, :],
            area_cm2=area,
            test_area_cm2=test_area[None, :],
        )
        self.flaw_hazard = np.where(self.ccd_ma_per_cm2 == 0.0, np.inf, hazard)
        self.percolation_density, self.percolation_on = catalog.short_parameter(
            "percolation", "percolation_relative_density"
        )
        self.percolation_threshold = np.where(self.percolation_on, self.percolation_density, 0.0)
        self.protrusion_amplification, self.protrusion_on = catalog.short_parameter(
            "protrusion", "protrusion_amplification"
        )
        self.protrusion_modulus, _ = catalog.short_parameter("protrusion", "weibull_modulus")
        self.plated_capacity_mah_per_cm2 = config.cell.areal_capacity_mah_per_cm2  # one charge
        threshold, capacity_on = catalog.short_parameter(
            "capacity", "threshold_capacity_mah_per_cm2"
        )
        capacity_modulus, _ = catalog.short_parameter("capacity", "weibull_modulus")
        self.capacity_hazard = np.where(
            capacity_on,
            shorts.capacity_hazard(
                plated_capacity_mah_per_cm2=self.plated_capacity_mah_per_cm2,
                threshold_capacity_mah_per_cm2=threshold,
                weibull_modulus=capacity_modulus,
            ),
            0.0,
        )

    def _short_hazard(
        self, mat: IntArray, relative_density: FloatArray, sse_um: FloatArray, pore_um: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Per design, the percolation and protrusion hazards, and their sum with the material's
        plated-capacity hazard (random pinholes are added by the caller)."""
        area = self.config.mechanics.membrane_area_cm2
        n = len(mat)
        percolation = np.zeros(n)
        # only designs below their threshold percolate (the rest have λ = 0): fewer rows to raise
        # to the 0.41 power (a quarter of the shorts' cost in bench-physics)
        # (threshold 0 where not assessed; an unknown one, NaN, is computed and stays unknown)
        threshold = self.percolation_threshold[mat]
        rows = np.flatnonzero(~(relative_density >= threshold))
        if rows.size:
            percolation[rows] = shorts.percolation_hazard(
                relative_density=relative_density[rows],
                percolation_relative_density=threshold[rows],
                pore_size_um=pore_um[rows],
                area_cm2=area,
            )
        protrusion = np.zeros(n)
        rows = np.flatnonzero(self.protrusion_on[mat])
        if rows.size:
            protrusion[rows] = shorts.protrusion_hazard(
                plated_capacity_mah_per_cm2=self.plated_capacity_mah_per_cm2,
                thickness_um=sse_um[rows],
                amplification=self.protrusion_amplification[mat[rows]],
                weibull_modulus=self.protrusion_modulus[mat[rows]],
            )
        return percolation, protrusion, percolation + protrusion + self.capacity_hazard[mat]

    def stack_energy(
        self, thickness_um: FloatArray, density_g_per_cm3, relative_density
    ) -> energy.StackEnergy:
        """Al | cathode | SSE | Li | Cu stack energy of a separator of this thickness, density and
        relative density, with the study's cell (objectives/energy.py); stacks.py reads it too."""
        return energy.stack_with_separator(
            self.cell_layers,
            thickness_um,
            sse_density_g_per_cm3=density_g_per_cm3,
            sse_relative_density=relative_density,
        )

    def _templates(
        self, material: IntArray, filler_fraction: FloatArray
    ) -> tuple[IntArray, IntArray, FloatArray]:
        """Rows that are composite templates, their material and their filler fraction."""
        rows = np.flatnonzero(self.is_template[material])
        return rows, material[rows], filler_fraction[rows]

    def sigma_dense_s_per_cm(self, material: IntArray, filler_fraction: FloatArray) -> FloatArray:
        """Dense conductivity at the operating temperature; effective medium for composite templates."""
        sigma = self.sigma_material_s_per_cm[material]
        rows, mat, phi = self._templates(material, filler_fraction)
        if rows.size:
            s_f = self.sigma_material_s_per_cm[self.filler_index[mat]]
            s_m = self.sigma_material_s_per_cm[self.matrix_index[mat]]
            model = self.config.composite.model
            if model == "core_shell":
                interphase = self.config.composite.interphase_sigma_s_per_cm
                assert interphase is not None  # StudyConfig requires it for core_shell
                sigma[rows] = composites.core_shell_s_per_cm(
                    phi,
                    sigma_filler_s_per_cm=s_f,
                    sigma_matrix_s_per_cm=s_m,
                    sigma_interphase_s_per_cm=interphase,
                    particle_radius_nm=self.particle_radius_nm[mat],
                    shell_thickness_nm=self.interphase_thickness_nm[mat],
                )
            else:
                mix = getattr(composites, f"{model}_s_per_cm")
                sigma[rows] = mix(phi, sigma_filler_s_per_cm=s_f, sigma_matrix_s_per_cm=s_m)
        return sigma

    def density(self, material: IntArray, filler_fraction: FloatArray) -> FloatArray:
        rho = self.density_g_per_cm3[material]
        rows, mat, phi = self._templates(material, filler_fraction)
        if rows.size:
            rho[rows] = (
                phi * self.density_g_per_cm3[self.filler_index[mat]]
                + (1 - phi) * self.density_g_per_cm3[self.matrix_index[mat]]
            )
        return rho

    def __call__(
        self,
        batch: DesignBatch,
        chunk_size: int = 8192,
        out: dict[str, FloatArray] | None = None,
        columns: Collection[str] | None = None,
    ) -> dict[str, FloatArray]:
        """Evaluate every design; returns named arrays (objectives, constraints, intermediates).

        Batches larger than `chunk_size` are evaluated chunk by chunk so the temporaries stay in
        cache. `out` (from an earlier call of the same size and columns) is filled in place: an
        optimizer that evaluates a population every generation then pays no page faults for fresh
        result arrays. `columns`: return only these (None: every column). Every column is computed
        either way (one depends on the next); what it saves is writing the rest out of each chunk's
        cache into the result arrays, a fifth of a 1e5-design batch's time for the 50 columns
        (measured: bench-physics, designs_per_s against designs_per_s_every_column). A search
        generation reads only its objectives' and constraints' (StudyModel.search_columns).
        """
        n = len(batch)
        report = columns is None or not REPORT_ONLY.isdisjoint(columns)
        if n <= chunk_size and out is None:
            return self._selected(self._evaluate(batch, report), columns)
        for start in range(0, n, chunk_size):
            chunk = batch.take(slice(start, start + chunk_size))
            part = self._selected(self._evaluate(chunk, report), columns)
            if out is None:
                out = {k: np.empty(n, dtype=v.dtype) for k, v in part.items()}
            for key, values in part.items():
                out[key][start : start + len(values)] = values
        assert out is not None
        return out

    @staticmethod
    def _selected(
        values: dict[str, FloatArray], columns: Collection[str] | None
    ) -> dict[str, FloatArray]:
        if columns is None:
            return values
        unknown = [c for c in columns if c not in values]
        if unknown:
            raise ValueError(f"Evaluator: no evaluated column named {', '.join(unknown)}")
        return {c: values[c] for c in columns}

    def indices(self, b: DesignBatch) -> tuple[IntArray, IntArray, IntArray, IntArray]:
        """Per design, the index into the per-material tables, the per-process tables, the flat
        (material, process) tables and the flat (coating, material) tables. A stacked evaluator
        (Evaluator.stacked) holds world w's tables after world w − 1's, so each index moves by the
        world's block (without worlds: world 0, the plain indices)."""
        mat, proc, coat = b.material, b.process, b.coating
        if b.world is None:
            return mat, proc, mat * self.n_processes + proc, coat * self.n_materials + mat
        material = b.world * self.n_materials + mat
        return (
            material,
            b.world * self.n_processes + proc,
            material * self.n_processes + proc,
            (b.world * self.n_coatings + coat) * self.n_materials + mat,
        )

    def _evaluate(self, b: DesignBatch, report: bool = True) -> dict[str, FloatArray]:
        """Every column; report=False leaves out those only a report reads (REPORT_ONLY: no
        objective or constraint does), which a search generation does not keep."""
        cfg = self.config
        thickness = b.thickness_um
        # mp: the (material, process) tables' flat index; pair: one flat (coating, material) index
        # for the six per-pair tables (each 2-D fancy index would recompute it: measurable at
        # 5e6 designs/s)
        mat, proc, mp, pair = self.indices(b)
        sigma_dense = self.sigma_dense_s_per_cm(mat, b.filler_fraction)
        if b.sigma_override_s_per_cm is not None:
            given = b.sigma_override_s_per_cm
            sigma_dense = np.where(np.isnan(given), sigma_dense, given)
        sigma_porous = microstructure.porous_conductivity_s_per_cm(
            sigma_dense,
            b.relative_density,
            cast(microstructure.PorosityModel, cfg.mechanics.porosity_model),  # config-checked
        )
        sigma = self.membrane_conductivity_factor.take(mp) * sigma_porous
        layer_um = self.layer_thickness_um.take(pair)
        # the process makes the SSE layer: what the interlayer leaves of the membrane (a design
        # thinner than its interlayer keeps a token layer and fails the thickness window)
        sse_um = np.maximum(thickness - layer_um, 1e-3)
        layer_asr = self.layer_asr_ohm_cm2.take(pair)
        bulk_asr = asr_ohm_cm2(sse_um, sigma) + layer_asr
        interface = self.interface_ohm_cm2.take(pair)
        cathode = self.cathode_ohm_cm2[mat]
        interface_asr = interface + cathode
        total_asr = bulk_asr + interface_asr
        strength = microstructure.porous_property(
            self.strength_ref_mpa[mat],
            b.relative_density,
            cfg.mechanics.strength_porosity_coefficient,
        )
        free_standing = self.free_standing[proc]
        # the SSE layer carries the load and must be pierced by a defect (a soft polymer interlayer
        # adds neither: conservative)
        handling_load = strength * sse_um * self.handling_scale[proc]
        pore_um = self.defect_size_um.take(mp)
        percolation, protrusion, other_hazard = self._short_hazard(
            mat, b.relative_density, sse_um, pore_um
        )
        expected_defects = defects.through_defects_per_membrane(
            relative_density=b.relative_density,
            thickness_um=sse_um,
            grain_size_um=pore_um,
            area_cm2=cfg.mechanics.membrane_area_cm2,
        )
        stack = self.stack_energy(  # an interlayer counted at the SSE's density
            thickness, self.density(mat, b.filler_fraction), b.relative_density
        )
        margin = manufacturability.thickness_margin_score(
            sse_um,
            min_thickness_um=self.min_thickness_um.take(mp),
            full_margin=cfg.manufacturability.full_margin,
        )
        maturity = self.maturity.take(mp)
        temperature = self.temperature_score.take(mp)
        atmosphere = self.atmosphere.take(mp)
        scalability = self.scalability[proc]
        score = manufacturability.manufacturability_score(
            maturity=maturity,
            thickness_margin=margin,
            temperature=temperature,
            atmosphere=atmosphere,
            scalability=scalability,
            weights=self.weights,
        )
        head = {
            "thickness_um": thickness,
            "total_asr_ohm_cm2": total_asr,
            "strength_mpa": strength,
            "manufacturability": score,
            "gravimetric_wh_per_kg": stack["gravimetric_wh_per_kg"],
            "volumetric_wh_per_l": stack["volumetric_wh_per_l"],
            "handling_load_n_per_mm": handling_load,
        }
        rest = {
            "sigma_dense_s_per_cm": sigma_dense,
            "sigma_membrane_s_per_cm": sigma,
            "bulk_asr_ohm_cm2": bulk_asr,
            "interface_asr_ohm_cm2": interface_asr,
            "cathode_interface_ohm_cm2": cathode,
            "stack_thickness_um": stack["stack_thickness_um"],
            "sse_mass_fraction": stack["sse_mass_fraction"],
            "maturity_score": maturity,
            "thickness_margin_score": margin,
            "temperature_score": temperature,
            "atmosphere_score": atmosphere,
            "scalability_score": scalability,
        }
        if report:
            ccd = self.ccd_ma_per_cm2.take(pair)
            j = self.current_density_ma_per_cm2
            rest |= {
                "area_conductance_s_per_cm2": area_conductance_s_per_cm2(sigma, thickness),
                "ohmic_drop_v": dendrites.ohmic_drop_v(j, total_asr),
                "current_density_ma_per_cm2": np.full(len(thickness), j),
                "ccd_ma_per_cm2": ccd,
                "ccd_margin": dendrites.ccd_margin(ccd, self.charge_current_ma_per_cm2),
                "monroe_newman_ratio": self.monroe_newman[mat],
                "transference_number": self.transference_number[mat],
                "valid_combination": self.valid_process.take(mp) & self.coating_applies.take(pair),
            }
        rest["interlayer_thickness_um"] = layer_um
        rest["interlayer_asr_ohm_cm2"] = layer_asr
        rest["through_defects_per_membrane"] = expected_defects
        rest["percolation_paths_per_membrane"] = percolation
        rest["protrusion_hazard_per_membrane"] = protrusion
        # every microstructure and plating hazard; flaw-initiated penetration apart (its own
        # constraint, g_ccd: unknown wherever no CCD was measured)
        # percolation has its own constraint on density (g_percolation: a step in λ leaves the
        # search no direction); the probability reports it with the rest
        rest["short_hazard_per_membrane"] = expected_defects + other_hazard - percolation
        rest["flaw_hazard_per_membrane"] = self.flaw_hazard.take(pair)
        rest["free_standing"] = free_standing
        rest["li_side_stable"] = self.li_side_ok.take(pair)
        rest["cathode_side_stable"] = self.cathode_side_ok[mat]
        rest["processing_temperature_c"] = self.processing_temperature_c.take(mp)
        rest["minimum_bending_radius_mm"] = self.bending_radius_mm_per_um[mat] * sse_um
        window = {  # inputs of the thickness-window constraints, not reported per design
            "process_min_thickness_um": self.min_thickness_um.take(mp),
            "process_max_thickness_um": self.max_thickness_um.take(mp),
            "sse_layer_thickness_um": sse_um,
            # the percolation and roll-to-roll constraints' inputs; the family's pore-percolation
            # threshold is 0 where the mechanism is not assessed
            "percolation_relative_density": self.percolation_threshold[mat],
            "design_relative_density": b.relative_density,
            "over_rollers": self.over_rollers[proc],
            "roller_radius_mm": self.roller_radius_mm.take(mp),
            "web_tension_n_per_mm": self.web_tension_n_per_mm.take(mp),
        }
        # the declared constraints on these columns, reported right after the objectives
        constraints = constraint_values({**head, **rest, **window}, cfg)
        return {**head, **constraints, **rest}
