"""Outputs appear exactly as printed: never read as Markdown, rich MIME types kept, long text
capped, run-to-run noise refused and wall-clock measurements marked."""

from __future__ import annotations

import html
import json
import re

import markdown
import pytest
from mkdocs.config import load_config

from book.cells import load_snippet
from book.notebooks import build_notebook
from book.outputs import (
    MASK,
    MAX_TEXT_CHARS,
    MAX_TEXT_LINES,
    cap_text,
    clean_text,
    collect_outputs,
    mask_measurements,
    unstable_output,
)
from book.outputs_sanitize import sanitize_html
from book.paths import REPO_DIR
from book.render.context import RenderContext
from book.render.output_html import fill_outputs
from book.render.page import parse_page
from book.render.site import render_site
from book.store.files import store_path, write_store
from book.store.keys import cell_keys
from book.store.schema import seal_record
from book.strings import strings
from d2lref.training.report import METRICS_MIME_TYPE

LIB = "0" * 64

# Printed text that Markdown would otherwise turn into something else.
ODD_TEXT = (
    "```python\nnot code\n```\n"
    "| a | b |\n|---|---|\n| 1 | 2 |\n"
    "# not a heading\n"
    "    indented four spaces\n"
    "*not emphasis* and 2 * 3 * 4\n"
    "<b>bold?</b> & <script>alert(1)</script>\n"
    "!cell not-a-directive\n"
    "\n\nafter two blank lines\n"
)


def site_html(tiny_book, outputs) -> tuple[str, RenderContext]:
    """A page through the site's own Markdown configuration, as MkDocs renders it."""
    snippet = load_snippet(tiny_book / "snippets/demo/page.py", tiny_book / "snippets")
    keys = cell_keys(snippet, LIB, tiny_book)
    cells = {name: seal_record({"key": key, "execution_count": 1, "duration_s": 0.1,
                                "outputs": outputs.get(name, [])})
             for name, key in keys.items()}
    write_store(store_path(tiny_book / "snippets", "demo/page.py"),
                {"runs": {"full": {"mode": "full", "date": "2026-12-01", "cells": cells}}})
    page = parse_page((tiny_book / "docs/zh/demo/page.md").read_text(), "demo/page.md", tiny_book)
    ctx = RenderContext(repo_dir=tiny_book)
    config = load_config(str(REPO_DIR / "mkdocs.yml"))
    converter = markdown.Markdown(extensions=config["markdown_extensions"],
                                  extension_configs=config["mdx_configs"])
    return fill_outputs(converter.convert(render_site(page, ctx)), ctx), ctx


def output_block(page_html: str, cell: str) -> str:
    start = page_html.index(f'<div class="d2l-output" data-cell="{cell}">')
    return page_html[start : page_html.index('<p class="d2l-provenance', start)]


def pre_text(block: str) -> str:
    """The text a reader sees in the output's <pre> blocks."""
    bodies = re.findall(r"<pre[^>]*><code>(.*?)</code></pre>", block, re.S)
    return "\n".join(html.unescape(re.sub(r"<[^>]+>", "", body)) for body in bodies)


def test_printed_text_is_shown_exactly_as_printed(tiny_book, monkeypatch):
    monkeypatch.setattr("book.store.keys.library_hash", lambda *a: LIB)
    outputs = {"show-html": [{"type": "stream", "name": "stdout", "text": ODD_TEXT}]}
    page_html, ctx = site_html(tiny_book, outputs)
    block = output_block(page_html, "show-html")
    assert pre_text(block) == ODD_TEXT.rstrip("\n")
    # Nothing of it became markup: no highlighted block, table, heading or live script.
    assert "<table" not in block and "<h1" not in block and "highlight" not in block
    assert "<script>" not in block and "<b>" not in block and "<em>" not in block
    assert not [p for p in ctx.problems if "show-html" in p]


def test_windows_line_ends_keep_every_line():
    printed = "epoch 1\r\nepoch 2\r\nepoch 3\r\n"
    assert clean_text(printed) == "epoch 1\nepoch 2\nepoch 3\n"
    # A progress bar redrawn with bare carriage returns keeps its last state only.
    assert clean_text("10%\r50%\r100%\ndone\n") == "100%\ndone\n"
    # Split across two prints, the pair still reads as one line end.
    records = collect_outputs(
        [{"output_type": "stream", "name": "stdout", "text": "a\r"},
         {"output_type": "stream", "name": "stdout", "text": "\nb\r\n"}], METRICS_MIME_TYPE)
    assert records == [{"type": "stream", "name": "stdout", "text": "a\nb\n"}]


def display(mime_data: dict) -> dict:
    return {"output_type": "display_data", "data": mime_data, "metadata": {}}


def test_rich_outputs_are_stored_with_their_mime_type():
    records = collect_outputs([
        display({"text/html": "<table><tr><td>1</td></tr></table>",
                 "text/plain": "<IPython.core.display.HTML object>"}),
        display({"text/markdown": "**bold**", "text/plain": "<IPython.core.display.Markdown>"}),
        display({"text/latex": r"$x^2$", "text/plain": "x^2"}),
        display({"image/jpeg": "/9j/AAAA", "text/plain": "<IPython.core.display.Image>"}),
        display({"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}),
        display({METRICS_MIME_TYPE: {"test_acc": 0.9}}),
        {"output_type": "execute_result", "data": {"text/plain": "6"}, "metadata": {}},
    ], METRICS_MIME_TYPE)
    assert [r["type"] for r in records] == [
        "html", "markdown", "latex", "jpeg", "png", "metrics", "text"]
    assert records[0]["data"] == "<table><tr><td>1</td></tr></table>"


def test_rich_outputs_show_on_the_page_and_in_the_notebook(tiny_book, monkeypatch):
    monkeypatch.setattr("book.store.keys.library_hash", lambda *a: LIB)
    rich = [
        {"type": "html", "data": '<table><tr><td onclick="x()">1</td></tr></table>'
                                 "<script>alert(1)</script><iframe src=x></iframe>",
         "text": "<IPython.core.display.HTML object>"},
        {"type": "markdown", "data": "**bold** <script>alert(2)</script>", "text": "md"},
        {"type": "latex", "data": r"$x^2 < 1$", "text": "x^2"},
        {"type": "jpeg", "data": "/9j/AAAA"},
    ]
    page_html, ctx = site_html(tiny_book, {"total": rich})
    block = output_block(page_html, "total")
    assert "<table><tbody><tr><td>1</td></tr></tbody></table>" in block
    assert "<strong>bold</strong>" in block
    # LaTeX: escaped, its formula marked up for book/hooks/formulas.py to typeset.
    assert r'<div class="d2l-output__latex"><span class="arithmatex">\(x^2 &lt; 1\)</span>' in block
    assert "IPython.core.display" not in block
    assert "<script" not in block and "onclick" not in block and "<iframe" not in block
    assert any(path.endswith(".jpeg") for path in ctx.figures)
    page = parse_page((tiny_book / "docs/zh/demo/page.md").read_text(), "demo/page.md", tiny_book)
    notebook = json.loads(json.dumps(build_notebook(page, tiny_book, "zh")))
    [total] = [c for c in notebook["cells"] if c.get("metadata", {}).get("name") == "total"]
    mimes = [set(out["data"]) for out in total["outputs"]]
    # Markdown goes in as the sanitized HTML the page shows (nbconvert renders raw HTML).
    assert mimes == [{"text/html", "text/plain"}, {"text/html", "text/plain"},
                     {"text/latex", "text/plain"}, {"image/jpeg"}]
    assert "<script" not in total["outputs"][0]["data"]["text/html"]
    assert total["outputs"][1]["data"]["text/html"] == "<p><strong>bold</strong> </p>"
    assert total["outputs"][1]["data"]["text/html"] in block


def test_notebook_text_outputs_are_exact(tiny_book, monkeypatch):
    monkeypatch.setattr("book.store.keys.library_hash", lambda *a: LIB)
    site_html(tiny_book, {"show-html": [{"type": "stream", "name": "stdout", "text": ODD_TEXT}]})
    page = parse_page((tiny_book / "docs/zh/demo/page.md").read_text(), "demo/page.md", tiny_book)
    notebook = json.loads(json.dumps(build_notebook(page, tiny_book, "zh")))
    [cell] = [c for c in notebook["cells"] if c.get("metadata", {}).get("name") == "show-html"]
    assert "".join(cell["outputs"][0]["text"]) == ODD_TEXT


def test_sanitizer_keeps_tables_and_drops_code():
    assert sanitize_html("<b>x</b><style>p{}</style><img src=x onerror=y>") == "<b>x</b>"
    assert sanitize_html('<a href="javascript:x()">l</a>') == "<a>l</a>"


def test_long_text_keeps_head_and_tail_with_a_marker():
    text = "".join(f"line {i}\n" for i in range(100_000))
    capped, omitted = cap_text(text)
    assert omitted == 100_000 - 399
    assert capped.startswith("line 0\n") and capped.endswith("line 99999\n")
    assert f"… {omitted} lines omitted (the cell printed 100000 lines) …" in capped
    assert capped.count("\n") == MAX_TEXT_LINES  # the marker is within the limit
    one_line, cut = cap_text("x" * 5_000_000)
    assert cut and len(one_line) == MAX_TEXT_CHARS and "characters omitted" in one_line
    assert cap_text("short\n") == ("short\n", 0)
    # The build caps again what any runner stored: a capped text stays as it is.
    assert cap_text(capped) == (capped, 0) and cap_text(one_line) == (one_line, 0)


def test_collect_outputs_warns_when_it_caps():
    warnings: list[str] = []
    printed = [{"output_type": "stream", "name": "stdout", "text": "x\n" * 5000}]
    [record] = collect_outputs(printed, METRICS_MIME_TYPE, warnings.append)
    assert record["text"].count("\n") == 400
    assert warnings == ["output capped: 4601 lines omitted from a stream output"]


@pytest.mark.parametrize(
    "text",
    ["<torch._C.Generator at 0x7fe4c618ecd0>", "<Axes: >", "[<matplotlib.lines.Line2D at 0x7f1>]",
     "<object object at 0x10a2b3c4d>", "<Figure size 350x250 with 1 Axes>",
     "<function relu at 0x7f3a2c1b0e00>", "<built-in method size of Tensor object at 0x7f0a>",
     "(<generator object f at 0x7f80aa>, 3)"],
)
def test_unstable_reprs_are_found(text):
    assert unstable_output([{"type": "text", "text": text}]) == text


def test_stable_output_passes():
    # Printed hexadecimal numbers are values, not addresses.
    stable = [{"type": "stream", "name": "stdout",
               "text": "tensor([0, 1])\n0x10 is 16\ncrc32 = 0xdeadbeef\nid 0x7f3a2c1b0e00\n"},
              {"type": "text", "text": "[0xdeadbeef, <0xcafe>]"},
              {"type": "svg", "data": "<svg id='0xdeadbeef00'/>"}]
    assert unstable_output(stable) is None


def test_measurements_are_masked_and_marked(tiny_book, monkeypatch):
    text = ("epoch 10, loss 0.123, train acc 0.912\n"
            "11602.8 examples/sec on cpu\n10000 x .item(): 12.35 ms\n"
            "one .tolist():     0.11 ms  (117x faster)\n")
    masked = mask_measurements(text)
    assert masked == (f"epoch 10, loss 0.123, train acc 0.912\n{MASK} on cpu\n"
                      f"10000 x .item(): {MASK}\none .tolist():     {MASK}  {MASK}\n")
    assert mask_measurements({"examples_per_sec": 3.0, "test_acc": 0.9}) == {
        "examples_per_sec": MASK, "test_acc": 0.9}
    monkeypatch.setattr("book.store.keys.library_hash", lambda *a: LIB)
    page_html, _ = site_html(tiny_book, {"total": [{"type": "text", "text": text}]})
    block = output_block(page_html, "total")
    assert block.count('class="d2l-measurement"') == 4
    # The tooltip is in the page's language (the tiny book's pages are Chinese).
    title = strings("zh")["measurement"]
    assert f'<span class="d2l-measurement" title="{title}">11602.8 examples/sec</span>' in block


def test_metrics_between_prints_do_not_split_the_printed_text(tiny_book, monkeypatch):
    monkeypatch.setattr("book.store.keys.library_hash", lambda *a: LIB)
    outputs = [{"type": "stream", "name": "stdout", "text": "loss 0.447\n"},
               {"type": "metrics", "data": {"test_acc": 0.83}},
               {"type": "text", "text": "(0.447, 0.834)"}]
    page_html, _ = site_html(tiny_book, {"total": outputs})
    block = output_block(page_html, "total")
    assert block.count("<pre") == 1 and pre_text(block) == "loss 0.447\n(0.447, 0.834)"
