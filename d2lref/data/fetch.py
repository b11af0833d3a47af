"""Fetch the book's data sets into the data root, once, with checksums verified.

``python -m d2lref.data.fetch`` is for a fresh machine with internet access (a reader's laptop,
a CI cache step); it needs ``D2LREF_ALLOW_DOWNLOAD=1`` or ``--yes``. The loaders themselves
never download unless told to, and the tests never do.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import shutil
import sys
import tempfile
import urllib.request

from d2lref import config
from d2lref.data._checksums import verify_file
from d2lref.data.errors import DataError
from d2lref.data.kaggle_house import KAGGLE_HOUSE_FILES

# Where the original book publishes the two house-price files.
KAGGLE_HOUSE_URL = "http://d2l-data.s3-accelerate.amazonaws.com/"


def fetch_file(url: str, target: pathlib.Path, sha1: str, data_set: str) -> bool:
    """Download ``url`` to ``target`` unless a verified copy is there; True if downloaded."""
    if target.is_file():
        verify_file(target, sha1, "sha1", data_set)
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
        tmp_path = pathlib.Path(tmp.name)
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                shutil.copyfileobj(response, tmp)
        except OSError as err:
            tmp_path.unlink(missing_ok=True)
            raise DataError(f"{data_set}: could not download {url} ({err}).") from err
    try:
        verify_file(tmp_path, sha1, "sha1", data_set)
    except DataError:
        tmp_path.unlink(missing_ok=True)
        raise
    os.replace(tmp_path, target)
    return True


def fetch_kaggle_house(root: pathlib.Path, base_url: str = KAGGLE_HOUSE_URL) -> list[str]:
    """The two house-price CSV files into ``<root>/kaggle_house/``; returns the new files."""
    fetched = []
    for name, sha1 in KAGGLE_HOUSE_FILES.items():
        if fetch_file(base_url + name, root / "kaggle_house" / name, sha1, "Kaggle house prices"):
            fetched.append(name)
    return fetched


def fetch_fashion_mnist(root: pathlib.Path) -> None:
    """Fashion-MNIST through torchvision's own downloader, then the loader's MD5 check."""
    from d2lref.data.fashion_mnist import load_data_fashion_mnist

    load_data_fashion_mnist(256, root=root, download=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m d2lref.data.fetch", description=__doc__)
    parser.add_argument("--root", help="data root (default: D2LREF_DATA or the user cache)")
    parser.add_argument("--yes", action="store_true", help="allow downloading")
    args = parser.parse_args(argv)
    if not (args.yes or config.downloads_allowed()):
        print("Downloads are off: set D2LREF_ALLOW_DOWNLOAD=1 or pass --yes.", file=sys.stderr)
        return 2
    root = config.data_root(args.root)
    fetch_kaggle_house(root)
    fetch_fashion_mnist(root)
    print(f"data sets ready under {root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
