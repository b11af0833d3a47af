"""Public names imported on first use: a program imports only the d2lref modules it uses.

``from d2lref import torch as d2l`` then costs almost nothing, and ``d2l.train_ch6`` imports
the training loops (and what they need) when it is first looked up. Besides a faster start,
this lets the book's runner record which modules a page really used, so that an edit of
one module marks only the pages that used it as needing a re-run.

The names a package exports are the ones its ``if TYPE_CHECKING:`` block imports (type
checkers and editors read them there); they are read from the package's source, so the
list lives in one place.
"""

from __future__ import annotations

import ast
import importlib
import sys
import types
from pathlib import Path
from typing import Any


def _type_checking_block(tree: ast.Module) -> list[ast.stmt]:
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) \
                and node.test.id == "TYPE_CHECKING":
            return node.body
    return []


def static_all(module_file: Path) -> list[str]:
    """The names a module's ``__all__`` lists, read from its source without importing it
    (``__all__ = [...]``, ``__all__: list[str] = [...]`` and ``__all__ += [...]``)."""
    names: list[str] = []
    value: ast.expr | None
    for node in ast.parse(module_file.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets, value = [node.target], node.value
        else:
            continue
        if isinstance(value, ast.List) and any(
                isinstance(target, ast.Name) and target.id == "__all__" for target in targets):
            names += [ast.literal_eval(item) for item in value.elts]
    return names


def exports_of(package_file: str) -> dict[str, str]:
    """Each name the package's ``if TYPE_CHECKING:`` block imports, and its module.

    ``from d2lref.x import *`` there stands for every name of ``d2lref.x``'s ``__all__``;
    a name two modules export belongs to the first one.
    """
    source = Path(package_file)
    exports: dict[str, str] = {}
    for node in _type_checking_block(ast.parse(source.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.ImportFrom) or node.module is None:
            continue
        for alias in node.names:
            if alias.name == "*":
                module_file = _module_file(node.module)
                for name in static_all(module_file):
                    exports.setdefault(name, node.module)
            else:
                exports.setdefault(alias.asname or alias.name, node.module)
    return exports


def _module_file(module: str) -> Path:
    root = Path(__file__).resolve().parent.parent
    path = root.joinpath(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


class LazyPackage(types.ModuleType):
    """A module whose exported names are imported from their modules on first use."""

    def __getattr__(self, name: str) -> Any:
        exports = self.__dict__.get("_lazy_exports", {})
        if name not in exports:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(exports[name]), name)
        super().__setattr__(name, value)  # the next lookup finds it directly
        return value

    def __dir__(self) -> list[str]:
        return sorted(set(self.__dict__) | set(self.__dict__.get("_lazy_exports", {})))

    def __setattr__(self, name: str, value: Any) -> None:
        # Importing a submodule binds it to its package: an exported name the submodule
        # shares keeps meaning the export (``d2lref.models.alexnet`` is the function, as
        # with ``from d2lref.models.alexnet import alexnet`` in an eager ``__init__``).
        exports = self.__dict__.get("_lazy_exports", {})
        if isinstance(value, types.ModuleType) and name in exports \
                and value.__name__ == f"{self.__name__}.{name}":
            return
        super().__setattr__(name, value)


def lazy_package(name: str, source_file: str) -> None:
    """Make module ``name`` (its source is ``source_file``) load its exports on first use."""
    module = sys.modules[name]
    module.__dict__["_lazy_exports"] = exports_of(source_file)
    module.__class__ = LazyPackage
