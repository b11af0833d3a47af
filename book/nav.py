"""The book's page list: ``nav`` in mkdocs.yml, the one place where pages are listed.

Both languages have the same pages in the same order. mkdocs.yml names the Chinese section
titles; the English build has no nav of its own: the i18n hook gives it this one, with each
section titled by the first heading of the section's index page and each page by its own
first heading (``section_titles``). The tests take their page lists from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from book.paths import DOCS_DIR, REPO_DIR

CONFIG_FILE = REPO_DIR / "mkdocs.yml"
# Pages that are not chapters' content: the home page, chapter indexes, and the two
# reference pages. Every other page ends with exercises (CONTRIBUTING.md).
REFERENCE_PAGES = ("performance.md", "glossary.md")
TITLE = re.compile(r"^#\s+(?P<title>.+?)(?:\s*\{[^}]*\})?\s*$", re.M)


class NavError(ValueError):
    """mkdocs.yml's nav does not have the shape the book needs (names the entry and the fix)."""


@dataclass(frozen=True)
class NavPage:
    """A page of the nav: its path under ``docs/<lang>/`` and its section title (zh)."""

    relpath: str
    section: str | None

    @property
    def is_index(self) -> bool:
        return self.relpath == "index.md" or self.relpath.endswith("/index.md")

    @property
    def is_content(self) -> bool:
        """A chapter page with its own content (and exercises)."""
        return not self.is_index and self.relpath not in REFERENCE_PAGES


def read_nav(config_file: Path = CONFIG_FILE) -> list[Any]:
    """The ``nav`` of a MkDocs configuration, read with MkDocs' own YAML loader."""
    from mkdocs.utils import yaml_load

    with config_file.open(encoding="utf-8") as handle:
        config = yaml_load(handle)
    nav = config.get("nav")
    if not isinstance(nav, list):
        raise NavError(f"{config_file} has no nav list: list the book's pages under nav:")
    return nav


def nav_pages(nav: list[Any] | None = None) -> list[NavPage]:
    """Every page of ``nav`` (default: mkdocs.yml's) in book order, with its section."""
    pages: list[NavPage] = []
    for entry in read_nav() if nav is None else nav:
        if isinstance(entry, str):
            pages.append(NavPage(entry, None))
            continue
        if not isinstance(entry, dict) or len(entry) != 1:
            raise NavError(f"nav entry {entry!r}: write a page path or one 'title: ...' item")
        [(title, value)] = entry.items()
        if isinstance(value, str):
            pages.append(NavPage(value, None))
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            pages.extend(NavPage(item, title) for item in value)
        else:
            raise NavError(f"nav section {title!r}: list its pages as paths, one level deep")
    return pages


def content_pages() -> list[str]:
    """The chapter pages with content of their own, in book order."""
    return [page.relpath for page in nav_pages() if page.is_content]


def page_title(docs_dir: Path, relpath: str) -> str:
    """The first heading of a page (without its ``{ #anchor }``)."""
    path = docs_dir / relpath
    match = TITLE.search(path.read_text(encoding="utf-8")) if path.is_file() else None
    if match is None:
        raise NavError(f"{path} has no '# Title' line: the nav takes its title from it")
    return match["title"]


def section_titles(nav: list[Any], docs_dir: Path) -> list[Any]:
    """``nav`` for another language: sections titled by their index page's first heading,
    pages by their own (a page entry without a title)."""
    translated: list[Any] = []
    for entry in nav:
        if isinstance(entry, str):
            translated.append(entry)
            continue
        [(title, value)] = entry.items()
        if isinstance(value, str):
            translated.append(value)
            continue
        index = value[0] if value else ""
        if not index.endswith("index.md"):
            raise NavError(
                f"nav section {title!r} must start with its index page (<chapter>/index.md), "
                f"found {index!r}"
            )
        translated.append({page_title(docs_dir, index): value})
    return translated


def docs_dir(lang: str) -> Path:
    """Where a language's pages are."""
    return DOCS_DIR / lang
