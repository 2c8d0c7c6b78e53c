"""The layers stay apart: only the ``wikisync.cli`` package talks to the terminal (click)."""

from __future__ import annotations

import ast
from pathlib import Path

import wikisync

PACKAGE = Path(wikisync.__file__).parent


def imported_modules(source: str) -> set[str]:
    """The top-level names of every module a Python source imports, wherever the import is."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_imported_modules_sees_imports_inside_functions():
    source = "import os.path\ndef f():\n    from click import echo\n    import yaml as y\n"
    assert imported_modules(source) == {"os", "click", "yaml"}


def test_no_core_module_imports_click():
    core = [p for p in sorted(PACKAGE.rglob("*.py")) if "cli" not in p.relative_to(PACKAGE).parts]
    assert PACKAGE / "create.py" in core and PACKAGE / "exchange.py" in core
    offenders = [str(p.relative_to(PACKAGE)) for p in core
                 if "click" in imported_modules(p.read_text(encoding="utf-8"))]
    assert offenders == []
