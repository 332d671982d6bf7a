"""The one-way import rule: objectives and surrogates know nothing of pipeline; objectives is pure physics."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def imported_modules(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (REPO / package).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(REPO))] = names
    return found


@pytest.mark.parametrize("package", ["objectives", "surrogates"])
def test_lower_layers_do_not_import_pipeline(package):
    for path, names in imported_modules(package).items():
        assert "pipeline" not in names, path


def test_objectives_are_pure_numpy_physics():
    allowed = {"numpy", "scipy", "objectives", "typing", "__future__", "math", "collections"}
    for path, names in imported_modules("objectives").items():
        assert names <= allowed, f"{path} imports {sorted(names - allowed)}"


def test_top_level_layout():
    for name in (
        "pyproject.toml",
        "Makefile",
        "README.md",
        ".ci/run",
        "pipeline",
        "surrogates",
        "objectives",
        "configs",
        "tests",
    ):
        assert (REPO / name).exists(), name
