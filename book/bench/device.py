"""One prepared call on a bare GPU machine: full-mode runs of the modern-CNN pages and the
GPU benchmark, with everything the machine lacks carried along.

The GPU machine has Python, PyTorch, torchvision, NumPy, pandas, matplotlib and SciPy, but no
Jupyter packages, no data and no network. Two steps:

* ``python -m book.bench device-prepare`` (here, with package-registry access; ``make
  device-carry``) fills the git-ignored folder ``.carry/``: wheels of everything the snippet
  runner needs (``requirements/device.txt``) for the machine's Python, the ``d2l==1.0.3``
  wheel for the benchmark, and the data (Fashion-MNIST's ``.gz`` files, the Kaggle CSVs).
* ``python -m book.bench device-run --out DIR`` (there, from the repository root) installs
  the wheels into a temporary folder, unpacks the data into a temporary data root, runs the
  chosen snippets through the normal runner at full settings, then the benchmark and a timing
  of both memory layouts (``layout``), then every other snippet whose full run is stale or
  missing, and writes under ``DIR``: the stores
  (``stores.tar.gz``), the benchmark results, ``summary.json`` and the whole log. A part that
  fails or runs out of time is reported and the next part still runs; the exit status is
  non-zero when any part failed.

The test suite rehearses the same two steps on a CPU, for the running Python, in quick mode.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from book.paths import REPO_DIR

__all__ = [
    "CARRY_LIMIT_BYTES",
    "DEVICE_PYTHON",
    "MODERN_CNN_PAGES",
    "Part",
    "carry_size",
    "install_carried_wheels",
    "prepare_carry",
    "run_device",
    "unpack_data",
]

REQUIREMENTS = REPO_DIR / "requirements" / "device.txt"
DEVICE_PYTHON = "3.12"
"""The Python of the GPU machine: the carried wheels are built for it."""

MODERN_CNN_PAGES = tuple(
    f"convolutional-modern/{name}.py"
    for name in ("alexnet", "vgg", "nin", "googlenet", "resnet", "densenet")
)
# Test accuracies the original book publishes for these pages (its V100 runs, same settings):
# a full run should reach them; one that does not is named in the summary.
BOOK_TEST_ACCURACY = dict(zip(MODERN_CNN_PAGES, (0.88, 0.92, 0.79, 0.89, 0.89, 0.89),
                              strict=True))
BENCH_PACKAGES = ("d2l==1.0.3",)
BENCH_MODELS = ("alexnet", "resnet18")
CARRY_LIMIT_BYTES = 64 * 2**20
"""What travels to the GPU machine (working tree and carried folder together) stays under this."""

# pip matches platform tags exactly, so every manylinux tag up to glibc 2.28 is named: wheels
# tagged for a newer glibc might not install on the GPU machine.
PLATFORMS = (
    "manylinux1_x86_64", "manylinux2010_x86_64", "manylinux2014_x86_64",
    *(f"manylinux_2_{minor}_x86_64" for minor in range(5, 29)),
)
FASHION_MNIST_GZ = (
    "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
)
KAGGLE_CSV = ("kaggle_house_pred_train.csv", "kaggle_house_pred_test.csv")
# Seconds kept at the end of the budget to pack the stores and write the summary.
CLOSING_RESERVE_S = 15.0
# A part that would get less time than this is skipped rather than started.
MINIMUM_PART_S = 20.0
# A page may take this many times its estimate (plus a minute) before it is stopped, so that
# one page that hangs cannot use up the time of the others.
ESTIMATE_MARGIN = 4.0


class DeviceRunError(RuntimeError):
    """A step of the device run that cannot go on (names what is wrong and the fix)."""


# --- preparation (here) --------------------------------------------------------------------


def _pip_download(args: Sequence[str], python_version: str, dest: Path) -> None:
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
               "--only-binary=:all:", "--python-version", python_version,
               "--implementation", "cp", "--dest", str(dest)]
    for platform_tag in PLATFORMS:
        command += ["--platform", platform_tag]
    completed = subprocess.run(command + list(args), capture_output=True, text=True)
    if completed.returncode != 0:
        raise DeviceRunError(
            f"pip download for Python {python_version} failed:\n{completed.stderr[-3000:]}\n"
            "Check the package index setting of pip (pip config list) and the pins in "
            f"{REQUIREMENTS.relative_to(REPO_DIR)}.")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def carry_size(carry: Path) -> int:
    """Bytes of every file under ``carry``."""
    return sum(p.stat().st_size for p in carry.rglob("*") if p.is_file())


def prepare_carry(carry: Path, python_version: str = DEVICE_PYTHON,
                  data_root: Path | None = None, extra: Sequence[str] = ()) -> dict[str, Any]:
    """Fill ``carry`` with the wheels for ``python_version`` and the data; return its manifest.

    ``extra`` names packages installed (without dependencies) for the benchmark beside
    ``d2l`` on machines that lack them (the GPU machine has SciPy and requests; a CPU
    rehearsal may not). Data comes from ``data_root`` (default: ``D2LREF_DATA``).
    """
    from d2lref import config

    if not python_version.count(".") == 1 or not all(
            part.isdigit() for part in python_version.split(".")):
        raise ValueError(f"python_version must look like 3.12, got {python_version!r}.")
    source = config.data_root(data_root)
    raw = source / "FashionMNIST" / "raw"
    missing = [raw / name for name in FASHION_MNIST_GZ if not (raw / name).is_file()]
    missing += [source / "kaggle_house" / name for name in KAGGLE_CSV
                if not (source / "kaggle_house" / name).is_file()]
    if missing:
        raise DeviceRunError(
            "data to carry is missing: " + ", ".join(map(str, missing)) + ". Point D2LREF_DATA "
            "at the folder holding FashionMNIST/raw/*.gz and kaggle_house/*.csv.")
    if carry.exists():
        shutil.rmtree(carry)
    wheels, bench_wheels = carry / "wheels", carry / "bench-wheels"
    _pip_download(["--requirement", str(REQUIREMENTS)], python_version, wheels)
    _pip_download(["--no-deps", *BENCH_PACKAGES, *extra], python_version, bench_wheels)
    fashion = carry / "data" / "FashionMNIST" / "raw"
    kaggle = carry / "data" / "kaggle_house"
    fashion.mkdir(parents=True)
    kaggle.mkdir(parents=True)
    for name in FASHION_MNIST_GZ:
        shutil.copyfile(raw / name, fashion / name)
    for name in KAGGLE_CSV:
        shutil.copyfile(source / "kaggle_house" / name, kaggle / name)
    files = {p.relative_to(carry).as_posix(): {"bytes": p.stat().st_size, "sha256": _sha256(p)}
             for p in sorted(carry.rglob("*")) if p.is_file()}
    manifest = {
        "python": python_version,
        "platforms": list(PLATFORMS),
        "requirements": REQUIREMENTS.relative_to(REPO_DIR).as_posix(),
        "bench_packages": [*BENCH_PACKAGES, *extra],
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "bytes": sum(entry["bytes"] for entry in files.values()),
        "files": files,
    }
    (carry / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


# --- the run (there) -----------------------------------------------------------------------


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


def _pip_env() -> dict[str, str]:
    # A bare machine's view: no pip configuration (index, find-links, constraints) applies.
    return dict(os.environ, PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1",
                PIP_NO_INPUT="1")


def _check_manifest(carry: Path) -> dict[str, Any]:
    manifest_file = carry / "manifest.json"
    if not manifest_file.is_file():
        raise DeviceRunError(f"{manifest_file} is missing: prepare the carried folder with "
                             "'make device-carry' and carry it along.")
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    if manifest["python"] != running:
        raise DeviceRunError(
            f"{carry} holds wheels for Python {manifest['python']}, this is Python {running}. "
            f"Prepare it for this Python: make device-carry DEVICE_PYTHON={running}")
    return manifest


def install_carried_wheels(carry: Path, target: Path, bench_target: Path | None = None) -> None:
    """Install the carried runner wheels into ``target`` (and d2l into ``bench_target``).

    Offline (``--no-index``) and resolved against the carried folder only: a wheel missing
    from it fails here, not halfway through a run.
    """
    _check_manifest(carry)
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-index", "--no-compile",
               "--find-links", str(carry / "wheels"), "--target", str(target),
               "--requirement", str(REQUIREMENTS)]
    completed = subprocess.run(command, capture_output=True, text=True, env=_pip_env())
    if completed.returncode != 0:
        raise DeviceRunError(f"installing the carried wheels failed:\n{completed.stderr[-3000:]}")
    if bench_target is not None:
        wheels = sorted(str(p) for p in (carry / "bench-wheels").glob("*.whl"))
        command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-index",
                   "--no-compile", "--no-deps", "--target", str(bench_target), *wheels]
        completed = subprocess.run(command, capture_output=True, text=True, env=_pip_env())
        if completed.returncode != 0:
            raise DeviceRunError(f"installing the benchmark's wheels failed:\n"
                                 f"{completed.stderr[-3000:]}")


def unpack_data(carry: Path, data_root: Path) -> None:
    """Decompress the carried Fashion-MNIST files and copy the CSVs into ``data_root``."""
    raw = data_root / "FashionMNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for name in FASHION_MNIST_GZ:
        with gzip.open(carry / "data" / "FashionMNIST" / "raw" / name) as packed, \
                (raw / name[: -len(".gz")]).open("wb") as unpacked:
            shutil.copyfileobj(packed, unpacked, 1 << 20)
    kaggle = data_root / "kaggle_house"
    kaggle.mkdir(parents=True, exist_ok=True)
    for name in KAGGLE_CSV:
        shutil.copyfile(carry / "data" / "kaggle_house" / name, kaggle / name)


ENVIRONMENT_SCRIPT = """\
import importlib, json, platform, torch
cuda = torch.cuda.is_available()
facts = {
    "python": platform.python_version(),
    "torch": torch.__version__,
    "torch_cuda": torch.version.cuda,
    "cudnn": torch.backends.cudnn.version() if cuda else None,
    "cuda_available": cuda,
    "device_name": torch.cuda.get_device_name(0) if cuda else platform.processor() or "CPU",
    "capability": list(torch.cuda.get_device_capability(0)) if cuda else None,
    "device_count": torch.cuda.device_count() if cuda else 0,
}
try:
    from jupyter_client.kernelspec import KernelSpecManager
    facts["runner_packages"] = {
        name: importlib.import_module(name).__file__
        for name in ("nbclient", "ipykernel", "jupytext", "zmq")}
    facts["kernel_spec"] = KernelSpecManager().get_kernel_spec("python3").resource_dir
except Exception as error:
    facts["runner_packages_error"] = repr(error)
print(json.dumps(facts))
"""


def machine_facts(env: dict[str, str]) -> dict[str, Any]:
    """The card's name, driver and memory (nvidia-smi) and torch's own view of it."""
    facts: dict[str, Any] = {}
    completed = None
    try:
        smi = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,driver_version,memory.total,clocks.max.sm",
             "--format=csv,noheader"], capture_output=True, text=True, timeout=30)
        facts["nvidia_smi"] = smi.stdout.strip() or smi.stderr.strip()
    except (OSError, subprocess.TimeoutExpired) as err:
        facts["nvidia_smi"] = f"not available ({err})"
    try:
        completed = subprocess.run([sys.executable, "-c", ENVIRONMENT_SCRIPT],
                                   capture_output=True, text=True, env=env, timeout=120)
        facts.update(json.loads(completed.stdout.strip().splitlines()[-1]))
    except (subprocess.TimeoutExpired, IndexError, json.JSONDecodeError) as err:
        facts["torch_error"] = f"{err!r}: {completed.stderr[-1000:] if completed else ''}"
    return facts


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


def _train_metrics(store_file: Path, mode: str) -> dict[str, Any]:
    """The last training metrics a snippet's run published (test accuracy, speed)."""
    if not store_file.is_file():
        return {}
    run = json.loads(store_file.read_text(encoding="utf-8"))["runs"].get(mode) or {}
    found: dict[str, Any] = {"device_name": run.get("device_name"), "run_s": run.get("duration_s")}
    for cell in (run.get("cells") or {}).values():
        for output in cell.get("outputs", []):
            if output.get("type") == "metrics":
                data = output["data"]
                found.update({key: data.get(key) for key in
                              ("test_acc", "train_acc", "train_loss", "examples_per_sec",
                               "num_epochs", "device")})
    return found


def pack_stores(stores: Path, target: Path) -> None:
    """Write every store file under ``stores`` into ``target`` (a .tar.gz), atomically."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path in sorted(stores.rglob("*.outputs.json")):
            archive.add(path, arcname=path.relative_to(stores).as_posix())
    partial = target.with_suffix(".partial")
    partial.write_bytes(buffer.getvalue())
    os.replace(partial, target)


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


def run_device(options: DeviceRunOptions) -> int:
    """Do the whole run (see the module's docstring); return 0 when every part succeeded."""
    out = options.out
    out.mkdir(parents=True, exist_ok=True)
    log = Log(out / "device-log.txt")
    started = time.monotonic()
    deadline = started + options.budget_s
    work = options.work or Path(tempfile.mkdtemp(prefix="d2lref-device-"))
    site, bench_site = work / "site", work / "bench-site"
    data_root, stores = work / "data", work / "stores"
    stores.mkdir(parents=True, exist_ok=True)
    parts: list[Part] = []
    summary: dict[str, Any] = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "mode": options.mode, "budget_s": options.budget_s, "parts": [],
    }

    def remaining() -> float:
        return deadline - time.monotonic() - CLOSING_RESERVE_S

    def write_summary() -> None:
        summary["parts"] = [asdict(part) for part in parts]
        summary["wall_s"] = round(time.monotonic() - started, 1)
        (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")

    log(f"device run: mode {options.mode}, budget {options.budget_s:.0f} s, work folder {work}")
    # The estimate is of full runs on one H200: no use for a quick rehearsal.
    estimates = _estimates() if options.mode == "full" else {}
    if estimates:
        from book.bench.estimate import format_estimate, load_estimate

        log("estimated wall time on one H200 (python -m book.bench estimate):")
        log(format_estimate(load_estimate()))

    setup = Part("install wheels and unpack data", "setup")
    parts.append(setup)
    setup_start = time.monotonic()
    try:
        install_carried_wheels(options.carry, site,
                               bench_site if options.bench_models else None)
        unpack_data(options.carry, data_root)
        setup.status = "ok"
    except (DeviceRunError, OSError, KeyError, json.JSONDecodeError) as err:
        setup.status, setup.detail = "failed", str(err)
    setup.seconds = round(time.monotonic() - setup_start, 1)
    log(f"setup: {setup.status} in {setup.seconds} s {setup.detail}")

    path_entries = [str(REPO_DIR), str(site), os.environ.get("PYTHONPATH", "")]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, path_entries)),
               D2LREF_DATA=str(data_root), D2LREF_MODE=options.mode, PYTHONUNBUFFERED="1",
               MPLCONFIGDIR=str(work / "matplotlib"), MPLBACKEND="Agg",
               # The kernel spec installed with the carried ipykernel comes first, whatever
               # other Jupyter installation the machine has; connection files stay in `work`.
               JUPYTER_PATH=str(site / "share" / "jupyter"),
               JUPYTER_RUNTIME_DIR=str(work / "jupyter-runtime"))
    env.pop("D2LREF_ALLOW_DOWNLOAD", None)
    summary["machine"] = machine_facts(env)
    log("machine: " + json.dumps(summary["machine"]))
    write_summary()

    def run_snippet(rel: str, kind: str, prefix: str) -> Part:
        part = Part(rel, kind, estimate_s=estimates.get(rel))
        budget = remaining()
        if part.estimate_s is not None:
            budget = min(budget, ESTIMATE_MARGIN * part.estimate_s + 60.0)
        if _skipped(part, setup, budget):
            return part
        log(f"{rel}: running ({options.mode} mode, up to {budget:.0f} s)")
        command = [sys.executable, "-m", "book", "run", rel, "--mode", options.mode,
                   "--store", str(stores), "--data", str(data_root),
                   "--timeout", str(int(budget))]
        _run_part(part, command, env, log, budget, prefix)
        store_file = stores / (rel[: -len(".py")] + ".outputs.json")
        part.metrics = _train_metrics(store_file, options.mode)
        accuracy, book = part.metrics.get("test_acc"), BOOK_TEST_ACCURACY.get(rel)
        if options.mode == "full" and book is not None and isinstance(accuracy, float):
            part.metrics["book_test_acc"] = book
            if accuracy < book:
                part.detail = f"test acc {accuracy:.3f} below the book's {book:.2f}"
        log(f"{rel}: {part.status} in {part.seconds} s (test acc {accuracy})")
        return part

    def after_part(part: Part) -> None:
        parts.append(part)
        pack_stores(stores, out / "stores.tar.gz")
        write_summary()

    for rel in options.pages:
        after_part(run_snippet(rel, "page", "    "))

    if options.bench_models:
        after_part(_run_benchmark(options, env, bench_site, out, log, remaining(), setup,
                                  estimates.get("benchmark")))

    if options.layout_steps > 0:
        after_part(_run_layout(options, env, out, log, remaining(), setup,
                               estimates.get("layout")))

    if options.rest and setup.status == "ok":
        try:
            rest = stale_snippets(env, options.mode, options.pages)
        except (DeviceRunError, subprocess.TimeoutExpired, json.JSONDecodeError) as err:
            failed = Part("list stale snippets", "setup", status="failed", detail=str(err))
            after_part(failed)
            rest = []
        log(f"{len(rest)} other snippets with stale or missing {options.mode} runs, "
            f"{options.jobs} at a time")
        with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
            futures = [pool.submit(run_snippet, rel, "snippet", f"    {Path(rel).stem}| ")
                       for rel in rest]
            for future in futures:
                after_part(future.result())

    write_summary()
    pack_stores(stores, out / "stores.tar.gz")
    log(format_summary(parts, time.monotonic() - started))
    log.close()
    if options.work is None:  # a temporary folder of this run: everything kept is in `out`
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed_parts(parts) else 0


def _skipped(part: Part, setup: Part, budget: float) -> bool:
    """Mark ``part`` skipped when the setup failed or too little time is left; say if so."""
    if setup.status != "ok":
        part.status, part.detail = "skipped", "setup failed"
    elif budget < MINIMUM_PART_S:
        part.status, part.detail = "skipped", f"out of time ({budget:.0f} s left)"
    return part.status == "skipped"


def _run_part(part: Part, command: Sequence[str], env: dict[str, str], log: Log,
              budget: float, prefix: str = "    ") -> None:
    """Run ``command`` for ``part``: its status, its seconds, the exit status if it failed."""
    started = time.monotonic()
    part.status, code = run_logged(command, env, log, budget, prefix)
    part.seconds = round(time.monotonic() - started, 1)
    if code not in (0, None):
        part.detail = f"exit status {code}"


def _run_benchmark(options: DeviceRunOptions, env: dict[str, str], bench_site: Path, out: Path,
                   log: Log, budget: float, setup: Part, estimate: float | None) -> Part:
    part = Part("benchmark " + " ".join(options.bench_models), "benchmark", estimate_s=estimate)
    if _skipped(part, setup, budget):
        return part
    results = out / "bench-results.json"
    command = [sys.executable, "-m", "book.bench", "compare", "--model",
               *options.bench_models, "--epochs", str(options.bench_epochs), "--repeats", "1",
               "--out", str(results)]
    bench_env = dict(env, PYTHONPATH=os.pathsep.join([env["PYTHONPATH"], str(bench_site)]))
    log(f"{part.name}: running (up to {budget:.0f} s)")
    _run_part(part, command, bench_env, log, budget)
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
    if _skipped(part, setup, budget):
        return part
    results = out / "layout.json"
    command = [sys.executable, "-m", "book.bench", "layout", "--steps",
               str(options.layout_steps), "--out", str(results)]
    if options.layout_steps < 5:
        command += ["--warmup", "1"]
    if options.layout_batch:
        command += ["--batch", str(options.layout_batch)]
    log(f"{part.name}: running (up to {budget:.0f} s)")
    _run_part(part, command, env, log, budget)
    if results.is_file():
        data = json.loads(results.read_text(encoding="utf-8"))
        part.metrics = {"channels_last_speedup": {
            row["page"]: round(row["channels_last_speedup"], 3) for row in data["pages"]}}
    log(f"{part.name}: {part.status} in {part.seconds} s")
    return part


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


def main(command: str, argv: Sequence[str] | None = None,
         log: Callable[[str], None] = print) -> int:
    """Command line of ``device-prepare`` and ``device-run`` (see ``python -m book.bench``)."""
    parser = argparse.ArgumentParser(prog=f"python -m book.bench {command}")
    parser.add_argument("--carry", type=Path, default=REPO_DIR / ".carry",
                        help="the carried folder (default: .carry in the repository)")
    if command == "device-prepare":
        parser.add_argument("--python-version", default=DEVICE_PYTHON,
                            help=f"Python of the machine that installs the wheels "
                                 f"(default {DEVICE_PYTHON})")
        parser.add_argument("--data", type=Path, help="data root (default: D2LREF_DATA)")
        parser.add_argument("--extra", nargs="*", default=[],
                            help="more benchmark wheels, e.g. scipy for a CPU rehearsal")
        args = parser.parse_args(argv)
        try:
            manifest = prepare_carry(args.carry, args.python_version, args.data, args.extra)
        except (DeviceRunError, ValueError) as err:
            log(f"error: {err}")
            return 2
        log(f"{args.carry}: {len(manifest['files'])} files, {manifest['bytes'] / 2**20:.1f} MiB "
            f"for Python {manifest['python']}")
        return 0
    parser.add_argument("--out", type=Path, default=os.environ.get("OUT"),
                        help="output folder (default: $OUT)")
    parser.add_argument("--mode", choices=["full", "quick"], default="full")
    parser.add_argument("--pages", nargs="*", default=list(MODERN_CNN_PAGES),
                        help="snippets run first, one at a time (default: the six modern CNNs)")
    parser.add_argument("--no-rest", action="store_true",
                        help="skip the other snippets whose runs are stale or missing")
    parser.add_argument("--bench-models", nargs="*", default=list(BENCH_MODELS),
                        help="benchmark models (none: no benchmark)")
    parser.add_argument("--bench-epochs", type=int, default=1)
    parser.add_argument("--layout-steps", type=int, default=30,
                        help="timed steps per model and memory layout (0: no layout timing)")
    parser.add_argument("--layout-batch", type=int,
                        help="batch size of the layout timing (default: each page's own)")
    parser.add_argument("--budget", type=float, default=480.0,
                        help="seconds for the whole run; parts that no longer fit are skipped")
    parser.add_argument("--jobs", type=int, default=4,
                        help="other snippets run at the same time")
    parser.add_argument("--work", type=Path,
                        help="folder for the installed wheels, data and stores (default: a new "
                             "temporary folder)")
    args = parser.parse_args(argv)
    if args.out is None:
        parser.error("--out is required when $OUT is not set.")
    options = DeviceRunOptions(
        out=Path(args.out), carry=args.carry, mode=args.mode, pages=tuple(args.pages),
        rest=not args.no_rest, bench_models=tuple(args.bench_models),
        bench_epochs=args.bench_epochs, layout_steps=args.layout_steps,
        layout_batch=args.layout_batch, budget_s=args.budget, jobs=args.jobs, work=args.work)
    return run_device(options)
