"""Where a data file is written before it is renamed into place.

Each target has a lock next to it (``.<name>.lock``): a second process that wants the same
file waits for the first and then finds it there, instead of downloading it again or
removing the first one's temporary file. Temporaries (``.<name>.<host>.<pid>.<random>.part``)
are created with the usual umask-derived mode, so a shared data root stays readable to
everyone it was meant for, and a temporary is removed by another process only when the
process that wrote it has ended.
"""

from __future__ import annotations

import contextlib
import errno
import os
import pathlib
import secrets
import socket
import time
from collections.abc import Iterator

from d2lref.data.errors import DataError

# Windows has no flock: there, per-process temporaries and atomic renames still keep the
# files whole, and a second download of the same file is simply repeated.
try:
    import fcntl
except ImportError:
    fcntl = None  # type: ignore[assignment]

__all__ = ["DATA_ROOT_SETTING", "folder_error", "target_lock", "temporary_next_to"]

DATA_ROOT_SETTING = "D2LREF_DATA (or root=)"
"""How a reader points the loaders at another folder (``download`` uses ``cache_dir=``)."""

_PART_SUFFIX = ".part"
_HOST = socket.gethostname().replace(".", "_") or "host"
# A temporary of another machine (a shared network folder) cannot be checked for a live
# owner; it counts as left over once nobody wrote to it for this long. (A live download
# writes far more often: it fails when a read_timeout window brings too few bytes.)
_FOREIGN_STALE_SECONDS = 3600.0


def folder_error(folder: pathlib.Path, label: str, error: OSError, setting: str) -> DataError:
    """The error for a folder a data file cannot be written to, with the fix."""
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return DataError(
            f"{label}: cannot write to {folder} ({error.strerror or error}): the folder is "
            f"read-only. Fix: make the folder writable, or point {setting} at a writable "
            "folder, or put the files there by hand.")
    if error.errno == errno.ENOSPC:
        return DataError(f"{label}: the disk is full while writing in {folder}. Fix: free "
                         f"space, or point {setting} at a folder on another disk.")
    return DataError(f"{label}: cannot create a file in {folder} ({error}). Fix: point "
                     f"{setting} at a folder you can write to.")


def _owner_is_alive(part: pathlib.Path, target: pathlib.Path) -> bool | None:
    """Whether the process that writes ``part`` still runs; None when it cannot be told."""
    middle = part.name[len(target.name) + 2:-len(_PART_SUFFIX)]
    host, _, rest = middle.rpartition(".")  # <host>.<pid>.<random>: rest is the random part
    host, _, pid = host.rpartition(".")
    if host != _HOST or not pid.isdigit() or os.name == "nt":
        return None  # (on Windows, os.kill would end the process instead of probing it)
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # alive, owned by someone else (or not ours to judge)
    return True


def _remove_left_over_parts(target: pathlib.Path) -> None:
    """Delete temporaries of ``target`` whose writer has ended (a killed download)."""
    now = time.time()
    for part in target.parent.glob(f".{target.name}.*{_PART_SUFFIX}"):
        alive = _owner_is_alive(part, target)
        try:
            if alive is False or (alive is None
                                  and now - part.stat().st_mtime > _FOREIGN_STALE_SECONDS):
                part.unlink()
        except OSError:
            pass  # removed meanwhile, or not ours to remove


@contextlib.contextmanager
def target_lock(target: pathlib.Path, label: str,
                setting: str = DATA_ROOT_SETTING) -> Iterator[None]:
    """Hold ``target``'s lock: one process at a time downloads or writes it.

    Creates the folder. Waits (with a message) while another process holds the lock. The
    lock file is removed on release; a waiter that then holds a removed file tries again.
    """
    folder = target.parent
    lock_path = folder / f".{target.name}.lock"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor = _locked_file(lock_path, target)
    except OSError as error:
        raise folder_error(folder, label, error, setting) from error
    try:
        yield
    finally:
        if fcntl is not None:
            lock_path.unlink(missing_ok=True)  # while still held: the next one re-creates it
        os.close(descriptor)
        if fcntl is None:
            with contextlib.suppress(OSError):  # Windows: no lock to hand over, no leftover
                lock_path.unlink()


def _locked_file(lock_path: pathlib.Path, target: pathlib.Path) -> int:
    """Open ``lock_path`` and lock it; returns its descriptor."""
    while True:
        descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o666)
        if fcntl is None:
            return descriptor
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"Waiting for another process that is writing {target}...")
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            if os.fstat(descriptor).st_ino == os.stat(lock_path).st_ino:
                return descriptor
        except FileNotFoundError:
            pass
        os.close(descriptor)  # its holder removed it on release: lock the new one


@contextlib.contextmanager
def temporary_next_to(target: pathlib.Path, label: str,
                      setting: str = DATA_ROOT_SETTING) -> Iterator[pathlib.Path]:
    """A new empty temporary file in ``target``'s folder, removed on exit unless renamed.

    Written next to the target, so ``os.replace(part, target)`` is an atomic rename; call it
    while holding :func:`target_lock`. A folder that cannot be written is a
    :class:`DataError` that says so and how to fix it.
    """
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _remove_left_over_parts(target)
        part = _create_part(target)
    except OSError as error:
        raise folder_error(folder, label, error, setting) from error
    try:
        yield part
    finally:
        part.unlink(missing_ok=True)


def _create_part(target: pathlib.Path) -> pathlib.Path:
    while True:
        name = f".{target.name}.{_HOST}.{os.getpid()}.{secrets.token_hex(4)}{_PART_SUFFIX}"
        part = target.parent / name
        try:
            # 0o666 less the umask, like any file the reader's programs create.
            os.close(os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return part
