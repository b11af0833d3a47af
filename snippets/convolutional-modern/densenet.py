# %% imports
import math

import torch
from torch import nn

from d2lref import torch as d2l

d2l.set_seed(0)

# %% conv-block-teaching
def conv_block(input_channels, num_channels):
    """Teaching version of d2l.conv_block: batch norm, ReLU, 3×3 convolution."""
    return nn.Sequential(
        nn.BatchNorm2d(input_channels), nn.ReLU(),
        nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1))

# %% dense-block-teaching
class DenseBlock(nn.Module):
    """Teaching version of d2l.DenseBlock: inputs and outputs concatenated."""

    def __init__(self, num_convs, input_channels, num_channels):
        super().__init__()
        layer = [conv_block(num_channels * i + input_channels, num_channels)
                 for i in range(num_convs)]
        self.net = nn.Sequential(*layer)

    def forward(self, X):
        for blk in self.net:
            Y = blk(X)
            X = torch.cat((X, Y), dim=1)  # concatenate on the channel dimension
        return X

# %% dense-block
blk = d2l.DenseBlock(2, 3, 10)
X = torch.randn(4, 3, 8, 8)
Y = blk(X)
print(Y.shape)
# 3 input channels + 2 conv blocks x 10 channels each (the growth rate) = 23.
assert Y.shape == (4, 3 + 2 * 10, 8, 8)
# Concatenation keeps the input itself as the first channels of the output.
assert torch.equal(Y[:, :3], X)

# %% transition-block-teaching
def transition_block(input_channels, num_channels):
    """Teaching version of d2l.transition_block: 1×1 conv and 2×2 average pooling."""
    return nn.Sequential(
        nn.BatchNorm2d(input_channels), nn.ReLU(),
        nn.Conv2d(input_channels, num_channels, kernel_size=1),
        nn.AvgPool2d(kernel_size=2, stride=2))

# %% transition-block
blk = d2l.transition_block(23, 10)
Z = blk(Y)
print(Z.shape)
assert Z.shape == (4, 10, 4, 4)  # fewer channels, half the height and width

# %% densenet-teaching
def densenet():
    """Teaching version of d2l.densenet (1 input channel, 10 classes)."""
    b1 = nn.Sequential(nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3),
                       nn.BatchNorm2d(64), nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    num_channels, growth_rate = 64, 32
    num_convs_in_dense_blocks = [4, 4, 4, 4]
    blks = []
    for i, num_convs in enumerate(num_convs_in_dense_blocks):
        blks.append(DenseBlock(num_convs, num_channels, growth_rate))
        num_channels += num_convs * growth_rate  # the dense block's output channels
        if i != len(num_convs_in_dense_blocks) - 1:
            # A transition layer between dense blocks halves the channels.
            blks.append(transition_block(num_channels, num_channels // 2))
            num_channels = num_channels // 2
    return nn.Sequential(
        b1, *blks, nn.BatchNorm2d(num_channels), nn.ReLU(),
        nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.Linear(num_channels, 10))

# %% densenet-model
net = d2l.densenet()
rows = d2l.print_layer_shapes(net, (1, 1, 96, 96))
shapes = [tuple(row.output_shape) for row in rows]
# Each dense block adds 4 x 32 = 128 channels; each
# transition layer halves channels and size.
assert shapes[:8] == [(1, 64, 24, 24), (1, 192, 24, 24), (1, 96, 12, 12),
                      (1, 224, 12, 12), (1, 112, 6, 6), (1, 240, 6, 6),
                      (1, 120, 3, 3), (1, 248, 3, 3)]
assert shapes[-1] == (1, 10)

# %% densenet-diagram
d2l.architecture_diagram(net, (1, 1, 96, 96), title="DenseNet")

# %% train
lr, num_epochs, batch_size = 0.1, 10, 256
train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size, resize=96)
result = d2l.train_ch6(net, train_iter, test_iter, num_epochs, lr, d2l.try_gpu())
assert math.isfinite(result.train_loss)

# %% [markdown]
# Exercises: answers

# %% exercise-1
# 6 conv blocks with growth rate 16 on 64 channels, then a transition layer that halves
# them.
blk = d2l.DenseBlock(6, 64, 16)
X = torch.randn(2, 64, 8, 8)
Y = blk(X)
Z = d2l.transition_block(Y.shape[1], Y.shape[1] // 2)(Y)
assert Y.shape == (2, 64 + 6 * 16, 8, 8) and Z.shape == (2, 80, 4, 4)
Y.shape, Z.shape

# %% exercise-2
# DenseNet against ResNet-18 on 1×96×96: parameters and FLOPs, on the "meta" device.
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402


def params_and_flops(build):
    """Parameters and forward FLOPs on one 1×96×96 image of the model build() makes."""
    with torch.device("meta"):
        model = build().eval()
        counter = FlopCounterMode(display=False)
        with counter:
            model(torch.zeros(1, 1, 96, 96))
    return sum(p.numel() for p in model.parameters()), counter.get_total_flops()


dense_params, dense_flops = params_and_flops(d2l.densenet)
res_params, res_flops = params_and_flops(d2l.resnet18)
# concatenation reuses features instead of relearning
assert res_params > 10 * dense_params
print(f"DenseNet:  {dense_params:>10,} parameters, {dense_flops / 1e9:.2f} GFLOP")
print(f"ResNet-18: {res_params:>10,} parameters, {res_flops / 1e9:.2f} GFLOP")


# %% exercise-3
class DenseBlockBuggy(d2l.DenseBlock):
    """The bug: concatenating on dimension 0 stacks examples instead of channels."""

    def forward(self, X):
        for blk in self.net:
            X = torch.cat((X, blk(X)), dim=0)
        return X


d2l.set_seed(0)
# One conv block whose growth rate equals the input channels: the bug raises no error at
# all.
buggy = DenseBlockBuggy(1, 3, 3)
X = torch.randn(4, 3, 8, 8)
assert buggy(X).shape == (8, 3, 8, 8)  # 4 examples became 8, the channels stayed at 3
fixed = d2l.DenseBlock(1, 3, 3)  # the real block: torch.cat(..., dim=1)
assert fixed(X).shape == (4, 6, 8, 8)
buggy(X).shape, fixed(X).shape
