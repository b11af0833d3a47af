"""Execute snippets cell by cell in a real Jupyter kernel and store what each cell produced.

nbclient drives an IPython kernel (the same one Jupyter uses), so what is stored is what a
reader sees when running the page's notebook: printed text, rich reprs, inline SVG figures
and the metrics d2lref publishes while training.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError

from d2lref.book.cells import Snippet, load_snippet
from d2lref.book.store import (
    cell_keys,
    library_hash,
    read_store,
    store_path,
    write_store,
)
from d2lref.training.report import METRICS_MIME_TYPE

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

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


def _clean_text(text: str) -> str:
    """Strip terminal colors and keep only the last state of carriage-return progress lines."""
    text = ANSI_ESCAPE.sub("", text)
    return "\n".join(line.rsplit("\r", 1)[-1] for line in text.split("\n"))


def collect_outputs(cell: nbformat.NotebookNode) -> list[dict[str, Any]]:
    """Turn a notebook cell's outputs into the store's plain records."""
    records: list[dict[str, Any]] = []
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind == "stream":
            text = _clean_text(out.get("text", ""))
            if records and records[-1]["type"] == "stream" and records[-1]["name"] == out.name:
                records[-1]["text"] += text
            else:
                records.append({"type": "stream", "name": out.name, "text": text})
        elif kind in ("execute_result", "display_data"):
            data = out.get("data", {})
            if METRICS_MIME_TYPE in data:
                records.append({"type": "metrics", "data": data[METRICS_MIME_TYPE]})
            elif "image/svg+xml" in data:
                records.append({"type": "svg", "data": data["image/svg+xml"]})
            elif "image/png" in data:
                records.append({"type": "png", "data": data["image/png"]})
            elif "text/plain" in data:
                records.append({"type": "text", "text": _clean_text(data["text/plain"])})
    return records


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
            return _clean_text("\n".join(out.get("traceback", []))) or (
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
    env = dict(os.environ)
    env["D2LREF_MODE"] = options.mode
    if options.data_root:
        env["D2LREF_DATA"] = str(Path(options.data_root).resolve())
    env["PYTHONHASHSEED"] = "0"
    # The kernel picks its inline backend itself; a backend set for scripts would hide plots.
    env.pop("MPLBACKEND", None)
    return env


def execute_snippet(
    snippet: Snippet,
    options: RunOptions,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run every cell of ``snippet`` in a fresh kernel; return the run record (not stored)."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell(KERNEL_SETUP))
    for cell in snippet.cells:
        notebook.cells.append(nbformat.v4.new_code_cell(cell.source, metadata={"name": cell.name}))

    started = time.monotonic()
    deadline = started + options.timeout_s
    with tempfile.TemporaryDirectory(prefix="d2lref-run-") as workdir:
        client = NotebookClient(
            notebook,
            timeout=int(options.timeout_s),
            kernel_name="python3",
            allow_errors=False,
            record_timing=True,
            resources={"metadata": {"path": workdir}},
        )
        # Local IPC sockets: no TCP port, nothing listening on the network.
        client.km = client.kernel_manager_class(
            kernel_name="python3", transport="ipc", ip=str(Path(workdir) / "kernel")
        )
        with client.setup_kernel(env=kernel_env(options), cwd=workdir):
            for index, nb_cell in enumerate(notebook.cells):
                name = "(setup)" if index == 0 else snippet.cells[index - 1].name
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise SnippetRunError(
                        snippet.relpath, name,
                        f"the snippet ran past its {options.timeout_s:.0f} s limit",
                    )
                client.timeout = max(1, int(remaining))
                cell_start = time.monotonic()
                try:
                    client.execute_cell(nb_cell, index)
                except CellTimeoutError as err:
                    raise SnippetRunError(
                        snippet.relpath, name,
                        f"timed out (limit {options.timeout_s:.0f} s per snippet): {err}",
                    ) from None
                except CellExecutionError:
                    raise SnippetRunError(snippet.relpath, name, _error_text(nb_cell)) from None
                if progress and index > 0:
                    progress(
                        f"  [{index}/{len(snippet.cells)}] {name} "
                        f"{time.monotonic() - cell_start:.1f} s"
                    )

    cells: dict[str, Any] = {}
    keys = cell_keys(snippet, library_hash())
    for cell, nb_cell in zip(snippet.cells, notebook.cells[1:], strict=True):
        duration = _duration(nb_cell)
        if nb_cell.get("execution_count") is None or not duration or duration <= 0:
            raise SnippetRunError(
                snippet.relpath, cell.name,
                "the kernel reported no execution for this cell (no count or a 0 s run)",
            )
        cells[cell.name] = {
            "key": keys[cell.name],
            "execution_count": nb_cell["execution_count"],
            "duration_s": round(duration, 6),
            "outputs": collect_outputs(nb_cell),
        }
    run = {
        "mode": options.mode,
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "commit": _git_commit(Path(__file__).resolve().parents[2]),
        "duration_s": round(time.monotonic() - started, 3),
        "library_hash": library_hash(),
        "cells": cells,
    }
    run.update(environment_facts())
    return run


def run_snippets(
    paths: list[Path],
    snippets_dir: Path,
    options: RunOptions,
    log: Callable[[str], None] = print,
) -> list[tuple[str, float]]:
    """Run and store each snippet; stop at the first failure. Returns (snippet, seconds)."""
    store_dir = options.store_dir or snippets_dir
    timings: list[tuple[str, float]] = []
    for number, path in enumerate(paths, start=1):
        snippet = load_snippet(path, snippets_dir)
        log(f"[{number}/{len(paths)}] {snippet.relpath} ({options.mode} mode)")
        run = execute_snippet(snippet, options, progress=log)
        target = store_path(store_dir, snippet.relpath)
        data = read_store(target)
        data["snippet"] = snippet.relpath
        data["runs"][options.mode] = run
        write_store(target, data)
        timings.append((snippet.relpath, run["duration_s"]))
        log(f"    done in {run['duration_s']:.1f} s on {run['device_name']}")
    return timings
