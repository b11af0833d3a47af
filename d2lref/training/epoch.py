"""The parts of ``train_ch6``: one epoch's batch loop, its metrics and the plot snapshots.

The loss sums and correct counts stay tensors on the device and are read once per epoch,
instead of a ``float()`` (a device synchronization) after every batch as in the book.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

import torch
from torch import nn

from d2lref.plotting import Animator
from d2lref.training.checks import check_output_shape, raise_if_loss_not_finite
from d2lref.training.metrics import correct_count

__all__ = ["DeviceTimer", "EpochMetrics", "train_epoch_ch6"]


class EpochMetrics:
    """Loss sum, correct predictions and examples of one epoch, summed on ``device``.

    As in the book, the running train loss and accuracy are plotted 5 times per
    epoch: those snapshots are kept as tensors too and read with the rest when the
    epoch is over.
    """

    def __init__(self, epoch: int, num_batches: int, device: torch.device) -> None:
        self.epoch, self.num_batches, self.device = epoch, num_batches, device
        self.plot_every = max(1, num_batches // 5)
        self.loss_sum = torch.zeros((), device=device)
        self.correct = torch.zeros((), device=device, dtype=torch.int64)
        self.count = 0
        self.batch_losses: list[torch.Tensor] = []  # read if the loss is not finite
        self.snapshots: list[tuple[float, torch.Tensor, torch.Tensor, int]] = []

    def add(self, mean_loss: torch.Tensor, y_hat: torch.Tensor, y: torch.Tensor,
            num_examples: int) -> None:
        """Add a minibatch: its mean loss, its predictions and labels, its size."""
        with torch.no_grad():
            self.loss_sum += mean_loss.detach() * num_examples
            self.correct += correct_count(y_hat, y)
        self.batch_losses.append(mean_loss.detach())
        self.count += num_examples
        batch = len(self.batch_losses)
        if batch % self.plot_every == 0 or batch == self.num_batches:
            x = self.epoch + batch / self.num_batches
            self.snapshots.append(
                (x, self.loss_sum.clone(), self.correct.clone(), self.count))

    def finish(self) -> tuple[float, float]:
        """``(train loss, train accuracy)`` of the epoch, read from the device."""
        if self.count == 0:
            raise ValueError("train_iter gave no examples; check the data loader.")
        raise_if_loss_not_finite(self.loss_sum, self.batch_losses, self.epoch + 1)
        return float(self.loss_sum) / self.count, float(self.correct) / self.count

    def plot(self, animator: Animator) -> None:
        """Add the epoch's snapshots of train loss and accuracy to ``animator``."""
        for x, loss_sum, correct, count in self.snapshots:
            animator.add(x, (float(loss_sum) / count, float(correct) / count, None))


def train_epoch_ch6(net: nn.Module, train_iter: Iterable, loss: Callable,
                    optimizer: torch.optim.Optimizer, metrics: EpochMetrics,
                    channels_last: bool = False) -> None:
    """One pass over ``train_iter`` on ``metrics.device``; each batch goes to
    ``metrics``."""
    net.train()
    device = metrics.device
    with _progress(metrics.num_batches, f"epoch {metrics.epoch + 1}") as bar:
        for X, y in train_iter:
            X, y = X.to(device, non_blocking=True), y.to(device, non_blocking=True)
            if channels_last and X.dim() == 4:
                X = X.contiguous(memory_format=torch.channels_last)
            optimizer.zero_grad(set_to_none=True)
            y_hat = net(X)
            if metrics.count == 0:
                check_output_shape(y_hat, y)  # before the first optimization step
            mean_loss = loss(y_hat, y)
            mean_loss.backward()
            optimizer.step()
            metrics.add(mean_loss, y_hat, y, X.shape[0])
            bar.update()


class DeviceTimer:
    """Seconds spent in ``with`` blocks, waiting at both ends for the device's queued work."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.seconds = 0.0
        self._start = 0.0

    def __enter__(self) -> DeviceTimer:
        _sync(self.device)
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc_info: object) -> None:
        _sync(self.device)
        self.seconds += time.perf_counter() - self._start


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


class _NoBar:
    """Stands in for a progress bar where nobody watches a terminal."""

    def update(self, n: int = 1) -> None:
        pass

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None


def _progress(total: int, description: str) -> Any:
    """A tqdm bar over batches, only when someone watches a terminal."""
    if not sys.stderr.isatty():
        return _NoBar()  # notebooks, CI logs and captured output get no bar
    try:
        from tqdm import tqdm  # the terminal bar (tqdm.auto warns in kernels without widgets)
    except ImportError:  # tqdm is a dependency, but a bar is never worth a crash
        return _NoBar()
    return tqdm(total=total, desc=description, leave=False, unit="batch")
