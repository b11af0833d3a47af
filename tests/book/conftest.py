"""Fixtures for the execution pipeline's tests: a throw-away book with its own snippets."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.book.helpers import DEMO_SNIPPET, write


@pytest.fixture
def tiny_book(tmp_path: Path) -> Path:
    """A book folder with one snippet and its zh page (no d2lref training involved)."""
    write(tmp_path / "snippets" / "demo" / "page.py", DEMO_SNIPPET)
    write(
        tmp_path / "docs" / "zh" / "demo" / "page.md",
        """
        # 演示 { #demo }

        一些文字。

        !cell setup

        ```mermaid
        flowchart LR
          a --> b
        ```

        !cell show-html
        !cell total hl="2"
        """,
    )
    return tmp_path
