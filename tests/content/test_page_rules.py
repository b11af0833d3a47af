"""House rules of the pages: every glossary term used, 88 columns, folded sources.

The glossary's avoided forms and American spelling are checked on every text a reader sees
in ``test_reader_text.py``."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from book.cells import load_snippet
from book.render.page import extract_source
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


def cells_without_assert(snippet: Path) -> list[str]:
    """The cells of a snippet (imports aside) with no ``assert`` statement."""
    parsed = load_snippet(snippet, snippet.parent)
    return [cell.name for cell in parsed.cells if cell.name != "imports"
            and not any(isinstance(node, ast.Assert) for node in ast.walk(ast.parse(cell.source)))]


def test_every_preliminaries_cell_checks_what_it_shows():
    """The chapter's index promises that every code cell checks its claims with assert."""
    snippets = sorted((SNIPPETS / "preliminaries").glob("*.py"))
    unchecked = {snippet.name: names for snippet in snippets
                 if (names := cells_without_assert(snippet))}
    assert not unchecked, f"cells without an assert: {unchecked}"
    for lang in ("zh", "en"):
        index = (REPO / "docs" / lang / "preliminaries" / "index.md").read_text(encoding="utf-8")
        assert "assert" in index


def test_the_assert_check_can_fail(tmp_path: Path):
    snippet = tmp_path / "demo.py"
    snippet.write_text("# %% imports\nimport torch\n\n# %% shown\nx = 1\nx\n\n"
                       "# %% checked\nassert x == 1\n", encoding="utf-8")
    assert cells_without_assert(snippet) == ["shown"]


INDEX_ENTRY = re.compile(r"^- \[(?P<title>[^\]]+)\]\((?P<target>[\w-]+\.md)\)(?P<rest>.*)$")
DESCRIPTION = {"zh": re.compile(r"^：\S"), "en": re.compile(r"^: \S")}


def page_title(page: Path) -> str:
    """The page's first-level heading, without its anchor (front matter skipped)."""
    text = re.sub(r"\A---\n.*?\n---\n", "", page.read_text(encoding="utf-8"), flags=re.S)
    heading = next(line for line in text.splitlines() if line.startswith("# "))
    return re.sub(r"\s*\{[^}]*\}\s*$", "", heading[2:]).strip()


def index_problems(index: Path, lang: str) -> list[str]:
    """Chapter-index entries without a description or with a title the page does not have."""
    problems = []
    for line in index.read_text(encoding="utf-8").splitlines():
        entry = INDEX_ENTRY.match(line)
        if not entry:
            continue
        if not DESCRIPTION[lang].match(entry["rest"]):
            problems.append(f"{entry['target']}: no description after the link")
        title = page_title(index.parent / entry["target"])
        if entry["title"] != title:
            problems.append(f"{entry['target']}: link text {entry['title']!r}, title {title!r}")
    return problems


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_chapter_indexes_describe_every_section(lang: str):
    indexes = sorted((REPO / "docs" / lang).glob("*/index.md"))
    problems = [f"{index.relative_to(REPO)}: {problem}" for index in indexes
                for problem in index_problems(index, lang)]
    assert len(indexes) >= 7 and not problems, "\n".join(problems)


def test_the_index_check_can_fail(tmp_path: Path):
    (tmp_path / "a.md").write_text("# Weight Decay\n", encoding="utf-8")
    index = tmp_path / "index.md"
    index.write_text("- [Weight decay](a.md)\n- [Weight Decay](a.md): an L2 penalty.\n",
                     encoding="utf-8")
    assert index_problems(index, "en") == [
        "a.md: no description after the link", "a.md: link text 'Weight decay', title "
        "'Weight Decay'"]


NEVER_DOWNLOADS = {"zh": re.compile(r"(从不|不会)(联网)?下载"),
                   "en": re.compile(r"\bnever (?:downloads?|ever downloaded)", re.I)}


def never_download_claims(text: str, lang: str) -> list[str]:
    """Sentences saying that nothing is downloaded, without the D2LREF_OFFLINE condition."""
    sentences = re.split(r"(?<=[。；！？.;!?])\s+|(?<=[。；！？])", text)
    return [sentence.strip() for sentence in sentences
            if NEVER_DOWNLOADS[lang].search(sentence) and "D2LREF_OFFLINE" not in sentence]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pages_say_when_data_is_downloaded(lang: str, monkeypatch: pytest.MonkeyPatch):
    """d2lref downloads missing data by default; only D2LREF_OFFLINE=1 (or download=False)
    turns that off, so a page may say 'never downloads' only together with that switch."""
    from d2lref import config

    for variable in ("D2LREF_OFFLINE", "D2LREF_ALLOW_DOWNLOAD"):
        monkeypatch.delenv(variable, raising=False)
    assert config.downloads_off_reason() is None  # downloads are the default
    claims = [f"{page.relative_to(REPO)}: {claim[:70]}" for page in pages(lang)
              for claim in never_download_claims(page.read_text(encoding="utf-8"), lang)]
    assert not claims, "say when data is downloaded:\n" + "\n".join(claims)


def test_the_download_claim_check_can_fail():
    assert never_download_claims("The code never downloads anything. Two variables.", "en")
    assert never_download_claims("先用 SHA-1 校验文件，不会联网下载：", "zh")
    assert not never_download_claims(
        "Missing files are downloaded. With `D2LREF_OFFLINE=1` nothing is ever downloaded.",
        "en")
    assert not never_download_claims("设置 `D2LREF_OFFLINE=1` 则从不下载。", "zh")
