"""House rules of the pages: glossary terms, American spelling, 88 columns, folded sources."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from book.cells import load_snippet
from book.render.page import extract_source

REPO = Path(__file__).resolve().parents[2]
SNIPPETS = REPO / "snippets"
MAX_COLUMNS = 88


def pages(lang: str) -> list[Path]:
    return sorted(p for p in (REPO / "docs" / lang).rglob("*.md") if "notebooks" not in p.parts)


def prose(text: str) -> str:
    """The page without fenced blocks, inline code and directive lines."""
    text = re.sub(r"^(\s*)(```|~~~).*?^\1\2", "", text, flags=re.S | re.M)
    text = re.sub(r"`[^`\n]+`", "", text)
    return re.sub(r"^\s*!(cell|source)\b.*$", "", text, flags=re.M)


def glossary_avoided(lang: str) -> dict[str, str]:
    """{avoided form: preferred term} from the last column of the glossary table."""
    avoided = {}
    for line in (REPO / "docs" / lang / "glossary.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("中文", "") or set(cells[0]) <= {"-"}:
            continue
        preferred = cells[0] if lang == "zh" else cells[1]
        for form in re.split(r"[、,]\s*", cells[3]):
            if form:
                avoided[form] = preferred
    return avoided


# An avoided form is fine where the page names it as another name ("也叫池化") or quotes
# the original notes ("“... 3 轮训练”").
ALLOWED_BEFORE = re.compile(r"(也叫|又叫|又称|also called|“[^”]*)$")
# 轮 alone is a word only as a count ("10 轮", "每轮"); 轮流 (in turn) is another word.
# 周期 is avoided on its own, not inside the preferred 迭代周期.
SPECIAL = {"轮": r"(?:[\d一二三几每多]\s*轮(?!流)|轮次|轮数)", "周期": r"(?<!迭代)周期"}


def avoided_forms_in(text: str, lang: str) -> list[tuple[str, str]]:
    """(form found, preferred term) for every avoided glossary form in a page's prose."""
    found = []
    for form, preferred in glossary_avoided(lang).items():
        pattern = SPECIAL.get(form, re.escape(form))
        for match in re.finditer(pattern, text, 0 if lang == "zh" else re.I):
            if not ALLOWED_BEFORE.search(text[max(0, match.start() - 40) : match.start()]):
                found.append((match.group(), preferred))
    return found


def test_the_glossary_check_can_fail():
    assert ("0 轮", "迭代周期") in avoided_forms_in("训练 10 轮。", "zh")
    assert ("特征图", "特征映射") in avoided_forms_in("中间特征图的通道数", "zh")
    assert not avoided_forms_in("轮流用一份验证；汇聚层（也叫池化层）；训练 10 个迭代周期", "zh")
    assert avoided_forms_in("an element-wise product", "en")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pages_use_the_glossary_terms(lang: str):
    problems = [
        f"{page.relative_to(REPO)}: {form!r} -> {preferred}"
        for page in pages(lang) if page.name != "glossary.md"
        for form, preferred in avoided_forms_in(prose(page.read_text(encoding="utf-8")), lang)
    ]
    assert not problems, "use the glossary's terms:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_glossary_term_is_used(lang: str):
    column = 0 if lang == "zh" else 1
    texts = " ".join(prose(p.read_text(encoding="utf-8")) for p in pages(lang)
                     if p.name != "glossary.md")
    texts = texts.replace("$1\\times 1$", "1×1")  # the pages write it as a formula
    unused = []
    for line in (REPO / "docs" / lang / "glossary.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("中文",) or set(cells[0]) <= {"-"}:
            continue
        terms = [t.strip().removesuffix(" layer") for t in re.split(r"/|\(", cells[column])]
        if not any(t and t.lower().rstrip(")") in texts.lower() for t in terms):
            unused.append(cells[column])
    assert not unused, f"glossary terms no page uses: {unused}"


BRITISH = re.compile(
    r"\b(colou?r(?<=colour)\w*|neighbour\w*|behaviour\w*|favour\w*|honour\w*|cheques?|"
    r"initialis\w*|normalis\w*|regularis\w*|optimis(?:e|ed|es|ing|ation|er|ers)\b|"
    r"standardis\w*|summaris\w*|visualis\w*|recognis\w*|organis\w*|generalis\w*|"
    r"vectoris\w*|serialis\w*|utilis\w*|centre[sd]?|centred|labelled|labelling|modelling|"
    r"modelled|travelled|catalogue|licence|grey|whilst|artefacts?|analys(?:e|ed|es|ing))\b",
    re.I,
)


def test_english_uses_american_spelling():
    files = [*pages("en"), *sorted(SNIPPETS.rglob("*.py")),
             *sorted((REPO / "d2lref").rglob("*.py"))]  # its source is shown on pages
    problems = [
        f"{path.relative_to(REPO)}:{number}: {match.group()}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for match in BRITISH.finditer(line)
    ]
    assert not problems, "use American spelling (color, neighbor, initialize):\n" + "\n".join(
        problems)


def test_the_spelling_check_can_fail():
    assert BRITISH.search("the colour of a neighbour") and not BRITISH.search("color neighbor")


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
