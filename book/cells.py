"""Snippet files: plain Python scripts split into named cells (jupytext's percent format).

A snippet ``snippets/<chapter>/<page>.py`` belongs to the pages
``docs/<lang>/<chapter>/<page>.md``; each cell starts with ``# %% <name>``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import jupytext

CELL_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class SnippetError(ValueError):
    """A snippet file that does not follow the snippet format (see CONTRIBUTING.md)."""


@dataclass(frozen=True)
class Cell:
    """One named code cell of a snippet."""

    name: str
    source: str
    index: int


@dataclass(frozen=True)
class Snippet:
    """A parsed snippet file: its path relative to the snippets folder and its cells."""

    relpath: str
    cells: tuple[Cell, ...]

    def cell(self, name: str) -> Cell:
        """The cell called ``name``; a clear error lists the names that exist."""
        for cell in self.cells:
            if cell.name == name:
                return cell
        known = ", ".join(c.name for c in self.cells) or "(none)"
        raise SnippetError(
            f"snippets/{self.relpath} has no cell named {name!r}. Its cells are: {known}. "
            f"Add a '# %% {name}' cell to the snippet or fix the name in the page."
        )

    @property
    def names(self) -> list[str]:
        return [cell.name for cell in self.cells]


def parse_snippet(text: str, relpath: str) -> Snippet:
    """Parse snippet source text into named cells, checking the naming rules."""
    notebook = jupytext.reads(text, fmt="py:percent")
    cells: list[Cell] = []
    for raw in notebook.cells:
        if raw.cell_type != "code":
            continue
        source = raw.source.strip("\n")
        name = raw.metadata.get("title")
        if name is None:
            if not source.strip():
                continue
            first_line = source.strip().splitlines()[0]
            raise SnippetError(
                f"snippets/{relpath}: code outside a named cell (starting with {first_line!r}). "
                "Start every cell with a line '# %% <name>' (lower-case kebab-case)."
            )
        if not CELL_NAME.match(name):
            raise SnippetError(
                f"snippets/{relpath}: cell name {name!r} is not lower-case kebab-case "
                "([a-z0-9] words joined by '-'). Rename it, e.g. '# %% train-model'."
            )
        if any(cell.name == name for cell in cells):
            raise SnippetError(
                f"snippets/{relpath}: the cell name {name!r} is used twice; cell names must "
                "be unique within a snippet."
            )
        if not source.strip():
            raise SnippetError(f"snippets/{relpath}: cell {name!r} is empty; remove it.")
        cells.append(Cell(name=name, source=source, index=len(cells)))
    if not cells:
        raise SnippetError(f"snippets/{relpath} has no cells; add '# %% <name>' cells.")
    return Snippet(relpath=relpath, cells=tuple(cells))


def load_snippet(path: Path, snippets_dir: Path) -> Snippet:
    """Read and parse the snippet file at ``path`` (inside ``snippets_dir``)."""
    if not path.is_file():
        raise SnippetError(
            f"snippet file {path} does not exist: create it with '# %% <name>' cells."
        )
    relpath = snippet_relpath(path, snippets_dir)
    return parse_snippet(read_snippet_text(path), relpath)


def snippet_relpath(path: Path, snippets_dir: Path) -> str:
    """Where the file at ``path`` is inside ``snippets_dir`` (links resolved); a file that
    is, or links to, a file outside the folder is an error naming both."""
    resolved, root = path.resolve(), snippets_dir.resolve()
    if resolved.is_relative_to(root):
        return resolved.relative_to(root).as_posix()
    if resolved != Path(os.path.abspath(path)):
        raise SnippetError(
            f"snippet {path} is a link to {resolved}, outside the snippets folder "
            f"{snippets_dir}: a snippet's outputs are stored beside it, so it must live "
            "there. Move the file into the folder in place of the link."
        )
    raise SnippetError(
        f"{path} is not inside the snippets folder {snippets_dir}: snippets are the files "
        "snippets/<chapter>/<page>.py of the book."
    )


UTF8_BOM = b"\xef\xbb\xbf"


def read_snippet_text(path: Path) -> str:
    """The text of a snippet file: UTF-8 without a byte-order mark, else an error naming
    the file, the place and the fix."""
    data = path.read_bytes()
    if data.startswith(UTF8_BOM):
        raise SnippetError(
            f"{path} starts with a byte-order mark (BOM): save it as UTF-8 without BOM "
            "(the editor's encoding 'UTF-8', not 'UTF-8 with BOM')."
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise SnippetError(
            f"{path} is not UTF-8 text: line {line} holds the byte "
            f"{data[err.start : err.start + 1]!r}, which UTF-8 does not allow. Save the "
            "file as UTF-8 (snippets are UTF-8, like every text file of the book)."
        ) from None


def find_snippets(snippets_dir: Path, selection: list[str] | None = None) -> list[Path]:
    """All snippet files, or those named by ``selection`` (files or folders)."""
    found = _selected_files(snippets_dir, selection)
    for path in found:
        snippet_relpath(path, snippets_dir)  # a link out of the folder fails here, named
    return found


def _selected_files(snippets_dir: Path, selection: list[str] | None) -> list[Path]:
    if not selection:
        return sorted(p for p in snippets_dir.rglob("*.py") if not p.name.startswith("_"))
    found: list[Path] = []
    for item in selection:
        path = Path(item)
        if not path.exists() and (snippets_dir / item).exists():
            path = snippets_dir / item
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.py") if not p.name.startswith("_")))
        elif path.is_file():
            found.append(path)
        else:
            raise SnippetError(
                f"no snippet file or folder {item!r} (looked in the working directory and in "
                f"{snippets_dir})."
            )
    return found
