"""Run-wide settings: the run mode, the data root, downloads, seeds and the quick-mode policy.

Everything that depends on ``D2LREF_MODE`` lives here, so a snippet never looks at the mode
itself: loaders ask :func:`quick_subset_size`, training loops ask :func:`effective_epochs`.
"""

from __future__ import annotations

import os
import pathlib
import random
import sys

import numpy as np
import torch

__all__ = [
    "MODES",
    "QUICK_MAX_EPOCHS",
    "data_root",
    "downloads_allowed",
    "effective_epochs",
    "get_mode",
    "quick_subset_size",
    "set_seed",
]

MODES = ("quick", "full")
"""The allowed values of ``D2LREF_MODE``."""

QUICK_MAX_EPOCHS = 2
"""Quick mode trains at most this many epochs, whatever the code asks for."""


def get_mode() -> str:
    """Return the run mode, ``"quick"`` or ``"full"``, read from ``D2LREF_MODE`` (default full)."""
    mode = os.environ.get("D2LREF_MODE", "full").strip().lower() or "full"
    if mode not in MODES:
        raise ValueError(
            f"D2LREF_MODE={os.environ.get('D2LREF_MODE')!r} is not a run mode; "
            f"set it to one of {', '.join(MODES)} (or leave it unset for 'full')."
        )
    return mode


def _user_cache_dir() -> pathlib.Path:
    """The per-user cache folder of the platform (no extra dependency needed)."""
    home = pathlib.Path.home()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
        return pathlib.Path(base) if base else home / "AppData" / "Local"
    if sys.platform == "darwin":
        return home / "Library" / "Caches"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return pathlib.Path(xdg) if xdg else home / ".cache"


def data_root(root: str | os.PathLike[str] | None = None) -> pathlib.Path:
    """Return the folder that holds the data sets.

    Order: the ``root`` argument, else ``D2LREF_DATA``, else ``<user cache>/d2lref/data``
    (``XDG_CACHE_HOME`` or ``~/.cache`` on Linux, ``~/Library/Caches`` on macOS,
    ``LOCALAPPDATA`` on Windows).
    """
    if root is not None:
        return pathlib.Path(root).expanduser()
    from_env = os.environ.get("D2LREF_DATA")
    if from_env:
        return pathlib.Path(from_env).expanduser()
    return _user_cache_dir() / "d2lref" / "data"


def downloads_allowed() -> bool:
    """True when ``D2LREF_ALLOW_DOWNLOAD=1``: only then may a loader fetch missing data."""
    return os.environ.get("D2LREF_ALLOW_DOWNLOAD", "").strip().lower() in {"1", "true", "yes"}


def set_seed(seed: int = 0) -> None:
    """Seed Python's ``random``, NumPy and PyTorch (CPU and every CUDA device)."""
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"set_seed expects an int seed, got {type(seed).__name__}; pass e.g. 0.")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # also seeds every CUDA device
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)


def effective_epochs(num_epochs: int) -> int:
    """Return the epochs a run really trains: ``num_epochs``, capped at 2 in quick mode."""
    if not isinstance(num_epochs, int) or isinstance(num_epochs, bool) or num_epochs < 1:
        raise ValueError(f"num_epochs must be a positive int, got {num_epochs!r}.")
    if get_mode() == "quick":
        return min(num_epochs, QUICK_MAX_EPOCHS)
    return num_epochs


# Quick-mode subset sizes (examples per split), measured on 2 shared CPU cores, torch 2.14:
#   28x28 (LeNet, softmax regression, MLPs): 2048 train / 1024 test. LeNet trains at about
#     1300 examples/s, so 2 quick epochs take ~4 s; softmax regression ~1 s.
#   resize 33..95 (e.g. 64): 1024 / 512, images up to 5x larger.
#   resize >= 96 (AlexNet at 224, VGG, NiN, GoogLeNet, ResNet at 96): 128 / 64. AlexNet at
#     224 trains at 8-10 examples/s on 2 busy CPU cores: 256 training examples took 63 s for
#     2 epochs, 128 take ~30 s including evaluation. Full mode uses the whole data set.
# On a CPU shared with other jobs, torch's intra-op threads contend badly (a tiny CNN step
# took 20 ms on one thread and 0.5 s on two under load); torch.set_num_threads(1) helps there.
_QUICK_SIZES = {"small": (2048, 1024), "medium": (1024, 512), "large": (128, 64)}


def quick_subset_size(train: bool, resize: int | None = None) -> int:
    """Number of examples a quick-mode split keeps (class-balanced) for images of ``resize``."""
    if resize is None or resize <= 32:
        key = "small"
    elif resize < 96:
        key = "medium"
    else:
        key = "large"
    train_size, test_size = _QUICK_SIZES[key]
    return train_size if train else test_size
