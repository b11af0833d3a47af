"""Command line of the book's execution pipeline: ``python -m book <command>``.

Commands:
  run      execute snippets in a Jupyter kernel and store their outputs
  full-run the one command of a full run (GPU runner, leased machine): run in full mode,
           with a summary beside the stores it writes
  status   count fresh / stale / missing outputs per snippet and mode
  shard    list the snippets of one shard (balanced by recorded durations)
  merge    merge store files produced by several shards into the snippets tree
  migrate  upgrade store files written by an older runner (outputs unchanged)
  prune    drop the stored runs no cell publishes from (published outputs unchanged)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from book.cells import SnippetError, find_snippets
from book.cli_run import add_run_arguments, parse_shard, shard_paths
from book.cli_run import log as _log
from book.cli_status import cmd_status
from book.paths import REPO_DIR
from book.render.page import PageError
from book.store.maintenance import merge_stores, migrate_stores, prune_stores
from book.store.schema import StoreError


def cmd_shard(args: argparse.Namespace) -> int:
    snippets_dir = Path(args.snippets_dir)
    shard = parse_shard(args.shard)
    if shard is None:  # an empty argument
        raise SystemExit("shard '': write it as K/N, e.g. 2/4")
    index, count = shard
    for path in shard_paths(find_snippets(snippets_dir, None), snippets_dir, index, count):
        print(path.resolve().relative_to(snippets_dir.resolve()).as_posix())
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    """Copy each mode's freshest run from shard store folders into the snippets tree."""
    target_dir = Path(args.snippets_dir)
    counts = merge_stores(target_dir, [Path(source) for source in args.sources])
    for empty in counts.empty:
        _log(f"merge: skipped {empty}")
    if not counts.files:
        _log("merge: nothing to merge: no run had anything to run")
        return 0
    dropped = (f"; dropped {counts.dropped} runs no cell publishes from"
               if counts.dropped else "")
    _log(f"merged {counts.merged} runs into {target_dir} from {counts.files} store files; kept "
         f"{counts.kept} stored runs that were fresher{dropped}")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    """Upgrade store files to the current format; their outputs stay as they are."""
    snippets_dir = Path(args.snippets_dir)
    upgraded, total = migrate_stores(snippets_dir)
    _log(f"upgraded {upgraded} of {total} store files in {snippets_dir}")
    return 0


def cmd_prune(args: argparse.Namespace) -> int:
    """Drop from the stores the runs no cell publishes from; the published outputs stay."""
    snippets_dir = Path(args.snippets_dir)
    pruned = prune_stores(snippets_dir, args.paths)
    for store in pruned:
        _log(f"snippets/{store.relpath}: dropped the {' and '.join(store.dropped)} run "
             f"({store.bytes_before:,} -> {store.bytes_after:,} bytes)")
    before = sum(store.bytes_before for store in pruned)
    after = sum(store.bytes_after for store in pruned)
    _log(f"pruned {sum(len(store.dropped) for store in pruned)} runs from {len(pruned)} "
         f"store files: {before:,} -> {after:,} bytes")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m book", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--snippets-dir", default=str(REPO_DIR / "snippets"))
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="execute snippets and store their outputs")
    add_run_arguments(run, default_mode="quick")
    full_run = sub.add_parser(
        "full-run", help="the one command of a full run (GPU runner, leased machine)",
        description="Run the selected snippets in full mode (--mode quick rehearses the same "
                    "run on a CPU), store each one that succeeds, go on after a failure "
                    "(a dead kernel included), print a table of every snippet and exit 1 "
                    "if any failed. Every store it will write is checked first.")
    add_run_arguments(full_run, default_mode="full")

    status = sub.add_parser("status", help="fresh / stale / missing outputs")
    status.add_argument("paths", nargs="*")
    status.add_argument("--store")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=cmd_status)

    shard = sub.add_parser("shard", help="list the snippets of shard K/N")
    shard.add_argument("shard")
    shard.set_defaults(func=cmd_shard)

    merge = sub.add_parser(
        "merge", help="merge shard store folders into the snippets tree",
        description="Merge store folders (shards) into the snippets tree: per mode, the run "
                    "with more fresh cells wins. A folder without store files is reported and "
                    "skipped; merging fails only when none holds one although their runs "
                    "selected snippets.")
    merge.add_argument("sources", nargs="+")
    merge.set_defaults(func=cmd_merge)

    migrate = sub.add_parser("migrate", help="upgrade store files to the current format")
    migrate.set_defaults(func=cmd_migrate)

    prune = sub.add_parser("prune", help="drop the stored runs no cell publishes from")
    prune.add_argument("paths", nargs="*", help="snippet files or folders (default: all)")
    prune.set_defaults(func=cmd_prune)

    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (SnippetError, PageError, StoreError, ValueError) as err:
        _log(f"error: {err}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
