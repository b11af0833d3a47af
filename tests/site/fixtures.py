"""Fixtures of the site: one strict build of both languages, served on 127.0.0.1 (a pytest
plugin of the root conftest, so that every test folder can use them)."""

from __future__ import annotations

import contextlib
import functools
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.paths import REPO_DIR

# Build order matters: the Chinese build cleans its site_dir, which holds the English one.
LANGUAGE_BUILDS = (("mkdocs.yml", "."), ("mkdocs.en.yml", "en"))


def mkdocs_env() -> dict[str, str]:
    """The environment of a site build (Material 9.8's end-of-life banner silenced)."""
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def run_mkdocs_build(config: Path, site_dir: Path, cwd: Path) -> subprocess.CompletedProcess:
    """``mkdocs build --strict`` of one config into ``site_dir``."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-f",
            str(config),
            "-d",
            str(site_dir),
        ],
        cwd=cwd,
        env=mkdocs_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="session")
def mkdocs_build():
    """``mkdocs_build(config, site_dir, cwd)``: a strict build, returning the finished process."""
    return run_mkdocs_build


@pytest.fixture(scope="session")
def built_site(built_once) -> Path:
    """Both languages built with ``--strict`` once per test run (Chinese root, en/).

    Tests only read it: one that changes the site works on a copy.
    """

    def build(folder: Path) -> None:
        for config, subdir in LANGUAGE_BUILDS:
            result = run_mkdocs_build(REPO_DIR / config, folder / "site" / subdir, REPO_DIR)
            if result.returncode != 0:
                pytest.fail(
                    f"mkdocs build --strict -f {config} failed (exit {result.returncode}):\n"
                    f"{result.stdout[-4000:]}\n{result.stderr[-8000:]}"
                )

    return built_once("built-site", build) / "site"


class QuietHandler(SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        # linkchecker throttles itself to a few requests a second unless the server answers
        # with a "LinkChecker" header; this server exists only for the tests, so it does.
        self.send_header("LinkChecker", "unthrottled")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib name)
        pass  # keep pytest's output readable; the tests record requests themselves


@contextlib.contextmanager
def served(
    folder: Path, handler_class: type[SimpleHTTPRequestHandler] = QuietHandler, path: str = "/"
) -> Iterator[str]:
    """``folder`` served over HTTP on 127.0.0.1 (a free port) while the block runs: its URL
    (``path`` on that host: where ``handler_class`` serves the folder)."""
    handler = functools.partial(handler_class, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{path}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def site_url(built_site: Path) -> Iterator[str]:
    """The built site served over HTTP on 127.0.0.1 (a free port), stopped after the session."""
    with served(built_site) as url:
        yield url
