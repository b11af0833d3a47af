"""One download attempt over HTTP(S) or from a ``file://`` mirror, bounded in time.

urllib applies one timeout to the connection and to every read, and a buffered read of
64 KiB waits for the whole chunk: a server that trickles a byte per second never times out.
Here an attempt connects within ``connect_timeout`` and must then receive at least
``min_rate`` bytes per second over every ``read_timeout`` window, headers included (a silent
server fails the first window); bytes are written, and the progress bar advances, as they
arrive.
"""

from __future__ import annotations

import functools
import http.client
import io
import pathlib
import socket
import sys
import time
import urllib.error
import urllib.request
from typing import Any

from d2lref import config

__all__ = ["PermanentError", "TooSlowError", "describe", "fetch_once", "open_url"]

_CHUNK = 1 << 16


class PermanentError(Exception):
    """A failure another attempt cannot fix (e.g. HTTP 404)."""


class TooSlowError(TimeoutError):
    """A window of ``read_timeout`` seconds brought fewer bytes than the minimum rate."""

    def __init__(self, message: str, received: int) -> None:
        super().__init__(message)
        self.received = received


class _RateGuardedReader(io.RawIOBase):
    """The answer's bytes from ``sock``; fails a window that brings fewer than required.

    ``lifetime`` is the socket's own reader (``sock.makefile``): holding it keeps the socket
    open after urllib closes the connection, as http.client expects, until this reader is
    closed. Reads go to ``sock`` directly, because a socket reader refuses to read again after
    a timeout and this one waits out the window in several timed reads.
    """

    def __init__(self, sock: socket.socket, lifetime: io.RawIOBase,
                 settings: config.DownloadSettings) -> None:
        super().__init__()
        self._sock, self._lifetime = sock, lifetime
        self._window = settings.read_timeout
        self._min_bytes = max(1.0, settings.min_rate * settings.read_timeout)
        self._window_end = time.monotonic() + self._window
        self._received = 0  # bytes received in the current window

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while True:
            now = time.monotonic()
            if now >= self._window_end:
                if self._received < self._min_bytes:
                    raise TooSlowError(
                        f"received {self._received} bytes in {self._window:g} s, fewer than "
                        f"the minimum of {self._min_bytes:.0f} (D2LREF_DOWNLOAD_MIN_RATE, "
                        "D2LREF_READ_TIMEOUT)", self._received)
                self._window_end, self._received = now + self._window, 0
            self._sock.settimeout(self._window_end - now)
            try:
                count = self._sock.recv_into(buffer)
            except TimeoutError:
                continue  # the window is over: judged at the top of the loop
            self._received += count
            return count

    def close(self) -> None:
        if not self.closed:
            self._lifetime.close()
        super().close()


class _GuardedSocket:
    """A connected socket whose answer reader (``makefile("rb")``, what http.client reads
    the status, headers and body from) is rate-guarded; everything else is the socket's."""

    def __init__(self, sock: socket.socket, settings: config.DownloadSettings) -> None:
        self._sock: Any = sock  # a plain or a TLS socket
        self._settings = settings

    def makefile(self, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if mode != "rb":
            return self._sock.makefile(mode, *args, **kwargs)
        lifetime = self._sock.makefile("rb", buffering=0)
        return io.BufferedReader(_RateGuardedReader(self._sock, lifetime, self._settings))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class _Guarded:
    """Connection mixin: connect within the connect timeout, then guard the answer's rate."""

    sock: Any

    def __init__(self, *args: Any, settings: config.DownloadSettings, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.settings = settings

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        self.sock = _GuardedSocket(self.sock, self.settings)


class _HTTPConnection(_Guarded, http.client.HTTPConnection):
    pass


class _HTTPSConnection(_Guarded, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, settings: config.DownloadSettings) -> None:
        super().__init__()
        self.settings = settings

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(functools.partial(_HTTPConnection, settings=self.settings), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, settings: config.DownloadSettings) -> None:
        super().__init__()
        self.settings = settings

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        connection = functools.partial(_HTTPSConnection, settings=self.settings)
        return self.do_open(connection, req,
                            context=self._context)  # type: ignore[attr-defined]


def open_url(url: str, settings: config.DownloadSettings) -> Any:
    """Open ``url`` (http, https or file) under the timeouts and minimum rate of
    ``settings``."""
    opener = urllib.request.build_opener(_HTTPHandler(settings), _HTTPSHandler(settings))
    request = urllib.request.Request(url, headers={"User-Agent": "d2lref"})
    return opener.open(request, timeout=settings.connect_timeout)


def describe(error: BaseException, settings: config.DownloadSettings) -> str:
    """A one-line cause of a failed attempt, for the reader."""
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    reason = getattr(error, "reason", None) if isinstance(error, urllib.error.URLError) else None
    cause = reason if isinstance(reason, BaseException) else error
    if isinstance(cause, TooSlowError) and cause.received:
        return f"too slow: {cause}"
    if isinstance(cause, TimeoutError):
        return (f"no answer within the timeout (connect {settings.connect_timeout:g} s, "
                f"read {settings.read_timeout:g} s)")
    return f"{type(cause).__name__}: {cause}" if str(cause) else type(cause).__name__


def _progress_bar(total: int | None, name: str) -> Any:
    """A tqdm bar on stderr: a widget in Jupyter when ipywidgets is there, text otherwise."""
    try:
        import ipywidgets  # noqa: F401 - without it tqdm.auto warns in notebooks
        from tqdm.auto import tqdm
    except ImportError:
        from tqdm import tqdm

    return tqdm(total=total, desc=name, unit="B", unit_scale=True, unit_divisor=1024,
                file=sys.stderr, mininterval=0.5, dynamic_ncols=True)


def fetch_once(url: str, part: pathlib.Path, name: str,
               settings: config.DownloadSettings) -> None:
    """One attempt: stream ``url`` into ``part`` (truncated first) with a progress bar.

    Raises :class:`PermanentError` when retrying cannot help, ``OSError`` or
    ``http.client.HTTPException`` when it may.
    """
    try:
        response = open_url(url, settings)
    except urllib.error.HTTPError as error:
        if error.code in (408, 429) or error.code >= 500:
            raise
        raise PermanentError(describe(error, settings)) from error
    except urllib.error.URLError as error:
        if isinstance(error.reason, FileNotFoundError):  # a file:// mirror lacks the file
            raise PermanentError(f"no such file ({error.reason.filename})") from error
        raise
    with response, open(part, "wb") as stream:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        received = 0
        with _progress_bar(total, name) as bar:
            while chunk := response.read1(_CHUNK):  # what has arrived, not a full chunk
                stream.write(chunk)
                received += len(chunk)
                bar.update(len(chunk))
        if total is not None and received != total:
            raise http.client.IncompleteRead(b"", total - received)
