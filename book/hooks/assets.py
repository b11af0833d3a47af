"""MkDocs hook: the vendored front-end files under docs/assets/ go into every language's build.

Both builds (docs/zh -> site/, docs/en -> site/en/) read the same docs/assets/ folder, so the
repository holds one copy of KaTeX and the book's own scripts; paths in
``extra_javascript``/``extra_css`` (``assets/...``) resolve the same way in both builds.
"""

from __future__ import annotations

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from book.paths import ASSETS_DIR

# Vendored only for the build (formulas.py runs KaTeX, diagrams.py renders Mermaid ahead of
# time): pages never load them, so the site does not ship them.
BUILD_ONLY = (
    "assets/vendor/mermaid-",
    "assets/vendor/katex-0.19.1/katex.min.js",
    "assets/vendor/katex-0.19.1/contrib/",
)


def on_files(files, config, **kwargs):
    if not ASSETS_DIR.is_dir():
        raise PluginError(f"{ASSETS_DIR} is missing: the site's scripts and styles live there")
    for path in sorted(ASSETS_DIR.rglob("*")):
        if not path.is_file():
            continue
        src_uri = path.relative_to(ASSETS_DIR.parent).as_posix()
        if src_uri.startswith(BUILD_ONLY):
            continue
        if files.get_file_from_path(src_uri) is not None:
            raise PluginError(
                f"{config['docs_dir']}/{src_uri} hides the shared docs/{src_uri}: "
                "keep front-end files only under docs/assets/"
            )
        files.append(
            File(
                src_uri,
                src_dir=str(ASSETS_DIR.parent),
                dest_dir=config["site_dir"],
                use_directory_urls=config["use_directory_urls"],
            )
        )
    return files
