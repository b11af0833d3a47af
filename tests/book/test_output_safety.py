"""What a cell displays cannot harm the site: HTML, Markdown, LaTeX and SVG outputs are
sanitized once, the same way, for the page and the notebook; classes stay neutral, control
characters go, figures are capped and LaTeX is typeset like the pages' formulas.

The same faults, end to end in Chromium: ``tests/site/test_output_injection.py``.
"""

from __future__ import annotations

import base64
import io
import json

import matplotlib
import numpy as np
import pytest
from matplotlib import pyplot as plt

from book.hooks.formulas import render_math
from book.notebooks import build_notebook
from book.outputs import (
    FIGURE_HARD_LIMIT,
    FIGURE_SOFT_LIMIT,
    clean_text,
    collect_outputs,
    publishable_outputs,
)
from book.outputs_sanitize import (
    UnsafeSvg,
    latex_html,
    markdown_html,
    sanitize_html,
    sanitize_svg,
    strip_control_characters,
)
from book.render.page import parse_page
from d2lref.training.report import METRICS_MIME_TYPE
from tests.book.test_outputs import LIB, output_block, site_html
from tests.paths import SNIPPETS_DIR

SVG_HEAD = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
RECT = '<rect width="4" height="4" fill="#4051b5" clip-path="url(#clip)"/>'

# (what is injected, a piece of text that must not survive)
SVG_INJECTIONS = [
    ("<script>alert(1)</script>", "alert"),
    ('<script xlink:href="https://example.com/x.js"/>', "example.com"),
    ('<g onload="alert(1)"/>', "onload"),
    ('<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>',
     "foreignObject"),
    ('<a xlink:href="javascript:alert(1)"><text>t</text></a>', "javascript"),
    ('<a href=" jav&#x09;ascript:alert(1)"><text>t</text></a>', "ascript"),
    ('<image href="https://example.com/pixel.png"/>', "example.com"),
    ('<use xlink:href="https://example.com/sprite.svg#icon"/>', "example.com"),
    ("<style>@import url(https://example.com/x.css);</style>", "example.com"),
    ('<path style="fill: url(https://example.com/x)"/>', "example.com"),
    ('<set attributeName="onmouseover" to="alert(1)"/>', "alert"),
    ('<animate attributeName="href" to="javascript:alert(1)"/>', "javascript"),
    ('<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>', "alert"),
    ('<h:img xmlns:h="http://www.w3.org/1999/xhtml" src="x" onerror="alert(1)"/>', "onerror"),
]


@pytest.mark.parametrize("injected, gone", SVG_INJECTIONS)
def test_svg_loses_scripts_handlers_foreign_objects_and_external_references(injected, gone):
    clean = sanitize_svg(SVG_HEAD + injected + RECT + "</svg>")
    assert gone not in clean
    assert '<rect width="4" height="4" fill="#4051b5" clip-path="url(#clip)" />' in clean
    assert sanitize_svg(clean) == clean  # what is left is safe as it is


def test_svg_stylesheet_instruction_is_dropped():
    svg = '<?xml version="1.0"?><?xml-stylesheet href="https://example.com/x.xsl"?>'
    clean = sanitize_svg(svg + SVG_HEAD + RECT + "</svg>")
    assert "example.com" not in clean and "<rect" in clean


@pytest.mark.parametrize(
    "svg, reason",
    [
        ("<svg><rect></svg>", "not well-formed XML"),
        ('<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>', "declares XML entities"),
        ('<html xmlns="http://www.w3.org/1999/xhtml"><script>x</script></html>', "not <svg>"),
    ],
)
def test_svg_that_cannot_be_made_safe_is_refused(svg, reason):
    with pytest.raises(UnsafeSvg, match=reason):
        sanitize_svg(svg)


def _matplotlib_svg() -> str:
    """A figure with lines, hatching, clipping, text and an embedded raster image."""
    figure, (left, right) = plt.subplots(1, 2, figsize=(4, 2))
    left.plot([0, 1, 2], [2, 0, 1], label="loss")
    left.bar([0, 1], [1, 2], hatch="//")
    left.legend()
    left.set_title("$x^2$ 损失")
    right.imshow(np.arange(16.0).reshape(4, 4))
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "d2lref"}):
        figure.savefig(buffer, format="svg")
    plt.close(figure)
    return buffer.getvalue()


def test_matplotlib_svgs_come_out_byte_identical():
    svg = _matplotlib_svg()
    assert "data:image/png;base64," in svg and "url(#" in svg  # what the rules must keep
    assert sanitize_svg(svg) == svg


def test_no_committed_figure_changes():
    svgs = [
        item["data"]
        for store in sorted(SNIPPETS_DIR.rglob("*.outputs.json"))
        for run in json.loads(store.read_text(encoding="utf-8"))["runs"].values()
        for record in run["cells"].values()
        for item in record["outputs"] if item["type"] == "svg"
    ]
    assert len(svgs) >= 40
    assert [sanitize_svg(svg) == svg for svg in svgs] == [True] * len(svgs)


def _display(mime: str, data: str) -> dict:
    return {"output_type": "display_data", "data": {mime: data}, "metadata": {}}


def test_the_runner_stores_svg_sanitized_and_leaves_out_what_it_cannot_clean():
    warnings: list[str] = []
    records = collect_outputs(
        [_display("image/svg+xml", SVG_HEAD + '<script>alert(1)</script>' + RECT + "</svg>"),
         _display("image/svg+xml", "<svg><unclosed></svg>")],
        METRICS_MIME_TYPE, warnings.append,
    )
    assert [r["type"] for r in records] == ["svg"]
    assert "script" not in records[0]["data"] and "<rect" in records[0]["data"]
    assert len(warnings) == 1 and "an SVG figure was left out: the SVG is not well-formed" \
        in warnings[0]


# --- HTML, Markdown and LaTeX: one sanitizer each, for the page and the notebook ---------

HOSTILE = (
    "<script>alert(1)</script><img src=x onerror=alert(2)>"
    "<details open ontoggle=alert(3)><summary>s</summary></details>"
    '<a href="javascript:alert(4)">a</a><iframe src="javascript:alert(5)"></iframe>'
    "<svg onload=alert(6)></svg><b onmouseover=alert(7)>b</b>"
)


@pytest.mark.parametrize(
    "render, prefix",
    [(sanitize_html, "<p>html</p>"), (markdown_html, "**md** [link](javascript:alert(8))\n\n")],
    ids=["html", "markdown"],
)
def test_html_and_markdown_lose_everything_that_runs(render, prefix):
    clean = render(prefix + HOSTILE)
    for gone in ("alert", "<script", "<img", "<details", "<iframe", "<svg", "javascript", " on"):
        assert gone not in clean, gone
    assert "<b>b</b>" in clean


def test_html_keeps_only_neutral_classes():
    table = (
        '<table class="dataframe md-typeset"><thead><tr class="d2l-output">'
        '<th class="blank level0"></th><th class="col_heading level0 col0">a</th></tr>'
        '</thead><tbody><tr><th class="row_heading level0 row0 jp-OutputArea">0</th>'
        '<td class="data row0 col0 katex admonition">1</td></tr></tbody></table>'
        '<p class="md-button md-button--primary">Click</p>'
    )
    assert sanitize_html(table) == (
        '<table class="dataframe"><thead><tr><th class="blank level0"></th>'
        '<th class="col_heading level0 col0">a</th></tr></thead><tbody><tr>'
        '<th class="row_heading level0 row0">0</th><td class="data row0 col0">1</td></tr>'
        "</tbody></table><p>Click</p>"
    )


def test_latex_text_is_escaped_and_its_formulas_marked_up():
    assert latex_html(r"Energy $E<mc^2$, \(a\) and $$\int f$$ <b>x</b>") == (
        'Energy <span class="arithmatex">\\(E&lt;mc^2\\)</span>, '
        '<span class="arithmatex">\\(a\\)</span> and '
        '<div class="arithmatex">\\[\\int f\\]</div> &lt;b&gt;x&lt;/b&gt;'
    )
    environment = latex_html(r"\begin{align} a &= 1 \end{align}")
    assert environment == (
        '<div class="arithmatex">\\[\\begin{align} a &amp;= 1 \\end{align}\\]</div>'
    )


def test_latex_outputs_are_typeset_by_the_formulas_renderer():
    rendered, problems = render_math(latex_html(r"$E = mc^2$ and $\frac{1}{$"))
    assert rendered.count('class="katex"') == 1 and "arithmatex--rendered" in rendered
    assert len(problems) == 1 and "KaTeX cannot render" in problems[0]


# --- Control characters -------------------------------------------------------------------

def test_control_characters_are_stripped_from_text():
    printed = "a\x00b\x07c\x1b[31mred\x1b[0m \x1b]0;title\x07d\x1b]8;;https://x\x1b\\e\x7f\x85\tf\n"
    assert clean_text(printed) == "abcred de\tf\n"
    assert strip_control_characters("x\x0c\x0by\r\n") == "xy\n"


# --- A store written by an older runner, published -------------------------------------------

def _notebook_outputs(tiny_book, cell: str) -> list[dict]:
    page = parse_page((tiny_book / "docs/zh/demo/page.md").read_text(), "demo/page.md", tiny_book)
    notebook = json.loads(json.dumps(build_notebook(page, tiny_book, "zh")))
    [code] = [c for c in notebook["cells"] if c.get("metadata", {}).get("name") == cell]
    return code["outputs"]


def test_old_records_are_cleaned_capped_and_sanitized_when_published(tiny_book, monkeypatch):
    monkeypatch.setattr("book.store.keys.library_hash", lambda *a: LIB)
    stored = [
        {"type": "stream", "name": "stdout", "text": "bell\x07 nul\x00 end\n" * 2 + "x\n" * 5000},
        {"type": "svg", "data": SVG_HEAD + '<script>alert(1)</script>' + RECT + "</svg>"},
        {"type": "markdown", "data": "**md** " + HOSTILE},
    ]
    page_html, ctx = site_html(tiny_book, {"total": stored})
    block = output_block(page_html, "total")
    assert "bell nul end\n" in block and "\x07" not in block and "\x00" not in block
    assert "4603 lines omitted (the cell printed 5002 lines)" in block
    [svg] = [content for path, content in ctx.figures.items() if path.endswith(".svg")]
    assert b"script" not in svg and b"<rect" in svg
    stream, figure, markdown = _notebook_outputs(tiny_book, "total")
    assert "".join(stream["text"]).startswith("bell nul end\n")
    assert "4603 lines omitted" in "".join(stream["text"])
    assert "script" not in figure["data"]["image/svg+xml"]
    # The notebook shows the very HTML the page shows.
    assert markdown["data"]["text/html"] in block and "alert" not in block


# --- Figure caps ----------------------------------------------------------------------------

def _png_of(size: int) -> str:
    """Base64 text of ``size`` bytes that start like a PNG file (enough for the checks)."""
    return base64.b64encode(b"\x89PNG\r\n\x1a\n".ljust(size, b"\0")).decode()


def test_the_run_warns_about_a_large_figure():
    warnings: list[str] = []
    big = _png_of(FIGURE_SOFT_LIMIT + 300_000)
    records = collect_outputs([_display("image/png", big)], METRICS_MIME_TYPE, warnings.append)
    assert records == [{"type": "png", "data": big}]
    assert warnings == [
        "a 1.3 MB PNG figure is over the soft limit of 1 MB (the build refuses figures over "
        "5 MB): plot fewer points, or draw the figure as PNG"
    ]
    assert collect_outputs([_display("image/png", _png_of(900_000))], METRICS_MIME_TYPE,
                           warnings.append) and len(warnings) == 1


def test_a_figure_over_the_hard_limit_fails_the_build_and_is_left_out(tiny_book, monkeypatch):
    monkeypatch.setattr("book.store.keys.library_hash", lambda *a: LIB)
    huge_svg = SVG_HEAD + '<path d="M0 0"/>' * (FIGURE_HARD_LIMIT // 16) + "</svg>"
    items, problems = publishable_outputs([{"type": "svg", "data": huge_svg}])
    assert problems == [
        "a 5.0 MB SVG figure is over the limit of 5 MB per figure: plot fewer points, or "
        "draw the figure as PNG"
    ]
    assert items == [{"type": "omitted", "text": problems[0]}]
    page_html, ctx = site_html(tiny_book, {"total": [{"type": "svg", "data": huge_svg}]})
    # The hook logs each problem as a warning, so a strict build fails.
    assert ctx.problems == [f"demo/page.md: output of cell 'total': {problems[0]}"]
    assert not ctx.figures
    assert "输出未显示: a 5.0 MB SVG figure" in output_block(page_html, "total")
    [notice] = _notebook_outputs(tiny_book, "total")
    assert notice["name"] == "stderr" and "over the limit" in "".join(notice["text"])
