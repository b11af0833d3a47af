"""The page as MkDocs shows it: titled code blocks, each followed by its stored output (or a
visible warning when the output is missing or stale), and the notebook links."""

from __future__ import annotations

import re

from book.render.context import RenderContext
from book.render.output_html import output_html
from book.render.page import CellRef, Page, extract_source, fenced_code, indented
from book.render.quick_note import changed_by_quick_mode, quick_run_facts
from book.search import tex_to_text
from book.store.files import store_path
from book.store.publishing import CellOutput, published_outputs
from book.store.schema import StoreError


def _hl_attr(hl: str | None) -> str:
    return f' hl_lines="{hl.strip()}"' if hl and hl.strip() else ""


def _problem_admonition(status: str, page: Page, ctx: RenderContext) -> str:
    labels = ctx.labels
    command = f"python -m book run snippets/{page.snippet_relpath} --mode full"
    return (
        f'!!! warning "{labels[status]}"\n\n'
        f"    {labels['rerun']} `{command}`\n"
    )


def render_site(page: Page, ctx: RenderContext) -> str:
    """The page as MkDocs should see it: code blocks, outputs, notebook links."""
    outputs: dict[str, CellOutput] = {}
    if page.snippet is not None:
        store_file = store_path(ctx.snippets_dir, page.snippet_relpath)
        try:
            outputs = published_outputs(page.snippet, store_file, repo_dir=ctx.repo_dir)
        except StoreError as err:
            ctx.problems.append(str(err))
            outputs = {name: CellOutput(status="missing") for name in page.snippet.names}
    pieces: list[str] = []
    prose = ""
    for segment in page.segments:
        if isinstance(segment, str):
            pieces.append(segment)
            prose = segment
        elif isinstance(segment, CellRef):
            cell = page.cell(segment.name)
            title = f"snippets/{page.snippet_relpath} · {cell.name}"
            info = f'python title="{title}"{_hl_attr(segment.hl)}'
            pieces.append("\n" + indented(fenced_code(cell.source, info), segment.indent) + "\n")
            output = outputs.get(cell.name, CellOutput(status="missing"))
            if output.status == "ok":
                block = output_html(output, cell.name, ctx, cell_purpose(prose),
                                    where=page.relpath)
                if block:
                    pieces.append(indented(ctx.hold(block), segment.indent) + "\n\n")
            else:
                ctx.problems.append(
                    f"{page.relpath}: output of cell {cell.name!r} is {output.status}; run "
                    f"'python -m book run snippets/{page.snippet_relpath}'"
                )
                problem = _problem_admonition(output.status, page, ctx)
                pieces.append(indented(problem, segment.indent) + "\n")
        else:
            source = extract_source(ctx.repo_dir, segment.path, segment.name)
            info = f'python title="{segment.path} · {segment.name}"{_hl_attr(segment.hl)}'
            pieces.append("\n" + indented(fenced_code(source, info), segment.indent) + "\n")
    body = "".join(pieces)
    header = _page_header(page, outputs, ctx)
    return _insert_after_title(body, header) if header else body


MARKUP = re.compile(r"\[([^\]]*)\]\([^)]*\)|[`*]|\{[^}]*\}|<[^>]+>")
SENTENCE_END = re.compile(r"(?<=[。！？；])|(?<=[.!?;])\s")
PURPOSE_CHARS = 160


def cell_purpose(prose: str) -> str:
    """What the cell after ``prose`` is for: the last sentence of the paragraph before it,
    as plain text (the alt text of the figures it draws)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", prose) if p.strip()
                  and not p.lstrip().startswith(("???", "!!!", "#", "|", "```"))]
    if not paragraphs:
        return ""
    text = MARKUP.sub(lambda m: m.group(1) or "", paragraphs[-1])
    text = re.sub(r"\$+([^$]*)\$+", lambda m: tex_to_text(m.group(1)), text)
    text = re.sub(r"^\s*(?:[-*]|\d+\.)\s+", "", " ".join(text.split()))
    sentences = [s.strip() for s in SENTENCE_END.split(text) if s.strip()]
    while len(sentences) > 1 and len("".join(sentences)) > PURPOSE_CHARS:
        sentences.pop(0)
    joined = "".join(s if s[-1] in "。！？；" else s + " " for s in sentences).strip()
    return joined.rstrip("：:")[:PURPOSE_CHARS]


def _page_header(page: Page, outputs: dict[str, CellOutput], ctx: RenderContext) -> str:
    if page.snippet is None:
        return ""
    labels = ctx.labels
    notebook = f"{ctx.asset_prefix}notebooks/{page.relpath[:-3]}"
    # mkdocs-jupyter gives a notebook the page URL MkDocs gives a Markdown file of that name:
    # "<chapter>/index.ipynb" is viewed at "<chapter>/", like "<chapter>/index.md".
    view = notebook[: -len("index")] if page.relpath.endswith("index.md") else notebook + "/"
    lines = [
        '<p class="d2l-notebook-links">'
        f'<a href="{notebook}.ipynb" download>{labels["download"]}</a> · '
        f'<a href="{view}">{labels["view"]}</a></p>\n'
    ]
    if any(changed_by_quick_mode(output) for output in outputs.values()):
        note = labels["quick_note"].format(facts=quick_run_facts(outputs.values(), labels))
        lines.append(f'\n!!! note "{labels["quick_note_title"]}"\n\n    {note}\n')
    return "".join(lines)


def _insert_after_title(markdown: str, header: str) -> str:
    lines = markdown.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.startswith("# "):
            return "".join(lines[: index + 1]) + "\n" + header + "\n" + "".join(lines[index + 1 :])
    return header + "\n" + markdown



# The paragraph of links under a page's title: ``_page_header`` starts it on pages with a
# notebook; the Colab and original-book hooks add their links to it.
PAGE_TOP_LINKS = re.compile(r'<p class="d2l-notebook-links">.*?(?=</p>)', re.S)


def add_page_top_link(markdown: str, link_html: str) -> str:
    """``link_html`` after the links under the page's title, or on a line of its own there."""
    match = PAGE_TOP_LINKS.search(markdown)
    if match is None:
        return _insert_after_title(markdown, f'<p class="d2l-page-links">{link_html}</p>\n')
    return markdown[: match.end()] + " · " + link_html + markdown[match.end() :]
