"""ResNet (He et al., 2016): residual blocks that learn f(x) - x instead of f(x)."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["Residual", "resnet18", "resnet_block"]


class Residual(nn.Module):
    """A residual block: two 3x3 conv + batch-norm layers, output added to the input.

    With ``use_1x1conv=True`` a 1x1 convolution (with the same ``strides``) reshapes the
    input on the shortcut, so the block may change the channel count and the resolution.
    """

    def __init__(
        self,
        input_channels: int,
        num_channels: int,
        use_1x1conv: bool = False,
        strides: int = 1,
    ) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1,
                               stride=strides)
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1)
        self.conv3: nn.Conv2d | None = None
        if use_1x1conv:
            self.conv3 = nn.Conv2d(
                input_channels, num_channels, kernel_size=1, stride=strides
            )
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.bn2 = nn.BatchNorm2d(num_channels)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3 is not None:
            X = self.conv3(X)
        elif not _addable(Y.shape, X.shape):
            raise ValueError(
                f"this Residual block turns input of shape {tuple(X.shape)} into "
                f"{tuple(Y.shape)}, so the input cannot be added to the output; create "
                "it with use_1x1conv=True when it changes the channels or uses "
                "strides > 1"
            )
        # The shortcut joins before the last ReLU.
        Y = Y + X
        return F.relu(Y)


def _addable(out_shape: torch.Size, in_shape: torch.Size) -> bool:
    """True when the input can be added to the output in place (the book's ``Y += X``)."""
    try:
        return torch.broadcast_shapes(out_shape, in_shape) == out_shape
    except RuntimeError:
        return False


def resnet_block(
    input_channels: int,
    num_channels: int,
    num_residuals: int,
    first_block: bool = False,
) -> list[nn.Module]:
    """Return ``num_residuals`` residual blocks (a list, as in the book, to unpack into
    ``nn.Sequential``). Except in the first stage, the first block halves height and
    width and changes the channels through a 1x1 shortcut convolution."""
    blk: list[nn.Module] = []
    for i in range(num_residuals):
        if i == 0 and not first_block:
            blk.append(
                Residual(input_channels, num_channels, use_1x1conv=True, strides=2)
            )
        else:
            blk.append(Residual(num_channels, num_channels))
    return blk


def resnet18(in_channels: int = 1, num_classes: int = 10) -> nn.Sequential:
    """Return the book's ResNet-18: a stem (b1), four stages of two residual blocks each
    (64, 128, 256, 512 channels), global average pooling and a dense layer.

    18 = 1 stem conv + 4 stages x 2 blocks x 2 convs + 1 dense layer (1x1 shortcuts not
    counted).
    """
    b1 = nn.Sequential(
        nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3),
        nn.BatchNorm2d(64), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
    )
    b2 = nn.Sequential(*resnet_block(64, 64, 2, first_block=True))
    b3 = nn.Sequential(*resnet_block(64, 128, 2))
    b4 = nn.Sequential(*resnet_block(128, 256, 2))
    b5 = nn.Sequential(*resnet_block(256, 512, 2))
    return nn.Sequential(
        b1, b2, b3, b4, b5,
        nn.AdaptiveAvgPool2d((1, 1)),
        nn.Flatten(), nn.Linear(512, num_classes),
    )
