"""Fetch the book's data sets into the data root, once, with checksums verified.

``python -m d2lref.data.fetch`` fills a data root ahead of time (a reader's laptop before a
trip, a CI cache step). The loaders download what is missing by themselves too; both use
the same download path (timeouts, retries, checksum, mirror ``D2LREF_DATA_URL``). With
``D2LREF_OFFLINE=1`` nothing is downloaded. Exit status: 0 ready, 1 failed, 2 downloads off.
"""

from __future__ import annotations

import argparse
import sys

from d2lref import config
from d2lref.data.errors import DataError, DataNotFoundError
from d2lref.data.fashion_mnist import fetch_fashion_mnist
from d2lref.data.kaggle_house import fetch_kaggle_house

__all__ = ["build_parser", "fetch_fashion_mnist", "fetch_kaggle_house", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m d2lref.data.fetch``."""
    parser = argparse.ArgumentParser(prog="python -m d2lref.data.fetch", description=__doc__)
    parser.add_argument("--root", help="data root (default: D2LREF_DATA or the user cache)")
    parser.add_argument("--yes", action="store_true",
                        help="download even when D2LREF_ALLOW_DOWNLOAD=0 (not when offline)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Fetch both data sets; errors are one line on stderr and an exit status."""
    args = build_parser().parse_args(argv)
    download = True if args.yes else None
    try:
        reason = config.downloads_off_reason(download)
        root = config.data_root(args.root)
        fetch_kaggle_house(root, download=download)
        fetch_fashion_mnist(root, download=download)
    except KeyboardInterrupt:
        print("error: interrupted; nothing incomplete was kept.", file=sys.stderr)
        return 130
    except DataNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2 if reason is not None else 1
    except (DataError, ValueError) as error:  # ValueError: a malformed D2LREF_* variable
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"data sets ready under {root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
