"""The catalog a study reads, with its `catalog_measurements` applied: the one place where a
study's catalog meets a lab's measurements of catalog values (a CSV file, read as strictly as
`ssemo ingest` reads it, or a measurement store folder). It composes pipeline.campaign.store's
reader with pipeline.study.catalog_measurements' rule, so it sits above both (imports point one
way: tests/test_import_graph.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.campaign.store import (
    MeasurementError,
    read_catalog_measurements,
    read_store_measurements,
)
from pipeline.errors import CatalogError
from pipeline.study.catalog import Catalog, load_catalog
from pipeline.study.catalog_measurements import (
    COLUMNS,
    Applied,
    check_measurements,
    measured_catalog,
    raise_problems,
)


def study_catalog_measured(config) -> tuple[Catalog, Applied | None, list[str]]:
    """The catalog a study reads: its catalog folder's, updated by its catalog_measurements (a CSV
    file, or a measurement store folder that `ssemo ingest` filled), what they changed, and one
    line per changed value. Every command that reads a study's catalog (run, suggest, evaluate,
    stacks, validate-config, catalog) goes through it, so none of them ignores the measurements."""
    catalog = load_catalog(config.catalog_dir())
    if not config.catalog_measurements:
        return catalog, None, []
    path = config.resolve_path(config.catalog_measurements)
    if path.is_dir():  # a measurement store (`ssemo ingest` of catalog quantities)
        found = read_store_measurements(path, catalog)
    else:
        found = file_measurements(path, catalog)
    updated, applied = measured_catalog(catalog, *found)
    notes = [f"ingested catalog measurement ({path.name}): {line}" for line in applied.lines]
    return updated, applied, notes


def file_measurements(path: str | Path, catalog: Catalog) -> tuple[pd.DataFrame, str, str]:
    """A CSV file's measurements (read_measurements), where they came from and the file's
    version (the first 12 hex digits of its SHA-256)."""
    path = Path(path)
    measurements, sha256 = _read_checked(path, catalog)
    return measurements, f"file {path}", sha256[:12]  # of the bytes parsed, read once


def read_measurements(path: str | Path, catalog: Catalog) -> pd.DataFrame:
    """The measurements of a CSV file with the evidence row each one measures (_read_checked)."""
    return _read_checked(Path(path), catalog)[0]


def _read_checked(path: Path, catalog: Catalog) -> tuple[pd.DataFrame, str]:
    """The measurements of a CSV file with the evidence row each one measures (`evidence_row`).
    The file is read and checked by the reader `ssemo ingest` uses
    (pipeline.campaign.store.read_catalog_measurements: size, encoding, header, duplicate and
    unknown columns, cells normalised, look-alike or empty sample ids, then check_measurements),
    so a study and ingest accept the same files, and the SHA-256 of the bytes it parsed.
    CatalogError, one line per bad cell (file, line, column), for anything else. (A measurement
    store folder is read by pipeline.campaign.store.read_store_measurements, with the same
    check_measurements.)"""
    if path.is_dir():
        raise CatalogError(
            f"{path}: a folder, not a CSV file (catalog_measurements; a measurement store is "
            "read by the study that names it)"
        )
    if not path.exists():
        raise CatalogError(
            f"{path}: no such file or folder (catalog_measurements: a CSV file, or a "
            "measurement store folder)"
        )
    try:
        parsed = read_catalog_measurements(path, catalog)
    except MeasurementError as exc:
        raise CatalogError(
            f"{exc} (catalog_measurements: expected a header {','.join(COLUMNS)} and one row per "
            "measurement)"
        ) from None
    raise_problems(parsed.errors)
    cells = parsed.rows.drop(columns="source_line").astype(str)
    places = [f"{path}, line {n}" for n in parsed.rows["source_line"]]
    rows, problems = check_measurements(cells, catalog, path, places)
    raise_problems(problems)
    rows = rows.assign(line=parsed.rows["source_line"].to_numpy()) if len(rows) else rows
    return rows, parsed.sha256
