"""Command line: ``python -m book.bench compare ...`` (and the internal ``run-once``),
``estimate`` (the modern-CNN pages' time on one H200), ``device-prepare`` and ``device-run``
(the one prepared call on a GPU machine, see ``book.bench.device``)."""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

from book.bench.models import BENCH_SETTINGS


def build_parser() -> argparse.ArgumentParser:
    """Every command but ``device-prepare`` and ``device-run``, which parse their own."""
    parser = argparse.ArgumentParser(prog="python -m book.bench")
    commands = parser.add_subparsers(dest="command", required=True)
    compare = commands.add_parser("compare", help="alternate d2l and d2lref training runs")
    compare.add_argument("--model", nargs="+", choices=list(BENCH_SETTINGS), default=["lenet"])
    compare.add_argument("--epochs", type=int, default=3)
    compare.add_argument("--repeats", type=int, default=2)
    compare.add_argument("--seed", type=int, default=0)
    compare.add_argument("--threads", type=int,
                         help="torch intra-op threads of each training process (both sides)")
    compare.add_argument("--no-flops", action="store_true", help="skip FLOP counts and peak")
    compare.add_argument("--option", action="append", default=[], choices=["bf16", "compile"],
                         help="opt-in numerics-changing option for the d2lref side: bf16 "
                              "autocast or torch.compile (repeatable)")
    compare.add_argument("--out", type=pathlib.Path,
                         help="JSON file for the results (default: the package's results "
                              "folder, <device type>-<date>.json)")
    estimate = commands.add_parser(
        "estimate", help="estimated full-run time of the modern-CNN pages on one H200")
    estimate.add_argument("--out", type=pathlib.Path,
                          help="JSON file (default: results/gpu-estimate.json in the package)")
    estimate.add_argument("--stored", action="store_true",
                          help="print the stored estimate instead of computing it")
    layout = commands.add_parser(
        "layout", help="time training steps of the modern CNNs in both memory layouts")
    layout.add_argument("--steps", type=int, default=30)
    layout.add_argument("--warmup", type=int, default=5)
    layout.add_argument("--batch", type=int, help="batch size (default: each page's own)")
    layout.add_argument("--out", type=pathlib.Path, help="JSON file for the results")
    commands.add_parser("device-prepare", help="fill .carry/ for the GPU machine (see --help)")
    commands.add_parser("device-run", help="the one call on the GPU machine (see --help)")
    once = commands.add_parser("run-once", help="one run of one side (used by compare)")
    once.add_argument("--impl", choices=["d2l", "d2lref"], required=True)
    once.add_argument("--model", choices=list(BENCH_SETTINGS), required=True)
    once.add_argument("--epochs", type=int, required=True)
    once.add_argument("--seed", type=int, default=0)
    once.add_argument("--threads", type=int)
    once.add_argument("--option", action="append", default=[], choices=["bf16", "compile"])
    once.add_argument("--result-file", type=pathlib.Path, required=True)
    return parser


def run_once_command(args: argparse.Namespace) -> int:
    """``run-once``: one training run of one side, its measurements to a JSON file."""
    from book.bench.runner import run_once

    result = run_once(args.impl, args.model, args.epochs, args.seed, args.threads,
                      tuple(args.option))
    args.result_file.write_text(json.dumps(result, indent=1))
    return 0


def estimate_command(args: argparse.Namespace) -> int:
    """``estimate``: compute (or print the stored) full-run time estimate on one H200."""
    from book.bench.estimate import (
        ESTIMATE_FILE,
        estimate_pages,
        format_estimate,
        load_estimate,
    )

    if args.stored:
        print(format_estimate(load_estimate(args.out or ESTIMATE_FILE)))
        return 0
    result = estimate_pages()
    out = args.out or ESTIMATE_FILE
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(format_estimate(result))
    print(f"estimate written to {out}")
    return 0


def layout_command(args: argparse.Namespace) -> int:
    """``layout``: time training steps in both memory layouts."""
    from book.bench.layout import format_layouts, measure_layouts

    result = measure_layouts(args.steps, args.warmup, args.batch)
    print(f"device: {result['device']}, torch {result['torch']}")
    print(format_layouts(result))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        print(f"results written to {args.out}")
    return 0


def compare_command(args: argparse.Namespace) -> int:
    """``compare``: alternate d2l and d2lref runs, store and print the results."""
    from book.bench.results import comparison_table, flops_table, results_dir
    from book.bench.runner import compare as run_compare

    results = run_compare(args.model, args.epochs, args.repeats, args.seed,
                          flops=not args.no_flops, threads=args.threads,
                          options=tuple(args.option))
    # Runs with numerics-changing options are kept apart: "bf16-cpu-<date>.json".
    prefix = "".join(f"{option}-" for option in args.option)
    out = args.out or (results_dir()
                       / f"{prefix}{results['device_type']}-{results['date'][:10]}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"device: {results['device']}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in results["versions"].items()))
    print(comparison_table(results))
    if not args.no_flops:
        print(flops_table(results))
    print(f"results written to {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the comparison (or one run of one side)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("device-prepare", "device-run"):
        from book.bench.device.cli import main as device_main

        return device_main(argv[0], argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "run-once":
        return run_once_command(args)
    if args.command == "estimate":
        return estimate_command(args)
    if args.command == "layout":
        return layout_command(args)
    if args.epochs < 1 or args.repeats < 1:
        parser.error("--epochs and --repeats must be at least 1.")
    return compare_command(args)


if __name__ == "__main__":
    sys.exit(main())
