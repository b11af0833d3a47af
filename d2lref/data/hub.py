"""Downloads: one safe path for every data file, and the original d2l's ``DATA_HUB`` API.

Every download goes through :func:`fetch_file`: attempts bounded in time (a connect timeout,
then a minimum rate over every read-timeout window; :mod:`d2lref.data.transfer`), a bounded
number of them with growing pauses, a progress bar, a lock and a temporary file next to the
target that is checked and then renamed (an interrupted download never leaves a file that
looks complete; :mod:`d2lref.data.staging`), and an optional mirror (``D2LREF_DATA_URL``).
Whether a missing file may be downloaded at all is decided by
:func:`d2lref.config.downloads_off_reason`.
"""

from __future__ import annotations

import errno
import http.client
import os
import pathlib
import tarfile
import time
import zipfile

from d2lref import config
from d2lref.data._checksums import file_digest
from d2lref.data.errors import ChecksumMismatchError, DataNotFoundError, DownloadError
from d2lref.data.staging import DATA_ROOT_SETTING, folder_error, target_lock, temporary_next_to
from d2lref.data.transfer import PermanentError, describe, fetch_once

__all__ = ["DATA_HUB", "DATA_URL", "download", "download_all", "download_extract"]

DATA_URL = "http://d2l-data.s3-accelerate.amazonaws.com/"
"""Where the original book publishes its data files (``DATA_HUB`` URLs start with it)."""

DATA_HUB: dict[str, tuple[str, str]] = {}
"""Name -> ``(url, sha1)`` of each file :func:`download` knows, as in the original d2l."""

DATA_HUB["kaggle_house_train"] = (
    DATA_URL + "kaggle_house_pred_train.csv", "585e9cc93e70b39160e7921475f9bcd7d31219ce")
DATA_HUB["kaggle_house_test"] = (
    DATA_URL + "kaggle_house_pred_test.csv", "fa19780a7b011d9b009e8bff8e99922a8ee2eb90")

# A mirror serves the layout of a data root, so a filled data root served over HTTP (or
# named by a file:// URL) is a mirror. These URLs live elsewhere on the mirror.
_MIRROR_PATHS = {
    DATA_URL + "kaggle_house_pred_train.csv": "kaggle_house/kaggle_house_pred_train.csv",
    DATA_URL + "kaggle_house_pred_test.csv": "kaggle_house/kaggle_house_pred_test.csv",
}



def mirror_path(url: str) -> str:
    """The path below ``D2LREF_DATA_URL`` that serves the file of ``url``."""
    if url in _MIRROR_PATHS:
        return _MIRROR_PATHS[url]
    if url.startswith(DATA_URL):
        return url[len(DATA_URL):]
    return url.rsplit("/", 1)[-1]


def source_urls(url: str, path_on_mirror: str | None = None) -> list[str]:
    """Where to download the file of ``url`` from, in order.

    Without a mirror: ``url``. With ``D2LREF_DATA_URL``: the mirror's copy; for a file the
    book does not publish (a reader's own ``DATA_HUB`` entry on another host), then ``url``
    itself, in case the mirror lacks it.
    """
    mirror = config.data_mirror_url()
    if mirror is None:
        return [url]
    on_mirror = mirror + (path_on_mirror or mirror_path(url))
    books_file = path_on_mirror is not None or url in _MIRROR_PATHS or url.startswith(DATA_URL)
    return [on_mirror] if books_file else [on_mirror, url]


# --- the one download path -------------------------------------------------------------------

def fetch_file(
    url: str,
    target: pathlib.Path,
    expected: str,
    algorithm: str,
    *,
    label: str,
    path_on_mirror: str | None = None,
    download: bool | None = None,
    settings: config.DownloadSettings | None = None,
    setting: str = DATA_ROOT_SETTING,
) -> bool:
    """Make sure ``target`` holds the file of ``url`` with digest ``expected``.

    A present file with the right digest is kept (returns False). Otherwise the file is
    downloaded (returns True) from ``url`` or the mirror (:func:`source_urls`), into a
    temporary file next to ``target`` that is checked and then renamed over it, while
    holding ``target``'s lock. ``download`` is a loader's ``download=`` argument (see
    :func:`d2lref.config.downloads_off_reason`); ``settings`` default to
    :func:`d2lref.config.download_settings`; ``setting`` names how the reader points the
    caller at another folder (in the fixes of error messages).
    """
    target = pathlib.Path(target)
    if _is_intact(target, expected, algorithm):
        return False
    sources = source_urls(url, path_on_mirror)
    reason = config.downloads_off_reason(download)
    if reason is not None:
        raise DataNotFoundError(
            f"{label}: {target} is {'damaged' if target.exists() else 'missing'} and downloads "
            f"are off ({reason}). Fix: put the file there by hand (from {sources[0]}), or point "
            f"{setting} at a folder that has it, or {config.how_to_allow_downloads(reason)}.")
    settings = settings or config.download_settings()
    with target_lock(target, label, setting):
        if _is_intact(target, expected, algorithm):
            return False  # another process downloaded it while this one waited
        print(f"Downloading {target} from {sources[0]}...")  # what the original d2l prints
        with temporary_next_to(target, label, setting) as part:
            source = _download(sources, part, target, label, settings, setting,
                               path_on_mirror or mirror_path(url))
            actual = file_digest(part, algorithm)
            if actual != expected:
                raise ChecksumMismatchError(
                    f"{label}: the file downloaded from {source} is damaged or not the "
                    f"published file ({algorithm.upper()} expected {expected}, actual "
                    f"{actual}); nothing was saved. Fix: try again, or use another mirror "
                    f"(D2LREF_DATA_URL), or put the right file at {target} by hand.")
            os.replace(part, target)
    return True


def _is_intact(target: pathlib.Path, expected: str, algorithm: str) -> bool:
    return target.is_file() and file_digest(target, algorithm) == expected


def _download(sources: list[str], part: pathlib.Path, target: pathlib.Path, label: str,
              settings: config.DownloadSettings, setting: str, path_on_mirror: str) -> str:
    """Fill ``part`` from the first of ``sources`` that works and return it, or raise
    DownloadError."""
    failures = []
    for index, source in enumerate(sources):
        failure = _attempts(source, part, target.name, label, settings, setting)
        if failure is None:
            return source
        failures.append(f"{source} ({failure})")
        if index + 1 < len(sources):
            print(f"{source} failed ({failure}); trying {sources[index + 1]}...")
    what = "could not download " + "; nor ".join(failures)
    damaged_note = (f" The copy at {target} is damaged; it is replaced only by a verified "
                    "download." if target.exists() else "")
    raise DownloadError(
        f"{label}: {what}.{damaged_note} Fix: check the network connection; or set "
        f"D2LREF_DATA_URL to a mirror that serves {path_on_mirror}; or download the "
        f"file another way and put it at {target}.", failure=what) from None


def _attempts(source: str, part: pathlib.Path, name: str, label: str,
              settings: config.DownloadSettings, setting: str) -> str | None:
    """Try ``source`` up to ``settings.attempts`` times: None on success, else what failed."""
    started = time.monotonic()
    delays = settings.backoff_delays()
    cause = ""
    for attempt in range(settings.attempts):
        try:
            fetch_once(source, part, name, settings)
            return None
        except PermanentError as error:
            cause = str(error)
            break
        except (OSError, http.client.HTTPException) as error:
            if isinstance(error, OSError) and error.errno == errno.ENOSPC:
                raise folder_error(part.parent, label, error, setting) from error
            cause = describe(error, settings)
            if attempt < len(delays):
                time.sleep(delays[attempt])
    return (f"{attempt + 1} attempt(s) in {time.monotonic() - started:.1f} s; "
            f"last error: {cause}")


# --- the original d2l API (d2l 0.17.6, section "Kaggle house prices") ------------------------

def _hub_entry(name: str) -> tuple[str, str]:
    if name not in DATA_HUB:
        raise ValueError(f"{name!r} is not in DATA_HUB; known names: "
                         f"{', '.join(sorted(DATA_HUB))}. Add it with "
                         "DATA_HUB[name] = (url, sha1) first.")
    return DATA_HUB[name]


def download(name: str, cache_dir: str = os.path.join("..", "data")) -> str:
    """Download a file of ``DATA_HUB`` into ``cache_dir`` and return its local file name.

    As in the original d2l: ``cache_dir`` defaults to ``../data`` (relative to the current
    folder, not to d2lref's data root), a present file with the right SHA-1 is reused, any
    other one is replaced. The download itself follows d2lref's rules (timeouts, retries,
    checksum before rename, ``D2LREF_DATA_URL``, ``D2LREF_OFFLINE``); with a mirror set, an
    entry on another host than the book's is downloaded from its own URL when the mirror
    lacks it.
    """
    url, sha1_hash = _hub_entry(name)
    fname = os.path.join(cache_dir, url.split("/")[-1])
    fetch_file(url, pathlib.Path(fname), sha1_hash, "sha1", label=f"DATA_HUB[{name!r}]",
               setting="cache_dir=")
    return fname


def download_extract(name: str, folder: str | None = None) -> str:
    """Download and extract a zip or tar file of ``DATA_HUB``; return the extracted folder.

    Returns ``<cache_dir>/<folder>`` when ``folder`` is given, else the archive's path
    without its extension, like the original.
    """
    fname = download(name)
    base_dir = os.path.dirname(fname)
    data_dir, ext = os.path.splitext(fname)
    if ext == ".zip":
        with zipfile.ZipFile(fname, "r") as archive:
            archive.extractall(base_dir)
    elif ext in (".tar", ".gz"):
        with tarfile.open(fname, "r") as archive:
            # The "data" filter refuses members that would land outside base_dir.
            if hasattr(tarfile, "data_filter"):
                archive.extractall(base_dir, filter="data")
            else:  # pragma: no cover - Python builds without the filter backport
                archive.extractall(base_dir)
    else:
        raise ValueError(f"{fname}: only zip and tar files can be extracted "
                         "(.zip, .tar, .gz).")
    return os.path.join(base_dir, folder) if folder else data_dir


def download_all() -> None:
    """Download every file in ``DATA_HUB`` (into the default ``cache_dir``)."""
    for name in DATA_HUB:
        download(name)
