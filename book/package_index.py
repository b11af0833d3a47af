"""The d2lref the book was built with: its wheel and sdist (``make dist``), served by the site.

When the site knows its address (``site_url``), the build publishes the two files under
``/dist/`` and a PEP 503 simple index under ``/simple/`` whose links carry ``#sha256=``
fragments, and the notebooks' setup cell pins the wheel by that hash. The wheel must be built
from the library the book shows: a wheel whose modules differ from ``d2lref/`` stops the build.
"""

from __future__ import annotations

import hashlib
import html
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from d2lref import __version__

PROJECT = "d2lref"
DIST_FOLDER = "dist"
"""Where the site serves the files (``<site>/dist/<file>``), as ``make dist`` names its folder."""
SIMPLE_FOLDER = "simple"
"""The simple index: ``<site>/simple/`` lists the project, ``<site>/simple/d2lref/`` its files."""
MAKE_DIST = "run `make dist` (it builds both into dist/), then build the site again"


class PackageIndexError(ValueError):
    """dist/ does not hold the d2lref the book shows; the message says how to fix it."""


@dataclass(frozen=True)
class BookDist:
    """One built file of d2lref and its SHA-256 (hex)."""

    path: Path
    sha256: str

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class BookDists:
    """The wheel and sdist of the d2lref version the book was built with."""

    version: str
    wheel: BookDist
    sdist: BookDist

    def wheel_url(self, site_root: str) -> str:
        """The wheel's address on the site whose root is ``site_root`` (ends with ``/``)."""
        return f"{site_root}{DIST_FOLDER}/{self.wheel.name}"

    @staticmethod
    def index_url(site_root: str) -> str:
        """The simple index's address (pip's ``--index-url`` / ``--extra-index-url``)."""
        return f"{site_root}{SIMPLE_FOLDER}/"


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, as pip's ``--hash=sha256:`` and the index fragments write it."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _one(dist_dir: Path, pattern: str, kind: str, version: str) -> Path:
    found = sorted(dist_dir.glob(pattern))
    if len(found) != 1:
        listed = ", ".join(p.name for p in sorted(dist_dir.iterdir())) if dist_dir.is_dir() else ""
        raise PackageIndexError(
            f"{dist_dir} must hold exactly one {kind} of d2lref {version} ({pattern}); it "
            f"holds: {listed or 'nothing'}. The site serves the d2lref it was built with: "
            f"{MAKE_DIST}."
        )
    return found[0]


def _check_wheel_matches(wheel: Path, library_dir: Path) -> None:
    """Every file of ``library_dir`` (d2lref/) is in the wheel with the same bytes, and the
    wheel's package holds nothing else: the notebooks pin the library the pages show."""
    with zipfile.ZipFile(wheel) as archive:
        packaged = {
            name: archive.read(name) for name in archive.namelist()
            if name.startswith(f"{PROJECT}/") and not name.endswith("/")
        }
    sources = {
        f"{PROJECT}/{path.relative_to(library_dir).as_posix()}": path
        for path in library_dir.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }
    differ = sorted(
        name for name, path in sources.items() if packaged.get(name) != path.read_bytes()
    )
    extra = sorted(set(packaged) - set(sources))
    if differ or extra:
        raise PackageIndexError(
            f"{wheel.name} was built from another d2lref than {library_dir} (differs: "
            f"{', '.join((differ + extra)[:5])}{' …' if len(differ + extra) > 5 else ''}): "
            f"{MAKE_DIST}."
        )


def find_book_dists(dist_dir: Path, library_dir: Path, version: str = __version__) -> BookDists:
    """The wheel and sdist of d2lref ``version`` in ``dist_dir``, checked against the sources.

    Raises PackageIndexError when one is missing, there are several, or the wheel's modules
    are not those of ``library_dir``.
    """
    wheel = _one(dist_dir, f"{PROJECT}-{version}-py3-none-any.whl", "wheel", version)
    sdist = _one(dist_dir, f"{PROJECT}-{version}.tar.gz", "sdist", version)
    _check_wheel_matches(wheel, library_dir)
    return BookDists(
        version, BookDist(wheel, sha256_of(wheel)), BookDist(sdist, sha256_of(sdist))
    )


def _page(title: str, links: list[tuple[str, str]]) -> str:
    anchors = "\n".join(
        f'    <a href="{html.escape(href)}">{html.escape(text)}</a><br>' for href, text in links
    )
    return (
        "<!DOCTYPE html>\n<html>\n  <head>\n    <meta charset=\"utf-8\">\n"
        f'    <meta name="pypi:repository-version" content="1.0">\n'
        f"    <title>{html.escape(title)}</title>\n  </head>\n  <body>\n{anchors}\n"
        "  </body>\n</html>\n"
    )


def publish_dists(dists: BookDists, site_dir: Path) -> list[Path]:
    """Copy the wheel and sdist to ``<site_dir>/dist/`` and write the simple index.

    ``simple/index.html`` lists the project; ``simple/d2lref/index.html`` links each file by
    a relative address with its ``#sha256=`` fragment (PEP 503), so the index works wherever
    the site is served. Returns the files written.
    """
    dist_dir = site_dir / DIST_FOLDER
    dist_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for dist in (dists.wheel, dists.sdist):
        shutil.copyfile(dist.path, dist_dir / dist.name)
        written.append(dist_dir / dist.name)
    project_dir = site_dir / SIMPLE_FOLDER / PROJECT
    project_dir.mkdir(parents=True, exist_ok=True)
    files = [
        (f"../../{DIST_FOLDER}/{dist.name}#sha256={dist.sha256}", dist.name)
        for dist in (dists.wheel, dists.sdist)
    ]
    pages = {
        site_dir / SIMPLE_FOLDER / "index.html": _page("Simple index", [(f"{PROJECT}/", PROJECT)]),
        project_dir / "index.html": _page(f"Links for {PROJECT}", files),
    }
    for path, text in pages.items():
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
