"""A notebook view (mkdocs-jupyter's page of a notebook) made to work like the book's pages.

nbconvert gives Chinese headings an empty id, so the view's table of contents (whose links
Python-Markdown numbers ``#_2``, ``#_3``) leads nowhere; the notebook's cross-page links name
``.md`` files; the view offers no download and no way back to its page; its copy buttons are
labelled in English. :func:`finish_notebook_view` fixes all of this on the finished HTML:

* every heading gets the id the book's pages would give it (pymdownx's Unicode slug), and
  each table-of-contents entry links to its heading;
* ``something.md#part`` links become links to the page, relative to the view;
* under the title, a download link for the notebook and a link back to the page;
* the copy buttons' label is the page language's.
"""

from __future__ import annotations

import html
import posixpath
import re
from pathlib import Path

from pymdownx.slugs import slugify

from book.strings import strings

SLUG = slugify(case="lower")
HEADING = re.compile(
    r'<h(?P<level>[1-6]) id="(?P<id>[^"]*)">(?P<text>.*?)'
    r'<a class="anchor-link" href="#[^"]*">(?P<mark>.*?)</a></h(?P=level)>',
    re.S,
)
TOC_LINK = re.compile(
    r'<a href="#(?P<id>[^"]*)" class="md-nav__link">\s*<span class="md-ellipsis">\s*'
    r"(?P<text>.*?)\s*</span>",
    re.S,
)
MD_LINK = re.compile(r'href="(?P<path>(?![a-z]+:|/|#)[^"#]*?)\.md(?P<fragment>#[^"]*)?"')
TAGS = re.compile(r"<[^>]+>")
KATEX_MATHML = re.compile(r'<span class="katex-mathml">.*?</math></span>', re.S)
SKIP_LINK = re.compile(r'(?P<start><a href=")#[^"]*"(?= class="md-skip")')
COPY_LABEL = 'aria-label="Copy to Clipboard"'
TITLE_END = "</h1>"


def _plain(fragment: str) -> str:
    return html.unescape(TAGS.sub("", fragment)).strip()


def heading_ids(page_html: str) -> str:
    """Headings with readable, unique ids; the table of contents linked to them."""
    used: dict[str, int] = {}
    headings: list[tuple[str, str]] = []  # (text, new id) in page order

    def name(match: re.Match) -> str:
        text = _plain(KATEX_MATHML.sub("", match["text"]))
        slug = SLUG(text, "-") or "section"
        count = used.get(slug, 0)
        used[slug] = count + 1
        new_id = slug if count == 0 else f"{slug}_{count}"
        headings.append((text, new_id))
        return (
            f'<h{match["level"]} id="{new_id}">{match["text"]}'
            f'<a class="anchor-link" href="#{new_id}">{match["mark"]}</a></h{match["level"]}>'
        )

    page_html = HEADING.sub(name, page_html)
    position = 0

    def link(match: re.Match) -> str:
        # The entries follow the headings in order; an entry whose text differs (a formula
        # shown as TeX) takes the next heading.
        nonlocal position
        text = _plain(match["text"])
        found = next((i for i in range(position, len(headings)) if headings[i][0] == text),
                     position)
        if found >= len(headings):
            return match[0]
        position = found + 1
        return match[0].replace(f'href="#{match["id"]}"', f'href="#{headings[found][1]}"', 1)

    page_html = TOC_LINK.sub(link, page_html)
    # The "skip to content" link goes to the view's title, like on pages.
    if headings:
        page_html = SKIP_LINK.sub(lambda m: f'{m["start"]}#{headings[0][1]}"', page_html, 1)
    return page_html


def page_of_view(view_url: str) -> str:
    """Site path of the page a view shows: ``notebooks/a/b/`` -> ``a/b/``."""
    return view_url.removeprefix("notebooks/")


def page_links(page_html: str, view_url: str) -> str:
    """``x.md#part`` links (relative to the page's folder in docs) as links to the pages."""
    page_url = page_of_view(view_url)
    source_dir = posixpath.dirname(page_url.rstrip("/")) if page_url else ""

    def link(match: re.Match) -> str:
        target = posixpath.normpath(posixpath.join(source_dir, match["path"]))
        target = "" if target == "index" else target.removesuffix("/index").removesuffix("index")
        target_url = (target + "/") if target else ""
        relative = posixpath.relpath("/" + target_url, "/" + view_url)
        relative = relative + "/" if target_url and not relative.endswith("/") else relative
        return f'href="{relative}{match["fragment"] or ""}"'

    return MD_LINK.sub(link, page_html)


def download_links(page_html: str, view_url: str, notebook_url: str, lang: str) -> str:
    """A download link for the notebook (at ``notebook_url``, relative to the view) and a
    link back to its page, under the title."""
    labels = strings(lang)
    back = posixpath.relpath("/" + page_of_view(view_url), "/" + view_url) + "/"
    links = (
        f'<p class="d2l-notebook-links"><a href="{html.escape(notebook_url)}" download>'
        f'{labels["download"]}</a> · <a href="{back}">{labels["back_to_page"]}</a></p>'
    )
    return page_html.replace(TITLE_END, TITLE_END + links, 1)


def finish_notebook_view(page_html: str, view_url: str, notebook_path: str, lang: str) -> str:
    """The notebook view of ``notebook_path`` (under ``notebooks/``) at ``view_url``."""
    page_html = heading_ids(page_html)
    page_html = page_links(page_html, view_url)
    # The raw notebook is copied next to the view's folder (book/hooks/cells.py).
    notebook_url = "notebooks/" + notebook_path
    download = posixpath.relpath("/" + notebook_url, "/" + view_url)
    page_html = download_links(page_html, view_url, download, lang)
    label = html.escape(strings(lang)["copy"])
    return page_html.replace(COPY_LABEL, f'aria-label="{label}"')


# An image of a notebook view, linked to a figure file (book.render.output_html), with the
# alt text nbconvert gives every image.
UNDESCRIBED = re.compile(
    r'<img src="(?P<src>(?:\.\./)*(?P<file>_outputs/[^"]+))" '
    r'alt="No description has been provided for this image"'
)


def describe_notebook_figures(views_dir: Path, figure_alt: dict[str, str]) -> None:
    """Give each figure of the notebook views under ``views_dir`` its page's alt text."""
    for view in views_dir.rglob("index.html") if views_dir.is_dir() else []:
        page_html = view.read_text(encoding="utf-8")
        described = UNDESCRIBED.sub(
            lambda m: f'<img src="{m["src"]}" alt="{html.escape(figure_alt[m["file"]])}"'
            if m["file"] in figure_alt else m[0],
            page_html,
        )
        if described != page_html:
            view.write_text(described, encoding="utf-8")
