"""Shapes and parameter counts of the modern CNNs against the book's tables and hand counts."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from d2lref.models import (
    VGG11_ARCH,
    DenseBlock,
    Inception,
    Residual,
    alexnet,
    densenet,
    googlenet,
    nin,
    nin_block,
    resnet18,
    resnet_block,
    transition_block,
    vgg,
    vgg11_narrow,
    vgg_block,
)


def layer_shapes(net: nn.Sequential, input_shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    """Output shape after each top-level layer (eval mode, so dropout is the identity)."""
    net.eval()
    X = torch.randn(input_shape)
    shapes = []
    with torch.no_grad():
        for layer in net:
            X = layer(X)
            shapes.append(tuple(X.shape))
    return shapes


def num_params(net: nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())


def conv_params(k: int, c_in: int, c_out: int) -> int:
    return k * k * c_in * c_out + c_out


def dense_params(n_in: int, n_out: int) -> int:
    return n_in * n_out + n_out


def test_alexnet_layer_shapes_at_224():
    shapes = layer_shapes(alexnet(), (1, 1, 224, 224))
    assert shapes == [
        (1, 96, 54, 54), (1, 96, 54, 54), (1, 96, 26, 26),
        (1, 256, 26, 26), (1, 256, 26, 26), (1, 256, 12, 12),
        (1, 384, 12, 12), (1, 384, 12, 12), (1, 384, 12, 12), (1, 384, 12, 12),
        (1, 256, 12, 12), (1, 256, 12, 12), (1, 256, 5, 5),
        (1, 6400),
        (1, 4096), (1, 4096), (1, 4096), (1, 4096), (1, 4096), (1, 4096),
        (1, 10),
    ]


def test_alexnet_parameter_count_by_hand():
    expected = (
        conv_params(11, 1, 96) + conv_params(5, 96, 256) + conv_params(3, 256, 384)
        + conv_params(3, 384, 384) + conv_params(3, 384, 256)
        + dense_params(6400, 4096) + dense_params(4096, 4096) + dense_params(4096, 10)
    )
    assert expected == 46_764_746
    assert num_params(alexnet()) == expected


def test_alexnet_rejects_bad_sizes():
    with pytest.raises(ValueError, match="in_channels"):
        alexnet(in_channels=0)


def test_vgg_block_halves_resolution_only_in_pool():
    blk = vgg_block(2, 3, 8)
    assert [type(m) for m in blk] == [nn.Conv2d, nn.ReLU, nn.Conv2d, nn.ReLU, nn.MaxPool2d]
    assert blk(torch.randn(2, 3, 16, 16)).shape == (2, 8, 8, 8)


def test_vgg11_block_shapes_at_224():
    shapes = layer_shapes(vgg(VGG11_ARCH), (1, 1, 224, 224))
    assert shapes[:6] == [
        (1, 64, 112, 112), (1, 128, 56, 56), (1, 256, 28, 28), (1, 512, 14, 14),
        (1, 512, 7, 7), (1, 512 * 7 * 7),
    ]
    assert shapes[-1] == (1, 10)
    # VGG-11: 8 conv layers + 3 dense layers.
    net = vgg(VGG11_ARCH)
    assert sum(isinstance(m, nn.Conv2d) for m in net.modules()) == 8
    assert sum(isinstance(m, nn.Linear) for m in net.modules()) == 3


def test_vgg11_narrow_divides_channels_by_four():
    net = vgg11_narrow()
    convs = [m for m in net.modules() if isinstance(m, nn.Conv2d)]
    assert [c.out_channels for c in convs] == [16, 32, 64, 64, 128, 128, 128, 128]
    assert net[6].in_features == 128 * 7 * 7
    assert layer_shapes(net, (2, 1, 224, 224))[-1] == (2, 10)


def test_vgg_rejects_wrong_block_count():
    with pytest.raises(ValueError, match="5 blocks"):
        vgg(VGG11_ARCH[:4])


def test_nin_shapes_and_parameter_count():
    net = nin()
    assert layer_shapes(net, (1, 1, 224, 224)) == [
        (1, 96, 54, 54), (1, 96, 26, 26), (1, 256, 26, 26), (1, 256, 12, 12),
        (1, 384, 12, 12), (1, 384, 5, 5), (1, 384, 5, 5), (1, 10, 5, 5), (1, 10, 1, 1),
        (1, 10),
    ]
    expected = (
        conv_params(11, 1, 96) + 2 * conv_params(1, 96, 96)
        + conv_params(5, 96, 256) + 2 * conv_params(1, 256, 256)
        + conv_params(3, 256, 384) + 2 * conv_params(1, 384, 384)
        + conv_params(3, 384, 10) + 2 * conv_params(1, 10, 10)
    )
    assert num_params(net) == expected
    # Without dense layers NiN is about 25 times smaller than AlexNet.
    assert num_params(alexnet()) > 20 * num_params(net)


def test_nin_block_1x1_conv_is_a_per_pixel_dense_layer():
    torch.manual_seed(0)
    blk = nin_block(3, 4, kernel_size=1, strides=1, padding=0)
    conv = blk[2]
    X = torch.randn(2, 4, 5, 5)
    dense = nn.Linear(4, 4)
    dense.weight.data = conv.weight.data.reshape(4, 4)
    dense.bias.data = conv.bias.data
    by_pixel = dense(X.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
    torch.testing.assert_close(conv(X), by_pixel)


def test_inception_output_channels_are_the_sum_of_paths():
    blk = Inception(192, 64, (96, 128), (16, 32), 32)
    assert blk.out_channels == 64 + 128 + 32 + 32
    assert blk(torch.randn(2, 192, 12, 12)).shape == (2, 256, 12, 12)


def test_googlenet_stage_shapes_at_96():
    assert layer_shapes(googlenet(), (1, 1, 96, 96)) == [
        (1, 64, 24, 24), (1, 192, 12, 12), (1, 480, 6, 6), (1, 832, 3, 3), (1, 1024), (1, 10),
    ]


def test_googlenet_has_nine_inception_blocks():
    assert sum(isinstance(m, Inception) for m in googlenet().modules()) == 9


def test_residual_shapes_and_parameter_count():
    X = torch.rand(4, 3, 6, 6)
    assert Residual(3, 3)(X).shape == (4, 3, 6, 6)
    blk = Residual(3, 6, use_1x1conv=True, strides=2)
    assert blk(X).shape == (4, 6, 3, 3)
    bn = 2 * 6  # gamma and beta per channel
    expected = conv_params(3, 3, 6) + conv_params(3, 6, 6) + conv_params(1, 3, 6) + 2 * bn
    assert num_params(blk) == expected


def test_residual_identity_when_convs_output_zero():
    # If the residual branch is zero, the block is relu(x): the identity for x >= 0.
    blk = Residual(3, 3)
    for bn in (blk.bn1, blk.bn2):
        nn.init.zeros_(bn.weight)
        nn.init.zeros_(bn.bias)
    X = torch.rand(2, 3, 5, 5)
    torch.testing.assert_close(blk(X), X)


def test_residual_refuses_shape_change_without_1x1_when_called():
    blk = Residual(3, 6)  # the book's class builds it; only adding the shortcut fails
    with pytest.raises(ValueError, match=r"\(2, 3, 5, 5\) into \(2, 6, 5, 5\).*use_1x1conv=True"):
        blk(torch.rand(2, 3, 5, 5))


def test_resnet_block_first_stage_keeps_shape():
    blks = resnet_block(64, 64, 2, first_block=True)
    assert all(b.conv3 is None for b in blks)
    assert resnet_block(64, 128, 2)[0].conv3 is not None


def test_resnet18_stage_shapes_at_96_and_layer_count():
    net = resnet18()
    assert layer_shapes(net, (1, 1, 96, 96)) == [
        (1, 64, 24, 24), (1, 64, 24, 24), (1, 128, 12, 12), (1, 256, 6, 6), (1, 512, 3, 3),
        (1, 512, 1, 1), (1, 512), (1, 10),
    ]
    convs = [m for m in net.modules() if isinstance(m, nn.Conv2d) and m.kernel_size != (1, 1)]
    linears = [m for m in net.modules() if isinstance(m, nn.Linear)]
    assert len(convs) + len(linears) == 18


def test_dense_block_book_example():
    blk = DenseBlock(2, 3, 10)
    assert blk.out_channels == 23
    assert blk(torch.randn(4, 3, 8, 8)).shape == (4, 23, 8, 8)


def test_transition_block_halves_channels_and_resolution():
    blk = transition_block(23, 10)
    assert blk(torch.randn(4, 23, 8, 8)).shape == (4, 10, 4, 4)


def test_densenet_shapes_at_96():
    shapes = layer_shapes(densenet(), (1, 1, 96, 96))
    assert shapes == [
        (1, 64, 24, 24),
        (1, 192, 24, 24), (1, 96, 12, 12),
        (1, 224, 12, 12), (1, 112, 6, 6),
        (1, 240, 6, 6), (1, 120, 3, 3),
        (1, 248, 3, 3),
        (1, 248, 3, 3), (1, 248, 3, 3), (1, 248, 1, 1), (1, 248), (1, 10),
    ]
