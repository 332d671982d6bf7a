"""Composition and structure features: element fractions, or Magpie-style element-property statistics.

Element fractions are the atomic fraction of each element, as in the OBELiX paper's
baseline (Therrien et al., Digital Discovery 2026, doi:10.1039/D5DD00441A). For the Magpie recipe, element properties come from pymatgen's periodic table data (pymatgen.core.Element: Z, atomic mass,
row, group, Pauling electronegativity, atomic radius, Mendeleev number, melting point, molar volume,
first ionization energy). For each property the fraction-weighted mean, mean absolute deviation,
minimum, maximum and range over the elements of a composition are taken (Ward et al., npj Comput.
Mater. 2, 16028 (2016), the Magpie recipe). Missing element data are filled with the property's mean
over all elements (documented simplification). Structure descriptors (space group number, lattice
a, b, c, α, β, γ) are appended when requested; missing ones become −1 with an indicator column.

Formula-unit block (issue 14: every feature is scale-free). Fractions change little with dilute
doping, so they hardly tell a simple stoichiometric compound from a doped one of nearly the same
fractions; the size of the formula unit does. Counting atoms "per formula unit as written" made a
garnet written per unit cell (Li51.2Al1.6La24Zr16O96, 189 atoms) look unlike the same garnet per
formula unit (23.6 atoms), so the block now holds two quantities that do not depend on how the
formula is scaled: log10 of the atoms per atom of the least abundant element
(chemistry.atoms_per_least_element: 12 for Li7La3Zr2O12, 118 for Li6.4Al0.2La3Zr2O12 and its unit
cell; the doping dilution the old count carried, continuous in the amounts — the smallest integer
formula used at first jumped between 6.4 and 6.4001, found by a new-user trial) and Li atoms per anion atom
(chemistry.ANIONS: O, S, Se, Te, N, F, Cl, Br, I, H; Li per atom when there is none), a carrier
concentration per anion framework site. Models fitted before keep their old block (atoms and Li per
formula unit, integer formulas reduced by their gcd) so that their trees see what they were fitted on.

Structure (issue 14): besides space group and lattice, the number of formula units per cell (Z, per
the composition as written; OBELiX's `Z`) gives the cell contents, hence volume per atom (Å³) and Li
atoms per nm³ (derived from the lattice volume). Missing values become −1 with indicator columns
(`has_structure`, `has_cell`): imputation + indicator, the missing-structure path (the surrogate also
keeps a composition-only model for rows without structure, surrogates.model).

Li–Li distances (issue 14, item 5): the shortest Li–Li site distance and the mean nearest Li–Li site
distance (Å; surrogates.structure: periodic, between sites carrying Li whatever their occupancy), where
a table has them (OBELiX training rows with a CIF; the CIFs' positions carry upstream noise). Missing,
out of (0, 20) Å or not a number: −1, −1 with `has_li_sites` = 0. Models fitted before this block have
no `li_li_` attribute and keep their old columns.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from surrogates.chemistry import (
    ANIONS,
    atoms_per_least_element,
    element_fractions,
    parse_formula,
    primitive_formula_atoms,
)
from surrogates.structure import LI_LI_COLUMNS, MAX_DISTANCE_A

ELEMENT_PROPERTIES = (
    "Z",
    "atomic_mass",
    "row",
    "group",
    "X",
    "atomic_radius",
    "mendeleev_no",
    "melting_point",
    "molar_volume",
    "ionization_energy",
)
STATISTICS = ("mean", "mad", "min", "max", "range")
FRACTION_ELEMENTS = (
    "Li",
    "O",
    "S",
    "P",
    "Cl",
    "Br",
    "I",
    "F",
    "N",
    "Se",
    "Ge",
    "Si",
    "Sn",
    "Zr",
    "La",
    "Ti",
    "Al",
    "Ga",
    "Ta",
    "Nb",
    "B",
    "C",
    "H",
    "In",
    "Y",
)
LATTICE_COLUMNS = ("space_group_number", "a", "b", "c", "alpha", "beta", "gamma")
# the structure inputs a table may carry (formula_units_per_cell: Z relative to the written formula;
# Li–Li distances from a CIF, surrogates.structure), each optional
STRUCTURE_COLUMNS = (*LATTICE_COLUMNS, "formula_units_per_cell", *LI_LI_COLUMNS)
DERIVED_STRUCTURE_COLUMNS = ("volume_per_atom_a3", "li_per_nm3", "has_cell")
LI_LI_FEATURE_COLUMNS = (*LI_LI_COLUMNS, "has_li_sites")
CONTEXT_COLUMNS = ("family", "process", "thickness_um")
# Membrane processing routes, recognized from free-text process names by keyword (first match wins).
# Processes are described in words that differ between papers ("RF magnetron sputtering", "PLD +
# post-lithiation", "wet slurry casting"); the route, not the wording, is what a model can learn from.
PROCESS_ROUTES = (
    ("vapor", ("sputter", "laser", "pld", "ald", "atomic layer", "evaporat", "vapor", "cvd")),
    ("solution", ("solution", "slurry", "casting", "coating", "wet", "infiltrat", "polymeriz")),
    (
        "pressed_sintered",
        ("press", "sinter", "pellet", "dry film", "calender", "mechano", "solid-state"),
    ),
)


def process_route(process: str) -> str:
    """Route class of a free-text process name: vapor, solution, pressed_sintered, or "" (unknown)."""
    text = str(process).lower()
    for route, keywords in PROCESS_ROUTES:
        if any(k in text for k in keywords):
            return route
    return ""


@functools.cache
def element_table() -> pd.DataFrame:
    """Element property table (rows: element symbols Z = 1..103) from pymatgen's data."""
    from pymatgen.core import Element

    rows = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pymatgen warns about elements lacking some data
        for z in range(1, 104):
            el = Element.from_Z(z)
            values = []
            for prop in ELEMENT_PROPERTIES:
                try:
                    v = getattr(el, prop)
                    values.append(float(v) if v is not None else np.nan)
                except (AttributeError, TypeError, ValueError):
                    values.append(np.nan)
            rows[el.symbol] = values
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(ELEMENT_PROPERTIES))
    return table.fillna(table.mean())


@functools.lru_cache(maxsize=65536)
def _composition_vector(formula: str) -> tuple[float, ...]:
    amounts = element_fractions(formula)  # scale-free: any multiple of a formula, the same numbers
    table = element_table()
    elements = [e for e in amounts if e in table.index]
    if len(elements) != len(amounts):
        unknown = sorted(set(amounts) - set(elements))
        raise ValueError(f"formula {formula!r} has elements without data: {unknown}")
    frac = np.array([amounts[e] for e in elements])
    frac = frac / frac.sum()
    props = table.loc[elements].to_numpy()
    mean = frac @ props
    mad = frac @ np.abs(props - mean)
    low, high = props.min(axis=0), props.max(axis=0)
    stats = np.concatenate([mean, mad, low, high, high - low])
    fractions = np.array([amounts.get(e, 0.0) for e in FRACTION_ELEMENTS]) / sum(amounts.values())
    return (*stats, *fractions, float(len(amounts)))


def feature_names() -> list[str]:
    """Names of the Magpie-style block: statistics, fixed element fractions, n_elements."""
    names = [f"{s}_{p}" for s in STATISTICS for p in ELEMENT_PROPERTIES]
    return names + [f"frac_{e}" for e in FRACTION_ELEMENTS] + ["n_elements"]


def composition_features(formulas: Iterable[str]) -> np.ndarray:
    """Feature matrix of composition statistics for formula strings (raises on unparseable ones)."""
    return np.array([_composition_vector(str(f)) for f in formulas], dtype=float)


DESCRIPTORS = ("fractions", "magpie")
FORMULA_UNIT_COLUMNS = ("log10_atoms_per_least_element", "li_per_anion")
# models fitted between issue 14 and the continuous block: the smallest integer formula's atoms,
# which jumps between nearly equal decimal compositions (6.4 vs 6.4001) and is no longer fitted
PRIMITIVE_FORMULA_UNIT_COLUMNS = ("log10_primitive_formula_atoms", "li_per_anion")
LEGACY_FORMULA_UNIT_COLUMNS = ("atoms_per_formula_unit", "li_per_formula_unit")


def reduced_amounts(amounts: dict[str, float]) -> dict[str, float]:
    """Amounts of the reduced formula unit: integer formulas divided by their greatest common
    divisor (Li14La6Zr4O24 -> Li7La3Zr2O12); formulas with fractional amounts are already a formula
    unit as written (Li6.4La3Zr1.4Ta0.6O12, 0.75Li2S-0.25P2S5) and are kept."""
    values = list(amounts.values())
    if not all(abs(v - round(v)) < 1e-6 and round(v) > 0 for v in values):
        return dict(amounts)
    divisor = functools.reduce(math.gcd, (round(v) for v in values))
    return {e: v / divisor for e, v in amounts.items()}


def legacy_formula_unit_features(formulas: Iterable[str]) -> np.ndarray:
    """(n, 2): atoms and Li atoms per formula unit as written (integer formulas gcd-reduced). Kept for
    models fitted before issue 14; depends on how a formula is scaled, so new models do not use it."""
    out = []
    for formula in formulas:
        amounts = reduced_amounts(parse_formula(str(formula)))
        out.append((sum(amounts.values()), amounts.get("Li", 0.0)))
    return np.array(out, dtype=float).reshape(-1, 2)


@functools.lru_cache(maxsize=65536)
def _formula_unit_vector(formula: str, primitive: bool = False) -> tuple[float, float]:
    amounts = parse_formula(formula)
    anions = sum(v for e, v in amounts.items() if e in ANIONS)
    li = amounts.get("Li", 0.0)
    per = li / anions if anions > 0 else li / sum(amounts.values())
    size = primitive_formula_atoms(amounts) if primitive else atoms_per_least_element(amounts)
    return math.log10(size), round(per, 12)


def formula_unit_features(
    formulas: Iterable[str], columns: tuple[str, ...] = FORMULA_UNIT_COLUMNS
) -> np.ndarray:
    """(n, 2) array, scale-free: log10 atoms per atom of the least abundant element (or, for a
    model fitted with PRIMITIVE_FORMULA_UNIT_COLUMNS, of the smallest integer formula), Li per anion
    atom."""
    primitive = tuple(columns) == PRIMITIVE_FORMULA_UNIT_COLUMNS
    return np.array(
        [_formula_unit_vector(str(f), primitive) for f in formulas], dtype=float
    ).reshape(-1, 2)


def cell_volume_a3(a, b, c, alpha, beta, gamma) -> np.ndarray:
    """Unit-cell volume (Å³) from lattice parameters (Å, degrees); NaN where any is missing."""
    ca, cb, cg = (np.cos(np.radians(np.asarray(x, float))) for x in (alpha, beta, gamma))
    root = 1.0 - ca**2 - cb**2 - cg**2 + 2.0 * ca * cb * cg
    with np.errstate(invalid="ignore"):
        return np.asarray(a, float) * np.asarray(b, float) * np.asarray(c, float) * np.sqrt(root)


def derived_structure_features(X: pd.DataFrame) -> np.ndarray:
    """(n, 3): volume per atom (Å³), Li atoms per nm³, has_cell; from lattice + Z + composition.

    Cell contents = Z × the formula as written (OBELiX's Z counts formula units of its `Reduced
    Composition`). Missing lattice or Z: −1, −1, 0."""

    def column(name: str) -> np.ndarray:
        if name not in X:
            return np.full(len(X), np.nan)
        return pd.to_numeric(X[name], errors="coerce").to_numpy(float)

    volume = cell_volume_a3(*(column(c) for c in ("a", "b", "c", "alpha", "beta", "gamma")))
    z = column("formula_units_per_cell")
    atoms = np.empty(len(X))
    li = np.empty(len(X))
    for i, formula in enumerate(X["composition"]):
        amounts = parse_formula(str(formula))
        atoms[i], li[i] = sum(amounts.values()), amounts.get("Li", 0.0)
    ok = np.isfinite(volume) & (volume > 0) & np.isfinite(z) & (z > 0)
    safe_v = np.where(ok, volume, 1.0)
    per_atom = np.where(ok, safe_v / (np.where(ok, z, 1.0) * atoms), -1.0)
    li_density = np.where(ok, 1000.0 * np.where(ok, z, 1.0) * li / safe_v, -1.0)
    return np.column_stack([per_atom, li_density, ok.astype(float)])


def li_li_features(X: pd.DataFrame) -> np.ndarray:
    """(n, 3): shortest and mean nearest Li–Li site distance (Å), has_li_sites. Both distances
    finite and in (0, MAX_DISTANCE_A) Å, else −1, −1, 0 (columns absent: every row missing)."""
    values = np.column_stack(
        [
            pd.to_numeric(X[c], errors="coerce").to_numpy(float)
            if c in X
            else np.full(len(X), np.nan)
            for c in LI_LI_COLUMNS
        ]
    ).reshape(len(X), len(LI_LI_COLUMNS))
    with np.errstate(invalid="ignore"):
        ok = (np.isfinite(values) & (values > 0) & (values < MAX_DISTANCE_A)).all(axis=1)
    return np.column_stack([np.where(ok[:, None], values, -1.0), ok.astype(float)])


class CompositionFeaturizer(TransformerMixin, BaseEstimator):
    """Turn a table with a `composition` column (+ optional structure columns) into numbers.

    descriptors:
      "magpie" (default): element-property statistics (Ward et al. 2016) + fixed element fractions +
        n_elements + fractions of other training elements. The tuner's choice on OBELiX with the
        censored rows dropped (bench-surrogate).
      "fractions": the atomic fraction of every element seen in training, plus `frac_other`, the
        fraction of elements training never saw (so a new chemistry is visibly new to the trees and to
        the applicability domain). The OBELiX paper's composition representation; with structure and
        a leaf-quantile forest (median or window mean) it is the tuner's choice on OBELiX with
        censored rows (bench-surrogate), where doping series differ in a few fractions that the
        statistics blur. Optuna chooses between the two (surrogates.tuning).
    formula_unit: append the scale-free formula-unit block (FORMULA_UNIT_COLUMNS).
    structure: append space group and lattice descriptors (missing -> -1, plus `has_structure`), the
      cell descriptors derived from them and Z (DERIVED_STRUCTURE_COLUMNS) and the Li–Li distances
      (LI_LI_FEATURE_COLUMNS; missing -> -1, plus `has_li_sites`).
    context: append what membrane data say beyond the composition, where the table has it: the
      material family (one-hot over the training families + `family_other`), the processing route
      (process_route: vapor / solution / pressed_sintered, one-hot; unknown = all zero) and
      log10 thickness_um (missing -> -9, plus `has_thickness`; bulk pellets usually have none).
    """

    def __init__(
        self,
        structure: bool = True,
        descriptors: str = "magpie",
        context: bool = False,
        formula_unit: bool = True,
    ):
        self.structure = structure
        self.descriptors = descriptors
        self.context = context
        self.formula_unit = formula_unit

    def fit(self, X: pd.DataFrame, y=None):
        if "composition" not in X:
            raise ValueError("CompositionFeaturizer needs a 'composition' column")
        if self.descriptors not in DESCRIPTORS:
            raise ValueError(
                f"The 'descriptors' parameter of CompositionFeaturizer must be one of {DESCRIPTORS}. "
                f"Got {self.descriptors!r} instead."
            )
        seen = {e for f in X["composition"] for e in parse_formula(str(f))}
        if self.descriptors == "fractions":
            self.elements_ = sorted(seen)
            names = [f"frac_{e}" for e in self.elements_] + ["frac_other"]
        else:
            # element fractions of every training element beyond the fixed list
            self.elements_ = sorted(seen - set(FRACTION_ELEMENTS))
            names = feature_names() + [f"frac_{e}" for e in self.elements_]
        self.formula_unit_columns_ = FORMULA_UNIT_COLUMNS
        self.structure_columns_ = LATTICE_COLUMNS
        self.derived_structure_ = True
        self.li_li_ = True  # models fitted before the Li–Li block lack this attribute
        if self.formula_unit:
            names += list(FORMULA_UNIT_COLUMNS)
        if self.structure:
            names += [*LATTICE_COLUMNS, "has_structure", *DERIVED_STRUCTURE_COLUMNS]
            names += list(LI_LI_FEATURE_COLUMNS)
        if self.context:
            families = X["family"] if "family" in X else pd.Series([], dtype=str)
            self.families_ = sorted({f for f in families.fillna("").astype(str).str.lower() if f})
            names += [f"family_{f}" for f in self.families_] + ["family_other"]
            names += [f"route_{route}" for route, _ in PROCESS_ROUTES]
            names += ["log10_thickness_um", "has_thickness"]
        self.feature_names_out_ = np.array(names, dtype=object)
        self.n_features_in_ = X.shape[1]
        return self

    def _fractions(self, formulas) -> np.ndarray:
        out = np.zeros((len(formulas), len(self.elements_) + 1))
        index = {e: j for j, e in enumerate(self.elements_)}
        for i, formula in enumerate(formulas):
            for e, fraction in element_fractions(str(formula)).items():
                out[i, index.get(e, len(self.elements_))] += fraction
        return out

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "feature_names_out_")
        formulas = list(X["composition"])
        # models saved before `descriptors` existed used the Magpie block
        if getattr(self, "descriptors", "magpie") == "fractions":
            parts = [self._fractions(formulas)]
        else:
            parts = [composition_features(formulas)]
            if self.elements_:
                parts.append(self._fractions(formulas)[:, :-1])
        # models saved before `formula_unit` existed were fitted without it
        if getattr(self, "formula_unit", False):
            # models fitted before issue 14 have no formula_unit_columns_: their old block
            if getattr(self, "formula_unit_columns_", None) is None:
                parts.append(legacy_formula_unit_features(formulas))
            else:
                parts.append(formula_unit_features(formulas, self.formula_unit_columns_))
        if self.structure:
            cols = [
                pd.to_numeric(X[c], errors="coerce").to_numpy(float)
                if c in X
                else np.full(len(X), np.nan)
                for c in getattr(self, "structure_columns_", LATTICE_COLUMNS)
            ]
            block = np.column_stack(cols)
            has = ~np.isnan(block[:, 0])
            parts.append(np.where(np.isnan(block), -1.0, block))
            parts.append(has[:, None].astype(float))
            if getattr(self, "derived_structure_", False):
                parts.append(derived_structure_features(X))
            if getattr(self, "li_li_", False):
                parts.append(li_li_features(X))
        if getattr(self, "context", False):
            parts.append(self._context(X))
        return np.hstack(parts)

    def _context(self, X: pd.DataFrame) -> np.ndarray:
        n = len(X)

        def text(column: str) -> np.ndarray:  # lower-case text, "" where absent
            if column not in X:
                return np.full(n, "")
            return X[column].fillna("").astype(str).str.lower().to_numpy()

        family = text("family")
        known = (family[:, None] == np.array(self.families_, dtype=object)).astype(float)
        other = ((family != "") & (known.sum(axis=1) == 0)).astype(float)[:, None]
        routes = np.array([process_route(p) for p in text("process")])
        route = np.column_stack([routes == r for r, _ in PROCESS_ROUTES]).astype(float)
        thickness = (
            pd.to_numeric(X["thickness_um"], errors="coerce").to_numpy(float)
            if "thickness_um" in X
            else np.full(n, np.nan)
        )
        has = np.isfinite(thickness) & (thickness > 0)
        log_t = np.where(has, np.log10(np.where(has, thickness, 1.0)), -9.0)
        return np.hstack([known, other, route, log_t[:, None], has[:, None].astype(float)])

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self, "feature_names_out_")
        return self.feature_names_out_
