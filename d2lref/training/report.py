"""Hand training metrics to the book's runner (a Jupyter kernel) as machine-readable output.

Only when the runner asks for them (``D2LREF_PUBLISH_METRICS=1``, which it sets in its
kernels): in a reader's notebook an output of this private type would show as a blank area or
a "no renderer" note.
"""

from __future__ import annotations

from typing import Any

from d2lref._kernel import PUBLISH_ENV, publish_to_runner

__all__ = ["METRICS_MIME_TYPE", "PUBLISH_METRICS_ENV", "publish_metrics"]

METRICS_MIME_TYPE = "application/vnd.d2lref.metrics+json"

PUBLISH_METRICS_ENV = PUBLISH_ENV
"""Set to 1 by the book's runner: training loops then publish their metrics."""


def publish_metrics(metrics: dict[str, Any]) -> bool:
    """Publish ``metrics`` as a display output inside an IPython kernel when
    ``D2LREF_PUBLISH_METRICS=1``; a no-op elsewhere.

    Returns True when the metrics were published. IPython is optional.
    """
    if not isinstance(metrics, dict):
        raise TypeError(f"publish_metrics expects a dict, got {type(metrics).__name__}.")
    return publish_to_runner(METRICS_MIME_TYPE, metrics)
