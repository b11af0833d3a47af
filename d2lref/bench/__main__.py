"""Command line: ``python -m d2lref.bench compare ...`` (and the internal ``run-once``)."""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

from d2lref.bench.models import BENCH_SETTINGS


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the comparison (or one run of one side)."""
    parser = argparse.ArgumentParser(prog="python -m d2lref.bench")
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
    once = commands.add_parser("run-once", help="one run of one side (used by compare)")
    once.add_argument("--impl", choices=["d2l", "d2lref"], required=True)
    once.add_argument("--model", choices=list(BENCH_SETTINGS), required=True)
    once.add_argument("--epochs", type=int, required=True)
    once.add_argument("--seed", type=int, default=0)
    once.add_argument("--threads", type=int)
    once.add_argument("--option", action="append", default=[], choices=["bf16", "compile"])
    once.add_argument("--result-file", type=pathlib.Path, required=True)
    args = parser.parse_args(argv)

    if args.command == "run-once":
        from d2lref.bench.runner import run_once

        result = run_once(args.impl, args.model, args.epochs, args.seed, args.threads,
                          tuple(args.option))
        args.result_file.write_text(json.dumps(result, indent=1))
        return 0

    if args.epochs < 1 or args.repeats < 1:
        parser.error("--epochs and --repeats must be at least 1.")
    from d2lref.bench.results import comparison_table, flops_table, results_dir
    from d2lref.bench.runner import compare as run_compare

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


if __name__ == "__main__":
    sys.exit(main())
