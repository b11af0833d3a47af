"""How the pages speak of the source notes and of where their code comes from.

The home page introduces the notes the book grew out of. Everywhere else, what the notes
say (and how the text differs) sits in one skippable form, a quote box with one title:

    !!! quote "与笔记对照"            English: !!! quote "Compared with the notes"

The only other place a page names the notes is the sentence that introduces its teaching
versions, which says where their code comes from: the notes, or the original book where
the notes have no such code (``TEACHING_ORIGIN``).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

import pytest

from book.cells import load_snippet
from tests.content.reader_text import LANGS, REPO, SNIPPETS, pages

ASIDE_TITLES = {"zh": "与笔记对照", "en": "Compared with the notes"}
NOTES = {"zh": re.compile(r"笔记"), "en": re.compile(r"\bthe notes\b|\bnotes'", re.I)}
TEACHING_INTROS = {"zh": "下面是教学版本", "en": "Below is the teaching version"}
BOOK = {"zh": "原书", "en": "original book"}
NOTES_CODE = {"zh": "笔记中的代码", "en": "the notes' code"}
# The home page introduces the notes; the glossary says how quotes of them are treated.
EXEMPT = {"index.md", "glossary.md"}
OPENER = re.compile(r'^\s*(?:!!!|\?\?\?\+?)\s+(?P<kind>[\w-]+)(?:\s+"(?P<title>[^"]*)")?')
FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass
class Paragraph:
    """A paragraph of prose and the admonitions it sits in, outermost first."""

    line: int
    text: str
    boxes: list[tuple[int, str, str]]  # (opener line, kind, title)


def paragraphs(markdown: str) -> list[Paragraph]:
    """The prose paragraphs of a page (code fences and directives left out)."""
    found: list[Paragraph] = []
    stack: list[tuple[int, tuple[int, str, str]]] = []  # (indent, box) of open admonitions
    in_fence = False
    current: Paragraph | None = None
    for number, line in enumerate(markdown.splitlines(), 1):
        if FENCE.match(line):
            in_fence, current = not in_fence, None
            continue
        if in_fence or not line.strip():
            current = None
            continue
        indent = len(line) - len(line.lstrip())
        while stack and indent <= stack[-1][0]:
            stack.pop()
        opener = OPENER.match(line)
        if opener:
            stack.append((indent, (number, opener.group("kind"), opener.group("title") or "")))
            current = None
        elif line.strip().startswith(("!cell", "!source")):
            current = None
        elif current is None:
            current = Paragraph(number, line.strip(), [box for _, box in stack])
            found.append(current)
        else:
            current.text += " " + line.strip()
    return found


def in_aside(paragraph: Paragraph, lang: str) -> bool:
    return any((kind, title) == ("quote", ASIDE_TITLES[lang])
               for _, kind, title in paragraph.boxes)


def misplaced_mentions(markdown: str, lang: str) -> list[str]:
    """Mentions of the notes outside the agreed aside and the teaching-version sentence."""
    return [
        f"line {paragraph.line}: {paragraph.text[:60]}"
        for paragraph in paragraphs(markdown)
        if NOTES[lang].search(paragraph.text) and not in_aside(paragraph, lang)
        and not paragraph.text.startswith(TEACHING_INTROS[lang])
    ]


def wrong_asides(markdown: str, lang: str) -> list[str]:
    """Boxes about the notes (or quote boxes) not in the agreed form, and agreed boxes that
    never name the notes."""
    problems = []
    for number, line in enumerate(markdown.splitlines(), 1):
        opener = OPENER.match(line)
        if not opener:
            continue
        kind, title = opener.group("kind"), opener.group("title") or ""
        agreed = (kind, title) == ("quote", ASIDE_TITLES[lang]) and line.lstrip()[:3] == "!!!"
        if (kind == "quote" or NOTES[lang].search(title)) and not agreed:
            problems.append(f"line {number}: {line.strip()}")
        if agreed and not any(
            NOTES[lang].search(p.text) for p in paragraphs(markdown)
            if any(box[0] == number for box in p.boxes)
        ):
            problems.append(f"line {number}: this box never names the notes")
    return problems


def content_pages(lang: str):
    return [page for page in pages(lang)
            if page.relative_to(REPO / "docs" / lang).as_posix() not in EXEMPT]


@pytest.mark.parametrize("lang", LANGS)
def test_the_notes_are_quoted_in_the_agreed_aside(lang: str):
    problems = [
        f"{page.relative_to(REPO)} {problem}"
        for page in content_pages(lang)
        for text in [page.read_text(encoding="utf-8")]
        for problem in misplaced_mentions(text, lang) + wrong_asides(text, lang)
    ]
    assert not problems, (
        f'put what the notes say in a \'!!! quote "{ASIDE_TITLES[lang]}"\' box:\n'
        + "\n".join(problems))


def test_the_aside_check_can_fail():
    page = (
        "Text.\n\nThe notes say a norm is a distance.\n\n"
        '!!! note "About the notes"\n\n    The notes say so.\n\n'
        '!!! quote "Compared with the notes"\n\n    The notes call a norm a distance.\n\n'
        '!!! quote "Compared with the notes"\n\n    A norm is a length.\n'
    )
    assert [p.split(":")[0] for p in misplaced_mentions(page, "en")] == ["line 3", "line 7"]
    assert wrong_asides(page, "en") == [
        'line 5: !!! note "About the notes"', "line 13: this box never names the notes"]
    zh = ('正文。\n\n!!! quote "与笔记对照"\n\n    笔记里说“范数，即距离”。\n\n'
          "笔记里的代码没有定义 `trainer`。\n")
    assert [p.split(":")[0] for p in misplaced_mentions(zh, "zh")] == ["line 7"]
    assert not wrong_asides(zh, "zh")
    teaching = "Below is the teaching version: the notes' code, cleaned up.\n"
    assert not misplaced_mentions(teaching, "en")


# --- where the teaching versions come from ------------------------------------------------

# "notes": the notes have this code (the teaching version cleans it up); "book": the notes
# do not have it, and it comes from the original book's section.
TEACHING_ORIGIN = {
    "linear-networks/linear-regression-scratch.py": {
        "data-iter-teaching": "book", "linreg-teaching": "notes",
        "squared-loss-teaching": "notes", "sgd-teaching": "notes"},
    "linear-networks/linear-regression-concise.py": {"load-array-teaching": "notes"},
    "linear-networks/softmax-regression-scratch.py": {
        "accuracy-teaching": "book", "evaluate-accuracy-teaching": "book",
        "accumulator-teaching": "book", "train-ch3-teaching": "notes"},
    "multilayer-perceptrons/kaggle-house-price.py": {
        "preprocess-teaching": "book", "house-net-teaching": "book",
        "log-rmse-teaching": "book", "train-teaching": "book", "k-fold-teaching": "book",
        "train-and-pred-teaching": "book"},
    "deep-learning-computation/use-gpu.py": {"try-gpu-teaching": "notes"},
    "convolutional-neural-networks/conv-layer.py": {
        "corr2d-teaching": "book", "conv2d-teaching": "book"},
    "convolutional-neural-networks/padding-and-strides.py": {"comp-conv2d-teaching": "book"},
    "convolutional-neural-networks/channels.py": {
        "multi-in-teaching": "book", "multi-in-out-teaching": "notes",
        "conv-1x1-teaching": "book"},
    "convolutional-neural-networks/pooling.py": {"pool2d-teaching": "book"},
    "convolutional-neural-networks/lenet.py": {
        "lenet-teaching": "notes", "evaluate-gpu-teaching": "notes",
        "train-ch6-teaching": "notes"},
    "convolutional-modern/alexnet.py": {"alexnet-teaching": "notes"},
    "convolutional-modern/vgg.py": {"vgg-block-teaching": "notes", "vgg-teaching": "notes"},
    "convolutional-modern/nin.py": {"nin-block-teaching": "notes", "nin-teaching": "notes"},
    "convolutional-modern/densenet.py": {
        "conv-block-teaching": "notes", "dense-block-teaching": "notes",
        "transition-block-teaching": "book", "densenet-teaching": "book"},
    "convolutional-modern/batch-norm.py": {
        "batch-norm-teaching": "notes", "batchnorm-layer-teaching": "notes",
        "lenet-bn-scratch-teaching": "book", "lenet-bn-teaching": "notes"},
    "convolutional-modern/resnet.py": {
        "residual-teaching": "notes", "resnet-block-teaching": "notes",
        "resnet18-teaching": "notes"},
    "convolutional-modern/googlenet.py": {
        "inception-teaching": "notes", "googlenet-teaching": "notes"},
}


def teaching_cells() -> dict[str, list[str]]:
    return {
        path.relative_to(SNIPPETS).as_posix(): [
            cell.name for cell in load_snippet(path, SNIPPETS).cells
            if cell.name.endswith("-teaching")]
        for path in sorted(SNIPPETS.rglob("*.py"))
    }


def defined_names(source: str) -> list[str]:
    """Top-level functions and classes a teaching cell defines."""
    return [node.name for node in ast.parse(source).body
            if isinstance(node, (ast.FunctionDef, ast.ClassDef))]


def test_every_teaching_cell_has_an_origin():
    found = {snippet: names for snippet, names in teaching_cells().items() if names}
    assert {snippet: list(origins) for snippet, origins in TEACHING_ORIGIN.items()} == found


def origin_problems(intro: str, lang: str, origins: dict[str, str],
                    names: dict[str, list[str]]) -> list[str]:
    """What the teaching-version sentence gets wrong about where the code comes from."""
    problems = []
    kinds = set(origins.values())
    if ("notes" in kinds) != (NOTES_CODE[lang] in intro):
        problems.append("calls code the notes' code" if "notes" not in kinds
                        else "omits the notes")
    if ("book" in kinds) != (BOOK[lang] in intro):
        problems.append("names the original book" if "book" not in kinds
                        else "omits the original book")
    if kinds == {"notes", "book"}:
        problems += [f"does not name the book's `{name}`"
                     for cell, kind in origins.items() if kind == "book"
                     for name in names[cell] if f"`{name}`" not in intro]
    return problems


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("snippet", sorted(TEACHING_ORIGIN))
def test_the_teaching_sentence_says_where_the_code_comes_from(snippet: str, lang: str):
    page = REPO / "docs" / lang / snippet.replace(".py", ".md")
    intros = [p.text for p in paragraphs(page.read_text(encoding="utf-8"))
              if p.text.startswith(TEACHING_INTROS[lang])]
    assert len(intros) == 1, f"{page.relative_to(REPO)}: one teaching-version sentence"
    parsed = load_snippet(SNIPPETS / snippet, SNIPPETS)
    names = {cell: defined_names(parsed.cell(cell).source) for cell in TEACHING_ORIGIN[snippet]}
    problems = origin_problems(intros[0], lang, TEACHING_ORIGIN[snippet], names)
    assert not problems, f"{page.relative_to(REPO)}: the teaching sentence " + "; ".join(
        problems)


def test_the_origin_check_can_fail():
    origins = {"a-teaching": "book", "b-teaching": "notes"}
    names = {"a-teaching": ["data_iter"], "b-teaching": ["sgd"]}
    assert origin_problems("Below is the teaching version: the notes' code.", "en",
                           origins, names) == [
        "omits the original book", "does not name the book's `data_iter`"]
    assert not origin_problems(
        "Below is the teaching version: `sgd` is the notes' code, `data_iter` the original "
        "book's.", "en", origins, names)
    assert origin_problems("下面是教学版本：笔记中的代码。", "zh", {"a-teaching": "book"},
                           {"a-teaching": ["pool2d"]}) == [
        "calls code the notes' code", "omits the original book"]
    assert not origin_problems("下面是教学版本：原书的代码（笔记里没有这一段）。", "zh",
                               {"a-teaching": "book"}, {"a-teaching": ["pool2d"]})
