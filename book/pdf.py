"""The whole book as one PDF per language, printed from the built site by chromium.

Not a build hook: run it after ``make site`` (``make pdf``). For each language it joins the
articles of every page in navigation order into one print page (the site's own styles,
formulas already rendered by the build, figures, outputs and light-palette diagrams), each
page starting on a new sheet, and prints it with page numbers to ``<language root>/<PDF_NAME>``
next to the home page, which links to it.

The PDF is a book, not a web page: chromium writes its outline (bookmarks) from the headings,
so each page's headings go one level down under its chapter (chapter > page > section); its
title and language come from the print page's ``<title>`` and ``lang``; links between pages
become links inside the PDF (ids are prefixed with their page's), links to files that are
not in the PDF (notebooks) become plain text, so no ``file://`` link is left; folded blocks
(exercise answers, d2lref's sources) print open; headings stay with what follows them and
code breaks only between words.
"""

from __future__ import annotations

import html
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
.md-typeset h1, .md-typeset h2, .md-typeset h3, .md-typeset h4, .md-typeset .filename,
.md-typeset summary { break-after: avoid; page-break-after: avoid; }
.md-typeset h2.d2l-page-title { font-size: 2em; font-weight: 300; margin: 0 0 1.25em; }
/* Folded blocks print open, without the toggle icon drawn over their text. */
.md-typeset details > summary::after { display: none; }
.md-typeset details > summary { padding-right: 0.6rem; }
.md-code__nav, .md-clipboard, .headerlink, .md-source-file, .d2l-notebook-links,
.d2l-scroll-hint { display: none; }
/* Nothing may be wider than the sheet: chromium would shrink every page to fit it. */
.md-typeset .d2l-diagram { overflow: visible; }
.md-typeset .d2l-diagram img, .md-typeset .d2l-output__figure {
  max-width: 100% !important; min-width: 0 !important; width: auto !important; height: auto;
}
/* Long lines wrap between words; an identifier (D2LREF_DATA) is never cut in two. */
.md-typeset pre, .md-typeset pre > code {
  white-space: pre-wrap !important; overflow-wrap: break-word; word-break: normal;
}
.md-typeset table code { white-space: nowrap; word-break: normal; overflow-wrap: normal; }
.md-typeset table { font-size: 0.85em; }
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


def site_name(config_path: Path) -> str:
    """The book's title in a config's language (INHERIT followed)."""
    config = yaml.load(config_path.read_text(encoding="utf-8"), Loader=_IgnoreTags)
    if "site_name" not in config and "INHERIT" in config:
        return site_name(config_path.parent / config["INHERIT"])
    return str(config["site_name"])


def page_url(markdown_path: str) -> str:
    """Site path of a page: ``a/b.md`` -> ``a/b/``, ``a/index.md`` -> ``a/``."""
    stem = markdown_path.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        stem = stem.removesuffix("index")
        return stem
    return stem + "/"


def page_id(url: str) -> str:
    """The id of a page's section in the print page: ``a/b/`` -> ``p-a-b``."""
    return "p-" + (url.strip("/").replace("/", "-") or "home")


ID_ATTR = re.compile(r'\bid="(?P<id>[^"]+)"')
HREF = re.compile(r'<a\b(?P<before>[^>]*?)\bhref="(?P<href>[^"]*)"(?P<after>[^>]*)>')
HEADING_TAG = re.compile(r"<(?P<end>/?)h(?P<level>[1-6])\b")


def internal_links(body: str, url: str, pages: set[str]) -> str:
    """The page's ids prefixed with its own, and its links pointed inside the print page.

    Links to a page of the book (or a place in it) become ``#p-…`` links; links to other
    hosts stay; links to anything else (notebooks, the PDF itself) lose their ``href``.
    """
    own = page_id(url)
    body = ID_ATTR.sub(lambda m: f'id="{own}--{m["id"]}"', body)

    def link(match: re.Match) -> str:
        href = match["href"]
        if re.match(r"[a-z]+:", href):
            return match[0]
        path, _, fragment = href.partition("#")
        path = path.removesuffix("index.html").strip("/").removeprefix(".")
        target = url.strip("/") if not path else path
        target_url = target + "/" if target else ""
        if target_url not in pages:
            return f"<a{match['before']}{match['after']}>"
        anchor = page_id(target_url) + (f"--{fragment}" if fragment else "")
        return f'<a{match["before"]}href="#{anchor}"{match["after"]}>'

    return HREF.sub(link, body)


def nest_headings(body: str) -> str:
    """Headings one level down (h1 -> h2, ..., h5 -> h6): the page sits under its chapter."""
    body = HEADING_TAG.sub(
        lambda m: f"<{m['end']}h{min(int(m['level']) + 1, 6)}", body
    )
    return body.replace("<h2 ", '<h2 class="d2l-page-title" ', 1)


def _page_body(language_root: Path, markdown_path: str, pages: set[str]) -> tuple[str, str]:
    """A page's article for the print page, and the page's stylesheets."""
    url = page_url(markdown_path)
    html_path = language_root / url / "index.html"
    if not html_path.is_file():
        raise SystemExit(f"{html_path} is missing: run `make site` first")
    page_html = html_path.read_text(encoding="utf-8")
    article = ARTICLE.search(page_html)
    if not article:
        raise SystemExit(f"{html_path} has no article: was it built by this project?")

    def rebase(match: re.Match) -> str:
        return f'{match["attr"]}="{posixpath.normpath(posixpath.join(url, match["url"]))}"'

    body = RELATIVE_ATTR.sub(rebase, article["body"]).replace(' loading="lazy"', "")
    body = internal_links(body, url, pages).replace("<details ", "<details open ")
    return body, page_html


def print_page(language_root: Path, pages: list[str], lang: str, title: str = "") -> str:
    """One HTML page holding every page's article, links made relative to the language root.

    A page that is not a chapter's index, nor a page of its own at the top of the nav, has
    its headings nested one level down (``chapter_pages``).
    """
    articles = []
    stylesheets: list[str] = []
    urls = {page_url(path) for path in pages}
    nested = chapter_pages(pages)
    for markdown_path in pages:
        url = page_url(markdown_path)
        body, page_html = _page_body(language_root, markdown_path, urls)
        if not stylesheets:
            stylesheets = [
                posixpath.normpath(posixpath.join(url, match["href"]))
                for match in STYLESHEET.finditer(page_html)
            ]
        if markdown_path in nested:
            body = nest_headings(body)
        articles.append(
            f'<section class="d2l-book-page" id="{page_id(url)}" data-page="{url}">{body}'
            "</section>"
        )
    links = "".join(f'<link rel="stylesheet" href="{href}">' for href in stylesheets)
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>{links}"
        f"<style>{PRINT_CSS}</style></head>"
        '<body data-md-color-scheme="default"><div class="md-content">'
        '<article class="md-content__inner md-typeset">'
        + "".join(articles)
        + "</article></div></body></html>"
    )


def chapter_pages(pages: list[str]) -> set[str]:
    """The pages that sit under a chapter: every page of a folder but its index."""
    return {path for path in pages if "/" in path and not path.endswith("/index.md")}


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
            book = print_page(
                root, nav_pages(REPO_DIR / config), lang, site_name(REPO_DIR / config)
            )
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
                    outline=True,
                    tagged=True,
                )
                tab.close()
                written.append(target)
            finally:
                print_html.unlink()
        browser.close()
    return written


# The home page's list item that links the PDF (docs/<lang>/index.md).
PDF_LINK_ITEM = re.compile(r'<li>(?:(?!</li>).)*?href="' + re.escape(PDF_NAME) + r'".*?</li>\s*',
                           re.S)


def drop_pdf_links(site_dir: Path) -> int:
    """Take the PDF's item out of each language's home page; returns how many were dropped.

    Where the book cannot be printed (no chromium), the site is served without PDFs, and its
    home pages must not link to a file that is not there.
    """
    dropped = 0
    for _, subdir, _ in LANGUAGES:
        home = site_dir / subdir / "index.html"
        if home.is_file():
            text, count = PDF_LINK_ITEM.subn("", home.read_text(encoding="utf-8"))
            home.write_text(text, encoding="utf-8")
            dropped += count
    return dropped


def main(argv: list[str]) -> int:
    """``python -m book.pdf [SITE_DIR] [--require]``: print the PDFs, or, without a browser,
    say so and leave the PDF out of the home pages (``make serve`` works on a machine without
    chromium). With ``--require`` (``make pdf``, the Pages workflow) a missing browser fails."""
    require = "--require" in argv
    folders = [arg for arg in argv if arg != "--require"]
    site = Path(folders[0]) if folders else REPO_DIR / "site"
    problem = missing_chromium()
    if problem and require:
        raise SystemExit(problem)
    if problem:
        dropped = drop_pdf_links(site)
        print(f"no PDF: {problem}; the home pages link no PDF ({dropped} links taken out)")
        return 0
    for pdf in build_pdfs(site):
        print(f"wrote {pdf} ({pdf.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
