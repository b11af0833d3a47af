"""Stored outputs of snippet runs, keyed by a hash of the code each cell depends on.

One JSON file per snippet, beside it: ``snippets/<chapter>/<page>.outputs.json``. It holds
the latest complete run of each mode (``quick`` and ``full``). A cell's key hashes the
library's source, the snippet's earlier cells and the cell itself, so editing a cell marks
exactly that cell and the ones after it stale, and editing d2lref marks every cell stale.
Files are replaced atomically: a run killed halfway leaves the previous outputs intact.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from d2lref.book.cells import Snippet

MODES = ("full", "quick")
STORE_SUFFIX = ".outputs.json"
# Bumped when the way cells are executed changes in a way that affects outputs.
RUNNER_VERSION = "1"

PACKAGE_DIR = Path(__file__).resolve().parents[1]
# Tooling around the book, not code the snippets run: editing it leaves outputs fresh.
TOOLING_DIRS = ("book/", "bench/")


class StoreError(ValueError):
    """A stored output file that cannot be trusted (corrupt, or a cell that never ran)."""


@lru_cache(maxsize=4)
def library_hash(package_dir: Path = PACKAGE_DIR) -> str:
    """Hash of d2lref's library source (every .py file except the book and benchmark tooling)."""
    digest = hashlib.sha256()
    for path in sorted(package_dir.rglob("*.py")):
        rel = path.relative_to(package_dir).as_posix()
        if rel.startswith(TOOLING_DIRS) or "__pycache__" in rel:
            continue
        digest.update(rel.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes().replace(b"\r\n", b"\n"))
        digest.update(b"\0")
    return digest.hexdigest()


def cell_keys(snippet: Snippet, lib_hash: str) -> dict[str, str]:
    """The key of every cell: a hash of the library, the earlier cells and the cell."""
    digest = hashlib.sha256()
    digest.update(f"runner {RUNNER_VERSION}\0library {lib_hash}\0".encode())
    keys: dict[str, str] = {}
    for cell in snippet.cells:
        digest.update(f"cell {cell.name}\0".encode())
        digest.update(cell.source.encode())
        digest.update(b"\0")
        keys[cell.name] = digest.copy().hexdigest()
    return keys


def store_path(store_dir: Path, snippet_relpath: str) -> Path:
    """Where the outputs of ``snippet_relpath`` live inside ``store_dir``."""
    return store_dir / (snippet_relpath[: -len(".py")] + STORE_SUFFIX)


def read_store(path: Path) -> dict[str, Any]:
    """Read one snippet's store file; an absent file is an empty store."""
    if not path.exists():
        return {"runs": {}}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise StoreError(
            f"{path} is not valid JSON ({err}). Delete it and re-run the snippet with "
            "'python -m d2lref.book run'."
        ) from err
    if not isinstance(data, dict) or not isinstance(data.get("runs"), dict):
        raise StoreError(f"{path} has no 'runs' table. Delete it and re-run the snippet.")
    return data


def write_store(path: Path, data: dict[str, Any]) -> None:
    """Write a store file atomically (temporary file in the same folder, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    handle, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as tmp:
            tmp.write(text)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def validate_cell_record(record: dict[str, Any], where: str) -> None:
    """Reject a cell record that shows no real execution (like a tutorial 'run in 0 s')."""
    count = record.get("execution_count")
    duration = record.get("duration_s")
    if not isinstance(count, int) or count < 1:
        raise StoreError(f"{where}: no execution count recorded; the cell never ran.")
    if not isinstance(duration, (int, float)) or duration <= 0:
        raise StoreError(f"{where}: execution time {duration!r}; the cell never ran.")
    if not isinstance(record.get("outputs"), list):
        raise StoreError(f"{where}: outputs missing.")


@dataclass(frozen=True)
class CellOutput:
    """The published output of one cell: which run it came from, or why there is none."""

    status: str  # "ok", "stale" or "missing"
    mode: str | None = None
    record: dict[str, Any] | None = None
    run: dict[str, Any] | None = None


def published_outputs(
    snippet: Snippet, store_file: Path, lib_hash: str | None = None
) -> dict[str, CellOutput]:
    """For every cell, the outputs to publish: full mode wins, then quick, if fresh."""
    keys = cell_keys(snippet, lib_hash or library_hash())
    data = read_store(store_file)
    result: dict[str, CellOutput] = {}
    for cell in snippet.cells:
        choice = CellOutput(status="missing")
        for mode in MODES:
            run = data["runs"].get(mode)
            if not run:
                continue
            record = run.get("cells", {}).get(cell.name)
            if record is None:
                continue
            if record.get("key") != keys[cell.name]:
                if choice.status == "missing":
                    choice = CellOutput(status="stale", mode=mode)
                continue
            validate_cell_record(record, f"{store_file} [{mode}] cell {cell.name!r}")
            choice = CellOutput(status="ok", mode=mode, record=record, run=run)
            break
        result[cell.name] = choice
    return result
