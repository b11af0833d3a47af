"""Command line of ``device-prepare`` and ``device-run`` (``python -m book.bench ...``)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from book.bench.device.carry import DEVICE_PYTHON, DeviceRunError, prepare_carry
from book.bench.device.run import BENCH_MODELS, MODERN_CNN_PAGES, DeviceRunOptions, run_device
from book.paths import REPO_DIR


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
                            help="more benchmark wheels, e.g. requests for a CPU rehearsal")
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
