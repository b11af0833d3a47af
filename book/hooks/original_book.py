"""MkDocs hook: each content page links to the section of the original book it follows.

``book/original-book-sections.tsv`` lists, for every page, the section of d2l-zh 2.0
(zh-v2.d2l.ai: what the notes follow; linked from the Chinese pages) and of d2l.ai (linked
from the English pages). The link joins the links under the page's title (after the
notebook and Colab links, so list this hook after book/hooks/colab.py); a page without
notebook links gets a line of its own. A page of the nav that is not in the table stops the
build, naming the file to extend; the home page, Performance and the glossary follow no
section of the original book.

The links are plain links: nothing is fetched from another host when a page loads.
"""

from __future__ import annotations

import csv
import html
from pathlib import Path

from mkdocs.exceptions import PluginError

from book.nav import REFERENCE_PAGES, nav_pages
from book.paths import REPO_DIR
from book.render.site import add_page_top_link
from book.strings import site_language, strings

SECTIONS_FILE = REPO_DIR / "book" / "original-book-sections.tsv"
# The table's columns, by the language of the pages that link to them.
COLUMNS = {"zh": 1, "en": 2}
PAGES_WITHOUT_SECTION = ("index.md", *REFERENCE_PAGES)

_sections: dict[str, str] = {}


def original_sections(lang: str, table: Path = SECTIONS_FILE) -> dict[str, str]:
    """``{page path without .md: address}`` for the pages of ``lang`` (zh or en)."""
    column = COLUMNS["zh" if lang.startswith("zh") else "en"]
    with table.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.reader(handle, delimiter="\t") if row and row[0][:1] != "#"]
    bad = [row[0] for row in rows if len(row) != 3 or not row[column].startswith("https://")]
    if bad:
        raise PluginError(f"{table}: rows {bad} need three tab-separated columns: page, "
                          "zh-v2.d2l.ai address, d2l.ai address")
    return {row[0]: row[column] for row in rows}


def missing_sections(sections: dict[str, str]) -> list[str]:
    """Pages of the nav that follow a section of the original book but have no row."""
    return [
        page.relpath for page in nav_pages()
        if page.relpath not in PAGES_WITHOUT_SECTION
        and page.relpath.removesuffix(".md") not in sections
    ]


def on_config(config, **kwargs):
    lang = site_language(config)
    _sections.clear()
    _sections.update(original_sections(lang))
    missing = missing_sections(_sections)
    if missing:
        raise PluginError(
            f"{SECTIONS_FILE} has no row for {missing}: add each page with its zh-v2.d2l.ai "
            "and d2l.ai sections"
        )
    return config


def section_link(url: str, lang: str) -> str:
    """The link's HTML."""
    label = strings(lang)["original_section"]
    return f'<a class="d2l-original-link" href="{html.escape(url)}">{label}</a>'


def on_page_markdown(markdown, page, config, files, **kwargs):
    url = _sections.get(page.file.src_uri.removesuffix(".md"))
    if url is None:
        return markdown
    return add_page_top_link(markdown, section_link(url, str(config["theme"]["language"])))
