"""Hand training metrics to the book's runner (a Jupyter kernel) as machine-readable output."""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["METRICS_MIME_TYPE", "publish_metrics"]

METRICS_MIME_TYPE = "application/vnd.d2lref.metrics+json"


def publish_metrics(metrics: dict[str, Any]) -> bool:
    """Publish ``metrics`` as a display output inside an IPython kernel; a no-op elsewhere.

    Returns True when the metrics were published. IPython is optional.
    """
    if not isinstance(metrics, dict):
        raise TypeError(f"publish_metrics expects a dict, got {type(metrics).__name__}.")
    if "IPython" not in sys.modules:
        return False
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return False
    from IPython.display import display

    display({METRICS_MIME_TYPE: metrics}, raw=True)
    return True
