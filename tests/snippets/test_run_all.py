"""Every snippet runs top to bottom in a Jupyter kernel in quick mode, as CI's quick run."""

from __future__ import annotations

from pathlib import Path

import pytest

from book.cells import find_snippets
from book.runner import RunOptions, run_snippets
from book.store.files import read_store, store_path
from tests.paths import SNIPPETS_DIR

SNIPPETS = find_snippets(SNIPPETS_DIR)


@pytest.mark.slow
@pytest.mark.parametrize(
    "snippet", SNIPPETS, ids=[p.relative_to(SNIPPETS_DIR).as_posix() for p in SNIPPETS]
)
def test_snippet_runs_in_quick_mode(snippet: Path, tmp_path: Path, real_data: Path):
    store = tmp_path / "store"
    options = RunOptions(mode="quick", data_root=str(real_data), store_dir=store)
    run_snippets([snippet], SNIPPETS_DIR, options, log=lambda _: None)
    rel = snippet.relative_to(SNIPPETS_DIR).as_posix()
    run = read_store(store_path(store, rel))["runs"]["quick"]
    assert run["mode"] == "quick"
    assert all(cell["duration_s"] > 0 for cell in run["cells"].values())
