"""Which stored output each cell publishes: full mode wins, then quick, if fresh.

The library drift rule: a GPU-sized full run outlives a later d2lref edit. When a cell's
own code (its code key: the earlier cells, the cell, its declared inputs) is what the full
run executed, but a d2lref module that run imported has changed since, the full output
stays published, marked as a run of an earlier d2lref, as long as a quick run of the
current code passed for that cell. A change of the cell's code always makes its full
output stale: code shown and output never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from book.cells import Snippet
from book.paths import REPO_DIR
from book.store.files import read_store
from book.store.keys import code_keys, run_keys
from book.store.schema import MODES


@dataclass(frozen=True)
class CellOutput:
    """The published output of one cell: which run it came from, or why there is none.

    ``drift`` is set when a full output of an earlier d2lref is published under the library
    drift rule; ``check`` is then the quick run that passed with the current code.
    """

    status: str  # "ok", "stale" or "missing"
    mode: str | None = None
    record: dict[str, Any] | None = None
    run: dict[str, Any] | None = None
    drift: bool = False
    check: dict[str, Any] | None = None


def current_keys(snippet: Snippet, runs: dict[str, Any],
                 repo_dir: Path) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """The current key of every cell for each stored run (by mode), and the code keys."""
    code = code_keys(snippet, repo_dir)
    return {mode: run_keys(snippet, run, repo_dir, code) for mode, run in runs.items()}, code


def published_outputs(
    snippet: Snippet, store_file: Path, *, repo_dir: Path | None = None,
) -> dict[str, CellOutput]:
    """For every cell, the outputs to publish: full mode wins, then quick, if fresh."""
    repo_dir = repo_dir or _repo_of(store_file, snippet)
    runs = read_store(store_file)["runs"]
    keys, code = current_keys(snippet, runs, repo_dir)
    return {cell.name: published_output(runs, cell.name, keys, code[cell.name])
            for cell in snippet.cells}


def _fresh(runs: dict[str, Any], mode: str, name: str,
           keys: dict[str, dict[str, str]]) -> dict[str, Any] | None:
    record = (runs.get(mode) or {}).get("cells", {}).get(name)
    if record is not None and record["key"] == keys.get(mode, {}).get(name):
        return record
    return None


def published_output(runs: dict[str, Any], name: str, keys: dict[str, dict[str, str]],
                     code_key: str | None = None) -> CellOutput:
    """The output cell ``name`` publishes from a store's ``runs``; ``keys`` holds the
    current keys per mode, ``code_key`` the cell's current code key (for the drift rule)."""
    for mode in MODES:
        record = _fresh(runs, mode, name, keys)
        if record is not None:
            full = runs.get("full") or {}
            drifted = full.get("cells", {}).get(name)
            if (mode == "quick" and drifted is not None and code_key is not None
                    and drifted.get("code_key") == code_key):
                return CellOutput(status="ok", mode="full", record=drifted, run=full,
                                  drift=True, check=runs[mode])
            return CellOutput(status="ok", mode=mode, record=record, run=runs[mode])
    for mode in MODES:
        if name in (runs.get(mode) or {}).get("cells", {}):
            return CellOutput(status="stale", mode=mode)
    return CellOutput(status="missing")


def publishable_runs(runs: dict[str, Any], keys: dict[str, dict[str, str]],
                     code: dict[str, str]) -> set[str]:
    """The modes whose runs a store keeps: those some cell of the snippet publishes from,
    and the quick run that vouches for a drifted full output.

    The one rule for what a store keeps; every writer of the snippets' stores (the runner,
    ``merge``, ``migrate``, ``prune``) applies it through ``drop_unpublishable_runs``. A run
    no cell publishes from (a quick run beside a fresh full run of the same code, or a run
    whose every cell is stale) would only weigh on the repository.
    """
    modes = set()
    for name, code_key in code.items():
        output = published_output(runs, name, keys, code_key)
        if output.status == "ok" and output.mode is not None:
            modes.add(output.mode)
            if output.drift:
                modes.add("quick")
    return modes


def drop_unpublishable_runs(data: dict[str, Any], snippet: Snippet,
                            repo_dir: Path) -> list[str]:
    """Remove from a store's ``data`` the runs no cell publishes from; their modes."""
    keys, code = current_keys(snippet, data["runs"], repo_dir)
    keep = publishable_runs(data["runs"], keys, code)
    dropped = sorted(mode for mode in data["runs"] if mode not in keep)
    for mode in dropped:
        del data["runs"][mode]
    return dropped


def _repo_of(store_file: Path, snippet: Snippet) -> Path:
    """The repository holding ``store_file`` (``<repo>/snippets/<relpath>.outputs.json``)."""
    depth = snippet.relpath.count("/") + 2
    parents = store_file.resolve().parents
    return parents[depth - 1] if len(parents) >= depth else REPO_DIR
