"""MkDocs hook: the 404 page in the build's language, working wherever the site is served.

A host serves ``404.html`` for any address it does not have, at any depth, so the page cannot
use links relative to itself; MkDocs writes them from the site's root (``/assets/...``),
which breaks when the site lives under a sub-path (``https://owner.github.io/<repo>/``).

* ``on_config`` hands the page its words (``book.strings``, read by ``book/theme/404.html``);
* ``on_post_build`` makes the page's root-relative addresses relative and puts a small
  script first in its head. The script finds the site's root in the address being shown:
  the part before the first folder the site has at its top level (``preliminaries``,
  ``en``, ...); for an address without one, the shortest prefix of the address that holds
  the book's search worker (``/<repo>/typo/page`` finds ``/<repo>/``). A ``<base>``
  element then points every link, style and script of the page at that root (plus ``en/``
  for the English page), and the search reads its index from there.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from book.hooks.search_index import BOOK_WORKER, use_book_worker
from book.strings import site_language, strings

PAGE = "404.html"
ROOT_RELATIVE = re.compile(r'\b(?P<attr>href|src)="/(?!/)')
BASE_SCRIPT = """<script>(function () {{
  var top = {top};
  var parts = location.pathname.split("/");
  if (parts[parts.length - 1] === "") parts.pop();
  var cut = 0;
  for (var i = 1; i < parts.length && !cut; i++) {{
    if (top.indexOf(parts[i]) >= 0) cut = i;
  }}
  // No folder of the site in the address: ask, from the shortest prefix on, where the
  // book's own search worker is (one small request per level, on this page only).
  for (var j = 1; j < parts.length && !cut; j++) {{
    var probe = new XMLHttpRequest();
    probe.open("HEAD", parts.slice(0, j).join("/") + "/" + {marker}, false);
    try {{ probe.send(); if (probe.status === 200) cut = j; }} catch (error) {{}}
  }}
  var base = document.createElement("base");
  base.href = parts.slice(0, Math.max(cut, 1)).join("/") + "/" + {language_root};
  document.head.appendChild(base);
}})();</script>"""
# Material reads its root from the page's configuration, against the address shown.
CONFIG_BASE = r"""<script>(function () {
  var element = document.getElementById("__config");
  var config = JSON.parse(element.textContent);
  config.base = document.baseURI;
  config.search = new URL(config.search.replace(/^\//, ""), document.baseURI).href;
  element.textContent = JSON.stringify(config);
})();</script>"""


def on_config(config, **kwargs):
    config["extra"]["book_strings"] = strings(site_language(config))
    return config


def top_level_names(site_dir: Path, language_roots: list[str]) -> list[str]:
    """The names the site has at its top level: folders, files and language roots."""
    names = {path.name for path in site_dir.iterdir() if path.name != PAGE}
    names.update(root.strip("/") for root in language_roots if root.strip("/"))
    return sorted(names)


def served_anywhere(page_html: str, top: list[str], language_root: str) -> str:
    """The 404 page with links relative to the site's root, found when the page loads."""
    page_html = use_book_worker(page_html)
    page_html = ROOT_RELATIVE.sub(lambda match: f'{match["attr"]}="', page_html)
    script = BASE_SCRIPT.format(
        top=json.dumps(top), language_root=json.dumps(language_root), marker=json.dumps(BOOK_WORKER)
    )
    page_html = page_html.replace("<head>", "<head>" + script, 1)
    bundle = page_html.index('<script src="assets/javascripts/bundle.')
    return page_html[:bundle] + CONFIG_BASE + page_html[bundle:]


def on_post_build(config, **kwargs):
    site_dir = Path(config["site_dir"])
    page = site_dir / PAGE
    if not page.is_file():
        return
    languages = config["extra"].get("i18n") or []
    current = site_language(config)
    language_root = next((lang["root"] for lang in languages if lang["lang"] == current), "")
    top = top_level_names(site_dir, [lang["root"] for lang in languages])
    page.write_text(
        served_anywhere(page.read_text(encoding="utf-8"), top, language_root), encoding="utf-8"
    )
