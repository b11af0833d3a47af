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
    runs = read_store(store_file)["runs"]
    return {cell.name: published_output(runs, cell.name, keys[cell.name])
            for cell in snippet.cells}


def published_output(runs: dict[str, Any], name: str, key: str) -> CellOutput:
    """The output cell ``name`` (current key ``key``) publishes from a store's ``runs``."""
    choice = CellOutput(status="missing")
    for mode in MODES:
        run = runs.get(mode)
        if not run:
            continue
        record = run["cells"].get(name)
        if record is None:
            continue
        if record["key"] != key:
            if choice.status == "missing":
                choice = CellOutput(status="stale", mode=mode)
            continue
        return CellOutput(status="ok", mode=mode, record=record, run=run)
    return choice


def publishable_runs(runs: dict[str, Any], keys: dict[str, str]) -> set[str]:
    """The modes whose runs a store keeps: those some cell of the snippet publishes from.

    The one rule for what a store keeps; every writer of the snippets' stores (the runner,
    ``merge``, ``migrate``, ``prune``) applies it through ``drop_unpublishable_runs``. A run
    no cell publishes from (a quick run beside a fresh full run of the same code, or a run
    whose every cell is stale) would only weigh on the repository.
    """
    modes = set()
    for name, key in keys.items():
        output = published_output(runs, name, key)
        if output.status == "ok" and output.mode is not None:
            modes.add(output.mode)
    return modes


def drop_unpublishable_runs(data: dict[str, Any], keys: dict[str, str]) -> list[str]:
    """Remove from a store's ``data`` the runs no cell publishes from; their modes."""
    keep = publishable_runs(data["runs"], keys)
    dropped = sorted(mode for mode in data["runs"] if mode not in keep)
    for mode in dropped:
        del data["runs"][mode]
    return dropped


def _repo_of(store_file: Path, snippet: Snippet) -> Path:
    """The repository holding ``store_file`` (``<repo>/snippets/<relpath>.outputs.json``)."""
    depth = snippet.relpath.count("/") + 2
    parents = store_file.resolve().parents
    return parents[depth - 1] if len(parents) >= depth else REPO_DIR

