"""The book as one PDF per language: it opens, each page of the book starts a sheet, math is
rendered (not LaTeX source), it has an outline, a title, a language and links that stay
inside it, answers and sources print open, and the home page links to it."""

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


def _outline(items, depth: int = 1) -> list[tuple[int, str]]:
    entries = []
    for item in items:
        if isinstance(item, list):
            entries += _outline(item, depth + 1)
        else:
            entries.append((depth, str(item["/Title"])))
    return entries


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pdf_has_an_outline_metadata_and_links_inside_it(pdfs, built_site: Path, lang: str):
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(str(pdfs[lang]))
    titles = _titles(built_site, lang)
    outline = _outline(reader.outline)
    chapters = [title for depth, title in outline if depth == 1]
    # Home, the seven chapters, Performance and the glossary; pages one level down, their
    # sections below them.
    assert chapters == [titles[0], *[t for t in titles if t in chapters][1:]]
    assert len(chapters) == 10 and max(depth for depth, _ in outline) >= 3
    pages = [title for depth, title in outline if depth == 2]
    assert {"".join(t.split()) for t in titles} <= {"".join(t.split()) for t in chapters + pages}
    assert reader.metadata.title == titles[0]
    assert reader.trailer["/Root"]["/Lang"] == lang
    destinations = reader.named_destinations
    internal, addresses = 0, []
    for sheet in reader.pages:
        for annotation in sheet.get("/Annots") or []:
            annotation = annotation.get_object()
            if "/Dest" in annotation:
                internal += 1
                assert annotation["/Dest"] in destinations
            elif "/A" in annotation and "/URI" in annotation["/A"]:
                addresses.append(str(annotation["/A"]["/URI"]))
    assert internal >= 40
    assert addresses and all(url.startswith("https://") for url in addresses), addresses


ANSWERS = {
    "zh": ["学习率太小，3 个迭代周期后离最优解还远", "def train_ch6("],
    "en": ["Too small a learning rate leaves the model far from the optimum", "def train_ch6("],
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pdf_prints_answers_and_sources_open_and_keeps_identifiers_whole(pdfs, lang: str):
    text = "\f".join(_pages_text(pdfs[lang]))
    flat = " ".join(text.split())
    for printed in ANSWERS[lang]:
        assert " ".join(printed.split()) in flat, printed
    # The data table's variable names are never cut in two at a line end.
    assert "D2LREF_DATA" in text
    assert not re.search(r"D2LREF_DA\s*\n\s*TA|D2LREF_\s*\n", text)


def test_without_chromium_the_home_pages_link_no_pdf(built_site: Path, tmp_path: Path,
                                                     monkeypatch, capsys):
    """`make serve` on a machine without chromium: no PDF, and no link to one."""
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    assert all('href="d2l-notes.pdf"' in (site / sub / "index.html").read_text("utf-8")
               for sub in (".", "en"))
    monkeypatch.setattr(book_pdf, "missing_chromium", lambda: "/nowhere/chromium not found")
    assert book_pdf.main([str(site)]) == 0
    assert "no PDF: /nowhere/chromium not found" in capsys.readouterr().out
    for sub in (".", "en"):
        home = (site / sub / "index.html").read_text("utf-8")
        assert "d2l-notes.pdf" not in home and "<li>" in home  # only the PDF's item went
    assert not list(site.rglob("*.pdf"))
