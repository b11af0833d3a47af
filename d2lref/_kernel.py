"""Whether code runs inside a Jupyter (IPython) kernel, and what d2lref hands the book's
runner there; IPython itself stays optional."""

from __future__ import annotations

import os
import sys
from typing import Any

__all__ = ["PUBLISH_ENV", "kernel_shell", "publish_to_runner"]

PUBLISH_ENV = "D2LREF_PUBLISH_METRICS"
"""Set to 1 by the book's runner in its kernels: d2lref then hands it machine-readable
outputs (training metrics, what quick mode changed)."""


def kernel_shell() -> Any | None:
    """The IPython shell of the running Jupyter kernel, or None (a script, a terminal
    IPython, or no IPython at all)."""
    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython

    shell = get_ipython()
    return shell if shell is not None and getattr(shell, "kernel", None) is not None else None


def publish_to_runner(mime_type: str, data: Any) -> bool:
    """Publish ``data`` as a display output of ``mime_type`` when the book's runner asked
    for it (``D2LREF_PUBLISH_METRICS=1`` inside a kernel); a no-op elsewhere, where an output
    of a private type would show as a blank area. True when published."""
    if os.environ.get(PUBLISH_ENV) != "1" or kernel_shell() is None:
        return False
    from IPython.display import display

    display({mime_type: data}, raw=True)
    return True
