"""The whole book as one PDF per language, printed from the built site by chromium.

Not a build hook: run it after ``make site`` (``make pdf``). For each language it joins the
articles of every page in navigation order into one print page (the site's own styles,
formulas already rendered by the build, figures, outputs and light-palette diagrams), each
page starting on a new sheet, and prints it with page numbers to ``<language root>/<PDF_NAME>``
next to the home page, which links to it.
"""

from __future__ import annotations

import posixpath
import re
import sys
from pathlib import Path

import yaml

from book.chromium import CHROMIUM, CHROMIUM_ARGS, missing_chromium
from book.paths import REPO_DIR

PDF_NAME = "d2l-notes.pdf"
# Configs and where their build lives inside site/.
LANGUAGES = (("mkdocs.yml", ".", "zh"), ("mkdocs.en.yml", "en", "en"))

ARTICLE = re.compile(
    r'<article class="md-content__inner md-typeset">(?P<body>.*?)</article>', re.S
)
STYLESHEET = re.compile(r'<link rel="stylesheet" href="(?P<href>[^"]+)"')
RELATIVE_ATTR = re.compile(r'\b(?P<attr>src|href)="(?P<url>(?!#|[a-z]+:|/)[^"]*)"')
PRINT_CSS = """
@page { size: A4; margin: 16mm 14mm 18mm; }
html, body { background: #fff; }
.md-typeset { font-size: 10.5pt; line-height: 1.6; }
.d2l-book-page { break-before: page; }
.d2l-book-page:first-child { break-before: auto; }
.md-typeset pre, .md-typeset .d2l-output, .md-typeset table { break-inside: avoid; }
.md-typeset pre > code, .md-typeset .d2l-output pre { white-space: pre-wrap; overflow: visible; }
.md-code__nav, .md-clipboard, .headerlink, .md-source-file, .d2l-notebook-links { display: none; }
/* Nothing may be wider than the sheet: chromium would shrink every page to fit it. */
.md-typeset .d2l-diagram { overflow: visible; }
.md-typeset .d2l-diagram img, .md-typeset .d2l-output__figure {
  max-width: 100% !important; min-width: 0 !important; width: auto !important; height: auto;
}
.md-typeset pre, .md-typeset pre > code, .md-typeset table code {
  white-space: pre-wrap !important; overflow-wrap: anywhere;
}
.md-typeset__scrollwrap, .md-typeset__table, .md-typeset table { max-width: 100%; }
"""


class _IgnoreTags(yaml.SafeLoader):
    """Reads mkdocs.yml without resolving its !!python tags."""


_IgnoreTags.add_multi_constructor("", lambda loader, suffix, node: None)
_IgnoreTags.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def nav_pages(config_path: Path) -> list[str]:
    """The Markdown pages of a config's nav, in book order (INHERIT followed)."""
    config = yaml.load(config_path.read_text(encoding="utf-8"), Loader=_IgnoreTags)
    if "nav" not in config and "INHERIT" in config:
        return nav_pages(config_path.parent / config["INHERIT"])
    pages: list[str] = []

    def walk(item) -> None:
        if isinstance(item, str):
            pages.append(item)
        elif isinstance(item, dict):
            for value in item.values():
                walk(value)
        elif isinstance(item, list):
            for value in item:
                walk(value)

    walk(config["nav"])
    return pages


def page_url(markdown_path: str) -> str:
    """Site path of a page: ``a/b.md`` -> ``a/b/``, ``a/index.md`` -> ``a/``."""
    stem = markdown_path.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        stem = stem.removesuffix("index")
        return stem
    return stem + "/"


def print_page(language_root: Path, pages: list[str], lang: str) -> str:
    """One HTML page holding every page's article, links made relative to the language root."""
    articles = []
    stylesheets: list[str] = []
    for markdown_path in pages:
        url = page_url(markdown_path)
        html_path = language_root / url / "index.html"
        if not html_path.is_file():
            raise SystemExit(f"{html_path} is missing: run `make site` first")
        page_html = html_path.read_text(encoding="utf-8")
        if not stylesheets:
            stylesheets = [
                posixpath.normpath(posixpath.join(url, match["href"]))
                for match in STYLESHEET.finditer(page_html)
            ]
        article = ARTICLE.search(page_html)
        if not article:
            raise SystemExit(f"{html_path} has no article: was it built by this project?")

        def rebase(match: re.Match, url: str = url) -> str:
            return f'{match["attr"]}="{posixpath.normpath(posixpath.join(url, match["url"]))}"'

        body = RELATIVE_ATTR.sub(rebase, article["body"]).replace(' loading="lazy"', "")
        articles.append(f'<section class="d2l-book-page" data-page="{url}">{body}</section>')
    links = "".join(f'<link rel="stylesheet" href="{href}">' for href in stylesheets)
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">{links}'
        f"<style>{PRINT_CSS}</style></head>"
        '<body data-md-color-scheme="default"><div class="md-content">'
        '<article class="md-content__inner md-typeset">'
        + "".join(articles)
        + "</article></div></body></html>"
    )


FOOTER = (
    '<div style="font-size:8px;width:100%;text-align:center;color:#555">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


def build_pdfs(site_dir: Path) -> list[Path]:
    """Print each language's book to ``<language root>/d2l-notes.pdf``; returns the files."""
    from playwright.sync_api import sync_playwright

    problem = missing_chromium()
    if problem:
        raise SystemExit(problem)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for config, subdir, lang in LANGUAGES:
            root = (site_dir / subdir).resolve()
            print_html = root / "print-book.html"
            book = print_page(root, nav_pages(REPO_DIR / config), lang)
            print_html.write_text(book, encoding="utf-8")
            try:
                tab = browser.new_page()
                tab.goto(print_html.as_uri(), wait_until="load")
                tab.wait_for_function(
                    "[...document.images].every(i => i.complete) && document.fonts.status"
                    " === 'loaded'"
                )
                target = root / PDF_NAME
                tab.pdf(
                    path=str(target),
                    format="A4",
                    print_background=True,
                    display_header_footer=True,
                    header_template="<span></span>",
                    footer_template=FOOTER,
                    margin={"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"},
                )
                tab.close()
                written.append(target)
            finally:
                print_html.unlink()
        browser.close()
    return written


if __name__ == "__main__":
    site = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO_DIR / "site"
    for pdf in build_pdfs(site):
        print(f"wrote {pdf} ({pdf.stat().st_size / 1e6:.1f} MB)")
