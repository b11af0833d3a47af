"""VGG (Simonyan & Zisserman, 2014): networks built from repeated blocks of 3x3 convolutions."""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn

__all__ = ["VGG11_ARCH", "vgg", "vgg11_narrow", "vgg_block"]

#: VGG-11's convolutional part: (number of conv layers, output channels) per block.
VGG11_ARCH: tuple[tuple[int, int], ...] = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))


def vgg_block(num_convs: int, in_channels: int, out_channels: int) -> nn.Sequential:
    """Return ``num_convs`` 3x3 conv + ReLU layers, then a 2x2 max-pool (stride 2).

    Padding 1 keeps height and width in the convolutions; only the pool halves them.
    """
    if num_convs < 1:
        raise ValueError(f"vgg_block needs num_convs >= 1, got {num_convs}")
    layers: list[nn.Module] = []
    for _ in range(num_convs):
        layers.append(nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))
        layers.append(nn.ReLU())
        in_channels = out_channels
    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)


def vgg(
    conv_arch: Sequence[tuple[int, int]], in_channels: int = 1, num_classes: int = 10
) -> nn.Sequential:
    """Return a VGG network: one ``vgg_block`` per ``(num_convs, out_channels)`` pair,
    then three dense layers.

    Expects 224x224 inputs: five blocks halve 224 five times to 7, hence
    ``out_channels * 7 * 7`` inputs to the first dense layer (so ``conv_arch`` must
    have exactly five blocks).
    """
    if len(conv_arch) != 5:
        raise ValueError(
            "vgg expects 5 blocks (224 / 2**5 = 7 feeds the dense layers), got "
            f"{len(conv_arch)}; pass five (num_convs, out_channels) pairs such as "
            "VGG11_ARCH"
        )
    conv_blks: list[nn.Module] = []
    out_channels = in_channels
    for num_convs, out_channels in conv_arch:
        conv_blks.append(vgg_block(num_convs, in_channels, out_channels))
        in_channels = out_channels
    return nn.Sequential(
        *conv_blks,
        nn.Flatten(),
        nn.Linear(out_channels * 7 * 7, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, num_classes),
    )


def vgg11_narrow(ratio: int = 4, num_classes: int = 10) -> nn.Sequential:
    """Return VGG-11 with every block's channel count divided by ``ratio`` (the book trains
    ``ratio=4`` because full VGG-11 is too costly for Fashion-MNIST)."""
    if ratio < 1:
        raise ValueError(f"ratio must be a positive integer, got {ratio}")
    small_conv_arch = [(num_convs, channels // ratio) for num_convs, channels in VGG11_ARCH]
    return vgg(small_conv_arch, num_classes=num_classes)
