"""MkDocs hook: formulas become KaTeX HTML at build time, so pages run no math script.

``pymdownx.arithmatex`` (generic) writes inline math as ``<span class="arithmatex">\\(..\\)</span>``
and display math as ``<div class="arithmatex">\\[..\\]</div>``. ``on_page_context`` renders each
one with the vendored KaTeX, run in an embedded V8 (the ``mini-racer`` package: no Node.js, no
browser). A reader's browser then only needs KaTeX's stylesheet and fonts, so formulas show as
soon as the page's CSS has arrived, before any script loads.

* A formula KaTeX cannot parse stays as its source and is logged as a warning (``--strict``
  fails, naming the page and the formula).
* The search index is built before formulas are rendered: it holds prose, not glyphs.
* Notebook views (mkdocs-jupyter) write math as the notebook's ``$...$``: ``on_post_page``
  renders it in their Markdown cells the same way.
* LaTeX outputs of cells, on pages and in notebook views, come as arithmatex markup too
  (``book/render/output_html.py``), so ``on_page_context`` typesets them like the pages'.
"""

from __future__ import annotations

import html
import logging
import re

from mkdocs.exceptions import PluginError

from book.paths import ASSETS_DIR

log = logging.getLogger("mkdocs.hooks.math")

KATEX_DIR = ASSETS_DIR / "vendor/katex-0.19.1"
KATEX_SITE_DIR = "assets/vendor/katex-0.19.1"
NOTEBOOK_DIR = "notebooks/"

ARITHMATEX = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">(?P<tex>.*?)</(?P=tag)>', re.S
)
DELIMITERS = re.compile(r"^\s*\\[(\[](?P<body>.*)\\[)\]]\s*$", re.S)


class KatexRenderer:
    """KaTeX's ``renderToString`` in one V8 context, with a cache of rendered formulas."""

    def __init__(self) -> None:
        try:
            from py_mini_racer import MiniRacer
        except ImportError as err:
            raise PluginError(
                "book/hooks/math.py renders formulas with the mini-racer package: "
                "pip install -r requirements/docs.txt"
            ) from err
        self._context = MiniRacer()
        self._context.eval((KATEX_DIR / "katex.min.js").read_text(encoding="utf-8"))
        self._context.eval(
            "function renderTex(tex, display) {"
            "  try { return [true, katex.renderToString(tex, {displayMode: display,"
            "    throwOnError: true, output: 'htmlAndMathml'})]; }"
            "  catch (error) { return [false, String(error.message || error)]; } }"
        )
        self._cache: dict[tuple[str, bool], tuple[bool, str]] = {}

    def render(self, tex: str, display: bool) -> tuple[bool, str]:
        """``(True, html)`` or ``(False, KaTeX's error message)``."""
        key = (tex, display)
        if key not in self._cache:
            ok, result = self._context.call("renderTex", tex, display)
            self._cache[key] = (bool(ok), str(result))
        return self._cache[key]


_renderer: KatexRenderer | None = None


def renderer() -> KatexRenderer:
    global _renderer
    if _renderer is None:
        _renderer = KatexRenderer()
    return _renderer


def render_math(content: str) -> tuple[str, list[str]]:
    """The page's HTML with every arithmatex formula rendered; one message per bad formula."""
    problems: list[str] = []

    def replace(match: re.Match) -> str:
        source = html.unescape(match["tex"])
        delimited = DELIMITERS.match(source)
        if not delimited:
            problems.append(f"formula without \\( \\) or \\[ \\] delimiters: {source[:80]!r}")
            return match[0]
        display = match["tag"] == "div"
        ok, result = renderer().render(delimited["body"].strip(), display)
        if not ok:
            problems.append(f"KaTeX cannot render {source[:80]!r}: {result}")
            return match[0]
        return (
            f'<{match["tag"]} class="arithmatex arithmatex--rendered">'
            f"{result}</{match['tag']}>"
        )

    return ARITHMATEX.sub(replace, content), problems


def on_page_context(context, page, config, nav, **kwargs):
    # After the search plugin has indexed the page (hooks run after plugins): the index gets
    # the LaTeX source, which book/hooks/search_index.py removes, instead of KaTeX's glyphs.
    # Notebook views have arithmatex markup only in LaTeX outputs (book/hooks/cells.py).
    content = page.content or ""
    if 'class="arithmatex"' not in content:
        return context
    page.content, problems = render_math(content)
    for problem in problems:
        log.warning(f"{page.file.src_uri}: {problem}")
    return context


# --- Notebook views -----------------------------------------------------------------------

HTML_TOKEN = re.compile(r"(<[^>]+>)")
DOLLAR_MATH = re.compile(r"\$\$(?P<display>.+?)\$\$|(?<![\\$])\$(?P<inline>[^$\n]+?)\$", re.S)
RAW_TEXT_TAGS = ("code", "pre", "script", "style", "textarea")
MATHJAX_CONFIG = re.compile(
    r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->|"
    r'<script type="text/x-mathjax-config">.*?</script>',
    re.S,
)


def render_notebook_math(page_html: str) -> tuple[str, list[str]]:
    """``$...$`` and ``$$...$$`` in the notebook's Markdown cells, rendered (code left alone)."""
    problems: list[str] = []
    pieces: list[str] = []
    in_markdown = False
    raw_depth = 0
    for token in HTML_TOKEN.split(page_html):
        if token.startswith("<"):
            if "jp-MarkdownOutput" in token:
                in_markdown = True
            elif "jp-Cell " in token or 'class="jp-Cell"' in token:
                in_markdown = False
            name = re.match(r"</?([a-zA-Z0-9]+)", token)
            if name and name[1].lower() in RAW_TEXT_TAGS:
                raw_depth += -1 if token.startswith("</") else 1
            pieces.append(token)
            continue
        if not in_markdown or raw_depth > 0 or "$" not in token:
            pieces.append(token)
            continue

        def replace(match: re.Match) -> str:
            display = match["display"] is not None
            tex = html.unescape(match["display"] if display else match["inline"]).strip()
            ok, result = renderer().render(tex, display)
            if not ok:
                problems.append(f"KaTeX cannot render {tex[:80]!r}: {result}")
                return match[0]
            return result

        pieces.append(DOLLAR_MATH.sub(replace, token))
    return "".join(pieces), problems


# The two faces almost every formula uses: fetched with the stylesheets instead of after them.
PRELOADED_FONTS = ("KaTeX_Main-Regular.woff2", "KaTeX_Math-Italic.woff2")


def preload_fonts(page_html: str, prefix: str) -> str:
    """``<link rel=preload>`` for KaTeX's main faces in the head of a page that has math."""
    links = "".join(
        f'<link rel="preload" href="{prefix}{KATEX_SITE_DIR}/fonts/{name}" as="font" '
        'type="font/woff2" crossorigin>'
        for name in PRELOADED_FONTS
    )
    return page_html.replace("</title>", "</title>" + links, 1)


def on_post_page(output, page, config, **kwargs):
    prefix = "../" * page.url.count("/") if config.get("use_directory_urls", True) else ""
    if not page.file.src_uri.startswith(NOTEBOOK_DIR):
        return preload_fonts(output, prefix) if 'class="katex"' in output else output
    output = MATHJAX_CONFIG.sub("", output)
    output, problems = render_notebook_math(output)
    for problem in problems:
        log.warning(f"{page.file.src_uri}: {problem}")
    return preload_fonts(output, prefix) if 'class="katex"' in output else output
