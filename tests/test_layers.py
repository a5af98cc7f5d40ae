"""The layers stay apart: core, reading, exports (and cli) never load Qt or the app, and each imports
only the layers below it. Every module of those packages is looked at, subpackages included."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
QT_FREE = ("core", "reading", "exports", "cli")  # cli joins when its folder exists
# What each layer must not import (a name or a dotted prefix of one), inside functions too.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "core": ("reading", "exports", "cli", "ui", "PySide6"),
    "reading": ("exports", "cli", "ui", "PySide6"),
    # Exporters take a report and write a file: no readers, no database.
    "exports": ("reading", "cli", "ui", "PySide6", "core.storage", "sqlite_utils"),
    "cli": ("ui", "PySide6"),
}


def _packages() -> list[str]:
    return [name for name in QT_FREE if (ROOT / name / "__init__.py").is_file()]


def _modules(package: str) -> list[tuple[str, Path]]:
    """(dotted name, file) of every module of the package, subpackages included."""
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found.append((".".join(parts), path))
    return found


def _imported_names(name: str, path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in the file: at the top, in functions, under TYPE_CHECKING,
    relative ones made absolute, and importlib.import_module/__import__ of a literal name."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            # `from core import storage` imports core.storage
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names if alias.name != "*"]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if called in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                found.append((node.lineno, node.args[0].value))
    return found


def _hits(module: str, prefixes: tuple[str, ...]) -> list[str]:
    return [p for p in prefixes if module == p or module.startswith(p + ".")]


def test_every_module_is_found() -> None:
    modules = {name for package in _packages() for name, _ in _modules(package)}
    expected = {"core", "core.report", "core.storage", "reading", "reading.pdf_reader", "exports", "exports.fonts"}
    assert expected <= modules
    assert len(modules) >= 25


@pytest.mark.parametrize("package", _packages())
def test_importing_every_module_loads_no_qt_and_no_ui(package: str) -> None:
    """Each module imported in turn in a fresh interpreter; the first that brings in PySide6 or ui is named."""
    names = [name for name, _ in _modules(package)]
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "    bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'ui'))\n"
        "    if bad:\n"
        "        sys.exit(f'importing {name} loaded {bad[:5]}')\n"
        "print(len(sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr or result.stdout


@pytest.mark.parametrize("package", _packages())
def test_imports_follow_the_layers(package: str) -> None:
    wrong = []
    for name, path in _modules(package):
        for line, module in _imported_names(name, path):
            for hit in _hits(module, FORBIDDEN[package]):
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module} ({package} must not import {hit})")
    assert wrong == []


def test_the_import_walk_sees_imports_inside_functions_and_relative_ones(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text(
        "import os\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from ui.grid import X\n"
        "def f():\n"
        "    from PySide6.QtCore import Qt\n"
        "    import importlib\n"
        "    importlib.import_module('reading.formats')\n"
        "    from . import storage\n"
        "    from ..exports import layout\n",
        encoding="utf-8",
    )
    names = {module for _, module in _imported_names("core.sub.mod", source)}
    assert {"os", "ui.grid", "PySide6.QtCore", "reading.formats", "core.sub.storage", "core.exports.layout"} <= names
    assert _hits("core.storage", FORBIDDEN["exports"]) == ["core.storage"]
    assert _hits("core.storage_extra", FORBIDDEN["exports"]) == []
    assert _hits("uikit", FORBIDDEN["core"]) == []


# Inside reading, the assembly of a report from what a reader extracted is layered as well: each
# module imports only modules of the levels before its own, and none imports a reader (the readers,
# formats and batch sit beside, above document).
READING_LEVELS: tuple[tuple[str, ...], ...] = (
    ("reading.document",),
    ("reading.labels",),
    ("reading.tables", "reading.structure"),
    ("reading.state",),
    ("reading.section2", "reading.section3", "reading.section4", "reading.prose"),
    ("reading.assembly",),
)
READING_BESIDE = (
    "reading.docx_reader",
    "reading.pdf_reader",
    "reading.html_reader",
    "reading.legacy_word",
    "reading.pdf_rules",
    "reading.limits",
    "reading.formats",
    "reading.batch",
    "reading.season_import",
)


def _reading_level(module: str) -> int | None:
    return next((k for k, level in enumerate(READING_LEVELS) if module in level), None)


def test_reading_assembly_modules_import_only_the_levels_below() -> None:
    files = dict(_modules("reading"))
    wrong = []
    for level, names in enumerate(READING_LEVELS):
        for name in names:
            path = files[name]
            for line, module in _imported_names(name, path):
                below = _reading_level(module)
                if below is not None and below >= level:
                    wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module}, not of a level below")
                if _hits(module, READING_BESIDE):
                    wrong.append(f"{path.relative_to(ROOT)}:{line} imports the reader {module}")
    assert wrong == []


def test_the_reading_levels_name_modules_that_exist() -> None:
    files = dict(_modules("reading"))
    assert [n for level in READING_LEVELS for n in level if n not in files] == []
    assert [n for n in READING_BESIDE if n not in files] == []
