"""Loaders for literature conductivity data, one validated schema for all of them.

Every loader returns `LoadResult(rows, rejects)`. `rows` has the columns of SCHEMA (plus structure and
activation-energy columns where the dataset has them); `rejects` lists every dropped row with its
dataset, original row and reason. Nothing is dropped silently.

Censoring: values reported as an upper bound ("<1E-10") keep `censored = True` and carry the bound in
`log10_sigma`; what training does with them is a configurable convention (see `apply_censoring`).
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from objectives.errors import SsemoError
from surrogates.chemistry import (
    FormulaError,
    composition_key,
    contains_lithium,
    is_lithium_metal,
    parse_formula,
    smiles_elements,
)
from surrogates.structure import LI_LI_COLUMNS, MAX_DISTANCE_A, read_cif_tarball

ROOM_TEMPERATURE_K = 298.15
TEMPERATURE_RANGE_K = (150.0, 1300.0)
LOG10_SIGMA_RANGE = (-35.0, 1.0)

SCHEMA = (
    "composition",
    "formula_key",
    "family",
    "temperature_k",
    "log10_sigma",
    "censored",
    "source_doi",
    "dataset",
    "source_row",
)
EXTRA = (
    "space_group_number",
    "a",
    "b",
    "c",
    "alpha",
    "beta",
    "gamma",
    "activation_energy_ev",
    "process",
    "thickness_um",
    "formula_units_per_cell",
    *LI_LI_COLUMNS,
)
# what merge_duplicates adds: how many distinct reports a row stands for, and their scatter
REPORT_COLUMNS = ("n_reports", "log10_sigma_repeat_sd", "reported_as")
REPORTED_AS_SEPARATOR = (
    " | "  # between the composition strings a merged row's reports were written as
)
# columns a table may leave out (missing path): tables written before they existed still load
OPTIONAL_EXTRA = LI_LI_COLUMNS
# optional numeric columns checked row by row (empty = unknown): (low, high] and the unit
ACTIVATION_ENERGY_RANGE_EV = (0.0, 5.0)
THICKNESS_RANGE_UM = (0.0, 10_000.0)
_CHECKED_NUMBERS = {
    "activation_energy_ev": (ACTIVATION_ENERGY_RANGE_EV, "eV", "an activation energy"),
    "thickness_um": (THICKNESS_RANGE_UM, "µm", "a thickness"),
}
# the curated table's columns (configs/data/curated_conductivity.csv): required, then optional
CURATED_REQUIRED = (
    "composition",
    "family",
    "temperature",
    "temperature_unit",
    "sigma",
    "sigma_unit",
    "source",
)
CURATED_COLUMNS = (
    *CURATED_REQUIRED,
    "activation_energy_ev",
    "process",
    "thickness_um",
    "note",
    *LI_LI_COLUMNS,
)
REJECT_COLUMNS = ("dataset", "source_row", "composition", "value", "reason")


class DataError(SsemoError, ValueError):
    """A dataset cannot be read at all (missing file or columns)."""


@dataclass
class LoadResult:
    rows: pd.DataFrame
    rejects: pd.DataFrame


_CENSORED = re.compile(r"^\s*<\s*([0-9.eE+\-−]+)\s*$")


def parse_conductivity(value) -> tuple[float | None, bool, str]:
    """(sigma S/cm or bound, censored, problem). Problem is '' when the value is usable."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None, False, "missing conductivity"
    text = str(value).strip().replace("−", "-")
    if not text or text.lower() in {"nan", "none", "na"}:
        return None, False, "missing conductivity"
    censored = _CENSORED.match(text)
    if censored:
        text = censored.group(1)
    try:
        sigma = float(text)
    except ValueError:
        return None, False, f"conductivity {value!r} is not a number"
    if not math.isfinite(sigma):
        return None, False, f"conductivity {value!r} is not a finite number"
    if sigma <= 0:
        return None, False, f"conductivity {value!r} is not positive"
    if sigma > 10.0:
        return (
            None,
            False,
            f"conductivity {value!r} S/cm is above any known ionic conductor (units?)",
        )
    return sigma, bool(censored), ""


@dataclass
class _Rows:
    """The rows of one dataset as they are read: `add` checks a row and keeps it or records why not,
    `reject` records a row refused before that, `result` is the LoadResult."""

    name: str
    records: list[dict] = field(default_factory=list)
    rejects: list[dict] = field(default_factory=list)

    def reject(self, source_row, composition, value, reason: str) -> None:
        self.rejects.append(
            dict(
                dataset=self.name,
                source_row=source_row,
                composition=composition,
                value=value,
                reason=reason,
            )
        )

    def add(
        self,
        source_row,
        composition: str,
        sigma_value,
        temperature_k: float,
        *,
        family: str = "",
        doi: str = "",
        amounts: dict[str, float] | None = None,
        log10_value: float | None = None,
        temperature_given: str = "",
        **extra,
    ) -> None:
        """temperature_given: the temperature as the file wrote it, with its unit ("-300 °C"), for
        the reject reason; extra: the EXTRA columns (activation_energy_ev and thickness_um as
        numbers or as the cell's text: empty is unknown, anything else must be a number in range)."""

        def refuse(reason: str) -> None:
            shown = sigma_value if log10_value is None else log10_value
            self.reject(source_row, composition, shown, reason)

        try:
            amounts = amounts if amounts is not None else parse_formula(composition)
        except FormulaError as exc:
            return refuse(f"unparseable formula: {exc}")
        if not contains_lithium(amounts):
            return refuse("not a Li conductor (no Li in the formula)")
        if is_lithium_metal(amounts):
            return refuse("Li metal, not a Li-ion conductor (a formula of Li alone)")
        if log10_value is not None:
            if not (isinstance(log10_value, int | float) and math.isfinite(log10_value)):
                return refuse(f"log10 conductivity {log10_value!r} is not a number")
            log10_sigma, censored = float(log10_value), False
        else:
            sigma, censored, problem = parse_conductivity(sigma_value)
            if problem:
                return refuse(problem)
            assert sigma is not None
            log10_sigma = math.log10(sigma)
        if not LOG10_SIGMA_RANGE[0] <= log10_sigma <= LOG10_SIGMA_RANGE[1]:
            return refuse(f"log10 conductivity {log10_sigma:.2f} outside {LOG10_SIGMA_RANGE}")
        if not (isinstance(temperature_k, int | float) and math.isfinite(temperature_k)):
            return refuse("missing temperature")
        if not TEMPERATURE_RANGE_K[0] <= temperature_k <= TEMPERATURE_RANGE_K[1]:
            kelvin = f"{temperature_k:.1f} K"
            written = temperature_given.strip()
            shown = (
                f"{written} ({kelvin})"
                if written and not written.endswith(" K")
                else written or kelvin
            )
            return refuse(f"temperature {shown} out of range {TEMPERATURE_RANGE_K} K")
        for column, ((low, high), unit, what) in _CHECKED_NUMBERS.items():
            if column not in extra:
                continue
            cell = extra[column]
            if _text(cell).strip() == "":
                extra[column] = math.nan
                continue
            number = _num(cell)
            if not (math.isfinite(number) and low < number <= high):
                return refuse(
                    f"column '{column}': expected {what} in ({low:g}, {high:g}] {unit} "
                    f"(or empty), got {cell!r}"
                )
            extra[column] = number
        for column in LI_LI_COLUMNS:  # optional; empty or NaN is unknown
            given = extra.get(column)
            if _text(given).strip() == "":
                extra[column] = math.nan
                continue
            distance = _num(given)
            if not (math.isfinite(distance) and 0.0 < distance < MAX_DISTANCE_A):
                return refuse(
                    f"column '{column}': expected a Li–Li distance in (0, {MAX_DISTANCE_A:g}) Å, "
                    f"got {given!r}"
                )
            extra[column] = distance
        self.records.append(
            dict(
                composition=str(composition).strip().strip('"'),
                formula_key=composition_key(amounts),
                family=str(family or "").strip(),
                temperature_k=float(temperature_k),
                log10_sigma=log10_sigma,
                censored=censored,
                source_doi=str(doi or "").strip(),
                dataset=self.name,
                source_row=source_row,
                **extra,
            )
        )

    def result(self) -> LoadResult:
        rows = pd.DataFrame.from_records(self.records, columns=[*SCHEMA, *EXTRA])
        rows["censored"] = rows["censored"].astype(bool)
        for column in (
            "temperature_k",
            "log10_sigma",
            *EXTRA[:8],
            "thickness_um",
            "formula_units_per_cell",
            *LI_LI_COLUMNS,
        ):
            rows[column] = pd.to_numeric(rows[column], errors="coerce")
        rejects = pd.DataFrame.from_records(self.rejects, columns=list(REJECT_COLUMNS))
        return LoadResult(rows=rows, rejects=rejects)


def _read_csv(
    path: Path, required: tuple[str, ...], allowed: tuple[str, ...] | None = None, **kwargs
) -> pd.DataFrame:
    """The table; DataError naming the file for a missing file or column, for a column named twice
    (pandas would rename the second 'sigma.1' and read the first only), and, where the table's
    columns are ssemo's own (`allowed`), for a column not among them (a misspelled optional column
    would otherwise be ignored)."""
    try:
        frame = pd.read_csv(path, **kwargs)
        header = pd.read_csv(
            path,
            header=None,
            nrows=1,
            dtype=str,
            keep_default_na=False,
            encoding=kwargs.get("encoding"),
        )
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    names = [str(n) for n in header.iloc[0]] if len(header) else []
    seen: set[str] = set()
    for number, name in enumerate(names, start=1):
        if name in seen and name.strip():  # pandas names empty headers apart ('Unnamed: 3')
            raise DataError(
                f"{path}: line 1, column {number}: column {name!r} appears more than once; "
                "expected each column once"
            )
        seen.add(name)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {', '.join(missing)}")
    if allowed is not None:
        for number, name in enumerate(names, start=1):
            if name not in allowed:
                close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
                if not close:  # a case slip ('activation_energy_eV') is close whatever the ratio
                    close = [a for a in allowed if a.lower() == name.strip().lower()][:1]
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise DataError(
                    f"{path}: line 1, column {number}: unknown column {name!r}{hint}; expected "
                    f"only {', '.join(allowed)}"
                )
    return frame


def _text(value) -> str:
    """A text cell; empty for missing (NaN/None)."""
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _num(value) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out


def load_curated(path: str | Path) -> LoadResult:
    """The project's own curated table (configs/data/*.csv): explicit units, one source per row."""
    path = Path(path)
    frame = _read_csv(path, CURATED_REQUIRED, CURATED_COLUMNS, dtype=str, keep_default_na=False)
    out = _Rows("curated")
    to_s_per_cm = {"S/cm": 1.0, "mS/cm": 1e-3, "uS/cm": 1e-6, "S/m": 1e-2}
    for i, r in enumerate(frame.to_dict("records")):
        line = i + 2
        if r["sigma_unit"] not in to_s_per_cm:
            out.reject(
                line,
                r["composition"],
                r["sigma"],
                f"unknown conductivity unit {r['sigma_unit']!r}; expected one of {', '.join(to_s_per_cm)}",
            )
            continue
        if r["temperature_unit"] not in ("C", "K"):
            out.reject(
                line,
                r["composition"],
                r["temperature"],
                f"unknown temperature unit {r['temperature_unit']!r}; expected C or K",
            )
            continue
        if not r["source"]:
            out.reject(line, r["composition"], r["sigma"], "no source")
            continue
        if r["temperature"].strip() and not math.isfinite(_num(r["temperature"])):
            out.reject(
                line,
                r["composition"],
                r["temperature"],
                f"column 'temperature': expected a number, got {r['temperature']!r}",
            )
            continue
        sigma, censored, problem = parse_conductivity(r["sigma"])
        value = (
            f"<{sigma * to_s_per_cm[r['sigma_unit']]}"
            if censored and sigma
            else (sigma * to_s_per_cm[r["sigma_unit"]] if sigma else r["sigma"])
        )
        t = _num(r["temperature"]) + (273.15 if r["temperature_unit"] == "C" else 0.0)
        unit = "°C" if r["temperature_unit"] == "C" else "K"
        out.add(
            line,
            r["composition"],
            value if not problem else r["sigma"],
            t,
            family=r["family"],
            doi=r["source"],
            temperature_given=f"{r['temperature'].strip()} {unit}"
            if r["temperature"].strip()
            else "",
            activation_energy_ev=r.get("activation_energy_ev", ""),
            process=r.get("process", ""),
            thickness_um=r.get("thickness_um", ""),
            **{c: r.get(c, "") for c in LI_LI_COLUMNS},
        )
    return out.result()


OBELIX_COLUMNS = ("Reduced Composition", "Ionic conductivity (S cm-1)", "Space group #", "DOI")


def _read_obelix_csv(path: Path, **kwargs) -> pd.DataFrame:
    """An OBELiX CSV with its `ID` column as text; a file pandas cannot parse is a DataError."""
    try:
        frame = pd.read_csv(path, dtype={"ID": str}, **kwargs)
    except ValueError as exc:  # parser errors, an empty file, a `usecols` column that is absent
        raise DataError(f"{path}: not a readable OBELiX CSV: {exc}") from None
    if "ID" not in frame.columns:
        raise DataError(f"{path}: missing column(s) ID")
    return frame


def read_obelix_frame(folder: str | Path, split: str = "train") -> pd.DataFrame:
    """One split of a local OBELiX folder in the upstream layout (data/downloads of
    github.com/NRC-Mila/OBELiX): the rows of all.csv in file order.

    The test split is the IDs listed in test.csv, or in test_idx.csv when there is no test.csv; the
    training split is every other row of all.csv (the split of the `obelix-data` package, whose
    reader ssemo no longer uses because it downloads the dataset when the folder is missing). Only
    the `ID` column of the test file is read, so loading the training split never reads a test
    label. Nothing is downloaded: a missing folder or file is an error. Censored values stay as text
    ("<1E-10") for ssemo's own censoring policy; other columns are parsed as pandas reads them.
    """
    folder = Path(folder)
    if split not in ("train", "test"):
        raise DataError(f"OBELiX split must be 'train' or 'test', got {split!r}")
    if not folder.is_dir():
        raise DataError(
            f"{folder}: OBELiX folder not found (ssemo reads a local copy in the upstream layout: "
            "all.csv and test_idx.csv or test.csv; it never downloads)"
        )
    for needed in (("all.csv",), ("test.csv", "test_idx.csv")):
        if not any((folder / name).exists() for name in needed):
            raise DataError(f"{folder}: missing {' or '.join(needed)} (OBELiX upstream layout)")
    frame = _read_obelix_csv(folder / "all.csv")
    missing = [c for c in OBELIX_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(f"{folder / 'all.csv'}: missing column(s) {', '.join(missing)}")
    split_file = folder / ("test.csv" if (folder / "test.csv").exists() else "test_idx.csv")
    test_ids = set(
        _read_obelix_csv(split_file, usecols=lambda c: c == "ID")["ID"].dropna().str.strip()
    )
    in_test = frame["ID"].str.strip().isin(test_ids)
    return frame[in_test if split == "test" else ~in_test].reset_index(drop=True)


def _read_ids(path: Path) -> set[str] | None:
    """The `ID` column of an OBELiX split index (train_idx.csv / test_idx.csv); None when absent."""
    if not path.exists():
        return None
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return set(frame["ID"].str.strip()) if "ID" in frame else None


def obelix_li_li_distances(
    folder: str | Path, ids: set[str], split: str = "train"
) -> dict[str, tuple[float, float]]:
    """{ID: Li–Li distances (surrogates.structure.LI_LI_COLUMNS)} from the folder's randomized CIFs
    (all_cifs.tar.gz; positions carry upstream noise), for the rows of the split being loaded only.

    The tarball holds the CIFs of both splits. Loading one split never opens a CIF of the other:
    only IDs in `ids` that are in this split's index (train_idx.csv / test_idx.csv, where the folder
    has it) and not in the other split's index are read. So training never touches the test split,
    which is reserved for independent evaluation, and an evaluator who loads the test split from a
    copy that has it gets the same structure descriptors for those rows as training rows had (a
    CIF is an input, not a label). No tarball: empty (every row missing)."""
    folder = Path(folder)
    tarball = folder / "all_cifs.tar.gz"
    if split not in ("train", "test") or not tarball.exists():
        return {}
    other = "test" if split == "train" else "train"
    allowed = set(ids)
    own = _read_ids(folder / f"{split}_idx.csv")
    if own is not None:
        allowed &= own
    allowed -= _read_ids(folder / f"{other}_idx.csv") or set()
    return read_cif_tarball(tarball, allowed)


def load_obelix(folder: str | Path, split: str = "train") -> LoadResult:
    """OBELiX (Therrien et al., Digital Discovery 2026, doi:10.1039/D5DD00441A), room temperature.

    Read from a local folder by read_obelix_frame (never downloaded); structure columns
    (space group, lattice, Z = formula units of `Reduced Composition` per cell) are kept for the
    structure descriptors, and each row gets the Li–Li distances of its randomized CIF, read for the
    loaded split's rows only (obelix_li_li_distances; NaN without a CIF or without a Li site).
    """
    frame = read_obelix_frame(folder, split)
    distances = obelix_li_li_distances(folder, {str(i) for i in frame["ID"]}, split)
    out = _Rows("obelix")
    for r in frame.to_dict("records"):
        li_li = distances.get(str(r["ID"]), (math.nan, math.nan))
        out.add(
            r["ID"],
            r["Reduced Composition"],
            r["Ionic conductivity (S cm-1)"],
            ROOM_TEMPERATURE_K,
            family=_text(r.get("Family")).lower().rstrip("s"),
            doi=_text(r.get("DOI")),
            space_group_number=_num(r["Space group #"]),
            a=_num(r.get("a")),
            b=_num(r.get("b")),
            c=_num(r.get("c")),
            alpha=_num(r.get("alpha")),
            beta=_num(r.get("beta")),
            gamma=_num(r.get("gamma")),
            formula_units_per_cell=_num(r.get("Z")),
            li_li_min_distance_a=li_li[0],  # LI_LI_COLUMNS
            li_li_nn_mean_distance_a=li_li[1],
        )
    return out.result()


def load_liverpool(path: str | Path) -> LoadResult:
    """Liverpool Ionics Dataset (Hargreaves et al., npj Comput. Mater. 2023, doi:10.1038/s41524-022-00951-z).

    Temperature in °C, conductivity in S/cm. Academic use; cite the University of Liverpool.
    """
    frame = _read_csv(
        Path(path),
        ("ID", "composition", "temperature", "target", "family", "source"),
        encoding="utf-8-sig",
    )
    out = _Rows("liverpool")
    for r in frame.to_dict("records"):
        out.add(
            r["ID"],
            r["composition"],
            r["target"],
            _num(r["temperature"]) + 273.15,
            family=_text(r.get("family")).lower(),
            doi=_text(r.get("source")),
        )
    return out.result()


def load_laskowski(path: str | Path) -> LoadResult:
    """Laskowski et al., Energy Environ. Sci. 16, 1264 (2023), doi:10.1039/D2EE03499A: RT σ and Ea."""
    frame = _read_csv(
        Path(path), ("Structure", "σ(RT)(S cm-1)", "Ea (eV)", "space group", "DOI"), dtype=str
    )
    out = _Rows("laskowski")
    for i, r in enumerate(frame.to_dict("records")):
        out.add(
            r.get("Unnamed: 0", i),
            r["Structure"],
            r["σ(RT)(S cm-1)"],
            ROOM_TEMPERATURE_K,
            doi=r.get("DOI") or "",
            activation_energy_ev=_num(r["Ea (eV)"]),
            space_group_number=_num(r["space group"]),
        )
    return out.result()


def load_mchaffie(path: str | Path, keep_extrapolated: bool = False) -> LoadResult:
    """McHaffie et al., Digital Discovery 2025, doi:10.1039/D5DD00052A (CC0).

    Rows extrapolated to RT from high-temperature Arrhenius data (some reach 1e-31 S/cm) are rejected
    with that reason unless keep_extrapolated.
    """
    frame = _read_csv(
        Path(path),
        (
            "compound",
            "conductivity_siemens_per_cm",
            "conductivity_doi",
            "lowest_extrapolation_temperature_K",
        ),
        na_values=["na"],
    )
    out = _Rows("mchaffie")
    for i, r in enumerate(frame.to_dict("records")):
        extrapolated = _num(r["lowest_extrapolation_temperature_K"])
        if not math.isnan(extrapolated) and not keep_extrapolated:
            out.reject(
                i + 2,
                r["compound"],
                r["conductivity_siemens_per_cm"],
                f"extrapolated to RT from {extrapolated:.0f} K (keep_extrapolated is off)",
            )
            continue
        out.add(
            i + 2,
            str(r["compound"]).strip(),
            r["conductivity_siemens_per_cm"],
            ROOM_TEMPERATURE_K,
            doi=r.get("conductivity_doi") or "",
        )
    return out.result()


def load_bradford(path: str | Path) -> LoadResult:
    """Bradford et al., ACS Cent. Sci. 9, 206 (2023), doi:10.1021/acscentsci.2c01123 (MIT licence).

    Composition = polymer repeat unit (heavy atoms from SMILES) + salt × (molality × repeat-unit mass),
    i.e. salt formula units per repeat unit. `conductivity` is already log10 σ [S/cm]; temperature °C.
    """
    from pymatgen.core import Element

    frame = _read_csv(
        Path(path), ("smiles", "conductivity", "salt smiles", "molality", "temperature")
    )
    out = _Rows("bradford")
    for i, r in enumerate(frame.to_dict("records")):
        line = i + 2
        reject = functools.partial(out.reject, line, r["smiles"], r["conductivity"])
        try:
            polymer = smiles_elements(r["smiles"])
            salt = smiles_elements(r["salt smiles"]) if isinstance(r["salt smiles"], str) else {}
        except FormulaError as exc:
            reject(f"unparseable formula: {exc}")
            continue
        molality = _num(r["molality"])
        mass_kg = sum(float(Element(e).atomic_mass) * n for e, n in polymer.items()) / 1000.0
        per_unit = molality * mass_kg if math.isfinite(molality) else 0.0
        amounts = dict(polymer)
        for e, n in salt.items():
            amounts[e] = amounts.get(e, 0.0) + per_unit * n
        if per_unit <= 0 or per_unit > 10:
            reject(f"salt per repeat unit {per_unit:.3g} outside (0, 10] (molality {molality})")
            continue
        formula = "".join(f"{e}{n:.4g}" for e, n in sorted(amounts.items()))
        out.add(
            line,
            formula,
            None,
            _num(r["temperature"]) + 273.15,
            family="polymer",
            amounts=amounts,
            log10_value=_num(r["conductivity"]),
            doi="10.1021/acscentsci.2c01123",
        )
    return out.result()


def load_kang(path: str | Path) -> LoadResult:
    """Kang, Kim, Min, J. Phys. Chem. C 127, 19335 (2023), doi:10.1021/acs.jpcc.3c02908 (MIT repository
    copy): room-temperature σ with structure family and space group; Na conductors are refused."""
    frame = _read_csv(
        Path(path), ("Formula", "Type", "Ionic conductivity (S/cm)", "Spacegroup", "Source")
    )
    out = _Rows("kang")
    for i, r in enumerate(frame.to_dict("records")):
        out.add(
            i + 2,
            str(r["Formula"]).strip(),
            r["Ionic conductivity (S/cm)"],
            ROOM_TEMPERATURE_K,
            family=_text(r.get("Type")).lower(),
            doi=_text(r.get("Source")),
            space_group_number=_num(r.get("Spacegroup")),
        )
    return out.result()


def load_literature(path: str | Path) -> LoadResult:
    """The literature table shipped with ssemo (configs/data/literature_conductivity.csv.gz): rows of
    the permissively licensed datasets converted to this module's schema by
    scripts/build_literature_table.py, each row naming its dataset and source row; the rows are checked
    again as they are read."""
    required = (*SCHEMA, *(c for c in EXTRA if c not in OPTIONAL_EXTRA))
    frame = _read_csv(Path(path), required, (*SCHEMA, *EXTRA), keep_default_na=False, dtype=str)
    out = _Rows("literature")
    as_text = ("process", *LI_LI_COLUMNS, *_CHECKED_NUMBERS)  # checked by _Rows.add
    for r in frame.to_dict("records"):
        extra: dict[str, Any] = {k: r.get(k, "") if k in as_text else _num(r[k]) for k in EXTRA}
        value = _num(r["log10_sigma"])
        censored = r["censored"].strip().lower() in ("true", "1")
        out.add(
            f"{r['dataset']}:{r['source_row']}",
            r["composition"],
            f"<{10.0**value}" if censored else 10.0**value,
            _num(r["temperature_k"]),
            family=r["family"],
            doi=r["source_doi"],
            **extra,
        )
    result = out.result()
    # each row keeps the dataset it came from (its licence and attribution: configs/data/LICENSES.md)
    origin = result.rows["source_row"].astype(str).str.split(":", n=1)
    result.rows["dataset"], result.rows["source_row"] = origin.str[0], origin.str[1]
    return result


LOADERS: dict[str, Callable[..., LoadResult]] = {
    "curated": load_curated,
    "obelix": load_obelix,
    "liverpool": load_liverpool,
    "laskowski": load_laskowski,
    "mchaffie": load_mchaffie,
    "bradford": load_bradford,
    "kang": load_kang,
    "literature": load_literature,
}


@dataclass
class MergeReport:
    n_input: int
    n_output: int
    merged_groups: int
    by_datasets: dict[str, int]  # "liverpool+obelix" -> number of merged groups

    def summary(self) -> str:
        pairs = ", ".join(f"{k}: {v}" for k, v in sorted(self.by_datasets.items())) or "none"
        return (
            f"{self.n_input} rows -> {self.n_output} after merging {self.merged_groups} duplicate "
            f"composition/temperature groups ({pairs})"
        )


def merge_duplicates(
    rows: pd.DataFrame, temperature_decimals: int = 0
) -> tuple[pd.DataFrame, MergeReport]:
    """Merge rows with the same composition (element fractions) and temperature (to 1 K).

    The merged log10 σ is the median of the uncensored values (censored only if all are); sources and
    datasets are joined. The report counts merged groups by the datasets they came from.
    Each merged row also says how many reports it stands for and how far they scatter
    (REPORT_COLUMNS: `n_reports`, the distinct values among the rows merged, and
    `log10_sigma_repeat_sd`, their sample standard deviation, NaN below two): literature
    compilations copy one paper's value (OBELiX and McHaffie share sources: Li3N's −3.239 is in
    both), so equal values (to 0.001 decade) count once. The surrogate weighs a composition's own
    measurements by them (surrogates.model).
    """
    key = rows["formula_key"] + "@" + rows["temperature_k"].round(temperature_decimals).astype(str)
    groups = rows.assign(_key=key).groupby("_key", sort=True)
    merged: list[dict] = []
    by_datasets: dict[str, int] = {}
    n_merged = 0
    for _, g in groups:
        if len(g) == 1:
            merged.append(g.iloc[0].drop("_key").to_dict() | _report_counts(g))
            continue
        n_merged += 1
        names = "+".join(sorted(set(g["dataset"])))
        by_datasets[names] = by_datasets.get(names, 0) + 1
        open_ = g[~g["censored"]]
        use = open_ if len(open_) else g
        first = use.iloc[0].drop("_key").to_dict()
        first.update(
            log10_sigma=float(use["log10_sigma"].median()),
            censored=bool(len(open_) == 0),
            dataset=names,
            source_doi="; ".join(sorted({d for d in g["source_doi"] if d})),
            source_row=";".join(str(x) for x in g["source_row"]),
            activation_energy_ev=float(g["activation_energy_ev"].median()),
            **_report_counts(use),
        )
        merged.append(first)
    columns = [*rows.columns, *(c for c in REPORT_COLUMNS if c not in rows.columns)]
    out = pd.DataFrame.from_records(merged, columns=columns).reset_index(drop=True)
    return out, MergeReport(len(rows), len(out), n_merged, by_datasets)


def _report_counts(rows: pd.DataFrame) -> dict[str, Any]:
    """The distinct reports among merged values (to 0.001 decade), their sample sd, and the
    composition strings they were written as (one merge key holds every composition within its
    3-decimal cell: the surrogate matches a query against each of them)."""
    distinct = np.unique(np.round(rows["log10_sigma"].to_numpy(float), 3))
    sd = float(np.std(distinct, ddof=1)) if len(distinct) >= 2 else math.nan
    written = REPORTED_AS_SEPARATOR.join(sorted({str(c) for c in rows["composition"]}))
    return {"n_reports": len(distinct), "log10_sigma_repeat_sd": sd, "reported_as": written}


def apply_censoring(rows: pd.DataFrame, policy: str, value_log10: float = -15.0) -> pd.DataFrame:
    """Training convention for censored rows: 'value' sets log10 σ to value_log10 (OBELiX: −15),
    'bound' keeps the reported bound, 'drop' removes them."""
    if policy == "drop":
        return rows[~rows["censored"]].reset_index(drop=True)
    if policy == "value":
        return rows.assign(log10_sigma=np.where(rows["censored"], value_log10, rows["log10_sigma"]))
    if policy == "bound":
        return rows
    raise ValueError(
        f"The 'policy' parameter must be one of 'value', 'bound', 'drop'. Got {policy!r} instead."
    )


def content_hash(rows: pd.DataFrame) -> str:
    """SHA-256 of the training table's canonical CSV (sorted rows, fixed columns): the data identity."""
    canonical = rows[list(SCHEMA)].sort_values(
        ["formula_key", "temperature_k", "dataset", "log10_sigma"]
    )
    text = canonical.to_csv(index=False, float_format="%.10g")
    return hashlib.sha256(text.encode()).hexdigest()
