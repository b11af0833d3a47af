"""What Material's pages leave unnamed for assistive technology, named in the page's language.

The search box opens as a dialog (``role="dialog"``) that Material gives no name; screen
readers announce it as "dialog" only. Every page and the 404 page (a static template) get the
dialog's name from ``book/strings.py``. Each chapter's navigation (a ``<nav>`` landmark) is
labelled by the chapter's toggle, which holds only an icon: it is named by the chapter's title
instead, so that landmarks are told apart. ``tests/site/test_accessibility.py`` runs axe-core on
the built site.
"""

from __future__ import annotations

import html
import re

from book.strings import site_language, strings

SEARCH_DIALOG = re.compile(r'(<div class="md-search" data-md-component="search" role="dialog")'
                           r'(?![^>]*aria-label)')


def name_search_dialog(page_html: str, lang: str) -> str:
    """The page with its search dialog named (once; a named dialog is left as it is)."""
    label = html.escape(strings(lang)["search_dialog"])
    return SEARCH_DIALOG.sub(lambda m: f'{m[1]} aria-label="{label}"', page_html, count=1)


TAGS = re.compile(r"<[^>]+>")
SECTION_NAV = re.compile(
    r'(?P<start><nav class="md-nav" data-md-level="\d+") aria-labelledby="[^"]+"'
    r'(?P<rest>[^>]*>\s*<label class="md-nav__title"[^>]*>)(?P<title>.*?)</label>', re.S)


def name_section_navs(page_html: str) -> str:
    """Chapter navigation landmarks named by their titles (not by an icon-only toggle)."""

    def named(match: re.Match) -> str:
        title = " ".join(html.unescape(TAGS.sub("", match["title"])).split())
        if not title:
            return match[0]
        return (f'{match["start"]} aria-label="{html.escape(title)}"{match["rest"]}'
                f'{match["title"]}</label>')

    return SECTION_NAV.sub(named, page_html)


def accessible(page_html: str, lang: str) -> str:
    """The page with its search dialog and its chapters' navigation named."""
    return name_section_navs(name_search_dialog(page_html, lang))



def on_post_page(output, page, config, **kwargs):
    return accessible(output, site_language(config))


def on_post_template(output_content, template_name, config, **kwargs):
    if not template_name.endswith(".html"):
        return output_content
    return accessible(output_content, site_language(config))
