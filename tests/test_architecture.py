"""The package layering: ``autograd`` at the bottom, ``layers`` and ``viz`` each on
``autograd`` alone, and the ``gradgate`` application the only package that imports both.

Every ``import`` statement of every module counts, at module level or inside a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("autograd", "layers", "viz", "gradgate")
ALLOWED = {
    "autograd": set(),
    "layers": {"autograd"},
    "viz": {"autograd"},
    "gradgate": {"autograd", "layers", "viz"},
}


def imported_packages(source: str) -> set[str]:
    """The top-level names of everything ``source`` imports with an absolute import."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Which of the project's packages each package imports (itself left out)."""
    graph = {}
    for package in PACKAGES:
        found: set[str] = set()
        for path in (root / package).rglob("*.py"):
            found |= imported_packages(path.read_text(encoding="utf-8"))
        graph[package] = (found & set(PACKAGES)) - {package}
    return graph


def test_imported_packages_sees_function_level_and_from_imports() -> None:
    source = "import numpy as np\nfrom viz.draw import draw\ndef f():\n    import layers\n"
    assert imported_packages(source) == {"numpy", "viz", "layers"}


def test_each_package_imports_only_the_packages_below_it() -> None:
    assert import_graph() == ALLOWED


def test_viz_has_no_command_line() -> None:
    assert not (ROOT / "viz" / "cli").exists()
    assert (ROOT / "gradgate" / "__main__.py").is_file()
