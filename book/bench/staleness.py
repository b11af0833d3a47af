"""How many stored cells a d2lref edit would make stale: ``python -m book.bench.staleness``.

Each run records the d2lref modules it imported; a cell is stale when the code of one of
them changes. This script edits a copy of d2lref three ways (every docstring reworded and a
comment added to every module; a line of code added to ``d2lref/viz/layers.py``; a line of
code added to ``d2lref/training/loops.py``) and counts, for the runs in a store folder, the
cells and pages whose key each edit changes. Before runs recorded their modules, every one of
these edits made every cell stale.

    python -m book.bench.staleness [--store DIR] [--mode quick|full]

DIR holds the stores (default: beside the snippets); runs without a module list (an older
runner) are reported and left out.
"""

from __future__ import annotations

import argparse
import ast
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from book.cells import find_snippets, load_snippet
from book.paths import LIBRARY_DIR, SNIPPETS_DIR
from book.store.files import read_store, store_path
from book.store.library import module_digests, modules_digest


def reword_docstrings(package: Path) -> int:
    """Reword every docstring and add a comment to every module of ``package``; the count
    of docstrings changed."""
    edits = 0
    for path in sorted(package.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        for node in ast.walk(ast.parse("".join(lines))):
            body = getattr(node, "body", None)
            if not (isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef) and body
                    and isinstance(body[0], ast.Expr)
                    and isinstance(body[0].value, ast.Constant)
                    and isinstance(body[0].value.value, str)):
                continue
            row = body[0].lineno - 1
            quote = next(q for q in ('"""', "'''", '"', "'") if q in lines[row])
            lines[row] = lines[row].replace(quote, quote + "Reworded. ", 1)
            edits += 1
        path.write_text("# A new comment.\n" + "".join(lines) + "\n# The end.\n",
                        encoding="utf-8")
    return edits


def append_code(package: Path, relpath: str) -> None:
    """Add a line of code at the end of module ``relpath`` of ``package``."""
    path = package / relpath
    path.write_text(path.read_text(encoding="utf-8") + "\n_EDITED_CODE = 1\n",
                    encoding="utf-8")


EDITS: dict[str, Callable[[Path], object]] = {
    "every docstring and comment": reword_docstrings,
    "code in d2lref/viz/layers.py": lambda package: append_code(package, "viz/layers.py"),
    "code in d2lref/training/loops.py": lambda package: append_code(package,
                                                                    "training/loops.py"),
}


def recorded_runs(store_dir: Path, mode: str) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The runs of ``mode`` that recorded their modules, by snippet; the snippets without."""
    runs, older = {}, []
    for path in find_snippets(SNIPPETS_DIR, None):
        relpath = load_snippet(path, SNIPPETS_DIR).relpath
        run = read_store(store_path(store_dir, relpath))["runs"].get(mode)
        if run is None:
            continue
        if "library_modules" in run:
            runs[relpath] = run
        else:
            older.append(relpath)
    return runs, older


def staled(runs: dict[str, dict[str, Any]], edit: Callable[[Path], object]) -> list[str]:
    """The snippets whose runs' library part ``edit`` (of a copy of d2lref) changes."""
    with tempfile.TemporaryDirectory() as tmp:
        package = Path(tmp) / "d2lref"
        shutil.copytree(LIBRARY_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
        before = module_digests(package)
        edit(package)
        after = module_digests(package)
    return [relpath for relpath, run in runs.items()
            if modules_digest(run["library_modules"], before)
            != modules_digest(run["library_modules"], after)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m book.bench.staleness",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, default=SNIPPETS_DIR)
    parser.add_argument("--mode", choices=["quick", "full"], default="quick")
    args = parser.parse_args(argv)
    runs, older = recorded_runs(args.store, args.mode)
    cells = {relpath: len(run["cells"]) for relpath, run in runs.items()}
    print(f"{len(runs)} snippets with {sum(cells.values())} cells in {args.mode} runs that "
          f"recorded their modules ({len(older)} runs of an older runner left out)")
    for name, edit in EDITS.items():
        pages = staled(runs, edit)
        print(f"{name:36s} stales {sum(cells[p] for p in pages):4d} cells in {len(pages):2d} "
              f"pages{': ' + ', '.join(pages) if 0 < len(pages) <= 12 else ''}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
