"""Where the book's parts live in the repository: one place for every module of ``book``."""

from __future__ import annotations

from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[1]
"""The repository root (the folder holding ``book/``, ``d2lref/``, ``docs/``, ``snippets/``)."""
LIBRARY_DIR = REPO_DIR / "d2lref"
"""The reader's library: what snippets import and what the wheel holds."""
SNIPPETS_DIR = REPO_DIR / "snippets"
DOCS_DIR = REPO_DIR / "docs"
ASSETS_DIR = DOCS_DIR / "assets"
