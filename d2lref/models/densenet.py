"""DenseNet (Huang et al., 2017): every block's input is concatenated with its output."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

__all__ = ["DenseBlock", "conv_block", "densenet", "transition_block"]


def conv_block(input_channels: int, num_channels: int) -> nn.Sequential:
    """Return DenseNet's "batch norm, ReLU, 3x3 conv" block (pre-activation order, as in
    the improved ResNet)."""
    return nn.Sequential(
        nn.BatchNorm2d(input_channels), nn.ReLU(),
        nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1),
    )


class DenseBlock(nn.Module):
    """``num_convs`` conv blocks; each one's input and output are joined on channels.

    Each conv block adds ``num_channels`` channels (the growth rate), so the block
    outputs ``input_channels + num_convs * num_channels`` channels at the input's
    resolution.
    """

    def __init__(self, num_convs: int, input_channels: int, num_channels: int) -> None:
        super().__init__()
        layer = [
            conv_block(num_channels * i + input_channels, num_channels)
            for i in range(num_convs)
        ]
        self.net = nn.Sequential(*layer)
        self.out_channels = input_channels + num_convs * num_channels

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        for blk in self.net:
            Y = blk(X)
            X = torch.cat((X, Y), dim=1)
        return X


def transition_block(input_channels: int, num_channels: int) -> nn.Sequential:
    """Return a transition layer: a 1x1 conv sets the channel count (usually halves it)
    and a 2x2 average pool with stride 2 halves height and width, keeping the model
    small."""
    return nn.Sequential(
        nn.BatchNorm2d(input_channels), nn.ReLU(),
        nn.Conv2d(input_channels, num_channels, kernel_size=1),
        nn.AvgPool2d(kernel_size=2, stride=2),
    )


def densenet(
    in_channels: int = 1,
    num_classes: int = 10,
    growth_rate: int = 32,
    num_convs_in_dense_blocks: Sequence[int] = (4, 4, 4, 4),
) -> nn.Sequential:
    """Return the book's DenseNet: ResNet's stem, four dense blocks of four conv blocks
    (growth rate 32) with a channel-halving transition layer between them, then batch
    norm, ReLU, global average pooling and a dense layer."""
    b1 = nn.Sequential(
        nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3),
        nn.BatchNorm2d(64), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
    )
    num_channels = 64
    blks: list[nn.Module] = []
    for i, num_convs in enumerate(num_convs_in_dense_blocks):
        blks.append(DenseBlock(num_convs, num_channels, growth_rate))
        num_channels += num_convs * growth_rate
        # A transition layer between dense blocks (not after the last) halves the
        # channels.
        if i != len(num_convs_in_dense_blocks) - 1:
            blks.append(transition_block(num_channels, num_channels // 2))
            num_channels = num_channels // 2
    return nn.Sequential(
        b1, *blks,
        nn.BatchNorm2d(num_channels), nn.ReLU(),
        nn.AdaptiveAvgPool2d((1, 1)),
        nn.Flatten(),
        nn.Linear(num_channels, num_classes),
    )
