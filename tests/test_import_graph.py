"""The module graph of objectives, surrogates and pipeline has no cycle, and imports point one way.

Every import counts: module level, inside functions, and under `if TYPE_CHECKING:`. A function-local
import only hides a cycle from the interpreter; the two modules still need each other, so the shared
piece belongs in a module both can import.
"""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("objectives", "surrogates", "pipeline")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in PACKAGES
        for path in sorted((REPO / package).rglob("*.py"))
    }


def imported_names(module: str, path: Path) -> set[str]:
    """Every dotted name `module` imports, absolute; `from a import b` gives both `a` and `a.b`."""
    is_package = path.name == "__init__.py"
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                # a relative import is resolved against the importing module's package
                base = module.split(".")
                drop = node.level - 1 if is_package else node.level
                base = base[: len(base) - drop] if drop else base
                prefix = ".".join(base)
                origin = f"{prefix}.{node.module}" if node.module else prefix
            else:
                origin = node.module or ""
            names.add(origin)
            names.update(f"{origin}.{alias.name}" for alias in node.names)
    return names


def import_graph() -> dict[str, set[str]]:
    """Edges between the project's own modules; a name that is not one of them is left out.

    `from pipeline.study import registry` points at the module `pipeline.study.registry`; an import
    of a name defined in a package's `__init__` points at the package.
    """
    modules = package_modules()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets = set()
        for name in imported_names(module, path):
            # the longest prefix of the name that is one of our modules
            parts = name.split(".")
            for end in range(len(parts), 0, -1):
                candidate = ".".join(parts[:end])
                if candidate in modules:
                    targets.add(candidate)
                    break
        targets.discard(module)
        graph[module] = targets
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as [a, b, ..., a], or None (iterative DFS, white/grey/black)."""
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(graph, white)
    for root in sorted(graph):
        if colour[root] != white:
            continue
        stack: list[tuple[str, list[str]]] = [(root, sorted(graph[root]))]
        colour[root] = grey
        while stack:
            node, pending = stack[-1]
            if not pending:
                colour[node] = black
                stack.pop()
                continue
            nxt = pending.pop(0)
            if colour[nxt] == grey:
                path = [entry[0] for entry in stack]
                return [*path[path.index(nxt) :], nxt]
            if colour[nxt] == white:
                colour[nxt] = grey
                stack.append((nxt, sorted(graph[nxt])))
    return None


def test_every_kind_of_import_is_seen(tmp_path):
    source = tmp_path / "space.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "from . import compositions\n"
        "from ..files import write_all\n"
        "if TYPE_CHECKING:\n"
        "    from pipeline.study.config import StudyConfig\n"
        "def f():\n"
        "    import pipeline.study.registry as registry\n",
        encoding="utf-8",
    )
    names = imported_names("pipeline.study.space", source)
    assert {
        "pipeline.study.compositions",
        "pipeline.files.write_all",
        "pipeline.study.config",
        "pipeline.study.registry",
    } <= names
    graph = import_graph()
    assert {"pipeline.study.registry", "pipeline.reporting.compare", "surrogates.model"} <= set(
        graph
    )
    assert "pipeline.study.config" in graph["pipeline.study.space"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_two_modules_import_each_other():
    graph = import_graph()
    pairs = sorted(
        (a, b)
        for a, targets in graph.items()
        for b in targets
        if a < b and a in graph.get(b, set())
    )
    assert not pairs, f"modules that import each other: {pairs}"


def test_module_graph_has_no_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


@pytest.mark.parametrize("package", ["objectives", "surrogates"])
def test_lower_layers_never_import_pipeline(package):
    graph = import_graph()
    offenders = sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        if module.split(".")[0] == package
        for target in targets
        if target.split(".")[0] == "pipeline"
    )
    assert not offenders, offenders


def test_objectives_never_import_surrogates():
    graph = import_graph()
    offenders = sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        if module.startswith("objectives")
        for target in targets
        if target.startswith("surrogates")
    )
    assert not offenders, offenders
