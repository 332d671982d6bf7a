"""The validated catalog: one record composing the tables, with the look-ups the physics reads
(per material, per (material, process), per (coating, material)) and the evidence of every number."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline.study.catalog.schema import RANGE_KIND_DEFAULT

# the columns of Catalog.evidence(), one row per catalog number
EVIDENCE_COLUMNS = (
    *("table", "item", "applies_to", "property", "value", "low", "high", "grade"),
    *("range_basis", "source", "range_kind", "reported_min", "reported_max"),
)


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
    # per (short-circuit mechanism, family or material): the numbers of objectives/shorts.py
    short_circuit: pd.DataFrame
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
        """Boolean matrix [material, process]: the process makes membranes of the material's family
        (and, for an as-made sheet or film σ_ref, is one that made it)."""
        return self._structural("process_applies", self._process_applies)

    def _process_applies(self) -> np.ndarray:
        fam = self.materials["family"].to_numpy()
        applies = np.array(
            [[f in families for families in self.processes["families"]] for f in fam], dtype=bool
        )
        # an as-made sheet or film σ_ref only with the process(es) that made it
        for i, own in enumerate(self.materials["processes"].fillna("")):
            names = {x.strip() for x in own.split(";") if x.strip()}
            if names:
                applies[i] &= np.isin(self.process_ids, sorted(names))
        return applies

    # The look-ups below are computed once per catalog (a plausible world is a new catalog: 64 of
    # them per study, where re-filtering the long tables per property cost ~0.1 s a world,
    # measured); `replace` builds a new catalog with empty caches.
    @cached_property
    def _keys(self) -> list[tuple[str, ...]]:
        return self._structural("coating_keys", self._coating_keys)

    # What reads only ids, families, process and coating names, never a number, is the same in a
    # plausible world's catalog (plausible.catalog_with changes values only), which shares its
    # base catalog's answers (share_structure); rebuilding them cost ~6 ms a world, measured.
    @cached_property
    def _structure(self) -> dict[str, Any]:
        return {}

    def _structural(self, name: str, build: Callable[[], Any]) -> Any:
        """build()'s answer, computed once per structure; arrays are returned as copies."""
        if name not in self._structure:
            self._structure[name] = build()
        answer = self._structure[name]
        return answer.copy() if isinstance(answer, np.ndarray) else answer

    def share_structure(self, base: Catalog) -> Catalog:
        """This catalog, reading `base`'s structural answers: only for a catalog that differs
        from base in numbers alone (plausible.catalog_with)."""
        self.__dict__["_structure"] = base._structure
        return self

    @cached_property
    def _lookups(self) -> dict[tuple[str, str], dict[str, dict[tuple[str, str], float]]]:
        return {}

    def _coating_keys(self) -> list[tuple[str, ...]]:
        """Per material, the applies_to keys of coating_properties.csv that reach it, most specific
        first: the material itself, the parent of a composition family, then the family."""
        return [
            tuple(dict.fromkeys((mid, self.family_parent(mid) or mid, fam)))
            for mid, fam in zip(self.materials.index, self.materials["family"], strict=True)
        ]

    def _lookup(self, table_name: str, id_col: str, prop: str) -> dict[tuple[str, str], float]:
        """{(id, applies_to): value} of one property of a long table (the last row wins)."""
        key = (table_name, id_col)
        if key not in self._lookups:
            table = getattr(self, table_name)
            by_property: dict[str, dict[tuple[str, str], float]] = {}
            for name, k, a, v in zip(
                table["property"], table[id_col], table["applies_to"], table["value"], strict=True
            ):
                by_property.setdefault(name, {})[(k, a)] = v
            self._lookups[key] = by_property
        return self._lookups[key].get(prop, {})

    def _most_specific(
        self, table_name: str, id_col: str, ids: list[str], prop: str, general: bool
    ) -> np.ndarray:
        """Matrix [material, id] of a long table's property, each cell the most specific row
        (material, family parent, family, then, where general, the row for every family)."""
        rows = self._rows(table_name, id_col)
        positions = _most_specific_positions(rows, tuple(self._keys), tuple(ids), prop, general)
        values = getattr(self, table_name)["value"].to_numpy(dtype=float)
        return np.where(positions >= 0, values[positions], np.nan)

    def _rows(self, table_name: str, id_col: str) -> tuple[tuple[str, str, str], ...]:
        """(property, id, applies_to) of every row of a long table, in table order (cached)."""
        table = getattr(self, table_name)
        return self._structural(
            f"rows of {table_name} by {id_col}",
            lambda: tuple(zip(table["property"], table[id_col], table["applies_to"], strict=True)),
        )

    def material_property_positions(
        self, properties: Sequence[str]
    ) -> tuple[list[str], np.ndarray]:
        """The wide material columns of these properties that material_properties holds, and per
        [material, column] the row of material_properties that gives it (−1: none): a composition
        family's copy of a material reads its parent's row."""
        return self._structural(
            f"material rows of {','.join(properties)}",
            lambda: self._material_property_positions(properties),
        )

    def _material_property_positions(
        self, properties: Sequence[str]
    ) -> tuple[list[str], np.ndarray]:
        table = self.material_properties
        where = {
            (m, p): i
            for i, (m, p) in enumerate(zip(table["material_id"], table["property"], strict=True))
        }
        present = set(table["property"])
        columns = [c for c in properties if c in present]
        owners = [self.family_parent(m) or m for m in self.materials.index]
        positions = np.array(
            [[where.get((o, c), -1) for c in columns] for o in owners], dtype=np.intp
        ).reshape(len(owners), len(columns))
        positions.flags.writeable = False
        return columns, positions

    def _coating_matrix(self, prop: str) -> np.ndarray:
        """Matrix [coating, material] of a coating property (NaN: unknown or no such coating)."""
        return self._most_specific(
            "coating_properties", "coating_id", self.coating_ids, prop, False
        ).T

    def process_values(self, prop: str) -> np.ndarray:
        """Matrix [material, process] of a process property: the most specific row of
        process_properties.csv for the pair (material, family parent, family, then every family)."""
        return self._most_specific("process_properties", "process_id", self.process_ids, prop, True)

    def membrane_conductivity_factor(self) -> np.ndarray:
        """Matrix [material, process] of σ_membrane/σ_ref: the process's sheet-vs-pellet factor
        for a material whose σ_ref is a pellet value, 1 where σ_ref is already an as-made sheet
        or film (the factor would count the process's cost twice)."""
        factor = self.process_values("membrane_conductivity_factor")
        factor[self._structural("as_made_sigma", self._as_made_sigma)] = 1.0
        return factor

    def _as_made_sigma(self) -> np.ndarray:
        as_made = (self.materials["sigma_ref_form"].fillna("") != "pellet").to_numpy()
        return as_made & ~self.is_composite_template()

    def is_composite_template(self) -> np.ndarray:
        return (self.materials["temperature_law"] == "composite").to_numpy()

    def cathode_resistance_ohm_cm2(self, cathode_coating: str) -> np.ndarray:
        """Per material, the cathode-side interfacial resistance with the cell's cathode coating
        (the most specific row: material, family parent, family; NaN: unknown)."""
        rows = self._lookup(
            "cathode_interfaces", "cathode_coating", "interfacial_resistance_ohm_cm2"
        )
        lookup = {a: v for (k, a), v in rows.items() if k == cathode_coating}
        return np.array(
            [next((lookup[k] for k in keys if k in lookup), np.nan) for keys in self._keys]
        )

    def short_parameter(self, mechanism: str, prop: str) -> tuple[np.ndarray, np.ndarray]:
        """Per material, a short-circuit mechanism's number (the most specific row: material,
        family parent, family) and whether the mechanism is assessed for it at all: a material
        with no row is not (no source shows the mechanism there; it adds no hazard), a row with
        an empty value is unknown (NaN: the study's unknown policy decides)."""
        rows = self._lookup("short_circuit", "mechanism", prop)
        lookup = {a: v for (k, a), v in rows.items() if k == mechanism}
        keys = [next((k for k in ks if k in lookup), None) for ks in self._keys]
        assessed = np.array([k is not None for k in keys], dtype=bool)
        values = np.array([lookup[k] if k is not None else np.nan for k in keys], dtype=float)
        return values, assessed

    def coating_applies(self) -> np.ndarray:
        """Boolean matrix [coating, material]: coatings.csv has the coating for the family."""
        return self._structural("coating_applies", self._coating_applies)

    def _coating_applies(self) -> np.ndarray:
        pairs = set(self.coatings[["coating_id", "family"]].itertuples(index=False, name=None))
        families = list(self.materials["family"])
        return np.array([[(c, f) in pairs for f in families] for c in self.coating_ids], dtype=bool)

    def coating_resistance_ohm_cm2(self) -> np.ndarray:
        """Matrix [coating, material] of the Li-side interfacial resistance (NaN: unknown, or the
        coating does not exist for the material: see coating_applies)."""
        return self._coating_matrix("interfacial_resistance_ohm_cm2")

    def coating_cures_li_side(self) -> np.ndarray:
        """Matrix [coating, material]: the coating cures a reacting Li | material contact."""
        return self._structural("coating_cures_li_side", self._coating_cures_li_side)

    def _coating_cures_li_side(self) -> np.ndarray:
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
        thickness = np.nan_to_num(self._coating_matrix("layer_thickness_um"), nan=0.0)
        return thickness, self._structural("coating_layer_index", self._coating_layer_index)

    def _coating_layer_index(self) -> np.ndarray:
        ids = {m: i for i, m in enumerate(self.material_ids)}
        lookup = {
            (c, f): ids.get(m, -1)
            for c, f, m in self.coatings[["coating_id", "family", "layer_material_id"]].itertuples(
                index=False
            )
        }
        families = list(self.materials["family"])
        return np.array(
            [[lookup.get((c, f), -1) for f in families] for c in self.coating_ids], dtype=np.intp
        )

    def coating_ccd_ma_per_cm2(self) -> np.ndarray:
        """Matrix [coating, material] of CCD reported with a coating (NaN when none was reported)."""
        return self._coating_matrix("ccd_ma_per_cm2")

    def evidence(self) -> pd.DataFrame:
        """Every number of the catalog with its evidence, one row each: table, item (material,
        process or coating id), applies_to (coatings: family or material), property, value, low,
        high, grade, range_basis, source, range_kind (what the range stands for: schema.RANGE_KINDS)
        and a quartiles range's reported_min and reported_max (NaN otherwise)."""
        columns = list(EVIDENCE_COLUMNS)
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
            self.short_circuit.assign(table="short", item=self.short_circuit["mechanism"]),
        ]
        # a table built in code rather than loaded (tests, older pickles) may lack range_kind
        missing = {"range_kind": RANGE_KIND_DEFAULT, "reported_min": np.nan, "reported_max": np.nan}
        parts = [p.assign(**{c: v for c, v in missing.items() if c not in p}) for p in parts]
        return pd.concat([part[columns] for part in parts], ignore_index=True)

    def assumptions(self) -> pd.DataFrame:
        """Every catalog number graded as an assumption, with its range and reason (for reports)."""
        return assumptions_of(self.evidence())


def assumptions_of(evidence: pd.DataFrame) -> pd.DataFrame:
    """The assumption-grade rows of an evidence table (Catalog.evidence's columns), as
    Catalog.assumptions lists them."""
    out = evidence.loc[evidence["grade"] == "assumption"].rename(columns={"table": "kind"})
    columns = ["kind", "item", "applies_to", "property", "value", "low", "high"]
    return out[[*columns, "range_basis", "source"]]


# Which row of a long table is the most specific for each (material, id) depends only on the rows'
# keys, not their values: plausible worlds (pipeline.study.plausible.catalog_with) change values
# only, so their hundreds of catalogs share one answer. Measured: the per-cell search cost ~8 ms a
# world, a quarter of building a world's evaluator.
@lru_cache(maxsize=256)
def _most_specific_positions(
    rows: tuple[tuple[str, str, str], ...],
    material_keys: tuple[tuple[str, ...], ...],
    ids: tuple[str, ...],
    prop: str,
    general: bool,
) -> np.ndarray:
    """[material, id] row position of the most specific row of `prop` (−1: none); of two rows
    with the same (id, applies_to) the last wins. Read-only: the cache shares it."""
    where = {(k, a): i for i, (name, k, a) in enumerate(rows) if name == prop}
    out = np.full((len(material_keys), len(ids)), -1, dtype=np.intp)
    for i, keys in enumerate(material_keys):
        targets = (*keys, "") if general else keys
        for j, k in enumerate(ids):
            hit = next((t for t in targets if (k, t) in where), None)
            if hit is not None:
                out[i, j] = where[(k, hit)]
    out.flags.writeable = False
    return out
