"""Links in a downloaded notebook lead to pages a reader can open, never to a ``.md`` file.

A page links to other pages by their source path (``autograd.md``,
``../deep-learning-computation/use-gpu.md#transfer-cost``), which MkDocs turns into page
addresses on the site. In the page's notebook the same link becomes the published page
(``<site>/preliminaries/autograd/``) when the site's address is known, else the sibling
notebook (``autograd.ipynb``: the notebooks keep the pages' folder layout), and plain text
when the target page has no notebook.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from book.addresses import BookAddresses

# An inline Markdown link or image: [text](target) / ![alt](target), target without spaces.
MARKDOWN_LINK = re.compile(r"(?P<bang>!?)\[(?P<text>[^\]]*)\]\((?P<target>[^)\s]+)\)")
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|/|#)", re.I)


def _has_notebook(page_relpath: str, repo_dir: Path) -> bool:
    return (repo_dir / "snippets" / (page_relpath[: -len(".md")] + ".py")).is_file()


def notebook_link(
    target: str, page_relpath: str, addresses: BookAddresses, repo_dir: Path
) -> str | None:
    """Where a link to ``target`` from the page ``page_relpath`` leads in the notebook.

    ``target`` itself when it is not a page path (an address, an anchor, a file), the
    published page or the sibling notebook for a page, and None for a page without a
    notebook while the site's address is unknown (the link becomes plain text).
    """
    if EXTERNAL.match(target):
        return target
    path, hash_mark, fragment = target.partition("#")
    if not path.endswith(".md"):
        return target
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page_relpath), path))
    page_url = addresses.page_url(resolved)
    if page_url is not None:
        return page_url + hash_mark + fragment
    if _has_notebook(resolved, repo_dir):
        return path[: -len(".md")] + ".ipynb" + hash_mark + fragment
    return None


def rewrite_links(
    markdown: str, page_relpath: str, addresses: BookAddresses, repo_dir: Path
) -> str:
    """``markdown`` (a notebook's Markdown cell) with every page link made a notebook link."""

    def rewrite(match: re.Match[str]) -> str:
        target = notebook_link(match["target"], page_relpath, addresses, repo_dir)
        if target is None:
            return match["text"]
        return f"{match['bang']}[{match['text']}]({target})"

    return MARKDOWN_LINK.sub(rewrite, markdown)
