"""MkDocs hook: a clean search index for each language, and a query side that splits Chinese
the way the index does.

* ``on_config``: jieba (which Material's search plugin uses to split Chinese at build time)
  learns the book's dictionary (``book.search.book_dictionary``: glossary terms and title
  words), so 学习率, 过拟合 and 交叉熵 are indexed as one word each;
* ``on_page_content``: what is not prose, headings or code is marked ``data-search-exclude``
  before the plugin indexes the page: code-block labels (``snippets/….py · cell``), stored
  outputs with their provenance lines, d2lref's folded sources, the links under the
  title; notebook views are
  not indexed at all (they repeat the pages);
* ``on_post_page``: pages start the book's search worker
  (``assets/javascripts/search-worker.js``), which wraps Material's and fixes the query side;
* ``on_post_build``: titles and texts become clean text (``book.search.clean_text``):
  no permalink ``¶``, no markup, formulas as readable text, code as the names it uses
  (each once per page: the index is loaded with every page).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from book.search import book_dictionary, clean_text, load_dictionary

NOTEBOOK_DIR = "notebooks/"
EXCLUDE = ' data-search-exclude="true"'
# Start tags of what the index leaves out. Each is an element that never holds an element of
# its own tag: Material's parser ends an exclusion at the first end tag of the same name.
EXCLUDED_TAGS = re.compile(
    r'<(?P<tag>span|p|pre|div)(?= class="(?:filename"|d2l-notebook-links"|d2l-page-links"'
    r'|d2l-output__text|d2l-provenance|d2l-output__(?:html|markdown|latex)"))'
)
# Material's worker, as base.html names it in the page's configuration.
MATERIAL_WORKER = re.compile(
    r'"search": "(?P<prefix>[^"]*?)assets/javascripts/workers/(?P<name>search\.[0-9a-f]+\.min\.js)"'
)
BOOK_WORKER = "assets/javascripts/search-worker.js"


def on_config(config, **kwargs):
    load_dictionary(book_dictionary(Path(config["docs_dir"])))
    return config


# d2lref's source shown folded under a page (``!source``): the library's code, not the page's.
LIBRARY_SOURCE = re.compile(r'(<span class="filename">d2lref/[^<]*</span>)<pre\b')


def mark_excluded(content: str) -> str:
    """The page's HTML with what the index leaves out marked ``data-search-exclude``."""
    content = LIBRARY_SOURCE.sub(lambda match: f"{match[1]}<pre{EXCLUDE}", content)
    return EXCLUDED_TAGS.sub(lambda match: f"<{match['tag']}{EXCLUDE}", content)


def on_page_content(html_content, page, config, files, **kwargs):
    if page.file.src_uri.startswith(NOTEBOOK_DIR):
        # Not indexed at all: parsing a notebook view's HTML is a third of the plugin's time.
        page.meta["search"] = {**(page.meta.get("search") or {}), "exclude": True}
        return html_content
    return mark_excluded(html_content)


def use_book_worker(output: str) -> str:
    """The page's configuration pointing at the book's worker, which loads Material's."""
    return MATERIAL_WORKER.sub(
        lambda m: f'"search": "{m["prefix"]}{BOOK_WORKER}?worker={m["name"]}"', output, count=1
    )


def on_post_page(output, page, config, **kwargs):
    return use_book_worker(output)


def clean_index(index: dict) -> dict:
    """The index without notebook views and with clean titles and texts."""
    docs = []
    names: dict[str, set[str]] = {}  # page -> the code names its sections gave already
    for doc in index["docs"]:
        if doc["location"].startswith(NOTEBOOK_DIR):
            continue
        seen = names.setdefault(doc["location"].partition("#")[0], set())
        doc = {**doc, "title": clean_text(doc["title"]), "text": clean_text(doc["text"], seen)}
        if doc["title"] or doc["text"]:
            docs.append(doc)
    return {**index, "docs": docs}


def on_post_build(config, **kwargs):
    path = Path(config["site_dir"]) / "search" / "search_index.json"
    if not path.is_file():
        return
    index = clean_index(json.loads(path.read_text(encoding="utf-8")))
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")),
                    encoding="utf-8")
