"""House rules of the pages: every glossary term used, 88 columns, folded sources.

The glossary's avoided forms and American spelling are checked on every text a reader sees
in ``test_reader_text.py``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from book.cells import load_snippet
from book.render import extract_source
from tests.content.reader_text import REPO, SNIPPETS, glossary_rows, pages, prose

MAX_COLUMNS = 88


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_glossary_term_is_used(lang: str):
    column = 0 if lang == "zh" else 1
    texts = " ".join(prose(p.read_text(encoding="utf-8")) for p in pages(lang)
                     if p.name != "glossary.md")
    texts = texts.replace("$1\\times 1$", "1×1")  # the pages write it as a formula
    unused = []
    for cells in glossary_rows(lang):
        terms = [t.strip().removesuffix(" layer") for t in re.split(r"/|\(", cells[column])]
        if not any(t and t.lower().rstrip(")") in texts.lower() for t in terms):
            unused.append(cells[column])
    assert not unused, f"glossary terms no page uses: {unused}"


@pytest.mark.parametrize("snippet", sorted(p.relative_to(SNIPPETS).as_posix()
                                           for p in SNIPPETS.rglob("*.py")))
def test_cells_fit_in_88_columns(snippet: str):
    """Every cell is shown on a page, so no code line may need sideways scrolling."""
    parsed = load_snippet(SNIPPETS / snippet, SNIPPETS)
    long_lines = [f"{cell.name}: {len(line)} columns: {line.strip()[:40]}"
                  for cell in parsed.cells for line in cell.source.splitlines()
                  if len(line) > MAX_COLUMNS]
    assert not long_lines, "\n".join(long_lines)


SOURCE_DIRECTIVE = re.compile(r"^\s*!source\s+(\S+)#(\S+)\s*$", re.M)


def long_source_lines(repo_dir: Path, path: str, name: str) -> list[str]:
    """The lines of the block ``!source path#name`` extracts that are wider than 88."""
    return [f"{path}#{name}: {len(line)} columns: {line.strip()[:40]}"
            for line in extract_source(repo_dir, path, name).splitlines()
            if len(line) > MAX_COLUMNS]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_library_source_fits_in_88_columns(lang: str):
    """A !source block shows d2lref's code on the page: it fits without sideways scrolling."""
    directives = sorted({match.groups() for page in pages(lang)
                         for match in SOURCE_DIRECTIVE.finditer(page.read_text("utf-8"))})
    assert len(directives) >= 20, f"only {len(directives)} !source directives found"
    long_lines = [line for path, name in directives
                  for line in long_source_lines(REPO, path, name)]
    assert not long_lines, "\n".join(long_lines)


def test_the_source_width_check_can_fail(tmp_path: Path):
    module = tmp_path / "d2lref" / "wide.py"
    module.parent.mkdir()
    module.write_text("def wide():\n    return " + "1 + " * 30 + "1\n\n\n"
                      "def narrow():\n    return 1\n", encoding="utf-8")
    assert long_source_lines(tmp_path, "d2lref/wide.py", "wide") == [
        "d2lref/wide.py#wide: 132 columns: return 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1"]
    assert long_source_lines(tmp_path, "d2lref/wide.py", "narrow") == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_library_source_is_folded(lang: str):
    """A !source block is d2lref's code, for reading: it sits in a collapsed '???' block, so
    every block a page shows open is a cell that runs when copied in order."""
    unfolded = []
    for page in pages(lang):
        lines = page.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            if not line.lstrip().startswith("!source"):
                continue
            indent = len(line) - len(line.lstrip())
            opener = next((earlier for earlier in reversed(lines[:number])
                           if earlier.strip() and len(earlier) - len(earlier.lstrip()) < indent),
                          "")
            if not (indent and opener.lstrip().startswith("??? ")):
                unfolded.append(f"{page.relative_to(REPO)}:{number + 1}")
    assert not unfolded, "put !source in a collapsed '??? note' block: " + ", ".join(unfolded)
