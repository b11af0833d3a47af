"""Snippet files: plain Python scripts split into named cells (jupytext's percent format).

A snippet ``snippets/<chapter>/<page>.py`` belongs to the pages
``docs/<lang>/<chapter>/<page>.md``; each cell starts with ``# %% <name>``.
"""

from __future__ import annotations

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
    relpath = path.resolve().relative_to(snippets_dir.resolve()).as_posix()
    return parse_snippet(path.read_text(encoding="utf-8"), relpath)


def find_snippets(snippets_dir: Path, selection: list[str] | None = None) -> list[Path]:
    """All snippet files, or those named by ``selection`` (files or folders)."""
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
