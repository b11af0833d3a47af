"""The hook that lets nbconvert compile its templates once per build (notebook_templates.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat
import pytest
from mkdocs.exceptions import PluginError
from mkdocs_jupyter.config import settings
from nbconvert.exporters.html import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter

REPO_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture()
def hook(monkeypatch):
    """A fresh copy of the hook; nbconvert's own method is put back after the test."""
    monkeypatch.setattr(
        TemplateExporter, "_create_environment", TemplateExporter._create_environment
    )
    spec = importlib.util.spec_from_file_location(
        "notebook_templates_under_test", REPO_DIR / "docs/hooks/notebook_templates.py"
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
    hook.install()
    first, second = _render(notebook), _render(notebook)
    assert first == second == without_hook
    assert "暂退法" in first and "2\n" in first
    # The second exporter loaded every template the first one compiled.
    (cache,) = hook._CACHES.values()
    assert len(cache.compiled) >= 5
    assert cache.hits >= len(cache.compiled)


def test_installing_twice_wraps_once(hook):
    hook.install()
    wrapped = TemplateExporter._create_environment
    hook.install()
    assert TemplateExporter._create_environment is wrapped


def test_a_renamed_environment_factory_fails_the_build(hook, monkeypatch):
    monkeypatch.delattr(TemplateExporter, "_create_environment")
    with pytest.raises(PluginError, match="_create_environment"):
        hook.install()


def test_a_factory_that_returns_no_jinja_environment_fails_the_build(hook, monkeypatch):
    monkeypatch.setattr(TemplateExporter, "_create_environment", lambda self: object())
    hook.install()
    with pytest.raises(PluginError, match="not a Jinja environment"):
        _render(_notebook())
