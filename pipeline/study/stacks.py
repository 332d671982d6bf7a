"""Multi-layer membranes (one to three layers), evaluated on the single-layer Evaluator's tables.

Why: one electrolyte rarely serves both electrodes and the handling line at once (issue 25 item 4;
thin_membrane_tradeoffs §2b, §3e). A halide catholyte is stable at the cathode but reduced by Li,
so a thin Li6PS5Cl anolyte goes on the Li side (Wang C. et al., Sci. Adv. 7 (2021) eabh1896,
doi:10.1126/sciadv.abh1896 [WSC21]); a polymer/ceramic/polymer sandwich lets the polymer wet Li
(J. Am. Chem. Soc. 138 (2016) 9385, doi:10.1021/jacs.6b05341); a thin dense garnet layer on a
porous garnet support is carried by the support (Hitz et al., Mater. Today 22 (2019) 50, cited in
the fact sheet §3e, full text not reached). The review names "multi-layer architectures" among the
routes to robust sub-10 µm membranes.

What a stack is: layers 0..k−1 (k ≤ 3) from the Li side; layer 0 faces the Li metal, the last
present layer faces the cathode. A layer is (material, process, thickness, relative density); an
absent layer has thickness 0 and comes only after the present ones (objectives.laminate's
convention). Each layer's conductivity, strength, defect size and thickness window come from the
same per-(material, process) tables as a single-layer design (`Evaluator`, composed here, never
changed), so a one-layer stack reproduces the Evaluator's numbers.

The laws (objectives.laminate, objectives.defects, objectives.shorts, objectives.energy):
- ASR = R_Li|0 + Σ_i L_i/σ_i + Σ_i R_i|i+1 + R_last|cathode. σ_i is the porous, as-processed
  conductivity (Bruggeman or Maxwell-Garnett pores × the process's sheet factor, as in
  Evaluator). R_Li|0 is the Li-side interface of the coating on layer 0's material
  (coating_properties.csv), R_last|cathode the cathode interface of the last layer's material
  (cathode_interfaces.csv), R_i|i+1 the internal (heteroionic) interface of each adjacent pair
  (configs/catalog/layer_interfaces.csv; the fact sheet §6: "two layers in series plus a growing
  interlayer term"). An unknown term makes the ASR unknown (NaN): the study's unknown policy
  decides, never a guess.
- Stability: each outer face against its own electrode (li_side from layer 0 with its coating,
  cathode_side from the last present layer), stability.csv and coatings.csv as in Evaluator.
- Shorts: each layer's own hazard λ_i = pinholes (defects: λ = (A/d²)·P^(L/d)) + percolating pores
  below the family's threshold + Li protrusions through a soft layer + the plated-capacity hazard
  (objectives/shorts.py); P_i = 1 − exp(−λ_i). A through-short needs a path through every layer:
  P_stack = Π_i P_i (laminate.stack_short_probability; ASSUMPTION: independent layers, optimistic,
  read it as a lower bound: a filament through one layer focuses current where it meets the next,
  and an internal interface can itself be a path, Westover et al., fact sheet §3b). Flaw-initiated
  penetration is reported for layer 0 only (the Li side, where Li is plated at the charge current)
  and not credited with the blocking of the layers behind it: conservative.
- Mechanics: composite-beam laminate (laminate.laminate_tension_capacity_n_per_mm: first-layer
  failure at equal strain; laminate_minimum_bending_radius_mm) from each layer's E and σ_f reduced
  by porosity (X = X0·exp(−b·P): strength with the study's coefficient as in Evaluator, modulus
  with the material's modulus_porosity_coefficient); NaN wherever a present layer's E or σ_f is
  unknown (one layer: σ_f·t, E cancels). A stack needs handling strength of its own when one of
  its layers is made by a free-standing process (the others are then deposited on it); a stack of
  only supported films lies on an electrode (NaN, as Evaluator).
- Energy: objectives.energy.stack_energy_density takes one separator density, so the stack enters
  with its equivalent density ρ_eq = m_A / L_total (m_A = Σ ρ_i ρ_rel,i L_i,
  laminate.laminate_areal_mass_g_per_cm2) at relative density 1: the same areal mass and
  thickness, so the same energy density.

Coatings that are themselves µm layers of another material (catalog.coating_layer: lpscl_anolyte,
peo_interlayer) are written here as explicit layers; such a coating on layer 0 makes the design
invalid (valid_combination False) rather than counting that layer twice.

Not yet wired into the search (issue 25 item 4): this module is evaluated by its own tests and by
`make bench-physics` (designs_per_s_three_layer).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from objectives import defects, laminate, microstructure, shorts
from objectives.constants import CM_PER_UM
from pipeline.errors import CatalogError, did_you_mean
from pipeline.study.catalog import FAMILIES, PROPERTY_COLUMNS, Catalog
from pipeline.study.catalog.checks import Problems
from pipeline.study.catalog.evidence import validate_long
from pipeline.study.catalog.model import EVIDENCE_COLUMNS
from pipeline.study.evaluation import Evaluator

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
BoolArray = NDArray[np.bool_]

MAX_LAYERS = laminate.MAX_LAYERS
LAYER_INTERFACES_FILE = "layer_interfaces.csv"  # beside the catalog's tables
LAYER_INTERFACE_COLUMNS = ("side_a", "side_b", *PROPERTY_COLUMNS)
# property -> (unit, lowest, highest), as the catalog's schema writes them
LAYER_INTERFACE_PROPERTIES: dict[str, tuple[str, float, float]] = {
    "interfacial_resistance_ohm_cm2": ("Ω cm²", 0.0, 1e6),
}
INTERFACE_PROPERTY = "interfacial_resistance_ohm_cm2"


# --- the internal-interface table -----------------------------------------------------------


def _read_csv(path: Path, problems: Problems) -> pd.DataFrame | None:
    """The table as text cells with a `_line` column (line 1 is the header), as the catalog's
    read_table reads its files; None (and a problem) when it cannot be read."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError:
        problems.items.append(f"{path}: file missing")
        return None
    except pd.errors.EmptyDataError:
        problems.items.append(
            f"{path}: empty file (expected a header: {', '.join(LAYER_INTERFACE_COLUMNS)})"
        )
        return None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        problems.items.append(f"{path}: not a readable CSV ({exc})")
        return None
    except OSError as exc:
        problems.items.append(f"{path}: not a readable file ({exc.strerror or exc})")
        return None
    missing = [c for c in LAYER_INTERFACE_COLUMNS if c not in frame.columns]
    if missing:
        problems.items.append(f"{path}: missing column(s) {', '.join(missing)}")
        return None
    frame = frame.apply(lambda col: col.str.strip())
    frame.insert(0, "_line", np.arange(len(frame)) + 2)
    return frame


def load_layer_interfaces(path: str | Path, catalog: Catalog) -> pd.DataFrame:
    """Load and validate layer_interfaces.csv: per unordered pair of electrolyte families or
    material ids (side_a, side_b), the resistance of the internal interface between two layers,
    each number with its evidence (value, low, high, grade, range_basis, source: the catalog's
    check_evidence; grade 'unknown' with an empty value). Raises CatalogError listing every bad
    cell as `file, line N, column 'c': message`. Returns the rows with value, low and high as
    floats (NaN: unknown)."""
    path = Path(path)
    file = str(path)
    problems = Problems()
    frame = _read_csv(path, problems)
    if frame is None:
        raise CatalogError("invalid layer interfaces:\n" + "\n".join(problems.items))
    sides = [*FAMILIES, *catalog.material_ids]
    known = set(sides)
    for _, row in frame.iterrows():
        for column in ("side_a", "side_b"):
            if row[column] not in known:
                problems.add(
                    file,
                    row["_line"],
                    column,
                    f"expected an electrolyte family ({', '.join(FAMILIES)}) or a catalog "
                    f"material id, got {row[column]!r}{did_you_mean(row[column], sides)}",
                )
    out = validate_long(
        frame,
        file,
        "side_a",
        set(frame["side_a"]),  # checked above, with a better message
        LAYER_INTERFACE_PROPERTIES,
        problems,
        key_col="side_b",
    )
    # the pairs are unordered: "a,b" and "b,a" are the same interface (validate_long catches the
    # exact repeat)
    seen: dict[tuple[frozenset[str], str], tuple[int, tuple[str, str]]] = {}
    for line, a, b, prop in out[["_line", "side_a", "side_b", "property"]].itertuples(index=False):
        key = (frozenset((a, b)), prop)
        if key in seen and seen[key][1] != (a, b):
            problems.add(
                file,
                line,
                "side_b",
                f"duplicate of line {seen[key][0]}: the interface {a} | {b} again (pairs are "
                "unordered)",
            )
        seen.setdefault(key, (line, (a, b)))
    if problems.items:
        raise CatalogError(
            "invalid layer interfaces:\n" + "\n".join(f"  - {p}" for p in problems.items)
        )
    return out.drop(columns="_line").reset_index(drop=True)


def layer_interface_evidence(catalog: Catalog) -> pd.DataFrame:
    """The internal-interface numbers of layer_interfaces.csv beside the catalog's tables, as rows
    of Catalog.evidence() (table 'layer', item side_a, applies_to side_b), so `ssemo catalog
    evidence` lists them with every other number; no rows when the catalog has no such file."""
    path = Path(catalog.directory) / LAYER_INTERFACES_FILE
    columns = list(EVIDENCE_COLUMNS)
    if not path.exists():
        return pd.DataFrame(columns=columns)
    rows = load_layer_interfaces(path, catalog)
    rows = rows.assign(table="layer", item=rows["side_a"], applies_to=rows["side_b"])
    for column in columns:
        if column not in rows:
            rows[column] = "bounds" if column == "range_kind" else np.nan
    return rows[columns]


def _material_keys(catalog: Catalog) -> list[tuple[str, ...]]:
    """Per material, the keys a row may name, most specific first: the material id, the parent
    of a composition family, the electrolyte family."""
    return [
        tuple(dict.fromkeys((mid, catalog.family_parent(mid) or mid, family)))
        for mid, family in zip(catalog.materials.index, catalog.materials["family"], strict=True)
    ]


def internal_interface_matrix(catalog: Catalog, table: pd.DataFrame) -> FloatArray:
    """Matrix [material, material] of the internal interface resistance [Ω cm²] between two
    adjacent layers, symmetric. Each cell is the most specific row for the pair: material ×
    material before material × family before family × family (fewest steps down the keys of
    `_material_keys` in total, then the smaller of the two steps; a remaining tie, material_i ×
    family_j against family_i × material_j, goes to the row naming the earlier catalog material).
    NaN: no row, or a row whose value is unknown."""
    rows = table[table["property"] == INTERFACE_PROPERTY]
    lookup: dict[tuple[str, str], float] = {}
    for a, b, value in rows[["side_a", "side_b", "value"]].itertuples(index=False):
        lookup[(a, b)] = lookup[(b, a)] = float(value)
    keys = _material_keys(catalog)
    n = len(keys)
    out = np.full((n, n), np.nan)
    for i in range(n):
        for j in range(i, n):
            candidates = sorted(
                (ra + rb, max(ra, rb), ra, ka, kb)
                for ra, ka in enumerate(keys[i])
                for rb, kb in enumerate(keys[j])
                if (ka, kb) in lookup
            )
            if candidates:
                _, _, _, ka, kb = candidates[0]
                out[i, j] = out[j, i] = lookup[(ka, kb)]
    return out


# --- stacks ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StackBatch:
    """A population of stacks as parallel (n_designs, n_layers) arrays, n_layers ≤ 3, layer 0 on
    the Li side. thickness_um 0 marks an absent layer (only after the present ones); the material,
    process, relative density and filler fraction of an absent layer are ignored (any value; an
    index of −1 is fine). coating: (n,) index of the Li-side coating on layer 0 (None: 'none');
    filler_fraction: a composite template's filler fraction per layer (None: 0)."""

    material: IntArray
    process: IntArray
    thickness_um: FloatArray
    relative_density: FloatArray
    coating: IntArray | None = None
    filler_fraction: FloatArray | None = None

    def __len__(self) -> int:
        return len(self.thickness_um)

    def take(self, rows: slice | IntArray) -> StackBatch:
        parts: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            array = getattr(self, name)
            parts[name] = None if array is None else array[rows]
        return StackBatch(**parts)


class StackEvaluator:
    """Evaluate populations of 1-3 layer stacks with an Evaluator's catalog tables (composed:
    the Evaluator is read, never changed). Results are named like the Evaluator's, with units."""

    def __init__(self, evaluator: Evaluator, layer_interfaces: pd.DataFrame | None = None):
        """layer_interfaces: a validated table (load_layer_interfaces); None reads
        layer_interfaces.csv from the catalog's folder."""
        self.evaluator = evaluator
        catalog = evaluator.catalog
        if layer_interfaces is None:
            layer_interfaces = load_layer_interfaces(
                catalog.directory / LAYER_INTERFACES_FILE, catalog
            )
        self.layer_interfaces = layer_interfaces
        self.n_materials = evaluator.n_materials
        # flat [material_a * n_materials + material_b]
        self.internal_interface_ohm_cm2 = internal_interface_matrix(
            catalog, layer_interfaces
        ).ravel()
        self.none_coating = catalog.coating_ids.index("none")
        m = catalog.materials
        self.youngs_modulus_gpa = m["youngs_modulus_gpa"].to_numpy(float)
        b = m["modulus_porosity_coefficient"].to_numpy(float)
        # E = E0·exp(−b·P): a known E0 with an unknown b is known only for a dense layer
        self.modulus_porosity_coefficient = np.nan_to_num(b)
        self.modulus_needs_dense = np.isnan(b) & ~np.isnan(self.youngs_modulus_gpa)
        # a coating that is a µm layer of another material is written as its own layer here
        layer_um, _ = catalog.coating_layer()
        self.coating_valid = (evaluator.coating_applies & (layer_um == 0.0)).ravel()
        self.valid_process = evaluator.valid_process.ravel()

    def __call__(
        self,
        batch: StackBatch,
        chunk_size: int = 8192,
        out: dict[str, np.ndarray] | None = None,
    ) -> dict[str, np.ndarray]:
        """Evaluate every stack; returns named (n,) arrays. Batches larger than chunk_size are
        evaluated chunk by chunk so that the temporaries stay in cache; `out` (from an earlier
        call of the same size) is filled in place, as Evaluator.__call__ does."""
        n = len(batch)
        if n <= chunk_size and out is None:
            return self._evaluate(batch)
        for start in range(0, n, chunk_size):
            part = self._evaluate(batch.take(slice(start, start + chunk_size)))
            if out is None:
                out = {k: np.empty(n, dtype=v.dtype) for k, v in part.items()}
            for key, values in part.items():
                out[key][start : start + len(values)] = values
        assert out is not None
        return out

    def _modulus_gpa(self, mat: IntArray, porosity: FloatArray) -> FloatArray:
        """E = E0·exp(−b·P), P = 1 − ρ_rel (objectives.microstructure.porous_property's law, on
        densities already checked) with the material's b; a dense layer keeps E0 where b is
        unknown, a porous one is then NaN."""
        modulus = self.youngs_modulus_gpa[mat] * np.exp(
            -self.modulus_porosity_coefficient[mat] * porosity
        )
        rows = np.flatnonzero(self.modulus_needs_dense[mat] & (porosity != 0.0))
        modulus[rows] = np.nan
        return modulus

    def _evaluate(self, b: StackBatch) -> dict[str, np.ndarray]:
        ev = self.evaluator
        cfg = ev.config
        area = cfg.mechanics.membrane_area_cm2
        thickness = np.asarray(b.thickness_um, dtype=float)
        if thickness.ndim != 2 or not 1 <= thickness.shape[1] <= MAX_LAYERS:
            raise ValueError(
                f"thickness_um: expected shape (n_designs, 1..{MAX_LAYERS}), got {thickness.shape}"
            )
        n, k = thickness.shape
        faces = laminate.outer_faces(thickness)  # checks the thicknesses (≥ 0, order)
        present = thickness != 0.0
        coating = np.full(n, self.none_coating, dtype=np.intp) if b.coating is None else b.coating
        filler = np.zeros((n, k)) if b.filler_fraction is None else b.filler_fraction

        mats, mps, ts, rhos = [], [], [], []
        sigma_cols, p_cols, e_cols, s_cols, rho_mass_cols = [], [], [], [], []
        out: dict[str, np.ndarray] = {}
        hazards: list[FloatArray] = []
        window = np.full(n, -np.inf)
        valid = np.ones(n, dtype=bool)
        any_free = np.zeros(n, dtype=bool)
        for i in range(k):
            here = present[:, i]
            partial = not here.all()
            mat = b.material[:, i]
            proc = b.process[:, i]
            t = thickness[:, i]
            rho = np.asarray(b.relative_density[:, i], dtype=float)
            phi = filler[:, i]
            if partial:  # absent layers: harmless stand-ins, masked out below and by laminate
                mat = np.where(here, mat, 0)
                proc = np.where(here, proc, 0)
                rho = np.where(here, rho, 1.0)
                phi = np.where(here, phi, 0.0)
                t_safe = np.where(here, t, 1.0)
            else:
                t_safe = t
            mp = mat * ev.n_processes + proc
            sigma_dense = ev.sigma_dense_s_per_cm(mat, phi)
            sigma_porous = microstructure.porous_conductivity_s_per_cm(
                sigma_dense,
                rho,
                cast(microstructure.PorosityModel, cfg.mechanics.porosity_model),
            )
            sigma = ev.membrane_conductivity_factor.take(mp) * sigma_porous
            # shorts of the layer on its own (Evaluator: pinholes + protrusion + capacity, and
            # percolating pores below the family's threshold)
            pore_um = ev.defect_size_um.take(mp)
            hazard = defects.through_defects_per_membrane(
                relative_density=rho, thickness_um=t_safe, grain_size_um=pore_um, area_cm2=area
            )
            below = ev.percolation_on[mat] & ~(rho >= ev.percolation_density[mat])
            rows = np.flatnonzero(below)
            if rows.size:
                hazard[rows] += shorts.percolation_hazard(
                    relative_density=rho[rows],
                    percolation_relative_density=ev.percolation_density[mat[rows]],
                    pore_size_um=pore_um[rows],
                    area_cm2=area,
                )
            rows = np.flatnonzero(ev.protrusion_on[mat])
            if rows.size:
                hazard[rows] += shorts.protrusion_hazard(
                    plated_capacity_mah_per_cm2=ev.plated_capacity_mah_per_cm2,
                    thickness_um=t_safe[rows],
                    amplification=ev.protrusion_amplification[mat[rows]],
                    weibull_modulus=ev.protrusion_modulus[mat[rows]],
                )
            hazard += ev.capacity_hazard[mat]
            probability = -np.expm1(-hazard)
            hazards.append(hazard)
            # σ_f = σ_f0·exp(−b·P) with the study's b (microstructure.porous_property, as
            # Evaluator), written out: ρ_rel was checked above
            porosity = 1.0 - rho
            strength = ev.strength_ref_mpa[mat] * np.exp(
                -cfg.mechanics.strength_porosity_coefficient * porosity
            )
            modulus = self._modulus_gpa(mat, porosity)
            low = ev.min_thickness_um.take(mp)
            high = ev.max_thickness_um.take(mp)
            layer_window = np.maximum(low / t_safe - 1.0, t_safe / high - 1.0)
            layer_valid = self.valid_process.take(mp)
            free = ev.free_standing[proc]
            if partial:
                layer_window = np.where(here, layer_window, -np.inf)
                layer_valid = layer_valid | ~here
                free = free & here
            np.maximum(window, layer_window, out=window)
            valid &= layer_valid
            any_free |= free
            mats.append(mat)
            mps.append(mp)
            ts.append(t)
            rhos.append(rho)
            sigma_cols.append(sigma)
            p_cols.append(probability)
            e_cols.append(modulus)
            s_cols.append(strength)
            rho_mass_cols.append(ev.density(mat, phi))
            out[f"layer{i}_thickness_um"] = t
            for name, values in (
                ("sigma_membrane_s_per_cm", sigma),
                ("short_probability", probability),
                ("strength_mpa", strength),
                ("youngs_modulus_gpa", modulus),
            ):  # unknown (NaN) at an absent layer: it has none
                out[f"layer{i}_{name}"] = np.where(here, values, np.nan) if partial else values
            out[f"layer{i}_process_min_thickness_um"] = np.where(here, low, 0.0) if partial else low
            out[f"layer{i}_process_max_thickness_um"] = (
                np.where(here, high, np.inf) if partial else high
            )

        # ASR: Li side + layers in series with their internal interfaces + cathode side
        internal = [
            self.internal_interface_ohm_cm2.take(mats[i] * self.n_materials + mats[i + 1])
            for i in range(k - 1)
        ]
        internal_sum = np.zeros(n)
        for i, r in enumerate(internal):  # counted only where the upper layer is present
            internal_sum += np.where(present[:, i + 1], r, 0.0) if k > 1 else r
        series = laminate.series_asr_ohm_cm2(
            thickness,
            sigma_s_per_cm=np.stack(sigma_cols, axis=-1),
            internal_interface_ohm_cm2=(
                np.stack(internal, axis=-1) if internal else np.zeros((n, 0))
            ),
        )
        pair0 = coating * self.n_materials + mats[0]
        last = faces.cathode_side_layer
        mat_last = np.choose(last, mats) if k > 1 else mats[0]
        li_interface = ev.interface_ohm_cm2.take(pair0)
        cathode = ev.cathode_ohm_cm2[mat_last]
        total_asr = series + li_interface + cathode

        # shorts: every layer must be crossed
        short_p = laminate.stack_short_probability(
            thickness, layer_short_probability=np.stack(p_cols, axis=-1)
        )
        single = ~present[:, 1] if k > 1 else np.ones(n, dtype=bool)
        # the hazard equivalent to P_stack, λ = −ln(1 − P), what g_short reads; one layer: its own
        # λ exactly (P rounds to 1 above λ ≈ 37, where −ln(1 − P) would be inf)
        with np.errstate(divide="ignore"):
            stack_hazard = -np.log1p(-short_p)
        stack_hazard = np.where(single, hazards[0], stack_hazard)

        # mechanics of the laminate
        moduli = np.stack(e_cols, axis=-1)
        strengths = np.stack(s_cols, axis=-1)
        # one layer: F/w = σ_f·t whatever E is (E cancels), so an unknown E of a lone layer does
        # not hide a known strength
        moduli_tension = moduli.copy()
        moduli_tension[:, 0] = np.where(single & np.isnan(moduli[:, 0]), 1.0, moduli[:, 0])
        tension = laminate.laminate_tension_capacity_n_per_mm(
            thickness, strength_mpa=strengths, youngs_modulus_gpa=moduli_tension
        )
        handling = np.where(any_free, tension, np.nan)
        bending = laminate.laminate_minimum_bending_radius_mm(
            thickness, youngs_modulus_gpa=moduli, strength_mpa=strengths
        )

        # energy: the stack's areal mass at its equivalent density
        areal = laminate.laminate_areal_mass_g_per_cm2(
            thickness,
            density_g_per_cm3=np.stack(rho_mass_cols, axis=-1),
            relative_density=np.stack(rhos, axis=-1),
        )
        total_um = ts[0].copy()
        for t in ts[1:]:
            total_um += t
        equivalent_density = areal / (total_um * CM_PER_UM)
        stack = ev.stack_energy(total_um, equivalent_density, 1.0)
        head = {
            "thickness_um": total_um,
            "n_layers": present.sum(axis=1).astype(float),
            "total_asr_ohm_cm2": total_asr,
            "series_asr_ohm_cm2": series,
            "internal_interface_asr_ohm_cm2": internal_sum,
            "li_interface_ohm_cm2": li_interface,
            "cathode_interface_ohm_cm2": cathode,
            "interface_asr_ohm_cm2": li_interface + cathode,
            "li_side_stable": ev.li_side_ok.take(pair0),
            "cathode_side_stable": ev.cathode_side_ok[mat_last],
            "cathode_side_layer": last.astype(float),
            "short_probability": short_p,
            "short_hazard_per_membrane": stack_hazard,
            "flaw_hazard_per_membrane": ev.flaw_hazard.take(pair0),
            "ccd_ma_per_cm2": ev.ccd_ma_per_cm2.take(pair0),
            "handling_load_n_per_mm": handling,
            "minimum_bending_radius_mm": bending,
            "free_standing": any_free,
            "g_layer_thickness_window": window,
            "membrane_areal_mass_g_per_cm2": areal,
            "equivalent_density_g_per_cm3": equivalent_density,
            "gravimetric_wh_per_kg": stack["gravimetric_wh_per_kg"],
            "volumetric_wh_per_l": stack["volumetric_wh_per_l"],
            "stack_thickness_um": stack["stack_thickness_um"],
            "sse_mass_fraction": stack["sse_mass_fraction"],
            "valid_combination": valid & self.coating_valid.take(pair0),
        }
        return {**head, **out}
