"""Stores keep only the runs a cell publishes from, whoever writes them: the runner, merge,
migrate and prune."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from book.cells import load_snippet
from book.cli import main
from book.runner import store_run
from book.store.files import read_store, store_path, write_store
from book.store.keys import cell_keys
from book.store.publishing import current_keys, publishable_runs, published_outputs
from book.store.schema import seal_record
from tests.book.helpers import write

LIB = "0" * 64
OLD_LIB = "1" * 64  # the library as it was: a run keyed with it is stale
SNIPPET = "# %% a\nx = 1\n\n# %% b\nx\n\n# %% c\nx + 1\n"


@pytest.fixture(autouse=True)
def fixed_library(monkeypatch):
    # Runs without a module list are keyed by the whole library: fixed here.
    monkeypatch.setattr("book.store.keys.library_hash", lambda *a: LIB)


@pytest.fixture
def snippets(tmp_path: Path) -> Path:
    snippets = tmp_path / "repo" / "snippets"
    write(snippets / "ch" / "p.py", SNIPPET)
    return snippets


def make_run(snippets: Path, mode: str, lib: str, cells: tuple[str, ...] = ("a", "b", "c"),
             date: str = "2026-12-01T00:00:00+00:00") -> dict:
    """A sealed run of ``mode`` holding ``cells``, keyed with the library hash ``lib``."""
    keys = cell_keys(load_snippet(snippets / "ch" / "p.py", snippets), lib, snippets.parent)
    records = {name: seal_record({"key": keys[name], "execution_count": 1, "duration_s": 0.1,
                                  "outputs": [{"type": "text", "text": f"{mode} {name}"}]})
               for name in cells}
    return {"mode": mode, "date": date, "cells": records}


def publishable(snippets: Path, runs: dict) -> set[str]:
    snippet = load_snippet(snippets / "ch" / "p.py", snippets)
    return publishable_runs(runs, *current_keys(snippet, runs, snippets.parent))


def published_modes(snippets: Path) -> dict[str, str | None]:
    snippet = load_snippet(snippets / "ch" / "p.py", snippets)
    outputs = published_outputs(snippet, store_path(snippets, "ch/p.py"))
    return {name: output.mode if output.status == "ok" else None
            for name, output in outputs.items()}


def test_the_runs_a_store_keeps_are_those_some_cell_publishes_from(snippets):
    fresh_full, stale_quick = make_run(snippets, "full", LIB), make_run(snippets, "quick", OLD_LIB)
    assert publishable(snippets, {"full": fresh_full, "quick": stale_quick}) == {"full"}
    # Fresh in both modes: full wins every cell, so the quick run publishes nothing.
    fresh_quick = make_run(snippets, "quick", LIB)
    assert publishable(snippets, {"full": fresh_full, "quick": fresh_quick}) == {"full"}
    # Full lacks cell c: the quick run still publishes it and is kept.
    partial_full = make_run(snippets, "full", LIB, cells=("a", "b"))
    assert publishable(snippets, {"full": partial_full, "quick": fresh_quick}) == {
        "full", "quick"}
    # A full run whose every cell is stale publishes nothing; nor does anything else here.
    assert publishable(snippets, {"full": make_run(snippets, "full", OLD_LIB)}) == set()


def test_the_runner_drops_a_stale_quick_run_when_it_stores_a_fresh_full_run(snippets):
    path = store_path(snippets, "ch/p.py")
    write_store(path, {"runs": {"quick": make_run(snippets, "quick", OLD_LIB)}})
    snippet = load_snippet(snippets / "ch" / "p.py", snippets)
    dropped = store_run(snippet, make_run(snippets, "full", LIB), path, snippets.parent)
    assert dropped == ["quick"]
    assert set(read_store(path)["runs"]) == {"full"}


def test_the_runner_keeps_a_quick_run_that_still_publishes_a_cell(snippets):
    path = store_path(snippets, "ch/p.py")
    write_store(path, {"runs": {"quick": make_run(snippets, "quick", LIB)}})
    snippet = load_snippet(snippets / "ch" / "p.py", snippets)
    # This full run stopped before cell c: c's output still comes from the quick run.
    dropped = store_run(snippet, make_run(snippets, "full", LIB, cells=("a", "b")), path,
                        snippets.parent)
    assert dropped == []
    assert set(read_store(path)["runs"]) == {"full", "quick"}
    assert published_modes(snippets) == {"a": "full", "b": "full", "c": "quick"}


def test_the_runner_does_not_keep_a_quick_run_beside_a_fresh_full_run(snippets):
    path = store_path(snippets, "ch/p.py")
    full = make_run(snippets, "full", LIB)
    write_store(path, {"runs": {"full": full}})
    snippet = load_snippet(snippets / "ch" / "p.py", snippets)
    assert store_run(snippet, make_run(snippets, "quick", LIB), path, snippets.parent) == [
        "quick"]
    assert read_store(path)["runs"] == {"full": full}


def test_merge_drops_the_stale_quick_run_beside_an_incoming_fresh_full_run(snippets, capsys):
    target = store_path(snippets, "ch/p.py")
    write_store(target, {"runs": {"quick": make_run(snippets, "quick", OLD_LIB)}})
    shard = snippets.parent.parent / "shard-1"
    write_store(store_path(shard, "ch/p.py"), {"runs": {"full": make_run(snippets, "full", LIB)}})
    assert main(["--snippets-dir", str(snippets), "merge", str(shard)]) == 0
    assert set(read_store(target)["runs"]) == {"full"}
    assert "dropped 1 runs no cell publishes from" in capsys.readouterr().err


def test_migrate_drops_the_runs_no_cell_publishes_from(snippets):
    data = {"runs": {"full": make_run(snippets, "full", LIB),
                     "quick": make_run(snippets, "quick", OLD_LIB)}}
    for run in data["runs"].values():  # format 1: no digests, no "format" field
        for record in run["cells"].values():
            del record["digest"]
    path = store_path(snippets, "ch/p.py")
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["--snippets-dir", str(snippets), "migrate"]) == 0
    assert set(read_store(path)["runs"]) == {"full"}


def test_prune_keeps_what_is_published_and_says_what_it_saved(snippets, capsys):
    path = store_path(snippets, "ch/p.py")
    quick = make_run(snippets, "quick", LIB)
    write_store(path, {"runs": {"full": make_run(snippets, "full", LIB, cells=("a", "b")),
                                "quick": quick}})
    write(snippets / "ch" / "q.py", SNIPPET)  # same code, other page: stale quick beside full
    other = store_path(snippets, "ch/q.py")
    write_store(other, {"runs": {"full": make_run(snippets, "full", LIB),
                                 "quick": make_run(snippets, "quick", OLD_LIB)}})
    kept_bytes, other_bytes = path.read_bytes(), other.stat().st_size
    published = published_modes(snippets)

    assert main(["--snippets-dir", str(snippets), "prune"]) == 0
    assert path.read_bytes() == kept_bytes  # its quick run publishes cell c: untouched
    assert published_modes(snippets) == published == {"a": "full", "b": "full", "c": "quick"}
    assert set(read_store(other)["runs"]) == {"full"}
    log = capsys.readouterr().err
    assert f"snippets/ch/q.py: dropped the quick run ({other_bytes:,} -> " in log
    assert f"pruned 1 runs from 1 store files: {other_bytes:,} -> {other.stat().st_size:,}" in log
    assert other.stat().st_size < other_bytes

    assert main(["--snippets-dir", str(snippets), "prune"]) == 0  # nothing left to drop
    assert "pruned 0 runs from 0 store files: 0 -> 0 bytes" in capsys.readouterr().err
