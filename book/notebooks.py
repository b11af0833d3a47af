"""Build each page's Jupyter notebook: its prose, its cells and their stored outputs.

The notebook holds exactly what the page shows, in the page's language, so a reader can
download it and run it top to bottom. Mermaid diagrams stay on the web page (rendering them in
a notebook viewer would load a script from another host). A setup cell comes first
(book/notebooks_setup.py): it installs the book's d2lref where it is missing (a fresh
Jupyter, Colab), or stops the notebook with the command to run by hand. Links to other pages
lead to the published pages, or to the sibling notebooks (book/notebooks_links.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import nbformat

from book.addresses import BookAddresses, expand_install_directives
from book.notebooks_links import rewrite_links
from book.notebooks_setup import setup_cell_source
from book.outputs import publishable_outputs
from book.render.page import CellRef, Page, Segment, SourceRef, extract_source, parse_page
from book.store.files import store_path
from book.store.publishing import CellOutput, published_outputs
from book.store.schema import StoreError
from book.strings import strings

MERMAID_BLOCK = re.compile(r"^```mermaid\n.*?^```\n?", re.M | re.S)
# Markdown attribute lists such as "{ #tensors }" mean nothing to Jupyter.
HEADING_ATTRS = re.compile(r"\s*\{\s*#[^}]*\}\s*$", re.M)

# Marks the setup cell (a Jupyter cell tag): snippet cells are marked by their "name" instead.
SETUP_CELL_TAG = "d2lref-setup"

# Colab opens notebooks from a GitHub repository, at colab.research.google.com/github/...
GITHUB_REPO_URL = re.compile(r"^https://github\.com/(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+?)(?:\.git)?/?$")
COLAB_GITHUB = "https://colab.research.google.com/github"
# The branch the Pages workflow pushes the generated notebooks to (<lang>/<page>.ipynb).
NOTEBOOKS_BRANCH = "notebooks"
# The MIME type each stored output type has in the notebook. HTML and Markdown outputs go
# in as the sanitized HTML the page shows (Markdown allows raw HTML, which nbconvert and
# Jupyter would render); LaTeX stays LaTeX, which nbconvert escapes and Jupyter typesets.
NOTEBOOK_MIME = {
    "svg": "image/svg+xml", "png": "image/png", "jpeg": "image/jpeg",
    "html": "text/html", "markdown": "text/html", "latex": "text/latex",
}
# The exercises section (see CONTRIBUTING.md): a numbered list whose items hold a collapsed
# answer block ("??? success"); the section is the last of the page.
EXERCISES_HEADING = re.compile(r"^##\s.*\{\s*#exercises\s*\}\s*$")
EXERCISE_ITEM = re.compile(r"^(?P<number>\d+)\.\s")
ANSWER_BLOCK = re.compile(r"^(?P<indent>\s+)\?\?\?\+?\s+\w+(?:\s+\"[^\"]*\")?\s*$")
BLANK_RUNS = re.compile(r"\n{3,}")



def _markdown_cell(
    text: str, lang: str, page: Page, addresses: BookAddresses, repo_dir: Path
) -> nbformat.NotebookNode | None:
    text = MERMAID_BLOCK.sub(strings(lang)["diagram_note"], text)
    text = expand_install_directives(text, addresses, lang)
    text = rewrite_links(text, page.relpath, addresses, repo_dir)
    text = HEADING_ATTRS.sub("", text).strip("\n")
    return nbformat.v4.new_markdown_cell(text) if text.strip() else None


def _nb_outputs(output: CellOutput) -> list[nbformat.NotebookNode]:
    """The cell's outputs in the notebook: the records ``publishable_outputs`` gives the
    page too (text cleaned and capped, rich outputs sanitized, oversized figures left out)."""
    outputs: list[nbformat.NotebookNode] = []
    record = output.record or {}
    items, _ = publishable_outputs(record.get("outputs", []))  # the page reports problems
    for item in items:
        kind = item["type"]
        if kind == "stream":
            outputs.append(nbformat.v4.new_output("stream", name=item["name"], text=item["text"]))
        elif kind == "omitted":
            outputs.append(nbformat.v4.new_output("stream", name="stderr", text=item["text"]))
        elif kind == "text":
            outputs.append(
                nbformat.v4.new_output(
                    "execute_result", data={"text/plain": item["text"]},
                    execution_count=record.get("execution_count"),
                )
            )
        elif kind in NOTEBOOK_MIME:
            value = item["html"] if kind in ("html", "markdown") else item["data"]
            data = {NOTEBOOK_MIME[kind]: value}
            if "text" in item:
                data["text/plain"] = item["text"]
            outputs.append(nbformat.v4.new_output("display_data", data=data))
    return outputs


def github_repository(repo_url: str | None) -> str | None:
    """``owner/name`` of a GitHub ``repo_url``; None when it is unset or not on GitHub."""
    if not repo_url:
        return None
    match = GITHUB_REPO_URL.match(repo_url.strip())
    return f"{match['owner']}/{match['repo']}" if match else None


def colab_url(repo_url: str | None, lang: str, page_relpath: str) -> str | None:
    """The "Open in Colab" address of a page's notebook, or None without a GitHub repo_url.

    The notebook is ``<lang>/<page>.ipynb`` on the ``NOTEBOOKS_BRANCH`` branch of the
    repository in ``repo_url`` (mkdocs.yml), so a fork's site opens the fork's notebooks.
    """
    repository = github_repository(repo_url)
    if repository is None:
        return None
    if not page_relpath.endswith(".md"):
        raise ValueError(f"{page_relpath!r} is not a page: expected a path ending in .md")
    notebook = f"{lang}/{page_relpath[:-3]}.ipynb"
    return f"{COLAB_GITHUB}/{repository}/blob/{NOTEBOOKS_BRANCH}/{notebook}"


def answers_at_end(segments: list[Segment], lang: str) -> list[Segment]:
    """The page's segments with each exercise's answer moved to an "Answers" section at the end.

    A reader of the notebook sees the questions first and can try them; the answers (prose
    and cells) follow in the exercises' order, so the answer cells still run in file order.
    Segments before the exercises heading are returned unchanged; a page without the section
    is returned as it is.
    """
    labels = strings(lang)
    found = next(
        (
            (index, segment) for index, segment in enumerate(segments)
            if isinstance(segment, str)
            and any(EXERCISES_HEADING.match(line) for line in segment.splitlines())
        ),
        None,
    )
    if found is None:
        return list(segments)
    start, heading_text = found
    head_lines = heading_text.splitlines(keepends=True)
    cut = next(i for i, line in enumerate(head_lines) if EXERCISES_HEADING.match(line))
    items: list[str | CellRef | SourceRef] = [*head_lines[cut:], *segments[start + 1 :]]
    heading = "".join(head_lines[cut:cut + 1])
    questions: list[Segment] = [heading + "\n" + labels["exercise_pointer"] + "\n"]
    answers: list[Segment] = ["\n" + labels["answers_heading"] + "\n"]
    number: str | None = None
    answer_indent: int | None = None  # inside an answer block: the indentation of its body
    for item in items[1:]:
        if isinstance(item, (CellRef, SourceRef)):
            if answer_indent is None:
                questions.append(item)
            else:
                answers.append(replace(item, indent=""))
            continue
        for line in item.splitlines(keepends=True):
            item_start = EXERCISE_ITEM.match(line)
            block = ANSWER_BLOCK.match(line)
            if item_start:
                number, answer_indent = item_start.group("number"), None
            elif block and number is not None:
                answer_indent = len(block.group("indent")) + 4
                answers.append("\n" + labels["answer_heading"].format(number=number) + "\n\n")
                continue
            elif answer_indent is not None and line.strip() and not line.startswith(" "):
                answer_indent = None  # text after the list: back in the page's flow
            if answer_indent is None:
                questions.append(line)
            else:
                leading = len(line) - len(line.lstrip(" "))
                answers.append(line[min(leading, answer_indent):])
    before = [*segments[:start], "".join(head_lines[:cut])]
    return [*before, *_merge_text(questions), *_merge_text(answers)]


def _merge_text(segments: list[Segment]) -> list[Segment]:
    """Join neighboring text pieces, so that each stretch of prose is one markdown cell."""
    merged: list[Segment] = []
    for segment in segments:
        if isinstance(segment, str) and merged and isinstance(merged[-1], str):
            merged[-1] += segment
        else:
            merged.append(segment)
    # Answers taken out of the list leave runs of blank lines behind.
    return [BLANK_RUNS.sub("\n\n", s) if isinstance(s, str) else s for s in merged]


def build_notebook(
    page: Page, repo_dir: Path, lang: str, addresses: BookAddresses | None = None
) -> nbformat.NotebookNode:
    """The notebook of one page: the setup cell, then prose + cells with their outputs.

    ``addresses`` are the published book's (none for a local build): they decide what the
    setup cell installs from and where links to other pages lead.
    """
    addresses = addresses or BookAddresses()
    outputs: dict[str, CellOutput] = {}
    if page.snippet is not None:
        try:
            outputs = published_outputs(
                page.snippet, store_path(repo_dir / "snippets", page.snippet_relpath),
                repo_dir=repo_dir,
            )
        except StoreError:
            outputs = {}
    notebook = nbformat.v4.new_notebook()
    notebook.metadata.update(
        {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        }
    )
    notebook.cells.append(
        nbformat.v4.new_code_cell(
            setup_cell_source(lang, addresses), metadata={"tags": [SETUP_CELL_TAG]}
        )
    )
    for segment in answers_at_end(page.segments, lang):
        if isinstance(segment, str):
            cell = _markdown_cell(segment, lang, page, addresses, repo_dir)
            if cell is not None:
                notebook.cells.append(cell)
        elif isinstance(segment, CellRef):
            source = page.cell(segment.name).source
            output = outputs.get(segment.name, CellOutput(status="missing"))
            code = nbformat.v4.new_code_cell(source, metadata={"name": segment.name})
            if output.status == "ok":
                code.outputs = _nb_outputs(output)
                code.execution_count = (output.record or {}).get("execution_count")
            notebook.cells.append(code)
        elif isinstance(segment, SourceRef):
            source = extract_source(repo_dir, segment.path, segment.name)
            text = f"`{segment.path}` · `{segment.name}`\n\n```python\n{source}\n```"
            notebook.cells.append(nbformat.v4.new_markdown_cell(text))
    # Cell ids derived from the position keep regenerated notebooks byte-identical.
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index}"
    return notebook


def write_notebooks(
    docs_dir: Path, repo_dir: Path, lang: str, out_dir: Path,
    addresses: BookAddresses | None = None,
) -> list[Path]:
    """Write a notebook for every page that has a snippet; only rewrite changed files."""
    written: list[Path] = []
    for page_file in sorted(docs_dir.rglob("*.md")):
        relpath = page_file.relative_to(docs_dir).as_posix()
        if relpath.startswith("notebooks/"):
            continue
        if not (repo_dir / "snippets" / (relpath[:-3] + ".py")).exists():
            continue
        page = parse_page(page_file.read_text(encoding="utf-8"), relpath, repo_dir)
        notebook = build_notebook(page, repo_dir, lang, addresses)
        target = out_dir / (relpath[:-3] + ".ipynb")
        text = json.dumps(notebook, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
        written.append(target)
    for leftover in out_dir.rglob("*.ipynb") if out_dir.exists() else []:
        if leftover not in written:
            leftover.unlink()  # the page is gone: so is its notebook
    return written


def notebook_summary(notebook: dict[str, Any]) -> dict[str, int]:
    """Counts used by tests and reports: the page's code cells (the setup cell is not one of
    them), those with outputs, markdown cells."""
    code = [
        c for c in notebook["cells"]
        if c["cell_type"] == "code" and SETUP_CELL_TAG not in c.get("metadata", {}).get("tags", [])
    ]
    return {
        "code_cells": len(code),
        "with_outputs": sum(1 for c in code if c.get("outputs")),
        "markdown_cells": sum(1 for c in notebook["cells"] if c["cell_type"] == "markdown"),
    }
