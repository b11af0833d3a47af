"""Benchmark tooling: d2lref's training path against the original d2l package, side by side.

Run ``python -m book.bench compare --model lenet mlp --epochs 3 --repeats 2 --out r.json``
in an environment where both packages are installed (``make bench`` builds one). This
subpackage is tooling: the book's stored outputs do not depend on its source.
"""

from book.bench.flops import count_training_flops, measure_matmul_peak
from book.bench.models import BENCH_SETTINGS, BenchSettings, build_model
from book.bench.report import format_si, format_table, speed_ratio, summarize_runs
from book.bench.results import (
    comparison_table,
    flops_table,
    latest_results,
    load_results,
    results_dir,
)

__all__ = [
    "BENCH_SETTINGS",
    "BenchSettings",
    "build_model",
    "comparison_table",
    "count_training_flops",
    "flops_table",
    "format_si",
    "format_table",
    "latest_results",
    "load_results",
    "measure_matmul_peak",
    "results_dir",
    "speed_ratio",
    "summarize_runs",
]
