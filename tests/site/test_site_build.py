"""The strict build of both languages, and the checks the i18n hook adds to it."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from book.hooks.i18n import page_sources, relative_link
from book.nav import NavError, nav_pages, page_title, read_nav, section_titles
from tests.paths import DOCS_DIR, LANGUAGES, REPO_DIR

pytestmark = [pytest.mark.slow]


def test_nav_lists_every_page_once_and_each_section_starts_with_its_index():
    """mkdocs.yml's nav is the one page list: every page file is in it, once."""
    pages = [page.relpath for page in nav_pages()]
    assert len(pages) == len(set(pages))
    for lang in LANGUAGES:
        on_disk = sorted(page_sources(DOCS_DIR / lang))
        assert sorted(pages) == on_disk, f"docs/{lang}: pages not in the nav, or nav entries "
    sections = {}
    for page in nav_pages():
        sections.setdefault(page.section, []).append(page.relpath)
    for title, members in sections.items():
        if title is not None:
            assert members[0].endswith("/index.md"), (title, members)
            # The Chinese titles in mkdocs.yml are the Chinese index pages' own headings.
            assert title == page_title(DOCS_DIR / "zh", members[0])


def test_english_nav_is_derived_from_the_english_pages():
    nav = section_titles(read_nav(), DOCS_DIR / "en")
    titles = [next(iter(entry)) for entry in nav if isinstance(entry, dict)]
    assert titles[:2] == ["Preliminaries", "Linear Neural Networks"]
    # Titled by their own headings (a one-page chapter is a page: Material would leave an
    # empty section's navigation landmark without a name).
    for page in ("installation/index.md", "performance.md", "glossary.md"):
        assert page in nav
    with pytest.raises(NavError, match="must start with its index page"):
        section_titles([{"Odd": ["preliminaries/ndarray.md"]}], DOCS_DIR / "en")


def test_both_languages_build_every_page(built_site: Path):
    for page in (page.relpath for page in nav_pages()):
        url = "" if page == "index.md" else page.removesuffix("index.md").removesuffix(".md") + "/"
        url = url.replace("//", "/")
        for root in (built_site, built_site / "en"):
            assert (root / url / "index.html").is_file(), f"{root / url} was not built"
    assert (built_site / "index.html").read_text(encoding="utf-8").count('lang="zh"') >= 1
    assert '<html lang="en"' in (built_site / "en/index.html").read_text(encoding="utf-8")


def test_every_page_links_to_its_twin(built_site: Path):
    zh = (built_site / "glossary/index.html").read_text(encoding="utf-8")
    en = (built_site / "en/glossary/index.html").read_text(encoding="utf-8")
    assert '<link rel="alternate" href="../en/glossary/" hreflang="en">' in zh
    assert '<link rel="alternate" href="./" hreflang="zh-Hans">' in zh
    assert '<link rel="alternate" href="../../glossary/" hreflang="zh-Hans">' in en
    # The twin's folder answers Material's sitemap request with the page and its alternates.
    sitemap = (built_site / "en/glossary/sitemap.xml").read_text(encoding="utf-8")
    assert 'hreflang="zh-Hans" href="glossary/"' in sitemap


def test_search_index_segments_chinese_words(built_site: Path):
    index = json.loads((built_site / "search/search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["lang"] == ["en"]
    assert index["config"]["pipeline"] == ["stopWordFilter"]
    # The separator is a regular expression for the browser: \u200b is written escaped.
    assert "\\u200b" in index["config"]["separator"]
    # A heading weighs a little more than text, not a thousand times more.
    assert index["config"]["fields"]["title"]["boost"] <= 5
    glossary = next(doc for doc in index["docs"] if doc["location"] == "glossary/")
    # jieba put zero-width spaces between Chinese words at build time, keeping the book's
    # terms whole (without its dictionary: 学习|率, 过|拟合, 交叉|熵).
    text = "\n".join(doc["text"] for doc in index["docs"])
    for term in ("学习率", "过拟合", "交叉熵", "暂退法"):
        assert f"\u200b{term}\u200b" in text, term
    assert "\u200b" in glossary["text"]
    en_index = json.loads((built_site / "en/search/search_index.json").read_text(encoding="utf-8"))
    assert {doc["location"] for doc in en_index["docs"]} & {"glossary/"}
    assert not any(doc["location"].startswith("../") for doc in en_index["docs"])


CELL_LABEL = re.compile(r"snippets/[\w/-]+\.py · ")
PROVENANCE = re.compile(r"(完整运行|快速运行|full run|quick run) · ")


@pytest.mark.parametrize("lang_root", ["", "en/"])
def test_search_index_holds_prose_headings_code_and_readable_formulas(
    built_site: Path, lang_root: str
):
    index = json.loads(
        (built_site / lang_root / "search/search_index.json").read_text(encoding="utf-8")
    )
    docs = {doc["location"]: doc["text"].replace("\u200b", "") for doc in index["docs"]}
    text = "\n".join(docs.values())
    assert not CELL_LABEL.search(text), CELL_LABEL.search(text)
    assert not PROVENANCE.search(text), PROVENANCE.search(text)
    assert "torch.arange" in text and "train_ch3" in text  # code is searchable by its names
    # Formulas are text, not holes ("考虑一个 层的网络，第 层的变换为 ，").
    stability = "multilayer-perceptrons/numerical-stability/#vanishing-and-exploding-gradients"
    assert "h^(l) = f_l(h^(l-1))" in docs[stability]
    assert "\\mathbf" not in text and "\\(" not in text


def test_pages_start_the_book_search_worker(built_site: Path):
    page = (built_site / "preliminaries/ndarray/index.html").read_text(encoding="utf-8")
    worker = re.search(r'"search": "(?P<url>[^"?]+)\?worker=(?P<name>[^"]+)"', page)
    assert worker["url"] == "../../assets/javascripts/search-worker.js"
    assert (built_site / "assets/javascripts/search-worker.js").is_file()
    assert (built_site / "assets/javascripts/workers" / worker["name"]).is_file()


def test_no_page_loads_anything_from_another_host(built_site: Path):
    remote = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=["'](?:https?:)?//""")
    offenders = []
    for html in built_site.rglob("*.html"):
        for tag in remote.findall(html.read_text(encoding="utf-8")):
            offenders.append(f"{html.relative_to(built_site)}: {tag}")
    assert offenders == []


def test_relative_link_between_language_roots():
    assert relative_link("glossary/", "en/glossary/") == "../en/glossary/"
    assert relative_link("en/glossary/", "glossary/") == "../../glossary/"
    assert relative_link("en/", "") == "../"
    assert relative_link("", "en/") == "en/"
    assert relative_link("a/b/", "a/b/") == "./"
    assert relative_link("a/b.html", "en/a/b.html") == "../en/a/b.html"


def _write_two_language_site(
    root: Path, zh_pages: dict[str, str], en_pages: dict[str, str]
) -> Path:
    for lang, pages in (("zh", zh_pages), ("en", en_pages)):
        for name, text in pages.items():
            path = root / "docs" / lang / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    config = root / "mkdocs.yml"
    config.write_text(
        textwrap.dedent(
            f"""\
            site_name: twin check
            docs_dir: docs/zh
            theme:
              name: material
              language: zh
            hooks:
              - {REPO_DIR / "book/hooks/i18n.py"}
            extra:
              i18n:
                - {{lang: zh, name: 中文, hreflang: zh-Hans, root: "", docs_dir: docs/zh}}
                - {{lang: en, name: English, hreflang: en, root: en/, docs_dir: docs/en}}
            """
        ),
        encoding="utf-8",
    )
    return config


def test_missing_twin_fails_the_build_and_names_the_file(tmp_path: Path, mkdocs_build):
    config = _write_two_language_site(
        tmp_path,
        {"index.md": "# 首页\n", "extra.md": "# 额外\n"},
        {"index.md": "# Home\n"},
    )
    result = mkdocs_build(config, tmp_path / "site", tmp_path)
    assert result.returncode != 0
    assert "docs/en/extra.md is missing, but docs/zh/extra.md exists" in result.stderr
    assert not (tmp_path / "site/extra/index.html").exists()


def test_twin_pages_present_build_passes(tmp_path: Path, mkdocs_build):
    config = _write_two_language_site(
        tmp_path,
        {"index.md": "# 首页\n", "extra.md": "# 额外\n"},
        {"index.md": "# Home\n", "extra.md": "# Extra\n"},
    )
    result = mkdocs_build(config, tmp_path / "site", tmp_path)
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "site/extra/index.html").read_text(encoding="utf-8")
    assert 'href="../en/extra/" hreflang="en"' in html


@pytest.mark.parametrize("lang_root", ["", "en/"])
def test_notebook_views_link_the_figure_files_their_pages_show(built_site: Path, lang_root: str):
    page_figures = re.compile(r'<img\b[^>]*\bsrc="(?:\.\./)+(_outputs/[0-9a-f]{20}\.\w+)"')
    relpath = "linear-networks/softmax-regression-scratch/index.html"
    page = (built_site / lang_root / relpath).read_text(encoding="utf-8")
    view = (built_site / lang_root / "notebooks" / relpath).read_text(encoding="utf-8")
    assert "<img src=\"data:" not in view
    shown = page_figures.findall(page)
    assert len(shown) >= 3
    assert page_figures.findall(view) == shown
    for figure in shown:
        assert (built_site / figure).is_file()


def test_notebook_views_carry_no_unused_icons(built_site: Path):
    view = (built_site / "notebooks/preliminaries/ndarray/index.html").read_text(encoding="utf-8")
    assert "jp-Notebook" in view and "--jp-border-width" in view  # the theme is there ...
    # ... without JupyterLab's toolbar icons, inline images no rule of the page reads.
    assert not re.search(r"--jp-icon-[\w-]+\s*:\s*url\(data:", view)


@pytest.mark.parametrize("lang_root", ["", "en/"])
def test_notebook_views_skip_and_contents_links_land_on_headings(
    built_site: Path, lang_root: str
):
    views = sorted((built_site / lang_root / "notebooks").rglob("index.html"))
    assert len(views) >= 38
    for view in views:
        html = view.read_text(encoding="utf-8")
        ids = set(re.findall(r'\bid="([^"]+)"', html))
        skip = re.findall(r'<a href="#([^"]*)" class="md-skip"', html)
        contents = re.findall(r'<a href="#([^"]*)" class="md-nav__link"', html)
        assert len(skip) == 1 and contents, view
        assert [target for target in skip + contents if target not in ids] == [], view
