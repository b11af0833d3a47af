"""The library part of a cell's key: the code of the d2lref modules a run imported.

A run records the d2lref modules its kernel had imported when the snippet ended
(``library_modules`` in the store). Each module counts by its code only: the digest of its
syntax tree with docstrings removed (comments, blank lines and line wraps are not in the
tree), so editing a docstring or a comment, or re-wrapping a line, leaves every output
fresh, and a code change marks only the pages whose runs imported that module.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from book.paths import LIBRARY_DIR

PACKAGE = "d2lref"
# The digest of a module a run imported that no longer exists (renamed or deleted).
ABSENT = "absent"
# How many hex digits of each module's digest a run records (for status messages only;
# keys use the whole digest).
RECORDED_DIGITS = 16


def _without_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
    return tree


@lru_cache(maxsize=512)
def _code_digest_cached(path: str, mtime_ns: int, size: int) -> str:
    source = Path(path).read_bytes()
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError:  # a broken module still gets a digest: its runs fail anyway
        return hashlib.sha256(source).hexdigest()
    dump = ast.dump(_without_docstrings(tree), include_attributes=False)
    return hashlib.sha256(dump.encode()).hexdigest()


def code_digest(path: Path) -> str:
    """Digest of a Python file's code: its syntax tree without docstrings."""
    stat = path.stat()
    return _code_digest_cached(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


def module_file(name: str, package_dir: Path = LIBRARY_DIR) -> Path | None:
    """The file of module ``name`` (``d2lref.x.y``) in ``package_dir``, or None."""
    parts = name.split(".")
    if parts[0] != PACKAGE:
        return None
    base = package_dir.joinpath(*parts[1:])
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def module_digests(package_dir: Path = LIBRARY_DIR) -> dict[str, str]:
    """The code digest of every module of the package, by module name."""
    digests = {}
    for path in sorted(package_dir.rglob("*.py")):
        rel = path.relative_to(package_dir).with_suffix("")
        if "__pycache__" in rel.parts:
            continue
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        digests[".".join((PACKAGE, *parts))] = code_digest(path)
    return digests


def modules_digest(names: Iterable[str], digests: dict[str, str]) -> str:
    """The library part of a key: the named modules with their code digests."""
    digest = hashlib.sha256()
    for name in sorted(set(names)):
        digest.update(f"{name} {digests.get(name, ABSENT)}\0".encode())
    return digest.hexdigest()


def library_hash(package_dir: Path = LIBRARY_DIR) -> str:
    """The whole library's code: the library part of the key of a run that recorded no
    module list (written by an older runner)."""
    digests = module_digests(package_dir)
    return modules_digest(digests, digests)


def imported_modules_record(names: Iterable[str], digests: dict[str, str]) -> dict[str, str]:
    """What a run stores: each d2lref module it imported and (the start of) its digest."""
    return {name: digests.get(name, ABSENT)[:RECORDED_DIGITS]
            for name in sorted(set(names)) if name == PACKAGE or name.startswith(PACKAGE + ".")}
