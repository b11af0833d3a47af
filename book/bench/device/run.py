"""The run on the GPU machine: the chosen pages at full settings, the benchmark, the memory
layout timing, then every other stale snippet, each part in its share of the time budget.

Snippets run through the book's one full-run command (``python -m book full-run``, as on
the GPU workflow's runner): each page on its own, to time it and give it its own share of
the budget; the other stale snippets as ``jobs`` shards of one selection at once. This
module adds only what a bare machine lacks (the carried wheels and data) and the
benchmark."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from book.bench.device.carry import DeviceRunError, install_carried_wheels, unpack_data
from book.bench.device.machine import machine_facts
from book.bench.device.parts import (
    MINIMUM_PART_S,
    Log,
    Part,
    failed_parts,
    format_summary,
    run_part,
    skipped,
)
from book.bench.device.stores import PeriodicPacking, pack_stores, train_metrics
from book.paths import REPO_DIR

MODERN_CNN_PAGES = tuple(
    f"convolutional-modern/{name}.py"
    for name in ("alexnet", "vgg", "nin", "googlenet", "resnet", "densenet")
)
# Test accuracies the original book publishes for these pages (its V100 runs, same settings):
# a full run should reach them; one that does not is named in the summary.
BOOK_TEST_ACCURACY = dict(zip(MODERN_CNN_PAGES, (0.88, 0.92, 0.79, 0.89, 0.89, 0.89),
                              strict=True))
BENCH_MODELS = ("alexnet", "resnet18")
# Seconds kept at the end of the budget to pack the stores and write the summary.
CLOSING_RESERVE_S = 15.0
# A page may take this many times its estimate (plus a minute) before it is stopped, so that
# one page that hangs cannot use up the time of the others.
ESTIMATE_MARGIN = 4.0


@dataclass
class DeviceRunOptions:
    """What one device run does."""

    out: Path
    carry: Path = REPO_DIR / ".carry"
    mode: str = "full"
    pages: tuple[str, ...] = MODERN_CNN_PAGES
    rest: bool = True
    bench_models: tuple[str, ...] = BENCH_MODELS
    bench_epochs: int = 1
    layout_steps: int = 30
    layout_batch: int | None = None
    budget_s: float = 480.0
    jobs: int = 4
    work: Path | None = None


def _estimates() -> dict[str, float]:
    """Estimated full-run seconds per page, from the stored GPU estimate (if any)."""
    from book.bench.estimate import ESTIMATE_FILE, load_estimate

    if not ESTIMATE_FILE.is_file():
        return {}
    estimate = load_estimate()
    found = {row["page"]: row["seconds"] for row in estimate["pages"]}
    bench = estimate["benchmark"]
    found["layout"] = bench["layout_s"]
    found["benchmark"] = bench["seconds"] - bench["layout_s"]
    return found


class DeviceRun:
    """One device run in progress: its folders, its parts so far, its summary and its clock."""

    def __init__(self, options: DeviceRunOptions) -> None:
        self.options = options
        self.out = options.out
        self.out.mkdir(parents=True, exist_ok=True)
        self.log = Log(self.out / "device-log.txt")
        self.started = time.monotonic()
        self.deadline = self.started + options.budget_s
        self.work = options.work or Path(tempfile.mkdtemp(prefix="d2lref-device-"))
        self.site, self.bench_site = self.work / "site", self.work / "bench-site"
        self.data_root, self.stores = self.work / "data", self.work / "stores"
        self.stores.mkdir(parents=True, exist_ok=True)
        self.parts: list[Part] = []
        self.summary: dict[str, Any] = {
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "mode": options.mode, "budget_s": options.budget_s, "parts": [],
        }
        self.estimates: dict[str, float] = {}
        self.setup = Part("install wheels and unpack data", "setup")
        self.env: dict[str, str] = {}

    def remaining(self) -> float:
        return self.deadline - time.monotonic() - CLOSING_RESERVE_S

    def write_summary(self) -> None:
        self.summary["parts"] = [asdict(part) for part in self.parts]
        self.summary["wall_s"] = round(time.monotonic() - self.started, 1)
        (self.out / "summary.json").write_text(json.dumps(self.summary, indent=1) + "\n",
                                               encoding="utf-8")

    def start(self) -> None:
        """Log what the run does and, for a full run, the estimated time of its pages."""
        options, log = self.options, self.log
        log(f"device run: mode {options.mode}, budget {options.budget_s:.0f} s, "
            f"work folder {self.work}")
        # The estimate is of full runs on one H200: no use for a quick rehearsal.
        self.estimates = _estimates() if options.mode == "full" else {}
        if self.estimates:
            from book.bench.estimate import format_estimate, load_estimate

            log("estimated wall time on one H200 (python -m book.bench estimate):")
            log(format_estimate(load_estimate()))

    def set_up(self) -> None:
        """Install the carried wheels, unpack the data and describe the machine."""
        options, setup = self.options, self.setup
        self.parts.append(setup)
        setup_start = time.monotonic()
        try:
            install_carried_wheels(options.carry, self.site,
                                   self.bench_site if options.bench_models else None)
            unpack_data(options.carry, self.data_root)
            setup.status = "ok"
        except (DeviceRunError, OSError, KeyError, json.JSONDecodeError) as err:
            setup.status, setup.detail = "failed", str(err)
        setup.seconds = round(time.monotonic() - setup_start, 1)
        self.log(f"setup: {setup.status} in {setup.seconds} s {setup.detail}")

        work, site = self.work, self.site
        path_entries = [str(REPO_DIR), str(site), os.environ.get("PYTHONPATH", "")]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, path_entries)),
                   D2LREF_DATA=str(self.data_root), D2LREF_MODE=options.mode,
                   PYTHONUNBUFFERED="1", MPLCONFIGDIR=str(work / "matplotlib"),
                   MPLBACKEND="Agg",
                   # The kernel spec installed with the carried ipykernel comes first,
                   # whatever other Jupyter installation the machine has; connection files
                   # stay in `work`.
                   JUPYTER_PATH=str(site / "share" / "jupyter"),
                   JUPYTER_RUNTIME_DIR=str(work / "jupyter-runtime"))
        env.pop("D2LREF_ALLOW_DOWNLOAD", None)
        self.env = env
        self.summary["machine"] = machine_facts(env)
        self.log("machine: " + json.dumps(self.summary["machine"]))
        self.write_summary()

    def full_run(self, paths: Sequence[str], summary: Path, timeout: float,
                 extra: Sequence[str] = ()) -> list[str]:
        """The ``full-run`` command for ``paths`` into this run's stores."""
        return [sys.executable, "-m", "book", "full-run", *paths, "--mode", self.options.mode,
                "--store", str(self.stores), "--data", str(self.data_root),
                "--timeout", str(int(timeout)), "--summary", str(summary), *extra]

    def run_snippet(self, rel: str, kind: str, prefix: str) -> Part:
        """Run one page through ``full-run`` into the run's stores."""
        options, log = self.options, self.log
        part = Part(rel, kind, estimate_s=self.estimates.get(rel))
        budget = self.remaining()
        if part.estimate_s is not None:
            budget = min(budget, ESTIMATE_MARGIN * part.estimate_s + 60.0)
        if skipped(part, self.setup, budget):
            return part
        log(f"{rel}: running ({options.mode} mode, up to {budget:.0f} s)")
        summary = self.work / "summaries" / f"{Path(rel).stem}.json"
        run_part(part, self.full_run([rel], summary, budget), self.env, log, budget, prefix)
        store_file = self.stores / (rel[: -len(".py")] + ".outputs.json")
        part.metrics = train_metrics(store_file, options.mode)
        accuracy, book = part.metrics.get("test_acc"), BOOK_TEST_ACCURACY.get(rel)
        if options.mode == "full" and book is not None and isinstance(accuracy, float):
            part.metrics["book_test_acc"] = book
            if accuracy < book:
                part.detail = f"test acc {accuracy:.3f} below the book's {book:.2f}"
        log(f"{rel}: {part.status} in {part.seconds} s (test acc {accuracy})")
        return part

    def after_part(self, part: Part) -> None:
        self.parts.append(part)
        pack_stores(self.stores, self.out / "stores.tar.gz")
        self.write_summary()

    def run_rest(self) -> None:
        """Every other snippet whose run of the mode is stale or missing: ``jobs`` shards of
        that selection run at once, each a ``full-run`` with what is left of the budget."""
        options = self.options
        try:
            rest = stale_snippets(self.env, options.mode, options.pages)
        except (DeviceRunError, subprocess.TimeoutExpired, json.JSONDecodeError) as err:
            failed = Part("list stale snippets", "setup", status="failed", detail=str(err))
            self.after_part(failed)
            rest = []
        jobs = max(1, min(options.jobs, len(rest)))
        self.log(f"{len(rest)} other snippets with stale or missing {options.mode} runs, "
                 f"in {jobs} shards at once")
        if not rest:
            return
        budget = self.remaining()
        if budget < MINIMUM_PART_S:
            for rel in rest:
                self.after_part(Part(rel, "snippet", status="skipped",
                                     detail=f"out of time ({budget:.0f} s left)"))
            return
        packing = PeriodicPacking(self.stores, self.out / "stores.tar.gz")
        with packing, ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(self._rest_shard, rest, shard, jobs, budget)
                       for shard in range(1, jobs + 1)]
            for future in futures:
                for part in future.result():
                    self.after_part(part)

    def _rest_shard(self, rest: list[str], shard: int, jobs: int, budget: float) -> list[Part]:
        """Run shard ``shard`` of ``rest``; one part per snippet, from full-run's summary."""
        summary = self.work / "summaries" / f"rest-{shard}-of-{jobs}.json"
        whole = Part(f"other snippets, shard {shard}/{jobs}", "snippet")
        command = self.full_run(rest, summary, budget, ["--shard", f"{shard}/{jobs}"])
        run_part(whole, command, self.env, self.log, budget, f"    shard {shard}| ")
        try:
            results = json.loads(summary.read_text(encoding="utf-8"))["results"]
        except (OSError, ValueError, KeyError):
            whole.status = "failed" if whole.status == "ok" else whole.status
            whole.detail = whole.detail or "full-run wrote no summary"
            return [whole]
        left = "timeout" if whole.status == "timeout" else "skipped"
        return [Part(entry["snippet"], "snippet", seconds=entry.get("seconds", 0.0),
                     status=left if entry["status"] == "pending" else entry["status"],
                     detail=entry.get("error", ""),
                     metrics=train_metrics(self.stores / (entry["snippet"][: -len(".py")]
                                                           + ".outputs.json"),
                                            self.options.mode))
                for entry in results]

    def finish(self) -> int:
        """Write the summary and the stores, remove a temporary work folder; the exit status."""
        self.write_summary()
        pack_stores(self.stores, self.out / "stores.tar.gz")
        self.log(format_summary(self.parts, time.monotonic() - self.started))
        self.log.close()
        if self.options.work is None:  # a temporary folder of this run: all kept is in `out`
            shutil.rmtree(self.work, ignore_errors=True)
        return 1 if failed_parts(self.parts) else 0


def run_device(options: DeviceRunOptions) -> int:
    """Do the whole run (see ``book.bench.device``); return 0 when every part succeeded."""
    run = DeviceRun(options)
    run.start()
    run.set_up()
    for rel in options.pages:
        run.after_part(run.run_snippet(rel, "page", "    "))
    if options.bench_models:
        run.after_part(_run_benchmark(options, run.env, run.bench_site, run.out, run.log,
                                      run.remaining(), run.setup, run.estimates.get("benchmark")))
    if options.layout_steps > 0:
        run.after_part(_run_layout(options, run.env, run.out, run.log, run.remaining(),
                                   run.setup, run.estimates.get("layout")))
    if options.rest and run.setup.status == "ok":
        run.run_rest()
    return run.finish()


def stale_snippets(env: dict[str, str], mode: str, exclude: Sequence[str]) -> list[str]:
    """Snippets whose stored run of ``mode`` has a stale or missing cell, shortest first."""
    completed = subprocess.run([sys.executable, "-m", "book", "status", "--json"],
                               capture_output=True, text=True, env=env, cwd=REPO_DIR,
                               timeout=300)
    if completed.returncode != 0:
        raise DeviceRunError(f"'python -m book status' failed:\n{completed.stderr[-2000:]}")
    report = json.loads(completed.stdout)
    chosen = [rel for rel, counts in report.items()
              if rel not in exclude and (counts[mode]["stale"] or counts[mode]["missing"])]
    return sorted(chosen)


def _run_benchmark(options: DeviceRunOptions, env: dict[str, str], bench_site: Path, out: Path,
                   log: Log, budget: float, setup: Part, estimate: float | None) -> Part:
    part = Part("benchmark " + " ".join(options.bench_models), "benchmark", estimate_s=estimate)
    if skipped(part, setup, budget):
        return part
    results = out / "bench-results.json"
    command = [sys.executable, "-m", "book.bench", "compare", "--model",
               *options.bench_models, "--epochs", str(options.bench_epochs), "--repeats", "1",
               "--out", str(results)]
    bench_env = dict(env, PYTHONPATH=os.pathsep.join([env["PYTHONPATH"], str(bench_site)]))
    log(f"{part.name}: running (up to {budget:.0f} s)")
    run_part(part, command, bench_env, log, budget)
    if results.is_file():
        data = json.loads(results.read_text(encoding="utf-8"))
        part.metrics = {
            "device": data.get("device"),
            "matmul_peak_flops": data.get("matmul_peak_flops"),
            "models": {name: {"ratio": entry.get("ratio"),
                              "achieved_flops": entry.get("achieved_flops"),
                              "test_acc": {impl: entry["summary"][impl]["test_acc"]
                                           for impl in ("d2l", "d2lref")}}
                       for name, entry in data.get("models", {}).items()},
        }
    log(f"{part.name}: {part.status} in {part.seconds} s")
    return part


def _run_layout(options: DeviceRunOptions, env: dict[str, str], out: Path, log: Log,
                budget: float, setup: Part, estimate: float | None) -> Part:
    part = Part("memory layouts", "benchmark", estimate_s=estimate)
    if skipped(part, setup, budget):
        return part
    results = out / "layout.json"
    command = [sys.executable, "-m", "book.bench", "layout", "--steps",
               str(options.layout_steps), "--out", str(results)]
    if options.layout_steps < 5:
        command += ["--warmup", "1"]
    if options.layout_batch:
        command += ["--batch", str(options.layout_batch)]
    log(f"{part.name}: running (up to {budget:.0f} s)")
    run_part(part, command, env, log, budget)
    if results.is_file():
        data = json.loads(results.read_text(encoding="utf-8"))
        part.metrics = {"channels_last_speedup": {
            row["page"]: round(row["channels_last_speedup"], 3) for row in data["pages"]}}
    log(f"{part.name}: {part.status} in {part.seconds} s")
    return part


