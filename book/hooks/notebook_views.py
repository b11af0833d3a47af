"""MkDocs hook: convert the notebook views faster, to the same HTML.

mkdocs-jupyter converts every notebook view with new nbconvert exporters (an HTML one for
the page, a Markdown one for its table of contents). Two costs dominated a cold build:

* **Compiling templates.** Every new exporter builds a new Jinja environment that parses and
  compiles the same templates again. This hook gives every environment nbconvert creates one
  shared, in-memory Jinja bytecode cache. Jinja keys it by template name and file and checks
  each template's source checksum, so an edited template is compiled again; only the
  compiling is skipped. It wraps ``TemplateExporter._create_environment``, a private method
  of nbconvert; if a new nbconvert renames it or stops returning a Jinja environment, the
  build stops with an error that says so, instead of silently getting slow again.
* **Parsing the page again.** ``HTMLExporter.from_notebook_node`` parses its finished HTML
  with BeautifulSoup (html.parser) to add three attributes: ``alt`` on images without one,
  and ``tabindex="0"`` on the cells' input and output areas, then serializes the whole tree
  again. On this book's notebooks (figures inline as data URLs) that was about 4 s of each
  language's cold build. :func:`add_accessibility_attributes` adds the same attributes to
  the same tags with one regular-expression pass; the HTML is otherwise left as the
  templates wrote it, so it parses to the same document (tests compare the two).
  The replacement is installed only when nbconvert's method is the one it was written
  against (checked by a hash of its source): with another nbconvert the build keeps
  nbconvert's own method, which gives the same pages, only slower.

``on_post_page`` also makes each view work like the book's pages
(``book.render.notebook_view``: heading ids, links to pages, download and back links, labels
in the page's language), and makes it lighter. mkdocs-jupyter inlines JupyterLab's whole 570
kB stylesheet into every view; ``on_post_page`` keeps only the rules whose selectors can
match the page, and drops the custom properties that hold inline images no kept rule reads:
JupyterLab's 92 ``--jp-icon-*`` icons (78 kB, 30 KiB gzip per page), which its own scripts
read for its toolbars, and a notebook view has neither.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import logging
import re

import jinja2
from jinja2.bccache import Bucket, BytecodeCache
from mkdocs.exceptions import PluginError

from book.render.notebook_view import finish_notebook_view
from book.strings import site_language

log = logging.getLogger("mkdocs.hooks.notebook_views")

# Marks a wrapped method, so that a second load of this hook (mkdocs serve) wraps it once.
_WRAPPED_MARK = "_d2l_notebook_views"


class MemoryBytecodeCache(BytecodeCache):
    """Compiled templates kept in memory for the life of the process (one build, or serve)."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}
        self.hits = 0

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self.compiled.get(bucket.key)
        if data is not None:
            # The bucket drops the code again if the template's source checksum changed.
            bucket.bytecode_from_string(data)
            self.hits += bucket.code is not None

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


# One cache per Jinja configuration that changes the compiled code (async, extensions).
_CACHES: dict[tuple, MemoryBytecodeCache] = {}


def shared_cache_for(environment: jinja2.Environment) -> MemoryBytecodeCache:
    """The shared bytecode cache for environments configured like this one."""
    key = (environment.is_async, tuple(sorted(environment.extensions)))
    return _CACHES.setdefault(key, MemoryBytecodeCache())


def install_template_cache() -> None:
    """Wrap nbconvert's environment factory so every environment uses a shared cache.

    Raises PluginError if nbconvert no longer has the method this relies on.
    """
    from nbconvert.exporters.templateexporter import TemplateExporter

    create = getattr(TemplateExporter, "_create_environment", None)
    if not callable(create):
        raise PluginError(
            "book/hooks/notebook_views.py: nbconvert's TemplateExporter has no "
            "_create_environment any more; update this hook for the installed nbconvert "
            "(or remove it from mkdocs.yml, which makes cold builds slower)."
        )
    if getattr(create, _WRAPPED_MARK, False):
        return

    def create_environment_with_shared_cache(self):
        environment = create(self)
        if not isinstance(environment, jinja2.Environment):
            raise PluginError(
                "book/hooks/notebook_views.py: nbconvert's _create_environment returned "
                f"{type(environment).__name__}, not a Jinja environment; update this hook "
                "for the installed nbconvert."
            )
        environment.bytecode_cache = shared_cache_for(environment)
        return environment

    setattr(create_environment_with_shared_cache, _WRAPPED_MARK, True)
    create_environment_with_shared_cache.__doc__ = create.__doc__
    # Patched on purpose (the reason is above); mypy refuses assignments to methods.
    TemplateExporter._create_environment = (  # type: ignore[method-assign]
        create_environment_with_shared_cache)


# --- The attribute pass without BeautifulSoup ---------------------------------------------

# SHA-256 of the source of nbconvert 7.17.2's HTMLExporter.from_notebook_node, the method
# that from_notebook_node_without_soup below repeats (all but its BeautifulSoup pass).
NBCONVERT_METHOD_SHA256 = "3dccafff45cc4e749766089c7de2f5385ac071e03f4f5a15bfb3b025f54893b9"

# What nbconvert gives an image without alternative text.
MISSING_ALT_TEXT = "No description has been provided for this image"

# A start tag of an element this pass may change, with its attributes: quoted values may
# hold ">" (html.parser reads them the same way).
_ATTRIBUTE = r"""[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?"""
_START_TAG = re.compile(
    rf"<(?P<name>img|div)(?P<attributes>(?:\s+{_ATTRIBUTE})*)(?P<end>\s*/?>)", re.IGNORECASE
)
_ATTRIBUTE_NAMES = re.compile(rf"\s+({_ATTRIBUTE})")
_CLASS_VALUE = re.compile(r"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.I)
# Where raw text starts: html.parser reads no tags inside these elements.
_RAW_TEXT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
# The areas nbconvert makes focusable (".jp-Notebook div.<class>").
FOCUSABLE_CLASSES = ("jp-Cell-inputWrapper", "jp-OutputArea-output")


def _attribute_names(attributes: str) -> set[str]:
    return {
        match.group(1).split("=", 1)[0].strip().lower()
        for match in _ATTRIBUTE_NAMES.finditer(attributes)
    }


def _class_names(match: re.Match | None) -> list[str]:
    """The class names of a ``_CLASS_VALUE`` match, however the value was quoted."""
    if match is None:
        return []
    return next(value for value in match.groups() if value is not None).split()


def add_accessibility_attributes(html: str) -> tuple[str, int]:
    """``alt`` on images without one, ``tabindex="0"`` on notebook input and output areas.

    The attributes nbconvert's HTMLExporter adds with BeautifulSoup: every ``<img>``
    without ``alt`` gets :data:`MISSING_ALT_TEXT`; every ``<div>`` with a class in
    :data:`FOCUSABLE_CLASSES` after the notebook's ``jp-Notebook`` element starts gets
    ``tabindex="0"``. Tags inside ``<script>`` and ``<style>`` are text, and are left
    alone. Returns the HTML and the number of images that had no ``alt``.
    """
    raw_text_spans = [match.span() for match in _RAW_TEXT.finditer(html)]
    notebook_started = False
    missing_alt = 0

    def in_raw_text(position: int) -> bool:
        return any(start < position < end for start, end in raw_text_spans)

    def add(match: re.Match) -> str:
        nonlocal notebook_started, missing_alt
        if in_raw_text(match.start()):
            return match.group(0)
        name, attributes = match.group("name").lower(), match.group("attributes")
        names = _attribute_names(attributes)
        if name == "img":
            if "alt" in names:
                return match.group(0)
            missing_alt += 1
            added = f' alt="{MISSING_ALT_TEXT}"'
        else:
            classes = _class_names(_CLASS_VALUE.search(attributes))
            focusable = notebook_started and any(c in classes for c in FOCUSABLE_CLASSES)
            notebook_started = notebook_started or "jp-Notebook" in classes
            if not focusable or "tabindex" in names:
                return match.group(0)
            added = ' tabindex="0"'
        return f"<{match.group('name')}{attributes}{added}{match.group('end')}"

    return _START_TAG.sub(add, html), missing_alt


def from_notebook_node_without_soup(self, nb, resources=None, **kw):
    """nbconvert's ``HTMLExporter.from_notebook_node``, its BeautifulSoup pass replaced by
    :func:`add_accessibility_attributes` (same attributes, no parse and re-serialization).
    """
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    langinfo = nb.metadata.get("language_info", {})
    lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
    highlight_code = self.filters.get(
        "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
    )
    resources = self._init_resources(resources)
    filter_data_type = WidgetsDataTypeFilter(
        notebook_metadata=self._nb_metadata, parent=self, resources=resources
    )
    self.register_filter("highlight_code", highlight_code)
    self.register_filter("filter_data_type", filter_data_type)
    html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
    html, missing_alt = add_accessibility_attributes(html)
    if missing_alt:
        self.log.warning("Alternative text is missing on %s image(s).", missing_alt)
    return html, resources


def source_sha256(function) -> str:
    """SHA-256 of a function's source text."""
    return hashlib.sha256(inspect.getsource(function).encode("utf-8")).hexdigest()


def install_attribute_pass() -> bool:
    """Replace HTMLExporter.from_notebook_node if it is the method this hook repeats.

    Returns whether the replacement is installed (now or by an earlier call).
    """
    from nbconvert.exporters.html import HTMLExporter

    method = HTMLExporter.from_notebook_node
    if getattr(method, _WRAPPED_MARK, False):
        return True
    if source_sha256(method) != NBCONVERT_METHOD_SHA256:
        log.info(
            "nbconvert's HTMLExporter.from_notebook_node is not the one "
            "book/hooks/notebook_views.py repeats; notebook views use nbconvert's own "
            "(same pages, slower builds)"
        )
        return False
    setattr(from_notebook_node_without_soup, _WRAPPED_MARK, True)
    # Patched on purpose, as above.
    HTMLExporter.from_notebook_node = (  # type: ignore[method-assign]
        from_notebook_node_without_soup)
    return True


# --- The inlined stylesheet, cut to what the page uses ----------------------------------

NOTEBOOK_DIR = "notebooks/"
CSS_BLOCK = re.compile(r'<style type="text/css">(?P<css>.*?)</style>', re.S)
BRACES = re.compile(r"[{}]")
CSS_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")


@functools.lru_cache(maxsize=8)
def _css_blocks(css: str) -> tuple[tuple[str, str], ...]:
    """Top-level ``(prelude, body)`` pairs of a stylesheet; at-rules keep their nested body."""
    blocks = []
    depth, start, prelude_end = 0, 0, 0
    for brace in BRACES.finditer(css):
        index = brace.start()
        if brace[0] == "{":
            if depth == 0:
                prelude_end = index
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                blocks.append((css[start:prelude_end].strip(), css[prelude_end + 1 : index]))
                start = index + 1
    return tuple(blocks)


def split_selectors(prelude: str) -> list[str]:
    """A selector list split at its top-level commas (not those inside ``:is(a, b)``)."""
    selectors, depth, start = [], 0, 0
    for index, char in enumerate(prelude):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            selectors.append(prelude[start:index])
            start = index + 1
    selectors.append(prelude[start:])
    return selectors


def prune_css(css: str, used: set[str]) -> str:
    """Only the rules whose selectors can match: every class of a selector is in ``used``."""
    kept = []
    for prelude, body in _css_blocks(css):
        if prelude.startswith("@media") or prelude.startswith("@supports"):
            inner = prune_css(body, used)
            if inner:
                kept.append(f"{prelude}{{{inner}}}")
        elif prelude.startswith("@"):
            kept.append(f"{prelude}{{{body}}}")
        else:
            selectors = [
                selector
                for selector in split_selectors(prelude)
                if set(CSS_CLASS.findall(selector)) <= used
            ]
            if selectors:
                kept.append(f"{','.join(selectors)}{{{body}}}")
    return "".join(kept)


# A custom property whose value is an inline image (JupyterLab's --jp-icon-* icons).
_IMAGE_PROPERTY = re.compile(
    r"(?P<name>--[\w-]+)\s*:\s*url\(data:image/[\w.+-]+;base64,[A-Za-z0-9+/=]*\)\s*;?"
)
_PROPERTY_READ = re.compile(r"var\(\s*(--[\w-]+)")


def drop_unread_image_properties(page_html: str) -> str:
    """The page without image-valued custom properties that no ``var()`` in it reads."""
    read = set(_PROPERTY_READ.findall(page_html))
    return _IMAGE_PROPERTY.sub(
        lambda match: match.group(0) if match["name"] in read else "", page_html
    )


def slim_notebook_css(page_html: str) -> str:
    """Jupyter's 570 kB stylesheet, inlined in every notebook view, cut to the rules the page
    uses, then to the icons those rules read (none: JupyterLab's scripts read them)."""
    used = {name for match in _CLASS_VALUE.finditer(page_html) for name in _class_names(match)}
    page_html = CSS_BLOCK.sub(
        lambda match: f'<style type="text/css">{prune_css(match["css"], used)}</style>',
        page_html,
    )
    return drop_unread_image_properties(page_html)


def on_config(config, **kwargs):
    install_template_cache()
    install_attribute_pass()
    return config


def on_post_page(output, page, config, **kwargs):
    # After book/hooks/formulas.py has rendered the page's math: its classes count as used.
    if page.file.src_uri.startswith(NOTEBOOK_DIR):
        lang = site_language(config)
        notebook = page.file.src_uri.removeprefix(NOTEBOOK_DIR)
        output = finish_notebook_view(output, page.url, notebook, lang)
        return slim_notebook_css(output)
    return output


def on_post_build(config, **kwargs) -> None:
    hits = sum(cache.hits for cache in _CACHES.values())
    log.debug("nbconvert templates: %d loaded from the shared compiled cache", hits)
