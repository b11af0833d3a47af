"""The page as a reader copies it, for pytest-codeblocks: the page's cells as plain
``python`` fences chained with ``pytest-codeblocks:cont``, so they run in page order in one
namespace; every other fence becomes a ``~~~`` fence, which pytest-codeblocks ignores."""

from __future__ import annotations

from pathlib import Path

from book.render.page import FENCE, CellRef, Page, extract_source, fenced_code


def render_test(page: Page, repo_dir: Path) -> str:
    """The page for pytest-codeblocks: cells run in page order, nothing else runs."""
    pieces: list[str] = []
    first_cell = True
    for segment in page.segments:
        if isinstance(segment, str):
            pieces.append(_tilde_fences(segment))
        elif isinstance(segment, CellRef):
            cell = page.cell(segment.name)
            marker = "" if first_cell else "<!--pytest-codeblocks:cont-->\n"
            pieces.append("\n" + marker + fenced_code(cell.source, "python") + "\n")
            first_cell = False
        else:
            source = extract_source(repo_dir, segment.path, segment.name)
            pieces.append("\n" + fenced_code(source, "python", char="~") + "\n")
    return "".join(pieces)


def _tilde_fences(text: str) -> str:
    out = []
    for line in text.splitlines(keepends=True):
        match = FENCE.match(line)
        if match and match.group("fence").startswith("`"):
            fence = match.group("fence")
            line = match.group("indent") + "~" * len(fence) + line[match.end() :]
        out.append(line)
    return "".join(out)

