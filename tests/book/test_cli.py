"""The command line refuses to destroy what it did not write, and merges by freshness."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from book.cells import load_snippet
from book.cli import main, shard_paths
from book.paths import REPO_DIR
from book.store.files import read_store, store_path, write_store
from book.store.keys import cell_keys
from book.store.maintenance import RUN_SUMMARY
from book.store.schema import seal_record
from tests.book.helpers import write

LIB = "0" * 64


@pytest.fixture(autouse=True)
def fixed_library(monkeypatch):
    monkeypatch.setattr("book.store.keys.library_hash", lambda *a: LIB)


def docs_copy(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    write(docs / "notes-only" / "about.md", "# About\n\nNo cells here.\n")
    return docs


# --- shard ----------------------------------------------------------------------------------


def test_shard_counts_are_checked_first(tmp_path):
    with pytest.raises(ValueError, match="N must be at least 1"):
        shard_paths([], tmp_path, 1, 0)
    with pytest.raises(ValueError, match="index K must be between 1 and 2"):
        shard_paths([], tmp_path, 3, 2)


def test_an_empty_shard_argument_says_how_to_write_it():
    with pytest.raises(SystemExit, match="write it as K/N, e.g. 2/4"):
        main(["shard", ""])


# --- merge ----------------------------------------------------------------------------------

SNIPPET = "# %% a\nx = 1\n\n# %% b\nx\n"


def make_run(snippets: Path, date: str, fresh: bool, note: str) -> dict:
    snippet = load_snippet(snippets / "ch" / "p.py", snippets)
    keys = cell_keys(snippet, LIB if fresh else "1" * 64, snippets.parent)
    cells = {name: seal_record({"key": key, "execution_count": 1, "duration_s": 0.1,
                                "outputs": [{"type": "text", "text": note}]})
             for name, key in keys.items()}
    return {"mode": "full", "date": date, "cells": cells}


def test_merge_keeps_the_fresh_run_not_the_newest(tmp_path, capsys):
    snippets = tmp_path / "repo" / "snippets"
    write(snippets / "ch" / "p.py", SNIPPET)
    target = store_path(snippets, "ch/p.py")
    write_store(target, {"runs": {"full": make_run(snippets, "2026-11-01", True, "fresh")}})
    shard = tmp_path / "shard-1"
    newer_but_stale = make_run(snippets, "2026-12-01", False, "other code")
    write_store(store_path(shard, "ch/p.py"), {"runs": {"full": newer_but_stale}})
    assert main(["--snippets-dir", str(snippets), "merge", str(shard)]) == 0
    kept = read_store(target)["runs"]["full"]
    assert kept["date"] == "2026-11-01"
    assert "kept 1 stored runs that were fresher" in capsys.readouterr().err
    # A fresh incoming run replaces a stale stored one, even when it is older.
    write_store(target, {"runs": {"full": newer_but_stale}})
    write_store(store_path(shard, "ch/p.py"),
                {"runs": {"full": make_run(snippets, "2026-10-01", True, "fresh")}})
    assert main(["--snippets-dir", str(snippets), "merge", str(shard)]) == 0
    assert read_store(target)["runs"]["full"]["date"] == "2026-10-01"


def test_merge_fails_on_a_missing_source(tmp_path, capsys):
    snippets = tmp_path / "repo" / "snippets"
    write(snippets / "ch" / "p.py", SNIPPET)
    assert main(["--snippets-dir", str(snippets), "merge", str(tmp_path / "nope")]) == 2
    assert "does not exist" in capsys.readouterr().err


def shard_folder(tmp_path: Path, name: str, selected: list[str] | None) -> Path:
    """A shard's --store folder with no store file, and the summary its run wrote."""
    folder = tmp_path / name
    folder.mkdir()
    if selected is not None:
        (folder / RUN_SUMMARY).write_text(json.dumps({"mode": "full", "selected": selected}))
    return folder


def test_merge_stores_what_succeeded_and_skips_an_empty_shard(tmp_path, capsys):
    snippets = tmp_path / "repo" / "snippets"
    write(snippets / "ch" / "p.py", SNIPPET)
    stored = tmp_path / "shard-1"
    write_store(store_path(stored, "ch/p.py"),
                {"runs": {"full": make_run(snippets, "2026-11-01", True, "fresh")}})
    (stored / RUN_SUMMARY).write_text(json.dumps({"mode": "full", "selected": ["ch/p.py"]}))
    empty = shard_folder(tmp_path, "shard-2", selected=[])
    assert main(["--snippets-dir", str(snippets), "merge", str(stored), str(empty)]) == 0
    err = capsys.readouterr().err
    assert f"skipped {empty}: no *.outputs.json files (its run had nothing to run)" in err
    assert "merged 1 runs" in err
    assert read_store(store_path(snippets, "ch/p.py"))["runs"]["full"]["date"] == "2026-11-01"


def test_merge_fails_only_when_nothing_was_stored_although_something_was_selected(
        tmp_path, capsys):
    snippets = tmp_path / "repo" / "snippets"
    write(snippets / "ch" / "p.py", SNIPPET)
    nothing_stale = [shard_folder(tmp_path, f"quiet-{k}", selected=[]) for k in (1, 2)]
    assert main(["--snippets-dir", str(snippets), "merge", *map(str, nothing_stale)]) == 0
    assert "nothing to merge: no run had anything to run" in capsys.readouterr().err
    failed = shard_folder(tmp_path, "failed", selected=["ch/p.py"])
    assert main(["--snippets-dir", str(snippets), "merge", str(failed),
                 str(nothing_stale[0])]) == 2
    err = capsys.readouterr().err
    assert "nothing was stored" in err
    assert "none of the 1 snippets its run selected succeeded" in err
    # A folder without a summary may have selected anything: nothing stored is an error.
    unknown = shard_folder(tmp_path, "unknown", selected=None)
    assert main(["--snippets-dir", str(snippets), "merge", str(unknown)]) == 2
    assert "no summary says what its run selected" in capsys.readouterr().err
    assert not store_path(snippets, "ch/p.py").exists()


# --- run --stale-only -----------------------------------------------------------------------


def test_stale_only_runs_nothing_when_every_output_is_fresh(tmp_path, capsys):
    snippets = tmp_path / "repo" / "snippets"
    write(snippets / "ch" / "p.py", SNIPPET)
    write_store(store_path(snippets, "ch/p.py"),
                {"runs": {"full": make_run(snippets, "2026-11-01", True, "fresh")}})
    assert main(["--snippets-dir", str(snippets), "run", "--mode", "full", "--stale-only"]) == 0
    err = capsys.readouterr().err
    assert "0 of 1 snippets have stale or missing full outputs" in err
    assert "0 snippets ran" in err


def test_stale_only_selects_stale_and_missing_snippets(tmp_path):
    from book.cli_status import needs_run

    snippets = tmp_path / "repo" / "snippets"
    for name in ("fresh", "stale", "missing"):
        write(snippets / "ch" / f"{name}.py", SNIPPET)
    for name, fresh in (("fresh", True), ("stale", False)):
        shutil.copy(snippets / "ch" / f"{name}.py", snippets / "ch" / "p.py")
        run = make_run(snippets, "2026-11-01", fresh, name)
        write_store(store_path(snippets, f"ch/{name}.py"), {"runs": {"full": run}})
    (snippets / "ch" / "p.py").unlink()
    chosen = {p.stem for p in sorted((snippets / "ch").glob("*.py"))
              if needs_run(p, snippets, snippets, "full")}
    assert chosen == {"stale", "missing"}
    # In the other mode every one of them is missing.
    assert all(needs_run(p, snippets, snippets, "quick") for p in (snippets / "ch").glob("*.py"))


def test_help_names_the_incremental_option():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "book", "run", "--help"],
                            capture_output=True, text=True, cwd=REPO_DIR, check=True)
    assert "--stale-only" in result.stdout


def test_stale_only_with_a_shard_store_looks_at_the_published_outputs(tmp_path, capsys):
    snippets = tmp_path / "repo" / "snippets"
    write(snippets / "ch" / "p.py", SNIPPET)
    write_store(store_path(snippets, "ch/p.py"),
                {"runs": {"full": make_run(snippets, "2026-11-01", True, "fresh")}})
    shard_store = tmp_path / "shard-outputs"  # empty: a shard's run starts with nothing
    assert main(["--snippets-dir", str(snippets), "run", "--mode", "full", "--stale-only",
                 "--shard", "1/2", "--store", str(shard_store)]) == 0
    assert "0 of 1 snippets have stale or missing full outputs" in capsys.readouterr().err
