"""The "Open in Colab" link: built from repo_url in mkdocs.yml, absent while it is unset."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from book.notebooks import NOTEBOOKS_BRANCH, colab_url, github_repository
from tests.package.fresh_env import REPO_DIR

FORK = "https://github.com/reader/d2l-notes-fork"
PAGE = "linear-networks/linear-regression-concise.md"
COLAB = "https://colab.research.google.com/github"


def test_colab_url_points_at_the_notebooks_branch_of_the_repo_url():
    assert colab_url(FORK, "en", PAGE) == (
        f"{COLAB}/reader/d2l-notes-fork/blob/{NOTEBOOKS_BRANCH}/"
        "en/linear-networks/linear-regression-concise.ipynb"
    )
    assert colab_url(FORK + ".git", "zh", "linear-networks/index.md") == (
        f"{COLAB}/reader/d2l-notes-fork/blob/{NOTEBOOKS_BRANCH}/zh/linear-networks/index.ipynb"
    )
    assert github_repository(FORK + "/") == "reader/d2l-notes-fork"


@pytest.mark.parametrize("repo_url", [None, "", "https://gitlab.com/reader/d2l-notes",
                                      "https://github.com/reader"])
def test_no_colab_url_without_a_github_repository(repo_url: str | None):
    assert colab_url(repo_url, "en", PAGE) is None


def test_colab_url_needs_a_page_path():
    with pytest.raises(ValueError, match="expected a path ending in .md"):
        colab_url(FORK, "en", "linear-networks/linear-regression-concise.ipynb")


def _build_one_page_site(root: Path, repo_url: str | None) -> tuple[str, dict]:
    """Build one English page with the book's cells and colab hooks; its HTML and notebook."""
    docs = root / "docs" / "en"
    (docs / PAGE).parent.mkdir(parents=True)
    shutil.copyfile(REPO_DIR / "docs" / "en" / PAGE, docs / PAGE)
    config = root / "mkdocs.yml"
    lines = [
        "site_name: notebook links check",
        "docs_dir: docs/en",
        "theme: {name: material, language: en}",
        "markdown_extensions: [attr_list, admonition, pymdownx.superfences]",
        "hooks:",
        f"  - {REPO_DIR / 'book/hooks/cells.py'}",
        f"  - {REPO_DIR / 'book/hooks/colab.py'}",
    ]
    if repo_url:
        lines.append(f"repo_url: {repo_url}")
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", "site"],
        cwd=root, capture_output=True, text=True, timeout=600,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stderr[-4000:]
    html = (root / "site" / PAGE[:-3] / "index.html").read_text(encoding="utf-8")
    notebook = json.loads((docs / "notebooks" / (PAGE[:-3] + ".ipynb")).read_text("utf-8"))
    return html, notebook


def _notebook_links(html: str) -> str:
    match = re.search(r'<p class="d2l-notebook-links">(.*?)</p>', html, re.S)
    assert match, "the page lost its notebook links"
    return match[1]


def test_built_page_has_no_colab_link_while_repo_url_is_unset(tmp_path: Path):
    html, notebook = _build_one_page_site(tmp_path, None)
    assert "download>Download this page as a Jupyter notebook</a>" in _notebook_links(html)
    assert "d2l-colab-link" not in html and "colab.research" not in html
    assert "git+" not in "".join(notebook["cells"][0]["source"])


def test_built_page_links_to_colab_next_to_the_download_with_repo_url_set(tmp_path: Path):
    html, notebook = _build_one_page_site(tmp_path, FORK)
    links = _notebook_links(html)
    expected = colab_url(FORK, "en", PAGE)
    assert links.endswith(f' · <a class="d2l-colab-link" href="{expected}">Open in Colab</a>')
    assert links.index("download>") < links.index("d2l-colab-link")
    assert html.count("d2l-colab-link") == 1
    # Without site_url the setup cell installs nothing: it names the git command to run.
    assert f"by_hand='pip install \"git+{FORK}\"'" in "".join(notebook["cells"][0]["source"])
