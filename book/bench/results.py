"""Where stored benchmark results live, and the tables made from them."""

from __future__ import annotations

import json
import pathlib
from typing import Any

from book.bench.report import format_si, format_table

__all__ = ["comparison_table", "flops_table", "latest_results", "load_results", "results_dir"]


def results_dir() -> pathlib.Path:
    """The folder of the stored result files (inside the package: works from any directory)."""
    return pathlib.Path(__file__).resolve().parent / "results"


def load_results(path: str | pathlib.Path) -> dict[str, Any]:
    """Read one result file written by ``python -m book.bench compare``."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no benchmark results at {path}; run "
                                "'python -m book.bench compare --out <file>' to make them.")
    return json.loads(path.read_text(encoding="utf-8"))


def latest_results(device_type: str = "cpu", prefix: str = "") -> dict[str, Any]:
    """The newest stored results for ``device_type`` ("cpu" or "cuda"), by file name date.

    Files are named ``<prefix><device_type>-<date>.json``; the throughput runs have no prefix,
    the long runs kept for their final accuracies use ``prefix="accuracy-"``.
    """
    files = sorted(results_dir().glob(f"{prefix}{device_type}-*.json"))
    if not files:
        raise FileNotFoundError(
            f"no stored {prefix}{device_type} results in {results_dir()}; run 'python -m "
            f"book.bench compare --out {results_dir()}/{prefix}{device_type}-<date>.json' "
            f"on a {device_type} machine.")
    return load_results(files[-1])


def comparison_table(results: dict[str, Any]) -> str:
    """One row per model and implementation: throughput, ratio, epoch time, accuracies."""
    rows = []
    for model, entry in results["models"].items():
        for impl in ("d2l", "d2lref"):
            s = entry["summary"][impl]
            ratio = f"{entry['ratio']:.2f}x" if impl == "d2lref" else "1.00x"
            rows.append([model, impl, s["examples_per_sec"], ratio, s["epoch_seconds"],
                         s["book_examples_per_sec"], s["train_acc"], s["test_acc"]])
    headers = ["model", "implementation", "examples/sec", "ratio", "epoch s",
               "book's examples/sec", "train acc", "test acc"]
    return format_table(headers, rows)


def flops_table(results: dict[str, Any]) -> str:
    """Training FLOPs per example and the FLOP/s each implementation achieved."""
    peaks = results.get("matmul_peak_flops", {})
    # Training runs in float32, so its matmul peak is the MFU denominator; on GPUs, where
    # d2lref trains with TF32 products, the TF32 peak is measured too, and a bfloat16 peak
    # shows the headroom that mixed precision would have.
    dtypes = [dtype for dtype in ("float32", "tfloat32", "bfloat16") if dtype in peaks]
    rows = []
    for model, entry in results["models"].items():
        per_example = entry["train_flops_per_example"]
        for impl in ("d2l", "d2lref"):
            achieved = entry["achieved_flops"][impl]
            shares = [f"{achieved / peaks[dtype]:.1%}" for dtype in dtypes]
            rows.append([model, impl, format_si(per_example, "FLOP"),
                         format_si(achieved, "FLOP/s"), *shares])
    short = {"float32": "fp32", "tfloat32": "tf32", "bfloat16": "bf16"}
    headers = ["model", "implementation", "FLOPs/example", "achieved",
               *[f"of {short[dtype]} matmul peak" for dtype in dtypes]]
    return format_table(headers, rows)
