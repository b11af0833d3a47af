"""Channels-last against the default memory layout: training steps of the modern CNNs, timed.

``train_ch6(..., channels_last=True)`` stores images and weights channels-last. Whether that
is faster depends on the GPU, the cuDNN version and the layer shapes, so it is measured: the
same SGD steps of every modern-CNN page's model, at the page's batch size and image size, in
both layouts (with the settings ``train_ch6`` uses on CUDA). ``python -m book.bench layout``.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import torch
from torch import nn

from book.bench.estimate import PAGE_MODELS, page_settings
from book.bench.report import format_table

__all__ = ["format_layouts", "measure_layouts"]

LAYOUTS = {"contiguous": torch.contiguous_format, "channels_last": torch.channels_last}


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _seconds_per_step(builder: str, memory_format: torch.memory_format, batch: int, size: int,
                      lr: float, device: torch.device, steps: int, warmup: int) -> float:
    import d2lref.models as models

    torch.manual_seed(0)
    net = getattr(models, builder)().to(device, memory_format=memory_format)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    X = torch.rand(batch, 1, size, size, device=device).contiguous(memory_format=memory_format)
    y = torch.randint(0, 10, (batch,), device=device)
    start = 0.0
    for step in range(warmup + steps):
        if step == warmup:
            _sync(device)
            start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        nn.functional.cross_entropy(net(X), y).backward()
        optimizer.step()
    _sync(device)
    return (time.perf_counter() - start) / steps


def measure_layouts(steps: int = 30, warmup: int = 5, batch: int | None = None,
                    device: str | None = None) -> dict[str, Any]:
    """Seconds per training step of each page's model in both layouts, and the speed-up."""
    if steps < 1 or warmup < 0:
        raise ValueError(f"steps must be >= 1 and warmup >= 0, got {steps} and {warmup}.")
    target = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    settings_used: dict[str, bool] = {}
    if target.type == "cuda":
        from d2lref.training.loops import _fast_cuda_math

        settings_used = _fast_cuda_math()
    rows = []
    for page, builder in PAGE_MODELS.items():
        settings = page_settings(page)
        size = settings["resize"] or 28
        size_batch = batch or settings["batch_size"]
        seconds = {name: _seconds_per_step(builder, memory_format, size_batch, size,
                                           settings["lr"], target, steps, warmup)
                   for name, memory_format in LAYOUTS.items()}
        rows.append({"page": page, "model": builder, "batch_size": size_batch, "size": size,
                     "seconds_per_step": seconds,
                     "channels_last_speedup": seconds["contiguous"] / seconds["channels_last"]})
    name = torch.cuda.get_device_name(target) if target.type == "cuda" else "CPU"
    return {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "device": name, "torch": torch.__version__, "steps": steps, "warmup": warmup,
            "cuda_settings": settings_used, "pages": rows}


def format_layouts(result: dict[str, Any]) -> str:
    """One row per page: milliseconds per step in each layout and the channels-last speed-up."""
    rows = [[row["page"].split("/")[-1][:-3], row["batch_size"], row["size"],
             f"{row['seconds_per_step']['contiguous'] * 1e3:.2f}",
             f"{row['seconds_per_step']['channels_last'] * 1e3:.2f}",
             f"{row['channels_last_speedup']:.2f}x"] for row in result["pages"]]
    return format_table(["page", "batch", "size", "ms/step", "channels-last ms/step",
                         "speed-up"], rows)
