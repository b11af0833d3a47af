"""Command line of the book's execution pipeline: ``python -m book <command>``.

Commands:
  run      execute snippets in a Jupyter kernel and store their outputs
  status   count fresh / stale / missing outputs per snippet and mode
  shard    list the snippets of one shard (balanced by recorded durations)
  merge    merge store files produced by several shards into the snippets tree
  migrate  upgrade store files written by an older runner (outputs unchanged)
  prune    drop the stored runs no cell publishes from (published outputs unchanged)
  expand   write every page with its cells expanded (what pytest-codeblocks runs)
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from book.cells import SnippetError, find_snippets, load_snippet
from book.paths import REPO_DIR
from book.render.codeblocks import render_test
from book.render.page import PageError, parse_page
from book.store.files import read_store, store_path
from book.store.keys import cell_keys, library_hash
from book.store.maintenance import merge_stores, migrate_stores, prune_stores
from book.store.publishing import published_outputs
from book.store.schema import MODES, StoreError

DEFAULT_SECONDS = 30.0
# Written by 'expand' into its output folder: only a folder holding it may be replaced.
EXPAND_MARKER = ".d2lref-expanded"


def _log(message: str) -> None:
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


def _parse_shard(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:  # also "2", "1/2/3", "a/b"
        raise SystemExit(f"--shard {text!r}: write it as K/N, e.g. 2/4") from None
    return index, count


def cmd_run(args: argparse.Namespace) -> int:
    """Run the selected snippets; every snippet runs even when one fails (exit 1 then)."""
    # Imported here: only running needs nbclient, a kernel and torch.
    from book.kernel import stop_cleanly_on_signals
    from book.runner import RunOptions, run_snippets

    snippets_dir = Path(args.snippets_dir)
    store_dir = Path(args.store) if args.store else snippets_dir
    paths = find_snippets(snippets_dir, args.paths)
    if args.stale_only:
        before = len(paths)
        # Fresh beside the snippets (published) or already in --store (a resumed shard).
        stores = [snippets_dir] if store_dir == snippets_dir else [snippets_dir, store_dir]
        paths = [p for p in paths if all(needs_run(p, snippets_dir, d, args.mode) for d in stores)]
        _log(f"{len(paths)} of {before} snippets have stale or missing {args.mode} outputs")
    shard = _parse_shard(args.shard)
    if shard:
        paths = shard_paths(paths, snippets_dir, *shard)
    options = RunOptions(
        mode=args.mode, data_root=args.data, timeout_s=args.timeout,
        store_dir=Path(args.store) if args.store else None,
    )
    try:
        with stop_cleanly_on_signals():
            summary = run_snippets(paths, snippets_dir, options, log=_log, keep_going=True)
    except KeyboardInterrupt as stop:
        _log(f"stopped ({stop or 'interrupted'}); outputs stored so far are kept")
        return 130
    total = sum(seconds for _, seconds in summary.timings)
    _log(f"{len(summary.timings)} snippets ran and were stored in {total:.1f} s "
         f"({args.mode} mode)")
    if summary.failures:
        _log(f"FAILED: {len(summary.failures)} of {len(paths)} snippets:")
        for err in summary.failures:
            _log(f"\n{err}")
        _log("\nfailed: " + ", ".join(f"snippets/{err.snippet}" for err in summary.failures))
        return 1
    return 0


def needs_run(path: Path, snippets_dir: Path, store_dir: Path, mode: str) -> bool:
    """Whether any cell of the snippet has a stale or missing output in ``mode``."""
    counts = snippet_status(path, snippets_dir, store_dir)[mode]
    return counts["stale"] > 0 or counts["missing"] > 0


def snippet_status(path: Path, snippets_dir: Path, store_dir: Path) -> dict[str, dict[str, int]]:
    """Per mode: how many cells have fresh, stale and missing outputs."""
    snippet = load_snippet(path, snippets_dir)
    keys = cell_keys(snippet, library_hash(), snippets_dir.resolve().parent)
    runs = read_store(store_path(store_dir, snippet.relpath))["runs"]
    counts: dict[str, dict[str, int]] = {}
    for mode in MODES:
        cells = (runs.get(mode) or {}).get("cells", {})
        tally = {"fresh": 0, "stale": 0, "missing": 0}
        for name, key in keys.items():
            record = cells.get(name)
            if record is None:
                tally["missing"] += 1
            else:
                tally["fresh" if record["key"] == key else "stale"] += 1
        counts[mode] = tally
    return counts


def cmd_status(args: argparse.Namespace) -> int:
    snippets_dir = Path(args.snippets_dir)
    store_dir = Path(args.store) if args.store else snippets_dir
    report = {}
    for path in find_snippets(snippets_dir, args.paths):
        rel = path.resolve().relative_to(snippets_dir.resolve()).as_posix()
        report[rel] = snippet_status(path, snippets_dir, store_dir)
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        published = {"full": 0, "quick": 0, "none": 0}
        for rel, counts in report.items():
            line = "  ".join(
                f"{mode}: {c['fresh']} fresh/{c['stale']} stale/{c['missing']} missing"
                for mode, c in counts.items()
            )
            print(f"{rel:55s} {line}")
        for path in find_snippets(snippets_dir, args.paths):
            snippet = load_snippet(path, snippets_dir)
            for output in published_outputs(
                snippet, store_path(store_dir, snippet.relpath),
                repo_dir=snippets_dir.resolve().parent,
            ).values():
                published[output.mode if output.status == "ok" and output.mode else "none"] += 1
        print(
            f"published cells: {published['full']} full, {published['quick']} quick, "
            f"{published['none']} missing or stale"
        )
    return 0


def cmd_shard(args: argparse.Namespace) -> int:
    snippets_dir = Path(args.snippets_dir)
    shard = _parse_shard(args.shard)
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


def check_expand_target(docs_dir: Path, out_dir: Path) -> None:
    """Refuse an output folder that ``expand`` did not make (it is deleted and rewritten)."""
    docs, out = docs_dir.resolve(), out_dir.resolve()
    if out == docs or out in docs.parents or docs in out.parents:
        raise ValueError(
            f"expand: the output folder {out_dir} overlaps the docs folder {docs_dir}. Give "
            "an empty or new folder, e.g. test-artifacts/expanded."
        )
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"expand: {out_dir} is a file; give a folder.")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / EXPAND_MARKER).exists():
        raise ValueError(
            f"expand: {out_dir} is not empty and was not written by expand (no "
            f"{EXPAND_MARKER} file): refusing to delete it. Give an empty or new folder."
        )


def cmd_expand(args: argparse.Namespace) -> int:
    """Write each page of ``docs_dir`` with its directives expanded for pytest-codeblocks."""
    docs_dir, out_dir = Path(args.docs_dir), Path(args.out)
    if not docs_dir.is_dir():
        raise ValueError(f"expand: the docs folder {docs_dir} does not exist")
    pages = [
        page_file for page_file in sorted(docs_dir.rglob("*.md"))
        if not page_file.relative_to(docs_dir).as_posix().startswith("notebooks/")
    ]
    if not pages:
        raise ValueError(
            f"expand: {docs_dir} holds no pages (*.md). Did you swap the arguments? Usage: "
            "expand DOCS_DIR OUT_DIR"
        )
    check_expand_target(docs_dir, out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    (out_dir / EXPAND_MARKER).write_text(
        "Written by 'python -m book expand'; the next expand replaces this folder.\n",
        encoding="utf-8",
    )
    for page_file in pages:
        relpath = page_file.relative_to(docs_dir).as_posix()
        page = parse_page(page_file.read_text(encoding="utf-8"), relpath, REPO_DIR)
        target = out_dir / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render_test(page, REPO_DIR), encoding="utf-8")
    _log(f"expanded {len(pages)} pages into {out_dir}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m book", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--snippets-dir", default=str(REPO_DIR / "snippets"))
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="execute snippets and store their outputs")
    run.add_argument("paths", nargs="*", help="snippet files or folders (default: all)")
    run.add_argument("--mode", choices=MODES, default="quick")
    run.add_argument("--data", help="data root (default: D2LREF_DATA or the user cache)")
    run.add_argument("--timeout", type=float, default=1800.0, help="seconds per snippet")
    run.add_argument("--store", help="store folder (default: beside the snippets)")
    run.add_argument("--shard", help="run only shard K of N, written K/N")
    run.add_argument(
        "--stale-only", action="store_true",
        help="run only snippets with a stale or missing output in --mode (before sharding)",
    )
    run.set_defaults(func=cmd_run)

    status = sub.add_parser("status", help="fresh / stale / missing outputs")
    status.add_argument("paths", nargs="*")
    status.add_argument("--store")
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=cmd_status)

    shard = sub.add_parser("shard", help="list the snippets of shard K/N")
    shard.add_argument("shard")
    shard.set_defaults(func=cmd_shard)

    merge = sub.add_parser("merge", help="merge shard store folders into the snippets tree")
    merge.add_argument("sources", nargs="+")
    merge.set_defaults(func=cmd_merge)

    migrate = sub.add_parser("migrate", help="upgrade store files to the current format")
    migrate.set_defaults(func=cmd_migrate)

    prune = sub.add_parser("prune", help="drop the stored runs no cell publishes from")
    prune.add_argument("paths", nargs="*", help="snippet files or folders (default: all)")
    prune.set_defaults(func=cmd_prune)

    expand = sub.add_parser("expand", help="expand pages for pytest-codeblocks")
    expand.add_argument("docs_dir")
    expand.add_argument("out")
    expand.set_defaults(func=cmd_expand)
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
