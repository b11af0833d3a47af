"""The parts of a device run: each step's status and time, its logged output, and the
closing table."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from book.paths import REPO_DIR

# A part that would get less time than this is skipped rather than started.
MINIMUM_PART_S = 20.0


class Log:
    """Lines to the terminal and to a log file under the output folder, with elapsed time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.start = time.monotonic()
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("a", encoding="utf-8")

    def __call__(self, message: str = "") -> None:
        stamp = f"[{time.monotonic() - self.start:6.1f}s] "
        with self._lock:
            for line in message.splitlines() or [""]:
                print(stamp + line, flush=True)
                self._file.write(stamp + line + "\n")
            self._file.flush()

    def close(self) -> None:
        self._file.close()


@dataclass
class Part:
    """One step of the run and what came of it."""

    name: str
    kind: str  # "setup", "page", "benchmark" or "snippet"
    status: str = "pending"  # "ok", "failed", "timeout", "skipped"
    seconds: float = 0.0
    estimate_s: float | None = None
    detail: str = ""
    metrics: dict[str, Any] = field(default_factory=dict)


def _stream(process: subprocess.Popen, log: Log, prefix: str) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        log(prefix + line.rstrip("\n"))


def run_logged(command: Sequence[str], env: dict[str, str], log: Log, timeout_s: float,
               prefix: str = "    ") -> tuple[str, int | None]:
    """Run ``command``, streaming its output to the log; ``("timeout", None)`` past its time.

    The command gets its own process group, so a timeout also ends the kernels it started.
    """
    process = subprocess.Popen(list(command), env=env, cwd=REPO_DIR, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    reader = threading.Thread(target=_stream, args=(process, log, prefix), daemon=True)
    reader.start()
    try:
        code = process.wait(timeout=max(1.0, timeout_s))
    except subprocess.TimeoutExpired:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                break
            try:
                process.wait(timeout=10)
                break
            except subprocess.TimeoutExpired:
                continue
        reader.join(timeout=5)
        return "timeout", None
    reader.join(timeout=5)
    return ("ok" if code == 0 else "failed"), code


def skipped(part: Part, setup: Part, budget: float) -> bool:
    """Mark ``part`` skipped when the setup failed or too little time is left; say if so."""
    if setup.status != "ok":
        part.status, part.detail = "skipped", "setup failed"
    elif budget < MINIMUM_PART_S:
        part.status, part.detail = "skipped", f"out of time ({budget:.0f} s left)"
    return part.status == "skipped"


def run_part(part: Part, command: Sequence[str], env: dict[str, str], log: Log,
              budget: float, prefix: str = "    ") -> None:
    """Run ``command`` for ``part``: its status, its seconds, the exit status if it failed."""
    started = time.monotonic()
    part.status, code = run_logged(command, env, log, budget, prefix)
    part.seconds = round(time.monotonic() - started, 1)
    if code not in (0, None):
        part.detail = f"exit status {code}"


def failed_parts(parts: Sequence[Part]) -> list[str]:
    """Parts that failed or ran out of time, and pages that did not run at all."""
    return [part.name for part in parts
            if part.status in ("failed", "timeout") or (part.kind == "page"
                                                        and part.status != "ok")]


def format_summary(parts: Sequence[Part], wall_s: float) -> str:
    """The closing table: every part's status, time, estimate and test accuracy."""
    from book.bench.report import format_table

    rows = []
    for part in parts:
        estimate = f"{part.estimate_s:.0f}" if part.estimate_s is not None else ""
        accuracy = part.metrics.get("test_acc")
        book = part.metrics.get("book_test_acc")
        rows.append([part.name, part.status, f"{part.seconds:.1f}", estimate,
                     f"{accuracy:.3f}" if isinstance(accuracy, float) else "",
                     f"{book:.2f}" if book else "",
                     part.detail.splitlines()[0][:60] if part.detail else ""])
    failed = failed_parts(parts)
    table = format_table(["part", "status", "seconds", "estimate s", "test acc", "book's acc",
                          "detail"], rows)
    verdict = f"FAILED: {', '.join(failed)}" if failed else "every part that ran succeeded"
    below = [part.name for part in parts if "below the book's" in part.detail]
    if below:
        verdict += f"; below the book's test accuracy: {', '.join(below)}"
    pages = [part for part in parts if part.kind == "page" and part.status == "ok"]
    if pages:
        verdict += (f"; pages: {len(pages)} ran in "
                    f"{sum(part.seconds for part in pages) / 60:.1f} min")
    return f"{table}\nwall time {wall_s:.1f} s; {verdict}"

