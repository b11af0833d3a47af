"""The facade and the subpackages import a module when one of its names is first used, so
a run records only the modules it really used (the book's keys depend on them)."""

from __future__ import annotations

import importlib

import pytest

from d2lref._lazy import exports_of, static_all
from tests.d2lref.imports import imported_after

PACKAGES = ("d2lref.data", "d2lref.training", "d2lref.models", "d2lref.ops", "d2lref.viz")


def test_the_facade_imports_nothing_until_a_name_is_used():
    assert imported_after("from d2lref import torch as d2l") == [
        "d2lref", "d2lref._lazy", "d2lref.torch"]
    used = set(imported_after("from d2lref import torch as d2l\nd2l.corr2d"))
    assert {"d2lref.ops", "d2lref.ops.conv"} <= used
    assert not used & {"d2lref.viz", "d2lref.training", "d2lref.plotting", "d2lref.data"}


def test_a_training_page_imports_the_loops_but_not_the_diagrams():
    used = set(imported_after("from d2lref import torch as d2l\nd2l.train_ch6\nd2l.Accumulator"))
    assert {"d2lref.training.loops", "d2lref.training.metrics", "d2lref.plotting"} <= used
    assert not any(name.startswith("d2lref.viz") for name in used)
    assert "d2lref.training.house_prices" not in used


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_exports_what_its_all_lists(package):
    module = importlib.import_module(package)
    exports = exports_of(module.__file__)
    assert sorted(exports) == sorted(module.__all__)
    for name, owner in exports.items():
        assert getattr(module, name) is getattr(importlib.import_module(owner), name)
    assert set(module.__all__) <= set(dir(module))


def test_the_facade_exports_every_name_of_its_modules_once():
    from d2lref import torch as d2l

    modules = ["config", "data", "devices", "models", "ops", "plotting", "tensor_aliases",
               "training", "viz"]
    expected = {name for m in modules for name in importlib.import_module(f"d2lref.{m}").__all__}
    assert sorted(d2l.__all__) == sorted(expected) and len(d2l.__all__) == len(expected)
    namespace: dict = {}
    exec("from d2lref.torch import *", namespace)  # noqa: S102 - the reader's star import
    assert expected <= set(namespace)
    with pytest.raises(AttributeError, match="has no attribute 'train_ch9'"):
        d2l.train_ch9  # noqa: B018


def test_all_lists_are_read_without_importing(tmp_path):
    module = tmp_path / "m.py"
    module.write_text('__all__: list[str] = ["a"]\n__all__ += ["b", "c"]\nimport nothing\n')
    assert static_all(module) == ["a", "b", "c"]
