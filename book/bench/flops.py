"""FLOP counts of one training step and the measured matmul peak of a device."""

from __future__ import annotations

import time

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

__all__ = ["count_training_flops", "measure_matmul_peak"]


def count_training_flops(net: nn.Module, input_shape: tuple[int, ...],
                         num_classes: int = 10) -> float:
    """Training FLOPs per example: one forward and backward pass of a batch, divided by it.

    Counted by PyTorch's own ``FlopCounterMode`` (matmuls and convolutions; element-wise ops
    are not counted, as usual for MFU). ``input_shape`` includes the batch dimension.
    """
    if len(input_shape) < 2 or input_shape[0] < 1:
        raise ValueError(f"input_shape must be (batch, ...) with batch >= 1, got {input_shape}.")
    device = next(net.parameters()).device
    X = torch.rand(input_shape, device=device)
    y = torch.randint(0, num_classes, (input_shape[0],), device=device)
    counter = FlopCounterMode(display=False)
    with counter:
        loss = nn.functional.cross_entropy(net(X), y)
        loss.backward()
    net.zero_grad(set_to_none=True)
    return counter.get_total_flops() / input_shape[0]


def measure_matmul_peak(device: torch.device | str, dtype: torch.dtype = torch.float32,
                        size: int | None = None, seconds: float = 1.0) -> float:
    """Achievable FLOP/s of a square matmul loop on ``device`` (the denominator of MFU)."""
    device = torch.device(device)
    if size is None:
        size = 8192 if device.type == "cuda" else 1024
    a = torch.randn(size, size, device=device, dtype=dtype)
    b = torch.randn(size, size, device=device, dtype=dtype)
    out = torch.empty(size, size, device=device, dtype=dtype)

    def sync() -> None:
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    for _ in range(3):  # warm-up: kernel selection, caches, clocks
        torch.matmul(a, b, out=out)
    sync()
    iterations, start = 0, time.perf_counter()
    while True:
        for _ in range(10):
            torch.matmul(a, b, out=out)
        iterations += 10
        sync()
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            break
    return 2.0 * size**3 * iterations / elapsed
