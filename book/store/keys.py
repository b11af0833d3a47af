"""Cell keys: a hash of everything a cell's output depends on.

A cell's key has two parts. Its *code key* hashes the snippet's earlier cells, the cell
itself and the repository files the cell declares it reads (a ``# reads: PATTERN ...``
comment line in the cell, see CONTRIBUTING.md). Its *library part* is the code of the
d2lref modules the run imported (``book.store.library``). So editing a cell marks exactly
that cell and the ones after it stale, editing a d2lref module's code marks the pages that
imported it, a docstring or comment edit marks nothing, and committing a new benchmark
result marks the Performance page stale.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
import subprocess
from pathlib import Path
from typing import Any

from book.cells import Snippet, SnippetError
from book.paths import REPO_DIR
from book.store.library import library_hash, module_digests, modules_digest

# Bumped when the way cells are executed, or keyed, changes. Version 2: the library part
# covers only the modules a run imported, by their code (runs of version 1 are all stale).
RUNNER_VERSION = "2"

# "# reads: book/bench/results/*.json book/bench/*.py" in a cell: repository files the
# cell reads, relative to the repository root.
READS_DECLARATION = re.compile(r"^[ \t]*#[ \t]*reads:[ \t]*(?P<patterns>\S.*?)[ \t]*$", re.M)


def declared_inputs(source: str) -> list[str]:
    """The repository file patterns a cell declares with ``# reads:`` lines."""
    patterns: list[str] = []
    for match in READS_DECLARATION.finditer(source):
        patterns.extend(match.group("patterns").split())
    return patterns


def _git(repo_dir: Path, *args: str) -> str | None:
    """Output of a git command in ``repo_dir``, or None outside a git checkout."""
    try:
        result = subprocess.run(
            ["git", *args], cwd=repo_dir, capture_output=True, text=True, check=True,
            timeout=60,
        )
    except (OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired):
        return None
    return result.stdout


def _is_git_checkout(repo_dir: Path) -> bool:
    top = _git(repo_dir, "rev-parse", "--show-toplevel")
    return top is not None and Path(top.strip()).resolve() == repo_dir.resolve()


def _check_pattern(pattern: str, where: str) -> str:
    if pattern.startswith("/") or ".." in Path(pattern).parts or "**" in pattern or "\\" in pattern:
        raise SnippetError(
            f"{where}: '# reads: {pattern}' must be a path relative to the repository root, "
            "with '*' only inside one folder, e.g. book/bench/results/*.json."
        )
    return pattern


def _pattern_prefix(pattern: str) -> str:
    """The folder part of ``pattern`` before its first wildcard."""
    head = re.split(r"[*?\[]", pattern, maxsplit=1)[0]
    return head.rsplit("/", 1)[0] if "/" in head else ""


def committed_inputs(repo_dir: Path, patterns: list[str], where: str) -> dict[str, str]:
    """Git blob ids of the files matching ``patterns``, as committed at HEAD.

    Committed content, not the working tree: results a local benchmark run writes do not
    change a page's key until they are committed on purpose. Outside a git checkout (an
    exported tree) the working-tree files are hashed the way git hashes blobs, so the keys
    agree with a checkout of the same commit.
    """
    patterns = [_check_pattern(p, where) for p in patterns]
    blobs: dict[str, str] = {}
    if _is_git_checkout(repo_dir):
        prefixes = sorted({_pattern_prefix(p) or "." for p in patterns})
        listing = _git(repo_dir, "ls-tree", "-r", "HEAD", "--", *prefixes) or ""
        for line in listing.splitlines():
            meta, _, path = line.partition("\t")
            if any(fnmatch.fnmatchcase(path, p) for p in patterns):
                blobs[path] = meta.split()[2]
    else:
        for pattern in patterns:
            for file in repo_dir.glob(pattern):
                if file.is_file():
                    content = file.read_bytes()
                    header = f"blob {len(content)}\0".encode()
                    rel = file.relative_to(repo_dir).as_posix()
                    blobs[rel] = hashlib.sha1(header + content).hexdigest()  # noqa: S324
    for pattern in patterns:
        if not any(fnmatch.fnmatchcase(path, pattern) for path in blobs):
            raise SnippetError(
                f"{where}: '# reads: {pattern}' matches no committed file. Commit the files "
                "the cell reads, or fix the pattern."
            )
    return dict(sorted(blobs.items()))


def uncommitted_inputs(repo_dir: Path, patterns: list[str]) -> list[str]:
    """Files matching ``patterns`` that differ from HEAD (new, modified or deleted)."""
    if not patterns or not _is_git_checkout(repo_dir):
        return []
    prefixes = sorted({_pattern_prefix(p) or "." for p in patterns})
    listing = _git(repo_dir, "status", "--porcelain", "--untracked-files=all", "--", *prefixes)
    changed = []
    for line in (listing or "").splitlines():
        path = line[3:].split(" -> ")[-1].strip('"')
        if any(fnmatch.fnmatchcase(path, p) for p in patterns):
            changed.append(path)
    return changed


def snippet_inputs(snippet: Snippet) -> list[str]:
    """Every pattern the snippet's cells declare with ``# reads:``."""
    return [p for cell in snippet.cells for p in declared_inputs(cell.source)]


def code_keys(snippet: Snippet, repo_dir: Path = REPO_DIR) -> dict[str, str]:
    """The code key of every cell: a hash of the earlier cells, the cell and its inputs."""
    digest = hashlib.sha256()
    keys: dict[str, str] = {}
    for cell in snippet.cells:
        digest.update(f"cell {cell.name}\0".encode())
        digest.update(cell.source.encode())
        digest.update(b"\0")
        patterns = declared_inputs(cell.source)
        if patterns:
            where = f"snippets/{snippet.relpath}, cell {cell.name!r}"
            for path, blob in committed_inputs(repo_dir, patterns, where).items():
                digest.update(f"input {path} {blob}\0".encode())
        keys[cell.name] = digest.copy().hexdigest()
    return keys


def combined_keys(code: dict[str, str], lib_hash: str) -> dict[str, str]:
    """Each cell's key from its code key and the library part."""
    return {
        name: hashlib.sha256(
            f"runner {RUNNER_VERSION}\0library {lib_hash}\0code {key}".encode()).hexdigest()
        for name, key in code.items()
    }


def cell_keys(snippet: Snippet, lib_hash: str, repo_dir: Path = REPO_DIR) -> dict[str, str]:
    """The key of every cell for the library part ``lib_hash``."""
    return combined_keys(code_keys(snippet, repo_dir), lib_hash)


def run_library_hash(run: dict[str, Any]) -> str:
    """The library part of the keys of ``run``, from the code of the modules it imported
    as it is now; a run that recorded no modules (an older runner) depends on all of them."""
    modules = run.get("library_modules")
    if modules is None:
        return library_hash()
    return modules_digest(modules, module_digests())


def run_keys(snippet: Snippet, run: dict[str, Any], repo_dir: Path = REPO_DIR,
             code: dict[str, str] | None = None) -> dict[str, str]:
    """The current key of every cell, for comparison with the keys ``run`` stored."""
    return combined_keys(code if code is not None else code_keys(snippet, repo_dir),
                         run_library_hash(run))
