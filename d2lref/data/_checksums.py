"""File checksums, computed once per (path, size, mtime) within a process."""

from __future__ import annotations

import hashlib
import pathlib
import threading

from d2lref.data.errors import ChecksumMismatchError

_cache: dict[tuple[str, str, int, int], str] = {}
_lock = threading.Lock()


def file_digest(path: pathlib.Path, algorithm: str) -> str:
    """Hex digest of ``path``; re-reading the same unchanged file costs nothing."""
    stat = path.stat()
    key = (algorithm, str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    with _lock:
        if key in _cache:
            return _cache[key]
    digest = hashlib.new(algorithm)
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    value = digest.hexdigest()
    with _lock:
        _cache[key] = value
    return value


def verify_file(path: pathlib.Path, expected: str, algorithm: str, data_set: str) -> None:
    """Raise :class:`ChecksumMismatchError` unless ``path`` has the ``expected`` digest."""
    actual = file_digest(path, algorithm)
    if actual != expected:
        raise ChecksumMismatchError(
            f"{data_set}: {path} is damaged or not the published file "
            f"({algorithm.upper()} expected {expected}, actual {actual}). "
            f"Replace it with a fresh copy of the original file (delete it and copy or download "
            f"it again); a partial download or an edited file gives this error."
        )


def clear_cache() -> None:
    """Forget every cached digest (tests use it; files changed in place get a new mtime)."""
    with _lock:
        _cache.clear()
