"""Helpers of the book package's tests: write a throw-away snippet or page."""

from __future__ import annotations

import textwrap
from pathlib import Path


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
