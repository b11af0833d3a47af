"""A few of the book's real pages built as a small two-language site with the book's hooks.

The pages are copied from docs/ (the hooks read their snippets and stored outputs from the
repository); the configuration keeps what the reader-install checks need: the language
roots, the hooks that write notebooks, links and install commands, and the two addresses
(``repo_url``, ``site_url``) when a test gives them, through the same environment variables
the Pages workflow sets.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from book.addresses import DIST_DIR_VARIABLE
from tests.paths import REPO_DIR

MINI_PAGES = (
    "index.md",
    "installation/index.md",
    "convolutional-neural-networks/lenet.md",
    "linear-networks/softmax-regression-concise.md",
)


@dataclass(frozen=True)
class MiniBook:
    """A built mini book: ``site`` (Chinese root, English under en/) and its notebooks."""

    root: Path

    @property
    def site(self) -> Path:
        return self.root / "site"

    def page(self, lang: str, relpath: str) -> str:
        """The built HTML of a page (``a/b.md`` -> ``a/b/index.html``)."""
        folder = self.site if lang == "zh" else self.site / "en"
        stem = relpath[: -len(".md")]
        name = "index.html" if stem == "index" else f"{stem.removesuffix('/index')}/index.html"
        return (folder / name).read_text(encoding="utf-8")

    def notebook(self, lang: str, relpath: str) -> Path:
        """The notebook the build wrote for a page (as the site serves it for download)."""
        folder = self.site if lang == "zh" else self.site / "en"
        return folder / "notebooks" / (relpath[: -len(".md")] + ".ipynb")


def _config(lang: str) -> str:
    hooks = "\n".join(
        f"  - {REPO_DIR / 'book' / 'hooks' / name}.py"
        for name in ("i18n", "reader_install", "cells", "colab")
    )
    return textwrap.dedent(
        f"""\
        site_name: reader install check
        docs_dir: docs/{lang}
        use_directory_urls: true
        repo_url: !ENV [BOOK_REPO_URL, null]
        site_url: !ENV [BOOK_SITE_URL, null]
        theme:
          name: material
          language: {lang}
        markdown_extensions: [attr_list, admonition, pymdownx.details, pymdownx.superfences]
        hooks:
        {{hooks}}
        extra:
          i18n:
            - {{{{lang: zh, name: 中文, hreflang: zh-Hans, root: "", docs_dir: docs/zh}}}}
            - {{{{lang: en, name: English, hreflang: en, root: en/, docs_dir: docs/en}}}}
        """
    ).format(hooks=hooks)


def build_mini_book(
    root: Path, repo_url: str | None = None, site_url: str | None = None,
    dist_dir: Path | None = None,
) -> MiniBook:
    """Build the mini book into ``root/site`` (zh at the root, en under en/), non-strict:
    its pages link to pages it leaves out. Fails the test with MkDocs' output on an error."""
    for lang in ("zh", "en"):
        for relpath in MINI_PAGES:
            target = root / "docs" / lang / relpath
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(REPO_DIR / "docs" / lang / relpath, target)
        (root / f"mkdocs.{lang}.yml").write_text(_config(lang), encoding="utf-8")
    settings = ("BOOK_REPO_URL", "BOOK_SITE_URL", DIST_DIR_VARIABLE)
    env = {k: v for k, v in os.environ.items() if k not in settings}
    env["NO_MKDOCS_2_WARNING"] = "1"
    if repo_url:
        env["BOOK_REPO_URL"] = repo_url
    if site_url:
        env["BOOK_SITE_URL"] = site_url
    if dist_dir:
        env[DIST_DIR_VARIABLE] = str(dist_dir)
    for lang, site_dir in (("zh", "site"), ("en", "site/en")):
        result = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "-q", "-f", f"mkdocs.{lang}.yml",
             "-d", site_dir],
            cwd=root, env=env, capture_output=True, text=True, timeout=600,
        )
        if result.returncode != 0:
            raise AssertionError(f"mkdocs build ({lang}) failed:\n{result.stderr[-6000:]}")
    return MiniBook(root)
