"""The Python packages' layers (docs/architecture.md): imports point down only, no circles.

Top to bottom: the CLI, the benchmark, then build / readers / synth (siblings that never import
one another), the source loaders, and the core (errors, warehouse, snapshot, project). Every
import counts, also those inside functions and under ``TYPE_CHECKING``: a circle hidden from
the interpreter is still a circle for the reader.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

# Top to bottom. Modules of one tuple are independent siblings.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("graphlets.cli", "graphlets"),
    ("graphlets.bench", "graphlets.refresh"),
    ("graphlets.build", "graphlets.readers", "graphlets.synth"),
    ("loaders",),
    ("graphlets.core",),
)
PACKAGES = ("graphlets", "loaders")


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(root: Path, packages: tuple[str, ...] = PACKAGES) -> dict[str, set[str]]:
    """Module -> the project modules it imports (every import statement in the file)."""
    # Per module, each import as the alternatives it may name: `from pkg import x` is the
    # module pkg.x where that exists, else the name x of pkg.
    raw: dict[str, list[tuple[str, ...]]] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            if "dbt_project" in path.parts:
                continue
            name = module_name(root, path)
            is_package = path.name == "__init__.py"
            wanted: list[tuple[str, ...]] = []
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    wanted += [(alias.name,) for alias in node.names]
                elif isinstance(node, ast.ImportFrom):
                    base = _absolute(name, is_package, node)
                    wanted += [(f"{base}.{alias.name}", base) for alias in node.names]
            raw[name] = wanted
    graph: dict[str, set[str]] = {}
    for module, wanted in raw.items():
        targets = {next((m for m in options if m in raw), "") for options in wanted}
        graph[module] = targets - {"", module}
    return graph


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def layer_of(module: str) -> tuple[int, str]:
    """(layer index, the sibling group's name) of the most specific prefix that matches."""
    best: tuple[int, str, int] | None = None
    for index, group in enumerate(LAYERS):
        for prefix in group:
            if (module == prefix or module.startswith(prefix + ".")) and (
                best is None or len(prefix) > best[2]
            ):
                best = (index, prefix, len(prefix))
    assert best is not None, f"{module} belongs to no layer: add it to LAYERS"
    return best[0], best[1]


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    bad = []
    for module, targets in sorted(graph.items()):
        here, group = layer_of(module)
        for target in sorted(targets):
            there, other = layer_of(target)
            if there < here:
                bad.append(f"{module} imports {target} (a higher layer)")
            elif there == here and group != other:
                bad.append(f"{module} imports {target} (a sibling layer)")
    return bad


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_packages_import_only_downward_and_never_in_a_circle() -> None:
    graph = imports(REPO)
    assert "graphlets.cli" in graph and "loaders.mlmd" in graph
    assert layer_violations(graph) == []
    assert circles(graph) == []


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        # The core reaching up into a reader.
        (
            {
                "graphlets/core/warehouse.py": "from graphlets.readers import query\n",
                "graphlets/readers/query.py": "",
            },
            "graphlets.core.warehouse imports graphlets.readers.query (a higher layer)",
        ),
        # A loader using the CLI, inside a function.
        (
            {
                "loaders/mlmd/load.py": "def f():\n    import graphlets.cli\n",
                "graphlets/cli.py": "",
            },
            "loaders.mlmd.load imports graphlets.cli (a higher layer)",
        ),
        # A reader using the generator: siblings stay apart.
        (
            {
                "graphlets/readers/report.py": "from graphlets.synth.generate import generate\n",
                "graphlets/synth/generate.py": "",
            },
            "graphlets.readers.report imports graphlets.synth.generate (a sibling layer)",
        ),
    ],
)
def test_an_upward_or_sideways_import_is_found(
    tmp_path: Path, files: dict[str, str], expected: str
) -> None:
    assert layer_violations(imports(_tree(tmp_path, files))) == [expected]


def test_a_circle_is_found_even_under_type_checking(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "loaders/mlmd/__init__.py": "",
            "loaders/mlmd/load.py": "from loaders.mlmd import quarantine\n",
            "loaders/mlmd/quarantine.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .load import Table\n"
            ),
        },
    )
    graph = imports(root)
    assert layer_violations(graph) == []
    assert circles(graph) == [["loaders.mlmd.load", "loaders.mlmd.quarantine"]]
