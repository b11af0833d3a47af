"""Helpers of the download tests: local servers on 127.0.0.1 (a folder served over HTTP, a
server that never answers, one whose answers are scripted byte by byte in time) and a hook
into the progress bar."""

from __future__ import annotations

import http.server
import pathlib
import socket
import threading
import time
from collections.abc import Callable


class Mirror:
    """A folder served over HTTP on 127.0.0.1 by a thread; records the paths asked for."""

    def __init__(self, folder: pathlib.Path) -> None:
        self.folder = folder
        self.requested: list[str] = []
        mirror = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(folder), **kwargs)

            def log_message(self, format, *args):  # noqa: A002 - the base class's name
                pass

            def do_GET(self):
                mirror.requested.append(self.path)
                super().do_GET()

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class StalledServer:
    """Accepts every connection and never sends a byte."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/"
        self.accepted: list[socket.socket] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.accepted.append(connection)
            self._serve(connection)

    def _serve(self, connection: socket.socket) -> None:
        pass  # never answers

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.listener.close()
        for connection in self.accepted:
            connection.close()


Step = tuple[bytes, "float | threading.Event"]
"""Bytes to send, then seconds to wait (or an event to wait for, at most 30 s)."""


class ScriptedServer(StalledServer):
    """Answers every request with ``steps`` (bytes, then a pause), in a thread per connection.

    Stops sending when closed; ``requests`` counts the requests it answered.
    """

    def __init__(self, steps: Callable[[], list[Step]]) -> None:
        self.steps = steps
        self.requests = 0
        super().__init__()

    def _serve(self, connection: socket.socket) -> None:
        threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = connection.recv(4096)
            if not chunk:
                return
            request += chunk
        self.requests += 1
        try:
            for data, pause in self.steps():
                if self.stop.is_set():
                    return
                connection.sendall(data)
                if isinstance(pause, threading.Event):
                    pause.wait(30)
                else:
                    time.sleep(pause)
            connection.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the client gave up and closed the connection


def ok_headers(length: int) -> bytes:
    return (f"HTTP/1.1 200 OK\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
            .encode())


def trickle(data: bytes, every: float) -> list[Step]:
    """``data`` one byte at a time, ``every`` seconds apart."""
    return [(data[i:i + 1], every) for i in range(len(data))]


def on_progress(monkeypatch, callback: Callable[[int], None]) -> None:
    """Call ``callback(count)`` whenever a download's progress bar advances by ``count``
    bytes (before the bar itself advances)."""
    from d2lref.data import transfer

    real_bar = transfer._progress_bar

    class Watched:
        def __init__(self, total, name):
            self.bar = real_bar(total, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self.bar.__exit__(*exc)

        def update(self, count):
            callback(count)
            self.bar.update(count)

    monkeypatch.setattr(transfer, "_progress_bar", Watched)
