"""Pick the device to compute on: CUDA first, then Apple MPS, then the CPU."""

from __future__ import annotations

import functools
import operator
import platform

import torch

__all__ = ["device_name", "num_gpus", "try_all_gpus", "try_gpu"]


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def num_gpus() -> int:
    """Number of accelerators: CUDA devices, else 1 when Apple MPS is available, else 0."""
    if torch.cuda.is_available():
        return torch.cuda.device_count()
    return 1 if _mps_available() else 0


def try_gpu(i: int = 0) -> torch.device:
    """Return accelerator ``i`` (``cuda:i``; ``mps`` for i=0) if it exists, else CPU."""
    try:
        i = operator.index(i)  # NumPy integers too, as the original accepts them
    except TypeError:
        raise ValueError(f"try_gpu expects a GPU index >= 0, got {i!r}.") from None
    if isinstance(i, bool) or i < 0:
        raise ValueError(f"try_gpu expects a GPU index >= 0, got {i!r}.")
    if torch.cuda.is_available() and i < torch.cuda.device_count():
        return torch.device(f"cuda:{i}")
    if not torch.cuda.is_available() and i == 0 and _mps_available():
        return torch.device("mps")
    return torch.device("cpu")


def try_all_gpus() -> list[torch.device]:
    """Return every accelerator, or ``[cpu]`` when there is none (as in the book)."""
    if torch.cuda.is_available():
        return [torch.device(f"cuda:{i}") for i in range(torch.cuda.device_count())]
    if _mps_available():
        return [torch.device("mps")]
    return [torch.device("cpu")]


@functools.lru_cache(maxsize=1)
def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass  # not Linux: fall back to what the platform module knows
    return platform.processor() or platform.machine() or "CPU"


def device_name(device: torch.device | str | int) -> str:
    """A human name for ``device``: the GPU's name, ``"Apple MPS"`` or the CPU model."""
    device = torch.device(f"cuda:{device}" if isinstance(device, int) else device)
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    if device.type == "mps":
        return "Apple MPS"
    if device.type == "cpu":
        return _cpu_model()
    return str(device)
