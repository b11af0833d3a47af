"""Fixtures for the execution pipeline's tests: a throw-away book with its own snippets."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

REPO_DIR = Path(__file__).resolve().parents[2]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


# A snippet that prints HTML (which pages must show as text) and ends on a bare expression.
DEMO_SNIPPET = """
# %% setup
values = [1, 2, 3]

# %% show-html
print("<b>x</b> & <script>alert(1)</script>")

# %% total
total = sum(values)
total
"""


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
