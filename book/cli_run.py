"""``python -m book run`` and ``python -m book full-run``: select snippets (all, the stale
ones, one shard of them), run them, store what succeeded and print the closing table.

``full-run`` is the one command of every full run, on a GPU runner (``gpu.yml``) and on a
leased machine (``python -m book.bench device-run``): full mode by default, a summary file
beside the stores it writes (what ``merge`` reads), and the same options as ``run``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from book.cells import find_snippets
from book.cli_status import needs_run
from book.store.files import read_store, store_path
from book.store.maintenance import RUN_SUMMARY

DEFAULT_SECONDS = 30.0


def log(message: str) -> None:
    """A progress or error line of a command, on stderr."""
    print(message, file=sys.stderr, flush=True)


def recorded_duration(path: Path, snippets_dir: Path) -> float:
    """The longest recorded run of a snippet, for balancing shards."""
    rel = path.resolve().relative_to(snippets_dir.resolve()).as_posix()
    runs = read_store(store_path(snippets_dir, rel))["runs"]
    durations = [run.get("duration_s", 0) for run in runs.values()]
    return max(durations) if durations else DEFAULT_SECONDS


def shard_paths(paths: list[Path], snippets_dir: Path, index: int, count: int) -> list[Path]:
    """Longest-first greedy split of ``paths`` into ``count`` shards; return shard ``index``."""
    if count < 1:
        raise ValueError(f"shard {index}/{count}: the number of shards N must be at least 1")
    if not 1 <= index <= count:
        raise ValueError(f"shard {index}/{count}: the index K must be between 1 and {count}")
    bins: list[tuple[float, list[Path]]] = [(0.0, []) for _ in range(count)]
    weighted = sorted(
        ((recorded_duration(p, snippets_dir), p.as_posix(), p) for p in paths), reverse=True
    )
    for seconds, _, path in weighted:
        lightest = min(range(count), key=lambda i: (bins[i][0], i))
        total, members = bins[lightest]
        bins[lightest] = (total + seconds, members + [path])
    return sorted(bins[index - 1][1])


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """``"K/N"`` as ``(K, N)``; None for no shard."""
    if not text:
        return None
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:  # also "2", "1/2/3", "a/b"
        raise SystemExit(f"--shard {text!r}: write it as K/N, e.g. 2/4") from None
    return index, count


def select_paths(args: argparse.Namespace, snippets_dir: Path, store_dir: Path) -> list[Path]:
    """The snippets to run: those named (default all), the stale ones with --stale-only
    (decided before sharding, so every shard of a checkout sees one selection), one shard."""
    paths = find_snippets(snippets_dir, args.paths)
    if args.stale_only:
        before = len(paths)
        # Fresh beside the snippets (published) or already in --store (a resumed shard).
        stores = [snippets_dir] if store_dir == snippets_dir else [snippets_dir, store_dir]
        paths = [p for p in paths if all(needs_run(p, snippets_dir, d, args.mode) for d in stores)]
        log(f"{len(paths)} of {before} snippets have stale or missing {args.mode} outputs")
    shard = parse_shard(args.shard)
    if shard:
        paths = shard_paths(paths, snippets_dir, *shard)
        log(f"shard {shard[0]}/{shard[1]}: {len(paths)} snippets")
    return paths


def cmd_run(args: argparse.Namespace) -> int:
    """Run the selected snippets; every snippet runs even when one fails (exit 1 then)."""
    # Imported here: only running needs nbclient, a kernel and torch.
    from book.kernel import stop_cleanly_on_signals
    from book.runner import RunOptions, run_snippets

    snippets_dir = Path(args.snippets_dir)
    store_dir = Path(args.store) if args.store else snippets_dir
    paths = select_paths(args, snippets_dir, store_dir)
    options = RunOptions(
        mode=args.mode, data_root=args.data, timeout_s=args.timeout,
        store_dir=Path(args.store) if args.store else None,
    )
    summary_file = Path(args.summary) if args.summary else (
        store_dir / RUN_SUMMARY if args.store else None)
    try:
        with stop_cleanly_on_signals():
            summary = run_snippets(paths, snippets_dir, options, log=log, keep_going=True,
                                   summary_file=summary_file)
    except KeyboardInterrupt as stop:
        log(f"stopped ({stop or 'interrupted'}); outputs stored so far are kept")
        return 130
    total = sum(seconds for _, seconds in summary.timings)
    log(f"{len(summary.timings)} snippets ran and were stored in {total:.1f} s "
         f"({args.mode} mode)")
    if paths:
        log("\n" + summary.table())
    if summary.failures:
        log(f"\nFAILED: {len(summary.failures)} of {len(paths)} snippets:")
        for err in summary.failures:
            log(f"\n{err}")
        log("\nfailed: " + ", ".join(f"snippets/{err.snippet}" for err in summary.failures))
        return 1
    return 0


def add_run_arguments(parser: argparse.ArgumentParser, default_mode: str) -> None:
    """The options ``run`` and ``full-run`` share."""
    from book.store.schema import MODES

    parser.add_argument("paths", nargs="*", help="snippet files or folders (default: all)")
    parser.add_argument("--mode", choices=MODES, default=default_mode,
                        help=f"run mode (default: {default_mode})")
    parser.add_argument("--data", help="data root (default: D2LREF_DATA or the user cache)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per snippet")
    parser.add_argument("--store", help="store folder (default: beside the snippets)")
    parser.add_argument("--shard", help="run only shard K of N, written K/N")
    parser.add_argument(
        "--stale-only", action="store_true",
        help="run only snippets with a stale or missing output in --mode (before sharding)",
    )
    parser.add_argument(
        "--summary", help=f"write the run's summary (JSON) here (default: {RUN_SUMMARY} in "
                          "the --store folder, when one is given)")
    parser.set_defaults(func=cmd_run)
