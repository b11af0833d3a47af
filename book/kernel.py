"""The Jupyter kernel a snippet runs in: its client, its run folder and sockets, and how a
run that is stopped or runs out of time ends it, with every process the kernel started."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, cast

import nbformat
import psutil  # a dependency of IPython, which the kernel runs
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient import NotebookClient

# Every run works in a folder "d2lref-run-<pid>-XXXX" in the temporary directory: the
# kernel's working directory, its IPC sockets and its connection file. The pid lets the next
# run remove the folders of runs that were killed.
RUN_DIR_PREFIX = "d2lref-run-"
# Signals that stop a run cleanly: the kernel is shut down and the run folder removed.
STOP_SIGNALS = ("SIGTERM", "SIGHUP")


@contextmanager
def stop_cleanly_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into KeyboardInterrupt while running, so the kernel is shut
    down, the run folder removed and no half-written store temporary is left behind."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"stopped by {signal.Signals(signum).name}")

    previous = {}
    for name in STOP_SIGNALS:
        number = getattr(signal, name, None)
        if number is not None:
            previous[number] = signal.signal(number, stop)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by someone else
    return True


# A Unix socket's path must fit in sun_path (108 bytes on Linux, 104 on macOS); zmq adds
# "-<port number>" to the base path we give it.
_MAX_SOCKET_PATH = 100


def _kernel_address(workdir: Path) -> tuple[str, str]:
    """IPC sockets in the run folder where the platform and the path length allow them,
    else TCP on the loopback address (Windows, or a deep temporary folder)."""
    socket_base = str(workdir / "kernel")
    if os.name == "posix" and len(socket_base.encode()) + 6 <= _MAX_SOCKET_PATH:
        return "ipc", socket_base
    return "tcp", "127.0.0.1"


def remove_stale_run_dirs(tmp_root: Path | None = None) -> list[Path]:
    """Remove the run folders of runs that were killed (their process is gone)."""
    removed = []
    root = tmp_root or Path(tempfile.gettempdir())
    for folder in root.glob(f"{RUN_DIR_PREFIX}*"):
        owner = folder.name[len(RUN_DIR_PREFIX):].split("-", 1)[0]
        if owner.isdigit():
            if _pid_alive(int(owner)):
                continue
        elif time.time() - folder.stat().st_mtime < 24 * 3600:
            continue  # an older runner's folder without a pid: only once it is a day old
        if folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def interrupt_cell(client: NotebookClient, wait_s: float = 5.0) -> None:
    """Interrupt the kernel's running cell and wait briefly for its reply."""
    if client.km is None or client.kc is None:
        return  # no kernel was started
    # nbclient starts the asynchronous kernel manager, typed as its synchronous base.
    manager = cast(AsyncKernelManager, client.km)
    try:
        run_sync(manager.interrupt_kernel)()
        run_sync(client.kc.shell_channel.get_msg)(timeout=wait_s)
    except Exception:  # noqa: BLE001 - best effort: the kernel is shut down next anyway
        pass


@contextmanager
def running_kernel(client: NotebookClient, **setup: Any) -> Iterator[None]:
    """``client.setup_kernel(**setup)``, after which no process the kernel started lives on.

    Shutting a kernel down ends its process group, and a cell may start processes outside
    it: a child with a session of its own (``start_new_session=True``) or a process group
    of its own. Just before the shutdown, the processes whose parent chain leads to the
    kernel, and the other members of its session, are noted; those still alive after the
    shutdown are ended (SIGTERM, then SIGKILL).
    """
    leftovers: list[psutil.Process] = []
    try:
        with client.setup_kernel(**setup):
            try:
                yield
            finally:
                leftovers = kernel_process_tree(client)
    finally:
        end_processes(leftovers)


def kernel_process_tree(client: NotebookClient) -> list[psutil.Process]:
    """The processes the client's kernel started: its descendants and, when the kernel
    leads a session of its own (as jupyter_client starts it), that session's members."""
    pid = getattr(getattr(client.km, "provisioner", None), "pid", None)
    if not isinstance(pid, int):
        return []
    try:
        kernel = psutil.Process(pid)
        found = {child.pid: child for child in kernel.children(recursive=True)}
        leads_session = os.getsid(pid) == pid
    except (psutil.Error, OSError):
        return []  # the kernel is gone; its group went with it
    if leads_session:
        for process in psutil.process_iter():
            with suppress(psutil.Error, OSError):
                if process.pid != pid and os.getsid(process.pid) == pid:
                    found.setdefault(process.pid, process)
    return list(found.values())


def end_processes(processes: list[psutil.Process], grace_s: float = 3.0) -> None:
    """End ``processes`` that are still alive: SIGTERM, then SIGKILL after ``grace_s``.

    psutil checks each process's start time, so a pid reused since it was noted is left
    alone."""
    alive = []
    for process in processes:
        with suppress(psutil.Error):
            process.terminate()
            alive.append(process)
    _, stubborn = psutil.wait_procs(alive, timeout=grace_s)
    for process in stubborn:
        with suppress(psutil.Error):
            process.kill()
    psutil.wait_procs(stubborn, timeout=grace_s)


def notebook_client(notebook: nbformat.NotebookNode, timeout_s: float,
                    workdir: Path) -> NotebookClient:
    """A client that runs ``notebook`` in a kernel working in ``workdir``.

    Local IPC sockets: no TCP port, nothing listening on the network. The connection file
    stays in the run folder too, so nothing is left in Jupyter's runtime folder.
    """
    client = NotebookClient(
        notebook,
        timeout=int(timeout_s),
        kernel_name="python3",
        allow_errors=False,
        record_timing=True,
        resources={"metadata": {"path": str(workdir)}},
    )
    transport, address = _kernel_address(workdir)
    client.km = client.kernel_manager_class(
        kernel_name="python3", transport=transport, ip=address,
        connection_file=str(workdir / "kernel.json"),
    )
    return client
