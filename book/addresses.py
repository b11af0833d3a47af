"""Where the published book lives, and the install commands that follow from it.

Two settings of mkdocs.yml say it: ``site_url`` (the site's root: the Chinese pages, ``/dist/``
and ``/simple/``) and ``repo_url`` (the repository). The Pages workflow sets both for its
build (``BOOK_SITE_URL``, ``BOOK_REPO_URL``); a local build has neither, and then pages and
notebooks show no link to either. The English build lives under the site's ``en/``: its own
address is the root's plus the language's ``root`` (``extra.i18n`` in mkdocs.yml).

Pages write ``!install-d2lref`` (how a reader installs d2lref) and ``!clone-book`` (how to
clone the repository) alone on a line; ``expand_install_directives`` turns them into the
commands for the build's addresses, the same way on the page and in its notebook.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from book.package_index import BookDists, find_book_dists
from book.paths import REPO_DIR
from book.strings import site_language, strings

INSTALL_DIRECTIVE = re.compile(
    r"^(?P<indent>[ \t]*)!(?P<kind>install-d2lref|clone-book)[ \t]*$", re.M
)
# Where the site build finds the wheel and sdist it serves: `make dist`'s dist/ unless this
# variable names another folder (the tests' own build).
DIST_DIR_VARIABLE = "BOOK_DIST_DIR"
CLONE_PLACEHOLDER = {"zh": "<本书仓库的地址>", "en": "<this book's repository address>"}


@dataclass(frozen=True)
class BookAddresses:
    """The published book's addresses (None for a local build) and the dists it serves.

    ``site_url`` is this language's root, ``site_root`` the site's (they differ for English).
    ``dists`` is set exactly when ``site_url`` is: the site then serves the wheel.
    """

    site_url: str | None = None
    site_root: str | None = None
    repo_url: str | None = None
    dists: BookDists | None = None

    def page_url(self, page_relpath: str) -> str | None:
        """The published address of a page (``a/b.md`` -> ``<site>/a/b/``), or None."""
        if self.site_url is None:
            return None
        path = page_relpath[: -len(".md")]
        if path == "index" or path.endswith("/index"):
            path = path[: -len("index")]
        else:
            path += "/"
        return self.site_url + path

    @property
    def wheel_url(self) -> str | None:
        """The wheel's address with its ``#sha256=`` fragment (pip checks it), or None."""
        if self.site_root is None or self.dists is None:
            return None
        return f"{self.dists.wheel_url(self.site_root)}#sha256={self.dists.wheel.sha256}"

    @property
    def index_url(self) -> str | None:
        """The site's simple index (``<site>/simple/``), or None."""
        return BookDists.index_url(self.site_root) if self.site_root else None

    def wheel_command(self) -> str | None:
        """One line that installs the book's wheel from the site, checked by its hash."""
        return f'pip install "d2lref @ {self.wheel_url}"' if self.wheel_url else None

    def requirement_line(self) -> str | None:
        """The book's wheel as a requirements-file line for pip's hash-checking mode."""
        if self.dists is None:
            return None
        return f"d2lref=={self.dists.version} --hash=sha256:{self.dists.wheel.sha256}"

    def git_command(self) -> str | None:
        """One line that installs d2lref from the repository with git."""
        return f'pip install "git+{self.repo_url}"' if self.repo_url else None

    def by_hand(self) -> str:
        """What a reader runs when the notebook cannot install d2lref itself: the site's
        command, else the git command, else the editable install from a clone."""
        return self.wheel_command() or self.git_command() or "pip install -e ."


def language_root(config: Any) -> str:
    """This build's folder below the site's root: ``""`` for Chinese, ``en/`` for English."""
    lang = site_language(config)
    for entry in (config.get("extra") or {}).get("i18n") or []:
        if entry.get("lang") == lang:
            return str(entry.get("root") or "")
    return ""


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def book_addresses(config: Any, repo_dir: Path = REPO_DIR) -> BookAddresses:
    """The addresses of the build ``config`` describes (an MkDocs config or a plain dict).

    ``site_url`` may be the site's root or already this language's address. With a site, the
    wheel and sdist come from ``<repo_dir>/dist`` (``make dist``; ``BOOK_DIST_DIR`` names
    another folder); PackageIndexError when
    they are missing or were built from another d2lref.
    """
    repo_url = (config.get("repo_url") or "").strip().rstrip("/") or None
    site_url = (config.get("site_url") or "").strip() or None
    if site_url is None:
        return BookAddresses(repo_url=repo_url)
    root = language_root(config)
    site_url = _with_slash(site_url)
    if root and not site_url.endswith(root):
        site_url += root
    site_root = site_url[: len(site_url) - len(root)]
    dists = find_book_dists(Path(os.environ.get(DIST_DIR_VARIABLE) or repo_dir / "dist"),
                            repo_dir / "d2lref")
    return BookAddresses(site_url, site_root, repo_url, dists)


def _fence(lines: list[str]) -> str:
    return "```console\n" + "\n".join(lines) + "\n```\n"


def _install_markdown(addresses: BookAddresses, lang: str) -> str:
    labels = strings(lang)
    wheel, git = addresses.wheel_command(), addresses.git_command()
    if wheel is None:
        parts = [labels["install_local"], _fence(["pip install -e ."])]
    else:
        parts = [
            labels["install_site"], _fence([wheel]),
            labels["install_index"].format(
                index=addresses.index_url, requirement=addresses.requirement_line()
            ),
        ]
    if git is not None:
        parts += [labels["install_git"], _fence([git])]
    return "\n".join(parts)


def _clone_markdown(addresses: BookAddresses, lang: str) -> str:
    address = addresses.repo_url or CLONE_PLACEHOLDER["zh" if lang.startswith("zh") else "en"]
    return _fence([f"git clone {address} d2l-notes", "cd d2l-notes", "pip install -e ."])


def expand_install_directives(markdown: str, addresses: BookAddresses, lang: str) -> str:
    """``markdown`` with each ``!install-d2lref`` / ``!clone-book`` line replaced by the
    commands for ``addresses`` (kept at the directive's indentation, e.g. in a list item)."""

    def expand(match: re.Match[str]) -> str:
        make = _install_markdown if match["kind"] == "install-d2lref" else _clone_markdown
        indent = match["indent"]
        text = make(addresses, lang).rstrip("\n")
        return "\n".join(indent + line if line else "" for line in text.split("\n"))

    return INSTALL_DIRECTIVE.sub(expand, markdown)
