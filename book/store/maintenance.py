"""Whole-tree operations on the snippets' stores: merging shard runs in, upgrading the file
format, and dropping the runs no cell publishes from. Each writes through ``update_store``
(or ``migrate_store``) and keeps only the runs ``publishable_runs`` allows."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from book.cells import Snippet, find_snippets, load_snippet
from book.store.files import STORE_SUFFIX, migrate_store, read_store, store_path, update_store
from book.store.keys import cell_keys, library_hash
from book.store.publishing import drop_unpublishable_runs


def snippet_of_store(store_file: Path, store_dir: Path, snippets_dir: Path) -> Path:
    """The snippet file whose outputs ``store_file`` (inside ``store_dir``) holds."""
    rel = store_file.relative_to(store_dir).as_posix()
    return snippets_dir / (rel[: -len(STORE_SUFFIX)] + ".py")


def current_keys(snippet: Snippet, snippets_dir: Path) -> dict[str, str]:
    """The current key of every cell of a snippet of the repository holding ``snippets_dir``."""
    return cell_keys(snippet, library_hash(), snippets_dir.resolve().parent)


def fresh_cells(run: dict[str, Any], keys: dict[str, str]) -> int:
    """How many of the snippet's cells ``run`` holds with their current key."""
    cells = run.get("cells", {})
    return sum(1 for name, key in keys.items() if cells.get(name, {}).get("key") == key)


def better_run(candidate: dict[str, Any], current: dict[str, Any] | None,
               keys: dict[str, str]) -> bool:
    """Whether ``candidate`` should replace ``current``: more fresh cells wins; among runs
    equally fresh, the newer one."""
    if current is None:
        return True
    new, old = fresh_cells(candidate, keys), fresh_cells(current, keys)
    if new != old:
        return new > old
    return candidate.get("date", "") > current.get("date", "")


@dataclass
class MergeCounts:
    """What a merge did: runs taken from the shards, stored runs kept, runs dropped."""

    files: int = 0
    merged: int = 0
    kept: int = 0
    dropped: int = 0


def shard_store_files(sources: list[Path]) -> list[tuple[Path, Path]]:
    """Every (shard folder, store file) pair; a missing or empty shard folder is an error."""
    found: list[tuple[Path, Path]] = []
    for source_dir in sources:
        if not source_dir.is_dir():
            raise ValueError(f"merge: the source folder {source_dir} does not exist")
        files = sorted(source_dir.rglob(f"*{STORE_SUFFIX}"))
        if not files:
            raise ValueError(
                f"merge: the source folder {source_dir} holds no *{STORE_SUFFIX} files "
                "(did its run store nothing?)"
            )
        found.extend((source_dir, source) for source in files)
    return found


def merge_stores(target_dir: Path, sources: list[Path]) -> MergeCounts:
    """Copy each mode's freshest run from shard store folders into the snippets tree."""
    found = shard_store_files(sources)
    counts = MergeCounts(files=len(found))
    for source_dir, source in found:
        snippet = load_snippet(snippet_of_store(source, source_dir, target_dir), target_dir)
        relpath, keys = snippet.relpath, current_keys(snippet, target_dir)
        incoming = read_store(source)

        def merge_into(current: dict[str, Any], incoming: dict[str, Any] = incoming,
                       keys: dict[str, str] = keys, relpath: str = relpath) -> None:
            for mode, run in incoming["runs"].items():
                if better_run(run, current["runs"].get(mode), keys):
                    current["runs"][mode] = run
                    counts.merged += 1
                else:
                    counts.kept += 1
            current["snippet"] = relpath
            counts.dropped += len(drop_unpublishable_runs(current, keys))

        update_store(store_path(target_dir, relpath), merge_into)
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
            keys = current_keys(load_snippet(snippet_file, snippets_dir), snippets_dir)
            tidy = partial(drop_unpublishable_runs, keys=keys)
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
    for snippet_file in find_snippets(snippets_dir, selection):
        snippet = load_snippet(snippet_file, snippets_dir)
        store_file = store_path(snippets_dir, snippet.relpath)
        if not store_file.is_file():
            continue
        keys = current_keys(snippet, snippets_dir)
        if not drop_unpublishable_runs(read_store(store_file), keys):
            continue  # nothing to drop: the file is left as it is
        size = store_file.stat().st_size
        dropped: list[str] = []

        def prune(data: dict[str, Any], keys: dict[str, str] = keys,
                  dropped: list[str] = dropped) -> None:
            dropped.extend(drop_unpublishable_runs(data, keys))

        update_store(store_file, prune)
        pruned.append(PrunedStore(snippet.relpath, dropped, size, store_file.stat().st_size))
    return pruned
