"""Which stored output each cell publishes: full mode wins, then quick, if fresh."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from book.cells import Snippet
from book.paths import REPO_DIR
from book.store.files import read_store
from book.store.keys import cell_keys, library_hash
from book.store.schema import MODES


@dataclass(frozen=True)
class CellOutput:
    """The published output of one cell: which run it came from, or why there is none."""

    status: str  # "ok", "stale" or "missing"
    mode: str | None = None
    record: dict[str, Any] | None = None
    run: dict[str, Any] | None = None


def published_outputs(
    snippet: Snippet, store_file: Path, lib_hash: str | None = None,
    repo_dir: Path | None = None,
) -> dict[str, CellOutput]:
    """For every cell, the outputs to publish: full mode wins, then quick, if fresh."""
    repo_dir = repo_dir or _repo_of(store_file, snippet)
    keys = cell_keys(snippet, lib_hash or library_hash(), repo_dir)
    data = read_store(store_file)
    result: dict[str, CellOutput] = {}
    for cell in snippet.cells:
        choice = CellOutput(status="missing")
        for mode in MODES:
            run = data["runs"].get(mode)
            if not run:
                continue
            record = run["cells"].get(cell.name)
            if record is None:
                continue
            if record["key"] != keys[cell.name]:
                if choice.status == "missing":
                    choice = CellOutput(status="stale", mode=mode)
                continue
            choice = CellOutput(status="ok", mode=mode, record=record, run=run)
            break
        result[cell.name] = choice
    return result


def _repo_of(store_file: Path, snippet: Snippet) -> Path:
    """The repository holding ``store_file`` (``<repo>/snippets/<relpath>.outputs.json``)."""
    depth = snippet.relpath.count("/") + 2
    parents = store_file.resolve().parents
    return parents[depth - 1] if len(parents) >= depth else REPO_DIR

