"""A data set's published files: download the missing ones, or say in one error which.

When a file cannot be had (downloads off, or a download failed), the error lists every file
of the data set that is still missing, each with the address it is published at, the mirror
setting and the folder to copy them into by hand, so that one run tells the reader all there
is to do. The message comes first; the traceback is not chained to the network's.
"""

from __future__ import annotations

import dataclasses
import pathlib
from collections.abc import Sequence

from d2lref import config
from d2lref.data.errors import DataNotFoundError, DownloadError
from d2lref.data.hub import fetch_file

__all__ = ["RemoteFile", "fetch_files", "missing_files_message"]


@dataclasses.dataclass(frozen=True)
class RemoteFile:
    """A published file of a data set: where it goes and comes from, how it is checked."""

    target: pathlib.Path
    url: str
    digest: str
    algorithm: str
    path_on_mirror: str


def missing_files_message(label: str, files: Sequence[RemoteFile], why: str, fix: str,
                          copy_note: str = "") -> str:
    """The error text for ``files`` missing: why, each file's address, the mirror, the fixes."""
    folder = files[0].target.parent
    plural = "s" if len(files) != 1 else ""
    lines = [f"{label}: {len(files)} file{plural} missing in {folder}: {why}.",
             f"Missing file{plural} and where {'they are' if plural else 'it is'} published:"]
    for file in files:
        damaged = f" (the copy there is damaged: wrong {file.algorithm.upper()})" \
            if file.target.exists() else ""
        lines.append(f"  {file.target.name}{damaged}: {file.url}")
    mirror = config.data_mirror_url()
    mirror_state = f"D2LREF_DATA_URL={mirror}" if mirror else "D2LREF_DATA_URL is not set"
    lines.append(f"Mirror: {mirror_state} (a mirror serves {files[0].path_on_mirror} and "
                 "the others in the same folder).")
    lines.append(f"Fix: {fix}; or set D2LREF_DATA_URL to {'another' if mirror else 'a'} "
                 f"mirror; or copy the file{plural} by hand into {folder}{copy_note}; or point "
                 "D2LREF_DATA (or root=) at a data root that has them.")
    return "\n".join(lines)


def fetch_files(label: str, files: Sequence[RemoteFile], *, download: bool | None = None,
                copy_note: str = "") -> None:
    """Download ``files`` (each missing or damaged), or raise one error that lists them all.

    Stops at the first failed download (another one would most likely wait just as long)
    and lists it with every file not downloaded yet.
    """
    reason = config.downloads_off_reason(download)
    if files and reason is not None:
        raise DataNotFoundError(missing_files_message(
            label, files, f"downloads are off ({reason})",
            config.how_to_allow_downloads(reason), copy_note))
    for index, file in enumerate(files):
        try:
            fetch_file(file.url, file.target, file.digest, file.algorithm, label=label,
                       path_on_mirror=file.path_on_mirror, download=download)
        except DownloadError as error:
            raise DownloadError(
                missing_files_message(label, files[index:], error.failure,
                                      "check the network connection", copy_note),
                failure=error.failure) from None
