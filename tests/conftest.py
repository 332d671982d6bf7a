"""Shared fixtures: the shipped default config and catalog, and a writable copy of them."""

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CONFIGS = REPO / "configs"


@pytest.fixture(scope="session")
def default_config():
    from pipeline.study.config import load_config

    return load_config(CONFIGS / "default.yaml")


@pytest.fixture(scope="session")
def catalog(default_config):
    from pipeline.study.catalog import load_catalog

    return load_catalog(default_config.catalog_dir())


@pytest.fixture
def catalog_copy(tmp_path):
    """A writable copy of the shipped catalog folder."""
    target = tmp_path / "catalog"
    shutil.copytree(CONFIGS / "catalog", target)
    return target


def shared_data_dir() -> Path:
    """../shared/data (or $SSEMO_SHARED_DATA). Absent: skip on a user's clone, fail under CI=true."""
    import os

    root = Path(os.environ.get("SSEMO_SHARED_DATA") or REPO.parent / "shared" / "data")
    if not (root / "obelix").is_dir():
        message = f"shared literature datasets not found at {root} (set SSEMO_SHARED_DATA)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + "; CI must not skip these tests")
        pytest.skip(message)
    return root


@pytest.fixture(scope="session")
def shared_data():
    return shared_data_dir()


# Charging at C/20: at the default C/10 only the garnet with the LiI/ZnLix interlayer passes the
# flaw-penetration criterion (objectives/shorts.py, a CCD read as a median failure current), one
# option in 132 that the few hundred evaluations of a mechanics test need not find. Tests of the
# run machinery (artifacts, tracking, jobs, reports) that need a non-empty front set it; tests of
# the physics use the default.
FEASIBLE_AT_SMALL_BUDGET = ["cell.charge_c_rate_per_h=0.05"]
