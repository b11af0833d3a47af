"""CONTRIBUTING.md stays short and names only what exists."""

from __future__ import annotations

import re

from tests.paths import REPO_DIR

CONTRIBUTING = REPO_DIR / "CONTRIBUTING.md"
# A repository path in backticks or a link: a file with an extension, or a folder ending in /.
PATH = re.compile(r"[`(](?P<path>(?:[\w.-]+/)+(?:[\w.-]+\.(?:py|md|yml|json|txt|svg))?)[`)#]")


def test_contributing_stays_under_8_kb():
    assert len(CONTRIBUTING.read_bytes()) < 8 * 1024


def test_every_path_contributing_names_exists():
    text = CONTRIBUTING.read_text(encoding="utf-8")
    paths = {match["path"] for match in PATH.finditer(text)}
    assert len(paths) > 15  # the check reads the map (it is not blind)
    missing = sorted(path for path in paths if not (REPO_DIR / path).exists())
    assert missing == [], f"CONTRIBUTING.md names paths that do not exist: {missing}"
