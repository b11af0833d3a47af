"""Expand a page's ``!cell`` and ``!source`` directives into code blocks and stored outputs.

One parser, three renderings of the same page:

* ``render_site``: what MkDocs shows — titled code blocks, each followed by its stored
  output (escaped text, figures, a provenance line) or a visible warning when the output is
  missing or stale;
* ``render_test``: the page as a reader copies it — the page's cells as plain ``python``
  fences chained with ``pytest-codeblocks:cont`` so pytest-codeblocks runs them in page
  order in one namespace (every other fence is turned into a ``~~~`` fence, which it ignores);
* ``segments`` for the notebook builder (``book.notebooks``).
"""

from __future__ import annotations

import ast
import base64
import hashlib
import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from book.cells import Snippet, SnippetError, load_snippet
from book.outputs import MEASUREMENT, sanitize_html
from book.store.files import store_path
from book.store.publishing import CellOutput, published_outputs
from book.store.schema import StoreError

CELL_DIRECTIVE = re.compile(r'^!cell\s+(?P<name>\S+)(?:\s+hl="(?P<hl>[0-9 \-]*)")?\s*$')
SOURCE_DIRECTIVE = re.compile(
    r'^!source\s+(?P<path>[^\s#]+)#(?P<name>[A-Za-z_][A-Za-z0-9_]*)'
    r'(?:\s+hl="(?P<hl>[0-9 \-]*)")?\s*$'
)
# MkDocs' YAML front matter: a first line "---", the settings, and a closing "---" line.
FRONT_MATTER = re.compile(r"\A---[ \t]*\n.*?^---[ \t]*(?:\n|\Z)", re.S | re.M)
# Where '!source' may read: the reader's library, and the benchmark the Performance page shows.
SOURCE_FOLDERS = ("d2lref/", "book/bench/")
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})")

LABELS = {
    "zh": {
        "full": "完整运行",
        "quick": "快速运行（缩减数据与轮数）",
        "quick_note_title": "本页部分输出来自缩减的快速运行",
        "quick_note": (
            "标有“快速运行”的输出来自 quick 模式：只用一小部分数据、最多训练 2 个迭代周期，"
            "所以准确率和速度与书中的完整设置相差很远。想看完整结果，请把本页的代码块"
            "（或上面下载的 notebook）放到有 GPU 的机器上运行：不设置 D2LREF_MODE 时，"
            "代码就按完整设置训练。"
        ),
        "missing": "这个单元还没有运行输出",
        "stale": "这个单元的输出已过期（代码或 d2lref 改过）",
        "rerun": "重新运行：",
        "download": "下载本页的 Jupyter notebook",
        "view": "以 notebook 形式查看",
        "figure": "图",
    },
    "en": {
        "full": "full run",
        "quick": "quick run (reduced data and epochs)",
        "quick_note_title": "Some outputs on this page come from a reduced quick run",
        "quick_note": (
            "Outputs marked \u201cquick run\u201d come from quick mode: a small subset of the "
            "data and at most 2 epochs, so their accuracies and speeds are far from those of "
            "the full settings. To see full results, run this page's code blocks (or the "
            "notebook downloaded above) on a machine with a GPU: with D2LREF_MODE unset, the "
            "code trains at full settings."
        ),
        "missing": "This cell has no stored output yet",
        "stale": "This cell's stored output is stale (its code or d2lref changed)",
        "rerun": "Re-run with:",
        "download": "Download this page as a Jupyter notebook",
        "view": "View as a notebook",
        "figure": "Figure",
    },
}


class PageError(ValueError):
    """A page whose directives do not match its snippet or d2lref's source."""


@dataclass(frozen=True)
class CellRef:
    name: str
    hl: str | None
    line: int
    indent: str = ""  # a directive inside an admonition or list item keeps its indentation


@dataclass(frozen=True)
class SourceRef:
    path: str
    name: str
    hl: str | None
    line: int
    indent: str = ""


Segment = str | CellRef | SourceRef


@dataclass
class Page:
    """A page split into Markdown text and directives, with its snippet (if any)."""

    relpath: str  # e.g. "preliminaries/ndarray.md"
    segments: list[Segment]
    snippet: Snippet | None

    @property
    def snippet_relpath(self) -> str:
        return self.relpath[: -len(".md")] + ".py"


@dataclass
class RenderContext:
    """Where things are, and what the site renderer collected on the way."""

    repo_dir: Path
    lang: str = "zh"
    asset_prefix: str = ""  # relative URL from the page to the site root
    figures: dict[str, bytes] = field(default_factory=dict)  # site path -> file content
    problems: list[str] = field(default_factory=list)
    # Output HTML kept out of Markdown: the Markdown holds a token, replaced after conversion
    # by ``fill_outputs`` so printed text is never read as Markdown (fences, tables, HTML).
    outputs_html: dict[str, str] = field(default_factory=dict)

    def hold(self, block: str) -> str:
        """A token standing for ``block`` in the Markdown (letters and digits only)."""
        digest = hashlib.sha256(block.encode()).hexdigest()[:12]
        token = f"D2LOUTPUT{len(self.outputs_html):05d}X{digest}"
        self.outputs_html[token] = block
        return token

    @property
    def snippets_dir(self) -> Path:
        return self.repo_dir / "snippets"

    @property
    def labels(self) -> dict[str, str]:
        return LABELS["zh" if self.lang.startswith("zh") else "en"]


def parse_page(markdown: str, relpath: str, repo_dir: Path) -> Page:
    """Split ``markdown`` into text and directives (directives inside fences are text).

    A page's YAML front matter (settings for MkDocs, such as ``search: boost``) is not text.
    """
    segments: list[Segment] = []
    text: list[str] = []
    open_fence: str | None = None
    front_matter = FRONT_MATTER.match(markdown)
    first_line = 1
    if front_matter:
        first_line += front_matter.group(0).count("\n")
        markdown = markdown[front_matter.end() :]
    for number, line in enumerate(markdown.splitlines(keepends=True), start=first_line):
        fence = FENCE.match(line)
        if fence:
            marker = fence.group("fence")
            if open_fence is None:
                open_fence = marker
            elif marker[0] == open_fence[0] and len(marker) >= len(open_fence):
                open_fence = None
        if open_fence is None and not fence:
            stripped = line.strip()
            cell = CELL_DIRECTIVE.match(stripped)
            source = SOURCE_DIRECTIVE.match(stripped)
            if stripped.startswith(("!cell", "!source")) and not (cell or source):
                raise PageError(
                    f"{relpath}:{number}: cannot read the directive {stripped!r}. Write "
                    '\'!cell NAME [hl="1 3-4"]\' or \'!source d2lref/FILE.py#NAME\'.'
                )
            if cell or source:
                if text:
                    segments.append("".join(text))
                    text = []
                indent = line[: len(line) - len(line.lstrip())]
                if cell:
                    segments.append(
                        CellRef(cell.group("name"), cell.group("hl"), number, indent)
                    )
                else:
                    segments.append(
                        SourceRef(source.group("path"), source.group("name"),
                                  source.group("hl"), number, indent)
                    )
                continue
        text.append(line)
    if text:
        segments.append("".join(text))

    snippet_path = repo_dir / "snippets" / (relpath[: -len(".md")] + ".py")
    refs = [s for s in segments if isinstance(s, CellRef)]
    snippet = None
    if snippet_path.exists():
        snippet = load_snippet(snippet_path, repo_dir / "snippets")
    elif refs:
        raise PageError(
            f"{relpath}:{refs[0].line}: '!cell {refs[0].name}' but the page has no snippet "
            f"file snippets/{relpath[:-3]}.py. Create it with '# %% {refs[0].name}'."
        )
    page = Page(relpath=relpath, segments=segments, snippet=snippet)
    check_cells_complete(page)
    return page


def check_cells_complete(page: Page) -> None:
    """Every snippet cell appears exactly once, in file order (so the page runs as a script)."""
    if page.snippet is None:
        return
    refs = [s for s in page.segments if isinstance(s, CellRef)]
    for ref in refs:
        try:
            page.snippet.cell(ref.name)
        except SnippetError as err:
            raise PageError(f"{page.relpath}:{ref.line}: {err}") from None
    included = [ref.name for ref in refs]
    expected = page.snippet.names
    if included != expected:
        missing = [name for name in expected if name not in included]
        repeated = sorted({name for name in included if included.count(name) > 1})
        detail = []
        if missing:
            detail.append("missing: " + ", ".join(missing))
        if repeated:
            detail.append("included more than once: " + ", ".join(repeated))
        if not detail:
            detail.append("order differs: the snippet has " + ", ".join(expected))
        raise PageError(
            f"{page.relpath} must include every cell of snippets/{page.snippet_relpath} exactly "
            f"once, in file order ({'; '.join(detail)}). Add or reorder its '!cell' lines."
        )


def extract_source(repo_dir: Path, path: str, name: str) -> str:
    """The source of the top-level function or class ``name`` in a file of d2lref (what
    readers import) or of the benchmark (``book/bench/``, which the Performance page shows)."""
    file = (repo_dir / path).resolve()
    if not path.startswith(SOURCE_FOLDERS) or ".." in Path(path).parts or not file.is_file():
        raise PageError(
            f"'!source {path}#{name}': {path} is not a file of the d2lref package or of the "
            "benchmark (book/bench/). Use a path such as d2lref/training/loops.py."
        )
    text = file.read_text(encoding="utf-8")
    tree = ast.parse(text, filename=str(file))
    nodes = [
        node for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    ]
    for node in nodes:
        if node.name == name:
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            lines = text.splitlines()[first - 1 : node.end_lineno]
            return "\n".join(lines)
    known = ", ".join(node.name for node in nodes) or "(none)"
    raise PageError(
        f"'!source {path}#{name}': no top-level function or class {name!r} in {path}. "
        f"It defines: {known}."
    )


def _fence(code: str, info: str, char: str = "`") -> str:
    longest = max((len(m) for m in re.findall(r"`{3,}|~{3,}", code)), default=0)
    marker = char * max(3, longest + 1)
    return f"{marker}{info}\n{code}\n{marker}\n"


def _indented(block: str, indent: str) -> str:
    """``block`` with every non-empty line indented (a directive nested in an admonition)."""
    if not indent:
        return block
    return "".join(
        indent + line if line.strip() else line for line in block.splitlines(keepends=True)
    )


def _hl_attr(hl: str | None) -> str:
    return f' hl_lines="{hl.strip()}"' if hl and hl.strip() else ""


def _provenance(output: CellOutput, ctx: RenderContext) -> str:
    run = output.run or {}
    labels = ctx.labels
    parts = [
        labels[output.mode or "quick"],
        html.escape(str(run.get("device_name") or run.get("device") or "?")),
        f"torch {html.escape(str(run.get('torch', '?')))}",
    ]
    if run.get("cuda"):
        parts.append(f"CUDA {html.escape(str(run['cuda']))}")
    parts.append(html.escape(str(run.get("date", "?"))[:10]))
    if run.get("commit"):
        parts.append(html.escape(str(run["commit"])[:7]))
    return f'<p class="d2l-provenance d2l-provenance--{output.mode}">' + " · ".join(parts) + "</p>"


def fill_outputs(html_text: str, ctx: RenderContext) -> str:
    """Replace the tokens ``render_site`` left in the Markdown by the outputs' HTML."""
    for token, block in ctx.outputs_html.items():
        paragraph = f"<p>{token}</p>"
        if paragraph in html_text:
            html_text = html_text.replace(paragraph, block)
        else:
            html_text = html_text.replace(token, block)
    return html_text


def add_figure(content: bytes, suffix: str, ctx: RenderContext) -> str:
    """Collect a figure file for the site; returns its site path, named by its content."""
    site_path = f"_outputs/{hashlib.sha256(content).hexdigest()[:20]}.{suffix}"
    ctx.figures[site_path] = content
    return site_path


def _figure_html(record: dict[str, Any], ctx: RenderContext, alt: str) -> str:
    if record["type"] == "svg":
        site_path = add_figure(record["data"].encode("utf-8"), "svg", ctx)
    else:
        site_path = add_figure(base64.b64decode(record["data"]), record["type"], ctx)
    return (
        f'<img class="d2l-output__figure" src="{ctx.asset_prefix}{site_path}" '
        f'alt="{html.escape(alt)}" loading="lazy">'
    )


# A figure nbconvert inlined into a notebook view: type (as in a data URL) and base64 data.
INLINE_FIGURE = re.compile(
    r'src="data:image/(?P<type>svg\+xml|png|jpeg);base64,(?P<data>[A-Za-z0-9+/=\s]+)"'
)
FIGURE_SUFFIX = {"svg+xml": "svg", "png": "png", "jpeg": "jpeg"}


def link_inline_figures(html_text: str, ctx: RenderContext) -> str:
    """Figures inlined as base64 data URLs (notebook views) become links to figure files.

    A page and its notebook view then load one shared file per figure (named by its
    content, as ``output_html`` names them), and base64 text, which gzip hardly shrinks,
    leaves the HTML. The downloadable notebook keeps its figures inline.
    """

    def link(match: re.Match) -> str:
        content = base64.b64decode(match["data"])
        site_path = add_figure(content, FIGURE_SUFFIX[match["type"]], ctx)
        return f'src="{ctx.asset_prefix}{site_path}"'

    return INLINE_FIGURE.sub(link, html_text)


def output_html(output: CellOutput, cell_name: str, ctx: RenderContext) -> str:
    """The HTML shown under a cell: escaped text, figures and the provenance line."""
    record = output.record or {}
    parts: list[str] = []
    text_run: list[str] = []

    def flush_text(css: str = "") -> None:
        if text_run:
            parts.append(text_block("".join(text_run), css))
            text_run.clear()

    for item in record.get("outputs", []):
        kind = item["type"]
        if kind in ("stream", "text"):
            text = item["text"]
            if kind == "text" and not text.endswith("\n"):
                text += "\n"
            if item.get("name") == "stderr":
                flush_text()
                text_run.append(text)
                flush_text(" d2l-output__text--stderr")
            else:
                text_run.append(text)
        elif kind in ("svg", "png", "jpeg"):
            flush_text()
            alt = f"{ctx.labels['figure']}: {cell_name}"
            parts.append(_figure_html(item, ctx, alt))
        elif kind == "html":
            flush_text()
            parts.append(f'<div class="d2l-output__html">{sanitize_html(item["data"])}</div>')
        elif kind == "markdown":
            flush_text()
            parts.append(f'<div class="d2l-output__markdown">{_markdown_html(item["data"])}</div>')
        elif kind == "latex":
            flush_text()
            # KaTeX's auto-render typesets it; without scripts the LaTeX source shows.
            parts.append(f'<div class="d2l-output__latex">{html.escape(item["data"])}</div>')
    flush_text()
    if not parts:
        return ""
    return (
        f'<div class="d2l-output" data-cell="{html.escape(cell_name)}">\n'
        + "\n".join(parts)
        + "\n"
        + _provenance(output, ctx)
        + "\n</div>\n"
    )


def text_block(text: str, css: str = "") -> str:
    """Printed text as HTML, exactly as printed; wall-clock measurements are marked."""
    text = text.rstrip("\n")
    pieces, last = [], 0
    for match in MEASUREMENT.finditer(text):
        pieces.append(html.escape(text[last : match.start()]))
        pieces.append(
            '<span class="d2l-measurement" title="wall-clock measurement: differs between '
            f'runs">{html.escape(match.group(0))}</span>'
        )
        last = match.end()
    pieces.append(html.escape(text[last:]))
    return f'<pre class="d2l-output__text{css}"><code>{"".join(pieces)}</code></pre>'


def _markdown_html(text: str) -> str:
    import markdown  # MkDocs' own Markdown library

    return sanitize_html(markdown.markdown(text, extensions=["tables", "fenced_code"]))


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
    for segment in page.segments:
        if isinstance(segment, str):
            pieces.append(segment)
        elif isinstance(segment, CellRef):
            cell = page.snippet.cell(segment.name)  # checked by parse_page
            title = f"snippets/{page.snippet_relpath} · {cell.name}"
            info = f'python title="{title}"{_hl_attr(segment.hl)}'
            pieces.append("\n" + _indented(_fence(cell.source, info), segment.indent) + "\n")
            output = outputs.get(cell.name, CellOutput(status="missing"))
            if output.status == "ok":
                block = output_html(output, cell.name, ctx)
                if block:
                    pieces.append(_indented(ctx.hold(block), segment.indent) + "\n\n")
            else:
                ctx.problems.append(
                    f"{page.relpath}: output of cell {cell.name!r} is {output.status}; run "
                    f"'python -m book run snippets/{page.snippet_relpath}'"
                )
                problem = _problem_admonition(output.status, page, ctx)
                pieces.append(_indented(problem, segment.indent) + "\n")
        else:
            source = extract_source(ctx.repo_dir, segment.path, segment.name)
            info = f'python title="{segment.path} · {segment.name}"{_hl_attr(segment.hl)}'
            pieces.append("\n" + _indented(_fence(source, info), segment.indent) + "\n")
    body = "".join(pieces)
    header = _page_header(page, outputs, ctx)
    return _insert_after_title(body, header) if header else body


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
    if any(o.status == "ok" and o.mode == "quick" for o in outputs.values()):
        indented = labels["quick_note"]
        lines.append(f'\n!!! note "{labels["quick_note_title"]}"\n\n    {indented}\n')
    return "".join(lines)


def _insert_after_title(markdown: str, header: str) -> str:
    lines = markdown.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.startswith("# "):
            return "".join(lines[: index + 1]) + "\n" + header + "\n" + "".join(lines[index + 1 :])
    return header + "\n" + markdown


def render_test(page: Page, repo_dir: Path) -> str:
    """The page for pytest-codeblocks: cells run in page order, nothing else runs."""
    pieces: list[str] = []
    first_cell = True
    for segment in page.segments:
        if isinstance(segment, str):
            pieces.append(_tilde_fences(segment))
        elif isinstance(segment, CellRef):
            cell = page.snippet.cell(segment.name)
            marker = "" if first_cell else "<!--pytest-codeblocks:cont-->\n"
            pieces.append("\n" + marker + _fence(cell.source, "python") + "\n")
            first_cell = False
        else:
            source = extract_source(repo_dir, segment.path, segment.name)
            pieces.append("\n" + _fence(source, "python", char="~") + "\n")
    return "".join(pieces)


def _tilde_fences(text: str) -> str:
    out = []
    for line in text.splitlines(keepends=True):
        match = FENCE.match(line)
        if match and match.group("fence").startswith("`"):
            fence = match.group("fence")
            line = match.group("indent") + "~" * len(fence) + line[match.end() :]
        out.append(line)
    return "".join(out)


def page_relpath(docs_dir: Path, page_file: Path) -> str:
    return page_file.resolve().relative_to(docs_dir.resolve()).as_posix()
