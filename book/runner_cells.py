"""Execute one snippet cell by cell in a real Jupyter kernel: the run record of its cells.

nbclient drives an IPython kernel (the same one Jupyter uses), so what is stored is what a
reader sees when running the page's notebook: printed text, rich reprs, inline SVG figures
and the metrics d2lref publishes while training. Each cell's record holds its key, its
code key (for the library drift rule) and, in quick mode, what the mode changed in it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from book.cells import Snippet
from book.kernel import (
    RUN_DIR_PREFIX,
    interrupt_cell,
    notebook_client,
    remove_stale_run_dirs,
    running_kernel,
)
from book.outputs import clean_text, collect_outputs, unstable_output
from book.paths import REPO_DIR
from book.store.keys import code_keys, combined_keys
from book.store.library import imported_modules_record, module_digests, modules_digest
from book.store.schema import seal_record
from d2lref.config import QUICK_MODE_MIME_TYPE
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
# Run after the snippet's last cell and never shown: the d2lref modules the snippet
# imported, which the library part of its cells' keys covers.
MODULES_PROBE = """\
import json as _json, sys as _sys
print(_json.dumps(sorted(_n for _n in _sys.modules if _n.split(".")[0] == "d2lref")))
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
    # The code as it was when the run began: the snippet's cells, its inputs, d2lref.
    code, digests = code_keys(snippet, repo_dir), module_digests()
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell(KERNEL_SETUP))
    for cell in snippet.cells:
        notebook.cells.append(nbformat.v4.new_code_cell(cell.source, metadata={"name": cell.name}))
    notebook.cells.append(nbformat.v4.new_code_cell(MODULES_PROBE))

    started = time.monotonic()
    deadline = started + options.timeout_s
    remove_stale_run_dirs()
    with tempfile.TemporaryDirectory(prefix=f"{RUN_DIR_PREFIX}{os.getpid()}-") as workdir:
        client = notebook_client(notebook, options.timeout_s, Path(workdir))
        with running_kernel(client, env=kernel_env(options), cwd=workdir):
            failure = _execute_cells(client, snippet, options, deadline, progress)
        if failure is not None:
            raise failure

    modules = _imported_modules(snippet, notebook.cells[-1])
    keys = combined_keys(code, modules_digest(modules, digests))
    cells = _cell_records(snippet, notebook, keys, code, progress, options.mode)
    run = {
        "mode": options.mode,
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "commit": _git_commit(repo_dir),
        "duration_s": round(time.monotonic() - started, 3),
        "library_modules": imported_modules_record(modules, digests),
        "cells": cells,
    }
    run.update(environment_facts())
    return run


def _imported_modules(snippet: Snippet, probe: nbformat.NotebookNode) -> list[str]:
    """The d2lref modules the kernel had imported, as the probe cell printed them."""
    text = "".join(out.get("text", "") for out in probe.get("outputs", [])
                   if out.get("output_type") == "stream" and out.get("name") == "stdout")
    try:
        names = json.loads(text)
    except json.JSONDecodeError:
        names = None
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise SnippetRunError(snippet.relpath, "(modules)",
                              f"the kernel did not list its d2lref modules; it printed {text!r}")
    return names


def dead_kernel_message(client: NotebookClient) -> str:
    """Why the kernel's process ended, as far as its exit status tells."""
    process = getattr(getattr(client.km, "provisioner", None), "process", None)
    status = process.poll() if process is not None else None
    if status is not None and status < 0:
        how = f"it was killed by {signal.Signals(-status).name}"
        if -status == signal.SIGKILL:
            how += " (what the system's out-of-memory killer sends)"
    elif status is not None:
        how = f"its process exited with status {status}"
    else:
        how = "its process is gone"
    return (f"the kernel died (out of memory?) while this cell ran: {how}. Nothing of this "
            "snippet is stored; the run goes on with the next snippet. Run this snippet alone "
            "and watch its memory, or lower its batch size.")


def _execute_cells(
    client: NotebookClient,
    snippet: Snippet,
    options: RunOptions,
    deadline: float,
    progress: Callable[[str], None] | None,
) -> SnippetRunError | None:
    """Execute the setup cell and the snippet's cells in order; the first failure, if any."""
    names = ["(setup)", *(cell.name for cell in snippet.cells), "(modules)"]
    for index, nb_cell in enumerate(client.nb.cells):
        name = names[index]
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
        except DeadKernelError:
            # An out-of-memory kill, a segfault or os._exit(): this snippet fails and the
            # kernel context shuts down what is left of it.
            return SnippetRunError(snippet.relpath, name, dead_kernel_message(client))
        except KeyboardInterrupt:
            # Stopped (Ctrl+C, SIGTERM, SIGHUP) while a cell runs: the run is given
            # up, so the kernel is killed rather than asked to shut down. A kernel
            # that shuts down under a running cell may print a ZMQError traceback
            # when the cell ends, and the cell would have to end first.
            client.shutdown_kernel = "immediate"
            raise
        if progress and 0 < index <= len(snippet.cells):
            progress(
                f"  [{index}/{len(snippet.cells)}] {name} "
                f"{time.monotonic() - cell_start:.1f} s"
            )
    return None


def _cell_records(
    snippet: Snippet,
    notebook: nbformat.NotebookNode,
    keys: dict[str, str],
    code: dict[str, str],
    progress: Callable[[str], None] | None,
    mode: str,
) -> dict[str, Any]:
    """The sealed record of every cell that ran: its keys, count, duration and outputs, and
    in quick mode what the mode changed in it."""
    cells: dict[str, Any] = {}
    ran = notebook.cells[1 : 1 + len(snippet.cells)]
    for cell, nb_cell in zip(snippet.cells, ran, strict=True):
        duration = _duration(nb_cell)
        if nb_cell.get("execution_count") is None or not duration or duration <= 0:
            raise SnippetRunError(
                snippet.relpath, cell.name,
                "the kernel reported no execution for this cell (no count or a 0 s run)",
            )

        def warn(message: str, name: str = cell.name) -> None:
            if progress:
                progress(f"  warning: cell {name!r}: {message}")

        raw, changes = _quick_mode_changes(nb_cell.get("outputs", []))
        outputs = collect_outputs(raw, METRICS_MIME_TYPE, warn)
        unstable = unstable_output(outputs)
        if unstable is not None:
            raise SnippetRunError(
                snippet.relpath, cell.name,
                f"the output {unstable!r} changes on every run (a memory address or an object "
                "repr). Assign the value (e.g. '_ = torch.manual_seed(0)') or print what "
                "matters instead.",
            )
        record = {
            "key": keys[cell.name],
            "code_key": code[cell.name],
            "execution_count": nb_cell["execution_count"],
            "duration_s": round(duration, 6),
            "outputs": outputs,
        }
        if mode == "quick":
            record["quick_changes"] = changes
        cells[cell.name] = seal_record(record)
    return cells


def _quick_mode_changes(outputs: list[Any]) -> tuple[list[Any], list[dict[str, Any]]]:
    """The cell's outputs without d2lref's quick-mode notes, and the notes (each distinct
    note once, in order): what quick mode changed in this cell."""
    kept, changes = [], []
    for output in outputs:
        note = output.get("data", {}).get(QUICK_MODE_MIME_TYPE)
        if note is None:
            kept.append(output)
        elif note not in changes:
            changes.append(note)
    return kept, changes
