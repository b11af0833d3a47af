"""Keys that change only when outputs can: a run's library part covers the d2lref modules it
imported, each by its code (its syntax tree without docstrings)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from book.bench.staleness import append_code, reword_docstrings
from book.cells import load_snippet
from book.paths import LIBRARY_DIR
from book.store.files import store_path, write_store
from book.store.keys import code_keys, combined_keys
from book.store.library import imported_modules_record, module_digests, modules_digest
from book.store.publishing import published_outputs
from book.store.schema import seal_record
from tests.book.helpers import write
from tests.d2lref.imports import imported_after


def imported_by(code: str) -> list[str]:
    """The d2lref modules a kernel that runs ``code`` imports (its set-up imports config)."""
    return imported_after(f"import d2lref.config\n{code}")


@pytest.fixture(scope="module")
def pages() -> dict[str, list[str]]:
    """What three kinds of page import: a diagram page, a training page, a tensor page."""
    facade = "from d2lref import torch as d2l\n"
    return {
        "diagram": imported_by(facade + "d2l.print_layer_shapes\nd2l.lenet"),
        "training": imported_by(facade + "d2l.load_data_fashion_mnist\nd2l.train_ch6"),
        "tensors": imported_by(facade + "d2l.reshape"),
    }


@pytest.fixture
def library(tmp_path: Path) -> Path:
    copy = tmp_path / "d2lref"
    shutil.copytree(LIBRARY_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_a_docstring_or_comment_edit_changes_no_module(library: Path):
    before = module_digests(library)
    assert reword_docstrings(library) > 200
    config = library / "config.py"  # and a call wrapped over two lines
    wrapped = config.read_text().replace("publish_to_runner(QUICK_MODE_MIME_TYPE, ",
                                         "publish_to_runner(\n        QUICK_MODE_MIME_TYPE, ")
    assert wrapped != config.read_text()
    config.write_text(wrapped)
    assert module_digests(library) == before
    # A code edit does change the module's digest (this test can fail).
    append_code(library, "training/loops.py")
    after = module_digests(library)
    assert [name for name in before if after[name] != before[name]] == ["d2lref.training.loops"]


@pytest.mark.parametrize(("edited", "staled"), [
    ("viz/layers.py", {"diagram"}),
    ("training/loops.py", {"training"}),
    ("config.py", {"diagram", "training", "tensors"}),  # every kernel imports the settings
])
def test_a_code_edit_stales_only_the_pages_that_imported_the_module(
        library: Path, pages: dict[str, list[str]], edited: str, staled: set[str]):
    before = module_digests(library)
    append_code(library, edited)
    after = module_digests(library)
    changed = {page for page, modules in pages.items()
               if modules_digest(modules, before) != modules_digest(modules, after)}
    assert changed == staled


def test_stored_cells_go_stale_through_their_runs_module_list(tmp_path, monkeypatch, library,
                                                               pages):
    """The whole path: a store whose run recorded its modules, read by published_outputs."""
    repo = tmp_path / "repo"
    snippets = repo / "snippets"
    write(snippets / "ch" / "p.py", "# %% a\nx = 1\n\n# %% b\nx\n")
    snippet = load_snippet(snippets / "ch" / "p.py", snippets)
    monkeypatch.setattr("book.store.keys.module_digests", lambda: module_digests(library))
    digests = module_digests(library)
    modules = pages["training"]
    keys = combined_keys(code_keys(snippet, repo), modules_digest(modules, digests))
    cells = {name: seal_record({"key": key, "execution_count": 1, "duration_s": 0.1,
                                "outputs": []}) for name, key in keys.items()}
    write_store(store_path(snippets, "ch/p.py"), {"runs": {"quick": {
        "mode": "quick", "date": "2026-12-01", "cells": cells,
        "library_modules": imported_modules_record(modules, digests)}}})

    def statuses() -> set[str]:
        outputs = published_outputs(snippet, store_path(snippets, "ch/p.py"), repo_dir=repo)
        return {output.status for output in outputs.values()}

    assert statuses() == {"ok"}
    append_code(library, "viz/layers.py")  # not imported by this page
    reword_docstrings(library)
    assert statuses() == {"ok"}
    append_code(library, "training/loops.py")
    assert statuses() == {"stale"}
