"""Side-by-side runs: the original d2l package's helpers against d2lref's, alternating.

Every run is a fresh Python process (no data set or kernel cache carried from one run to the
next) that loads Fashion-MNIST with the implementation's ``load_data_fashion_mnist`` and trains
with its ``train_ch6``: the same model definition, seed, hyper-parameters and epochs on both
sides. Throughput is measured the same way for both: the wall-clock time of each pass over
``train_iter`` (data loading, forward, backward, update and the book's plotting included;
evaluation on the test set excluded), examples trained divided by that time.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import json
import os
import pathlib
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from typing import Any, cast

import torch

from book.bench.flops import count_training_flops, measure_matmul_peak
from book.bench.models import BENCH_SETTINGS, build_model
from book.bench.report import speed_ratio, summarize_runs
from book.paths import REPO_DIR

__all__ = ["IMPLEMENTATIONS", "TimedEpochs", "compare", "device_name", "run_once", "versions"]

IMPLEMENTATIONS = ("d2l", "d2lref")
RAW_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
             "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


class TimedEpochs:
    """Wrap a training iterable and record the wall-clock seconds of every full pass."""

    def __init__(self, iterable: Iterable, device: torch.device) -> None:
        self.iterable = iterable
        self.device = device
        self.seconds: list[float] = []
        self.examples: list[int] = []

    def __len__(self) -> int:
        return len(self.iterable)  # type: ignore[arg-type]

    def __getattr__(
        self, name: str
    ) -> Any:  # e.g. .dataset, read by the training loops
        return getattr(self.iterable, name)

    def to_device(self, device: torch.device) -> TimedEpochs:
        """Let ``train_ch6`` move the wrapped batches to its device and time them."""
        move = getattr(self.iterable, "to_device", None)
        if callable(move):
            self.iterable = move(device)
        return self

    def _sync(self) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)

    def __iter__(self) -> Iterator:
        self._sync()
        start, count = time.perf_counter(), 0
        for X, y in self.iterable:
            count += len(y)
            yield X, y
        self._sync()  # the last batch's work is done before the clock stops
        self.seconds.append(time.perf_counter() - start)
        self.examples.append(count)


def device_name(device: torch.device) -> str:
    """A readable name of the device: the GPU's model, or the CPU's."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    name = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
                break
    return f"{name} ({os.cpu_count()} logical cores, {torch.get_num_threads()} torch threads)"


def versions() -> dict[str, str]:
    """Versions of Python, torch, torchvision, d2l (if installed) and d2lref."""
    from importlib import metadata

    found = {"python": platform.python_version()}
    for package in ("torch", "torchvision", "d2l", "d2lref"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


_FINAL = re.compile(r"loss ([\d.naif]+), train acc ([\d.]+), test acc ([\d.]+)")
_SPEED = re.compile(r"([\d.]+) examples/sec")


# Opt-in options of the d2lref side that change numerics, so they are never on by default:
# bf16 autocast (lower-precision matmuls and convolutions) and torch.compile (fused kernels,
# different summation order).
NUMERICS_OPTIONS = ("bf16", "compile")


def run_once(impl: str, model: str, epochs: int, seed: int = 0,
             threads: int | None = None, options: tuple[str, ...] = ()) -> dict[str, Any]:
    """Load the data and train ``model`` with one implementation; return the measurements.

    The d2l side must run in a working directory whose ``../data`` holds Fashion-MNIST.
    ``threads`` sets torch's intra-op threads of the training process (both sides alike);
    ``options`` (see ``NUMERICS_OPTIONS``) apply to the d2lref side only.
    """
    if impl not in IMPLEMENTATIONS:
        raise ValueError(f"unknown implementation {impl!r}; choose d2l or d2lref.")
    unknown = set(options) - set(NUMERICS_OPTIONS)
    if unknown:
        raise ValueError(f"unknown options {sorted(unknown)}; choose from {NUMERICS_OPTIONS}.")
    if impl == "d2l":
        options = ()
    settings = BENCH_SETTINGS[model]
    if impl == "d2l":
        from d2l import torch as lib
    else:
        from d2lref import torch as lib
    if threads is not None:
        torch.set_num_threads(threads)
    device = lib.try_gpu()
    torch.manual_seed(seed)
    wall_start = time.perf_counter()
    train_iter, test_iter = lib.load_data_fashion_mnist(settings.batch_size,
                                                        resize=settings.resize)
    load_seconds = time.perf_counter() - wall_start
    timed = TimedEpochs(train_iter, device)
    torch.manual_seed(seed)  # the same initial weights on both sides (train_ch6 re-inits)
    net = build_model(model)
    returned, text, train_seconds = _train(lib, net, timed, test_iter, epochs, settings.lr,
                                           device, options)
    final, speed = _FINAL.findall(text), _SPEED.findall(text)
    if not final or not speed:
        raise RuntimeError(f"train_ch6 of {impl} printed no final metrics:\n{text[-2000:]}")
    train_loss, train_acc, test_acc = (float(v) for v in final[-1])
    return {
        "impl": impl,
        "model": model,
        "options": list(options),
        "epochs": epochs,
        "device": str(device),
        "torch_threads": torch.get_num_threads(),
        "examples_per_sec": sum(timed.examples) / sum(timed.seconds),
        "epoch_seconds": timed.seconds,
        "book_examples_per_sec": float(speed[-1]),
        "load_seconds": load_seconds,
        "train_ch6_seconds": train_seconds,
        "train_loss": train_loss,
        "train_acc": train_acc,
        "test_acc": test_acc,
        # d2lref's train_ch6 reports its CUDA settings (TF32, cuDNN autotuning); d2l's
        # returns nothing and trains with PyTorch's defaults.
        "cuda_settings": getattr(returned, "cuda_settings", None),
        "float32_matmul_precision": torch.get_float32_matmul_precision(),
    }


def _train(lib: Any, net: torch.nn.Module, timed: TimedEpochs, test_iter: Iterable[Any],
           epochs: int, lr: float, device: torch.device,
           options: tuple[str, ...]) -> tuple[Any, str, float]:
    """Train with the implementation's ``train_ch6`` under ``options``: what it returned,
    what it printed, and its seconds."""
    if "compile" in options:
        net = cast(torch.nn.Module, torch.compile(net))  # a compiled module is a module
    precision = (torch.autocast(device.type, dtype=torch.bfloat16) if "bf16" in options
                 else contextlib.nullcontext())
    printed = io.StringIO()
    train_start = time.perf_counter()
    with contextlib.redirect_stdout(printed), precision:
        returned = lib.train_ch6(net, timed, test_iter, epochs, lr, device)
    return returned, printed.getvalue(), time.perf_counter() - train_start


def _d2l_workdir(data_root: pathlib.Path, base: pathlib.Path) -> pathlib.Path:
    """A working directory whose ``../data/FashionMNIST/raw`` links to the data root's files."""
    raw = base / "data" / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    source = data_root / "FashionMNIST" / "raw"
    for name in RAW_FILES:
        if not (source / name).is_file():
            raise FileNotFoundError(
                f"{source / name} is missing: set D2LREF_DATA to the folder that holds "
                "FashionMNIST/raw with the four uncompressed IDX files.")
        (raw / name).symlink_to((source / name).resolve())
    work = base / "work"
    work.mkdir()
    return work


def _run_in_subprocess(impl: str, model: str, epochs: int, seed: int,
                       workdir: pathlib.Path, threads: int | None,
                       options: tuple[str, ...] = ()) -> dict[str, Any]:
    result_file = workdir / f"result-{impl}.json"
    env = dict(os.environ, D2LREF_MODE="full", MPLBACKEND="Agg")
    package_root = str(REPO_DIR)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "book.bench", "run-once", "--impl", impl,
               "--model", model, "--epochs", str(epochs), "--seed", str(seed),
               "--result-file", str(result_file)]
    if threads is not None:
        command += ["--threads", str(threads)]
    for option in options:
        command += ["--option", option]
    completed = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)
    if completed.returncode != 0:
        raise RuntimeError(f"the {impl} run of {model} failed:\n{completed.stderr[-3000:]}")
    return json.loads(result_file.read_text())


def compare(models: list[str], epochs: int, repeats: int, seed: int = 0,
            flops: bool = True, threads: int | None = None,
            options: tuple[str, ...] = ()) -> dict[str, Any]:
    """Alternate d2l and d2lref runs of every model and return all measurements and summaries."""
    from d2lref import config

    data_root = config.data_root().resolve()
    device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    if threads is not None:
        torch.set_num_threads(threads)  # the peak is measured with the same threads
    results: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "device": device_name(device),
        "device_type": device.type,
        "versions": versions(),
        "method": {
            "epochs": epochs, "repeats": repeats, "seed": seed, "mode": "full",
            "torch_threads": threads if threads is not None else "torch default",
            "order": "alternating d2l, d2lref, d2l, d2lref, ... each in a fresh process",
            "throughput": "examples trained / wall-clock of the passes over train_iter "
                          "(data loading included, test evaluation excluded)",
            "train_function": "train_ch6 (both packages) for every model",
            "d2lref_options": list(options),
        },
        "models": {},
    }
    if flops:
        results["matmul_peak_flops"] = _matmul_peaks(device)
    for model in models:
        runs = _alternating_runs(model, epochs, repeats, seed, data_root, threads, options)
        results["models"][model] = _model_entry(model, runs, device if flops else None)
    return results


def _matmul_peaks(device: torch.device) -> dict[str, float]:
    """The matmul peaks (FLOP/s) the achieved throughput is compared with."""
    peaks = {"float32": measure_matmul_peak(device, torch.float32)}
    if device.type == "cuda":
        # TF32 products, as d2lref's train_ch6 computes on CUDA: the MFU denominator of
        # its float32 training.
        previous = torch.get_float32_matmul_precision()
        torch.set_float32_matmul_precision("high")
        try:
            peaks["tfloat32"] = measure_matmul_peak(device, torch.float32)
        finally:
            torch.set_float32_matmul_precision(previous)
        peaks["bfloat16"] = measure_matmul_peak(device, torch.bfloat16)
    return peaks


def _alternating_runs(model: str, epochs: int, repeats: int, seed: int,
                      data_root: pathlib.Path, threads: int | None,
                      options: tuple[str, ...]) -> dict[str, list[dict[str, Any]]]:
    """``repeats`` runs of each implementation, alternating, each in a fresh process."""
    runs: dict[str, list[dict[str, Any]]] = {impl: [] for impl in IMPLEMENTATIONS}
    for repeat in range(repeats):
        for impl in IMPLEMENTATIONS:
            with tempfile.TemporaryDirectory(prefix=f"bench-{impl}-") as tmp:
                workdir = _d2l_workdir(data_root, pathlib.Path(tmp))
                run = _run_in_subprocess(impl, model, epochs, seed, workdir, threads,
                                         options)
            runs[impl].append(run)
            print(f"{model} run {repeat + 1}/{repeats} {impl}: "
                  f"{run['examples_per_sec']:.1f} examples/sec, "
                  f"test acc {run['test_acc']:.3f}", flush=True)
    return runs


def _model_entry(model: str, runs: dict[str, list[dict[str, Any]]],
                 flops_device: torch.device | None) -> dict[str, Any]:
    """One model's settings, runs, summaries and speed ratio; with a device, its FLOPs."""
    settings = BENCH_SETTINGS[model]
    summary = {impl: summarize_runs(runs[impl]) for impl in IMPLEMENTATIONS}
    entry: dict[str, Any] = {
        "settings": {"batch_size": settings.batch_size, "lr": settings.lr,
                     "resize": settings.resize},
        "runs": runs,
        "summary": summary,
        "ratio": speed_ratio(summary["d2lref"]["examples_per_sec"],
                             summary["d2l"]["examples_per_sec"]),
    }
    if flops_device is not None:
        net = build_model(model).to(flops_device)
        size = settings.image_size
        per_example = count_training_flops(net, (8, 1, size, size))
        entry["train_flops_per_example"] = per_example
        entry["achieved_flops"] = {impl: per_example * summary[impl]["examples_per_sec"]
                                   for impl in IMPLEMENTATIONS}
    return entry
