"""Mermaid diagrams as stored SVG files, rendered once in a browser and served as images.

Pages write diagrams as ```` ```mermaid ```` fences. Readers never download Mermaid's
runtime (3.5 MB): each diagram is rendered ahead of time, in the light and the dark palette,
by the vendored Mermaid in Debian's chromium, and stored as ``docs/diagrams/<key>.svg``, where
the key hashes the diagram's source, the palette and the rendering settings. The site build
needs no browser, exactly like cell outputs:

* ``on_page_markdown`` replaces every fence with the two stored images (the palette's CSS
  shows one); a diagram without its stored SVG (new or edited since the last rendering) is
  shown as its source with a note on the page and logged as a warning, so ``--strict`` fails;
* ``on_post_build`` copies the SVG files the pages use into ``assets/diagrams/``.

Render missing diagrams and drop unused ones with ``make diagrams``
(``python -m book.hooks.diagrams``; needs chromium and Playwright, like the browser tests).
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import re
import shutil
import sys
from pathlib import Path
from typing import NamedTuple

from book.chromium import CHROMIUM, CHROMIUM_ARGS, missing_chromium
from book.paths import REPO_DIR
from book.strings import site_language, strings

log = logging.getLogger("mkdocs.hooks.diagrams")

STORE_DIR = REPO_DIR / "docs" / "diagrams"
MERMAID_JS = REPO_DIR / "docs/assets/vendor/mermaid-11.17.2/mermaid.min.js"
SITE_SUBDIR = "assets/diagrams"

# Label text size in the SVG (px). Pages show a diagram at no less than MIN_SCALE of its
# natural size, then let it scroll: its text stays >= 12 px on a phone.
FONT_PX = 16
MIN_SCALE = 0.75
FONT_FAMILY = (
    '-apple-system, BlinkMacSystemFont, "Segoe UI", Helvetica, Arial, '
    '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif'
)
# Material's slate background: edge labels sit on it instead of on a black box.
SLATE_BG = "#1e2129"
THEMES: dict[str, dict] = {
    "light": {"theme": "default", "themeVariables": {"edgeLabelBackground": "#ffffff"}},
    "dark": {
        "theme": "dark",
        "themeVariables": {
            "darkMode": True,
            "background": SLATE_BG,
            "edgeLabelBackground": SLATE_BG,
            "clusterBkg": "#262a36",
        },
    },
}
# SVG text instead of HTML labels: the files render the same as images, in print and in PDF.
BASE_CONFIG = {
    "startOnLoad": False,
    "securityLevel": "strict",
    "fontFamily": FONT_FAMILY,
    "htmlLabels": False,
    "flowchart": {"htmlLabels": False, "useMaxWidth": False},
    "themeVariables": {"fontSize": f"{FONT_PX}px", "fontFamily": FONT_FAMILY},
}

FENCE = re.compile(r"^(?P<indent>[ \t]*)```mermaid[ \t]*\n(?P<source>.*?)^(?P=indent)```[ \t]*$",
                   re.M | re.S)


class Diagram(NamedTuple):
    """One Mermaid fence: its source (dedented) and where it sits in the Markdown."""

    source: str
    start: int
    end: int
    indent: str


def render_config(theme: str) -> dict:
    """Mermaid's configuration for one palette."""
    config = json.loads(json.dumps(BASE_CONFIG))
    config["theme"] = THEMES[theme]["theme"]
    config["themeVariables"].update(THEMES[theme]["themeVariables"])
    return config


def diagram_key(source: str, theme: str) -> str:
    """The store key: a hash of the source, the palette, the settings and Mermaid's version."""
    payload = json.dumps(
        [MERMAID_JS.parent.name, render_config(theme), source.strip()], sort_keys=True
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]


def find_diagrams(markdown: str) -> list[Diagram]:
    """Every Mermaid fence of a page, in page order."""
    diagrams = []
    for match in FENCE.finditer(markdown):
        indent = match["indent"]
        lines = [line.removeprefix(indent) for line in match["source"].splitlines()]
        diagrams.append(Diagram("\n".join(lines).strip() + "\n", match.start(), match.end(),
                                indent))
    return diagrams


# A node's label (id["label"], id(("label")), id{"label"}, id[label], ...), a subgraph's title
# or an edge's label (-->|label|), in the order they appear on a line.
_LABEL = re.compile(
    r'(?P<id>\b[A-Za-z_][\w-]*)(?P<open>\(\(|\(\[|\[\[|\[\(|\{\{|[\[({>])'
    r'\s*(?:"(?P<quoted>[^"]*)"|(?P<bare>[^\])}"]*))'
    r'|\|\s*"?(?P<edge>[^|"]+)"?\s*\|'
)


def diagram_text(source: str, separator: str = "; ") -> str:
    """A diagram's text alternative: its node, group and edge labels in the order the source
    first gives them, ``<br/>`` as a space."""
    labels: list[str] = []
    labelled: set[str] = set()
    for line in source.splitlines()[1:]:  # the first line is the diagram's type
        for match in _LABEL.finditer(line):
            if match["edge"] is not None:
                text = match["edge"]
            elif match["id"] in labelled:
                continue
            else:
                labelled.add(match["id"])
                text = match["quoted"] if match["quoted"] is not None else match["bare"]
            text = " ".join(re.sub(r"<br\s*/?>", " ", text).split())
            if text:
                labels.append(text)
    return separator.join(labels)


def stored_svg(key: str) -> Path:
    return STORE_DIR / f"{key}.svg"


def svg_size(svg: str) -> tuple[float, float]:
    """Natural width and height of a stored SVG (its width/height attributes)."""
    head = svg[: svg.index(">")]
    width = re.search(r'\bwidth="([\d.]+)"', head)
    height = re.search(r'\bheight="([\d.]+)"', head)
    if not width or not height:
        raise ValueError("stored diagram has no numeric width/height: run `make diagrams`")
    return float(width[1]), float(height[1])


# --- MkDocs hook --------------------------------------------------------------------------

_used: set[str] = set()



def _image_html(key: str, theme: str, prefix: str, alt: str) -> str:
    width, height = svg_size(stored_svg(key).read_text(encoding="utf-8"))
    # Shrinks with the column down to MIN_SCALE of its natural size, then scrolls.
    style = f"width:{width:.0f}px;min-width:{min(width, width * MIN_SCALE):.0f}px"
    return (
        f'<img class="d2l-diagram__{theme}" src="{prefix}{SITE_SUBDIR}/{key}.svg" '
        f'width="{width:.0f}" height="{height:.0f}" style="{style}" '
        f'data-font-px="{FONT_PX}" alt="{html.escape(alt)}" loading="lazy" decoding="async">'
    )


def replace_diagrams(markdown: str, prefix: str, lang: str) -> tuple[str, list[str], set[str]]:
    """The page with its fences replaced by stored images; problems; the keys it uses."""
    problems: list[str] = []
    used: set[str] = set()
    pieces: list[str] = []
    cursor = 0
    for number, diagram in enumerate(find_diagrams(markdown), start=1):
        pieces.append(markdown[cursor : diagram.start])
        cursor = diagram.end
        keys = {theme: diagram_key(diagram.source, theme) for theme in THEMES}
        missing = [theme for theme, key in keys.items() if not stored_svg(key).is_file()]
        if missing:
            problems.append(f"diagram {number} has no stored SVG ({', '.join(missing)})")
            block = (
                f'<div class="admonition warning"><p>{strings(lang)["diagram_missing"]}'
                f"</p><pre><code>{html.escape(diagram.source)}</code></pre></div>"
            )
        else:
            used.update(keys.values())
            # Each palette's image carries the text alternative: the hidden one is out of the
            # accessibility tree, and a page printed without the stylesheet still has both.
            words = strings(lang)
            alt = words["diagram_alt"].format(
                labels=diagram_text(diagram.source, words["list_separator"]))
            images = "".join(_image_html(key, theme, prefix, alt) for theme, key in keys.items())
            block = f'<div class="d2l-diagram">{images}</div>'
        pieces.append(f"{diagram.indent}{block}")
    pieces.append(markdown[cursor:])
    return "".join(pieces), problems, used


def on_config(config, **kwargs):
    _used.clear()
    return config


def on_page_markdown(markdown, page, config, files, **kwargs):
    if "```mermaid" not in markdown:
        return markdown
    depth = page.url.count("/") if config.get("use_directory_urls", True) else 0
    lang = site_language(config)
    rendered, problems, used = replace_diagrams(markdown, "../" * depth, lang)
    for problem in problems:
        log.warning(f"{page.file.src_uri}: {problem}: run `make diagrams`")
    _used.update(used)
    return rendered


def on_post_build(config, **kwargs):
    target = Path(config["site_dir"]) / SITE_SUBDIR
    target.mkdir(parents=True, exist_ok=True)
    for key in sorted(_used):
        shutil.copyfile(stored_svg(key), target / f"{key}.svg")


# --- Rendering (needs chromium and Playwright; never runs during a build) -----------------

RENDER_PAGE = """<!doctype html><html><head><meta charset="utf-8"></head>
<body style="margin:0"><div id="out"></div></body></html>"""

RENDER_SCRIPT = """async ([source, config, id]) => {
  mermaid.initialize(config);
  const { svg } = await mermaid.render(id, source);
  return svg;
}"""


def _fix_size(svg: str) -> str:
    """Give the SVG its natural pixel size (Mermaid writes width=100% and a max-width style)."""
    view_box = re.search(r'viewBox="([-\d.]+) ([-\d.]+) ([\d.]+) ([\d.]+)"', svg)
    if not view_box:
        raise ValueError("Mermaid's SVG has no viewBox")
    width, height = float(view_box[3]), float(view_box[4])
    head_end = svg.index(">")
    head = svg[:head_end]
    head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    head = re.sub(r'\sstyle="[^"]*"', "", head)
    head += f' width="{width:.2f}" height="{height:.2f}"'
    return head + svg[head_end:]


def page_diagrams(docs_root: Path) -> dict[str, str]:
    """Every diagram source of every page of every language."""
    sources: dict[str, str] = {}
    for page in sorted(docs_root.glob("*/**/*.md")):
        if "/notebooks/" in page.as_posix():
            continue
        for diagram in find_diagrams(page.read_text(encoding="utf-8")):
            sources.setdefault(diagram.source, page.relative_to(REPO_DIR).as_posix())
    return sources


def render_missing(force: bool = False) -> int:
    """Render the diagrams without a stored SVG, remove stored SVGs no page uses."""
    from playwright.sync_api import sync_playwright

    sources = page_diagrams(REPO_DIR / "docs")
    wanted = {
        diagram_key(source, theme): (source, theme, page)
        for source, page in sources.items()
        for theme in THEMES
    }
    STORE_DIR.mkdir(parents=True, exist_ok=True)
    todo = {k: v for k, v in wanted.items() if force or not stored_svg(k).is_file()}
    if todo:
        problem = missing_chromium()
        if problem:
            sys.exit(problem)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            tab = browser.new_page()
            tab.set_content(RENDER_PAGE)
            tab.add_script_tag(path=str(MERMAID_JS))
            for number, (key, (source, theme, page)) in enumerate(sorted(todo.items())):
                svg = tab.evaluate(RENDER_SCRIPT, [source, render_config(theme), f"d{number}"])
                stored_svg(key).write_text(_fix_size(svg) + "\n", encoding="utf-8")
                print(f"rendered {key}.svg ({theme}) from {page}")
            browser.close()
    removed = 0
    for path in STORE_DIR.glob("*.svg"):
        if path.stem not in wanted:
            path.unlink()
            removed += 1
    print(f"{len(wanted)} diagram files: {len(todo)} rendered, {removed} unused removed")
    return 0


if __name__ == "__main__":
    sys.exit(render_missing(force="--force" in sys.argv[1:]))
