"""Batch normalization (Ioffe & Szegedy, 2015) from scratch, and LeNet with it."""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["BatchNorm", "batch_norm", "lenet_bn", "lenet_bn_scratch"]


def batch_norm(
    X: torch.Tensor,
    gamma: torch.Tensor,
    beta: torch.Tensor,
    moving_mean: torch.Tensor,
    moving_var: torch.Tensor,
    eps: float,
    momentum: float,
    *,
    training: bool,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Batch-normalize ``X`` and return ``(Y, new_moving_mean, new_moving_var)``.

    ``X`` is ``(batch, features)`` after a dense layer or ``(batch, channels, h, w)``
    after a convolution (statistics per channel, over batch, height and width).
    ``training`` picks the mode: minibatch statistics and updated moving averages when
    True, the moving averages when False. ``momentum`` is the weight of the *old* moving
    average (the book's 0.9 is PyTorch's ``momentum=0.1``).
    """
    if X.dim() not in (2, 4):
        raise ValueError(
            "batch_norm expects a 2-D (batch, features) or 4-D (batch, channels, h, "
            f"w) tensor, got shape {tuple(X.shape)}; flatten or reshape the input first"
        )
    if not training:
        # Prediction mode: the statistics of the whole training set (moving averages),
        # so the output of one example does not depend on the rest of its batch.
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
        return gamma * X_hat + beta, moving_mean, moving_var
    if X.dim() == 2:
        dims: tuple[int, ...] = (0,)
    else:
        # keepdim so that mean and var broadcast against (batch, channels, h, w).
        dims = (0, 2, 3)
    count = X.numel() // X.shape[1]
    if count < 2:
        raise ValueError(
            "batch_norm in training mode needs more than one value per "
            f"feature/channel to estimate a variance, got shape {tuple(X.shape)}; use "
            "a batch size > 1"
        )
    mean = X.mean(dim=dims, keepdim=X.dim() == 4)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=X.dim() == 4)
    X_hat = (X - mean) / torch.sqrt(var + eps)
    with torch.no_grad():
        # The moving variance estimates the population variance, so it uses the unbiased
        # estimate (divide by count - 1), as nn.BatchNorm does; normalizing uses the
        # biased one.
        unbiased_var = var * count / (count - 1)
        new_mean = momentum * moving_mean + (1.0 - momentum) * mean
        new_var = momentum * moving_var + (1.0 - momentum) * unbiased_var
    return gamma * X_hat + beta, new_mean, new_var


class BatchNorm(nn.Module):
    """A batch normalization layer built on :func:`batch_norm`.

    ``num_features``: outputs of a dense layer or output channels of a convolution;
    ``num_dims``: 2 after a dense layer, 4 after a convolution. The moving statistics
    are registered buffers: they move with ``.to(device)``, are saved in
    ``state_dict()`` and are not trained by the optimizer.
    """

    moving_mean: torch.Tensor  # buffers, registered in __init__
    moving_var: torch.Tensor

    def __init__(
        self, num_features: int, num_dims: int, eps: float = 1e-5, momentum: float = 0.9
    ) -> None:
        super().__init__()
        if num_dims == 2:
            shape: tuple[int, ...] = (1, num_features)
        elif num_dims == 4:
            shape = (1, num_features, 1, 1)
        else:
            raise ValueError(
                f"num_dims must be 2 (after a dense layer) or 4 (after a convolution), "
                f"got {num_dims}"
            )
        self.eps = eps
        self.momentum = momentum
        # Scale and shift are learned; start as the identity transform.
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.register_buffer("moving_mean", torch.zeros(shape))
        self.register_buffer("moving_var", torch.ones(shape))

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        Y, moving_mean, moving_var = batch_norm(
            X, self.gamma, self.beta, self.moving_mean, self.moving_var,
            eps=self.eps, momentum=self.momentum, training=self.training,
        )
        # Assigning a tensor to a buffer's name replaces the buffer (it stays a buffer).
        self.moving_mean, self.moving_var = moving_mean, moving_var
        return Y


def lenet_bn_scratch() -> nn.Sequential:
    """LeNet with the from-scratch :class:`BatchNorm` after every conv and dense layer
    (before the sigmoid), for 28x28 inputs."""
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5), BatchNorm(6, num_dims=4), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), BatchNorm(16, num_dims=4), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(16 * 4 * 4, 120), BatchNorm(120, num_dims=2), nn.Sigmoid(),
        nn.Linear(120, 84), BatchNorm(84, num_dims=2), nn.Sigmoid(),
        nn.Linear(84, 10),
    )


def lenet_bn() -> nn.Sequential:
    """The same network with PyTorch's ``nn.BatchNorm2d`` / ``nn.BatchNorm1d``."""
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5), nn.BatchNorm2d(6), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.BatchNorm2d(16), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(16 * 4 * 4, 120), nn.BatchNorm1d(120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.BatchNorm1d(84), nn.Sigmoid(),
        nn.Linear(84, 10),
    )
