"""Each language is itself: no interface string of the other language on a built page, no
stray spaces inside Chinese sentences, and notebook views that work like the pages."""

from __future__ import annotations

import html
import posixpath
import re
from pathlib import Path

import pytest

from book.strings import STRINGS

pytestmark = [pytest.mark.slow]

# What a reader never reads as the page's own text: code, formulas, scripts, drawings.
NOT_INTERFACE = re.compile(
    r"<(pre|code|script|style|svg|math|annotation)\b.*?</\1>|<span class=\"katex\">.*?</span>",
    re.S,
)
# English strings the tools write unless told otherwise (heading anchors, nbconvert).
TOOL_STRINGS = {
    "en": ["Permanent link", "Copy to Clipboard", "No description has been provided",
           "Made with", "404 - Not found"],
    "zh": [],
}


def _material_strings(lang: str) -> list[str]:
    """Material's interface strings of ``lang`` (its translation partial)."""
    import material

    partial = Path(material.__file__).parent / "templates/partials/languages" / f"{lang}.html"
    pairs = re.findall(r'^\s*"([\w.]+)": "([^"]+)"', partial.read_text(encoding="utf-8"), re.M)
    skip = {"language", "direction", "search.config.lang", "search.config.pipeline",
            "search.config.separator"}
    return [value for key, value in pairs if key not in skip and "#" not in value]


def interface_strings(lang: str) -> list[str]:
    """The strings that show a page is in ``lang``: the book's table, Material's, the tools'."""
    book = [value for value in STRINGS[lang].values() if "{" not in value]
    found = [*book, *_material_strings(lang), *TOOL_STRINGS[lang]]
    # Short English words ("Next", "Figure") also occur in Chinese prose about code.
    # English strings of one word or none (", ") tell no language apart.
    return sorted({s for s in found
                   if (len(s) >= 2 if lang == "zh" else " " in s.strip() and s.isascii())})


def _pages(built_site: Path, lang: str) -> list[Path]:
    root = built_site if lang == "zh" else built_site / "en"
    return [page for page in root.rglob("*.html") if lang == "en" or "en" not in
            page.relative_to(built_site).parts[:1]]


def reader_text(page_html: str) -> str:
    """What a reader reads on a page, attributes (tooltips, labels, alt text) included."""
    return html.unescape(NOT_INTERFACE.sub(" ", page_html))


@pytest.mark.parametrize(("lang", "other"), [("zh", "en"), ("en", "zh")])
def test_no_interface_string_of_the_other_language(built_site: Path, lang: str, other: str):
    foreign = interface_strings(other)
    own = set(interface_strings(lang))
    foreign = [s for s in foreign if s not in own]  # a string both languages share
    assert len(foreign) >= 30
    found = {}
    for page in _pages(built_site, lang):
        text = reader_text(page.read_text(encoding="utf-8"))
        for string in foreign:
            if string in text:
                found.setdefault(string, page.relative_to(built_site).as_posix())
    assert found == {}, f"{other} interface strings on the {lang} site: {found}"


CJK = "\u4e00-\u9fff\u3000-\u303f\uff00-\uffef"
# A line break between two Chinese characters: the browser shows it as a space.
BROKEN_SENTENCE = re.compile(rf"[{CJK}]\n\s*[{CJK}]")


def test_no_stray_spaces_inside_chinese_sentences(built_site: Path):
    found = []
    for page in _pages(built_site, "zh"):
        article = re.search(r"<article\b.*?</article>", page.read_text(encoding="utf-8"), re.S)
        text = NOT_INTERFACE.sub(" ", article[0] if article else "")
        for paragraph in re.findall(r"<p\b[^>]*>(.*?)</p>", text, re.S):
            plain = re.sub(r"<[^>]+>", "", paragraph)
            found += [f"{page.relative_to(built_site)}: {m!r}"
                      for m in BROKEN_SENTENCE.findall(plain)]
    assert found == []


def test_the_broken_sentence_check_can_fail():
    assert BROKEN_SENTENCE.findall("预备知识（张量与自动微分）、\n线性神经网络")


@pytest.mark.parametrize("lang_root", ["", "en/"])
def test_notebook_views_work_like_pages(built_site: Path, lang_root: str):
    views = sorted((built_site / lang_root / "notebooks").rglob("index.html"))
    assert len(views) >= 38
    for view in views:
        where = view.relative_to(built_site).as_posix()
        page_html = view.read_text(encoding="utf-8")
        content = page_html[page_html.index("jp-Notebook"):]
        ids = re.findall(r'<h[1-6] id="([^"]*)"', content)
        assert ids and all(ids) and len(set(ids)) == len(ids), where
        toc = re.findall(r'<a href="#([^"]*)" class="md-nav__link">', page_html)
        assert set(toc) <= set(ids), (where, set(toc) - set(ids))
        assert not re.search(r'href="[^":]*\.md(#[^"]*)?"', page_html), where
        download = re.search(r'<a href="([^"]+\.ipynb)" download>', content)
        back = re.search(r'<a href="([^"]+)">(?:回到本页的网页版|Back to the web page)</a>',
                         content)
        assert download and back, where
        folder = view.parent
        assert (folder / download[1]).resolve().is_file(), (where, download[1])
        page = Path(posixpath.normpath(folder / back[1])) / "index.html"
        assert page.is_file() and "notebooks" not in page.relative_to(built_site).parts
