"""The HTML shown under a cell: escaped printed text, figure files and the provenance line."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from typing import Any

from book.outputs import MEASUREMENT, publishable_outputs
from book.outputs_sanitize import latex_html
from book.render.context import RenderContext
from book.render.quick_note import changed_by_quick_mode
from book.store.publishing import CellOutput


def _mode_label(output: CellOutput, labels: dict[str, str]) -> str:
    """How the output was made: a full run (of an earlier d2lref, under the library drift
    rule), a quick run the mode changed, or a quick run it reduced nothing in."""
    if output.drift:
        commit = str((output.run or {}).get("commit") or "?")[:7]
        return labels["drift"].format(commit=html.escape(commit))
    if output.mode == "quick" and not changed_by_quick_mode(output):
        return labels["quick_unchanged"]
    return labels[output.mode or "quick"]


def _provenance(output: CellOutput, ctx: RenderContext) -> str:
    run = output.run or {}
    labels = ctx.labels
    parts = [
        _mode_label(output, labels),
        html.escape(str(run.get("device_name") or run.get("device") or "?")),
        f"torch {html.escape(str(run.get('torch', '?')))}",
    ]
    if run.get("cuda"):
        parts.append(f"CUDA {html.escape(str(run['cuda']))}")
    parts.append(html.escape(str(run.get("date", "?"))[:10]))
    if run.get("commit"):
        parts.append(html.escape(str(run["commit"])[:7]))
    kind = output.mode if changed_by_quick_mode(output) or output.mode == "full" else "same"
    return f'<p class="d2l-provenance d2l-provenance--{kind}">' + " · ".join(parts) + "</p>"


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


# A figure shrinks with the column down to this share of its natural width (matplotlib's
# 10 pt text stays >= 9 px), then scrolls inside its frame (docs/assets/javascripts/
# scroll-frames.js shows that it does).
FIGURE_MIN_SCALE = 0.7
SVG_WIDTH = re.compile(r'<svg\b[^>]*?\swidth="([\d.]+)(pt|px)?"')


def figure_width(content: bytes, kind: str) -> float | None:
    """A figure's natural width in CSS pixels (PNG: its pixels; SVG: its width attribute),
    or None where the file does not say."""
    if kind == "png" and content[12:16] == b"IHDR":
        return float(int.from_bytes(content[16:20], "big"))
    if kind == "svg":
        match = SVG_WIDTH.search(content[:2000].decode("utf-8", "replace"))
        if match:
            return float(match[1]) * (4 / 3 if match[2] == "pt" else 1)
    return None


def _figure_html(record: dict[str, Any], ctx: RenderContext, alt: str) -> str:
    kind = record["type"]
    content = (record["data"].encode("utf-8") if kind == "svg"
               else base64.b64decode(record["data"]))
    site_path = add_figure(content, kind, ctx)
    ctx.figure_alt[site_path] = alt
    width = figure_width(content, kind)
    style = f' style="max-width:max(100%, {width * FIGURE_MIN_SCALE:.0f}px)"' if width else ""
    return (
        f'<div class="d2l-output__figure-frame"><img class="d2l-output__figure" '
        f'src="{ctx.asset_prefix}{site_path}" alt="{html.escape(alt)}"{style} '
        'loading="lazy"></div>'
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


# A LaTeX output in a notebook view: nbconvert writes the LaTeX escaped, for MathJax.
NOTEBOOK_LATEX = re.compile(
    r'(?P<open><div class="jp-RenderedLatex\b[^"]*"[^>]*>)(?P<latex>.*?)(?P<close></div>)', re.S
)


def latex_outputs_as_math(html_text: str) -> str:
    """A notebook view's LaTeX outputs in the markup ``output_html`` gives them on the page,
    so that ``book/hooks/formulas.py`` typesets both the same way."""
    return NOTEBOOK_LATEX.sub(
        lambda match: match["open"] + latex_html(html.unescape(match["latex"]).strip())
        + match["close"],
        html_text,
    )


def output_html(
    output: CellOutput, cell_name: str, ctx: RenderContext, purpose: str = "", where: str = ""
) -> str:
    """The HTML shown under a cell: escaped text, figures and the provenance line.

    The records go through ``publishable_outputs`` first, as for the notebook: rich outputs
    show their sanitized HTML, and what cannot be published is reported in ``ctx.problems``
    (``where``: the page, named in the report). ``purpose`` says in the page's words what
    the cell shows: its figures' alt text.
    """
    items, problems = publishable_outputs((output.record or {}).get("outputs", []))
    prefix = f"{where}: " if where else ""
    ctx.problems.extend(f"{prefix}output of cell {cell_name!r}: {p}" for p in problems)
    parts: list[str] = []
    text_run: list[str] = []

    def flush_text(css: str = "") -> None:
        if text_run:
            parts.append(text_block("".join(text_run), css, ctx.labels["measurement"]))
            text_run.clear()

    for item in items:
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
        else:
            block = _rich_block(item, purpose or cell_name, ctx)
            if block is not None:
                flush_text()
                parts.append(block)
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


def _rich_block(item: dict[str, Any], shows: str, ctx: RenderContext) -> str | None:
    """The HTML of a figure (``shows``: what it shows, its alt text), a rich output or an
    omitted one; None for metrics (data for tests and tools: the page shows what the cell
    printed)."""
    kind = item["type"]
    if kind in ("svg", "png", "jpeg"):
        return _figure_html(item, ctx, f"{ctx.labels['figure']}: {shows}")
    if kind in ("html", "markdown", "latex"):
        # LaTeX: formulas in arithmatex's markup, typeset by book/hooks/formulas.py.
        return f'<div class="d2l-output__{kind}">{item["html"]}</div>'
    if kind == "omitted":
        return text_block(f"{ctx.labels['omitted']}: {item['text']}",
                          " d2l-output__text--stderr", ctx.labels["measurement"])
    return None


def text_block(text: str, css: str = "", measurement_title: str = "") -> str:
    """Printed text as HTML, exactly as printed; wall-clock measurements are marked (with
    ``measurement_title`` as their tooltip, in the page's language)."""
    text = text.rstrip("\n")
    pieces, last = [], 0
    for match in MEASUREMENT.finditer(text):
        pieces.append(html.escape(text[last : match.start()]))
        pieces.append(
            f'<span class="d2l-measurement" title="{html.escape(measurement_title)}">'
            f"{html.escape(match.group(0))}</span>"
        )
        last = match.end()
    pieces.append(html.escape(text[last:]))
    return f'<pre class="d2l-output__text{css}"><code>{"".join(pieces)}</code></pre>'
