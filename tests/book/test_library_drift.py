"""The library drift rule: a full output of an earlier d2lref stays published, marked, while
a quick run of the cell's current code passed; the cell's own code changing stales it."""

from __future__ import annotations

from pathlib import Path

import pytest

from book.cells import load_snippet
from book.cli import main
from book.render.context import RenderContext
from book.render.output_html import fill_outputs
from book.render.page import parse_page
from book.render.site import render_site
from book.runner import store_run
from book.store.files import read_store, store_path, write_store
from book.store.keys import code_keys, combined_keys
from book.store.library import imported_modules_record, modules_digest
from book.store.publishing import published_outputs
from book.store.schema import seal_record
from tests.book.helpers import write

MODULES = ["d2lref", "d2lref.config", "d2lref.training.loops"]
EARLIER = {name: "1" * 64 for name in MODULES}  # the library of the GPU run
NOW = dict(EARLIER, **{"d2lref.training.loops": "2" * 64})  # loops edited since
SNIPPET = "# %% a\nx = 1\n\n# %% b\nprint(x)\n"


@pytest.fixture
def book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr("book.store.keys.module_digests", lambda: NOW)
    write(tmp_path / "snippets" / "ch" / "p.py", SNIPPET)
    write(tmp_path / "docs" / "zh" / "ch" / "p.md", "# 页面\n\n!cell a\n!cell b\n")
    return tmp_path


def make_run(root: Path, mode: str, digests: dict[str, str], text: str,
             commit: str = "feedc0ffee00") -> dict:
    snippet = load_snippet(root / "snippets" / "ch" / "p.py", root / "snippets")
    code = code_keys(snippet, root)
    keys = combined_keys(code, modules_digest(MODULES, digests))
    cells = {}
    for name, key in keys.items():
        record = {"key": key, "code_key": code[name], "execution_count": 1, "duration_s": 0.1,
                  "outputs": [{"type": "stream", "name": "stdout", "text": f"{text} {name}\n"}]}
        if mode == "quick":
            record["quick_changes"] = []  # quick mode changed nothing in these cells
        cells[name] = seal_record(record)
    return {"mode": mode, "date": "2026-12-01T00:00:00+00:00", "commit": commit,
            "device": "cuda:0", "device_name": "H200", "torch": "2.14.1",
            "library_modules": imported_modules_record(MODULES, digests), "cells": cells}


def published(root: Path) -> dict:
    snippet = load_snippet(root / "snippets" / "ch" / "p.py", root / "snippets")
    return published_outputs(snippet, store_path(root / "snippets", "ch/p.py"),
                             repo_dir=root)


def store(root: Path, **runs: dict) -> None:
    write_store(store_path(root / "snippets", "ch/p.py"), {"runs": runs})


def test_a_full_output_survives_a_library_edit_while_a_quick_run_passes(book):
    store(book, full=make_run(book, "full", EARLIER, "gpu"),
          quick=make_run(book, "quick", NOW, "cpu"))
    outputs = published(book)
    assert {name: (o.status, o.mode, o.drift) for name, o in outputs.items()} == {
        "a": ("ok", "full", True), "b": ("ok", "full", True)}
    assert outputs["b"].record["outputs"][0]["text"] == "gpu b\n"
    assert outputs["b"].check["mode"] == "quick"


def test_without_a_passing_quick_run_the_drifted_output_is_stale(book):
    store(book, full=make_run(book, "full", EARLIER, "gpu"))
    assert {o.status for o in published(book).values()} == {"stale"}
    # A quick run of the earlier library does not vouch for the current one either.
    store(book, full=make_run(book, "full", EARLIER, "gpu"),
          quick=make_run(book, "quick", EARLIER, "cpu"))
    assert {o.status for o in published(book).values()} == {"stale"}


def test_a_change_of_the_cells_code_always_stales_its_full_output(book):
    full = make_run(book, "full", EARLIER, "gpu")
    (book / "snippets" / "ch" / "p.py").write_text(SNIPPET.replace("print(x)", "print(x + 1)"))
    store(book, full=full, quick=make_run(book, "quick", NOW, "cpu"))
    outputs = published(book)
    assert (outputs["a"].mode, outputs["a"].drift) == ("full", True)  # a's code is unchanged
    assert (outputs["b"].mode, outputs["b"].drift) == ("quick", False)
    assert outputs["b"].record["outputs"][0]["text"] == "cpu b\n"


def test_the_store_keeps_the_quick_run_that_vouches_for_a_drifted_output(book):
    store(book, full=make_run(book, "full", EARLIER, "gpu"))
    snippet = load_snippet(book / "snippets" / "ch" / "p.py", book / "snippets")
    path = store_path(book / "snippets", "ch/p.py")
    dropped = store_run(snippet, make_run(book, "quick", NOW, "cpu"), path, book)
    assert dropped == [] and set(read_store(path)["runs"]) == {"full", "quick"}


def test_status_lists_drift_and_the_page_marks_it(book, capsys):
    store(book, full=make_run(book, "full", EARLIER, "gpu"),
          quick=make_run(book, "quick", NOW, "cpu"))
    assert main(["--snippets-dir", str(book / "snippets"), "status"]) == 0
    out = capsys.readouterr().out
    assert "full: 0 fresh/2 stale/0 missing (2 full, library drift)" in out
    assert "published cells: 2 full (2 of them full, library drift), 0 quick" in out
    page = parse_page((book / "docs/zh/ch/p.md").read_text(), "ch/p.md", book)
    for lang, label in (("zh", "完整运行（d2lref 修改之前的版本，feedc0f；快速重新运行已通过）"),
                        ("en", "full run of an earlier d2lref, feedc0f; quick re-run passed")):
        ctx = RenderContext(repo_dir=book, lang=lang)
        html = fill_outputs(render_site(page, ctx), ctx)
        assert ctx.problems == []  # the strict build passes
        assert label in html and "gpu b" in html and "cpu b" not in html
