"""Every internal link and anchor of the built site resolves (linkchecker over local HTTP)."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import pytest

from book.hooks.original_book import original_sections
from book.nav import content_pages, nav_pages

# One worker builds the site once (session fixture) and runs every site test.
pytestmark = [pytest.mark.slow]

# External URLs are not followed (no network). linkchecker's AnchorCheck plugin downloads and
# re-parses the target page once per distinct "#anchor" link — thousands of table-of-contents
# links here, over ten minutes — so anchors are checked by a one-pass parser below instead.
LINKCHECKER_CONFIG = """\
[checking]
threads=4
# Honoured because the test server sends a "LinkChecker" header (see conftest.py).
maxrequestspersecond=200

[filtering]
checkextern=0
# Notebook views are checked to exist but not crawled: their pages embed every figure and
# take linkchecker minutes to parse, and their only links are the navigation checked elsewhere.
nofollow=/notebooks/
# The book's PDF is printed after the build (book/pdf.py); test_book_pdf.py checks it.
ignore=d2l-notes\\.pdf$
"""


def _linkchecker() -> list[str]:
    beside_python = Path(sys.executable).with_name("linkchecker")
    if beside_python.exists():
        return [str(beside_python)]
    found = shutil.which("linkchecker")
    if found is None:
        pytest.fail("linkchecker is not installed: pip install -r requirements/ci.txt")
    return [found]


def test_no_broken_links(site_url: str, tmp_path: Path):
    """linkchecker crawls the site from the Chinese home page over HTTP."""
    config = tmp_path / "linkcheckerrc"
    config.write_text(LINKCHECKER_CONFIG, encoding="utf-8")
    result = subprocess.run(
        [
            *_linkchecker(),
            "--config",
            str(config),
            "--no-status",
            "--verbose",
            "--output",
            "csv",
            site_url,
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    rows = list(
        csv.DictReader(
            (line for line in result.stdout.splitlines() if not line.startswith("#")), delimiter=";"
        )
    )
    problems = [
        f"{row['urlname']} (on {row['parentname']}): {row['result']} {row['warningstring']}".strip()
        for row in rows
        if row["valid"] != "True" or row["warningstring"]
    ]
    assert problems == [], "linkchecker found broken links"
    assert result.returncode == 0, result.stderr[-4000:]
    crawled = {row["url"] for row in rows}
    # The whole book was crawled in both languages (the language switch links them).
    for page in ("", "glossary/", "en/", "en/glossary/", "en/convolutional-modern/densenet/"):
        assert site_url + page in crawled


class _IdsAndLinks(HTMLParser):
    """Collects a page's element ids and the href of its links, in one pass."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        if tag == "a" and values.get("name"):
            self.ids.add(values["name"])
        if tag == "a" and values.get("href"):
            self.hrefs.append(values["href"])


def _page_for(site: Path, base: Path, target: str) -> Path | None:
    path = (base.parent / target).resolve() if target else base
    if path.is_dir():
        path = path / "index.html"
    return path if path.suffix == ".html" and path.is_file() else None


def broken_anchors(site: Path) -> list[str]:
    """Every internal ``page#anchor`` link of the built site whose anchor does not exist."""
    parsed: dict[Path, _IdsAndLinks] = {}

    def parse(page: Path) -> _IdsAndLinks:
        if page not in parsed:
            parser = _IdsAndLinks()
            parser.feed(page.read_text(encoding="utf-8"))
            parsed[page] = parser
        return parsed[page]

    problems = []
    pages = [p for p in sorted(site.rglob("*.html")) if "notebooks" not in p.parts]
    for page in pages:
        for href in parse(page).hrefs:
            parts = urllib.parse.urlsplit(href)
            if parts.scheme or parts.netloc or not parts.fragment:
                continue
            fragment = urllib.parse.unquote(parts.fragment)
            if fragment.startswith("__codelineno-"):
                continue  # a code line's own number link, generated beside the line it names
            target = _page_for(site, page, urllib.parse.unquote(parts.path))
            if target is None:
                continue  # not a page (or missing: linkchecker reports that)
            if fragment not in parse(target).ids:
                problems.append(f"{page.relative_to(site)}: {href}")
    return problems


def test_no_broken_anchors(built_site: Path):
    problems = broken_anchors(built_site)
    assert problems == [], "links to anchors that do not exist:\n" + "\n".join(problems[:50])


def test_anchor_check_finds_a_broken_anchor(tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<h2 id="here">x</h2><a href="../b/#gone">b</a>')
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "index.html").write_text('<a href="../a/#here">a</a><a href="#top">t</a>')
    assert broken_anchors(tmp_path) == ["a/index.html: ../b/#gone", "b/index.html: #top"]


VIDEO_COURSE = "https://space.bilibili.com/1567748478/channel/seriesdetail?sid=358497"
BOOK_HOMES = ("https://zh-v2.d2l.ai/", "https://d2l.ai/")
EXTERNAL_LINK = re.compile(r'<a\b[^>]*\bhref="(?P<url>https?://[^"]*)"')


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pages_link_to_the_original_book_and_nowhere_else(built_site: Path, lang: str):
    """Each page that follows a section of the original book links to it (zh-v2.d2l.ai from
    the Chinese pages, d2l.ai from the English ones); the home page links the video course
    the notes come from. No other host is linked."""
    root = built_site if lang == "zh" else built_site / "en"
    sections = original_sections(lang)
    allowed = {*sections.values(), VIDEO_COURSE, *BOOK_HOMES}
    host = "https://zh-v2.d2l.ai/" if lang == "zh" else "https://d2l.ai/"
    assert all(url.startswith(host) for url in sections.values())
    pages = [page.relpath for page in nav_pages()]
    assert len(content_pages()) <= len(sections) == len(pages) - 3  # home, Performance, glossary
    others = []
    for relpath in pages:
        stem = relpath.removesuffix(".md")
        url = "" if stem == "index" else stem.removesuffix("index") if stem.endswith(
            "/index") else stem + "/"
        page_html = (root / url / "index.html").read_text(encoding="utf-8")
        links = EXTERNAL_LINK.findall(page_html)
        others += [f"{url}: {link}" for link in links if link not in allowed]
        if stem in sections:
            assert links.count(sections[stem]) == 1, relpath
            assert 'class="d2l-original-link"' in page_html
    home = (root / "index.html").read_text(encoding="utf-8")
    assert f'href="{VIDEO_COURSE}"' in home
    assert others == []
