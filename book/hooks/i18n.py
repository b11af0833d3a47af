"""MkDocs hook: one build per language, every page linked to its twin in the other language.

The site is built once per language (``mkdocs.yml`` for Chinese at the site root,
``mkdocs.en.yml`` for English under ``en/``). ``extra.i18n`` in ``mkdocs.yml`` lists the
languages: ``lang``, ``name``, ``hreflang``, ``root`` (where that build lives, relative to the
Chinese root) and ``docs_dir`` (relative to the config file).

* ``on_config``: every page must exist in every language; a missing twin stops the build with
  the path of the file to write. The nav (listed once, in mkdocs.yml) takes its section and
  page titles from the pages of the language being built (``book.nav.section_titles``).
* ``on_page_context``: ``extra.alternate`` becomes, for this page only, links to the same page
  in each language, relative to the page (so the site also works under a sub-path). Material
  renders them as the language switch and as ``<link rel="alternate" hreflang>`` in the head.
* ``on_config`` also gives each language its own mkdocs-jupyter cache folder, and the heading
  anchors their tooltip in the page's language;
* ``on_post_build``: Material fetches ``sitemap.xml`` next to every alternate link; a small
  sitemap in each page's folder (the page and its twins) answers it instead of a 404.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from jinja2 import pass_context
from mkdocs.exceptions import PluginError

from book.nav import NavError, section_titles
from book.strings import strings

# Written into docs_dir during the build by the cells hook (one notebook per page in each
# language), so they are not pages an author has to translate.
GENERATED_DIRS = ("notebooks/",)


class PageRelativeUrl(str):
    """A link already relative to the page being rendered: the ``url`` filter must keep it."""


_state: dict[str, Any] = {"languages": [], "current": None, "site_alternates": [], "pages": []}


def _languages(config) -> list[dict[str, str]]:
    languages = config["extra"].get("i18n")
    if not languages:
        raise PluginError(
            "book/hooks/i18n.py needs `extra.i18n` in mkdocs.yml: a list of "
            "{lang, name, hreflang, root, docs_dir}, one entry per language"
        )
    return languages


def page_sources(docs_dir: Path) -> set[str]:
    """The Markdown pages under ``docs_dir``, as paths relative to it."""
    pages = set()
    for path in docs_dir.rglob("*.md"):
        relpath = path.relative_to(docs_dir).as_posix()
        if not relpath.startswith(GENERATED_DIRS):
            pages.add(relpath)
    return pages


def missing_twins(languages: list[dict[str, str]], config_dir: Path) -> list[str]:
    """One message per page that exists in some language but not in another."""
    pages = {lang["lang"]: page_sources(config_dir / lang["docs_dir"]) for lang in languages}
    every_page = set().union(*pages.values())
    problems = []
    for lang in languages:
        for relpath in sorted(every_page - pages[lang["lang"]]):
            found_in = ", ".join(
                f"{other['docs_dir']}/{relpath}"
                for other in languages
                if relpath in pages[other["lang"]]
            )
            problems.append(
                f"{lang['docs_dir']}/{relpath} is missing, but {found_in} exists: "
                f"write the {lang['name']} page under the same file name"
            )
    return problems


def relative_link(from_url: str, to_url: str) -> str:
    """Link from the page at site path ``from_url`` to the site path ``to_url``."""
    from_dir = from_url if from_url.endswith("/") or not from_url else posixpath.dirname(from_url)
    link = posixpath.relpath("/" + to_url, "/" + from_dir)
    return link + "/" if to_url.endswith("/") or not to_url else link


def on_config(config, **kwargs):
    languages = _languages(config)
    by_lang = {lang["lang"]: lang for lang in languages}
    current = config["theme"].get("language")
    if current not in by_lang:
        raise PluginError(
            f"theme.language is {current!r}, but extra.i18n only knows "
            f"{sorted(by_lang)}: add it there or fix theme.language"
        )
    problems = missing_twins(languages, Path(config.config_file_path).resolve().parent)
    if problems:
        raise PluginError(
            "Pages without their twin in the other language:\n  " + "\n  ".join(problems)
        )
    if config["nav"]:  # without a nav, MkDocs lists the pages itself, with their own titles
        try:
            config["nav"] = section_titles(config["nav"], Path(config["docs_dir"]))
        except NavError as err:
            raise PluginError(str(err)) from err
    # mkdocs-jupyter deletes the cache entries a build did not use: one shared folder would lose
    # the other language's notebook views on every build.
    notebooks = config["plugins"].get("mkdocs-jupyter")
    if notebooks is not None and notebooks.config.get("cache"):
        cache_dir = Path(notebooks.config["cache_dir"])
        if cache_dir.name != current:
            notebooks.config["cache_dir"] = str(cache_dir / current)
    # Heading anchors' tooltip in the language of the pages.
    toc = config["mdx_configs"].setdefault("toc", {})
    if toc.get("permalink"):
        toc["permalink_title"] = strings(current)["permalink"]
    _state.update(
        languages=languages,
        current=by_lang[current],
        site_alternates=config["extra"].get("alternate", []),
        pages=[],
    )
    return config


def on_env(env, config, files, **kwargs):
    site_relative_url = env.filters["url"]

    @pass_context
    def url(context, value):
        # Alternate links are computed per page (the other language lives outside this
        # build's root, which MkDocs' own `url` filter cannot express).
        if isinstance(value, PageRelativeUrl):
            return str(value)
        return site_relative_url(context, value)

    env.filters["url"] = url
    return env


def on_page_context(context, page, config, nav, **kwargs):
    here = _state["current"]["root"] + page.url
    alternates = [
        {
            "name": lang["name"],
            "lang": lang["hreflang"],
            "link": PageRelativeUrl(relative_link(here, lang["root"] + page.url)),
        }
        for lang in _state["languages"]
    ]
    config["extra"]["alternate"] = alternates
    _state["pages"].append(page.url)
    return context


def on_post_page(output, page, config, **kwargs):
    # Pages rendered later without a context of their own (404.html) keep the language roots.
    config["extra"]["alternate"] = _state["site_alternates"]
    return output


def on_post_build(config, **kwargs):
    if not config["use_directory_urls"]:
        return
    site_dir = Path(config["site_dir"])
    here_root = _state["current"]["root"]
    site_url = config.get("site_url") or ""
    # The URL of the first (default) language's root, from which every language's root hangs.
    if here_root and site_url.endswith(here_root):
        default_root = site_url[: -len(here_root)]
    else:
        default_root = site_url
    for page_url in _state["pages"]:
        if not page_url:
            continue  # the build's root already has MkDocs' own sitemap.xml
        links = "".join(
            f'\n    <xhtml:link rel="alternate" hreflang={quoteattr(lang["hreflang"])} '
            f"href={quoteattr(default_root + lang['root'] + page_url)}/>"
            for lang in _state["languages"]
        )
        sitemap = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
            f"  <url>\n    <loc>{default_root + here_root + page_url}</loc>{links}\n  </url>\n"
            "</urlset>\n"
        )
        target = site_dir / page_url / "sitemap.xml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(sitemap, encoding="utf-8")
