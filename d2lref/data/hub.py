"""Downloads: one safe path for every data file, and the original d2l's ``DATA_HUB`` API.

Every download goes through :func:`fetch_file`: a connect and a read timeout, a bounded
number of attempts with growing pauses, a progress bar, a temporary file in the target
folder that is checked and then renamed (an interrupted download never leaves a file that
looks complete), and an optional mirror (``D2LREF_DATA_URL``). Whether a missing file may be
downloaded at all is decided by :func:`d2lref.config.downloads_off_reason`.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import http.client
import os
import pathlib
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator

from d2lref import config
from d2lref.data._checksums import file_digest
from d2lref.data.errors import ChecksumMismatchError, DataError, DataNotFoundError, DownloadError

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

_CHUNK = 1 << 16
_PART_SUFFIX = ".part"


def mirror_path(url: str) -> str:
    """The path below ``D2LREF_DATA_URL`` that serves the file of ``url``."""
    if url in _MIRROR_PATHS:
        return _MIRROR_PATHS[url]
    if url.startswith(DATA_URL):
        return url[len(DATA_URL):]
    return url.rsplit("/", 1)[-1]


def source_url(url: str, path_on_mirror: str | None = None) -> str:
    """``url``, or its place on the mirror when ``D2LREF_DATA_URL`` is set."""
    mirror = config.data_mirror_url()
    if mirror is None:
        return url
    return mirror + (path_on_mirror or mirror_path(url))


# --- HTTP with separate connect and read timeouts --------------------------------------------
# urllib applies one timeout to the connection and to every read. These connection classes
# connect (and shake hands, for TLS) within the connect timeout, then wait at most the read
# timeout for each answer.

class _ReadTimeout:
    """Connection mixin: connect within ``timeout``, then wait ``read_timeout`` per answer."""

    def __init__(self, *args, read_timeout: float, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.read_timeout = read_timeout

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]  # the HTTP(S)Connection it is mixed into
        self.sock.settimeout(self.read_timeout)  # type: ignore[attr-defined]  # its socket


class _HTTPConnection(_ReadTimeout, http.client.HTTPConnection):
    pass


class _HTTPSConnection(_ReadTimeout, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, read_timeout: float) -> None:
        super().__init__()
        self.read_timeout = read_timeout

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_HTTPConnection, read_timeout=self.read_timeout),
                            req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, read_timeout: float) -> None:
        super().__init__()
        self.read_timeout = read_timeout

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        connection = functools.partial(_HTTPSConnection, read_timeout=self.read_timeout)
        return self.do_open(connection, req, context=self._context)  # type: ignore[attr-defined]


def _open_url(url: str, settings: config.DownloadSettings):
    """Open ``url`` (http, https or file) with the connect and read timeouts of ``settings``."""
    opener = urllib.request.build_opener(_HTTPHandler(settings.read_timeout),
                                         _HTTPSHandler(settings.read_timeout))
    request = urllib.request.Request(url, headers={"User-Agent": "d2lref"})
    return opener.open(request, timeout=settings.connect_timeout)


# --- the one download path -------------------------------------------------------------------

class _PermanentError(Exception):
    """A failure another attempt cannot fix (e.g. HTTP 404)."""


def _describe(error: BaseException, settings: config.DownloadSettings) -> str:
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    reason = getattr(error, "reason", None) if isinstance(error, urllib.error.URLError) else None
    cause = reason if isinstance(reason, BaseException) else error
    if isinstance(cause, TimeoutError):
        return (f"no answer within the timeout (connect {settings.connect_timeout:g} s, "
                f"read {settings.read_timeout:g} s)")
    return f"{type(cause).__name__}: {cause}" if str(cause) else type(cause).__name__


def _read_only_error(folder: pathlib.Path, label: str, error: OSError) -> DataError:
    return DataError(
        f"{label}: cannot write to {folder} ({error.strerror or error}): the data root is "
        "read-only. Fix: make the folder writable, or set D2LREF_DATA (or pass root= / "
        "cache_dir=) to a writable folder, or put the files there by hand.")


def _remove_stale_parts(target: pathlib.Path, settings: config.DownloadSettings) -> None:
    """Delete temporaries of ``target`` left by a killed download.

    A live download writes to its temporary at least once per read timeout, so one untouched
    for longer (with a margin) belongs to a process that no longer runs.
    """
    stale_after = max(60.0, 3 * settings.read_timeout)
    now = time.time()
    for part in target.parent.glob(f".{target.name}.*{_PART_SUFFIX}"):
        try:
            if now - part.stat().st_mtime > stale_after:
                part.unlink()
        except OSError:
            pass  # removed meanwhile, or not ours to remove


@contextlib.contextmanager
def temporary_next_to(
    target: pathlib.Path, label: str, settings: config.DownloadSettings | None = None,
) -> Iterator[pathlib.Path]:
    """A new empty temporary file in ``target``'s folder, removed on exit unless renamed.

    Written next to the target, so ``os.replace(part, target)`` is an atomic rename. A
    read-only folder is a :class:`DataError` that says so and how to fix it.
    """
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _remove_stale_parts(target, settings or config.download_settings())
        handle, part_name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.",
                                             suffix=_PART_SUFFIX)
        os.close(handle)
    except OSError as error:
        if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise _read_only_error(folder, label, error) from error
        raise DataError(f"{label}: cannot create a file in {folder} ({error}). Fix: set "
                        "D2LREF_DATA to a folder you can write to.") from error
    part = pathlib.Path(part_name)
    try:
        yield part
    finally:
        part.unlink(missing_ok=True)


def _progress_bar(total: int | None, name: str):
    """A tqdm bar on stderr: a widget in Jupyter when ipywidgets is there, text otherwise."""
    try:
        import ipywidgets  # noqa: F401 - without it tqdm.auto warns in notebooks
        from tqdm.auto import tqdm
    except ImportError:
        from tqdm import tqdm

    return tqdm(total=total, desc=name, unit="B", unit_scale=True, unit_divisor=1024,
                file=sys.stderr, mininterval=0.5, dynamic_ncols=True)


def _fetch_once(url: str, part: pathlib.Path, name: str,
                settings: config.DownloadSettings) -> None:
    """One attempt: stream ``url`` into ``part`` (truncated first) with a progress bar."""
    try:
        response = _open_url(url, settings)
    except urllib.error.HTTPError as error:
        if error.code in (408, 429) or error.code >= 500:
            raise
        raise _PermanentError(_describe(error, settings)) from error
    except urllib.error.URLError as error:
        if isinstance(error.reason, FileNotFoundError):  # a file:// mirror lacks the file
            raise _PermanentError(f"no such file ({error.reason.filename})") from error
        raise
    with response, open(part, "wb") as stream:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        received = 0
        with _progress_bar(total, name) as bar:
            while chunk := response.read(_CHUNK):
                stream.write(chunk)
                received += len(chunk)
                bar.update(len(chunk))
        if total is not None and received != total:
            raise http.client.IncompleteRead(b"", total - received)


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
) -> bool:
    """Make sure ``target`` holds the file of ``url`` with digest ``expected``.

    A present file with the right digest is kept (returns False). Otherwise the file is
    downloaded (returns True) from ``url`` or the mirror, into a temporary file next to
    ``target`` that is checked and then renamed over it. ``download`` is a loader's
    ``download=`` argument (see :func:`d2lref.config.downloads_off_reason`); ``settings``
    default to :func:`d2lref.config.download_settings`.
    """
    target = pathlib.Path(target)
    if target.is_file() and file_digest(target, algorithm) == expected:
        return False
    where = source_url(url, path_on_mirror)
    reason = config.downloads_off_reason(download)
    if reason is not None:
        raise DataNotFoundError(
            f"{label}: {target} is {'damaged' if target.exists() else 'missing'} and downloads "
            f"are off ({reason}). Fix: put the file there by hand (from {where}), or point "
            f"D2LREF_DATA (or root= / cache_dir=) at a folder that has it, or "
            f"{config.how_to_allow_downloads(reason)}.")
    settings = settings or config.download_settings()
    damaged_note = (f" The copy at {target} is damaged (wrong {algorithm.upper()}); it is "
                    "replaced only by a verified download." if target.exists() else "")
    print(f"Downloading {target} from {where}...")  # what the original d2l prints
    started = time.monotonic()
    with temporary_next_to(target, label, settings) as part:
        last_error: BaseException | None = None
        delays = settings.backoff_delays()
        for attempt in range(settings.attempts):
            try:
                _fetch_once(where, part, target.name, settings)
                last_error = None
                break
            except _PermanentError as error:
                last_error = error
                break
            except (OSError, http.client.HTTPException) as error:
                if isinstance(error, OSError) and error.errno == errno.ENOSPC:
                    raise DataError(f"{label}: the disk is full while writing {part}. Fix: "
                                    "free space or set D2LREF_DATA to another disk.") from error
                last_error = error
                if attempt < len(delays):
                    time.sleep(delays[attempt])
        if last_error is not None:
            permanent = isinstance(last_error, _PermanentError)
            cause = str(last_error) if permanent else _describe(last_error, settings)
            raise DownloadError(
                f"{label}: could not download {where} ({1 if permanent else settings.attempts} "
                f"attempt(s) in {time.monotonic() - started:.1f} s; last error: {cause})."
                f"{damaged_note} Fix: check the network connection; or set D2LREF_DATA_URL to "
                f"a mirror that serves {path_on_mirror or mirror_path(url)}; or download the "
                f"file another way and put it at {target}.") from last_error
        actual = file_digest(part, algorithm)
        if actual != expected:
            raise ChecksumMismatchError(
                f"{label}: the file downloaded from {where} is damaged or not the published "
                f"file ({algorithm.upper()} expected {expected}, actual {actual}); nothing was "
                f"saved. Fix: try again, or use another mirror (D2LREF_DATA_URL), or put the "
                f"right file at {target} by hand.")
        os.replace(part, target)
    return True


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
    checksum before rename, ``D2LREF_DATA_URL``, ``D2LREF_OFFLINE``).
    """
    url, sha1_hash = _hub_entry(name)
    fname = os.path.join(cache_dir, url.split("/")[-1])
    fetch_file(url, pathlib.Path(fname), sha1_hash, "sha1", label=f"DATA_HUB[{name!r}]")
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
