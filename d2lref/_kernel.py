"""Whether code runs inside a Jupyter (IPython) kernel; IPython itself stays optional."""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["kernel_shell"]


def kernel_shell() -> Any | None:
    """The IPython shell of the running Jupyter kernel, or None (a script, a terminal
    IPython, or no IPython at all)."""
    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython

    shell = get_ipython()
    return shell if shell is not None and getattr(shell, "kernel", None) is not None else None
