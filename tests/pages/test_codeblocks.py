"""Every page, as the reader sees it, runs: its code blocks in page order, in one namespace.

The pages' directives are expanded into a temporary copy (``python -m book expand``)
and pytest-codeblocks runs that copy — exactly "copy every block of this page into Jupyter
and run it" — together with README.md's blocks.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO_DIR = Path(__file__).resolve().parents[2]


def run_codeblocks(paths: list[Path], workdir: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, D2LREF_MODE="quick", MPLBACKEND="Agg",
               D2LREF_FIGURE_DIR=str(workdir / "figures"))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--codeblocks", "-q", "-p", "no:cacheprovider",
         "-p", "no:xdist", "--rootdir", str(workdir), *map(str, paths)],
        cwd=workdir, env=env, capture_output=True, text=True, timeout=3000,
    )


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_runs_as_shown(lang: str, tmp_path: Path):
    if not os.environ.get("D2LREF_DATA"):
        pytest.fail("D2LREF_DATA is not set: point it at the data root (see README.md)")
    expanded = tmp_path / "pages"
    subprocess.run(
        [sys.executable, "-m", "book", "expand", str(REPO_DIR / "docs" / lang),
         str(expanded)],
        check=True, cwd=REPO_DIR,
    )
    paths = sorted(expanded.rglob("*.md"))
    if lang == "en":
        paths.append(REPO_DIR / "README.md")
    result = run_codeblocks(paths, tmp_path)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    passed = int(re.search(r"(\d+) passed", result.stdout).group(1))
    pages_with_code = sum(1 for p in paths if "```python" in p.read_text(encoding="utf-8"))
    assert passed >= pages_with_code > 0


def test_pages_paste_no_python():
    """Code reaches pages only through !cell / !source directives, never pasted."""
    offenders = []
    for page in sorted((REPO_DIR / "docs").glob("*/**/*.md")):
        if "notebooks" in page.parts:
            continue
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            if re.match(r"\s*(```|~~~)\s*(python|py)\b", line):
                offenders.append(f"{page.relative_to(REPO_DIR)}:{number}")
    assert not offenders, "pasted Python fences (use !cell or !source): " + ", ".join(offenders)
