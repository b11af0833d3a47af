"""Stored diagrams: every Mermaid fence of every page has its SVG files, and a missing one
fails the strict build with the command that renders it."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from book.hooks import diagrams
from tests.paths import REPO_DIR


def test_every_page_diagram_is_stored_in_both_palettes():
    sources = diagrams.page_diagrams(REPO_DIR / "docs")
    assert len(sources) >= 10
    for source, page in sources.items():
        for theme in diagrams.THEMES:
            path = diagrams.stored_svg(diagrams.diagram_key(source, theme))
            assert path.is_file(), f"{page}: {theme} diagram missing, run `make diagrams`"


def test_no_stored_diagram_is_unused():
    wanted = {
        diagrams.diagram_key(source, theme)
        for source in diagrams.page_diagrams(REPO_DIR / "docs")
        for theme in diagrams.THEMES
    }
    stored = {path.stem for path in diagrams.STORE_DIR.glob("*.svg")}
    assert stored == wanted


def test_stored_svgs_have_a_size_and_legible_text():
    for path in diagrams.STORE_DIR.glob("*.svg"):
        svg = path.read_text(encoding="utf-8")
        width, height = diagrams.svg_size(svg)
        assert 50 < width < 2500 and 30 < height < 2500, path.name
        # Labels are SVG text (no HTML in foreignObject): same rendering as an image and in print.
        assert "<foreignObject" not in svg, path.name
        assert f"font-size:{diagrams.FONT_PX}px" in svg, path.name


def test_dark_diagrams_put_edge_labels_on_the_page_background():
    source = next(iter(diagrams.page_diagrams(REPO_DIR / "docs")))
    svg = diagrams.stored_svg(diagrams.diagram_key(source, "dark")).read_text(encoding="utf-8")
    label_colors = re.findall(r"\.edgeLabel[^{]*\{[^}]*background-color:([^;}]+)", svg)
    assert label_colors and set(label_colors) == {diagrams.SLATE_BG}


def test_key_changes_with_source_and_palette():
    light = diagrams.diagram_key("flowchart TB\n  a --> b\n", "light")
    assert light != diagrams.diagram_key("flowchart TB\n  a --> c\n", "light")
    assert light != diagrams.diagram_key("flowchart TB\n  a --> b\n", "dark")


def test_page_shows_stored_images_and_a_missing_diagram_is_a_problem():
    source = next(iter(diagrams.page_diagrams(REPO_DIR / "docs")))
    page = f"Text.\n\n```mermaid\n{source}```\n\n```mermaid\nflowchart TB\n  new --> box\n```\n"
    html, problems, used = diagrams.replace_diagrams(page, "../", "en")
    assert "```mermaid" not in html
    assert html.count('<div class="d2l-diagram"') == 1
    assert 'src="../assets/diagrams/' in html
    assert problems == ["diagram 2 has no stored SVG (light, dark)"]
    assert "make diagrams" in html and "new --&gt; box" in html
    assert len(used) == 2


@pytest.mark.slow
def test_edited_diagram_fails_the_strict_build(tmp_path: Path, mkdocs_build):
    docs = tmp_path / "docs"
    for lang, text in (("zh", "# 首页\n"), ("en", "# Home\n")):
        (docs / lang).mkdir(parents=True)
        (docs / lang / "index.md").write_text(
            text + "\n```mermaid\nflowchart TB\n  never --> rendered\n```\n", encoding="utf-8"
        )
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        textwrap.dedent(
            f"""\
            site_name: diagram check
            docs_dir: docs/zh
            theme:
              name: material
              language: zh
            hooks:
              - {REPO_DIR / "book/hooks/diagrams.py"}
            """
        ),
        encoding="utf-8",
    )
    result = mkdocs_build(config, tmp_path / "site", tmp_path)
    assert result.returncode != 0
    assert "index.md: diagram 1 has no stored SVG (light, dark): run `make diagrams`" in (
        result.stderr
    )


def test_diagram_text_lists_labels_in_source_order():
    source = textwrap.dedent("""\
        flowchart LR
            subgraph block["残差块"]
                x["输入 x"] -->|"跳过"| add(("+"))
                x --> f["权重层<br/>激活函数"] --> add
            end
            add --> y[y]
    """)
    assert diagrams.diagram_text(source, "；") == "残差块；输入 x；跳过；+；权重层 激活函数；y"


def test_every_diagram_image_has_its_labels_as_alt_text():
    # The LeNet page's diagram (docs/zh/convolutional-neural-networks/lenet.md).
    source = next(s for s in diagrams.page_diagrams(REPO_DIR / "docs") if "卷积编码器" in s)
    markdown = f"before\n\n```mermaid\n{source}```\n\nafter\n"
    page, problems, used = diagrams.replace_diagrams(markdown, "../", "zh")
    assert problems == [] and len(used) == 2
    alts = re.findall(r'<img [^>]*alt="([^"]*)"', page)
    assert len(alts) == 2 and alts[0] == alts[1]
    assert alts[0].startswith("示意图：图像 1×28×28；卷积编码器 2 × (卷积 5×5")
    assert alts[0].endswith("；10 个类别")
