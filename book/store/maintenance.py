"""Whole-tree operations on the snippets' stores: merging shard runs in, upgrading the file
format, and dropping the runs no cell publishes from. Each writes through ``update_store``
(or ``migrate_store``) and keeps only the runs ``publishable_runs`` allows."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from book.cells import Snippet, find_snippets, load_snippet
from book.store.files import STORE_SUFFIX, migrate_store, read_store, store_path, update_store
from book.store.keys import code_keys, run_keys
from book.store.publishing import drop_unpublishable_runs


def snippet_of_store(store_file: Path, store_dir: Path, snippets_dir: Path) -> Path:
    """The snippet file whose outputs ``store_file`` (inside ``store_dir``) holds."""
    rel = store_file.relative_to(store_dir).as_posix()
    return snippets_dir / (rel[: -len(STORE_SUFFIX)] + ".py")


def fresh_cells(run: dict[str, Any], snippet: Snippet, repo_dir: Path,
                code: dict[str, str] | None = None) -> int:
    """How many of the snippet's cells ``run`` holds with their current key."""
    cells = run.get("cells", {})
    keys = run_keys(snippet, run, repo_dir, code)
    return sum(1 for name, key in keys.items() if cells.get(name, {}).get("key") == key)


def better_run(candidate: dict[str, Any], current: dict[str, Any] | None, snippet: Snippet,
               repo_dir: Path) -> bool:
    """Whether ``candidate`` should replace ``current``: more fresh cells wins; among runs
    equally fresh, the newer one."""
    if current is None:
        return True
    code = code_keys(snippet, repo_dir)
    new = fresh_cells(candidate, snippet, repo_dir, code)
    old = fresh_cells(current, snippet, repo_dir, code)
    if new != old:
        return new > old
    return candidate.get("date", "") > current.get("date", "")


# Written by ``full-run`` beside the stores of its --store folder: what it selected and how
# each snippet ended. ``merge`` reads it to tell a shard that had nothing to run from one
# whose every snippet failed.
RUN_SUMMARY = "run-summary.json"


@dataclass
class MergeCounts:
    """What a merge did: runs taken from the shards, stored runs kept, runs dropped, and the
    source folders that held no store file (with the reason)."""

    files: int = 0
    merged: int = 0
    kept: int = 0
    dropped: int = 0
    empty: list[str] = field(default_factory=list)
    selected: int | None = 0  # snippets the shards selected; None: unknown (no summary)


def _selected(source_dir: Path) -> int | None:
    """How many snippets the run that filled ``source_dir`` selected (None: unknown)."""
    summary = source_dir / RUN_SUMMARY
    try:
        return len(json.loads(summary.read_text(encoding="utf-8"))["selected"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def shard_store_files(sources: list[Path], counts: MergeCounts) -> list[tuple[Path, Path]]:
    """Every (shard folder, store file) pair. A missing folder is an error; a folder without
    store files is noted in ``counts`` and skipped."""
    found: list[tuple[Path, Path]] = []
    for source_dir in sources:
        if not source_dir.is_dir():
            raise ValueError(f"merge: the source folder {source_dir} does not exist")
        selected = _selected(source_dir)
        counts.selected = None if selected is None or counts.selected is None \
            else counts.selected + selected
        files = sorted(source_dir.rglob(f"*{STORE_SUFFIX}"))
        if not files:
            reason = ("its run had nothing to run" if selected == 0 else
                      "no summary says what its run selected" if selected is None else
                      f"none of the {selected} snippets its run selected succeeded")
            counts.empty.append(f"{source_dir}: no *{STORE_SUFFIX} files ({reason})")
        found.extend((source_dir, source) for source in files)
    return found


def merge_stores(target_dir: Path, sources: list[Path]) -> MergeCounts:
    """Copy each mode's freshest run from shard store folders into the snippets tree.

    A shard folder without store files (nothing was stale there, or everything failed) is
    skipped; merging fails only when no folder held a store file although some run
    selected snippets (or did not say what it selected).
    """
    counts = MergeCounts()
    found = shard_store_files(sources, counts)
    counts.files = len(found)
    if not found and counts.selected != 0:
        raise ValueError(
            "merge: nothing was stored: no source folder holds a *" + STORE_SUFFIX + " file, "
            "although snippets were selected (" + "; ".join(counts.empty) + "). See the "
            "runs' logs for the failures; a run with nothing to run says so in its "
            + RUN_SUMMARY + "."
        )
    repo_dir = target_dir.resolve().parent
    for source_dir, source in found:
        snippet = load_snippet(snippet_of_store(source, source_dir, target_dir), target_dir)
        incoming = read_store(source)

        def merge_into(current: dict[str, Any], incoming: dict[str, Any] = incoming,
                       snippet: Snippet = snippet) -> None:
            for mode, run in incoming["runs"].items():
                if better_run(run, current["runs"].get(mode), snippet, repo_dir):
                    current["runs"][mode] = run
                    counts.merged += 1
                else:
                    counts.kept += 1
            current["snippet"] = snippet.relpath
            counts.dropped += len(drop_unpublishable_runs(current, snippet, repo_dir))

        update_store(store_path(target_dir, snippet.relpath), merge_into)
    return counts


def migrate_stores(snippets_dir: Path) -> tuple[int, int]:
    """Upgrade the store files to the current format, their outputs unchanged, dropping the
    runs no cell publishes from; (files upgraded, files)."""
    files = sorted(snippets_dir.rglob(f"*{STORE_SUFFIX}"))
    upgraded = 0
    for path in files:
        snippet_file = snippet_of_store(path, snippets_dir, snippets_dir)
        tidy = None
        if snippet_file.is_file():  # a store without a snippet publishes nothing anyway
            tidy = partial(drop_unpublishable_runs,
                           snippet=load_snippet(snippet_file, snippets_dir),
                           repo_dir=snippets_dir.resolve().parent)
        upgraded += migrate_store(path, tidy)
    return upgraded, len(files)


@dataclass
class PrunedStore:
    """One store file that ``prune_stores`` rewrote: the modes dropped, bytes before, after."""

    relpath: str
    dropped: list[str]
    bytes_before: int
    bytes_after: int


def prune_stores(snippets_dir: Path, selection: list[str] | None = None) -> list[PrunedStore]:
    """Drop from the snippets' stores the runs no cell publishes from; the stores changed."""
    pruned = []
    repo_dir = snippets_dir.resolve().parent
    for snippet_file in find_snippets(snippets_dir, selection):
        snippet = load_snippet(snippet_file, snippets_dir)
        store_file = store_path(snippets_dir, snippet.relpath)
        if not store_file.is_file():
            continue
        if not drop_unpublishable_runs(read_store(store_file), snippet, repo_dir):
            continue  # nothing to drop: the file is left as it is
        size = store_file.stat().st_size
        dropped: list[str] = []

        def prune(data: dict[str, Any], snippet: Snippet = snippet,
                  dropped: list[str] = dropped) -> None:
            dropped.extend(drop_unpublishable_runs(data, snippet, repo_dir))

        update_store(store_file, prune)
        pruned.append(PrunedStore(snippet.relpath, dropped, size, store_file.stat().st_size))
    return pruned
