"""Pages: directives expand to code + stored outputs; stale or missing outputs are visible."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from book.cells import load_snippet, parse_snippet
from book.notebooks import build_notebook, notebook_summary
from book.paths import REPO_DIR
from book.render.context import RenderContext
from book.render.output_html import fill_outputs, link_inline_figures
from book.render.page import PageError, extract_source, parse_page
from book.render.site import render_site
from book.store.files import store_path, write_store
from book.store.keys import cell_keys
from book.store.publishing import published_outputs
from book.store.schema import StoreError, seal_record

LIB = "0" * 64


def fake_run(snippet, mode: str, lib_hash: str = LIB, outputs=None) -> dict:
    keys = cell_keys(snippet, lib_hash)
    outputs = outputs or {}
    return {
        "mode": mode, "device": "cpu", "device_name": "Test CPU", "torch": "2.14.1",
        "cuda": None, "date": "2026-11-25T10:00:00+00:00", "commit": "abcdef123456",
        "duration_s": 1.5, "library_hash": lib_hash,
        "cells": {
            cell.name: seal_record({
                "key": keys[cell.name], "execution_count": i + 1, "duration_s": 0.01,
                "outputs": outputs.get(cell.name, []),
            })
            for i, cell in enumerate(snippet.cells)
        },
    }


def stored_book(root: Path, modes=("full",), outputs=None) -> Path:
    snippet = load_snippet(root / "snippets" / "demo" / "page.py", root / "snippets")
    runs = {mode: fake_run(snippet, mode, outputs=outputs) for mode in modes}
    write_store(store_path(root / "snippets", "demo/page.py"), {"runs": runs})
    return root


OUTPUTS = {
    "show-html": [{"type": "stream", "name": "stdout", "text": "<b>x</b> & <script>\n"}],
    "total": [{"type": "text", "text": "6"}, {"type": "svg", "data": "<svg>fig</svg>"}],
}


def render(root: Path, lang: str = "zh", prefix: str = "../../"):
    # Both languages share the page's directives; the labels follow the language.
    page_md = (root / "docs" / "zh" / "demo" / "page.md").read_text()
    page = parse_page(page_md, "demo/page.md", root)
    ctx = RenderContext(repo_dir=root, lang=lang, asset_prefix=prefix)
    # What MkDocs does: Markdown first, then the outputs go in place of their tokens.
    return fill_outputs(render_site(page, ctx), ctx), ctx


def test_outputs_follow_their_cells_escaped(tiny_book, monkeypatch):
    monkeypatch.setattr("book.store.keys.library_hash", lambda *a: LIB)
    stored_book(tiny_book, outputs=OUTPUTS)
    html, ctx = render(tiny_book)
    assert ctx.problems == []
    start = html.index('<div class="d2l-output" data-cell="show-html">')
    block = html[start : html.index("</div>", start)]
    assert "&lt;b&gt;x&lt;/b&gt; &amp; &lt;script&gt;" in block
    assert "<b>" not in block and "<script>" not in block
    assert 'title="snippets/demo/page.py · total" hl_lines="2"' in html
    assert html.index("show-html") < html.index("&lt;b&gt;") < html.index("· total")
    # The figure becomes a file of the site, referenced relative to the page.
    [(site_path, content)] = ctx.figures.items()
    assert content == b"<svg>fig</svg>"
    assert f'src="../../{site_path}"' in html
    # Provenance: mode, device, torch version, date and commit.
    assert "完整运行 · Test CPU · torch 2.14.1 · 2026-11-25 · abcdef1" in html
    assert "```mermaid" in html
    assert 'href="../../notebooks/demo/page.ipynb" download' in html
    assert 'href="../../notebooks/demo/page/"' in html


def test_an_index_page_links_its_notebook_view_like_mkdocs(tiny_book, monkeypatch):
    monkeypatch.setattr("book.store.keys.library_hash", lambda *a: LIB)
    for folder in ("snippets", "docs/zh"):
        src = tiny_book / folder / "demo" / ("page.py" if folder == "snippets" else "page.md")
        src.rename(src.with_stem("index"))
    page = parse_page((tiny_book / "docs/zh/demo/index.md").read_text(), "demo/index.md",
                      tiny_book)
    html = render_site(page, RenderContext(repo_dir=tiny_book, asset_prefix="../"))
    assert 'href="../notebooks/demo/index.ipynb" download' in html
    assert 'href="../notebooks/demo/"' in html


def test_quick_only_outputs_are_labelled(tiny_book, monkeypatch):
    monkeypatch.setattr("book.store.keys.library_hash", lambda *a: LIB)
    stored_book(tiny_book, modes=("quick",), outputs=OUTPUTS)
    html, ctx = render(tiny_book, lang="en")
    assert "Some outputs on this page come from a reduced quick run" in html
    assert "quick run (reduced data and epochs)" in html
    assert ctx.problems == []


def test_full_mode_wins_over_quick(tiny_book, monkeypatch):
    monkeypatch.setattr("book.store.keys.library_hash", lambda *a: LIB)
    stored_book(tiny_book, modes=("quick", "full"), outputs=OUTPUTS)
    snippet = load_snippet(tiny_book / "snippets/demo/page.py", tiny_book / "snippets")
    chosen = published_outputs(snippet, store_path(tiny_book / "snippets", "demo/page.py"))
    assert {o.mode for o in chosen.values()} == {"full"}


def test_editing_a_cell_stales_it_and_later_cells_only():
    before = parse_snippet("# %% a\nx = 1\n# %% b\ny = 2\n# %% c\nz = 3\n", "p.py")
    after = parse_snippet("# %% a\nx = 1\n# %% b\ny = 20\n# %% c\nz = 3\n", "p.py")
    old, new = cell_keys(before, LIB), cell_keys(after, LIB)
    assert old["a"] == new["a"]
    assert old["b"] != new["b"] and old["c"] != new["c"]
    # Changing the library changes every key.
    other = cell_keys(before, "1" * 64)
    assert all(other[name] != old[name] for name in old)


def test_stale_and_missing_outputs_show_and_are_reported(tiny_book, monkeypatch):
    monkeypatch.setattr("book.store.keys.library_hash", lambda *a: LIB)
    stored_book(tiny_book, outputs=OUTPUTS)
    snippet_file = tiny_book / "snippets" / "demo" / "page.py"
    snippet_file.write_text(snippet_file.read_text().replace("print(", "print('changed', "))
    html, ctx = render(tiny_book)
    assert "这个单元的输出已过期" in html
    assert "python -m book run snippets/demo/page.py" in html
    stale = [p for p in ctx.problems if "stale" in p]
    assert len(stale) == 2  # show-html and total; setup is still fresh
    assert "'setup'" not in " ".join(ctx.problems)
    # With no store at all, every cell is missing.
    store_path(tiny_book / "snippets", "demo/page.py").unlink()
    _, ctx = render(tiny_book)
    assert len(ctx.problems) == 3 and all("missing" in p for p in ctx.problems)


def test_a_cell_that_never_ran_is_rejected(tiny_book, monkeypatch):
    monkeypatch.setattr("book.store.keys.library_hash", lambda *a: LIB)
    snippet = load_snippet(tiny_book / "snippets/demo/page.py", tiny_book / "snippets")
    run = fake_run(snippet, "full")
    for field, value in (("duration_s", 0), ("execution_count", None)):
        broken = copy.deepcopy(run)
        broken["cells"]["total"][field] = value
        path = store_path(tiny_book / "snippets", "demo/page.py")
        # Written by hand: the runner's write_store refuses such a record.
        path.write_text(json.dumps({"format": 2, "runs": {"full": broken}}))
        with pytest.raises(StoreError, match="never ran"):
            published_outputs(snippet, path)


def test_corrupt_store_file_is_a_clear_error(tiny_book):
    path = store_path(tiny_book / "snippets", "demo/page.py")
    path.write_text("{not json")
    snippet = load_snippet(tiny_book / "snippets/demo/page.py", tiny_book / "snippets")
    with pytest.raises(StoreError, match="not valid JSON.*re-run"):
        published_outputs(snippet, path)


def test_page_must_include_every_cell_in_order(tiny_book):
    page = tiny_book / "docs" / "zh" / "demo" / "page.md"
    text = page.read_text()
    with pytest.raises(PageError, match="missing: total"):
        parse_page(text.replace('!cell total hl="2"', ""), "demo/page.md", tiny_book)
    with pytest.raises(PageError, match="order differs"):
        swapped = (text.replace("!cell setup", "!cell TMP")
                   .replace("!cell show-html", "!cell setup")
                   .replace("!cell TMP", "!cell show-html"))
        parse_page(swapped, "demo/page.md", tiny_book)
    with pytest.raises(PageError, match="no cell named 'nope'"):
        parse_page(text + "\n!cell nope\n", "demo/page.md", tiny_book)
    with pytest.raises(PageError, match="cannot read the directive"):
        parse_page(text + "\n!cell\n", "demo/page.md", tiny_book)


def test_directives_inside_fences_are_text(tiny_book):
    text = (tiny_book / "docs/zh/demo/page.md").read_text() + "\n```text\n!cell nope\n```\n"
    page = parse_page(text, "demo/page.md", tiny_book)
    assert "!cell nope" in page.segments[-1]



def test_source_directive_shows_library_code():
    source = extract_source(REPO_DIR, "d2lref/ops/conv.py", "corr2d")
    assert source.startswith("def corr2d(")
    assert source.rstrip().endswith("return Y")
    with pytest.raises(PageError, match="It defines: .*corr2d"):
        extract_source(REPO_DIR, "d2lref/ops/conv.py", "no_such_function")
    # The benchmark's source is shown on the Performance page; the rest of the book's
    # machinery is not library code, and neither is anything outside the repository.
    assert extract_source(REPO_DIR, "book/bench/runner.py", "TimedEpochs").startswith("class")
    for path in ("README.md", "book/store/files.py", "d2lref/../book/store/files.py"):
        with pytest.raises(PageError, match="not a file of the d2lref package"):
            extract_source(REPO_DIR, path, "x")


def test_notebook_has_prose_cells_and_outputs(tiny_book, monkeypatch):
    monkeypatch.setattr("book.store.keys.library_hash", lambda *a: LIB)
    stored_book(tiny_book, outputs=OUTPUTS)
    page = parse_page((tiny_book / "docs/zh/demo/page.md").read_text(), "demo/page.md", tiny_book)
    notebook = json.loads(json.dumps(build_notebook(page, tiny_book, "zh")))
    summary = notebook_summary(notebook)
    assert summary == {"code_cells": 3, "with_outputs": 2, "markdown_cells": 2}
    markdown = "".join(c["source"] for c in notebook["cells"] if c["cell_type"] == "markdown")
    assert "mermaid" not in markdown and "网页版" in markdown
    assert "{ #demo }" not in markdown


def test_directive_inside_a_collapsed_block_stays_inside_it(tiny_book, monkeypatch):
    """An indented ``!cell`` (an exercise answer in ``??? success``) renders in the block."""
    import markdown

    monkeypatch.setattr("book.store.keys.library_hash", lambda *a: LIB)
    stored_book(tiny_book, outputs=OUTPUTS)
    page_file = tiny_book / "docs" / "zh" / "demo" / "page.md"
    text = page_file.read_text(encoding="utf-8").replace(
        '!cell total hl="2"', '??? success "答案"\n\n    求和：\n\n    !cell total\n'
    )
    page = parse_page(text, "demo/page.md", tiny_book)
    ctx = RenderContext(repo_dir=tiny_book, lang="zh")
    rendered = render_site(page, ctx)
    assert "    ```python" in rendered
    html_text = markdown.markdown(
        rendered, extensions=["admonition", "pymdownx.details", "pymdownx.superfences"]
    )
    html_text = fill_outputs(html_text, ctx)  # what the cells hook does after Markdown
    details = html_text[html_text.index("<details") : html_text.index("</details>")]
    assert "snippets/demo/page.py · total" in details
    assert "sum" in details
    assert 'data-cell="total"' in details
    # The printed text is not indented by the nesting.
    assert "<code>6</code>" in details.replace("\n", "")
    # The output is a block of its own right after the code, not HTML inside a paragraph.
    assert "<p><div" not in details and '</div>\n<div class="d2l-output"' in details.replace(
        '</div>\n\n<div class="d2l-output"', '</div>\n<div class="d2l-output"')


def test_inline_figures_become_links_to_files_named_by_their_content(tmp_path):
    import base64
    import hashlib

    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>'
    png = b"\x89PNG\r\n\x1a\n not a real image, only bytes"
    ctx = RenderContext(repo_dir=tmp_path, asset_prefix="../../")
    view = (
        f'<img src="data:image/svg+xml;base64,{base64.b64encode(svg).decode()}" alt="a">'
        f'<img alt="b" src="data:image/png;base64,{base64.b64encode(png).decode()}">'
        '<style>.icon{background:url(data:image/svg+xml;base64,PHN2Zz4=)}</style>'
    )
    svg_path = f"_outputs/{hashlib.sha256(svg).hexdigest()[:20]}.svg"
    png_path = f"_outputs/{hashlib.sha256(png).hexdigest()[:20]}.png"
    assert link_inline_figures(view, ctx) == (
        f'<img src="../../{svg_path}" alt="a"><img alt="b" src="../../{png_path}">'
        '<style>.icon{background:url(data:image/svg+xml;base64,PHN2Zz4=)}</style>'
    )
    assert ctx.figures == {svg_path: svg, png_path: png}


def test_front_matter_is_settings_not_text(tmp_path):
    page_md = (
        "---\nsearch:\n  boost: 2\n---\n\n# Title\n\nProse.\n\n```text\n!cell first\n```\n"
        "!cell\n"
    )
    with pytest.raises(PageError, match=r"demo/page.md:13: cannot read the directive"):
        parse_page(page_md, "demo/page.md", tmp_path)
    page = parse_page(page_md.removesuffix("!cell\n"), "demo/page.md", tmp_path)
    assert page.segments == ["\n# Title\n\nProse.\n\n```text\n!cell first\n```\n"]
    # A rule of dashes later in the page is Markdown, not front matter.
    page = parse_page("# Title\n\n---\n\nText.\n---\n", "demo/page.md", tmp_path)
    assert page.segments == ["# Title\n\n---\n\nText.\n---\n"]
