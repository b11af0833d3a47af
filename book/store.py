"""Stored outputs of snippet runs, keyed by a hash of everything each cell depends on.

One JSON file per snippet, beside it: ``snippets/<chapter>/<page>.outputs.json``. It holds
the latest complete run of each mode (``quick`` and ``full``). A cell's key hashes the
library's source, the snippet's earlier cells, the cell itself and the repository files the
cell declares it reads (a ``# reads: PATTERN ...`` comment line in the cell, see
CONTRIBUTING.md), so editing a cell marks exactly that cell and the ones after it stale,
editing d2lref marks every cell stale, and committing a new benchmark result marks the
Performance page stale.

Every cell record carries a digest of its content: only the runner writes outputs, and text
edited by hand is refused when the store is read. Files are replaced atomically under a
lock: a run killed halfway leaves the previous outputs intact, and two runs updating the
same store both keep their results.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import json
import os
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from book.cells import Snippet, SnippetError
from book.paths import LIBRARY_DIR, REPO_DIR

MODES = ("full", "quick")
STORE_SUFFIX = ".outputs.json"
# Version of the file layout. Format 1 (no "format" field) had no digests:
# ``python -m book migrate`` upgrades such files without changing their outputs.
STORE_FORMAT = 2
# Bumped when the way cells are executed changes in a way that affects outputs.
RUNNER_VERSION = "1"

# "# reads: book/bench/results/*.json book/bench/*.py" in a cell: repository files the
# cell reads, relative to the repository root.
READS_DECLARATION = re.compile(r"^[ \t]*#[ \t]*reads:[ \t]*(?P<patterns>\S.*?)[ \t]*$", re.M)

OUTPUT_FIELDS: dict[str, dict[str, type | tuple[type, ...]]] = {
    # type -> required fields and their JSON types
    "stream": {"name": str, "text": str},
    "text": {"text": str},
    "svg": {"data": str},
    "png": {"data": str},
    "jpeg": {"data": str},
    "html": {"data": str},
    "markdown": {"data": str},
    "latex": {"data": str},
    "metrics": {"data": (dict, list)},
}
STREAM_NAMES = ("stdout", "stderr")


class StoreError(ValueError):
    """A stored output file that cannot be trusted (corrupt, edited by hand, never ran)."""


# --- keys -----------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def library_hash(package_dir: Path = LIBRARY_DIR) -> str:
    """Hash of d2lref's library source (every .py file of the package).

    The book's own machinery (``book/``) is not part of it: editing the runner or the
    benchmark leaves outputs fresh. A snippet that reads the benchmark's files declares them
    (``# reads: book/bench/*.py``)."""
    digest = hashlib.sha256()
    for path in sorted(package_dir.rglob("*.py")):
        rel = path.relative_to(package_dir).as_posix()
        if "__pycache__" in rel:
            continue
        digest.update(rel.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes().replace(b"\r\n", b"\n"))
        digest.update(b"\0")
    return digest.hexdigest()


def declared_inputs(source: str) -> list[str]:
    """The repository file patterns a cell declares with ``# reads:`` lines."""
    patterns: list[str] = []
    for match in READS_DECLARATION.finditer(source):
        patterns.extend(match.group("patterns").split())
    return patterns


def _git(repo_dir: Path, *args: str) -> str | None:
    """Output of a git command in ``repo_dir``, or None outside a git checkout."""
    try:
        result = subprocess.run(
            ["git", *args], cwd=repo_dir, capture_output=True, text=True, check=True,
            timeout=60,
        )
    except (OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired):
        return None
    return result.stdout


def _is_git_checkout(repo_dir: Path) -> bool:
    top = _git(repo_dir, "rev-parse", "--show-toplevel")
    return top is not None and Path(top.strip()).resolve() == repo_dir.resolve()


def _check_pattern(pattern: str, where: str) -> str:
    if pattern.startswith("/") or ".." in Path(pattern).parts or "**" in pattern or "\\" in pattern:
        raise SnippetError(
            f"{where}: '# reads: {pattern}' must be a path relative to the repository root, "
            "with '*' only inside one folder, e.g. book/bench/results/*.json."
        )
    return pattern


def _pattern_prefix(pattern: str) -> str:
    """The folder part of ``pattern`` before its first wildcard."""
    head = re.split(r"[*?\[]", pattern, maxsplit=1)[0]
    return head.rsplit("/", 1)[0] if "/" in head else ""


def committed_inputs(repo_dir: Path, patterns: list[str], where: str) -> dict[str, str]:
    """Git blob ids of the files matching ``patterns``, as committed at HEAD.

    Committed content, not the working tree: results a local benchmark run writes do not
    change a page's key until they are committed on purpose. Outside a git checkout (an
    exported tree) the working-tree files are hashed the way git hashes blobs, so the keys
    agree with a checkout of the same commit.
    """
    patterns = [_check_pattern(p, where) for p in patterns]
    blobs: dict[str, str] = {}
    if _is_git_checkout(repo_dir):
        prefixes = sorted({_pattern_prefix(p) or "." for p in patterns})
        listing = _git(repo_dir, "ls-tree", "-r", "HEAD", "--", *prefixes) or ""
        for line in listing.splitlines():
            meta, _, path = line.partition("\t")
            if any(fnmatch.fnmatchcase(path, p) for p in patterns):
                blobs[path] = meta.split()[2]
    else:
        for pattern in patterns:
            for path in repo_dir.glob(pattern):
                if path.is_file():
                    content = path.read_bytes()
                    header = f"blob {len(content)}\0".encode()
                    rel = path.relative_to(repo_dir).as_posix()
                    blobs[rel] = hashlib.sha1(header + content).hexdigest()  # noqa: S324
    for pattern in patterns:
        if not any(fnmatch.fnmatchcase(path, pattern) for path in blobs):
            raise SnippetError(
                f"{where}: '# reads: {pattern}' matches no committed file. Commit the files "
                "the cell reads, or fix the pattern."
            )
    return dict(sorted(blobs.items()))


def uncommitted_inputs(repo_dir: Path, patterns: list[str]) -> list[str]:
    """Files matching ``patterns`` that differ from HEAD (new, modified or deleted)."""
    if not patterns or not _is_git_checkout(repo_dir):
        return []
    prefixes = sorted({_pattern_prefix(p) or "." for p in patterns})
    listing = _git(repo_dir, "status", "--porcelain", "--untracked-files=all", "--", *prefixes)
    changed = []
    for line in (listing or "").splitlines():
        path = line[3:].split(" -> ")[-1].strip('"')
        if any(fnmatch.fnmatchcase(path, p) for p in patterns):
            changed.append(path)
    return changed


def snippet_inputs(snippet: Snippet) -> list[str]:
    """Every pattern the snippet's cells declare with ``# reads:``."""
    return [p for cell in snippet.cells for p in declared_inputs(cell.source)]


def cell_keys(snippet: Snippet, lib_hash: str, repo_dir: Path = REPO_DIR) -> dict[str, str]:
    """The key of every cell: a hash of the library, the earlier cells, the cell and its inputs."""
    digest = hashlib.sha256()
    digest.update(f"runner {RUNNER_VERSION}\0library {lib_hash}\0".encode())
    keys: dict[str, str] = {}
    for cell in snippet.cells:
        digest.update(f"cell {cell.name}\0".encode())
        digest.update(cell.source.encode())
        digest.update(b"\0")
        patterns = declared_inputs(cell.source)
        if patterns:
            where = f"snippets/{snippet.relpath}, cell {cell.name!r}"
            for path, blob in committed_inputs(repo_dir, patterns, where).items():
                digest.update(f"input {path} {blob}\0".encode())
        keys[cell.name] = digest.copy().hexdigest()
    return keys


# --- digests and schema ---------------------------------------------------------------------


def record_digest(record: dict[str, Any]) -> str:
    """Digest of a cell record (everything but the digest itself), written by the runner."""
    content = {name: value for name, value in record.items() if name != "digest"}
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"d2lref-cell-record-v{STORE_FORMAT}\0{text}".encode()).hexdigest()


def seal_record(record: dict[str, Any]) -> dict[str, Any]:
    """The record with its digest added (the only way outputs enter a store)."""
    sealed = {name: value for name, value in record.items() if name != "digest"}
    sealed["digest"] = record_digest(sealed)
    return sealed


def _fail(path: Path, field: str, problem: str) -> StoreError:
    return StoreError(
        f"{path}: field {field!r} {problem}. The file is damaged or was edited by hand: "
        f"restore it with 'git checkout -- {path}' or delete it, then re-run the snippet "
        "with 'python -m book run'."
    )


def _check_output(path: Path, field: str, item: Any) -> None:
    if not isinstance(item, dict):
        raise _fail(path, field, f"is {type(item).__name__}, not an object")
    kind = item.get("type")
    if kind not in OUTPUT_FIELDS:
        raise _fail(path, f"{field}.type", f"is {kind!r}, not one of {sorted(OUTPUT_FIELDS)}")
    for name, expected in OUTPUT_FIELDS[kind].items():
        if not isinstance(item.get(name), expected):
            raise _fail(path, f"{field}.{name}", f"is missing or not {_type_name(expected)}")
    if kind == "stream" and item["name"] not in STREAM_NAMES:
        raise _fail(path, f"{field}.name", f"is {item['name']!r}, not stdout or stderr")


def _type_name(expected: type | tuple[type, ...]) -> str:
    names = {str: "a string", dict: "an object", list: "a list", int: "an integer"}
    kinds = expected if isinstance(expected, tuple) else (expected,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def check_cell_record(path: Path, field: str, record: Any, check_digest: bool = True) -> None:
    """Check one cell record's shape, that it shows a real execution, and its digest."""
    if not isinstance(record, dict):
        raise _fail(path, field, f"is {type(record).__name__}, not an object")
    if not isinstance(record.get("key"), str) or not record["key"]:
        raise _fail(path, f"{field}.key", "is missing or not a string")
    count = record.get("execution_count")
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise _fail(path, f"{field}.execution_count", f"is {count!r}: the cell never ran")
    duration = record.get("duration_s")
    if not isinstance(duration, (int, float)) or isinstance(duration, bool) or duration <= 0:
        raise _fail(path, f"{field}.duration_s", f"is {duration!r}: the cell never ran")
    outputs = record.get("outputs")
    if not isinstance(outputs, list):
        raise _fail(path, f"{field}.outputs", "is missing or not a list")
    for index, item in enumerate(outputs):
        _check_output(path, f"{field}.outputs[{index}]", item)
    if check_digest:
        digest = record.get("digest")
        if not isinstance(digest, str):
            raise _fail(path, f"{field}.digest", "is missing")
        if digest != record_digest(record):
            raise StoreError(
                f"{path}: the outputs of {field} do not match their digest: they were "
                "edited by hand. Outputs are written only by 'python -m book run': "
                f"restore the file with 'git checkout -- {path}' or re-run the snippet."
            )


def check_store(path: Path, data: Any, check_digests: bool = True) -> dict[str, Any]:
    """Check a parsed store against the schema; errors name the file and the field."""
    if not isinstance(data, dict):
        raise _fail(path, "(top level)", f"is {type(data).__name__}, not an object")
    if check_digests and data.get("format") != STORE_FORMAT:
        if "format" not in data:
            raise StoreError(
                f"{path} was written by an older runner (no 'format' field, no output "
                "digests). Upgrade it without changing its outputs: "
                "'python -m book migrate'."
            )
        raise _fail(path, "format", f"is {data['format']!r}, not {STORE_FORMAT}")
    if "snippet" in data and not isinstance(data["snippet"], str):
        raise _fail(path, "snippet", "is not a string")
    runs = data.get("runs")
    if not isinstance(runs, dict):
        raise _fail(path, "runs", "is missing or not an object")
    for mode, run in runs.items():
        if mode not in MODES:
            raise _fail(path, f"runs.{mode}", f"names an unknown mode (modes: {', '.join(MODES)})")
        if not isinstance(run, dict):
            raise _fail(path, f"runs.{mode}", f"is {type(run).__name__}, not an object")
        for name in ("date", "mode"):
            if not isinstance(run.get(name), str):
                raise _fail(path, f"runs.{mode}.{name}", "is missing or not a string")
        cells = run.get("cells")
        if not isinstance(cells, dict):
            raise _fail(path, f"runs.{mode}.cells", "is missing or not an object")
        for name, record in cells.items():
            check_cell_record(path, f"runs.{mode}.cells.{name}", record, check_digests)
    return data


def empty_store() -> dict[str, Any]:
    return {"format": STORE_FORMAT, "runs": {}}


def _load_json(path: Path) -> Any:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise StoreError(
            f"{path} is not a text file (byte {err.start} is not UTF-8): it is damaged. "
            f"Restore it with 'git checkout -- {path}' or delete it and re-run the snippet."
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise StoreError(
            f"{path} is not valid JSON ({err}). Restore it with 'git checkout -- {path}' or "
            "delete it and re-run the snippet with 'python -m book run'."
        ) from None


def read_store(path: Path) -> dict[str, Any]:
    """Read and check one snippet's store file; an absent file is an empty store."""
    if not path.exists():
        return empty_store()
    return check_store(path, _load_json(path))


def migrate_store(path: Path) -> bool:
    """Upgrade a format-1 store to the current format (outputs unchanged). True if rewritten."""
    with store_lock(path):
        data = _load_json(path)
        if isinstance(data, dict) and data.get("format") == STORE_FORMAT:
            check_store(path, data)
            return False
        check_store(path, data, check_digests=False)
        for run in data["runs"].values():
            run["cells"] = {name: seal_record(rec) for name, rec in run["cells"].items()}
        data["format"] = STORE_FORMAT
        _write_unlocked(path, data)
    return True


# --- writing --------------------------------------------------------------------------------

NEW_FILE_MODE = 0o644
LOCK_TIMEOUT_S = 600.0


@contextlib.contextmanager
def store_lock(path: Path, timeout_s: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold the lock of one store file: read-modify-write cycles of two runs never interleave.

    ``fcntl.flock`` on the store's folder where available: no lock file is left behind, and
    the kernel releases the lock when a process dies, so a killed run never leaves the store
    locked. Elsewhere (Windows) an exclusive ``.NAME.lock`` file, removed after use.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout_s
    try:
        import fcntl
    except ImportError:  # Windows
        fcntl = None  # type: ignore[assignment]

    def waited_too_long(hint: str = "") -> StoreError:
        return StoreError(
            f"{path} stayed locked by another run for {timeout_s:.0f} s; wait for it to "
            f"finish{hint}."
        )

    if fcntl is not None:
        handle = os.open(path.parent, os.O_RDONLY)
        try:
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise waited_too_long() from None
                    time.sleep(0.05)
            yield
        finally:
            os.close(handle)  # closing releases the lock
        return
    lock_path = path.parent / f".{path.name}.lock"
    while True:
        try:
            handle = os.open(lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            break
        except FileExistsError:
            if time.monotonic() > deadline:
                raise waited_too_long(f" (or, if no run is active, delete {lock_path})") from None
            time.sleep(0.05)
    try:
        yield
    finally:
        os.close(handle)
        lock_path.unlink(missing_ok=True)


def _temporaries(path: Path) -> list[Path]:
    return [p for p in path.parent.glob(f".{path.name}.*.tmp") if p.is_file()]


def _write_unlocked(path: Path, data: dict[str, Any]) -> None:
    # The lock is held: any temporary of this store is a leftover of a killed writer.
    for leftover in _temporaries(path):
        leftover.unlink(missing_ok=True)
    text = json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    mode = (path.stat().st_mode & 0o7777) if path.exists() else NEW_FILE_MODE
    tmp = path.parent / f".{path.name}.{os.getpid()}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_store(path: Path, data: dict[str, Any]) -> None:
    """Check and write a whole store file atomically, under its lock, keeping its mode."""
    data = dict(data)
    data["format"] = STORE_FORMAT
    check_store(path, data)
    with store_lock(path):
        _write_unlocked(path, data)


def update_store(path: Path, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Read the store, apply ``change`` to it and write it back, all under the store's lock."""
    with store_lock(path):
        data = read_store(path)
        change(data)
        data["format"] = STORE_FORMAT
        check_store(path, data)
        _write_unlocked(path, data)
    return data


# --- publishing -----------------------------------------------------------------------------


def validate_cell_record(record: dict[str, Any], where: str) -> None:
    """Reject a cell record that shows no real execution (like a tutorial 'run in 0 s')."""
    check_cell_record(Path(where), "cell", record, check_digest=False)


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


def store_path(store_dir: Path, snippet_relpath: str) -> Path:
    """Where the outputs of ``snippet_relpath`` live inside ``store_dir``."""
    return store_dir / (snippet_relpath[: -len(".py")] + STORE_SUFFIX)
