"""Pure helpers of the benchmark: summaries of repeated runs, ratios and the printed tables."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

__all__ = ["format_si", "format_table", "speed_ratio", "summarize_runs"]


def speed_ratio(faster: float, baseline: float) -> float:
    """How many times ``faster`` is the ``baseline`` throughput (examples/sec / examples/sec)."""
    if baseline <= 0 or faster < 0:
        raise ValueError(f"throughputs must be positive, got {faster} and {baseline}.")
    return faster / baseline


def summarize_runs(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Median throughput, epoch time and the final accuracies of the repeated runs of one side.

    Each run holds ``examples_per_sec`` (wall-clock, loading included), ``epoch_seconds``
    (a list), ``book_examples_per_sec`` and the final ``train_loss``/``train_acc``/``test_acc``.
    """
    if not runs:
        raise ValueError("no runs to summarize.")
    epochs = [t for run in runs for t in run["epoch_seconds"]]
    last = runs[-1]
    return {
        "examples_per_sec": statistics.median(run["examples_per_sec"] for run in runs),
        "epoch_seconds": statistics.median(epochs),
        "book_examples_per_sec": statistics.median(run["book_examples_per_sec"] for run in runs),
        "train_loss": last["train_loss"],
        "train_acc": last["train_acc"],
        "test_acc": last["test_acc"],
        "repeats": len(runs),
    }


def format_si(value: float, unit: str = "") -> str:
    """A number with an SI prefix: ``format_si(2.5e9, 'FLOP/s') == '2.50 GFLOP/s'``."""
    for factor, prefix in ((1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= factor:
            return f"{value / factor:.2f} {prefix}{unit}"
    return f"{value:.2f} {unit}".rstrip()


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table: columns padded to their widest cell, numbers right-aligned."""
    cells = [[_cell(value) for value in row] for row in rows]
    for row in cells:
        if len(row) != len(headers):
            raise ValueError(f"a row has {len(row)} cells for {len(headers)} columns: {row}")
    widths = [max([len(h)] + [len(row[i]) for row in cells]) for i, h in enumerate(headers)]
    numeric = [all(isinstance(row[i], int | float) for row in rows) and bool(rows)
               for i in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if num else v.ljust(w)
                         for v, w, num in zip(values, widths, numeric, strict=True)).rstrip()

    separator = "  ".join("-" * w for w in widths)
    return "\n".join([line(list(headers)), separator] + [line(row) for row in cells])


def _cell(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "-" if value is None else str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.3f}"
    return str(value)
