"""A lab's own measurements (`ssemo ingest measurements.csv`): validated rows, a store that keeps
every version, and the training rows they become.

CSV format (one row per sample and temperature; configs/examples/measurements.csv):

  required  sample_id       the lab's sample label (1-100 characters)
            operator        who measured it
            date            YYYY-MM-DD, not in the future
            temperature_c   °C, in [-100, 400]
            sigma_s_per_cm  measured ionic conductivity, S/cm, in (0, 10]; at or below 40 °C at most
                            10^-1.1 (objectives.constants: the room-temperature ceiling)
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

The file is read once into memory (at most MAX_FILE_BYTES), checked not to have changed while it
was read (else read again), hashed, and parsed from those bytes: what is validated and stored is
one state of the file, whose SHA-256 is recorded with the version. Every cell but `notes` is
normalised (Unicode NFKC, invisible and format characters such as a zero-width space removed,
runs of white space made one space), so `Li₇La₃Zr₂O₁₂` is `Li7La3Zr2O12`; two sample ids that are
equal once normalised but were typed differently are refused by name (a lookalike is not a second
sample, nor silently the same one).

Validation is row by row; every problem is named by file, line and column. By default a file with
any bad row is refused whole (nothing is written); `--skip-bad-rows` ingests the good rows. A row
whose (sample_id, temperature_c) is already stored with the same values is skipped (ingesting the
same file twice changes nothing); with different values it is refused (a correction is a new
sample_id, so no measured value is ever overwritten).

The store (a folder, default `measurements/` at the repository root, not tracked by git): every
version is a complete Parquet table `versions/v0001-<hash12>.parquet` (hash12: the start of the
table's content hash), which also carries its own record (number, content hash, rows added, source
file and its SHA-256, time) in the Parquet metadata. The version files are the truth; `index.json`
(the same records plus each file's SHA-256) is derived from them. Reading the store checks every
version file against its name, its record, the index and the previous version (whose rows it must
hold unchanged); a disagreement the files can settle (an index deleted, rolled back, truncated,
or missing a key; a version written by an ingest killed before it replaced the index) is settled
by the files (`ssemo ingest` and `ssemo store repair` rewrite the index); one they cannot (a
version file missing, changed, or unreadable) is refused naming the file. Other files in the
folders (a backup, a README) are ignored and never touched; the only files ssemo removes are its
own temporary files left by a killed ingest. A version is written atomically (temporary file,
fsync, rename; the rename commits it), then the index; a kernel lock (flock) serializes ingests.

Measured catalog quantities (a file whose header has a `property` or `sd_log10` column: the
columns of pipeline.study.catalog_measurements, configs/examples/catalog_measurements.csv) go to a
second table with the same guarantees, in `<store>/catalog/` (its own versions, index and lock;
`ssemo store verify|repair` cover it). Each row is checked by catalog_measurements.
check_measurements, the rule a study applies to its own file, after the same normalisation of
cells and refusal of lookalike sample ids; a row whose (sample_id, table, item, applies_to,
property) is stored with the same value, sd_log10 and source is skipped, with others refused.
A study reads the latest version with `catalog_measurements: <store>` (stored_catalog_measurements).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import io
import itertools
import json
import math
import os
import re
import stat
import time
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from objectives.constants import conductivity_ceiling_problem
from pipeline import REPO_ROOT
from pipeline.errors import CatalogError, InputError, SsemoError, did_you_mean
from pipeline.files import atomic_write
from pipeline.study.catalog_measurements import COLUMNS as CATALOG_COLUMNS
from pipeline.study.designs import THICKNESS_MAX_UM

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
    "thickness_um": (0.0, THICKNESS_MAX_UM, False),
    "relative_density": (0.0, 1.0, False),
    "asr_ohm_cm2": (0.0, 1e9, False),
    "strength_mpa": (0.0, 1e5, False),
    "ccd_ma_per_cm2": (0.0, 1e4, False),
}
STORED = (*COLUMNS, "formula", "formula_key", "version", "source_file", "source_line")
MAX_FILE_BYTES = 50 * 1024 * 1024
READ_TRIES = 4  # a file that keeps changing while it is read is refused after this many reads

# Names ssemo writes in the store; anything else there is the user's and is left alone.
VERSION_FILE = re.compile(r"v(\d{4,})-([0-9a-f]{12})\.parquet")
# atomic_write's temporary names (".<stem>.<pid>-<8 hex>.tmp<suffix>") for a version and the index
TEMP_FILE = re.compile(r"\.(v\d{4,}-[0-9a-f]{12}|index)\.\d+-[0-9a-f]{8}\.tmp\.(parquet|json)")
RECORD_KEY = b"ssemo.measurements.version"  # a version's own record, in its Parquet metadata
INDEX_KEYS = {"version": int, "file": str, "content_hash": str, "file_sha256": str}


@dataclass(frozen=True)
class Kind:
    """What one versioned table of the store holds: its measured columns (the content hash covers
    them, in `order`), the stored ones, the numeric ones, what names one measurement (a row
    stored under the same identity with other values is refused) and the Parquet metadata key of
    a version's own record."""

    name: str
    hashed: tuple[str, ...]
    stored: tuple[str, ...]
    numeric: tuple[str, ...]
    order: tuple[str, ...]
    identity: tuple[str, ...]  # sample_id first
    compare: tuple[str, ...]  # must agree for a re-ingested row to be the stored one
    record_key: bytes
    subfolder: str  # '' for the conductivity table; the catalog table is <store>/catalog


CONDUCTIVITY = Kind(
    name="conductivity",
    hashed=(*COLUMNS, "formula_key"),
    stored=STORED,
    numeric=tuple(RANGES),
    order=("sample_id", "temperature_c"),
    identity=("sample_id", "temperature_c"),
    compare=tuple(c for c in COLUMNS if c not in ("notes", "sample_id")),
    record_key=RECORD_KEY,
    subfolder="",
)
# Measured catalog quantities (pipeline.study.catalog_measurements: interface resistance, σ,
# strength, CCD, density, ...): one row per sample and catalog value, with its uncertainty.
CATALOG = Kind(
    name="catalog",
    hashed=CATALOG_COLUMNS,
    stored=(*CATALOG_COLUMNS, "version", "source_file", "source_line"),
    numeric=("value", "sd_log10"),
    order=("sample_id", "table", "item", "applies_to", "property"),
    identity=("sample_id", "table", "item", "applies_to", "property"),
    compare=("value", "sd_log10", "source"),
    record_key=b"ssemo.catalog_measurements.version",
    subfolder="catalog",
)

# Invisible characters NFKC keeps: format characters (category Cf: zero-width space and joiners,
# bidi controls, soft hyphen, BOM), controls, line/paragraph separators, variation selectors and
# the blank letters that render as nothing.
_INVISIBLE_CATEGORIES = {"Cf", "Cc", "Zl", "Zp"}
_INVISIBLE = {"\u034f", "\u115f", "\u1160", "\u17b4", "\u17b5", "\u2800", "\u3164", "\uffa0"}
# Cyrillic and Greek letters drawn like Latin ones (the common part of Unicode's confusables):
# two sample ids equal once these read as Latin are lookalikes, refused rather than two samples.
_LATIN_LOOKALIKES = str.maketrans(
    "АВЕКМНОРСТХУаеорсухіјѕІЈЅһԁԛԝ" + "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧοικ",
    "ABEKMHOPCTXYaeopcyxijsIJShdqw" + "ABEZHIKMNOPTYXoik",
)


class MeasurementError(InputError):
    """A measurements file that cannot be ingested (exit 2): every bad cell named."""


class StoreError(SsemoError):
    """The measurement store is damaged in a way its files cannot settle (a version file missing,
    changed or unreadable), or is not a store (exit 2); the message names the file."""


@dataclass(frozen=True)
class Parsed:
    rows: pd.DataFrame  # good rows, with formula and formula_key
    errors: list[str]  # "file:line: column 'x': problem"
    lines: int
    sha256: str = ""  # of the bytes that were parsed
    notes: list[str] = field(default_factory=list)  # valid but surprising rows (warnings)


def normalized(text: str) -> str:
    """An identifier as ssemo compares it: Unicode NFKC, invisible characters removed, white
    space runs made one space, ends stripped ('S1\\u200b' and 'Ｓ1' are 'S1')."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(
        ch
        for ch in text
        if unicodedata.category(ch) not in _INVISIBLE_CATEGORIES
        and ch not in _INVISIBLE
        and not ("\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef")
    )
    return " ".join(text.split())


def lookalike_key(text: str) -> str:
    """What two ids that look alike share: the normalised id with Cyrillic and Greek letters
    drawn like Latin ones read as Latin ('Сell-1' with a Cyrillic С is 'Cell-1')."""
    return normalized(text).translate(_LATIN_LOOKALIKES)


def read_input(path: str | Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file, read once into memory (at most `limit` bytes), as one state of
    the file, never a mix of two: a read is accepted when the file's size, modification and change
    times did not move during it and the file was last modified well before it (a file modified
    within the last seconds is read a second time and must give the same bytes, as timestamps
    can be coarser than a write). A file rewritten while it is read is read again; one that keeps
    changing is refused after READ_TRIES reads."""
    path = Path(path)
    previous = None
    for _ in range(READ_TRIES):
        started = time.time_ns()
        data, before, after = _read_all(path, limit)
        moved = (before.st_size, before.st_mtime_ns, before.st_ctime_ns) != (
            after.st_size,
            after.st_mtime_ns,
            after.st_ctime_ns,
        )
        if moved or len(data) != after.st_size:
            previous = None
            continue
        settled = max(after.st_mtime_ns, after.st_ctime_ns) < started - 2_000_000_000
        if settled or data == previous:
            return data
        previous = data
    raise MeasurementError(
        f"{path}: changed while it was read ({READ_TRIES} reads); ingest it once it is written"
    )


def _read_all(path: Path, limit: int) -> tuple[bytes, os.stat_result, os.stat_result]:
    """One read of the whole file, with its status before and after."""
    too_big = f"{path}: larger than {limit / 2**20:.3g} MB"
    try:
        # O_NONBLOCK: a FIFO put in the file's place must not hang the open
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise MeasurementError(f"{path}: no such file") from None
    except OSError as exc:
        raise MeasurementError(f"{path}: cannot read ({exc.strerror})") from None
    before = os.fstat(fd)
    if not stat.S_ISREG(before.st_mode) or before.st_size > limit:
        os.close(fd)
        raise MeasurementError(
            too_big if stat.S_ISREG(before.st_mode) else f"{path}: not a regular file"
        )
    with open(fd, "rb", closefd=True) as handle:
        data = handle.read(limit + 1)
        after = os.fstat(handle.fileno())
    if len(data) > limit:
        raise MeasurementError(too_big)
    return data, before, after


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("not finite")
    return value


def read_measurements(path: str | Path, catalog, data: bytes | None = None) -> Parsed:
    """Every row checked; good rows kept, each problem named by file, line and column. data: the
    file's bytes when the caller has read them (read_input), else they are read here."""
    from surrogates.chemistry import (
        FormulaError,
        check_formula_text,
        composition_key,
        contains_lithium,
        parse_formula,
    )

    path = Path(path)
    data = read_input(path) if data is None else data
    digest = hashlib.sha256(data).hexdigest()
    frame = _csv(path, data)
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
    if frame.empty:  # as the catalog-measurement files are (a review saw "Nothing new ... 0 rows")
        raise MeasurementError(f"{path}: no data rows (only a header)")
    today = dt.date.today()
    materials = catalog.materials
    good: list[dict[str, object] | None] = []
    errors: list[str] = []
    # (sample, temperature) -> (its first line, its place in good, or None when that row was bad)
    seen: dict[tuple[str, float], tuple[int, int | None]] = {}
    typed_ids: dict[str, tuple[str, int]] = {}  # lookalike_key -> (as typed, first line)
    lines = frame.attrs.get("source_lines") or list(range(2, len(frame) + 2))
    for i, raw in enumerate(frame.to_dict("records")):
        line = lines[i]
        typed = {c: str(raw.get(c, "")).strip() for c in COLUMNS}
        r = {c: typed[c] if c == "notes" else normalized(typed[c]) for c in COLUMNS}
        bad: list[str] = []

        def fail(column: str, message: str, bad: list[str] = bad, line: int = line) -> None:
            bad.append(f"{path}:{line}: column '{column}': {message}")

        for c in REQUIRED:
            if not r[c]:
                fail(c, "required, empty")
        if r["sample_id"] and len(r["sample_id"]) > 100:
            fail("sample_id", "longer than 100 characters")
        if r["sample_id"]:
            key = lookalike_key(typed["sample_id"])
            first = typed_ids.setdefault(key, (typed["sample_id"], line))
            if first[0] != typed["sample_id"]:
                fail(
                    "sample_id",
                    f"{typed['sample_id']!r} and {first[0]!r} (line {first[1]}) look alike: the "
                    f"same id {key!r} once normalised (Unicode NFKC, invisible characters removed, "
                    "Cyrillic and Greek letters drawn like Latin ones read as Latin) but typed "
                    "differently; type one id alike on every row, or give different samples "
                    "clearly different ids",
                )
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
        sigma, temperature = values.get("sigma_s_per_cm"), values.get("temperature_c")
        if sigma is not None and temperature is not None:
            if problem := conductivity_ceiling_problem(sigma, temperature):
                fail("sigma_s_per_cm", problem)
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
            else:
                if problem := _unlike_material(amounts, r["composition"], r["material"], materials):
                    fail("composition", problem)
        elif r["material"] in materials.index:
            key = f"material:{r['material']}"
        for c, ids in (("process", catalog.process_ids), ("coating", catalog.coating_ids)):
            if r[c] and r[c] not in ids:
                fail(c, f"unknown catalog {c} {r[c]!r}{did_you_mean(r[c], ids)}")
        identity = (r["sample_id"], values.get("temperature_c", math.nan))
        if not bad and identity in seen:
            # which of the two is right cannot be told: neither goes in
            first_line, kept = seen[identity]
            fail(
                "sample_id",
                f"{r['sample_id']!r} at {identity[1]:g} °C appears twice in the file (lines "
                f"{first_line} and {line}): neither row is taken",
            )
            if kept is not None:
                good[kept] = None
                seen[identity] = (first_line, None)
                errors.append(
                    f"{path}:{first_line}: column 'sample_id': {r['sample_id']!r} at "
                    f"{identity[1]:g} °C appears again on line {line}: neither row is taken"
                )
        seen.setdefault(identity, (line, None if bad else len(good)))
        if bad:
            errors += bad
            continue
        row: dict[str, object] = {c: r[c] for c in COLUMNS if c not in RANGES}
        row.update({c: values.get(c, math.nan) for c in RANGES})
        row.update(formula=formula, formula_key=key, source_line=line)
        good.append(row)
    rows = pd.DataFrame.from_records(
        [g for g in good if g is not None],
        columns=[*COLUMNS, "formula", "formula_key", "source_line"],
    )
    notes = kelvin_note(path, rows) + falling_sigma_note(path, rows)
    return Parsed(rows, errors, len(frame), digest, notes)


# A file whose every temperature lies in 273-400 and which has a room-temperature-looking one in
# kelvin (288-313 K = 15-40 °C) was most likely written in kelvin: its rows pass the °C range
# [-100, 400], but read as °C they sit ~273 degrees too hot and escape the room-temperature σ
# ceiling. A series measured at 273-400 °C is possible (oxides), so this warns, it does not refuse.
KELVIN_LOOKING_C = (273.0, 400.0)
ROOM_TEMPERATURE_IN_KELVIN = (288.0, 313.0)


def kelvin_note(path: Path, rows: pd.DataFrame) -> list[str]:
    """One warning when a file's temperatures look like kelvin (above); none otherwise."""
    column = rows["temperature_c"] if "temperature_c" in rows else pd.Series(dtype=float)
    t = pd.to_numeric(column, errors="coerce").to_numpy(float)
    known = t[np.isfinite(t)]
    low, high = KELVIN_LOOKING_C
    room = np.flatnonzero(
        (t >= ROOM_TEMPERATURE_IN_KELVIN[0]) & (t <= ROOM_TEMPERATURE_IN_KELVIN[1])
    )
    if not len(known) or not len(room) or not ((known >= low) & (known <= high)).all():
        return []
    first = int(room[0])  # by position: the index need not be unique or 0-based
    line = rows["source_line"].iloc[first] if "source_line" in rows else first + 2
    return [
        f"{path}: every temperature_c lies between {low:g} and {high:g} °C (line {line}: "
        f"{t[first]:g}); if the file is in kelvin (25 °C = 298.15 K), convert it to °C and "
        "ingest it again: read as °C, each σ is placed ~273 degrees too hot"
    ]


def _unlike_material(amounts, composition: str, material: str, materials) -> str | None:
    """A row naming both a composition and a catalog material whose formula shares no element but
    Li with it describes two different things (a trial stored 'Li6PS5Cl' as material LLZO, and the
    store matches designs by formula): refused. A doped member shares its parent's framework (Ga-,
    Ta- or Al-LLZO with LLZO, Li6PS5Br with Li6PS5Cl), so any shared element lets it through."""
    if not composition or not material or material not in materials.index:
        return None
    parent = str(materials.loc[material, "formula"] or "")
    if parent in ("", "nan"):
        return None
    from surrogates.chemistry import FormulaError, parse_formula

    try:
        framework = set(parse_formula(parent)) - {"Li"}
    except FormulaError:
        return None
    if not framework or framework & (set(amounts) - {"Li"}):
        return None
    return (
        f"{composition!r} shares no element but Li with catalog material {material!r} "
        f"({parent}): give the composition or the material, not two different ones"
    )


def falling_sigma_note(path: Path, rows: pd.DataFrame) -> list[str]:
    """One warning naming the samples whose σ does not rise from one measured temperature to the
    next: an ion conductor's σ rises with temperature (Arrhenius), so a flat or falling pair is
    most often a temperature in kelvin or a σ in mS/cm on one of the rows (a trial stored one
    sample at 25 and at "298 °C" with 8.1e-4 and 8.0e-4 S/cm, and nothing said). A phase change
    or a degrading sample can do it too, so this warns and stores."""
    needed = {"sample_id", "temperature_c", "sigma_s_per_cm"}
    if not needed <= set(rows.columns) or rows.empty:
        return []
    table = rows.assign(
        t=pd.to_numeric(rows["temperature_c"], errors="coerce"),
        s=pd.to_numeric(rows["sigma_s_per_cm"], errors="coerce"),
        line=rows["source_line"] if "source_line" in rows else np.arange(len(rows)) + 2,
    ).dropna(subset=["t", "s"])
    found = []
    for sample, series in table.sort_values("t").groupby("sample_id", sort=True):
        for cold, hot in itertools.pairwise(series.to_dict("records")):
            if hot["t"] > cold["t"] and hot["s"] <= cold["s"]:
                found.append(
                    f"{sample} (line {cold['line']}: {cold['s']:g} S/cm at {cold['t']:g} °C, "
                    f"line {hot['line']}: {hot['s']:g} at {hot['t']:g} °C)"
                )
                break
    if not found:
        return []
    return [
        f"{path}: σ does not rise with temperature for {'; '.join(found[:5])}"
        + ("; ..." if len(found) > 5 else "")
        + ": check those rows for a temperature in kelvin or a σ in mS/cm (a phase change or a "
        "degrading sample can also do it)"
    ]


def _csv(path: Path, data: bytes) -> pd.DataFrame:
    """The file's cells as text (MeasurementError when it is not a readable CSV, naming why)."""
    first = data.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")
    other = next((sep for sep in (";", "\t") if sep in first), None)
    if other is not None and "," not in first:  # a spreadsheet's locale export
        raise MeasurementError(
            f"{path}, line 1: the header is separated by {other!r}, expected commas (export the "
            "sheet as CSV with a comma delimiter)"
        )
    try:
        frame = pd.read_csv(
            io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig"
        )
    except UnicodeDecodeError:
        raise MeasurementError(
            f"{path}: not UTF-8 text (save the CSV as UTF-8, e.g. 'CSV UTF-8' in a spreadsheet)"
        ) from None
    except pd.errors.EmptyDataError:
        raise MeasurementError(f"{path}: empty file (expected a header and rows)") from None
    except pd.errors.ParserError as exc:
        ragged = _extra_fields(path, data)  # a later line with more fields than the first's
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise MeasurementError(ragged or f"{path}: not a readable CSV ({reason})") from None
    if not isinstance(frame.index, pd.RangeIndex):  # pandas took extra fields as an index
        raise MeasurementError(_extra_fields(path, data) or f"{path}: ragged lines")
    frame.attrs["source_lines"] = record_lines(data, len(frame))
    return frame


def record_lines(data: bytes, n_records: int) -> list[int]:
    """The line of the file each of the first n_records data records starts on. pandas skips blank
    lines and a quoted cell may span lines, so a record's position + 2 is its line only in a file
    without either; the csv module counts the lines it reads. Position + 2 where it cannot tell."""
    import csv

    fallback = list(range(2, n_records + 2))
    try:
        reader = csv.reader(io.StringIO(data.decode("utf-8-sig")))
        starts, before = [], 0
        for fields in reader:
            if fields and any(f.strip() for f in fields):  # pandas skips blank lines
                starts.append(before + 1)
            before = reader.line_num
    except (csv.Error, UnicodeDecodeError):
        return fallback
    return starts[1 : n_records + 1] if len(starts) == n_records + 1 else fallback


def _extra_fields(path: Path, data: bytes) -> str | None:
    """The first line with more fields than the header, named (None: every line fits)."""
    import csv

    try:
        lines = csv.reader(io.StringIO(data.decode("utf-8-sig")))
        header = next(lines, [])
        for n, fields in enumerate(lines, start=2):
            if len(fields) > len(header):
                return (
                    f"{path}, line {n}: {len(fields)} fields, the header has {len(header)} (a "
                    "comma inside a cell needs quotes)"
                )
    except (csv.Error, UnicodeDecodeError):
        return None
    return None


def is_catalog_file(data: bytes) -> bool:
    """Whether a file's header is the catalog-quantity format (it has a `property` or a
    `sd_log10` column, which the conductivity format has not)."""
    first = data.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")
    header = {normalized(c).strip('"').strip() for c in first.split(",")}
    return bool(header & {"property", "sd_log10"})


def read_catalog_measurements(path: str | Path, catalog, data: bytes | None = None) -> Parsed:
    """A catalog-quantity file (pipeline.study.catalog_measurements' columns) checked row by row
    by check_measurements, the study's own rule, after the cells were normalised as in the
    conductivity format (Unicode NFKC, invisible characters removed; `source` is free text, only
    stripped) and lookalike sample ids refused. Good rows come back with their source line."""
    from pipeline.study.catalog_measurements import check_measurements, surprises

    path = Path(path)
    data = read_input(path) if data is None else data
    digest = hashlib.sha256(data).hexdigest()
    frame = _csv(path, data)
    if frame.empty:
        raise MeasurementError(f"{path}: no data rows (only a header)")
    header = [str(c) for c in frame.columns]
    dup = sorted({c.split(".")[0] for c in header if c.split(".")[0] in header and "." in c})
    problems = [f"duplicate column(s) {', '.join(dup)}"] if dup else []
    unknown = [c for c in header if c not in CATALOG_COLUMNS and c.split(".")[0] not in dup]
    problems += [f"unknown column {c!r}{did_you_mean(c, CATALOG_COLUMNS, n=1)}" for c in unknown]
    missing = [c for c in CATALOG_COLUMNS if c not in header]
    if missing:
        problems.append(f"missing required column(s) {', '.join(missing)}")
    if problems:
        raise MeasurementError(f"{path}: " + "; ".join(problems))
    typed_ids: dict[str, tuple[str, int]] = {}
    errors, lookalikes = [], set()
    cells = {}
    for c in CATALOG_COLUMNS:
        text = frame[c].astype(str)
        cells[c] = text.str.strip() if c == "source" else text.map(normalized)
    lines = frame.attrs.get("source_lines") or list(range(2, len(frame) + 2))
    for i, typed in enumerate(frame["sample_id"].astype(str).str.strip()):
        key = lookalike_key(typed)
        first = typed_ids.setdefault(key, (typed, lines[i]))
        if typed and first[0] != typed:
            lookalikes.add(i + 2)
            errors.append(
                f"{path}, line {lines[i]}, column 'sample_id': {typed!r} and {first[0]!r} (line "
                f"{first[1]}) look alike once normalised but are typed differently; expected "
                "one id typed alike on every row, or clearly different ids"
            )
        if not normalized(typed):
            lookalikes.add(i + 2)
            errors.append(f"{path}, line {lines[i]}, column 'sample_id': required, empty")
    places = [f"{path}, line {n}" for n in lines]
    rows, found = check_measurements(pd.DataFrame(cells), catalog, path, places)
    errors += found
    columns = [*CATALOG_COLUMNS, "source_line"]
    if len(rows):
        # check_measurements' "line" is the record's position + 2: its file line from `lines`
        rows = rows[~rows["line"].isin(lookalikes)]
        rows = rows.assign(line=[lines[n - 2] for n in rows["line"]])
        notes = surprises(rows, catalog, [f"{path}, line {n}" for n in rows["line"]])
        rows = rows.rename(columns={"line": "source_line"})[columns].reset_index(drop=True)
    else:
        rows, notes = pd.DataFrame(columns=columns), []
    return Parsed(rows, errors, len(frame), digest, notes)


def store_catalog_override(config, store_dir: str | Path) -> list[str]:
    """The override that makes a study read a store's catalog measurements: when the store holds
    some and the study names none of its own (a study's own file is kept). The campaign job and
    `ssemo suggest --store` apply the same rule."""
    if config.catalog_measurements or MeasurementStore(store_dir).catalog.version_label() == "none":
        return []
    return [f"catalog_measurements={Path(store_dir).resolve()}"]


def stored_catalog_measurements(root: str | Path) -> tuple[pd.DataFrame, list[str]]:
    """The latest catalog-measurement version of a measurement store (every version file checked;
    StoreError naming the file when one is damaged, or when the folder is not a store), with each
    row's version record's source SHA-256 and ingest time, and how each row is named in a
    problem: its version, source file and line."""
    store = MeasurementStore(root)
    if not any(p.exists() for p in (store.index_path, store.versions_dir, store.catalog.root)):
        raise StoreError(
            f"{store.root}: not a measurement store (no index.json, versions/ or catalog/); "
            "`ssemo ingest` of a catalog-quantity file creates one"
        )
    _, table, found = store.catalog.read()
    records = {int(r["version"]): r for r in found.records}
    table = table.assign(
        source_sha256=[records[int(v)]["source_sha256"] for v in table["version"]],
        ingested=[records[int(v)]["created"] for v in table["version"]],
    )
    places = [
        f"{store.catalog.root} version {int(v)} (from {f}, line {int(n)})"
        for v, f, n in zip(
            table["version"], table["source_file"], table["source_line"], strict=True
        )
    ]
    return table.reset_index(drop=True), places


def read_store_measurements(root: str | Path, catalog) -> tuple[pd.DataFrame, str, str]:
    """A study's catalog measurements from a measurement store: the latest catalog-measurement
    version, each row checked again against this catalog (catalog_measurements.check_measurements,
    CatalogError naming the version, file and line of a bad row), where they came from and the
    store's catalog version."""
    from pipeline.study.catalog_measurements import check_measurements, raise_problems

    frame, places = stored_catalog_measurements(root)
    if not len(frame):
        raise CatalogError(
            f"{root}: a measurement store with no catalog measurements (catalog_measurements; "
            "`ssemo ingest` of a file with property and sd_log10 columns adds them)"
        )
    rows, problems = check_measurements(frame, catalog, root, places)
    raise_problems(problems)
    return rows, f"measurement store {root}", MeasurementStore(root).catalog.version_label()


def content_hash(table: pd.DataFrame, kind: Kind = CONDUCTIVITY) -> str:
    """SHA-256 of the measurement table's canonical CSV (measured columns, sorted rows)."""
    canonical = table[list(kind.hashed)].sort_values(list(kind.order)).reset_index(drop=True)
    return hashlib.sha256(canonical.to_csv(index=False, float_format="%.10g").encode()).hexdigest()


# Versions this process has checked, by (name, number, SHA-256 of the bytes): the same bytes give
# the same verdict, so a second look at a store (ingest checks it before and under its lock) only
# hashes the files. Values: (record, content hash of the rows of earlier versions).
_CHECKED: dict[tuple[str, str, int, str], tuple[dict, str]] = {}


def _checked_version(path: Path, number: int, kind: Kind = CONDUCTIVITY) -> tuple[dict, str]:
    """(record, content hash of its rows of earlier versions) of a version file; StoreError as
    _read_version."""
    data = path.read_bytes()
    key = (kind.name, path.name, number, hashlib.sha256(data).hexdigest())
    if key not in _CHECKED:
        record, table, _ = _read_version(path, number, data, kind)
        older = content_hash(table[pd.to_numeric(table["version"]) < number], kind)
        if len(_CHECKED) >= 1024:
            _CHECKED.clear()
        _CHECKED[key] = (record, older)
    record, older = _CHECKED[key]
    return dict(record), older


def _read_version(
    path: Path, number: int, data: bytes | None = None, kind: Kind = CONDUCTIVITY
) -> tuple[dict, pd.DataFrame, bytes]:
    """(record, table, bytes) of a version file, read once (or given); StoreError naming the file
    when it is unreadable or its rows are not the ones its name and its own record say."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = path.read_bytes() if data is None else data
    try:
        arrow = pq.read_table(pa.BufferReader(data))
        table = _typed(arrow.to_pandas(), kind)
    except Exception as exc:  # pyarrow raises several kinds for a damaged file
        raise StoreError(
            f"{path}: not a readable measurement version ({type(exc).__name__}); restore it from "
            "a backup"
        ) from None
    missing = [c for c in kind.stored if c not in table]
    if missing:
        raise StoreError(f"{path}: not a measurement version (no column(s) {', '.join(missing)})")
    digest = content_hash(table, kind)
    try:
        own = json.loads((arrow.schema.metadata or {}).get(kind.record_key, b"{}"))
        own = own if isinstance(own, dict) else {}
    except ValueError:
        own = {}
    match = VERSION_FILE.fullmatch(path.name)
    named = match[2] if match else ""
    if not digest.startswith(named) or own.get("content_hash", digest) != digest:
        raise StoreError(
            f"{path}: its rows changed after it was stored (content hash {digest[:12]} does not "
            "match its name or its record); restore the file from a backup"
        )
    versions = pd.to_numeric(table["version"], errors="coerce")
    if (
        versions.isna().any()
        or (versions > number).any()
        or str(own.get("version", number)) != str(number)
    ):
        raise StoreError(f"{path}: holds rows of another version than {number}")
    added = int((versions == number).sum())
    source = table.loc[versions == number, "source_file"]
    record = {
        "version": number,
        "file": path.name,
        "content_hash": digest,
        "file_sha256": hashlib.sha256(data).hexdigest(),
        "rows": len(table),
        "added": added,
        "source_file": str(own.get("source_file", source.iloc[0] if len(source) else "")),
        "source_sha256": str(own.get("source_sha256", "")),
        "created": str(own.get("created") or _mtime(path)),
    }
    return record, table, data


@dataclass
class Inspection:
    """What a store's files and index say: the versions (from the files), the disagreements the
    files settle (`repairs`: the index is rewritten from the files), the damage they cannot
    (`damage`, each naming its file), the user's files (ignored) and ssemo's leftover temporary
    files."""

    root: Path
    records: list[dict] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    damage: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    leftovers: list[Path] = field(default_factory=list)

    def check(self) -> Inspection:
        """Itself, or StoreError naming every damaged file (on one line) when there is damage."""
        if self.damage:
            more = f"; and {len(self.damage) - 5} more" if len(self.damage) > 5 else ""
            raise StoreError("; ".join(self.damage[:5]) + more)
        return self


class MeasurementStore:
    """Versioned measurements in a folder (see the module docstring)."""

    def __init__(self, root: str | Path = DEFAULT_STORE, kind: Kind = CONDUCTIVITY):
        self.root = Path(root)
        self.kind = kind

    @property
    def catalog(self) -> MeasurementStore:
        """The store's measured catalog quantities: the same guarantees, in <store>/catalog."""
        return MeasurementStore(self.root / CATALOG.subfolder, CATALOG)

    @property
    def index_path(self) -> Path:
        return self.root / "index.json"

    @property
    def versions_dir(self) -> Path:
        return self.root / "versions"

    def _check_root(self) -> None:
        if self.root.exists() and not self.root.is_dir():
            raise StoreError(f"{self.root}: the measurement store must be a folder, this is a file")
        if self.versions_dir.exists() and not self.versions_dir.is_dir():
            raise StoreError(f"{self.versions_dir}: must be a folder, this is a file")

    def inspect(self) -> Inspection:
        """Every version file checked (readable, its rows matching its name and record, holding
        the previous version's rows unchanged) and compared with index.json; while an ingest
        holds the store's lock, after it (so that its half-done state is not reported)."""
        self._check_root()
        try:
            handle = open(self.root / ".lock", "rb")  # closed by the with below
        except OSError:  # no store yet, or not readable: nothing to wait for
            return self._inspect()
        with handle:
            fcntl.flock(handle, fcntl.LOCK_SH)
            try:
                return self._inspect()
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _inspect(self) -> Inspection:
        found = Inspection(self.root)
        files: dict[int, list[Path]] = {}
        if self.versions_dir.is_dir():
            for path in sorted(self.versions_dir.iterdir()):
                match = VERSION_FILE.fullmatch(path.name)
                if match and path.is_file():
                    files.setdefault(int(match[1]), []).append(path)
                elif TEMP_FILE.fullmatch(path.name) and path.is_file():
                    found.leftovers.append(path)
                else:
                    found.ignored.append(path.name)
        found.leftovers += [
            p for p in self.root.glob(".index.*") if TEMP_FILE.fullmatch(p.name) and p.is_file()
        ]
        index = self._read_index(found, bool(files))
        records: dict[int, dict] = {}
        previous: tuple[int, str] | None = None
        for number in sorted(files):
            paths = files[number]
            if len(paths) > 1:
                names = " and ".join(str(p) for p in paths)
                found.damage.append(f"{names}: two files for version {number}")
                previous = None
                continue
            try:
                record, older = _checked_version(paths[0], number, self.kind)
            except StoreError as exc:
                found.damage.append(str(exc))
                previous = None
                continue
            if previous is not None and previous[0] == number - 1:
                if older != previous[1]:
                    found.damage.append(
                        f"{paths[0]}: does not hold version {number - 1}'s rows unchanged (a "
                        "stored row was changed or removed); restore the file from a backup"
                    )
            records[number] = record
            previous = (number, record["content_hash"])
        for number in sorted(set(index) - set(files)):
            found.damage.append(
                f"{self.versions_dir / index[number]['file']}: listed in {self.index_path} but "
                "missing; restore it from a backup"
            )
        previous_number = 0
        for number in sorted({*files, *index}):  # a gap in the numbers is a lost version
            if number > previous_number + 1 and previous_number + 1 not in index:
                found.damage.append(
                    f"{self.versions_dir}: version {previous_number + 1} missing (no "
                    f"v{previous_number + 1:04d}-*.parquet) before version {number}; restore it "
                    "from a backup"
                )
            previous_number = number
        for number, entry in index.items():
            if number not in records:
                continue
            record = records[number]
            if entry["file"] != record["file"]:
                found.damage.append(
                    f"{self.versions_dir / entry['file']}: listed in {self.index_path} as version "
                    f"{number} but missing ({record['file']} is there instead); restore it from a "
                    "backup"
                )
            elif entry["content_hash"] != record["content_hash"]:
                found.damage.append(
                    f"{self.versions_dir / record['file']}: {self.index_path} records other rows "
                    "for it (content hash differs); restore the file or the index from a backup"
                )
            else:
                if entry["file_sha256"] != record["file_sha256"]:
                    found.repairs.append(
                        f"{record['file']}: file SHA-256 differs from the index (same rows): "
                        "the file was rewritten"
                    )
                for key in ("created", "source_file", "source_sha256"):  # the index's own words
                    if isinstance(entry.get(key), str) and entry[key]:
                        record[key] = entry[key]
        unlisted = [records[n]["file"] for n in sorted(records) if n not in index]
        if unlisted and index:
            found.repairs.append(
                f"{len(unlisted)} version file(s) not in {self.index_path.name} (an older index, or "
                f"an ingest stopped before updating it): {', '.join(unlisted)}"
            )
        elif unlisted and not any("index.json" in r for r in found.repairs):
            found.repairs.append(
                f"{self.index_path.name} lists none of the {len(unlisted)} version file(s)"
            )
        found.records = [records[n] for n in sorted(records)]
        return found

    def _read_index(self, found: Inspection, have_files: bool) -> dict[int, dict]:
        """index.json's well-formed entries by version number; what is wrong with it goes to
        found.repairs (the files settle it) or found.damage."""
        path = self.index_path
        if not path.exists():
            if have_files:
                found.repairs.append(f"{path.name} missing")
            return {}
        if not path.is_file():
            found.damage.append(
                f"{path}: must be a file (move it away; ssemo store repair then rebuilds the index)"
            )
            return {}
        try:
            versions = json.loads(path.read_bytes())["versions"]
            if not isinstance(versions, list):
                raise TypeError("'versions' is not a list")
        except (ValueError, KeyError, TypeError) as exc:
            found.repairs.append(
                f"{path.name} unreadable ({type(exc).__name__}: truncated or edited?)"
            )
            return {}
        entries: dict[int, dict] = {}
        for pos, entry in enumerate(versions, start=1):
            bad = (
                [k for k, kind in INDEX_KEYS.items() if not isinstance(entry.get(k), kind)]
                if isinstance(entry, dict)
                else list(INDEX_KEYS)
            )
            if bad or entry["version"] in entries:
                what = (
                    f"no valid {', '.join(repr(k) for k in bad)}" if bad else "a repeated version"
                )
                found.repairs.append(f"{path.name} entry {pos} has {what}")
                continue
            entries[entry["version"]] = entry
        return entries

    def versions(self) -> list[dict]:
        """The stored versions' records, from the version files (checked; StoreError naming the
        file when one is damaged)."""
        return self.inspect().check().records

    def read(self, version: str = "latest") -> tuple[str, pd.DataFrame, Inspection]:
        """(label, table, inspection) of a version after one check of the store: what a reader
        that also wants to say what it found (repairs the files settled) calls."""
        found = self.inspect().check()
        entry = self._entry(found.records, version)
        return ("none" if entry is None else _label(entry)), self._load(entry), found

    def version_label(self, version: str = "latest") -> str:
        """'v0003-<hash12>' of a version, or 'none' for an empty store."""
        entry = self._entry(self.versions(), version)
        return "none" if entry is None else _label(entry)

    def _entry(self, versions: list[dict], version: str) -> dict | None:
        if not versions:
            return None
        if version == "latest":
            return versions[-1]
        for v in versions:
            if version in (str(v["version"]), _label(v), v["content_hash"]):
                return v
        known = ", ".join(f"v{v['version']:04d}" for v in versions)
        raise StoreError(f"{self.root}: no measurement version {version!r} (stored: {known})")

    def load(self, version: str = "latest") -> pd.DataFrame:
        """The whole table of a version (empty, with the stored columns, when nothing is stored),
        after every version file was checked (inspect)."""
        return self._load(self._entry(self.versions(), version))

    def _load(self, entry: dict | None) -> pd.DataFrame:
        if entry is None:
            return pd.DataFrame(columns=list(self.kind.stored))
        path = self.versions_dir / entry["file"]
        record, table, _ = _read_version(path, int(entry["version"]), kind=self.kind)
        if record["file_sha256"] != entry["file_sha256"]:  # replaced since it was checked
            raise StoreError(f"{path}: changed while it was read; try again")
        return table

    @contextmanager
    def _locked(self):
        self._check_root()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            handle = open(self.root / ".lock", "a+")  # closed by the with below
        except OSError as exc:
            from pipeline.errors import EnvironmentProblem

            raise EnvironmentProblem(
                f"{self.root}: measurement store not writable ({exc.strerror})"
            ) from None
        with handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _write_index(self, records: list[dict]) -> None:
        text = json.dumps({"versions": records}, indent=2)
        atomic_write(self.index_path, lambda tmp: tmp.write_text(text))

    def repair(self) -> Inspection:
        """Under the ingest lock: ssemo's leftover temporary files removed and index.json rewritten
        from the version files when they disagree; StoreError (nothing changed) for damage the
        files cannot settle."""
        with self._locked():
            return self._repaired()

    def _repaired(self) -> Inspection:  # under the exclusive lock
        found = self._inspect().check()
        for path in found.leftovers:
            path.unlink(missing_ok=True)
        if found.repairs:
            self._write_index(found.records)
        return found

    def ingest(self, rows: pd.DataFrame, source_file: str, source_sha256: str = "") -> dict:
        """Append validated rows as a new version; returns what happened (with the index repairs
        made first, if any). Rows already stored with the same values are skipped; a (sample_id,
        temperature) stored with other values is refused (MeasurementError) and nothing is
        written; a damaged store is refused (StoreError) and nothing is written."""
        with self._locked():
            found = self._repaired()
            versions = found.records
            latest = versions[-1] if versions else None
            current = self._load(latest)
            number = 1 if latest is None else int(latest["version"]) + 1
            new, skipped, conflicts = self._new_rows(current, rows)
            if conflicts:
                raise MeasurementError(
                    f"{source_file}, " + f"; {source_file}, ".join(conflicts[:20])
                )
            result = {"added": 0, "skipped": skipped, "repairs": found.repairs}
            if not len(new):
                return {**result, "version": _label(latest) if latest else "none"}
            new = new.assign(version=number, source_file=str(source_file))
            table = pd.concat([current, new[list(self.kind.stored)]], ignore_index=True)
            table = table.astype({"version": "int64", "source_line": "int64"})
            table = _typed(table, self.kind)
            digest = content_hash(table, self.kind)
            name = f"v{number:04d}-{digest[:12]}.parquet"
            own = {
                "version": number,
                "content_hash": digest,
                "rows": len(table),
                "added": len(new),
                "source_file": str(source_file),
                "source_sha256": source_sha256,
                "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            }
            target = self.versions_dir / name
            atomic_write(target, lambda tmp: _write_parquet(table, own, tmp, self.kind))
            record = {**own, "file": name, "file_sha256": _file_sha256(target)}
            self._write_index([*versions, record])
            return {**result, "version": _label(record), "added": len(new)}

    def _new_rows(self, current: pd.DataFrame, rows: pd.DataFrame):
        # stored ids compared as normalised (a store written before normalisation may hold an id
        # with an invisible character: the same sample is matched, not added twice); an id that
        # only looks like a stored one (lookalike_key) is refused
        stored = {self._identity(r): r for r in current.to_dict("records")}
        looks = {
            lookalike_key(str(sid)): (normalized(str(sid)), v)
            for sid, v in zip(current["sample_id"], current["version"], strict=True)
        }
        keep, skipped, conflicts = [], 0, []
        for pos, r in enumerate(rows.to_dict("records")):
            sample = normalized(str(r["sample_id"]))
            like = looks.get(lookalike_key(sample))
            if like is not None and like[0] != sample:
                conflicts.append(
                    f"line {r['source_line']}: sample_id {r['sample_id']!r} looks like the stored "
                    f"{like[0]!r} (version {like[1]}) but is typed differently (Cyrillic or Greek "
                    "letters?); type the stored id, or give a new sample a clearly different id"
                )
                continue
            old = stored.get(self._identity(r))
            if old is None:
                keep.append(pos)
                continue
            same = all(_same(old[c], r[c]) for c in self.kind.compare)
            if same:
                skipped += 1
            else:
                what = (
                    f"at {r['temperature_c']:g} °C"
                    if self.kind is CONDUCTIVITY
                    else "for " + " / ".join(str(r[c]) for c in self.kind.identity[1:] if r[c])
                )
                conflicts.append(
                    f"line {r['source_line']}: sample_id {r['sample_id']!r} {what} is stored "
                    f"(version {old['version']}) with other values; a correction needs a new "
                    "sample_id"
                )
        return rows.iloc[keep], skipped, conflicts

    def _identity(self, row: dict) -> tuple:
        """What names one measurement in this table, as compared: the normalised sample id and
        (conductivity) the temperature or (catalog) the catalog value measured."""
        return (
            normalized(str(row["sample_id"])),
            *(
                float(row[c]) if c in self.kind.numeric else normalized(str(row[c]))
                for c in self.kind.identity[1:]
            ),
        )


def _label(record: dict) -> str:
    return f"v{int(record['version']):04d}-{record['content_hash'][:12]}"


def _write_parquet(table: pd.DataFrame, own: dict, path: Path, kind: Kind = CONDUCTIVITY) -> None:
    """The table with its own record in the Parquet metadata (the index can be rebuilt from it)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = pa.Table.from_pandas(table, preserve_index=False)
    metadata = {**(arrow.schema.metadata or {}), kind.record_key: json.dumps(own).encode()}
    pq.write_table(arrow.replace_schema_metadata(metadata), path)


def _mtime(path: Path) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(path.stat().st_mtime))


def _file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _typed(table: pd.DataFrame, kind: Kind = CONDUCTIVITY) -> pd.DataFrame:
    """Numeric columns as floats (an all-empty column would otherwise round-trip as None)."""
    return table.assign(
        **{c: pd.to_numeric(table[c], errors="coerce").astype(float) for c in kind.numeric}
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


def measured_compositions(table: pd.DataFrame) -> pd.DataFrame:
    """The store's conductivities as suggest's known compositions (SuggestOptions.lab): formula,
    log10 σ, temperature and 'lab: <sample_id>' per stored row with a formula."""
    cols = ["composition", "log10_sigma", "temperature_c", "source"]
    if not len(table):
        return pd.DataFrame(columns=cols)
    rows = table[table["formula"].astype(str) != ""]
    return pd.DataFrame(
        {
            "composition": rows["formula"].astype(str).to_numpy(),
            "log10_sigma": np.log10(rows["sigma_s_per_cm"].to_numpy(float)),
            "temperature_c": rows["temperature_c"].to_numpy(float),
            "source": "lab: " + rows["sample_id"].astype(str).to_numpy(),
        },
        columns=cols,
    )


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
    store.inspect().check()  # a store that is a file, or damaged, is refused before the input is read
    data = read_input(path)
    if is_catalog_file(data):  # measured catalog quantities: the store's catalog table
        store = store.catalog
        store.inspect().check()
        parsed = read_catalog_measurements(path, catalog, data)
    else:
        parsed = read_measurements(path, catalog, data)
    if parsed.errors and not skip_bad_rows:
        shown = parsed.errors[:50]
        more = f"; ... {len(parsed.errors) - 50} more" if len(parsed.errors) > 50 else ""
        raise MeasurementError(
            f"{len(parsed.errors)} problem(s), nothing ingested (fix them, or --skip-bad-rows): "
            + " | ".join(shown)
            + more
        )
    if len(parsed.rows):
        result = store.ingest(parsed.rows, os.path.abspath(path), parsed.sha256)
    else:
        result = {"version": store.version_label(), "added": 0, "skipped": 0, "repairs": []}
    return {
        **result,
        "errors": parsed.errors,
        "lines": parsed.lines,
        "sha256": parsed.sha256,
        "notes": parsed.notes,
        "kind": store.kind.name,
        "store": str(store.root),
    }
