"""Page weight: every page of the built site, with everything it loads, fits a slow connection.

For each page the test adds up the HTML, its scripts and stylesheets, its images, the search
worker and the search index (Material fetches both on every page), and the KaTeX fonts of the
font families the page's formulas use. Sizes are taken raw and gzip-compressed (level 6, what
web servers use; woff2 and PNG files count as they are). The largest pages of each language are
written to ``test-artifacts/page-weight.md`` and printed (``pytest -s``).
"""

from __future__ import annotations

import functools
import gzip
import json
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.paths import ARTIFACTS_DIR

pytestmark = [pytest.mark.slow]

# The search index (130 KiB gzip, loaded with every page and then cached) holds the names the
# code uses besides the prose since the search finds code too: 20 KiB more than before.
MAX_GZIP = 470 * 1024
MAX_RAW = 1_500_000
ALREADY_COMPRESSED = {".woff2", ".png", ".jpg", ".jpeg", ".gif", ".webp"}
REFERENCE = re.compile(
    r"""<(?:script|img)\b[^>]*?\bsrc="(?P<src>[^"#?]+)"|"""
    r"""<link\b[^>]*?\brel="stylesheet"[^>]*?\bhref="(?P<href>[^"#?]+)\""""
)
SEARCH_WORKER = re.compile(r'"search":\s*"(?P<worker>[^"]+)"')
CLASS_ATTR = re.compile(r'class="([^"]+)"')
CSS_RULE = re.compile(r"(?P<selectors>[^{}]+)\{(?P<body>[^{}]*)\}")
CSS_CLASS = re.compile(r"\.([A-Za-z][\w-]*)")
FONT_FAMILY = re.compile(r"font-family:\s*(KaTeX_\w+)")


@dataclass
class PageWeight:
    page: str
    raw: int = 0
    gzip: int = 0
    files: list[str] = field(default_factory=list)


@functools.cache
def file_sizes(path: Path) -> tuple[int, int]:
    """Raw and gzip size of one file of the built site."""
    data = path.read_bytes()
    if path.suffix in ALREADY_COMPRESSED:
        return len(data), len(data)
    return len(data), len(gzip.compress(data, compresslevel=6, mtime=0))


@functools.cache
def katex_font_classes(css_path: Path) -> dict[str, set[str]]:
    """KaTeX font family -> the CSS classes that select it (from katex.min.css)."""
    families: dict[str, set[str]] = {}
    css = css_path.read_text(encoding="utf-8")
    for rule in CSS_RULE.finditer(css):
        if "@font-face" in rule["selectors"]:
            continue  # the fonts themselves, not the classes that use them
        for family in FONT_FAMILY.findall(rule["body"]):
            classes = set(CSS_CLASS.findall(rule["selectors"])) - {"katex"}
            families.setdefault(family, set()).update(classes or {"katex"})
    return families


def katex_fonts(page_html: str, css_path: Path) -> list[Path]:
    """The woff2 files of every KaTeX family the page's formulas use (all weights/styles)."""
    used = {name for attr in CLASS_ATTR.findall(page_html) for name in attr.split()}
    if "katex" not in used:
        return []
    fonts = css_path.parent / "fonts"
    files = []
    for family, classes in katex_font_classes(css_path).items():
        if classes & used or "katex" in classes or family in ("KaTeX_Main", "KaTeX_Math"):
            files += sorted(fonts.glob(f"{family}-*.woff2"))
    return sorted(set(files))


def page_weight(site_dir: Path, language_root: Path, html_path: Path) -> PageWeight:
    """Everything one page loads, with sizes."""
    page_html = html_path.read_text(encoding="utf-8")
    weight = PageWeight(html_path.parent.relative_to(site_dir).as_posix() + "/")
    loads = {html_path}
    page_dir = html_path.parent
    for match in REFERENCE.finditer(page_html):
        link = match["src"] or match["href"]
        if link.startswith(("data:", "http:", "https:", "//")):
            continue
        target = Path(posixpath.normpath((page_dir / link).as_posix()))
        assert target.is_file(), f"{html_path.relative_to(site_dir)} loads missing {link}"
        loads.add(target)
        if target.name == "katex.min.css":
            loads.update(katex_fonts(page_html, target))
    worker = SEARCH_WORKER.search(page_html)
    if worker:
        # The book's worker, and Material's, which it loads (search-worker.js?worker=NAME).
        url, _, query = worker["worker"].partition("?worker=")
        worker_path = Path(posixpath.normpath((page_dir / url).as_posix()))
        loads.add(worker_path)
        if query:
            loads.add(worker_path.parent / "workers" / query)
        loads.add(language_root / "search/search_index.json")
    for path in sorted(loads):
        raw, packed = file_sizes(path)
        weight.raw += raw
        weight.gzip += packed
        weight.files.append(path.relative_to(site_dir).as_posix())
    return weight


def content_pages(site_dir: Path, lang: str) -> tuple[Path, list[Path]]:
    """The language's root and every page it serves (not the 404 page)."""
    root = site_dir if lang == "zh" else site_dir / "en"
    pages = sorted(page for page in root.rglob("*.html") if page.name != "404.html")
    if lang == "zh":
        pages = [page for page in pages if not page.is_relative_to(site_dir / "en")]
    return root, pages


def _report(weights: dict[str, list[PageWeight]]) -> str:
    lines = []
    for lang, pages in weights.items():
        lines += [
            f"## {lang}: {len(pages)} pages, largest five",
            "",
            "| page | gzip KiB | raw KiB |",
            "|------|---------:|--------:|",
        ]
        for weight in sorted(pages, key=lambda w: w.gzip, reverse=True)[:5]:
            lines.append(f"| {weight.page} | {weight.gzip / 1024:.0f} | {weight.raw / 1024:.0f} |")
        lines.append("")
    return "\n".join(lines)


def test_every_page_fits_the_weight_budget(built_site: Path):
    weights = {}
    for lang in ("zh", "en"):
        root, pages = content_pages(built_site, lang)
        assert len(pages) > 40, f"only {len(pages)} {lang} pages were built"
        weights[lang] = [page_weight(built_site, root, page) for page in pages]
    report = _report(weights)
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS_DIR / "page-weight.md").write_text(report, encoding="utf-8")
    print("\n" + report)
    too_heavy = [
        f"{w.page}: {w.gzip / 1024:.0f} KiB gzip, {w.raw / 1e6:.2f} MB raw"
        for pages in weights.values()
        for w in pages
        if w.gzip > MAX_GZIP or w.raw > MAX_RAW
    ]
    assert too_heavy == []


def test_no_page_loads_mermaid(built_site: Path):
    loaded = {
        name
        for lang in ("zh", "en")
        for page in content_pages(built_site, lang)[1]
        for name in page_weight(built_site, content_pages(built_site, lang)[0], page).files
    }
    assert not [name for name in loaded if "mermaid" in name]
    assert not list(built_site.rglob("mermaid*.js"))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_search_index_is_small(built_site: Path, lang: str):
    root = built_site if lang == "zh" else built_site / "en"
    raw, packed = file_sizes(root / "search/search_index.json")
    assert packed < 400 * 1024, f"{lang} search index is {packed / 1024:.0f} KiB gzip"
    docs = json.loads((root / "search/search_index.json").read_text(encoding="utf-8"))["docs"]
    assert len({doc["location"].split("#")[0] for doc in docs}) >= 40
    assert not [doc["location"] for doc in docs if doc["location"].startswith("notebooks/")]
    for doc in docs:
        for noise in ("¶", "Copied!", "\\(", "\\[", "$$", "<mark", "<pre", "notebook ·"):
            assert noise not in doc["title"] + doc["text"], (doc["location"], noise)
