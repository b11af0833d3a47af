"""MkDocs hook: pages show their snippet cells with the stored outputs under each one.

* ``on_config``: writes each page's notebook (prose + cells + outputs) into
  ``<docs_dir>/notebooks/`` so mkdocs-jupyter renders it and readers can download it;
* ``on_page_markdown``: expands ``!cell`` / ``!source`` directives (book.render);
  a directive that names a missing cell or function stops the build, a missing or stale
  output is shown on the page and logged as a warning (so ``--strict`` fails), and so is a
  store that is damaged or whose outputs were edited by hand;
* ``on_page_content``: puts the outputs' HTML in place after Markdown conversion, so printed
  text is shown exactly as printed (never read as Markdown); in notebook views, turns the
  figures nbconvert inlined into links to the figure files the pages use, and marks the
  formulas of LaTeX outputs up as on the pages (``book/hooks/formulas.py`` typesets them);
* ``on_post_build``: writes the figure files the pages reference and the raw notebooks.

The build never executes code: outputs come from ``python -m book run``.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from mkdocs.exceptions import PluginError

from book.addresses import book_addresses
from book.cells import SnippetError
from book.notebooks import write_notebooks
from book.package_index import PackageIndexError
from book.paths import REPO_DIR
from book.render.context import RenderContext
from book.render.notebook_view import describe_notebook_figures
from book.render.output_html import fill_outputs, latex_outputs_as_math, link_inline_figures
from book.render.page import PageError, parse_page
from book.render.site import render_site
from book.store.schema import StoreError
from book.strings import site_language

log = logging.getLogger("mkdocs.hooks.cells")

NOTEBOOK_DIR = "notebooks"

_figures: dict[str, bytes] = {}
_figure_alt: dict[str, str] = {}  # figure file -> what it shows (the pages' alt text)
_contexts: dict[str, RenderContext] = {}  # page -> its outputs, filled in on_page_content



def _repo_dir(config) -> Path:
    """The book's repository: the folder of its configuration file when it holds the
    snippets (``snippets/`` beside ``mkdocs.yml``: a throw-away book in a test builds with
    these same hooks), else this repository (a configuration that only borrows pages)."""
    config_file = config.get("config_file_path")
    folder = Path(config_file).resolve().parent if config_file else REPO_DIR
    return folder if (folder / "snippets").is_dir() else REPO_DIR


def on_config(config, **kwargs):
    docs_dir = Path(config["docs_dir"])
    try:
        # The published book's addresses (none locally): the notebooks' setup cell and links.
        # The wheel on the site is always this repository's d2lref.
        addresses = book_addresses(config, REPO_DIR)
        write_notebooks(
            docs_dir, _repo_dir(config), site_language(config), docs_dir / NOTEBOOK_DIR, addresses
        )
    except (PageError, SnippetError, StoreError, PackageIndexError) as err:
        raise PluginError(str(err)) from err
    _figures.clear()
    _figure_alt.clear()
    _contexts.clear()
    return config


def _render_context(page, config) -> RenderContext:
    """A context whose asset links are relative to the page's URL."""
    relpath = page.file.src_uri
    depth = page.url.count("/") if config.get("use_directory_urls", True) else relpath.count("/")
    return RenderContext(
        repo_dir=_repo_dir(config), lang=site_language(config), asset_prefix="../" * depth
    )


def on_page_markdown(markdown, page, config, files, **kwargs):
    relpath = page.file.src_uri
    if relpath.startswith(f"{NOTEBOOK_DIR}/") or not relpath.endswith(".md"):
        return markdown
    ctx = _render_context(page, config)
    try:
        parsed = parse_page(markdown, relpath, ctx.repo_dir)
        rendered = render_site(parsed, ctx)
    except (PageError, SnippetError, StoreError) as err:
        raise PluginError(str(err)) from err
    for problem in ctx.problems:
        log.warning(problem)
    _figures.update(ctx.figures)
    _figure_alt.update(ctx.figure_alt)
    _contexts[relpath] = ctx
    return rendered


def on_page_content(html, page, config, files, **kwargs):
    if page.file.src_uri.startswith(f"{NOTEBOOK_DIR}/"):
        ctx = _render_context(page, config)
        html = link_inline_figures(html, ctx)
        _figures.update(ctx.figures)
        return latex_outputs_as_math(html)
    page_ctx = _contexts.pop(page.file.src_uri, None)
    return fill_outputs(html, page_ctx) if page_ctx is not None else html


def on_post_build(config, **kwargs):
    site_dir = Path(config["site_dir"])
    for site_path, content in _figures.items():
        target = site_dir / site_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    describe_notebook_figures(site_dir / NOTEBOOK_DIR, _figure_alt)
    notebooks = Path(config["docs_dir"]) / NOTEBOOK_DIR
    for notebook in notebooks.rglob("*.ipynb") if notebooks.exists() else []:
        target = site_dir / NOTEBOOK_DIR / notebook.relative_to(notebooks)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(notebook, target)
