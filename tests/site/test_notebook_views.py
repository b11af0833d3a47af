"""The hook that makes nbconvert convert the notebook views faster (notebook_views.py):
templates compiled once per build, and the attribute pass without a second parse."""

from __future__ import annotations

import importlib.util

import nbformat
import pytest
from bs4 import BeautifulSoup
from mkdocs.exceptions import PluginError
from mkdocs_jupyter.config import settings
from nbconvert.exporters.html import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter

from tests.paths import REPO_DIR


@pytest.fixture()
def hook(monkeypatch):
    """A fresh copy of the hook; nbconvert's own method is put back after the test."""
    monkeypatch.setattr(
        TemplateExporter, "_create_environment", TemplateExporter._create_environment
    )
    monkeypatch.setattr(HTMLExporter, "from_notebook_node", HTMLExporter.from_notebook_node)
    spec = importlib.util.spec_from_file_location(
        "notebook_views_under_test", REPO_DIR / "book/hooks/notebook_views.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _notebook() -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3", "display_name": "Python 3", "language": "python"
    }
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# 暂退法\n\n$p = 0.5$"),
        nbformat.v4.new_code_cell(
            "print(1 + 1)",
            execution_count=1,
            outputs=[nbformat.v4.new_output("stream", name="stdout", text="2\n")],
        ),
    ]
    return notebook


def _render(notebook: nbformat.NotebookNode) -> str:
    """The notebook as HTML, with the template mkdocs-jupyter uses, by a new exporter."""
    exporter = HTMLExporter(
        template_file="mkdocs_html/notebook.html.j2",
        extra_template_paths=[settings.templates_dir],
    )
    html, _ = exporter.from_notebook_node(notebook)
    return html


def test_exporters_share_compiled_templates_and_render_the_same(hook):
    notebook = _notebook()
    without_hook = _render(notebook)
    hook.install_template_cache()
    first, second = _render(notebook), _render(notebook)
    assert first == second == without_hook
    assert "暂退法" in first and "2\n" in first
    # The second exporter loaded every template the first one compiled.
    (cache,) = hook._CACHES.values()
    assert len(cache.compiled) >= 5
    assert cache.hits >= len(cache.compiled)


def test_installing_twice_wraps_once(hook):
    hook.install_template_cache()
    wrapped = TemplateExporter._create_environment
    hook.install_template_cache()
    assert TemplateExporter._create_environment is wrapped


def test_a_renamed_environment_factory_fails_the_build(hook, monkeypatch):
    monkeypatch.delattr(TemplateExporter, "_create_environment")
    with pytest.raises(PluginError, match="_create_environment"):
        hook.install_template_cache()


def test_a_factory_that_returns_no_jinja_environment_fails_the_build(hook, monkeypatch):
    monkeypatch.setattr(TemplateExporter, "_create_environment", lambda self: object())
    hook.install_template_cache()
    with pytest.raises(PluginError, match="not a Jinja environment"):
        _render(_notebook())


# --- The attribute pass without BeautifulSoup ---------------------------------------------

PNG_1PX = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4">'
    '<rect width="4" height="4"/></svg>'
)


def _rich_notebook() -> nbformat.NotebookNode:
    """Every kind of output and markup the attribute pass has to get right."""
    notebook = _notebook()
    notebook.cells += [
        nbformat.v4.new_markdown_cell(
            '![](fig.png) <img src="a.png" alt="a figure"> <IMG SRC="b.png">\n\n'
            "```html\n<img src=\"escaped.png\">\n```"
        ),
        nbformat.v4.new_code_cell(
            "show()",
            execution_count=2,
            outputs=[
                nbformat.v4.new_output("display_data", data={"image/png": PNG_1PX}),
                nbformat.v4.new_output("display_data", data={"image/svg+xml": SVG}),
                nbformat.v4.new_output(
                    "execute_result",
                    execution_count=2,
                    data={
                        "text/html": "<table><tr><td title='a > b'>1</td></tr></table>"
                        "<img src='c.png' data-note='x > y'>",
                        "text/plain": "table",
                    },
                ),
                nbformat.v4.new_output("stream", name="stderr", text="warning <img>\n"),
            ],
        ),
    ]
    return notebook


def _book_notebook() -> nbformat.NotebookNode:
    """A page of the book with inline figures, as the build writes its notebook view."""
    from book.notebooks import build_notebook
    from book.render.page import parse_page

    relpath = "multilayer-perceptrons/dropout.md"
    text = (REPO_DIR / "docs/zh" / relpath).read_text(encoding="utf-8")
    notebook = build_notebook(parse_page(text, relpath, REPO_DIR), REPO_DIR, "zh")
    assert sum(len(cell.get("outputs", [])) for cell in notebook.cells) > 5
    return notebook


@pytest.mark.parametrize("make_notebook", [_rich_notebook, _book_notebook])
def test_attribute_pass_gives_the_document_nbconvert_gives(hook, make_notebook):
    notebook = make_notebook()
    with_soup = _render(notebook)
    assert hook.install_attribute_pass()
    without_soup = _render(notebook)
    assert without_soup != with_soup  # not re-serialized ...
    # ... but the same document once parsed: same elements, attributes and text.
    assert str(BeautifulSoup(without_soup, features="html.parser")) == with_soup
    assert without_soup.count('tabindex="0"') == with_soup.count('tabindex="0"') > 4


def test_attribute_pass_counts_and_marks_what_nbconvert_marks(hook):
    html, missing = hook.add_accessibility_attributes(
        '<div class="jp-OutputArea-output">before the notebook</div>'
        "<style>div.x{}</style><script>var s = '<img src=\"js.png\">';</script>"
        '<div class="jp-Notebook"><div class=\'a jp-Cell-inputWrapper\'>'
        '<img src="x.png" title="a > b"><img alt="kept" src="y.png"/>'
        '<div class="jp-OutputArea-output" tabindex="-1"></div></div></div>'
    )
    assert missing == 1
    assert html == (
        '<div class="jp-OutputArea-output">before the notebook</div>'
        "<style>div.x{}</style><script>var s = '<img src=\"js.png\">';</script>"
        '<div class="jp-Notebook"><div class=\'a jp-Cell-inputWrapper\' tabindex="0">'
        f'<img src="x.png" title="a > b" alt="{hook.MISSING_ALT_TEXT}">'
        '<img alt="kept" src="y.png"/>'
        '<div class="jp-OutputArea-output" tabindex="-1"></div></div></div>'
    )


def test_another_nbconvert_keeps_its_own_method(hook, monkeypatch):
    def changed_method(self, nb, resources=None, **kw):
        return "changed", resources

    monkeypatch.setattr(HTMLExporter, "from_notebook_node", changed_method)
    assert not hook.install_attribute_pass()
    assert HTMLExporter.from_notebook_node is changed_method


def test_installing_the_attribute_pass_twice_replaces_once(hook):
    assert hook.install_attribute_pass()
    replaced = HTMLExporter.from_notebook_node
    assert hook.install_attribute_pass()
    assert HTMLExporter.from_notebook_node is replaced is hook.from_notebook_node_without_soup


def test_image_properties_no_rule_reads_are_dropped(hook):
    css = (
        "<style>.jupyter-wrapper :root{--jp-icon-add: url(data:image/svg+xml;base64,PHN2Zz4=);"
        "--jp-icon-bug : url(data:image/svg+xml;base64,PHN2Zz4=) ;--jp-border-width: 1px;"
        "--jp-icon-read: url(data:image/svg+xml;base64,PHN2Zz4=)}"
        ".x{background:var( --jp-icon-read)}</style>"
    )
    assert hook.drop_unread_image_properties(css) == (
        "<style>.jupyter-wrapper :root{--jp-border-width: 1px;"
        "--jp-icon-read: url(data:image/svg+xml;base64,PHN2Zz4=)}"
        ".x{background:var( --jp-icon-read)}</style>"
    )


def test_the_inlined_stylesheet_keeps_what_the_page_uses(hook):
    page = (
        '<style type="text/css">:root{--jp-icon-add: url(data:image/png;base64,AAAA);'
        "--jp-ui: 1px}.jp-Cell .jp-InputArea{margin:0}.jp-Toolbar,.jp-Cell{x:1}"
        ".jp-AddIcon{background:var(--jp-icon-add)}"
        # A selector list with a comma inside :is(): cut into halves it would be invalid CSS
        # that hides the rules after it.
        ".jp-Cell :is(.jp-MarkdownCell:hover,.jp-mod-active) .jp-Button{a:b}"
        "@media print{.jp-Cell{y:2}.jp-Dialog{z:3}}</style>"
        '<div class="jp-Cell jp-MarkdownCell"><div class="jp-InputArea"></div></div>'
    )
    assert hook.slim_notebook_css(page) == (
        '<style type="text/css">:root{--jp-ui: 1px}.jp-Cell .jp-InputArea{margin:0}'
        ".jp-Cell{x:1}@media print{.jp-Cell{y:2}}</style>"
        '<div class="jp-Cell jp-MarkdownCell"><div class="jp-InputArea"></div></div>'
    )


def test_selector_lists_split_at_top_level_commas_only(hook):
    assert hook.split_selectors(".a :is(.b:hover,.c) .d,.e:not(.f,.g),[x=\"1,2\"]") == [
        ".a :is(.b:hover,.c) .d", ".e:not(.f,.g)", '[x="1,2"]'
    ]
