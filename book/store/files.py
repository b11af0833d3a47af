"""Reading and writing store files: checked on read, replaced atomically under a lock.

A run killed halfway leaves the previous outputs intact, and two runs updating the same
store both keep their results.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from book.store.schema import (
    STORE_FORMAT,
    StoreError,
    check_store,
    check_unsealed_records,
    empty_store,
    seal_record,
)

STORE_SUFFIX = ".outputs.json"
NEW_FILE_MODE = 0o644
LOCK_TIMEOUT_S = 600.0


def store_path(store_dir: Path, snippet_relpath: str) -> Path:
    """Where the outputs of ``snippet_relpath`` live inside ``store_dir``."""
    return store_dir / (snippet_relpath[: -len(".py")] + STORE_SUFFIX)


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


def migrate_store(path: Path,
                  tidy: Callable[[dict[str, Any]], object] | None = None) -> bool:
    """Upgrade a store written by an older runner (no ``format`` field) to the current
    format, its outputs unchanged, applying ``tidy`` to it before it is written; True if
    rewritten.

    Only a store without a ``format`` field is migrated, and only after checking it: a
    record that carries a digest (a current store whose field was removed) must match it,
    so that migrating never turns hand-edited outputs into sealed ones. A current store is
    checked and left alone; a newer one is refused ("upgrade"), and so is any other format.
    """
    with store_lock(path):
        data = _load_json(path)
        if not isinstance(data, dict) or "format" in data:
            check_store(path, data)  # current: passes; newer or unknown: a clear error
            return False
        check_store(path, data, check_digests=False)
        check_unsealed_records(path, data)
        for run in data["runs"].values():
            run["cells"] = {name: seal_record(rec) for name, rec in run["cells"].items()}
        data["format"] = STORE_FORMAT
        if tidy is not None:
            tidy(data)
        check_store(path, data)
        _write_unlocked(path, data)
    return True


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
