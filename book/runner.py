"""Run many snippets and store each one's outputs: the commands ``run`` and ``full-run``.

Every selected store is checked and every declared input verified before the first kernel
starts (a damaged store found after a GPU hour of work would lose it); then each snippet
runs in its own kernel, a failure (an exception, a timeout, a kernel that died) fails only
that snippet, and each success is stored at once.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from book.cells import Snippet, load_snippet
from book.runner_cells import RunOptions, SnippetRunError, execute_snippet, kernel_env
from book.store.files import read_store, store_path, update_store
from book.store.keys import snippet_inputs, uncommitted_inputs
from book.store.publishing import drop_unpublishable_runs
from book.store.schema import StoreError

__all__ = ["RunOptions", "RunSummary", "SnippetResult", "SnippetRunError", "check_inputs_committed",
           "check_stores", "kernel_env", "run_snippets", "store_run"]


@dataclass
class SnippetResult:
    """How one snippet of a run ended: ``ok`` (stored), ``failed`` or ``pending``."""

    snippet: str
    cells: int
    status: str = "pending"
    seconds: float = 0.0
    failure: SnippetRunError | None = None

    def as_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"snippet": self.snippet, "cells": self.cells,
                                 "status": self.status, "seconds": round(self.seconds, 1)}
        if self.failure is not None:
            entry["cell"] = self.failure.cell
            entry["error"] = self.failure.traceback.strip().splitlines()[-1][:300] \
                if self.failure.traceback.strip() else ""
        return entry


@dataclass
class RunSummary:
    """What a run of several snippets did, snippet by snippet."""

    mode: str = "quick"
    results: list[SnippetResult] = field(default_factory=list)

    @property
    def timings(self) -> list[tuple[str, float]]:
        """Seconds of each stored snippet."""
        return [(r.snippet, r.seconds) for r in self.results if r.status == "ok"]

    @property
    def failures(self) -> list[SnippetRunError]:
        return [r.failure for r in self.results if r.failure is not None]

    def table(self) -> str:
        """The closing table: snippet, cells, seconds and status, one row per snippet."""
        rows = [("snippet", "cells", "seconds", "status")]
        for r in self.results:
            status = f"FAILED in cell {r.failure.cell!r}" if r.failure else r.status
            rows.append((f"snippets/{r.snippet}", str(r.cells), f"{r.seconds:.1f}", status))
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        lines = ["  ".join(cell.ljust(width) if i in (0, 3) else cell.rjust(width)
                           for i, (cell, width) in enumerate(zip(row, widths, strict=True)))
                 .rstrip() for row in rows]
        lines.insert(1, "  ".join("-" * width for width in widths))
        failed = len(self.failures)
        lines.append(f"{len(self.results) - failed} of {len(self.results)} snippets stored "
                     f"({self.mode} mode)" + (f", {failed} FAILED" if failed else ""))
        return "\n".join(lines)

    def write(self, path: Path | None) -> None:
        """Write the summary as JSON (what ``merge`` reads), replacing the file atomically."""
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"mode": self.mode, "selected": [r.snippet for r in self.results],
                "results": [r.as_json() for r in self.results]}
        partial = path.with_name(path.name + ".partial")
        partial.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        os.replace(partial, path)


def check_stores(snippets: list[Snippet], store_dir: Path) -> None:
    """Before anything runs: every store the run will write can be read and written.

    A damaged store or a folder that cannot be written would otherwise be found only after
    the snippet ran (a GPU hour on a full run). Raises one StoreError naming every problem.
    """
    problems = []
    for snippet in snippets:
        path = store_path(store_dir, snippet.relpath)
        try:
            read_store(path)
            path.parent.mkdir(parents=True, exist_ok=True)
        except (StoreError, OSError) as err:
            problems.append(str(err))
            continue
        if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            problems.append(f"{path}: cannot be written (permissions); make it writable or "
                            "give another folder with --store")
    if problems:
        raise StoreError("nothing was run: " + str(len(problems)) + " stores cannot be "
                         "updated:\n" + "\n".join(problems))


def check_inputs_committed(snippet: Snippet, repo_dir: Path) -> None:
    """Refuse to run a snippet whose declared inputs (``# reads:``) differ from HEAD: its
    outputs would show files that its key does not cover."""
    changed = uncommitted_inputs(repo_dir, snippet_inputs(snippet))
    if changed:
        raise SnippetRunError(
            snippet.relpath, "(inputs)",
            "the snippet reads files that are not committed: " + ", ".join(changed)
            + ". Pages show committed inputs only: commit them on purpose, or move them out "
            "of the repository, then run again.",
        )


def run_snippets(
    paths: list[Path],
    snippets_dir: Path,
    options: RunOptions,
    log: Callable[[str], None] = print,
    keep_going: bool = False,
    summary_file: Path | None = None,
) -> RunSummary:
    """Check every store, then run and store each snippet.

    By default the first failure is raised. With ``keep_going`` every snippet runs, each
    success is stored at once, and the failures are returned in the summary (also written
    to ``summary_file``, after each snippet).
    """
    store_dir = options.store_dir or snippets_dir
    repo_dir = snippets_dir.resolve().parent
    snippets = [load_snippet(path, snippets_dir) for path in paths]
    check_stores(snippets, store_dir)
    summary = RunSummary(options.mode, [SnippetResult(s.relpath, len(s.cells)) for s in snippets])
    summary.write(summary_file)
    for number, (snippet, result) in enumerate(zip(snippets, summary.results, strict=True), 1):
        log(f"[{number}/{len(snippets)}] {snippet.relpath} ({options.mode} mode)")
        try:
            _run_and_store(snippet, options, store_dir, repo_dir, result, log)
        except SnippetRunError as err:
            result.status, result.failure = "failed", err
            summary.write(summary_file)
            if not keep_going:
                raise
            log(f"    FAILED: snippets/{err.snippet}, cell {err.cell!r}")
            continue
        summary.write(summary_file)
    return summary


def _run_and_store(snippet: Snippet, options: RunOptions, store_dir: Path, repo_dir: Path,
                   result: SnippetResult, log: Callable[[str], None]) -> None:
    """Run one snippet and store its run; a failure raises SnippetRunError."""
    started = time.monotonic()
    try:
        check_inputs_committed(snippet, repo_dir)
        run = execute_snippet(snippet, options, progress=log, repo_dir=repo_dir)
    finally:
        result.seconds = time.monotonic() - started
    try:
        dropped = store_run(snippet, run, store_path(store_dir, snippet.relpath), repo_dir)
    except StoreError as err:  # damaged meanwhile: this snippet fails, the others go on
        raise SnippetRunError(snippet.relpath, "(store)", str(err)) from None
    result.status, result.seconds = "ok", run["duration_s"]
    log(f"    done in {run['duration_s']:.1f} s on {run['device_name']}")
    for mode in dropped:
        if mode == options.mode:
            log(f"    not kept: no cell publishes from this {mode} run (a fresh full run "
                "of the same code is published)")
        else:
            log(f"    dropped the stored {mode} run: no cell publishes from it any more")


def store_run(snippet: Snippet, run: dict[str, Any], store_file: Path,
              repo_dir: Path) -> list[str]:
    """Store ``run`` as the snippet's run of its mode, under the store's lock, and drop the
    runs no cell publishes from (``run`` itself when a fresh full run of the same code is
    stored); return the dropped modes."""
    dropped: list[str] = []

    def change(data: dict[str, Any]) -> None:
        data["snippet"] = snippet.relpath
        data["runs"][run["mode"]] = run
        dropped.extend(drop_unpublishable_runs(data, snippet, repo_dir))

    update_store(store_file, change)
    return dropped
