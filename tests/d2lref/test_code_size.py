"""d2lref stays readable: no module over 400 lines, no function over 60 lines.

Readers unfold d2lref's functions on the pages; a 120-line function is not something a reader
follows. Counts include docstrings and comments (what the reader sees).
"""

from __future__ import annotations

import ast
import pathlib

import d2lref

PACKAGE = pathlib.Path(d2lref.__file__).parent
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def long_functions(source: str, filename: str) -> list[str]:
    """``file:line name: N lines`` for each function (or method) over the limit."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            length = node.end_lineno - first + 1
            if length > MAX_FUNCTION_LINES:
                found.append(f"{filename}:{first} {node.name}: {length} lines")
    return found


def long_modules(files: list[pathlib.Path]) -> list[str]:
    """``file: N lines`` for each file over the limit."""
    sizes = {file: len(file.read_text("utf-8").splitlines()) for file in files}
    return [f"{file}: {size} lines" for file, size in sizes.items() if size > MAX_MODULE_LINES]


def _modules() -> list[pathlib.Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_no_module_over_400_lines():
    assert len(_modules()) >= 30
    assert long_modules(_modules()) == []


def test_no_function_over_60_lines():
    problems = [problem for file in _modules()
                for problem in long_functions(file.read_text("utf-8"),
                                              str(file.relative_to(PACKAGE.parent)))]
    assert problems == []


def test_the_size_checks_can_fail(tmp_path: pathlib.Path):
    body = "\n".join(f"    x{i} = {i}" for i in range(60))
    source = f"@staticmethod\ndef long():\n{body}\n\n\ndef short():\n    return 1\n"
    assert long_functions(source, "m.py") == ["m.py:1 long: 62 lines"]
    big = tmp_path / "big.py"
    big.write_text("x = 1\n" * 401)
    small = tmp_path / "small.py"
    small.write_text("x = 1\n" * 400)
    assert long_modules([big, small]) == [f"{big}: 401 lines"]
