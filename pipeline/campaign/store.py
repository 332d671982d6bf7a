"""A lab's own measurements (`ssemo ingest measurements.csv`): validated rows, a store that keeps
every version, and the training rows they become.

CSV format (one row per sample and temperature; configs/examples/measurements.csv):

  required  sample_id       the lab's sample label (1-100 characters)
            operator        who measured it
            date            YYYY-MM-DD, not in the future
            temperature_c   °C, in [-100, 400]
            sigma_s_per_cm  measured ionic conductivity, S/cm, in (0, 10]
  one of    composition     a formula (e.g. Li6.4La3Zr1.4Ta0.6O12)
            material        a catalog material id (its formula is used when it has one)
  optional  process         a catalog process id
            coating         a catalog coating id
            thickness_um    membrane thickness, µm, in (0, 10000]
            relative_density  in (0, 1]
            asr_ohm_cm2     measured area-specific resistance, Ω cm², > 0
            strength_mpa    fracture strength, MPa, > 0
            ccd_ma_per_cm2  critical current density, mA/cm², > 0
            notes           free text

Validation is row by row; every problem is named by file, line and column. By default a file with
any bad row is refused whole (nothing is written); `--skip-bad-rows` ingests the good rows. A row
whose (sample_id, temperature_c) is already stored with the same values is skipped (ingesting the
same file twice changes nothing); with different values it is refused (a correction is a new
sample_id, so no measured value is ever overwritten).

The store (a folder, default `measurements/` at the repository root, not tracked by git): every
version is a complete Parquet table `versions/v0001-<hash12>.parquet`; `index.json` lists the
versions (number, content hash of the table, file SHA-256, rows, time, source file). A version is
written atomically (temporary file, fsync, rename), then the index is replaced atomically: a crash
before the index is replaced leaves the previous version current and an orphan file that is never
read (the next ingest removes it). A kernel lock (flock) serializes concurrent ingests.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import math
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline import REPO_ROOT
from pipeline.errors import InputError, SsemoError, did_you_mean
from pipeline.files import atomic_write

DEFAULT_STORE = REPO_ROOT / "measurements"
REQUIRED = ("sample_id", "operator", "date", "temperature_c", "sigma_s_per_cm")
IDENTITY = ("composition", "material")
OPTIONAL = (
    "process",
    "coating",
    "thickness_um",
    "relative_density",
    "asr_ohm_cm2",
    "strength_mpa",
    "ccd_ma_per_cm2",
    "notes",
)
COLUMNS = (*REQUIRED, *IDENTITY, *OPTIONAL)
# numeric columns: (low, high, low inclusive)
RANGES = {
    "temperature_c": (-100.0, 400.0, True),
    "sigma_s_per_cm": (0.0, 10.0, False),
    "thickness_um": (0.0, 10_000.0, False),
    "relative_density": (0.0, 1.0, False),
    "asr_ohm_cm2": (0.0, 1e9, False),
    "strength_mpa": (0.0, 1e5, False),
    "ccd_ma_per_cm2": (0.0, 1e4, False),
}
STORED = (*COLUMNS, "formula", "formula_key", "version", "source_file", "source_line")
MAX_FILE_BYTES = 50 * 1024 * 1024


class MeasurementError(InputError):
    """A measurements file that cannot be ingested (exit 2): every bad cell named."""


class StoreError(SsemoError):
    """The measurement store is damaged (a version file that does not match its recorded hash)."""


@dataclass(frozen=True)
class Parsed:
    rows: pd.DataFrame  # good rows, with formula and formula_key
    errors: list[str]  # "file:line: column 'x': problem"
    lines: int


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("not finite")
    return value


def read_measurements(path: str | Path, catalog) -> Parsed:
    """Every row checked; good rows kept, each problem named by file, line and column."""
    from surrogates.chemistry import (
        FormulaError,
        check_formula_text,
        composition_key,
        contains_lithium,
        parse_formula,
    )

    path = Path(path)
    if not path.is_file():
        raise MeasurementError(f"{path}: no such file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise MeasurementError(f"{path}: larger than {MAX_FILE_BYTES // 2**20} MB")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise MeasurementError(f"{path}: not a readable CSV ({type(exc).__name__})") from None
    header = [str(c) for c in frame.columns]
    dup = sorted({c.split(".")[0] for c in header if c.split(".")[0] in header and "." in c})
    problems = []
    if dup:
        problems.append(f"duplicate column(s) {', '.join(dup)}")
    unknown = [c for c in header if c not in COLUMNS and c.split(".")[0] not in dup]
    problems += [f"unknown column {c!r}{did_you_mean(c, COLUMNS, n=1)}" for c in unknown]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        problems.append(f"missing required column(s) {', '.join(missing)}")
    if not any(c in header for c in IDENTITY):
        problems.append("needs a 'composition' or a 'material' column")
    if problems:
        raise MeasurementError(f"{path}: " + "; ".join(problems))
    today = dt.date.today()
    materials = catalog.materials
    good, errors = [], []
    seen: set[tuple[str, float]] = set()
    for i, raw in enumerate(frame.to_dict("records")):
        line = i + 2
        r = {c: str(raw.get(c, "")).strip() for c in COLUMNS}
        bad: list[str] = []

        def fail(column: str, message: str, bad: list[str] = bad, line: int = line) -> None:
            bad.append(f"{path}:{line}: column '{column}': {message}")

        for c in REQUIRED:
            if not r[c]:
                fail(c, "required, empty")
        if r["sample_id"] and len(r["sample_id"]) > 100:
            fail("sample_id", "longer than 100 characters")
        if r["date"]:
            try:
                day = dt.date.fromisoformat(r["date"])
                if day > today:
                    fail("date", f"{r['date']} is in the future")
            except ValueError:
                fail("date", f"expected YYYY-MM-DD, got {r['date']!r}")
        values: dict[str, float] = {}
        for c, (low, high, inclusive) in RANGES.items():
            if not r[c]:
                continue
            try:
                v = _number(r[c])
            except ValueError:
                fail(c, f"expected a number, got {r[c]!r}")
                continue
            above_low = v >= low if inclusive else v > low
            if not (above_low and v <= high):
                fail(c, f"{v:g} outside {'[' if inclusive else '('}{low:g}, {high:g}]")
            values[c] = v
        formula = r["composition"]
        if r["material"]:
            if r["material"] not in materials.index:
                fail(
                    "material",
                    f"unknown catalog material {r['material']!r}"
                    + did_you_mean(r["material"], materials.index),
                )
            elif not formula:
                formula = str(materials.loc[r["material"], "formula"] or "")
                formula = "" if formula == "nan" else formula
        if not r["composition"] and not r["material"]:
            fail("composition", "a composition or a catalog material is required")
        key = ""
        if formula:
            try:
                check_formula_text(formula)
                amounts = parse_formula(formula)
                key = composition_key(amounts)
                if not contains_lithium(amounts):  # training would reject it: refuse it here
                    fail("composition", f"{formula!r} is not a Li conductor (no Li in the formula)")
            except FormulaError as exc:
                fail("composition", f"unparseable formula {formula!r}: {exc}")
        elif r["material"] in materials.index:
            key = f"material:{r['material']}"
        for c, ids in (("process", catalog.process_ids), ("coating", catalog.coating_ids)):
            if r[c] and r[c] not in ids:
                fail(c, f"unknown catalog {c} {r[c]!r}{did_you_mean(r[c], ids)}")
        identity = (r["sample_id"], values.get("temperature_c", math.nan))
        if not bad and identity in seen:
            fail("sample_id", f"{r['sample_id']!r} at {identity[1]:g} °C appears twice in the file")
        seen.add(identity)
        if bad:
            errors += bad
            continue
        row: dict[str, object] = {c: r[c] for c in COLUMNS if c not in RANGES}
        row.update({c: values.get(c, math.nan) for c in RANGES})
        row.update(formula=formula, formula_key=key, source_line=line)
        good.append(row)
    rows = pd.DataFrame.from_records(
        good, columns=[*COLUMNS, "formula", "formula_key", "source_line"]
    )
    return Parsed(rows, errors, len(frame))


def content_hash(table: pd.DataFrame) -> str:
    """SHA-256 of the measurement table's canonical CSV (measured columns, sorted rows)."""
    cols = [*COLUMNS, "formula_key"]
    canonical = table[cols].sort_values(["sample_id", "temperature_c"]).reset_index(drop=True)
    return hashlib.sha256(canonical.to_csv(index=False, float_format="%.10g").encode()).hexdigest()


def _file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class MeasurementStore:
    """Versioned measurements in a folder (see the module docstring)."""

    def __init__(self, root: str | Path = DEFAULT_STORE):
        self.root = Path(root)

    @property
    def index_path(self) -> Path:
        return self.root / "index.json"

    def versions(self) -> list[dict]:
        if not self.index_path.exists():
            return []
        return list(json.loads(self.index_path.read_text())["versions"])

    def version_label(self, version: str = "latest") -> str:
        """'v0003-<hash12>' of a version, or 'none' for an empty store."""
        entry = self._entry(version)
        return "none" if entry is None else f"v{entry['version']:04d}-{entry['content_hash'][:12]}"

    def _entry(self, version: str) -> dict | None:
        versions = self.versions()
        if not versions:
            return None
        if version == "latest":
            return versions[-1]
        for v in versions:
            label = f"v{v['version']:04d}-{v['content_hash'][:12]}"
            if version in (str(v["version"]), label, v["content_hash"]):
                return v
        known = ", ".join(f"v{v['version']:04d}" for v in versions)
        raise StoreError(f"{self.index_path}: no measurement version {version!r} (stored: {known})")

    def load(self, version: str = "latest") -> pd.DataFrame:
        """The whole table of a version (empty, with the stored columns, when nothing is stored);
        the file must match the SHA-256 recorded when it was written."""
        entry = self._entry(version)
        if entry is None:
            return pd.DataFrame(columns=list(STORED))
        path = self.root / "versions" / entry["file"]
        if not path.exists() or _file_sha256(path) != entry["file_sha256"]:
            raise StoreError(f"{path}: missing or changed since it was stored (SHA-256 differs)")
        return _typed(pd.read_parquet(path))

    @contextmanager
    def _locked(self):
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def ingest(self, rows: pd.DataFrame, source_file: str) -> dict:
        """Append validated rows as a new version; returns what happened. Rows already stored with
        the same values are skipped; a (sample_id, temperature) stored with other values is refused
        (MeasurementError) and nothing is written."""
        with self._locked():
            self._remove_orphans()
            current = self.load()
            entry = self._entry("latest")
            number = 1 if entry is None else int(entry["version"]) + 1
            new, skipped, conflicts = self._new_rows(current, rows)
            if conflicts:
                raise MeasurementError(
                    f"{source_file}, " + f"; {source_file}, ".join(conflicts[:20])
                )
            if not len(new):
                return {"version": self.version_label(), "added": 0, "skipped": skipped}
            new = new.assign(version=number, source_file=str(source_file))
            table = pd.concat([current, new[list(STORED)]], ignore_index=True)
            table = _typed(table.astype({"version": "int64", "source_line": "int64"}))
            digest = content_hash(table)
            name = f"v{number:04d}-{digest[:12]}.parquet"
            target = self.root / "versions" / name
            atomic_write(target, lambda tmp: table.to_parquet(tmp, index=False))
            record = {
                "version": number,
                "file": name,
                "content_hash": digest,
                "file_sha256": _file_sha256(target),
                "rows": len(table),
                "added": len(new),
                "source_file": str(source_file),
                "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            }
            versions = [*self.versions(), record]
            text = json.dumps({"versions": versions}, indent=2)
            atomic_write(self.index_path, lambda tmp: tmp.write_text(text))
            return {"version": self.version_label(), "added": len(new), "skipped": skipped}

    def _new_rows(self, current: pd.DataFrame, rows: pd.DataFrame):
        stored = {
            (str(r["sample_id"]), float(r["temperature_c"])): r for r in current.to_dict("records")
        }
        keep, skipped, conflicts = [], 0, []
        compare = [c for c in COLUMNS if c not in ("notes",)]
        for pos, r in enumerate(rows.to_dict("records")):
            old = stored.get((str(r["sample_id"]), float(r["temperature_c"])))
            if old is None:
                keep.append(pos)
                continue
            same = all(_same(old[c], r[c]) for c in compare)
            if same:
                skipped += 1
            else:
                conflicts.append(
                    f"line {r['source_line']}: sample_id {r['sample_id']!r} at "
                    f"{r['temperature_c']:g} °C is stored (version {old['version']}) with other "
                    "values; a correction needs a new sample_id"
                )
        return rows.iloc[keep], skipped, conflicts

    def _remove_orphans(self) -> None:
        """Version files a crash left without an index entry (never read) are removed."""
        folder = self.root / "versions"
        if not folder.exists():
            return
        listed = {v["file"] for v in self.versions()}
        for path in folder.iterdir():
            if path.name not in listed:
                path.unlink(missing_ok=True)


def _typed(table: pd.DataFrame) -> pd.DataFrame:
    """Numeric columns as floats (an all-empty column would otherwise round-trip as None)."""
    return table.assign(
        **{c: pd.to_numeric(table[c], errors="coerce").astype(float) for c in RANGES}
    )


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        try:
            fa, fb = float(a), float(b)
        except (TypeError, ValueError):
            return False
        return (math.isnan(fa) and math.isnan(fb)) or bool(np.isclose(fa, fb, rtol=1e-9))
    return str(a) == str(b)


def measured_designs(table: pd.DataFrame) -> pd.DataFrame:
    """What suggestions leave out: (formula_key, process, thickness_um) of every stored row."""
    cols = ["formula_key", "process", "thickness_um"]
    if not len(table):
        return pd.DataFrame(columns=cols)
    return table[cols].drop_duplicates().reset_index(drop=True)


def training_rows(table: pd.DataFrame, weight: int) -> pd.DataFrame:
    """Stored conductivities as training rows of surrogates.datasets' schema (dataset
    'measurements', the sample id as source row), each repeated `weight` times: a lab's own
    measurement counts as `weight` literature rows of the same composition and temperature."""
    from surrogates import datasets

    rows = datasets._Rows("measurements")
    for r in table.to_dict("records"):
        if not r["formula"]:
            continue  # a catalog material without a formula: nothing a composition model can learn
        rows.add(
            f"{r['sample_id']}@v{int(r['version'])}",
            r["formula"],
            float(r["sigma_s_per_cm"]),
            float(r["temperature_c"]) + 273.15,
            doi=f"lab:{r['operator']}:{r['date']}",
            process=r["process"] or "",
            thickness_um=float(r["thickness_um"]),
        )
    out = rows.result().rows
    if weight > 1 and len(out):
        out = pd.concat([out] * weight, ignore_index=True)
    return out


def ingest_file(path: str | Path, catalog, store: MeasurementStore, skip_bad_rows: bool) -> dict:
    """Validate a file and store its good rows; raises MeasurementError listing every bad cell
    unless skip_bad_rows (then the errors come back with the result)."""
    parsed = read_measurements(path, catalog)
    if parsed.errors and not skip_bad_rows:
        shown = parsed.errors[:50]
        more = f"; ... {len(parsed.errors) - 50} more" if len(parsed.errors) > 50 else ""
        raise MeasurementError(
            f"{len(parsed.errors)} problem(s), nothing ingested (fix them, or --skip-bad-rows): "
            + " | ".join(shown)
            + more
        )
    result = (
        store.ingest(parsed.rows, os.path.abspath(path))
        if len(parsed.rows)
        else {
            "version": store.version_label(),
            "added": 0,
            "skipped": 0,
        }
    )
    return {**result, "errors": parsed.errors, "lines": parsed.lines}
