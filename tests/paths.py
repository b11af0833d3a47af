"""Where the tests find the repository's parts: one place for every test module."""

from __future__ import annotations

from book.paths import DOCS_DIR, REPO_DIR, SNIPPETS_DIR

ARTIFACTS_DIR = REPO_DIR / "test-artifacts"
"""Screenshots and other files a test leaves for a person to look at (git-ignored)."""
LANGUAGES = ("zh", "en")

__all__ = ["ARTIFACTS_DIR", "DOCS_DIR", "LANGUAGES", "REPO_DIR", "SNIPPETS_DIR"]
