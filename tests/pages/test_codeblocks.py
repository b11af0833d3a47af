"""The code a reader copies from a page is exactly the page's snippet, cell by cell, in order.

Each snippet runs once per test run, in a Jupyter kernel (``tests/snippets/test_run_all.py``).
This test proves the other half of "copy every block of this page into Jupyter and it runs":
on the built site, in both languages, the code blocks labelled with the page's snippet hold
the snippet's cells exactly, each once, in file order, so pasting them in page order runs
the snippet. README's Python blocks are executed here, as a reader would paste them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from book.cells import find_snippets, load_snippet
from tests.paths import LANGUAGES, REPO_DIR, SNIPPETS_DIR

SNIPPETS = find_snippets(SNIPPETS_DIR)
# The label above every snippet cell on a page: "snippets/<chapter>/<page>.py · <cell>".
CELL_LABEL = re.compile(r"^snippets/(?P<relpath>\S+\.py) · (?P<cell>[a-z0-9-]+)$")


def page_html(site: Path, lang: str, snippet_relpath: str) -> Path:
    """The built HTML page of a snippet (``index.py`` is its chapter's index page)."""
    root = site if lang == "zh" else site / lang
    stem = snippet_relpath[: -len(".py")]
    folder = stem[: -len("index")] if stem.endswith("index") else stem + "/"
    return root / folder / "index.html"


def copied_blocks(html_file: Path) -> list[tuple[str, str, str]]:
    """(snippet, cell, code) of every labelled code block, as the copy button copies it."""
    soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
    blocks = []
    for label in soup.select("div.highlight > span.filename"):
        match = CELL_LABEL.match(label.get_text())
        if match is None:
            continue  # a d2lref source block ('!source'), shown for reading
        code = label.find_next_sibling("pre").find("code").get_text()
        blocks.append((match["relpath"], match["cell"], code))
    return blocks


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_copied_code_is_the_snippet_in_page_order(built_site: Path, lang: str):
    checked = 0
    for path in SNIPPETS:
        snippet = load_snippet(path, SNIPPETS_DIR)
        html_file = page_html(built_site, lang, snippet.relpath)
        assert html_file.is_file(), f"snippets/{snippet.relpath} has no page {html_file}"
        blocks = copied_blocks(html_file)
        assert [relpath for relpath, _, _ in blocks] == [snippet.relpath] * len(blocks)
        assert [cell for _, cell, _ in blocks] == snippet.names, html_file
        for (_, name, code), cell in zip(blocks, snippet.cells, strict=True):
            assert code.rstrip("\n") == cell.source, f"{html_file}: cell {name!r} differs"
        checked += len(blocks)
    # Every cell of every snippet was found on its page (the check is not blind).
    assert checked == sum(len(load_snippet(p, SNIPPETS_DIR).cells) for p in SNIPPETS) > 400


def test_a_changed_block_is_caught(tmp_path: Path):
    """The comparison sees one changed character (the parser reads what the copy button does)."""
    html_file = tmp_path / "index.html"
    html_file.write_text(
        '<div class="language-python highlight"><span class="filename">snippets/ch/p.py · '
        'first-cell</span><pre><span></span><code><span id="__span-0-1"><a id="x" href="#x">'
        '</a><span class="n">x</span> <span class="o">=</span> <span class="mi">1</span>\n'
        '</span></code></pre></div>', encoding="utf-8")
    assert copied_blocks(html_file) == [("ch/p.py", "first-cell", "x = 1\n")]


@pytest.mark.slow
def test_readme_python_blocks_run(tmp_path: Path, real_data: Path):
    """README's Python blocks, run with pytest-codeblocks as a reader would paste them."""
    env = dict(os.environ, D2LREF_MODE="quick", MPLBACKEND="Agg", D2LREF_DATA=str(real_data),
               D2LREF_FIGURE_DIR=str(tmp_path / "figures"))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--codeblocks", "-q", "-p", "no:cacheprovider",
         "-p", "no:xdist", "--rootdir", str(tmp_path), str(REPO_DIR / "README.md")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    passed = int(re.search(r"(\d+) passed", result.stdout).group(1))
    assert passed == (REPO_DIR / "README.md").read_text(encoding="utf-8").count("\n```python\n")


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
