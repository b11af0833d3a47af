"""Fault injection: runs killed during a cell or a store write, concurrent runs and writers,
corrupt stores, a huge print, odd printed text, a failing and a timed-out snippet.

Nothing is lost (the previous outputs stay, what succeeded is stored), nothing is left behind
(run folders, kernels, temporaries), and every failure is a clear message.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from book.cli import main
from book.kernel import RUN_DIR_PREFIX, remove_stale_run_dirs
from book.paths import REPO_DIR
from book.store.files import read_store, store_path, update_store, write_store
from book.store.schema import StoreError, seal_record
from tests.book.helpers import write

# The kernel writes its pid where the test can find it, then works for a long time.
SLOW_SNIPPET = """
# %% start
import os, pathlib
pathlib.Path({pid_file!r}).write_text(str(os.getpid()))
print("started")

# %% slow
import time
time.sleep(600)
"""


def start_run(snippets: Path, tmp_dir: Path, *args: str) -> subprocess.Popen:
    tmp_dir.mkdir(exist_ok=True)
    # Jupyter's runtime folder too, to see that no connection file is left there.
    env = dict(os.environ, TMPDIR=str(tmp_dir), PYTHONPATH=str(REPO_DIR),
               JUPYTER_RUNTIME_DIR=str(tmp_dir.parent / "runtime"))
    return subprocess.Popen(
        [sys.executable, "-m", "book", "--snippets-dir", str(snippets), "run", *args],
        stderr=subprocess.PIPE, text=True, cwd=REPO_DIR, env=env, start_new_session=True,
    )


def wait_for_line(process: subprocess.Popen, text: str) -> list[str]:
    lines = []
    for line in process.stderr:
        lines.append(line)
        if text in line:
            return lines
    raise AssertionError(f"the run ended before printing {text!r}: {''.join(lines)}")


def pid_gone(pid: int, within_s: float) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


def slow_book(tmp_path: Path) -> tuple[Path, Path]:
    pid_file = tmp_path / "kernel.pid"
    snippets = tmp_path / "snippets"
    write(snippets / "ch" / "slow.py", SLOW_SNIPPET.format(pid_file=str(pid_file)))
    return snippets, pid_file


def test_sigterm_during_a_cell_stops_the_kernel_and_leaves_nothing(tmp_path):
    snippets, pid_file = slow_book(tmp_path)
    process = start_run(snippets, tmp_path / "tmp")
    try:
        wait_for_line(process, "[1/2] start")
        process.send_signal(signal.SIGTERM)
        stderr = process.communicate(timeout=120)[1]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, stderr
    assert "stopped (stopped by SIGTERM)" in stderr
    assert "Traceback" not in stderr
    kernel_pid = int(pid_file.read_text())
    assert pid_gone(kernel_pid, 30), "the kernel outlived its run"
    assert list((tmp_path / "tmp").iterdir()) == []  # run folder, sockets, connection file
    assert not list((tmp_path / "runtime").glob("*"))
    assert sorted(p.name for p in (snippets / "ch").iterdir()) == ["slow.py"]


def test_sigkill_leftovers_are_removed_by_the_next_run(tmp_path):
    snippets, pid_file = slow_book(tmp_path)
    tmp_dir = tmp_path / "tmp"
    process = start_run(snippets, tmp_dir)
    try:
        wait_for_line(process, "[1/2] start")
        process.kill()  # the runner only: no handler runs
        process.wait(timeout=30)
        [leftover] = list(tmp_dir.iterdir())
        assert leftover.name.startswith(f"{RUN_DIR_PREFIX}{process.pid}-")
        # The kernel notices that its parent is gone and exits by itself.
        assert pid_gone(int(pid_file.read_text()), 30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # the run's own group, if anything is left
    # A live run's folder is left alone; the dead run's folder goes.
    live = tmp_dir / f"{RUN_DIR_PREFIX}{os.getpid()}-live"
    live.mkdir()
    assert remove_stale_run_dirs(tmp_dir) == [leftover]
    assert list(tmp_dir.iterdir()) == [live]


# A cell that starts processes outside the kernel's process group, which is all that shutting
# the kernel down ends: a child with a session of its own, and an orphan (its parent, a
# shell, has exited) in the kernel's session with a process group of its own.
ESCAPING_SNIPPET = """
# %% escape
import pathlib, subprocess, sys
# Their output goes nowhere: an inherited pipe would keep the run's stderr open.
own_session = subprocess.Popen(["sleep", "600"], start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
orphan = subprocess.run(
    ["sh", "-c", f"{{sys.executable}} -c 'import os, time; os.setpgid(0, 0); time.sleep(600)'"
     " >/dev/null 2>&1 & echo $!"],
    capture_output=True, text=True, check=True,
).stdout.strip()
pathlib.Path({pid_file!r}).write_text(f"{{own_session.pid}} {{orphan}}")
print("started")
"""


def ended(pid: int, within_s: float) -> bool:
    """Whether process ``pid`` has exited (a zombie waiting to be reaped counts)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.2)
    return False


def test_processes_a_cell_started_do_not_outlive_the_run(tmp_path):
    pid_file = tmp_path / "children.pid"
    snippets = tmp_path / "snippets"
    write(snippets / "ch" / "escape.py", ESCAPING_SNIPPET.format(pid_file=str(pid_file)))
    process = start_run(snippets, tmp_path / "tmp")
    try:
        stderr = process.communicate(timeout=300)[1]
        assert process.returncode == 0, stderr
        pids = [int(pid) for pid in pid_file.read_text().split()]
        assert len(pids) == 2
        assert [ended(pid, 30) for pid in pids] == [True, True]
    finally:
        for pid in pid_file.read_text().split() if pid_file.exists() else []:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGKILL)


def sample_store(note: str, cells: int = 1, size: int = 0) -> dict:
    records = {
        f"c{i}": seal_record({"key": "k" * 64, "execution_count": 1, "duration_s": 0.1,
                              "outputs": [{"type": "text", "text": note + "x" * size}]})
        for i in range(cells)
    }
    return {"runs": {"quick": {"mode": "quick", "date": "2026-12-01", "cells": records}}}


# Writes a new store but never gets to rename it, as when killed between write and rename.
HANGING_WRITER = """
import os, sys, time
sys.path.insert(0, {repo!r})
from pathlib import Path
from tests.book.test_faults import sample_store
from book.store.files import write_store

def hang(*args):
    print("written", flush=True)
    time.sleep(600)

os.replace = hang
write_store(Path({path!r}), sample_store("new", size=1_000_000))
"""


def test_kill_during_a_store_write_keeps_the_old_store(tmp_path):
    path = tmp_path / "ch" / "p.outputs.json"
    write_store(path, sample_store("old"))
    before = path.read_bytes()
    script = HANGING_WRITER.format(repo=str(REPO_DIR), path=str(path))
    writer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                              cwd=REPO_DIR)
    try:
        assert writer.stdout.readline().strip() == "written"
    finally:
        writer.kill()
        writer.wait(timeout=30)
    [temporary] = [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert temporary.name == f".p.outputs.json.{writer.pid}.tmp"
    assert path.read_bytes() == before  # the old outputs are intact
    write_store(path, sample_store("next"))  # the next write removes the leftover
    assert sorted(p.name for p in path.parent.iterdir()) == ["p.outputs.json"]


def add_cell(path: str, index: int) -> None:
    """One writer: read the store, think, add its own cell, write (see the test below)."""

    def change(data: dict) -> None:
        run = data["runs"].setdefault("quick", {"mode": "quick", "date": "2026", "cells": {}})
        time.sleep(0.2)  # widen the window in which an unlocked writer would lose updates
        run["cells"][f"writer-{index}"] = seal_record({
            "key": "k" * 64, "execution_count": 1, "duration_s": 0.1, "outputs": []})

    update_store(Path(path), change)


def test_concurrent_writers_lose_nothing(tmp_path):
    path = tmp_path / "p.outputs.json"
    # fork: the writers start at once (spawn would re-import torch in each of them).
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    writers = [context.Process(target=add_cell, args=(str(path), i)) for i in range(6)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=120)
        assert writer.exitcode == 0
    cells = read_store(path)["runs"]["quick"]["cells"]
    assert sorted(cells) == [f"writer-{i}" for i in range(6)]


TINY_SNIPPET = """
# %% mode
import os
print(os.environ["D2LREF_MODE"])
"""


def test_concurrent_runs_of_one_snippet_end_as_sequential_runs_would(tmp_path):
    # Whichever stores first, the store ends with the full run, which every cell publishes
    # from; the quick run is not kept (see publishable_runs). Without the store's lock, a
    # quick run that read the store before the full run wrote it would write the full run
    # away.
    snippets = tmp_path / "snippets"
    write(snippets / "ch" / "tiny.py", TINY_SNIPPET)
    runs = [start_run(snippets, tmp_path / f"tmp-{mode}", "--mode", mode)
            for mode in ("quick", "full")]
    logs = ""
    for process in runs:
        stderr = process.communicate(timeout=300)[1]
        assert process.returncode == 0, stderr
        logs += stderr
    stored = read_store(store_path(snippets, "ch/tiny.py"))["runs"]
    assert {mode: run["cells"]["mode"]["outputs"][0]["text"] for mode, run in stored.items()} == {
        "full": "full\n"}
    assert ("not kept: no cell publishes from this quick run" in logs
            or "dropped the stored quick run" in logs), logs


@pytest.mark.parametrize(
    "content",
    [b"\x00\x01\xfe\xff garbage", b'{"runs": {"quick": "yesterday"}}', b'{"runs": []}', b"{"],
)
def test_commands_report_a_corrupt_store_without_a_traceback(tmp_path, content, capsys):
    snippets = tmp_path / "snippets"
    write(snippets / "ch" / "p.py", TINY_SNIPPET)
    store = store_path(snippets, "ch/p.py")
    store.write_bytes(content)
    for command in (["status"], ["shard", "1/1"], ["run", "--stale-only"]):
        assert main(["--snippets-dir", str(snippets), *command]) == 2, command
        stderr = capsys.readouterr().err
        assert stderr.startswith(f"error: {store}"), stderr
        assert "Traceback" not in stderr


def test_a_store_of_a_newer_format_asks_for_an_upgrade_and_stays_untouched(tmp_path, capsys):
    snippets = tmp_path / "snippets"
    write(snippets / "ch" / "p.py", TINY_SNIPPET)
    store = store_path(snippets, "ch/p.py")
    future = sample_store("from the future")
    future["format"] = 3
    future["runs"]["quick"]["cells"]["c0"]["layout"] = "something this version cannot read"
    store.write_text(json.dumps(future), encoding="utf-8")
    before = store.read_bytes()
    shard = tmp_path / "shard"
    shutil.copytree(snippets, shard)
    commands = (["status"], ["run", "--stale-only"], ["migrate"], ["merge", str(shard)])
    for command in commands:
        assert main(["--snippets-dir", str(snippets), *command]) == 2, command
        stderr = capsys.readouterr().err
        assert stderr.startswith(f"error: {store}") or f"error: {shard}" in stderr, stderr
        assert "written by a newer version of the book's tools (store format 3" in stderr
        assert "upgrade this checkout" in stderr and "damaged" not in stderr
    assert store.read_bytes() == before  # migrate neither downgraded nor re-sealed it
    with pytest.raises(StoreError, match="newer version"):
        read_store(store)


# One run over three snippets: one fails, one times out, and one prints a lot of odd text.
BAD_SNIPPET = """
# %% fine
x = 1

# %% address
object()
"""
ODD_SNIPPET = r"""
# %% odd-text
print("```python\nnot code\n```\r\nwindows line\r\n<b>b</b> <script>alert(1)</script>")

# %% huge-print
print("\n".join(f"line {i}" for i in range(100_000)))

# %% rich
from IPython.display import HTML, Markdown, display
display(HTML("<table><tr><td>1</td></tr></table><script>alert(2)</script>"))
display(Markdown("**bold**"))
"""
SLEEPY_SNIPPET = """
# %% nap
import time
time.sleep(600)
"""


def test_a_failing_and_a_timed_out_snippet_do_not_stop_the_others(tmp_path):
    snippets = tmp_path / "snippets"
    write(snippets / "ch" / "a-bad.py", BAD_SNIPPET)
    write(snippets / "ch" / "b-odd.py", ODD_SNIPPET)
    write(snippets / "ch" / "c-sleepy.py", SLEEPY_SNIPPET)
    # The sleeper is stopped by the limit; the other two finish well within it.
    process = start_run(snippets, tmp_path / "tmp", "--timeout", "10")
    stderr = process.communicate(timeout=600)[1]
    assert process.returncode == 1, stderr
    # Failures are reported at the end, each with its reason.
    summary = stderr[stderr.index("FAILED: 2 of 3 snippets"):]
    assert "snippets/ch/a-bad.py, cell 'address' failed" in summary
    assert "'<object at 0x" in summary and "changes on every run" in summary
    assert "snippets/ch/c-sleepy.py, cell 'nap' failed" in summary
    assert "timed out: the snippet ran past its 10 s limit" in summary
    assert "ZMQError" not in stderr and "Traceback" not in stderr
    assert "warning: cell 'huge-print': output capped: 99601 lines omitted" in stderr
    # What succeeded is stored; what failed stored nothing.
    assert not store_path(snippets, "ch/a-bad.py").exists()
    assert not store_path(snippets, "ch/c-sleepy.py").exists()
    cells = read_store(store_path(snippets, "ch/b-odd.py"))["runs"]["quick"]["cells"]
    [odd] = cells["odd-text"]["outputs"]
    assert odd["text"] == ("```python\nnot code\n```\nwindows line\n"
                           "<b>b</b> <script>alert(1)</script>\n")
    [huge] = cells["huge-print"]["outputs"]
    assert huge["text"].startswith("line 0\n") and huge["text"].endswith("line 99999\n")
    assert "… 99601 lines omitted (the cell printed 100000 lines) …" in huge["text"]
    assert len(huge["text"]) < 10_000
    assert [r["type"] for r in cells["rich"]["outputs"]] == ["html", "markdown"]
    assert list((tmp_path / "tmp").iterdir()) == []


def test_json_of_a_failed_write_is_never_half_written(tmp_path):
    """A store whose write raised (disk full, interrupted) keeps its old content."""
    path = tmp_path / "p.outputs.json"
    write_store(path, sample_store("old"))

    def explode(data: dict) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        update_store(path, explode)
    assert json.loads(path.read_text())["runs"]["quick"]["cells"]["c0"]["outputs"][0]["text"] \
        == "old"
    with pytest.raises(StoreError, match="field 'runs.quick.cells'"):
        update_store(path, lambda data: data["runs"]["quick"].__setitem__("cells", []))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.outputs.json"]
