"""Checks shared by the training loops: the updater, the learning rate, the epoch count and
the loss, each failing with an error that names the problem and the fix."""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Sequence

import torch

from d2lref import config

__all__ = [
    "check_learning_rate",
    "check_output_shape",
    "check_updater",
    "epochs_to_train",
    "output_shape_problem",
    "raise_if_loss_not_finite",
]


def check_learning_rate(lr, owner: str = "lr") -> None:
    """Refuse a learning rate that is not a finite number (NaN or inf train to NaN silently)."""
    if isinstance(lr, torch.Tensor):
        value = float(lr) if lr.numel() == 1 else math.nan
    elif isinstance(lr, numbers.Real) and not isinstance(lr, bool):
        value = float(lr)
    else:
        raise TypeError(f"{owner} must be a number, got {type(lr).__name__} ({lr!r}); "
                        "pass e.g. lr=0.1.")
    if not math.isfinite(value):
        raise ValueError(f"{owner} is {value}, which trains every parameter to NaN; pass a "
                         "finite learning rate such as lr=0.1.")


def check_updater(updater) -> None:
    """Accept a ``torch.optim`` optimizer (with finite learning rates) or a callable
    ``updater(batch_size)``; anything else is refused before any gradient is computed."""
    if isinstance(updater, torch.optim.Optimizer):
        for i, group in enumerate(updater.param_groups):
            if "lr" in group:
                check_learning_rate(group["lr"], f"the optimizer's learning rate (group {i})")
        return
    if not callable(updater):
        raise TypeError(
            f"updater must be a torch.optim optimizer, e.g. torch.optim.SGD(net.parameters(), "
            f"lr=0.1), or a function updater(batch_size) that updates the parameters, e.g. "
            f"lambda batch_size: d2l.sgd([W, b], lr, batch_size); got "
            f"{type(updater).__name__} ({updater!r}).")


def epochs_to_train(num_epochs) -> int:
    """``num_epochs`` as an int (NumPy integers included), capped in quick mode."""
    try:
        count = operator.index(num_epochs)
    except TypeError:
        raise ValueError(f"num_epochs must be a positive int, got {num_epochs!r}.") from None
    return config.effective_epochs(count)


def output_shape_problem(y_hat: torch.Tensor, y: torch.Tensor) -> str | None:
    """Why a classifier's output ``y_hat`` does not fit class labels ``y``, or None.

    Only integer labels of shape ``(batch,)`` are judged: cross-entropy then needs scores of
    shape ``(batch, C)`` with ``C`` above the largest label. Other labels (a regression
    target, soft labels) are the loss's business.
    """
    if not isinstance(y_hat, torch.Tensor) or not isinstance(y, torch.Tensor):
        return None
    if y.dim() != 1 or y.dtype.is_floating_point or y.dtype.is_complex or y.dtype == torch.bool:
        return None
    batch = y.shape[0]
    if y_hat.dim() == 2 and y_hat.shape[0] == batch:
        max_label = int(y.max()) if y.numel() else -1
        if y_hat.shape[1] > max_label:
            return None
        return (f"the model outputs {y_hat.shape[1]} class scores per example (shape "
                f"{tuple(y_hat.shape)}), but a label is {max_label}; expected shape "
                f"({batch}, C) with C > {max_label}. Make the last layer output one score "
                "per class.")
    hint = (" Add nn.Flatten() before the fully connected layers (or reshape the output)."
            if y_hat.dim() > 2 else "")
    return (f"the model's output has shape {tuple(y_hat.shape)}, expected (batch, classes) = "
            f"({batch}, C): one row of class scores per example.{hint}")


def check_output_shape(y_hat: torch.Tensor, y: torch.Tensor) -> None:
    """Raise a clear error when a classifier's output does not fit its class labels."""
    problem = output_shape_problem(y_hat, y)
    if problem is not None:
        raise ValueError(problem)


def raise_if_loss_not_finite(loss_sum: torch.Tensor, batch_losses: Sequence[torch.Tensor],
                             epoch: int | None = None) -> None:
    """Stop training with a clear error when the summed loss of an epoch is NaN or inf.

    ``batch_losses`` holds each batch's loss (0-d tensors, still on the device): they are only
    read here, once the epoch is over, to name the first batch whose loss was not finite.
    """
    total = float(loss_sum)
    if math.isfinite(total):
        return
    values = torch.stack([value.reshape(()).float().cpu() for value in batch_losses])
    bad = torch.nonzero(~torch.isfinite(values))
    # A sum of finite losses can still overflow: then no single batch is to blame.
    first = int(bad[0]) if len(bad) else int(torch.argmax(values)) if len(values) else 0
    value = float(values[first]) if len(values) else total
    where = f"epoch {epoch}, batch {first + 1}" if epoch is not None else f"batch {first + 1}"
    raise FloatingPointError(
        f"the training loss became {value} at {where} of {len(batch_losses)}; training "
        "stopped because every parameter would turn NaN. Try a smaller learning rate (e.g. "
        "10 times smaller), check the inputs and labels for NaN or inf "
        "(torch.isfinite(X).all()), and compute cross-entropy from raw scores "
        "(nn.CrossEntropyLoss) rather than log(softmax(...)).")
