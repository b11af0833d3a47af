"""GoogLeNet (Szegedy et al., 2015): Inception blocks with four parallel paths."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["Inception", "googlenet"]


class Inception(nn.Module):
    """The Inception block: four parallel paths, outputs concatenated on channels.

    ``c1`` .. ``c4`` are the output channels of each path; ``c2`` and ``c3`` are pairs
    ``(1x1 reduction channels, output channels)``. Every path keeps height and width, so
    the block outputs ``c1 + c2[1] + c3[1] + c4`` channels at the input's resolution.
    """

    def __init__(
        self,
        in_channels: int,
        c1: int,
        c2: tuple[int, int],
        c3: tuple[int, int],
        c4: int,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        # Path 1: a single 1x1 convolution.
        self.p1_1 = nn.Conv2d(in_channels, c1, kernel_size=1)
        # Path 2: 1x1 convolution (fewer channels, cheaper) then 3x3 convolution.
        self.p2_1 = nn.Conv2d(in_channels, c2[0], kernel_size=1)
        self.p2_2 = nn.Conv2d(c2[0], c2[1], kernel_size=3, padding=1)
        # Path 3: 1x1 convolution then 5x5 convolution.
        self.p3_1 = nn.Conv2d(in_channels, c3[0], kernel_size=1)
        self.p3_2 = nn.Conv2d(c3[0], c3[1], kernel_size=5, padding=2)
        # Path 4: 3x3 max-pool (stride 1 keeps the size) then 1x1 convolution.
        self.p4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.p4_2 = nn.Conv2d(in_channels, c4, kernel_size=1)
        self.out_channels = c1 + c2[1] + c3[1] + c4

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        p1 = F.relu(self.p1_1(x))
        p2 = F.relu(self.p2_2(F.relu(self.p2_1(x))))
        p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))
        p4 = F.relu(self.p4_2(self.p4_1(x)))
        return torch.cat((p1, p2, p3, p4), dim=1)


def googlenet(in_channels: int = 1, num_classes: int = 10) -> nn.Sequential:
    """Return the book's GoogLeNet: a stem (b1, b2), nine Inception blocks in three
    groups (b3, b4, b5) with max-pools between them, global average pooling and one
    dense layer.

    The book trains it on 96x96 Fashion-MNIST; any input of at least 32x32 works because
    of the global average pooling.
    """
    b1 = nn.Sequential(
        nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
    )
    b2 = nn.Sequential(
        nn.Conv2d(64, 64, kernel_size=1), nn.ReLU(),
        nn.Conv2d(64, 192, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
    )
    b3 = nn.Sequential(
        Inception(192, 64, (96, 128), (16, 32), 32),
        Inception(256, 128, (128, 192), (32, 96), 64),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
    )
    b4 = nn.Sequential(
        Inception(480, 192, (96, 208), (16, 48), 64),
        Inception(512, 160, (112, 224), (24, 64), 64),
        Inception(512, 128, (128, 256), (24, 64), 64),
        Inception(512, 112, (144, 288), (32, 64), 64),
        Inception(528, 256, (160, 320), (32, 128), 128),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
    )
    b5 = nn.Sequential(
        Inception(832, 256, (160, 320), (32, 128), 128),
        Inception(832, 384, (192, 384), (48, 128), 128),
        nn.AdaptiveAvgPool2d((1, 1)),
        nn.Flatten(),
    )
    return nn.Sequential(b1, b2, b3, b4, b5, nn.Linear(1024, num_classes))
