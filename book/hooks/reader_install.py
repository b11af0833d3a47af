"""MkDocs hook: the published book knows its addresses and serves the d2lref it was built with.

* ``on_config``: reads the build's addresses (book/addresses.py). With ``site_url`` set
  (the Pages workflow sets it, with ``repo_url``, for its build only), the English build's
  address becomes the root's plus ``en/``, and dist/ must hold the wheel and sdist built from
  this checkout's d2lref (``make dist``), or the build stops saying so;
* ``on_page_markdown``: turns ``!install-d2lref`` and ``!clone-book`` lines into the
  commands for these addresses (a local build shows no address);
* ``on_post_page``: the header's repository link stays a plain link. Material would fetch
  the repository's stars and version from the code host's API, a request to another host;
* ``on_post_build``: the root language's build copies the wheel and sdist to ``/dist/`` and
  writes the simple index ``/simple/d2lref/`` (PEP 503, ``#sha256=`` fragments).

Listed before the cells hook in ``hooks:``: its ``site_url`` is the one the notebooks use.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.exceptions import PluginError

from book.addresses import BookAddresses, book_addresses, expand_install_directives, language_root
from book.package_index import PackageIndexError, publish_dists
from book.paths import REPO_DIR
from book.strings import site_language

log = logging.getLogger("mkdocs.hooks.reader_install")

SOURCE_COMPONENT = ' data-md-component="source"'

_state: dict[str, BookAddresses] = {}



def on_config(config, **kwargs):
    try:
        addresses = book_addresses(config, REPO_DIR)
    except PackageIndexError as err:
        raise PluginError(str(err)) from err
    if addresses.site_url is not None:
        config["site_url"] = addresses.site_url
    _state["addresses"] = addresses
    return config


def on_page_markdown(markdown, page, config, files, **kwargs):
    return expand_install_directives(markdown, _state["addresses"], site_language(config))


def on_post_page(output, page, config, **kwargs):
    if SOURCE_COMPONENT not in output:
        return output
    output = output.replace(f'class="md-source"{SOURCE_COMPONENT}', 'class="md-source"')
    if SOURCE_COMPONENT in output:
        raise PluginError(
            f"{page.file.src_uri}: the theme's repository link changed shape, and would "
            "make the page fetch the repository's details from another host: update "
            "book/hooks/reader_install.py"
        )
    return output


def on_post_build(config, **kwargs):
    addresses = _state["addresses"]
    if addresses.dists is None or language_root(config):
        return
    written = publish_dists(addresses.dists, Path(config["site_dir"]))
    log.info("published d2lref %s: %s", addresses.dists.version, ", ".join(p.name for p in written))
