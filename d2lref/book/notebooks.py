"""Build each page's Jupyter notebook: its prose, its cells and their stored outputs.

The notebook holds exactly what the page shows, in the page's language, so a reader can
download it and run it top to bottom. Mermaid diagrams stay on the web page (rendering them in
a notebook viewer would load a script from another host).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import nbformat

from d2lref.book.outputs import sanitize_html
from d2lref.book.render import CellRef, Page, SourceRef, extract_source, parse_page
from d2lref.book.store import CellOutput, StoreError, published_outputs, store_path

MERMAID_BLOCK = re.compile(r"^```mermaid\n.*?^```\n?", re.M | re.S)
# Markdown attribute lists such as "{ #tensors }" mean nothing to Jupyter.
HEADING_ATTRS = re.compile(r"\s*\{\s*#[^}]*\}\s*$", re.M)

NOTEBOOK_MIME = {
    "jpeg": "image/jpeg", "html": "text/html", "markdown": "text/markdown", "latex": "text/latex",
}

DIAGRAM_NOTE = {
    "zh": "*（此处的示意图见网页版。）*\n",
    "en": "*(The diagram is shown on the web page.)*\n",
}


def _markdown_cell(text: str, lang: str) -> nbformat.NotebookNode | None:
    text = MERMAID_BLOCK.sub(DIAGRAM_NOTE["zh" if lang.startswith("zh") else "en"], text)
    text = HEADING_ATTRS.sub("", text).strip("\n")
    return nbformat.v4.new_markdown_cell(text) if text.strip() else None


def _nb_outputs(output: CellOutput) -> list[nbformat.NotebookNode]:
    outputs: list[nbformat.NotebookNode] = []
    record = output.record or {}
    for item in record.get("outputs", []):
        kind = item["type"]
        if kind == "stream":
            outputs.append(nbformat.v4.new_output("stream", name=item["name"], text=item["text"]))
        elif kind == "text":
            outputs.append(
                nbformat.v4.new_output(
                    "execute_result", data={"text/plain": item["text"]},
                    execution_count=record.get("execution_count"),
                )
            )
        elif kind in ("svg", "png"):
            mime = "image/svg+xml" if kind == "svg" else "image/png"
            outputs.append(nbformat.v4.new_output("display_data", data={mime: item["data"]}))
        elif kind in NOTEBOOK_MIME:  # rich outputs; displayed HTML is sanitised as on the page
            value = sanitize_html(item["data"]) if kind == "html" else item["data"]
            data = {NOTEBOOK_MIME[kind]: value}
            if "text" in item:
                data["text/plain"] = item["text"]
            outputs.append(nbformat.v4.new_output("display_data", data=data))
    return outputs


def build_notebook(page: Page, repo_dir: Path, lang: str) -> nbformat.NotebookNode:
    """The notebook of one page (prose + cells with their published outputs)."""
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
    for segment in page.segments:
        if isinstance(segment, str):
            cell = _markdown_cell(segment, lang)
            if cell is not None:
                notebook.cells.append(cell)
        elif isinstance(segment, CellRef):
            source = page.snippet.cell(segment.name).source
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


def write_notebooks(docs_dir: Path, repo_dir: Path, lang: str, out_dir: Path) -> list[Path]:
    """Write a notebook for every page that has a snippet; only rewrite changed files."""
    written: list[Path] = []
    for page_file in sorted(docs_dir.rglob("*.md")):
        relpath = page_file.relative_to(docs_dir).as_posix()
        if relpath.startswith("notebooks/"):
            continue
        if not (repo_dir / "snippets" / (relpath[:-3] + ".py")).exists():
            continue
        page = parse_page(page_file.read_text(encoding="utf-8"), relpath, repo_dir)
        notebook = build_notebook(page, repo_dir, lang)
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
    """Counts used by tests and reports: code cells, cells with outputs, markdown cells."""
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    return {
        "code_cells": len(code),
        "with_outputs": sum(1 for c in code if c.get("outputs")),
        "markdown_cells": sum(1 for c in notebook["cells"] if c["cell_type"] == "markdown"),
    }
