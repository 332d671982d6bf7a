"""The material / process / coating catalog (configs/catalog/*.csv), validated at load.

Every number that enters an objective or a constraint lives in one of three long tables
(material_properties.csv, process_properties.csv, coating_properties.csv) and carries its evidence:
value, a plausible range (low, high), an evidence grade (GRADES), the basis of the range and its
source. An unknown value stays unknown (empty value, grade 'unknown'): the study's
`constraints.unknown` policy decides, never a point guess. Loading checks every cell — units via the
property name, ranges, families that exist, processes that apply, required parameters of each
temperature law — and reports *all* bad cells at once as `file, line N, column 'c': expected ...`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.errors import CatalogError

FAMILIES = ("oxide", "sulfide", "halide", "polymer", "composite", "glass_thin_film")
TEMPERATURE_LAWS = ("arrhenius_sigma", "arrhenius_sigma_t", "vft", "composite")
ATMOSPHERES = ("ambient", "dry_room", "inert", "vacuum")
SCALABILITY = ("roll_to_roll", "batch")
# free-standing: a membrane handled on its own; supported: a film deposited on an electrode (it
# needs no handling strength; thin_membrane_tradeoffs §5: vacuum thin films are made on substrates)
ARCHITECTURES = ("free_standing", "supported")
# behaviour of a material against Li metal and against a 4 V-class oxide cathode (thin-membrane fact
# sheet §1): stable, passivating (reacts, self-limiting insulating interphase), or reacting (keeps
# reacting: mixed-conducting interphase or oxidation products): a reacting pair needs a cure
STABILITY_CLASSES = ("stable", "passivating", "reacting")
CURES = ("li_side",)
# what a material's sigma_ref_s_per_cm was measured on: a dense pellet (the process's
# membrane_conductivity_factor then turns it into the as-processed membrane's), or an as-made sheet
# or film, which already holds the process's cost (no factor is applied to it)
SIGMA_REF_FORMS = ("pellet", "sheet", "film")
STATUSES = ("literature", "derived", "assumption")  # text classes (stability, atmosphere)
# Evidence grade of a number (configs/catalog/EVIDENCE.md): measured in the paper cited
# (primary), measured but read through a review, abstract or compilation (secondary), computed by
# us from cited numbers (derived), or our assumption. 'unknown' only with an empty value.
GRADES = ("measured-primary", "measured-secondary", "derived", "assumption")
UNKNOWN = "unknown"

# property -> (unit, lowest, highest). The unit is part of the name; the range catches unit slips
# (a conductivity in mS/cm typed as S/cm, a temperature in K typed as °C).
MATERIAL_PROPERTIES: dict[str, tuple[str, float, float]] = {
    "sigma_ref_s_per_cm": ("S/cm", 1e-14, 10.0),
    "reference_temperature_c": ("°C", -100.0, 400.0),
    "activation_energy_ev": ("eV", 0.01, 2.0),
    "vft_pseudo_activation_k": ("K", 1.0, 1e5),
    "vft_vogel_temperature_k": ("K", 0.0, 500.0),
    "density_g_per_cm3": ("g/cm³", 0.3, 12.0),
    "youngs_modulus_gpa": ("GPa", 1e-4, 1000.0),
    "shear_modulus_gpa": ("GPa", 1e-4, 1000.0),
    "modulus_porosity_coefficient": ("-", 0.0, 50.0),
    "strength_mpa": ("MPa", 0.01, 5000.0),
    "strength_area_cm2": ("cm²", 1e-4, 1e4),
    "weibull_modulus": ("-", 1.0, 100.0),
    "fracture_toughness_mpa_m05": ("MPa m^0.5", 0.01, 50.0),
    "ccd_ma_per_cm2": ("mA/cm²", 0.0, 1000.0),
    "transference_number": ("-", 0.0, 1.0),
    "particle_radius_nm": ("nm", 0.1, 1e5),
    "interphase_thickness_nm": ("nm", 0.01, 1e4),
}
PROCESS_PROPERTIES: dict[str, tuple[str, float, float]] = {
    "min_thickness_um": ("µm", 1e-3, 5000.0),
    "max_thickness_um": ("µm", 1e-3, 5000.0),
    "mrl": ("-", 1.0, 10.0),
    "processing_temperature_c": ("°C", -50.0, 2500.0),
    "relative_density_max": ("-", 0.3, 1.0),
    "defect_size_um": ("µm", 1e-4, 1000.0),
    "membrane_conductivity_factor": ("-", 1e-3, 3.0),  # σ_membrane/σ_pellet (tradeoffs §4)
}
# the cell's cathode (cell.cathode_coating in a study config) against each electrolyte
CATHODE_COATINGS = ("linbo3", "none")
# per (coating, electrolyte family or material): the Li-side interface the coating makes
COATING_PROPERTIES: dict[str, tuple[str, float, float]] = {
    "interfacial_resistance_ohm_cm2": ("Ω cm²", 0.0, 1e6),
    "ccd_ma_per_cm2": ("mA/cm²", 0.0, 1000.0),
    "layer_thickness_um": ("µm", 1e-3, 100.0),  # an interlayer that is a layer of another material
}
LAW_PARAMETERS = {
    "arrhenius_sigma": ("sigma_ref_s_per_cm", "reference_temperature_c", "activation_energy_ev"),
    "arrhenius_sigma_t": ("sigma_ref_s_per_cm", "reference_temperature_c", "activation_energy_ev"),
    "vft": (
        "sigma_ref_s_per_cm",
        "reference_temperature_c",
        "vft_pseudo_activation_k",
        "vft_vogel_temperature_k",
    ),
    "composite": (),
}
FILES = {
    "materials": "materials.csv",
    "material_properties": "material_properties.csv",
    "processes": "processes.csv",
    "process_properties": "process_properties.csv",
    "coatings": "coatings.csv",
    "coating_properties": "coating_properties.csv",
    "cathode_interfaces": "cathode_interfaces.csv",
    "stability": "stability.csv",
    "families": "composition_families.csv",
    "family_measurements": "family_measurements.csv",
}
# the long tables: one number per row, with its evidence
PROPERTY_COLUMNS = (
    "property",
    "value",
    "low",
    "high",
    "grade",
    "range_basis",
    "condition",
    "source",
    "note",
)
COLUMNS = {
    "materials": (
        "material_id",
        "name",
        "family",
        "formula",
        "temperature_law",
        "atmosphere",
        "atmosphere_status",
        "atmosphere_source",
        "matrix_id",
        "filler_id",
        "sigma_ref_form",
        "source",
    ),
    "material_properties": ("material_id", *PROPERTY_COLUMNS),
    "processes": (
        "process_id",
        "name",
        "families",
        "architecture",
        "atmosphere",
        "scalability",
        "status",
        "source",
    ),
    # applies_to: empty (every family the process makes), one of those families, or a material of
    # one: a demonstrated window, density or sheet factor differs per family (thin tape-cast
    # garnet is not thin wet-coated sulfide); the most specific row wins
    "process_properties": ("process_id", "applies_to", *PROPERTY_COLUMNS),
    "coatings": (
        "coating_id",
        "name",
        "family",
        "cures",
        "cure_source",
        "layer_material_id",
        "layer_source",
    ),
    # applies_to: an electrolyte family (every material of it) or one material id, which then
    # overrides its family's row (e.g. Li | LGPS-type differs from Li | argyrodite)
    "coating_properties": ("coating_id", "applies_to", *PROPERTY_COLUMNS),
    # the cathode side: per (cell cathode coating, electrolyte family or material)
    "cathode_interfaces": ("cathode_coating", "applies_to", *PROPERTY_COLUMNS),
    "families": (
        "family_id",
        "name",
        "template",
        "x_min",
        "x_max",
        "oxidation_states",
        "parent_material_id",
        "range_source",
        "trend_source",
        "note",
    ),
    "family_measurements": (
        "family_id",
        "x",
        "composition",
        "sigma_s_per_cm",
        "temperature_c",
        "form",
        "thickness_um",
        "source",
    ),
    "stability": (
        "material_id",
        "li_side",
        "li_side_status",
        "li_side_source",
        "cathode_side",
        "cathode_side_status",
        "cathode_side_source",
        "note",
    ),
}


@dataclass(frozen=True)
class Catalog:
    """Validated catalog. Wide tables are indexed by id, in file order (the index is the code)."""

    materials: pd.DataFrame  # identity columns + one column per material property (NaN = unknown)
    processes: pd.DataFrame  # identity columns + one column per process property
    coatings: pd.DataFrame  # one row per (coating_id, family): which coatings exist for a family
    material_properties: pd.DataFrame  # long tables with the evidence of every number
    process_properties: pd.DataFrame
    coating_properties: pd.DataFrame
    cathode_interfaces: pd.DataFrame
    stability: pd.DataFrame  # per material: Li-side and cathode-side class with status and source
    directory: Path
    # composition families (index family_id): template, x window, parent; searched only when a study
    # lists them (search.families), as materials added by `with_families`
    families: pd.DataFrame = field(default_factory=pd.DataFrame)
    # measured σ of family members (pellets and membranes, with sources), shown beside predictions
    family_measurements: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def family_ids(self) -> list[str]:
        return list(self.families.index)

    def with_families(self, family_ids: Sequence[str]) -> Catalog:
        """This catalog plus the chosen families as materials: each a copy of its parent material
        (family, processes, density, mechanics, CCD, stability: inherited, as composition_families.csv
        says), whose conductivity the surrogate predicts per design. Its formula is left empty so
        nothing treats the template as a composition."""
        if not family_ids:
            return self
        rows, stability = [], []
        for fid in family_ids:
            fam = self.families.loc[fid]
            parent = fam["parent_material_id"]
            row = self.materials.loc[parent].copy()
            row["name"] = fam["name"]
            row["formula"] = ""
            row["source"] = f"composition family (parent {parent})"
            rows.append(row.rename(fid))
            stab = self.stability.loc[parent].copy()
            stab["note"] = f"inherited from the parent {parent} (composition_families.csv)"
            stability.append(stab.rename(fid))
        materials = pd.concat([self.materials, pd.DataFrame(rows)])
        materials.index.name = self.materials.index.name
        stab_all = pd.concat([self.stability, pd.DataFrame(stability)])
        stab_all.index.name = self.stability.index.name
        return replace(self, materials=materials, stability=stab_all)

    def family_parent(self, material_id: str) -> str | None:
        """The parent material of a family (None for a catalog material)."""
        if material_id in self.families.index:
            return str(self.families.loc[material_id, "parent_material_id"])
        return None

    @property
    def material_ids(self) -> list[str]:
        return list(self.materials.index)

    @property
    def process_ids(self) -> list[str]:
        return list(self.processes.index)

    @property
    def coating_ids(self) -> list[str]:
        return list(dict.fromkeys(self.coatings["coating_id"]))

    def process_applies(self) -> np.ndarray:
        """Boolean matrix [material, process]: the process makes membranes of the material's family."""
        fam = self.materials["family"].to_numpy()
        return np.array(
            [[f in families for families in self.processes["families"]] for f in fam], dtype=bool
        )

    def _coating_keys(self) -> list[tuple[str, ...]]:
        """Per material, the applies_to keys of coating_properties.csv that reach it, most specific
        first: the material itself, the parent of a composition family, then the family."""
        return [
            tuple(dict.fromkeys((mid, self.family_parent(mid) or mid, fam)))
            for mid, fam in zip(self.materials.index, self.materials["family"], strict=True)
        ]

    def _coating_matrix(self, prop: str) -> np.ndarray:
        """Matrix [coating, material] of a coating property (NaN: unknown or no such coating)."""
        rows = self.coating_properties[self.coating_properties["property"] == prop]
        lookup = {
            (c, a): v
            for c, a, v in rows[["coating_id", "applies_to", "value"]].itertuples(index=False)
        }
        out = np.full((len(self.coating_ids), len(self.materials)), np.nan)
        for j, keys in enumerate(self._coating_keys()):
            for i, c in enumerate(self.coating_ids):
                hit = next((k for k in keys if (c, k) in lookup), None)
                if hit is not None:
                    out[i, j] = lookup[(c, hit)]
        return out

    def process_values(self, prop: str) -> np.ndarray:
        """Matrix [material, process] of a process property: the most specific row of
        process_properties.csv for the pair (material, family parent, family, then every family)."""
        pp = self.process_properties
        rows = pp[pp["property"] == prop]
        lookup = {
            (p, a): v
            for p, a, v in rows[["process_id", "applies_to", "value"]].itertuples(index=False)
        }
        out = np.full((len(self.materials), len(self.processes)), np.nan)
        for i, keys in enumerate(self._coating_keys()):
            for j, p in enumerate(self.process_ids):
                hit = next((k for k in (*keys, "") if (p, k) in lookup), None)
                if hit is not None:
                    out[i, j] = lookup[(p, hit)]
        return out

    def membrane_conductivity_factor(self) -> np.ndarray:
        """Matrix [material, process] of σ_membrane/σ_ref: the process's sheet-vs-pellet factor
        for a material whose σ_ref is a pellet value, 1 where σ_ref is already an as-made sheet
        or film (the factor would count the process's cost twice)."""
        factor = self.process_values("membrane_conductivity_factor")
        as_made = (self.materials["sigma_ref_form"].fillna("") != "pellet").to_numpy()
        factor[as_made & ~self.is_composite_template()] = 1.0
        return factor

    def is_composite_template(self) -> np.ndarray:
        return (self.materials["temperature_law"] == "composite").to_numpy()

    def cathode_resistance_ohm_cm2(self, cathode_coating: str) -> np.ndarray:
        """Per material, the cathode-side interfacial resistance with the cell's cathode coating
        (the most specific row: material, family parent, family; NaN: unknown)."""
        rows = self.cathode_interfaces[
            (self.cathode_interfaces["cathode_coating"] == cathode_coating)
            & (self.cathode_interfaces["property"] == "interfacial_resistance_ohm_cm2")
        ]
        lookup = dict(zip(rows["applies_to"], rows["value"], strict=True))
        return np.array(
            [
                next((lookup[k] for k in keys if k in lookup), np.nan)
                for keys in self._coating_keys()
            ]
        )

    def coating_applies(self) -> np.ndarray:
        """Boolean matrix [coating, material]: coatings.csv has the coating for the family."""
        pairs = set(self.coatings[["coating_id", "family"]].itertuples(index=False, name=None))
        families = list(self.materials["family"])
        return np.array([[(c, f) in pairs for f in families] for c in self.coating_ids], dtype=bool)

    def coating_resistance_ohm_cm2(self) -> np.ndarray:
        """Matrix [coating, material] of the Li-side interfacial resistance (NaN: unknown, or the
        coating does not exist for the material: see coating_applies)."""
        return self._coating_matrix("interfacial_resistance_ohm_cm2")

    def coating_cures_li_side(self) -> np.ndarray:
        """Matrix [coating, material]: the coating cures a reacting Li | material contact."""
        lookup = {
            (c, f): cures == "li_side"
            for c, f, cures in self.coatings[["coating_id", "family", "cures"]].itertuples(
                index=False
            )
        }
        families = list(self.materials["family"])
        return np.array(
            [[lookup.get((c, f), False) for f in families] for c in self.coating_ids], dtype=bool
        )

    def coating_layer(self) -> tuple[np.ndarray, np.ndarray]:
        """Matrices [coating, material] of the interlayer's thickness (0 for a nm-scale coating or
        an invalid pair) and its material's index (-1 where there is no layer)."""
        ids = {m: i for i, m in enumerate(self.material_ids)}
        thickness = np.nan_to_num(self._coating_matrix("layer_thickness_um"), nan=0.0)
        lookup = {
            (c, f): ids.get(m, -1)
            for c, f, m in self.coatings[["coating_id", "family", "layer_material_id"]].itertuples(
                index=False
            )
        }
        families = list(self.materials["family"])
        index = np.array(
            [[lookup.get((c, f), -1) for f in families] for c in self.coating_ids], dtype=np.intp
        )
        return thickness, index

    def coating_ccd_ma_per_cm2(self) -> np.ndarray:
        """Matrix [coating, material] of CCD reported with a coating (NaN when none was reported)."""
        return self._coating_matrix("ccd_ma_per_cm2")

    def evidence(self) -> pd.DataFrame:
        """Every number of the catalog with its evidence, one row each: table, item (material,
        process or coating id), applies_to (coatings: family or material), property, value, low,
        high, grade, range_basis, source."""
        columns = ["table", "item", "applies_to", "property", "value", "low", "high", "grade"]
        columns += ["range_basis", "source"]
        parts = [
            self.material_properties.assign(
                table="material", item=self.material_properties["material_id"], applies_to=""
            ),
            self.process_properties.assign(
                table="process", item=self.process_properties["process_id"]
            ),
            self.coating_properties.assign(
                table="coating", item=self.coating_properties["coating_id"]
            ),
            self.cathode_interfaces.assign(
                table="cathode", item=self.cathode_interfaces["cathode_coating"]
            ),
        ]
        return pd.concat([part[columns] for part in parts], ignore_index=True)

    def assumptions(self) -> pd.DataFrame:
        """Every catalog number graded as an assumption, with its range and reason (for reports)."""
        ev = self.evidence()
        out = ev.loc[ev["grade"] == "assumption"].rename(columns={"table": "kind"})
        return out[["kind", "item", "applies_to", "property", "value", "low", "high", "source"]]


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, file: str, line: int | None, column: str, message: str) -> None:
        where = f"{file}, line {line}" if line is not None else file
        self.items.append(f"{where}, column '{column}': {message}")


def _read(directory: Path, key: str, problems: _Problems) -> pd.DataFrame | None:
    path = directory / FILES[key]
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError:
        problems.items.append(
            f"{path}: file missing (the catalog needs {', '.join(FILES.values())})"
        )
        return None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        problems.items.append(f"{path}: not a readable CSV ({exc})")
        return None
    missing = [c for c in COLUMNS[key] if c not in frame.columns]
    if missing:
        problems.items.append(f"{path}: missing column(s) {', '.join(missing)}")
        return None
    frame = frame.apply(lambda col: col.str.strip())
    frame.insert(0, "_line", np.arange(len(frame)) + 2)  # line 1 is the header
    return frame


def finite_float(text: str) -> float | None:
    """A finite number from a table cell, or None (not a number, nan, inf)."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _check_new_id(problems, file, row, column, seen: set[str]) -> None:
    """An id cell must be non-empty and not used by an earlier row; it is then remembered."""
    if not row[column] or row[column] in seen:
        problems.add(
            file, row["_line"], column, f"must be unique and non-empty, got {row[column]!r}"
        )
    seen.add(row[column])


def _check_choice(problems, file, row, column, choices) -> None:
    if row[column] not in choices:
        problems.add(
            file, row["_line"], column, f"expected one of {', '.join(choices)}, got {row[column]!r}"
        )


def _check_required_text(problems, file, row, columns) -> None:
    for column in columns:
        if not row[column]:
            problems.add(file, row["_line"], column, "must not be empty (every entry needs it)")


def _validate_long(
    frame, file, id_col, known_ids, schema, problems, key_col: str | None = None
) -> pd.DataFrame:
    """A long table: known ids and properties, each number with its evidence (_check_evidence);
    one row per (id, [key_col,] property). Values, low and high become floats (NaN: unknown)."""
    parsed: dict[str, list[float]] = {"value": [], "low": [], "high": []}
    seen: dict[tuple[str, ...], int] = {}
    for _, row in frame.iterrows():
        line = row["_line"]
        if row[id_col] not in known_ids:
            problems.add(
                file, line, id_col, f"unknown {id_col.removesuffix('_id')} {row[id_col]!r}"
            )
        prop = row["property"]
        if prop not in schema:
            problems.add(
                file,
                line,
                "property",
                f"unknown property {prop!r}; expected one of {', '.join(schema)}",
            )
            numbers: tuple[float | None, ...] = (None, None, None)
        else:
            numbers = _check_evidence(problems, file, row, schema[prop])
        for name, number in zip(("value", "low", "high"), numbers, strict=True):
            parsed[name].append(number if number is not None else np.nan)
        if prop == "strength_mpa" and not row["condition"]:
            problems.add(
                file, line, "condition", "strength_mpa needs its test type (e.g. '3-point bending')"
            )
        key = (row[id_col], *([row[key_col]] if key_col else []), prop)
        if key in seen:
            problems.add(file, line, "property", f"duplicate of line {seen[key]} for {key[:-1]}")
        seen[key] = line
    return frame.assign(**parsed)


def _check_evidence(problems, file, row, unit_range) -> tuple[float | None, ...]:
    """value, low, high, grade, range_basis and source of one number: a known value lies in its
    own range [low, high] inside the property's physical bounds; grade 'unknown' goes with an empty
    value, low and high; every grade needs the basis of its range and a source, and a measured
    grade a source that is not an assumption."""
    line, grade = row["_line"], row["grade"]
    _check_required_text(problems, file, row, ["source", "range_basis"])
    if grade == UNKNOWN:
        filled = [f"{c} {row[c]!r}" for c in ("value", "low", "high") if row[c]]
        if filled:
            problems.add(
                file,
                line,
                "grade",
                f"grade 'unknown' needs an empty value, low and high, got {', '.join(filled)}",
            )
        return (None, None, None)
    _check_choice(problems, file, row, "grade", (*GRADES, UNKNOWN))
    if grade.startswith("measured") and row["source"].lower().startswith("assumption"):
        problems.add(
            file,
            line,
            "source",
            f"grade {grade!r} needs the measurement's source, not an assumption",
        )
    unit, lowest, highest = unit_range
    numbers = []
    for column in ("value", "low", "high"):
        number = finite_float(row[column])
        if number is None:
            problems.add(
                file,
                line,
                column,
                f"expected a number in {unit}, got {row[column]!r} (empty only with grade 'unknown')",
            )
        elif not lowest <= number <= highest:
            problems.add(
                file,
                line,
                column,
                f"expected {row['property']} in [{lowest:g}, {highest:g}] {unit}, got {number:g}",
            )
        numbers.append(number)
    value, low, high = numbers
    if value is not None and low is not None and high is not None and not low <= value <= high:
        problems.add(
            file,
            line,
            "low" if value < low else "high",
            f"the value {value:g} lies outside its own range [low {low:g}, high {high:g}]",
        )
    return tuple(numbers)


def load_catalog(directory: str | Path) -> Catalog:
    """Load and validate the catalog folder. Raises CatalogError listing every bad cell."""
    directory = Path(directory)
    problems = _Problems()
    frames = {key: _read(directory, key, problems) for key in FILES}
    if problems.items:
        raise CatalogError("invalid catalog:\n" + "\n".join(f"  - {p}" for p in problems.items))
    mats, mprops, procs, pprops, coats, cprops, cathode, stab, fams, meas = (
        frames[k] for k in FILES
    )
    assert mats is not None and mprops is not None and procs is not None
    assert pprops is not None and coats is not None and stab is not None and fams is not None
    assert meas is not None and cprops is not None and cathode is not None
    files = {key: str(directory / name) for key, name in FILES.items()}

    # materials
    seen_ids: set[str] = set()
    for _, row in mats.iterrows():
        f = files["materials"]
        _check_new_id(problems, f, row, "material_id", seen_ids)
        _check_choice(problems, f, row, "family", FAMILIES)
        _check_choice(problems, f, row, "temperature_law", TEMPERATURE_LAWS)
        _check_choice(problems, f, row, "atmosphere", ATMOSPHERES)
        _check_choice(problems, f, row, "atmosphere_status", STATUSES)
        if row["temperature_law"] != "composite" or row["sigma_ref_form"]:
            _check_choice(problems, f, row, "sigma_ref_form", SIGMA_REF_FORMS)
        _check_required_text(problems, f, row, ["name", "source", "atmosphere_source"])
        if row["formula"]:
            from surrogates.chemistry import FormulaError, parse_formula

            try:
                parse_formula(row["formula"])
            except FormulaError as exc:
                problems.add(
                    f,
                    row["_line"],
                    "formula",
                    f"expected a chemical formula or empty, got {row['formula']!r} ({exc})",
                )
        if row["temperature_law"] == "composite":
            for column in ("matrix_id", "filler_id"):
                ref = row[column]
                ok = ref in set(mats["material_id"]) and ref != row["material_id"]
                law = mats.loc[mats["material_id"] == ref, "temperature_law"]
                if not ok or (len(law) and law.iloc[0] == "composite"):
                    problems.add(
                        f,
                        row["_line"],
                        column,
                        f"expected a non-composite material id, got {ref!r}",
                    )
        elif row["matrix_id"] or row["filler_id"]:
            problems.add(
                f,
                row["_line"],
                "matrix_id",
                "only materials with temperature_law 'composite' have a matrix/filler",
            )
    mprops = _validate_long(
        mprops, files["material_properties"], "material_id", seen_ids, MATERIAL_PROPERTIES, problems
    )

    # processes
    proc_ids: set[str] = set()
    for _, row in procs.iterrows():
        f = files["processes"]
        _check_new_id(problems, f, row, "process_id", proc_ids)
        families = [x.strip() for x in row["families"].split(";") if x.strip()]
        bad = [x for x in families if x not in FAMILIES]
        if not families or bad:
            problems.add(
                f,
                row["_line"],
                "families",
                f"expected ';'-separated families from {', '.join(FAMILIES)}, got {row['families']!r}",
            )
        _check_choice(problems, f, row, "architecture", ARCHITECTURES)
        _check_choice(problems, f, row, "atmosphere", ATMOSPHERES)
        _check_choice(problems, f, row, "scalability", SCALABILITY)
        _check_choice(problems, f, row, "status", STATUSES)
        _check_required_text(problems, f, row, ["name", "source"])
    pprops = _validate_long(
        pprops,
        files["process_properties"],
        "process_id",
        proc_ids,
        PROCESS_PROPERTIES,
        problems,
        key_col="applies_to",
    )
    _check_process_targets(pprops, files["process_properties"], procs, mats, problems)

    # coatings: which exist per family (coatings.csv), their numbers (coating_properties.csv)
    coat_keys: dict[tuple[str, str], int] = {}
    for _, row in coats.iterrows():
        f = files["coatings"]
        _check_choice(problems, f, row, "family", FAMILIES)
        _check_required_text(problems, f, row, ["coating_id", "name"])
        if row["cures"]:
            _check_choice(problems, f, row, "cures", CURES)
            _check_required_text(problems, f, row, ["cure_source"])
        key = (row["coating_id"], row["family"])
        if key in coat_keys:
            problems.add(
                f, row["_line"], "coating_id", f"duplicate of line {coat_keys[key]} for {key}"
            )
        coat_keys[key] = row["_line"]
        _check_interlayer(problems, f, row, seen_ids)
    cprops = _validate_coating_properties(cprops, files, coats, mats, problems)
    cathode = _validate_cathode_interfaces(cathode, files["cathode_interfaces"], mats, problems)
    stability = _validate_stability(stab, files["stability"], seen_ids, problems)
    families = _validate_families(fams, files["families"], mats, problems)
    measurements = _validate_family_measurements(
        meas, files["family_measurements"], families, problems
    )

    if problems.items:
        raise CatalogError("invalid catalog:\n" + "\n".join(f"  - {p}" for p in problems.items))

    wide_m = mprops.pivot(index="material_id", columns="property", values="value")
    materials = (
        mats.set_index("material_id")
        .join(wide_m)
        .reindex(columns=[*COLUMNS["materials"][1:], *MATERIAL_PROPERTIES])
        .join(stability[["li_side", "cathode_side"]])
    )
    general = pprops[pprops["applies_to"] == ""]  # the wide table: values for every family
    wide_p = general.pivot(index="process_id", columns="property", values="value")
    processes = (
        procs.set_index("process_id")
        .join(wide_p)
        .reindex(columns=[*COLUMNS["processes"][1:], *PROCESS_PROPERTIES])
    )
    processes["families"] = processes["families"].map(
        lambda s: tuple(x.strip() for x in s.split(";") if x.strip())
    )

    _check_completeness(materials, processes, coats, files, problems)
    if problems.items:
        raise CatalogError("invalid catalog:\n" + "\n".join(f"  - {p}" for p in problems.items))
    return Catalog(
        materials=materials,
        processes=processes,
        coatings=coats.drop(columns="_line").reset_index(drop=True),
        material_properties=mprops.drop(columns="_line"),
        process_properties=pprops.drop(columns="_line"),
        coating_properties=cprops.drop(columns="_line"),
        cathode_interfaces=cathode.drop(columns="_line"),
        stability=stability,
        directory=directory,
        families=families,
        family_measurements=measurements,
    )


def _validate_stability(frame, file, material_ids, problems) -> pd.DataFrame:
    """One row per material: its Li-side and cathode-side class, each with status and source."""
    seen: dict[str, int] = {}
    for _, row in frame.iterrows():
        line = row["_line"]
        if row["material_id"] not in material_ids:
            problems.add(file, line, "material_id", f"unknown material {row['material_id']!r}")
        if row["material_id"] in seen:
            problems.add(file, line, "material_id", f"duplicate of line {seen[row['material_id']]}")
        seen[row["material_id"]] = line
        for side in ("li_side", "cathode_side"):
            _check_choice(problems, file, row, side, STABILITY_CLASSES)
            _check_choice(problems, file, row, f"{side}_status", STATUSES)
            _check_required_text(problems, file, row, [f"{side}_source"])
    for missing in sorted(set(material_ids) - set(seen)):
        problems.add(file, None, "material_id", f"no stability row for material {missing!r}")
    return frame.drop(columns="_line").set_index("material_id")


def _check_interlayer(problems, f, row, material_ids) -> None:
    """An interlayer coating (a bilayer membrane's Li-side layer) names a catalog material and its
    source (its thickness is a coating property); a nm-scale coating leaves both empty."""
    if not row["layer_material_id"] and not row["layer_source"]:
        return
    if not row["layer_material_id"] or not row["layer_source"]:
        missing = "layer_source" if row["layer_material_id"] else "layer_material_id"
        problems.add(
            f,
            row["_line"],
            missing,
            "an interlayer needs layer_material_id and layer_source together",
        )
    elif row["layer_material_id"] not in material_ids:
        problems.add(
            f,
            row["_line"],
            "layer_material_id",
            f"expected a material_id of materials.csv, got {row['layer_material_id']!r}",
        )


def _check_process_targets(frame, file, procs, mats, problems) -> None:
    """applies_to of a process row: empty, a family the process makes, or a material of one."""
    makes = {
        pid: {x.strip() for x in fams.split(";")}
        for pid, fams in zip(procs["process_id"], procs["families"], strict=True)
    }
    family_of = dict(zip(mats["material_id"], mats["family"], strict=True))
    for _, row in frame.iterrows():
        target = row["applies_to"]
        if not target or row["process_id"] not in makes:
            continue
        family = target if target in FAMILIES else family_of.get(target)
        if family not in makes[row["process_id"]]:
            problems.add(
                file,
                row["_line"],
                "applies_to",
                f"expected empty, a family {row['process_id']!r} makes "
                f"({', '.join(sorted(makes[row['process_id']]))}) or a material of one, got {target!r}",
            )


def _validate_cathode_interfaces(frame, file, mats, problems) -> pd.DataFrame:
    """Each row: a cathode coating ssemo models, an electrolyte family or material, its evidence;
    every family the catalog holds has a row for every cathode coating (an unknown one with grade
    'unknown')."""
    materials = set(mats["material_id"])
    for _, row in frame.iterrows():
        if row["applies_to"] not in FAMILIES and row["applies_to"] not in materials:
            problems.add(
                file,
                row["_line"],
                "applies_to",
                f"expected a family ({', '.join(FAMILIES)}) or a material id, got {row['applies_to']!r}",
            )
    schema = {
        "interfacial_resistance_ohm_cm2": COATING_PROPERTIES["interfacial_resistance_ohm_cm2"]
    }
    out = _validate_long(
        frame,
        file,
        "cathode_coating",
        set(CATHODE_COATINGS),
        schema,
        problems,
        key_col="applies_to",
    )
    have = set(out[["cathode_coating", "applies_to"]].itertuples(index=False, name=None))
    for family in sorted(set(mats["family"])):
        for coating in CATHODE_COATINGS:
            if (coating, family) not in have:
                problems.add(
                    file,
                    None,
                    "applies_to",
                    f"no row for cathode coating {coating!r} with family {family!r} (an unknown "
                    "value is written with grade 'unknown')",
                )
    return out


def _validate_coating_properties(frame, files, coats, mats, problems) -> pd.DataFrame:
    """Each row: a coating that coatings.csv has for the family it applies to (a family, or a
    material of that family), its evidence, and per coating and family an interfacial resistance
    (possibly unknown) and, for an interlayer, the layer's thickness."""
    file = files["coating_properties"]
    family_of = dict(zip(mats["material_id"], mats["family"], strict=True))
    pairs = set(coats[["coating_id", "family"]].itertuples(index=False, name=None))
    for _, row in frame.iterrows():
        target = row["applies_to"]
        family = target if target in FAMILIES else family_of.get(target)
        if family is None:
            problems.add(
                file,
                row["_line"],
                "applies_to",
                f"expected a family ({', '.join(FAMILIES)}) or a material id, got {target!r}",
            )
        elif (row["coating_id"], family) not in pairs:
            problems.add(
                file,
                row["_line"],
                "applies_to",
                f"coatings.csv has no {row['coating_id']!r} for family {family!r}",
            )
    out = _validate_long(
        frame,
        file,
        "coating_id",
        set(coats["coating_id"]),
        COATING_PROPERTIES,
        problems,
        key_col="applies_to",
    )
    have = set(out[["coating_id", "applies_to", "property"]].itertuples(index=False, name=None))
    for _, row in coats.iterrows():
        needed = ["interfacial_resistance_ohm_cm2"]
        needed += ["layer_thickness_um"] if row["layer_material_id"] else []
        for prop in needed:
            if (row["coating_id"], row["family"], prop) not in have:
                problems.add(
                    file,
                    None,
                    "property",
                    f"coating {row['coating_id']!r} on {row['family']} needs its {prop} row "
                    f"(coatings.csv line {row['_line']}; an unknown value is written with grade 'unknown')",
                )
    return out


def _validate_families(frame, file, materials, problems) -> pd.DataFrame:
    """Each family: a new id, a catalog parent (not a composite template), 0 <= x_min < x_max, a
    template that reads at both ends, oxidation states for every element, charge neutrality at both
    ends (amounts are linear in x), and the source of its window."""
    from pipeline.study import compositions

    parents = dict(zip(materials["material_id"], materials["temperature_law"], strict=True))
    seen: set[str] = set(parents)
    lows, highs = [], []
    for _, row in frame.iterrows():
        _check_new_id(problems, file, row, "family_id", seen)
        _check_required_text(problems, file, row, ["name", "range_source"])
        if parents.get(row["parent_material_id"], "composite") == "composite":
            problems.add(
                file,
                row["_line"],
                "parent_material_id",
                f"expected a catalog material that is not a composite template, got "
                f"{row['parent_material_id']!r}",
            )
        lo, hi = finite_float(row["x_min"]), finite_float(row["x_max"])
        lows.append(lo if lo is not None else np.nan)
        highs.append(hi if hi is not None else np.nan)
        if lo is None or hi is None or not 0.0 <= lo < hi <= 10.0:
            problems.add(
                file,
                row["_line"],
                "x_max",
                f"expected numbers 0 <= x_min < x_max <= 10, got {row['x_min']!r}, {row['x_max']!r}",
            )
            continue
        try:
            states = compositions.parse_oxidation_states(row["oxidation_states"])
        except compositions.TemplateError as exc:
            problems.add(file, row["_line"], "oxidation_states", str(exc))
            continue
        try:  # linear in x, bounded, amounts >= 0 over the whole window (compositions module)
            compositions.check_template(row["template"], lo, hi)
        except compositions.TemplateError as exc:
            problems.add(file, row["_line"], "template", str(exc))
            continue
        for x in (lo, hi):
            try:
                formula = compositions.formula_at(row["template"], x)
                elements = compositions.elements(formula)
            except (compositions.TemplateError, ValueError) as exc:
                problems.add(file, row["_line"], "template", str(exc))
                break
            missing = sorted(elements - set(states))
            if missing:
                problems.add(
                    file,
                    row["_line"],
                    "oxidation_states",
                    f"{formula}: no oxidation state for {', '.join(missing)}",
                )
                break
            charge = compositions.charge_sum(formula, states)
            if abs(charge) > 1e-4:  # amounts are written to 6 decimals (2/3 -> 0.666667)
                problems.add(
                    file,
                    row["_line"],
                    "template",
                    f"{formula} (x = {x:g}) is not charge neutral: Σ charge = {charge:+.4g}",
                )
                break
    out = frame.assign(x_min=lows, x_max=highs).drop(columns="_line")
    return out.set_index("family_id")


MEASUREMENT_FORMS = ("pellet", "membrane", "sheet", "thin_film")


def _validate_family_measurements(frame, file, families, problems) -> pd.DataFrame:
    """Each row: a known family, x inside its window, the template's formula at x written out
    (a check that x was read right), σ in (0, 1) S/cm, a temperature, a form and a source."""
    from pipeline.study import compositions

    values: dict[str, list[float]] = {"x": [], "sigma_s_per_cm": [], "temperature_c": []}
    for _, row in frame.iterrows():
        line = row["_line"]
        _check_required_text(problems, file, row, ["source"])
        _check_choice(problems, file, row, "form", MEASUREMENT_FORMS)
        x, sigma, t = (finite_float(row[c]) for c in ("x", "sigma_s_per_cm", "temperature_c"))
        for column, value in (("x", x), ("sigma_s_per_cm", sigma), ("temperature_c", t)):
            values[column].append(value if value is not None else np.nan)
        if row["family_id"] not in families.index:
            problems.add(file, line, "family_id", f"unknown family {row['family_id']!r}")
            continue
        fam = families.loc[row["family_id"]]
        if x is None or not fam["x_min"] - 1e-9 <= x <= fam["x_max"] + 1e-9:
            problems.add(
                file,
                line,
                "x",
                f"expected x in [{fam['x_min']:g}, {fam['x_max']:g}], got {row['x']!r}",
            )
        else:
            try:
                compositions.check_template(fam["template"], fam["x_min"], fam["x_max"])
                expected = compositions.formula_at(fam["template"], x)
                same = compositions.same_composition(expected, row["composition"])
            except compositions.TemplateError:  # a bad template: reported on its family's line
                same = True
            except ValueError:
                same = False
            if not same:
                problems.add(
                    file,
                    line,
                    "composition",
                    f"{row['composition']!r} is not {row['family_id']} at x = {x:g} ({expected})",
                )
        if sigma is None or not 0.0 < sigma < 1.0:
            problems.add(
                file, line, "sigma_s_per_cm", f"expected (0, 1) S/cm, got {row['sigma_s_per_cm']!r}"
            )
        if t is None or not -100.0 <= t <= 500.0:
            problems.add(
                file,
                line,
                "temperature_c",
                f"expected a temperature in °C, got {row['temperature_c']!r}",
            )
    return frame.assign(**values).drop(columns="_line")


def _check_completeness(materials, processes, coatings, files, problems) -> None:
    """Cross-table rules: each law has its parameters, each process a window, each family a coating."""
    for material_id, row in materials.iterrows():
        for prop in LAW_PARAMETERS[row["temperature_law"]]:
            if np.isnan(row[prop]):
                problems.add(
                    files["material_properties"],
                    None,
                    "property",
                    f"material {material_id!r} (temperature_law {row['temperature_law']}) needs {prop}",
                )
        if row["temperature_law"] == "vft" and not np.isnan(row["vft_vogel_temperature_k"]):
            if row["reference_temperature_c"] + 273.15 <= row["vft_vogel_temperature_k"]:
                problems.add(
                    files["material_properties"],
                    None,
                    "value",
                    f"material {material_id!r}: reference temperature must lie above the VFT T0",
                )
        if not any(row["family"] in fams for fams in processes["families"]):
            problems.add(
                files["processes"],
                None,
                "families",
                f"no process makes family {row['family']!r} ({material_id})",
            )
        if row["family"] not in set(coatings["family"]):
            problems.add(
                files["coatings"],
                None,
                "family",
                f"no coating row (not even 'none') for family {row['family']!r}",
            )
    for process_id, row in processes.iterrows():
        for prop in PROCESS_PROPERTIES:
            if np.isnan(row[prop]):
                problems.add(
                    files["process_properties"],
                    None,
                    "property",
                    f"process {process_id!r} needs {prop}",
                )
        if row["min_thickness_um"] >= row["max_thickness_um"]:
            problems.add(
                files["process_properties"],
                None,
                "value",
                f"process {process_id!r}: min_thickness_um must be below max_thickness_um",
            )
