"""The from-scratch linear regression pieces: model, loss and minibatch SGD."""

from __future__ import annotations

from collections.abc import Iterable

import torch

from d2lref.training.checks import check_learning_rate

__all__ = ["linreg", "sgd", "squared_loss"]


def linreg(X: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The linear regression model ``Xw + b``."""
    return torch.matmul(X, w) + b


def squared_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Squared loss ``(y_hat - y)**2 / 2`` per example, ``y`` reshaped as ``y_hat``."""
    if y.numel() != y_hat.numel():
        raise ValueError(
            f"squared_loss compares one prediction per label, but y_hat has shape "
            f"{tuple(y_hat.shape)} and y has shape {tuple(y.shape)}; the model "
            "should output one value per example, e.g. shape (batch, 1)."
        )
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params: Iterable[torch.Tensor], lr: float, batch_size: int) -> None:
    """Minibatch SGD: ``param -= lr * grad / batch_size``, then zero the gradients.

    The loss is summed over the minibatch, so dividing by ``batch_size`` makes the step
    size independent of the batch size.
    """
    check_learning_rate(lr)
    try:
        positive = float(batch_size) > 0  # ints, NumPy integers, 1-element tensors
    except (TypeError, ValueError, RuntimeError):
        positive = False
    if not positive:
        raise ValueError(
            f"batch_size must be a number of examples > 0, got {batch_size!r}; "
            "pass the minibatch size, e.g. X.shape[0]."
        )
    with torch.no_grad():
        for param in params:
            if param.grad is None:
                raise ValueError(
                    "sgd got a parameter without a gradient; create it with "
                    "requires_grad=True and call backward() on the loss first."
                )
            param -= lr * param.grad / batch_size
            param.grad.zero_()
