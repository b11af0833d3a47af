"""Rich outputs made harmless: nothing a cell displays may run script on the site.

One sanitizer per output type, used for the page and the notebook alike:

* ``sanitize_html``: HTML reduced to tags that cannot run code, with neutral classes only
  (an output must not dress up as the site's own buttons, headers or outputs);
* ``markdown_html``: Markdown rendered (raw HTML allowed, as Jupyter does), then sanitized;
* ``latex_html``: LaTeX output as escaped text around formulas marked up like the pages'
  own (``pymdownx.arithmatex``), which ``book/hooks/formulas.py`` typesets at build time;
* ``sanitize_svg``: an SVG figure without scripts, event handlers, foreign objects or
  external references; an SVG that has none of them is returned byte for byte;
* ``strip_control_characters``: text without NUL, BEL, ESC and the other control
  characters a terminal interprets and a web page cannot show.
"""

from __future__ import annotations

import functools
import html
import re
import xml.etree.ElementTree as ET
from typing import Any

# C0 and C1 control characters, except tab and line feed (the terminal's carriage returns
# are resolved before: see ``clean_text``).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# Tags and attributes a displayed HTML output keeps (tables, text formatting, lists).
HTML_TAGS = frozenset(
    "a abbr b blockquote br caption code col colgroup dd del div dl dt em h1 h2 h3 h4 h5 h6 hr"
    " i ins kbd li ol p pre q s samp small span strong sub sup table tbody td tfoot th thead"
    " tr u ul var".split()
)
HTML_ATTRIBUTES = {
    "*": ["class", "title"],
    "a": ["href", "title"],
    "td": ["colspan", "rowspan", "align"],
    "th": ["colspan", "rowspan", "align", "scope"],
    "col": ["span"],
    "colgroup": ["span"],
}
# The classes an HTML output keeps: those pandas gives its tables (``DataFrame.to_html``
# and the Styler's cell classes). Anything else, such as the site's ``md-*`` and ``d2l-*``
# classes or the notebook view's ``jp-*`` ones, is dropped.
NEUTRAL_CLASS = re.compile(
    r"(?:dataframe|data|blank|index_name|row_heading|col_heading|row_trim|col_trim"
    r"|level\d+|row\d+|col\d+)"
)


def strip_control_characters(text: str) -> str:
    """``text`` without control characters other than tab and line feed."""
    return CONTROL_CHARACTERS.sub("", text)


@functools.lru_cache(maxsize=1)
def _cleaner() -> Any:
    """bleach's cleaner with the rules above (built once: bleach is imported only here)."""
    import bleach  # comes with nbconvert, a dependency of the build

    class NeutralClasses(bleach.html5lib_shim.Filter):
        """Keeps the neutral names of each ``class`` attribute; drops it when none is left."""

        def __iter__(self):
            for token in super().__iter__():
                start_tag = token["type"] in ("StartTag", "EmptyTag")
                attributes = token.get("data") if start_tag else None
                if attributes and (None, "class") in attributes:
                    names = [name for name in attributes[(None, "class")].split()
                             if NEUTRAL_CLASS.fullmatch(name)]
                    if names:
                        attributes[(None, "class")] = " ".join(names)
                    else:
                        del attributes[(None, "class")]
                yield token

    return bleach.sanitizer.Cleaner(
        tags=HTML_TAGS, attributes=HTML_ATTRIBUTES, protocols={"http", "https", "mailto"},
        strip=True, strip_comments=True, filters=[NeutralClasses],
    )


def sanitize_html(markup: str) -> str:
    """HTML a cell displayed, without scripts, styles, event handlers, embedded frames,
    unsafe links or classes of the site's own."""
    # Script and style bodies are code, not content: drop them before bleach strips tags.
    markup = re.sub(r"<(script|style)\b.*?</\1\s*>", "", markup, flags=re.S | re.I)
    return _cleaner().clean(strip_control_characters(markup))


def markdown_html(text: str) -> str:
    """A Markdown output as the page and the notebook show it: rendered, then sanitized."""
    import markdown  # MkDocs' own Markdown library

    return sanitize_html(markdown.markdown(text, extensions=["tables", "fenced_code"]))


# The math of a LaTeX output, as Jupyter's MathJax finds it: display math first.
LATEX_MATH = re.compile(
    r"\$\$(?P<display>.+?)\$\$"
    r"|\\\[(?P<bracket>.+?)\\\]"
    r"|(?P<environment>\\begin\{(?P<name>[A-Za-z]+\*?)\}.*?\\end\{(?P=name)\})"
    r"|\\\((?P<paren>.+?)\\\)"
    r"|(?<![\\$])\$(?P<inline>[^$]+?)\$",
    re.S,
)


def latex_html(latex: str) -> str:
    """A LaTeX output as HTML: its text escaped, its formulas in arithmatex's markup
    (``<span class="arithmatex">\\(..\\)</span>``, ``<div class="arithmatex">\\[..\\]</div>``)
    for the formulas hook to typeset like the pages' own."""
    latex = strip_control_characters(latex)
    pieces: list[str] = []
    last = 0
    for match in LATEX_MATH.finditer(latex):
        pieces.append(html.escape(latex[last : match.start()]))
        inline = match["paren"] if match["paren"] is not None else match["inline"]
        if inline is not None:
            pieces.append(f'<span class="arithmatex">\\({html.escape(inline)}\\)</span>')
        else:
            tex = match["display"] or match["bracket"] or match["environment"]
            pieces.append(f'<div class="arithmatex">\\[{html.escape(tex)}\\]</div>')
        last = match.end()
    pieces.append(html.escape(latex[last:]))
    return "".join(pieces)


# --- SVG ----------------------------------------------------------------------------------

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
XLINK_NAMESPACE = "http://www.w3.org/1999/xlink"
XHTML_NAMESPACE = "http://www.w3.org/1999/xhtml"
# Elements that run script, embed documents or animate attributes into links (any namespace).
UNSAFE_ELEMENTS = frozenset(
    "script foreignobject iframe embed object handler listener animate animatemotion"
    " animatetransform set discard audio video canvas".split()
)
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "data"})
# The references an SVG keeps: to its own elements, and images embedded in it (matplotlib
# embeds raster images as data URLs).
INTERNAL_REFERENCE = re.compile(r"\s*(?:#|data:image/(?:png|jpeg|gif);base64,)", re.I)
# CSS that fetches or runs something: url() other than url(#id), imports, old IE hooks.
UNSAFE_CSS = re.compile(
    r"url\s*\(\s*['\"]?\s*(?!#)|@import|expression\s*\(|javascript:|behavior\s*:|-moz-binding",
    re.I,
)
# A processing instruction other than the XML declaration (xml-stylesheet loads CSS or XSLT).
PROCESSING_INSTRUCTION = re.compile(r"<\?(?!xml\s)", re.I)
ENTITY_DECLARATION = re.compile(r"<!ENTITY", re.I)


class UnsafeSvg(ValueError):
    """An SVG that cannot be made safe by removing parts of it (unreadable, not an SVG)."""


def _local_name(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def _unsafe_attributes(element: ET.Element) -> list[str]:
    unsafe = []
    for name, value in element.attrib.items():
        local = _local_name(name)
        if (
            local.startswith("on")
            or (local in URL_ATTRIBUTES and not INTERNAL_REFERENCE.match(value))
            or UNSAFE_CSS.search(value)
        ):
            unsafe.append(name)
    return unsafe


def _unsafe_element(element: ET.Element) -> bool:
    tag = element.tag
    if not isinstance(tag, str):  # a processing instruction inside the document
        return True
    if tag.startswith("{" + XHTML_NAMESPACE + "}") or _local_name(tag) in UNSAFE_ELEMENTS:
        return True
    return _local_name(tag) == "style" and bool(UNSAFE_CSS.search(element.text or ""))


def _remove_unsafe_parts(root: ET.Element) -> int:
    """Remove unsafe elements and attributes from the tree; how many were removed."""
    removed = 0
    for parent in list(root.iter()):  # a list: the loop changes the tree
        for child in list(parent):
            if _unsafe_element(child):
                parent.remove(child)
                removed += 1
        for name in _unsafe_attributes(parent):
            del parent.attrib[name]
            removed += 1
    return removed


def sanitize_svg(svg: str) -> str:
    """An SVG figure that runs nothing and loads nothing when opened on its own.

    Scripts, event handlers, foreign objects, animations and references outside the file
    are removed; an SVG without any of them (every figure matplotlib draws) is returned
    unchanged, byte for byte. Raises ``UnsafeSvg`` for text that is not a readable SVG.
    """
    if ENTITY_DECLARATION.search(svg):
        raise UnsafeSvg("the SVG declares XML entities")
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_pis=True))
    try:
        root = ET.fromstring(svg, parser=parser)
    except ET.ParseError as err:
        raise UnsafeSvg(f"the SVG is not well-formed XML ({err})") from None
    if _local_name(root.tag) != "svg":
        raise UnsafeSvg(f"the document's root is <{_local_name(root.tag)}>, not <svg>")
    removed = _remove_unsafe_parts(root)
    if not removed and not PROCESSING_INSTRUCTION.search(svg):
        return svg
    ET.register_namespace("", SVG_NAMESPACE)
    ET.register_namespace("xlink", XLINK_NAMESPACE)
    return ET.tostring(root, encoding="unicode")
