"""Network in Network (Lin et al., 2013): 1x1 convolutions and global average pooling."""

from __future__ import annotations

from torch import nn

__all__ = ["nin", "nin_block"]


def nin_block(
    in_channels: int, out_channels: int, kernel_size: int, strides: int, padding: int
) -> nn.Sequential:
    """Return one NiN block: a normal conv, then two 1x1 convs, each with ReLU.

    The two 1x1 convolutions act as a fully connected layer applied at every pixel, with
    the channels as features.
    """
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, strides, padding), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU(),
    )


def nin(in_channels: int = 1, num_classes: int = 10) -> nn.Sequential:
    """Return the book's NiN for 224x224 inputs: four NiN blocks, no dense layer at all.

    The last block has one output channel per class; global average pooling turns each
    channel into that class's score.
    """
    return nn.Sequential(
        nin_block(in_channels, 96, kernel_size=11, strides=4, padding=0),
        nn.MaxPool2d(3, stride=2),
        nin_block(96, 256, kernel_size=5, strides=1, padding=2),
        nn.MaxPool2d(3, stride=2),
        nin_block(256, 384, kernel_size=3, strides=1, padding=1),
        nn.MaxPool2d(3, stride=2),
        nn.Dropout(0.5),
        nin_block(384, num_classes, kernel_size=3, strides=1, padding=1),
        nn.AdaptiveAvgPool2d((1, 1)),
        # (batch, num_classes, 1, 1) -> (batch, num_classes)
        nn.Flatten(),
    )
