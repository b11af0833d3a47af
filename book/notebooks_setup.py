"""The first cell of every notebook: make sure the kernel has the book's d2lref, or stop.

With a published site (``site_url`` set), a kernel without d2lref, or with another version,
installs exactly the wheel the book was built with: pip's hash-checking mode with a
requirement line carrying ``--hash=sha256:...``, from the site's simple index added to the
reader's own (so a release on the package index with the same hash serves too, and a file of
that name with another hash is refused). d2lref's dependencies come next, from the reader's
usual index or mirror; pip skips those already there (Colab's PyTorch stays). Without a site
(a local build) the cell installs nothing. Whenever the right d2lref is not there in the end,
the cell raises an error, which stops "Run All", whose one line says what to run by hand.

The cell's comments and messages are in the notebook's language.
"""

from __future__ import annotations

import re

from book.addresses import BookAddresses
from book.strings import strings
from d2lref import __version__

MESSAGE_INDENT = " " * 12  # the messages' lines inside ``raise RuntimeError(``
FIELD = re.compile(r"(\{[a-z_]+\})")

# Everything the cell defines lives inside one function: the reader's namespace gets one name.
SITE_INSTALL = '''\
{comment}
def _setup_d2lref(version, wheel_sha256, site):
    import importlib
    import subprocess
    import sys
    import tempfile
    from importlib import metadata

    def installed():
        try:
            return metadata.version("d2lref")
        except metadata.PackageNotFoundError:
            return None

    def pip(*args):  # this kernel's pip; its messages are shown, its status returned
        run = subprocess.run([sys.executable, "-m", "pip", *args],
                             capture_output=True, text=True)
        print(run.stdout + run.stderr, end="")
        return run.returncode == 0

    if installed() == version:
        return
    wheel = f"{{site}}dist/d2lref-{{version}}-py3-none-any.whl#sha256={{wheel_sha256}}"
    by_hand = f'pip install "d2lref @ {{wheel}}"'
    with tempfile.TemporaryDirectory() as folder:
        pinned = f"{{folder}}/d2lref.txt"
        with open(pinned, "w") as file:
            print(f"d2lref=={{version}} --hash=sha256:{{wheel_sha256}}", file=file)
        ok = pip("install", "-q", "--no-deps", "--require-hashes",
                 "--extra-index-url", f"{{site}}simple/", "-r", pinned)
    importlib.invalidate_caches()
    if ok and installed() == version:
        needs = [r for r in metadata.requires("d2lref") or [] if "extra ==" not in r]
        ok = pip("install", "-q", *needs)
    if not ok or installed() != version:
        raise RuntimeError(
            {failed}
        )
    if "d2lref" in sys.modules:  # an older d2lref is already imported in this kernel
        raise RuntimeError(
            {restart}
        )


_setup_d2lref(
    version="{version}",
    wheel_sha256="{sha256}",
    site="{site}",
)
'''

LOCAL_CHECK = '''\
{comment}
def _check_d2lref(version, by_hand):
    from importlib import metadata

    try:
        found = metadata.version("d2lref")
    except metadata.PackageNotFoundError:
        found = None
    if found != version:
        raise RuntimeError(
            {missing}
        )


_check_d2lref(
    version="{version}",
    by_hand={by_hand!r},
)
'''


def _comment(text: str) -> str:
    return "\n".join(f"# {line}" if line else "#" for line in text.split("\n"))


def _message(text: str, indent: str, width: int = 68) -> str:
    """``text`` as f-string literals on lines of at most ``width`` characters (Python joins
    them); its ``{version}``, ``{by_hand}``, ``{found}`` are the cell's own variables, filled
    in when the cell raises. A ``{field}`` is never split across two lines."""
    pieces = [p for p in FIELD.split(text) if p]
    chunks: list[str] = [""]
    for piece in pieces:
        parts = [piece] if FIELD.fullmatch(piece) else list(piece)
        for part in parts:
            if chunks[-1] and len(chunks[-1]) + len(part) > width:
                chunks.append("")
            chunks[-1] += part
    return f"\n{indent}".join("f" + repr(chunk) for chunk in chunks)


def setup_cell_source(
    lang: str, addresses: BookAddresses | None = None, version: str = __version__
) -> str:
    """The setup cell of a notebook in ``lang`` for a build with ``addresses``.

    With a site and its wheel it installs that wheel (hash-checked) where d2lref is missing
    or has another version; otherwise it only checks, and names the command to run by hand.
    """
    labels = strings(lang)
    addresses = addresses or BookAddresses()
    if addresses.site_root is not None and addresses.dists is not None:
        return SITE_INSTALL.format(
            comment=_comment(labels["setup_site"].format(version=version)),
            failed=_message(labels["setup_failed"], MESSAGE_INDENT),
            restart=_message(labels["setup_restart"], MESSAGE_INDENT),
            version=version, sha256=addresses.dists.wheel.sha256, site=addresses.site_root,
        )
    kind = "git" if addresses.repo_url else "local"
    return LOCAL_CHECK.format(
        comment=_comment(labels[f"setup_{kind}"].format(version=version)),
        missing=_message(labels[f"setup_missing_{kind}"], MESSAGE_INDENT),
        version=version, by_hand=addresses.by_hand(),
    )
