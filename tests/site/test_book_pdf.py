"""The book as one PDF per language: it opens, each page of the book starts a sheet, math is
rendered (not LaTeX source), and the home page links to it."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from book import pdf as book_pdf
from book.chromium import CHROMIUM, missing_chromium
from tests.paths import REPO_DIR

pytestmark = [pytest.mark.browser, pytest.mark.slow]

H1 = re.compile(r"<h1[^>]*>(?P<title>.*?)</h1>", re.S)


@pytest.fixture(scope="session")
def pdfs(built_site: Path, built_once) -> dict[str, Path]:
    """Both PDFs, printed once per test run from a copy of the built site (printing writes
    into the site, which the other tests read)."""
    missing = [tool for tool in ("pdftotext", "pdfinfo") if shutil.which(tool) is None]
    if missing_chromium():
        missing.append(str(CHROMIUM))
    if missing:
        message = f"{', '.join(missing)} not found: apt-get install -y chromium poppler-utils"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)

    def print_a_copy(folder: Path) -> None:
        shutil.copytree(built_site, folder / "site")
        book_pdf.build_pdfs(folder / "site")

    printed = built_once("book-pdfs", print_a_copy) / "site"
    return {"zh": printed / book_pdf.PDF_NAME, "en": printed / "en" / book_pdf.PDF_NAME}


def _pages_text(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")


def _titles(built_site: Path, lang: str) -> list[str]:
    root = built_site if lang == "zh" else built_site / "en"
    config = REPO_DIR / ("mkdocs.yml" if lang == "zh" else "mkdocs.en.yml")
    titles = []
    for page in book_pdf.nav_pages(config):
        page_html = (root / book_pdf.page_url(page) / "index.html").read_text(encoding="utf-8")
        title = html.unescape(re.sub(r"<[^>]+>", "", H1.search(page_html)["title"]))
        titles.append(title.replace("¶", "").strip())
    return titles


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pdf_has_every_page_on_its_own_sheet(pdfs, built_site: Path, lang: str):
    info = subprocess.run(
        ["pdfinfo", str(pdfs[lang])], capture_output=True, text=True, check=True
    ).stdout
    sheets = int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1])
    titles = _titles(built_site, lang)
    assert sheets >= len(titles) >= 40
    # Compared without spaces or line breaks: pdftotext may split a title where its font
    # changes (Latin to Chinese) and drop the space between the two.
    titles = ["".join(title.split()) for title in titles]
    sheet_starts = ["".join(page.split())[:200] for page in _pages_text(pdfs[lang])]
    starts = [
        next((number for number, start in enumerate(sheet_starts) if start.startswith(title)),
             None)
        for title in titles
    ]
    assert None not in starts, [t for t, n in zip(titles, starts, strict=True) if n is None]
    assert starts == sorted(starts)  # in book order
    # Page numbers in the footer: the last line of a sheet reads "n / total".
    assert re.search(rf"\b2 / {sheets}\b", _pages_text(pdfs[lang])[1])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pdf_math_is_rendered(pdfs, lang: str):
    text = "\f".join(_pages_text(pdfs[lang]))
    for source in ("\\frac", "\\mathbf", "\\(", "\\[", "$$", "\\sum"):
        assert source not in text, f"LaTeX source {source!r} in the {lang} PDF"
    assert "∑" in text and "∂" in text  # glyphs KaTeX drew
    assert text.count("snippets/") >= 50  # code cells and their outputs are in the book


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_home_page_links_to_the_pdf(pdfs, lang: str):
    root = pdfs[lang].parent  # the language's root in the printed copy of the site
    home = (root / "index.html").read_text(encoding="utf-8")
    assert f'href="{book_pdf.PDF_NAME}"' in home
    assert (root / book_pdf.PDF_NAME).stat().st_size > 500_000
