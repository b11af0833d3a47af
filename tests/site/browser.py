"""Fixtures of the browser tests (a pytest plugin of the root conftest): Debian's chromium
driven by Playwright, and tabs that record every request the page makes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from book.chromium import CHROMIUM, CHROMIUM_ARGS, missing_chromium


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    message = missing_chromium()
    if message:
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    if os.environ.get("CI") == "true":
        from playwright import sync_api  # in CI a missing Playwright is an error, not a skip
    else:
        sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


class RecordedPage:
    """A browser tab that records every request and every failed response."""

    def __init__(self, context) -> None:
        self.page = context.new_page()
        self.requests: list[str] = []
        self.failures: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on(
            "response",
            lambda response: (
                self.failures.append(f"{response.status} {response.url}")
                if response.status >= 400
                else None
            ),
        )
        self.page.on("requestfailed", lambda request: self.failures.append(f"failed {request.url}"))

    def other_hosts(self) -> list[str]:
        """Requests that went anywhere but 127.0.0.1 (data: and blob: URLs never leave)."""
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob")
            and urlsplit(url).hostname != "127.0.0.1"
        ]


@pytest.fixture
def tab(browser_context) -> Iterator[RecordedPage]:
    recorded = RecordedPage(browser_context)
    try:
        yield recorded
    finally:
        recorded.page.close()
