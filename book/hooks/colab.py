"""MkDocs hook: an "Open in Colab" link next to each page's notebook download link.

Colab opens notebooks from a GitHub repository. The Pages workflow pushes the generated
notebooks to the ``notebooks`` branch (``<lang>/<chapter>/<page>.ipynb``), and the repository
is the one ``repo_url`` in mkdocs.yml names, so a fork's site opens the fork's notebooks.
While ``repo_url`` is unset, or names no GitHub repository, pages show no Colab link.

Listed after the cells hook in ``hooks:``: it extends the notebook links that hook writes.
"""

from __future__ import annotations

import html
import logging

from book.notebooks import colab_url, github_repository
from book.paths import REPO_DIR
from book.render.site import PAGE_TOP_LINKS, add_page_top_link
from book.strings import site_language, strings

log = logging.getLogger("mkdocs.hooks.colab")




def colab_link(url: str, lang: str) -> str:
    """The link's HTML, as it follows the download and view links."""
    label = strings(lang)["colab"]
    return f'<a class="d2l-colab-link" href="{html.escape(url)}">{label}</a>'


def on_config(config, **kwargs):
    repo_url = config.get("repo_url")
    if repo_url and github_repository(repo_url) is None:
        log.info(
            "repo_url %s is not a GitHub repository (https://github.com/OWNER/NAME): Colab "
            "opens notebooks only from GitHub, so pages show no Colab link", repo_url
        )
    return config


def on_page_markdown(markdown, page, config, files, **kwargs):
    relpath = page.file.src_uri
    if not relpath.endswith(".md"):
        return markdown
    url = colab_url(config.get("repo_url"), site_language(config), relpath)
    if url is None:
        return markdown
    if PAGE_TOP_LINKS.search(markdown) is None:
        if (REPO_DIR / "snippets" / (relpath[:-3] + ".py")).is_file():
            log.warning(
                "%s has a notebook but no notebook links paragraph (<p class=\"d2l-notebook-"
                "links\">) to add its Colab link to: list book/hooks/colab.py after "
                "book/hooks/cells.py in mkdocs.yml's hooks", relpath
            )
        return markdown
    return add_page_top_link(markdown, colab_link(url, site_language(config)))
