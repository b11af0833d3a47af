"""Every internal link and anchor of the built site resolves (linkchecker over local HTTP)."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# One worker builds the site once (session fixture) and runs every site test.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("site")]

# AnchorCheck reports links to a missing #id; external URLs are not followed (no network).
LINKCHECKER_CONFIG = """\
[checking]
threads=4
# Honoured because the test server sends a "LinkChecker" header (see conftest.py).
maxrequestspersecond=200

[filtering]
checkextern=0
# Notebook views are checked to exist but not crawled: their pages embed every figure and
# take linkchecker minutes to parse, and their only links are the navigation checked elsewhere.
nofollow=/notebooks/
# Code-line anchors (pymdownx.highlight anchor_linenums) point at the line beside them: one
# link per line of code, thousands per page, and never broken.
ignore=#__codelineno-

[AnchorCheck]
"""


def _linkchecker() -> list[str]:
    beside_python = Path(sys.executable).with_name("linkchecker")
    if beside_python.exists():
        return [str(beside_python)]
    found = shutil.which("linkchecker")
    if found is None:
        pytest.fail("linkchecker is not installed: pip install -r requirements/ci.txt")
    return [found]


def test_no_broken_links_or_anchors(site_url: str, tmp_path: Path):
    """linkchecker crawls the site from the Chinese home page over HTTP."""
    config = tmp_path / "linkcheckerrc"
    config.write_text(LINKCHECKER_CONFIG, encoding="utf-8")
    result = subprocess.run(
        [
            *_linkchecker(),
            "--config",
            str(config),
            "--no-status",
            "--verbose",
            "--output",
            "csv",
            site_url,
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    rows = list(
        csv.DictReader(
            (line for line in result.stdout.splitlines() if not line.startswith("#")), delimiter=";"
        )
    )
    problems = [
        f"{row['urlname']} (on {row['parentname']}): {row['result']} {row['warningstring']}".strip()
        for row in rows
        if row["valid"] != "True" or row["warningstring"]
    ]
    assert problems == [], "linkchecker found broken links or anchors"
    assert result.returncode == 0, result.stderr[-4000:]
    crawled = {row["url"] for row in rows}
    # The whole book was crawled in both languages (the language switch links them).
    for page in ("", "glossary/", "en/", "en/glossary/", "en/convolutional-modern/densenet/"):
        assert site_url + page in crawled
