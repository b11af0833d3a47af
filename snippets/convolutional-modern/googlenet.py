# %% imports
import math

import torch

from d2lref import torch as d2l

d2l.set_seed(0)

# %% inception-block
# The first Inception block of GoogLeNet (in b3).
blk = d2l.Inception(192, 64, (96, 128), (16, 32), 32)
Y = blk(torch.randn(1, 192, 12, 12))
print(Y.shape)
# Every path keeps 12x12, so the channels simply add up: c1 + c2[1] + c3[1] + c4.
assert Y.shape == (1, 64 + 128 + 32 + 32, 12, 12)

# %% googlenet-model
net = d2l.googlenet()
rows = d2l.print_layer_shapes(net, (1, 1, 96, 96))
assert [tuple(row.output_shape) for row in rows] == [
    (1, 64, 24, 24), (1, 192, 12, 12), (1, 480, 6, 6), (1, 832, 3, 3), (1, 1024), (1, 10)]
assert sum(isinstance(m, d2l.Inception) for m in net.modules()) == 9

# %% googlenet-diagram
d2l.architecture_diagram(net, (1, 1, 96, 96), title="GoogLeNet")

# %% train
lr, num_epochs, batch_size = 0.1, 10, 128
train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size, resize=96)
result = d2l.train_ch6(net, train_iter, test_iter, num_epochs, lr, d2l.try_gpu())
assert math.isfinite(result.train_loss)

# %% [markdown]
# Exercises: answers

# %% exercise-1
# GoogLeNet on 224×224 instead of 96×96: each stage still divides the size, global
# average pooling still ends in 1024 numbers. Shapes only, on the "meta" device.
with torch.device("meta"):
    model = d2l.googlenet()
    X = torch.zeros(1, 1, 224, 224)
    stage_shapes = []
    for stage in model:
        X = stage(X)
        stage_shapes.append(tuple(X.shape))
assert stage_shapes == [
    (1, 64, 56, 56),
    (1, 192, 28, 28),
    (1, 480, 14, 14),
    (1, 832, 7, 7),
    (1, 1024),
    (1, 10),
]
stage_shapes

# %% exercise-2
# The first Inception block against a single convolution with the same 192 -> 256
# channels.
from torch import nn  # noqa: E402


def num_params(module: nn.Module) -> int:
    """Number of trainable numbers in a module."""
    return sum(p.numel() for p in module.parameters())


inception = d2l.Inception(192, 64, (96, 128), (16, 32), 32)
counts = {
    "Inception": num_params(inception),
    "3x3 conv": num_params(nn.Conv2d(192, 256, 3, padding=1)),
    "5x5 conv": num_params(nn.Conv2d(192, 256, 5, padding=2)),
}
assert counts["Inception"] == (192 * 64 + 64) + (192 * 96 + 96 + 96 * 128 * 9 + 128) + (
    192 * 16 + 16 + 16 * 32 * 25 + 32
) + (192 * 32 + 32)
assert counts["3x3 conv"] > 2.5 * counts["Inception"]
counts


# %% exercise-3
class InceptionFactorized(d2l.Inception):
    """Path 3's 5×5 conv replaced by two 3×3 ones: same 5×5 window, fewer weights."""

    def __init__(self, in_channels, c1, c2, c3, c4):
        super().__init__(in_channels, c1, c2, c3, c4)
        self.p3_2 = nn.Sequential(
            nn.Conv2d(c3[0], c3[0], kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(c3[0], c3[1], kernel_size=3, padding=1),
        )


d2l.set_seed(0)
factorized = InceptionFactorized(192, 64, (96, 128), (16, 32), 32)
Y = factorized(torch.randn(1, 192, 12, 12))
# the inherited forward still concatenates 256 channels
assert Y.shape == (1, 256, 12, 12)
saved = num_params(inception.p3_2) - num_params(factorized.p3_2)
assert saved == (16 * 32 * 25 + 32) - (16 * 16 * 9 + 16 + 16 * 32 * 9 + 32) > 0
print(
    f"path 3: {num_params(inception.p3_2):,} -> "
    f"{num_params(factorized.p3_2):,} parameters"
)
