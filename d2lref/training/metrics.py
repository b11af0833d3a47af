"""Counting helpers of the book: Accumulator, Timer, accuracy and the evaluation loops."""

from __future__ import annotations

import operator
import time
from collections.abc import Callable, Iterable

import numpy as np
import torch
from torch import nn

__all__ = [
    "Accumulator",
    "Timer",
    "accuracy",
    "correct_count",
    "evaluate_accuracy",
    "evaluate_accuracy_gpu",
    "evaluate_loss",
]


class Accumulator:
    """Sum ``n`` running values (e.g. loss sum, correct predictions, example count)."""

    def __init__(self, n: int) -> None:
        try:
            n = operator.index(n)  # NumPy integers too
        except TypeError:
            raise TypeError(
                f"Accumulator(n) needs an int number of values, got {n!r}."
            ) from None
        if n < 0:
            raise ValueError(f"Accumulator needs a number of values >= 0, got n={n}.")
        self.data = [0.0] * n

    def add(self, *args: float) -> None:
        if len(args) != len(self.data):
            raise ValueError(
                f"Accumulator of {len(self.data)} values was given {len(args)}."
            )
        self.data = [a + float(b) for a, b in zip(self.data, args, strict=True)]

    def reset(self) -> None:
        self.data = [0.0] * len(self.data)

    def __getitem__(self, idx: int) -> float:
        return self.data[idx]

    def __len__(self) -> int:
        return len(self.data)


class Timer:
    """Record several running times (starts on creation, as the book's ``Timer``)."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.start()

    def start(self) -> None:
        """Start the timer."""
        self.tik = time.perf_counter()

    def stop(self) -> float:
        """Stop the timer, record the elapsed seconds and return them."""
        self.times.append(time.perf_counter() - self.tik)
        return self.times[-1]

    def avg(self) -> float:
        """Average of the recorded times."""
        if not self.times:
            raise ValueError("Timer has no recorded time yet; call stop() first.")
        return sum(self.times) / len(self.times)

    def sum(self) -> float:
        """Sum of the recorded times."""
        return sum(self.times)

    def cumsum(self) -> list[float]:
        """Cumulative sums of the recorded times."""
        return np.array(self.times).cumsum().tolist()


def correct_count(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Number of correct predictions, a 0-d tensor on ``y``'s device (no sync).

    ``y_hat`` holds class scores ``(batch, classes)`` or predictions shaped like
    ``y``; other shapes would broadcast against ``y`` and count pairs, not examples:
    they raise.
    """
    predictions = y_hat
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        predictions = y_hat.argmax(dim=1)
    if predictions.shape != y.shape:
        raise ValueError(_shape_mismatch(y_hat, y))
    cmp = predictions.type(y.dtype) == y
    return cmp.type(y.dtype).sum()


def _shape_mismatch(y_hat: torch.Tensor, y: torch.Tensor) -> str:
    scores, labels = tuple(y_hat.shape), tuple(y.shape)
    message = (f"accuracy: y_hat has shape {scores} but the labels y have shape {labels}; "
               f"expected class scores (batch, classes) with 2 or more classes, or predicted "
               f"labels of shape {labels}.")
    if y_hat.dim() == 2 and y_hat.shape[1] == 1:
        message += (" One score per example is not a class: give the model one output per "
                    "class (nn.Linear(..., num_classes)), or for a single-output binary "
                    "classifier compare (y_hat.reshape(-1) > 0).long() with y.")
    return message


def accuracy(y_hat: torch.Tensor, y: torch.Tensor) -> float:
    """Number of correct predictions (a count, as in the book; divide by ``len(y)`` for
    a rate).

    ``y_hat`` holds class scores ``(batch, classes)`` or predicted classes ``(batch,)``.
    """
    return float(correct_count(y_hat, y))


def evaluate_accuracy(net, data_iter: Iterable) -> float:
    """Accuracy of ``net`` (a module or a function) on the examples of ``data_iter``."""
    if isinstance(net, nn.Module):
        net.eval()
    correct, count = None, 0
    with torch.no_grad():
        for X, y in data_iter:
            batch_correct = correct_count(net(X), y)
            correct = batch_correct if correct is None else correct + batch_correct
            count += y.numel()
    if count == 0 or correct is None:
        raise ValueError("data_iter gave no examples; cannot compute an accuracy.")
    return float(correct) / count


def evaluate_accuracy_gpu(net: nn.Module, data_iter: Iterable,
                          device: torch.device | str | None = None) -> float:
    """Accuracy of ``net`` on ``data_iter``, on ``device`` (default: the model's)."""
    if isinstance(net, nn.Module):
        net.eval()
        if device is None:
            device = next(iter(net.parameters())).device
    correct, count = None, 0
    with torch.no_grad():
        for X, y in data_iter:
            if isinstance(X, list):
                X = [x.to(device, non_blocking=True) for x in X]
            else:
                X = X.to(device, non_blocking=True)
            y = y.to(device, non_blocking=True)
            batch_correct = correct_count(net(X), y)
            correct = batch_correct if correct is None else correct + batch_correct
            count += y.numel()
    if count == 0 or correct is None:
        raise ValueError("data_iter gave no examples; cannot compute an accuracy.")
    return float(correct) / count  # one synchronization for the whole pass


def evaluate_loss(net, data_iter: Iterable, loss: Callable) -> float:
    """Mean of ``loss`` over every label of ``data_iter`` (the book's model-selection helper).

    Labels are reshaped like the model's output, as for a regression model with one output
    per label; ``loss`` should keep one value per example (``reduction="none"``).
    """
    metric = Accumulator(2)  # sum of losses, number of loss values
    with torch.no_grad():  # evaluation only: no graph to keep (same values as with one)
        for X, y in data_iter:
            out = net(X)
            try:
                y = y.reshape(out.shape)
            except RuntimeError:
                raise ValueError(
                    f"labels of shape {tuple(y.shape)} cannot take the model's output shape "
                    f"{tuple(out.shape)}; evaluate_loss compares one output per label (a "
                    "regression model). For class scores use evaluate_accuracy.") from None
            losses = loss(out, y)
            metric.add(losses.sum(), losses.numel())
    if metric[1] == 0:
        raise ValueError("data_iter gave no examples; cannot compute a loss.")
    return metric[0] / metric[1]
