"""MkDocs hook: a small, clean search index for each language.

Material's search plugin writes ``search/search_index.json`` from every page. Once it has
(hooks run after the plugins), ``on_post_build`` rewrites the index:

* notebook views (``notebooks/...``) are dropped: they repeat the pages, and the notebook is
  the download, not a page to land on;
* the notebook links under each page title stay out of every result preview
  (``on_page_content`` marks them ``data-search-exclude`` before the plugin indexes the page);
* code blocks are dropped (the prose around them is what a reader searches for);
* titles and texts become clean text: no permalink ``¶``, no copy-button labels, no leftover
  LaTeX, no markup a result preview would show as text (Material adds its own ``<mark>``).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

NOTEBOOK_DIR = "notebooks/"

# Code blocks: the pages' prose finds them, and they would double the index a reader downloads.
CODE_BLOCKS = re.compile(r"<pre>.*?</pre>", re.S)
TAGS = re.compile(r"</?[a-zA-Z][^>]*>")
# Inline and display LaTeX left in text (formulas are rendered and excluded at build time;
# this catches any that reach the index another way).
LATEX = re.compile(r"\\\(.*?\\\)|\\\[.*?\\\]|\$\$.*?\$\$|\$[^$\n]{1,200}\$", re.S)
NOISE = re.compile(r"¶|Copied!|复制成功|\u00a0")
SPACES = re.compile(r"[ \t\r\f\v]+")


def clean_text(value: str) -> str:
    """Plain text of an index field, with Material's zero-width word breaks kept."""
    value = CODE_BLOCKS.sub(" ", value)
    value = TAGS.sub(" ", value)
    value = html.unescape(value)
    value = LATEX.sub(" ", value)
    value = NOISE.sub(" ", value)
    # Escape again: Material inserts the field into result previews as HTML.
    value = html.escape(value, quote=False)
    return SPACES.sub(" ", value).strip()


def clean_index(index: dict) -> dict:
    """The index without notebook views and with clean titles and texts."""
    docs = []
    for doc in index["docs"]:
        if doc["location"].startswith(NOTEBOOK_DIR):
            continue
        doc = {**doc, "title": clean_text(doc["title"]), "text": clean_text(doc["text"])}
        if doc["title"] or doc["text"]:
            docs.append(doc)
    return {**index, "docs": docs}


NOTEBOOK_LINKS = '<p class="d2l-notebook-links"'


def on_page_content(html_content, page, config, files, **kwargs):
    if page.file.src_uri.startswith(NOTEBOOK_DIR):
        # Not indexed at all: parsing a notebook view's HTML is a third of the plugin's time.
        page.meta["search"] = {**(page.meta.get("search") or {}), "exclude": True}
        return html_content
    return html_content.replace(NOTEBOOK_LINKS, NOTEBOOK_LINKS + " data-search-exclude")


def on_post_build(config, **kwargs):
    path = Path(config["site_dir"]) / "search" / "search_index.json"
    if not path.is_file():
        return
    index = clean_index(json.loads(path.read_text(encoding="utf-8")))
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")),
                    encoding="utf-8")
