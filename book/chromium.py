"""The browser the book's tools drive: where it is and how it starts (one place for both).

Debian's chromium (``apt-get install chromium fonts-noto-cjk``), or another Chromium-based
browser named by ``$CHROMIUM``, headless, with nothing that reaches the network: diagram
rendering (``make diagrams``), the book's PDF (``make pdf``) and the browser tests use it.
"""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Without it the browser process itself resolves other hosts, background networking off.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
INSTALL_HINT = "apt-get install -y chromium fonts-noto-cjk"


def missing_chromium() -> str | None:
    """Why the browser cannot start (it is not installed), or None when it is there."""
    if CHROMIUM.exists():
        return None
    return f"{CHROMIUM} not found: install it ({INSTALL_HINT}) or set $CHROMIUM"
