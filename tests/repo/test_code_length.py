"""Short modules and short functions in both packages: no module of ``d2lref/`` or ``book/``
over 400 lines, no function or method over 60 lines (from its ``def`` line to its last)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.paths import REPO_DIR

PACKAGES = ("d2lref", "book")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60

def too_long(source: str, relpath: str) -> list[str]:
    """The module itself (``relpath``) and its functions (``relpath::name``) over the limits,
    each with its length."""
    found = []
    lines = len(source.splitlines())
    if lines > MAX_MODULE_LINES:
        found.append(f"{relpath} ({lines} lines)")
    for node in ast.walk(ast.parse(source, filename=relpath)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found.append(f"{relpath}::{node.name} ({length} lines)")
    return found


def package_modules() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (REPO_DIR / package).rglob("*.py"))


def long_code() -> list[str]:
    found = []
    for path in package_modules():
        relpath = path.relative_to(REPO_DIR).as_posix()
        found += too_long(path.read_text(encoding="utf-8"), relpath)
    return found


def test_the_measure_counts_module_and_function_lines():
    def function(name: str, body_lines: int) -> str:
        return f"def {name}():\n" + "    x = 1\n" * (body_lines - 1)

    source = function("fits", MAX_FUNCTION_LINES) + function("long", MAX_FUNCTION_LINES + 1)
    assert too_long(source, "m.py") == [f"m.py::long ({MAX_FUNCTION_LINES + 1} lines)"]
    method = "class C:\n" + "".join("    " + line + "\n"
                                    for line in function("f", 61).splitlines())
    assert too_long(method, "c.py") == ["c.py::f (61 lines)"]
    module = "x = 1\n" * (MAX_MODULE_LINES + 1)
    assert too_long(module, "big.py") == [f"big.py ({MAX_MODULE_LINES + 1} lines)"]
    assert too_long("x = 1\n" * MAX_MODULE_LINES, "ok.py") == []


def test_no_long_modules_or_functions():
    found = long_code()
    assert not found, (
        f"over {MAX_MODULE_LINES} lines per module or {MAX_FUNCTION_LINES} per function: "
        + ", ".join(found) + ". Split the module by concept or the function into named steps."
    )
