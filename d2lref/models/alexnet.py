"""AlexNet (Krizhevsky et al., 2012), sized for 1-channel 224x224 Fashion-MNIST as in the book."""

from __future__ import annotations

from torch import nn

__all__ = ["alexnet"]


def alexnet(in_channels: int = 1, num_classes: int = 10) -> nn.Sequential:
    """Return the book's AlexNet: five conv layers, three max-pools, three dense layers.

    Expects inputs of shape ``(batch, in_channels, 224, 224)``; the first dense layer's
    6400 inputs are 256 channels x 5 x 5, the feature-map size that 224x224 produces.
    """
    if in_channels < 1 or num_classes < 1:
        raise ValueError(
            f"alexnet needs in_channels >= 1 and num_classes >= 1, got {in_channels} "
            f"and {num_classes}; pass positive integers"
        )
    return nn.Sequential(
        # A large 11x11 window with stride 4 shrinks the 224x224 image quickly;
        # many more channels than LeNet capture richer features.
        nn.Conv2d(in_channels, 96, kernel_size=11, stride=4, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        # Smaller window; padding 2 keeps height and width, more output channels.
        nn.Conv2d(96, 256, kernel_size=5, padding=2), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        # Three 3x3 convs in a row with no pooling between them.
        nn.Conv2d(256, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Flatten(),
        # Dense layers many times wider than LeNet's; dropout keeps them from
        # overfitting.
        nn.Linear(6400, 4096), nn.ReLU(),
        nn.Dropout(p=0.5),
        nn.Linear(4096, 4096), nn.ReLU(),
        nn.Dropout(p=0.5),
        # 10 classes for Fashion-MNIST instead of the paper's 1000.
        nn.Linear(4096, num_classes),
    )
