"""The quick label marks only the outputs quick mode changed, and the page note says what
ran, from what d2lref reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from book.cells import load_snippet
from book.render.context import RenderContext
from book.render.output_html import fill_outputs
from book.render.page import parse_page
from book.render.site import render_site
from book.store.files import store_path, write_store
from book.store.keys import cell_keys
from book.store.schema import seal_record

LIB = "0" * 64
TRAIN = [{"kind": "subset", "split": "train", "kept": 128, "total": 60000},
         {"kind": "subset", "split": "test", "kept": 64, "total": 10000},
         {"kind": "epochs", "ran": 2, "requested": 10},
         {"kind": "train", "epochs": 2, "requested": 10, "examples": 128, "steps": 2}]


def store_quick_run(root: Path, changes: dict[str, list | None]) -> None:
    snippet = load_snippet(root / "snippets" / "demo" / "page.py", root / "snippets")
    keys = cell_keys(snippet, LIB, root)
    cells = {}
    for name, key in keys.items():
        record = {"key": key, "execution_count": 1, "duration_s": 0.1,
                  "outputs": [{"type": "stream", "name": "stdout", "text": f"out {name}\n"}]}
        if changes.get(name) is not None:
            record["quick_changes"] = changes[name]
        cells[name] = seal_record(record)
    run = {"mode": "quick", "date": "2026-12-01T00:00:00+00:00", "commit": "abcdef123456",
           "device_name": "Test CPU", "torch": "2.14.1", "cells": cells}
    write_store(store_path(root / "snippets", "demo/page.py"), {"runs": {"quick": run}})


def render(root: Path, lang: str) -> str:
    page = parse_page((root / "docs/zh/demo/page.md").read_text(), "demo/page.md", root)
    ctx = RenderContext(repo_dir=root, lang=lang)
    html = fill_outputs(render_site(page, ctx), ctx)
    assert ctx.problems == []
    return html


@pytest.fixture(autouse=True)
def fixed_library(monkeypatch):
    monkeypatch.setattr("book.store.keys.library_hash", lambda *a: LIB)


def test_only_changed_outputs_are_labelled_and_the_note_says_what_ran(tiny_book):
    store_quick_run(tiny_book, {"setup": [], "show-html": [], "total": TRAIN})
    html = render(tiny_book, "en")
    assert html.count("quick run (reduced data and epochs)") == 1
    assert html.count("quick mode, nothing reduced") == 2
    assert html.count('class="d2l-provenance d2l-provenance--quick"') == 1
    assert ("Outputs marked \u201cquick run\u201d come from quick mode: 2 optimizer steps on "
            "128 training examples (2 of 10 epochs), tested on 64 of 10000 test examples, so "
            "their accuracies") in html
    zh = render(tiny_book, "zh")
    assert "快速运行（缩减数据与迭代周期）" in zh
    assert ("用 128 个训练样本做了 2 次参数更新（10 个迭代周期中的 2 个），并且在 10000 "
            "个测试样本中的 64 个上测试，所以精度和速度") in zh
    assert "准确率" not in zh and "轮数" not in zh


def test_a_page_quick_mode_did_not_change_has_no_quick_note(tiny_book):
    store_quick_run(tiny_book, {"setup": [], "show-html": [], "total": []})
    html = render(tiny_book, "en")
    assert "reduced quick run" not in html and "quick run (reduced" not in html
    assert html.count("quick mode, nothing reduced") == 3


def test_outputs_of_older_runs_without_reports_keep_the_label(tiny_book):
    store_quick_run(tiny_book, {})
    html = render(tiny_book, "en")
    assert html.count("quick run (reduced data and epochs)") == 3
    assert "a small subset of the data and at most 2 epochs" in html
