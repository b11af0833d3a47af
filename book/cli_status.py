"""``python -m book status``: fresh, stale and missing outputs per snippet and mode, the
outputs published under the library drift rule, and runs keyed by an older runner."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from book.cells import find_snippets, load_snippet
from book.store.files import read_store, store_path
from book.store.publishing import current_keys, published_output
from book.store.schema import MODES


def snippet_status(path: Path, snippets_dir: Path, store_dir: Path) -> dict[str, dict[str, Any]]:
    """Per mode: how many cells have fresh, stale and missing outputs; for full mode also
    how many stale ones are published under the library drift rule (``library_drift``), and
    whether the stored run predates module recording (``older_runner``)."""
    snippet = load_snippet(path, snippets_dir)
    runs = read_store(store_path(store_dir, snippet.relpath))["runs"]
    keys, code = current_keys(snippet, runs, snippets_dir.resolve().parent)
    counts: dict[str, dict[str, Any]] = {}
    for mode in MODES:
        cells = (runs.get(mode) or {}).get("cells", {})
        tally: dict[str, Any] = {"fresh": 0, "stale": 0, "missing": 0}
        for name, key in keys.get(mode, {}).items():
            record = cells.get(name)
            if record is None:
                tally["missing"] += 1
            else:
                tally["fresh" if record["key"] == key else "stale"] += 1
        if mode not in runs:
            tally["missing"] = len(code)
        if mode == "full":
            tally["library_drift"] = sum(
                published_output(runs, name, keys, code_key).drift
                for name, code_key in code.items())
        tally["older_runner"] = mode in runs and "library_modules" not in runs[mode]
        counts[mode] = tally
    return counts


def needs_run(path: Path, snippets_dir: Path, store_dir: Path, mode: str) -> bool:
    """Whether any cell of the snippet has a stale or missing output in ``mode`` (an output
    published under the library drift rule counts as stale in full mode)."""
    counts = snippet_status(path, snippets_dir, store_dir)[mode]
    return counts["stale"] > 0 or counts["missing"] > 0


def _published_tally(snippets_dir: Path, store_dir: Path,
                     selection: list[str] | None) -> dict[str, int]:
    from book.store.publishing import published_outputs

    published = {"full": 0, "drift": 0, "quick": 0, "none": 0}
    for path in find_snippets(snippets_dir, selection):
        snippet = load_snippet(path, snippets_dir)
        for output in published_outputs(snippet, store_path(store_dir, snippet.relpath),
                                        repo_dir=snippets_dir.resolve().parent).values():
            kind = output.mode if output.status == "ok" and output.mode else "none"
            published["drift" if output.drift else kind] += 1
    return published


def _line(rel: str, counts: dict[str, dict[str, Any]]) -> str:
    parts = []
    for mode, c in counts.items():
        part = f"{mode}: {c['fresh']} fresh/{c['stale']} stale/{c['missing']} missing"
        if c.get("library_drift"):
            part += f" ({c['library_drift']} full, library drift)"
        parts.append(part)
    return f"{rel:55s} {'  '.join(parts)}"


def cmd_status(args: argparse.Namespace) -> int:
    """Print (or write as JSON) the state of every selected snippet's outputs."""
    snippets_dir = Path(args.snippets_dir)
    store_dir = Path(args.store) if args.store else snippets_dir
    report = {}
    for path in find_snippets(snippets_dir, args.paths):
        rel = path.resolve().relative_to(snippets_dir.resolve()).as_posix()
        report[rel] = snippet_status(path, snippets_dir, store_dir)
    if args.json:
        print(json.dumps(report, indent=1))
        return 0
    for rel, counts in report.items():
        print(_line(rel, counts))
    published = _published_tally(snippets_dir, store_dir, args.paths)
    print(f"published cells: {published['full'] + published['drift']} full "
          f"({published['drift']} of them full, library drift), {published['quick']} quick, "
          f"{published['none']} missing or stale")
    older = sorted({mode for counts in report.values() for mode, c in counts.items()
                    if c["older_runner"]})
    if older:
        runs = sum(c["older_runner"] for counts in report.values() for c in counts.values())
        print(f"{runs} stored runs were written by an older runner, which did not record the "
              "d2lref modules a run imported: their cells count as stale. Re-run them: "
              + "; ".join(f"python -m book {'full-run' if mode == 'full' else 'run'} "
                          f"--mode {mode} --stale-only" for mode in older))
    return 0
