"""Execute snippets cell by cell in a real Jupyter kernel and store what each cell produced.

nbclient drives an IPython kernel (the same one Jupyter uses), so what is stored is what a
reader sees when running the page's notebook: printed text, rich reprs, inline SVG figures
and the metrics d2lref publishes while training.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError

from book.cells import Snippet, load_snippet
from book.kernel import (
    RUN_DIR_PREFIX,
    interrupt_cell,
    notebook_client,
    remove_stale_run_dirs,
    running_kernel,
)
from book.outputs import clean_text, collect_outputs, unstable_output
from book.paths import REPO_DIR
from book.store.files import store_path, update_store
from book.store.keys import cell_keys, library_hash, snippet_inputs, uncommitted_inputs
from book.store.publishing import drop_unpublishable_runs
from book.store.schema import StoreError, seal_record
from d2lref.training.report import METRICS_MIME_TYPE

# Run before the snippet's first cell and never shown: SVG figures with stable ids, and a
# fixed seed so re-runs print the same numbers.
KERNEL_SETUP = """\
%config InlineBackend.figure_formats = ['svg']
import matplotlib as _mpl
_mpl.rcParams['svg.hashsalt'] = 'd2lref'
import d2lref.config as _d2lref_config
_d2lref_config.set_seed(0)
del _mpl, _d2lref_config
"""


class SnippetRunError(RuntimeError):
    """A snippet cell raised: names the snippet, the cell and carries the traceback."""

    def __init__(self, snippet: str, cell: str, traceback: str):
        self.snippet, self.cell, self.traceback = snippet, cell, traceback
        super().__init__(f"snippets/{snippet}, cell {cell!r} failed:\n{traceback}")


@dataclass
class RunOptions:
    """How to run snippets."""

    mode: str = "quick"
    data_root: str | None = None
    timeout_s: float = 1800.0
    store_dir: Path | None = None


@dataclass
class RunSummary:
    """What a run of several snippets did: seconds per stored snippet, and the failures."""

    timings: list[tuple[str, float]] = field(default_factory=list)
    failures: list[SnippetRunError] = field(default_factory=list)


def _duration(cell: nbformat.NotebookNode) -> float | None:
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not start or not end:
        return None
    parse = dt.datetime.fromisoformat
    return (parse(end.replace("Z", "+00:00")) - parse(start.replace("Z", "+00:00"))).total_seconds()


def _error_text(cell: nbformat.NotebookNode) -> str:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return clean_text("\n".join(out.get("traceback", []))) or (
                f"{out.get('ename')}: {out.get('evalue')}"
            )
    return "(no traceback recorded)"


def _git_commit(repo_dir: Path) -> str | None:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"], cwd=repo_dir, capture_output=True,
            text=True, check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return result.stdout.strip() or None


def environment_facts() -> dict[str, Any]:
    """Device, library versions and host facts recorded with every run."""
    import torch

    from d2lref.devices import device_name, try_gpu

    device = try_gpu()
    return {
        "device": str(device),
        "device_name": device_name(device),
        "torch": torch.__version__.split("+")[0],
        "cuda": torch.version.cuda if torch.cuda.is_available() else None,
        "python": platform.python_version(),
    }


def kernel_env(options: RunOptions) -> dict[str, str]:
    """The kernel's environment. The kernel works in a temporary folder, so a relative data
    root (``--data`` or ``D2LREF_DATA``) is resolved against the caller's directory."""
    env = dict(os.environ)
    env["D2LREF_MODE"] = options.mode
    data_root = options.data_root or env.get("D2LREF_DATA")
    if data_root:
        env["D2LREF_DATA"] = str(Path(data_root).expanduser().resolve())
    env["PYTHONHASHSEED"] = "0"
    env["D2LREF_PUBLISH_METRICS"] = "1"  # d2lref's training loops then publish their metrics
    # The kernel picks its inline backend itself; a backend set for scripts would hide plots.
    env.pop("MPLBACKEND", None)
    return env


def execute_snippet(
    snippet: Snippet,
    options: RunOptions,
    progress: Callable[[str], None] | None = None,
    repo_dir: Path | None = None,
) -> dict[str, Any]:
    """Run every cell of ``snippet`` in a fresh kernel; return the run record (not stored)."""
    repo_dir = repo_dir or REPO_DIR
    keys = cell_keys(snippet, library_hash(), repo_dir)  # the code as it was when the run began
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell(KERNEL_SETUP))
    for cell in snippet.cells:
        notebook.cells.append(nbformat.v4.new_code_cell(cell.source, metadata={"name": cell.name}))

    started = time.monotonic()
    deadline = started + options.timeout_s
    remove_stale_run_dirs()
    with tempfile.TemporaryDirectory(prefix=f"{RUN_DIR_PREFIX}{os.getpid()}-") as workdir:
        client = notebook_client(notebook, options.timeout_s, Path(workdir))
        with running_kernel(client, env=kernel_env(options), cwd=workdir):
            failure = _execute_cells(client, snippet, options, deadline, progress)
        if failure is not None:
            raise failure

    cells = _cell_records(snippet, notebook, keys, progress)
    run = {
        "mode": options.mode,
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "commit": _git_commit(repo_dir),
        "duration_s": round(time.monotonic() - started, 3),
        "library_hash": library_hash(),
        "cells": cells,
    }
    run.update(environment_facts())
    return run


def _execute_cells(
    client: NotebookClient,
    snippet: Snippet,
    options: RunOptions,
    deadline: float,
    progress: Callable[[str], None] | None,
) -> SnippetRunError | None:
    """Execute the setup cell and the snippet's cells in order; the first failure, if any."""
    for index, nb_cell in enumerate(client.nb.cells):
        name = "(setup)" if index == 0 else snippet.cells[index - 1].name
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return SnippetRunError(
                snippet.relpath, name,
                f"the snippet ran past its {options.timeout_s:.0f} s limit",
            )
        client.timeout = max(1, int(remaining))
        cell_start = time.monotonic()
        try:
            client.execute_cell(nb_cell, index)
        except CellTimeoutError:
            # Stop the cell before the kernel is shut down: a kernel killed in the
            # middle of a cell prints a long ZMQError traceback that says nothing.
            interrupt_cell(client)
            return SnippetRunError(
                snippet.relpath, name,
                f"timed out: the snippet ran past its {options.timeout_s:.0f} s limit "
                "(raise it with --timeout SECONDS)",
            )
        except CellExecutionError:
            return SnippetRunError(snippet.relpath, name, _error_text(nb_cell))
        except KeyboardInterrupt:
            # Stopped (Ctrl+C, SIGTERM, SIGHUP) while a cell runs: the run is given
            # up, so the kernel is killed rather than asked to shut down. A kernel
            # that shuts down under a running cell may print a ZMQError traceback
            # when the cell ends, and the cell would have to end first.
            client.shutdown_kernel = "immediate"
            raise
        if progress and index > 0:
            progress(
                f"  [{index}/{len(snippet.cells)}] {name} "
                f"{time.monotonic() - cell_start:.1f} s"
            )
    return None


def _cell_records(
    snippet: Snippet,
    notebook: nbformat.NotebookNode,
    keys: dict[str, str],
    progress: Callable[[str], None] | None,
) -> dict[str, Any]:
    """The sealed record of every cell that ran: its key, count, duration and outputs."""
    cells: dict[str, Any] = {}
    for cell, nb_cell in zip(snippet.cells, notebook.cells[1:], strict=True):
        duration = _duration(nb_cell)
        if nb_cell.get("execution_count") is None or not duration or duration <= 0:
            raise SnippetRunError(
                snippet.relpath, cell.name,
                "the kernel reported no execution for this cell (no count or a 0 s run)",
            )

        def warn(message: str, name: str = cell.name) -> None:
            if progress:
                progress(f"  warning: cell {name!r}: {message}")

        outputs = collect_outputs(nb_cell.get("outputs", []), METRICS_MIME_TYPE, warn)
        unstable = unstable_output(outputs)
        if unstable is not None:
            raise SnippetRunError(
                snippet.relpath, cell.name,
                f"the output {unstable!r} changes on every run (a memory address or an object "
                "repr). Assign the value (e.g. '_ = torch.manual_seed(0)') or print what "
                "matters instead.",
            )
        cells[cell.name] = seal_record({
            "key": keys[cell.name],
            "execution_count": nb_cell["execution_count"],
            "duration_s": round(duration, 6),
            "outputs": outputs,
        })
    return cells


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
) -> RunSummary:
    """Run and store each snippet.

    By default the first failure is raised. With ``keep_going`` every snippet runs, each
    success is stored at once, and the failures are returned in the summary.
    """
    store_dir = options.store_dir or snippets_dir
    repo_dir = snippets_dir.resolve().parent
    summary = RunSummary()
    for number, path in enumerate(paths, start=1):
        snippet = load_snippet(path, snippets_dir)
        log(f"[{number}/{len(paths)}] {snippet.relpath} ({options.mode} mode)")
        try:
            check_inputs_committed(snippet, repo_dir)
            run = execute_snippet(snippet, options, progress=log, repo_dir=repo_dir)
        except SnippetRunError as err:
            if not keep_going:
                raise
            log(f"    FAILED: snippets/{err.snippet}, cell {err.cell!r}")
            summary.failures.append(err)
            continue

        try:
            dropped = store_run(snippet, run, store_path(store_dir, snippet.relpath), repo_dir)
        except StoreError as err:  # a damaged store: this snippet fails, the others go on
            failure = SnippetRunError(snippet.relpath, "(store)", str(err))
            if not keep_going:
                raise failure from None
            log(f"    FAILED: {err}")
            summary.failures.append(failure)
            continue
        summary.timings.append((snippet.relpath, run["duration_s"]))
        log(f"    done in {run['duration_s']:.1f} s on {run['device_name']}")
        for mode in dropped:
            if mode == options.mode:
                log(f"    not kept: no cell publishes from this {mode} run (a fresh full run "
                    "of the same code is published)")
            else:
                log(f"    dropped the stored {mode} run: no cell publishes from it any more")
    return summary


def store_run(snippet: Snippet, run: dict[str, Any], store_file: Path,
              repo_dir: Path) -> list[str]:
    """Store ``run`` as the snippet's run of its mode, under the store's lock, and drop the
    runs no cell publishes from (``run`` itself when a fresh full run of the same code is
    stored); return the dropped modes."""
    keys = cell_keys(snippet, library_hash(), repo_dir)
    dropped: list[str] = []

    def change(data: dict[str, Any]) -> None:
        data["snippet"] = snippet.relpath
        data["runs"][run["mode"]] = run
        dropped.extend(drop_unpublishable_runs(data, keys))

    update_store(store_file, change)
    return dropped
