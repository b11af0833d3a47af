"""LeNet-5 as the book builds it: sigmoid activations and average pooling on 28×28 inputs."""

from __future__ import annotations

from torch import nn

__all__ = ["lenet"]


def lenet() -> nn.Sequential:
    """Return the book's LeNet: two 5×5 conv + sigmoid + 2×2 avg-pool blocks, three
    dense layers.

    The first convolution pads by 2 so that a 28×28 Fashion-MNIST image keeps the 28×28
    size the original 32×32 LeNet input had after its first layer.
    """
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10),
    )
