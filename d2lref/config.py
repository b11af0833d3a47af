"""Run-wide settings: the run mode, the data root, downloads, seeds and the quick-mode policy.

Everything that depends on ``D2LREF_MODE`` lives here, so a snippet never looks at the mode
itself: loaders ask :func:`quick_subset_size`, training loops ask :func:`effective_epochs`.
Whatever quick mode changes is also reported with :func:`note_quick_mode`, so that the
book labels as quick only the outputs the mode changed.
"""

from __future__ import annotations

import os
import pathlib
import random
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from d2lref._kernel import publish_to_runner

# Re-exported by the facade (``from d2lref import torch as d2l``); the download settings
# (DownloadSettings, download_settings, data_mirror_url, downloads_off_reason) stay here.
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

QUICK_MODE_MIME_TYPE = "application/vnd.d2lref.quick-mode+json"
"""The output type of :func:`note_quick_mode`'s notes (read, and removed, by the runner)."""


def note_quick_mode(kind: str, **facts: Any) -> None:
    """Tell the book's runner that quick mode changed what the running cell computes.

    ``kind`` is ``"subset"`` (a data set cut to ``kept`` of ``total`` examples of a
    ``split``), ``"epochs"`` (``ran`` of ``requested`` epochs) or ``"train"`` (a training
    loop ran ``epochs`` of ``requested`` epochs, ``steps`` optimizer steps on ``examples``
    examples). Only inside the runner's kernels; elsewhere nothing happens.
    """
    publish_to_runner(QUICK_MODE_MIME_TYPE, {"kind": kind, **facts})


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


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _env_flag(name: str) -> bool | None:
    """``True``/``False`` for a set yes/no variable, ``None`` when unset or empty."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name}={os.environ[name]!r} is not a yes/no value; set it to 1 or 0.")


def downloads_off_reason(requested: bool | None = None) -> str | None:
    """Why a missing data file may not be downloaded now, or ``None`` when it may.

    Order: ``D2LREF_OFFLINE=1`` always wins (the test suite and CI set it, so they can never
    reach the network); then a loader's ``download=`` argument; then
    ``D2LREF_ALLOW_DOWNLOAD`` (``0`` turns the default off, ``1`` is the default anyway);
    by default missing data is downloaded, like the original d2l.
    """
    if _env_flag("D2LREF_OFFLINE"):
        return "D2LREF_OFFLINE=1 is set"
    if requested is not None:
        return None if requested else "download=False was passed"
    if _env_flag("D2LREF_ALLOW_DOWNLOAD") is False:
        return "D2LREF_ALLOW_DOWNLOAD=0 is set"
    return None


def how_to_allow_downloads(reason: str) -> str:
    """The fix for a reason given by :func:`downloads_off_reason`."""
    if reason.startswith("D2LREF_OFFLINE"):
        return "unset D2LREF_OFFLINE (or set it to 0) to allow the download"
    if reason.startswith("download="):
        return "pass download=True (or leave it out) to allow the download"
    return "unset D2LREF_ALLOW_DOWNLOAD or pass download=True to allow the download"


def downloads_allowed(requested: bool | None = None) -> bool:
    """True when a missing data file may be downloaded (see :func:`downloads_off_reason`)."""
    return downloads_off_reason(requested) is None


def data_mirror_url() -> str | None:
    """The mirror that replaces the default download hosts (``D2LREF_DATA_URL``), or None.

    A mirror serves the layout of a data root: ``FashionMNIST/raw/<name>.gz`` and
    ``kaggle_house/<name>.csv``; any other ``DATA_HUB`` file at its path below ``DATA_URL``.
    """
    base = os.environ.get("D2LREF_DATA_URL", "").strip()
    if not base:
        return None
    if "://" not in base:
        raise ValueError(f"D2LREF_DATA_URL={base!r} is not a URL; set it to the mirror's base "
                         "URL, e.g. http://mirror.example/d2l-data/ or file:///srv/d2l-data/.")
    return base if base.endswith("/") else base + "/"


@dataclass(frozen=True)
class DownloadSettings:
    """Timeouts and retries of every download (seconds; ``attempts`` counts the first try).

    Once connected, an attempt must receive at least ``min_rate`` bytes per second over every
    ``read_timeout`` window (headers included): a silent server and a server that trickles
    bytes fail alike, ``read_timeout`` after the last good window.
    """

    connect_timeout: float = 5.0
    read_timeout: float = 12.0
    attempts: int = 3
    backoff: float = 1.0
    min_rate: float = 1024.0

    def __post_init__(self) -> None:
        for name in ("connect_timeout", "read_timeout"):
            value = getattr(self, name)
            if not value > 0:
                raise ValueError(f"download {name} ({_SETTINGS_ENV[name][0]}) must be > 0 "
                                 f"seconds, got {value!r}.")
        if not (isinstance(self.attempts, int) and self.attempts >= 1):
            raise ValueError("download attempts (D2LREF_DOWNLOAD_ATTEMPTS) must be an int >= 1, "
                             f"got {self.attempts!r}.")
        if not self.backoff >= 0:
            raise ValueError("download backoff (D2LREF_DOWNLOAD_BACKOFF) must be >= 0 seconds, "
                             f"got {self.backoff!r}.")
        if not self.min_rate >= 0:
            raise ValueError("download minimum rate (D2LREF_DOWNLOAD_MIN_RATE) must be >= 0 "
                             f"bytes per second, got {self.min_rate!r}.")

    def backoff_delays(self) -> list[float]:
        """The pauses between attempts: ``backoff``, then doubled each time."""
        return [self.backoff * 2**index for index in range(self.attempts - 1)]

    def worst_case_seconds(self) -> float:
        """The longest a download from a server that sends nothing, or less than
        ``min_rate``, can take before it gives up.

        Each attempt waits at most ``connect_timeout`` for the connection (TLS handshake
        included), then fails at the end of the first ``read_timeout`` window that brought
        fewer than ``min_rate * read_timeout`` bytes; the pauses come between attempts.
        Name resolution (DNS) is up to the operating system and not counted.
        """
        per_attempt = self.connect_timeout + self.read_timeout
        return self.attempts * per_attempt + sum(self.backoff_delays())


_SETTINGS_ENV = {
    "connect_timeout": ("D2LREF_CONNECT_TIMEOUT", float),
    "read_timeout": ("D2LREF_READ_TIMEOUT", float),
    "attempts": ("D2LREF_DOWNLOAD_ATTEMPTS", int),
    "backoff": ("D2LREF_DOWNLOAD_BACKOFF", float),
    "min_rate": ("D2LREF_DOWNLOAD_MIN_RATE", float),
}


def download_settings(**overrides: float) -> DownloadSettings:
    """The download settings: defaults, then ``D2LREF_CONNECT_TIMEOUT``,
    ``D2LREF_READ_TIMEOUT``, ``D2LREF_DOWNLOAD_ATTEMPTS``, ``D2LREF_DOWNLOAD_BACKOFF``,
    ``D2LREF_DOWNLOAD_MIN_RATE``, then ``overrides`` (keyword names of
    :class:`DownloadSettings`)."""
    values: dict[str, Any] = {}  # each field's own type: int attempts, float seconds
    for field, (variable, kind) in _SETTINGS_ENV.items():
        text = os.environ.get(variable, "").strip()
        if text:
            try:
                values[field] = kind(text)
            except ValueError:
                raise ValueError(f"{variable}={text!r} is not a number; unset it or give e.g. "
                                 f"{getattr(DownloadSettings, field)!r}.") from None
    values.update(overrides)
    return DownloadSettings(**values)


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
    if get_mode() == "quick" and num_epochs > QUICK_MAX_EPOCHS:
        note_quick_mode("epochs", ran=QUICK_MAX_EPOCHS, requested=num_epochs)
        return QUICK_MAX_EPOCHS
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
