# %% imports
import math

import torch
from torch import nn
from torch.nn import functional as F

from d2lref import torch as d2l

d2l.set_seed(0)

# %% inception-teaching
class Inception(nn.Module):
    """Teaching version of d2l.Inception: four paths concatenated on channels."""

    def __init__(self, in_channels, c1, c2, c3, c4):
        super().__init__()
        self.p1_1 = nn.Conv2d(in_channels, c1, kernel_size=1)  # path 1: 1×1
        self.p2_1 = nn.Conv2d(in_channels, c2[0], kernel_size=1)  # path 2: 1×1, 3×3
        self.p2_2 = nn.Conv2d(c2[0], c2[1], kernel_size=3, padding=1)
        self.p3_1 = nn.Conv2d(in_channels, c3[0], kernel_size=1)  # path 3: 1×1, 5×5
        self.p3_2 = nn.Conv2d(c3[0], c3[1], kernel_size=5, padding=2)
        # path 4: 3×3 max-pool, then 1×1
        self.p4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.p4_2 = nn.Conv2d(in_channels, c4, kernel_size=1)

    def forward(self, x):
        p1 = F.relu(self.p1_1(x))
        p2 = F.relu(self.p2_2(F.relu(self.p2_1(x))))
        p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))
        p4 = F.relu(self.p4_2(self.p4_1(x)))
        return torch.cat((p1, p2, p3, p4), dim=1)

# %% inception-block
# The first Inception block of GoogLeNet (in b3).
blk = d2l.Inception(192, 64, (96, 128), (16, 32), 32)
Y = blk(torch.randn(1, 192, 12, 12))
print(Y.shape)
# Every path keeps 12x12, so the channels simply add up: c1 + c2[1] + c3[1] + c4.
assert Y.shape == (1, 64 + 128 + 32 + 32, 12, 12)

# %% googlenet-teaching
def googlenet():
    """Teaching version of d2l.googlenet (1 input channel, 10 classes)."""
    b1 = nn.Sequential(nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3),
                       nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b2 = nn.Sequential(nn.Conv2d(64, 64, kernel_size=1), nn.ReLU(),
                       nn.Conv2d(64, 192, kernel_size=3, padding=1), nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b3 = nn.Sequential(Inception(192, 64, (96, 128), (16, 32), 32),
                       Inception(256, 128, (128, 192), (32, 96), 64),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b4 = nn.Sequential(Inception(480, 192, (96, 208), (16, 48), 64),
                       Inception(512, 160, (112, 224), (24, 64), 64),
                       Inception(512, 128, (128, 256), (24, 64), 64),
                       Inception(512, 112, (144, 288), (32, 64), 64),
                       Inception(528, 256, (160, 320), (32, 128), 128),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b5 = nn.Sequential(Inception(832, 256, (160, 320), (32, 128), 128),
                       Inception(832, 384, (192, 384), (48, 128), 128),
                       nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten())
    return nn.Sequential(b1, b2, b3, b4, b5, nn.Linear(1024, 10))

# %% googlenet-model
net = d2l.googlenet()
rows = d2l.print_layer_shapes(net, (1, 1, 96, 96))
assert [tuple(row.output_shape) for row in rows] == [
    (1, 64, 24, 24), (1, 192, 12, 12), (1, 480, 6, 6), (1, 832, 3, 3), (1, 1024),
    (1, 10)]
assert sum(isinstance(m, d2l.Inception) for m in net.modules()) == 9

# %% googlenet-diagram
# Boxes carry the names b1-b5 of the blocks in d2lref's googlenet (and in the text).
d2l.architecture_diagram(
    net, (1, 1, 96, 96), title="GoogLeNet", names=["b1", "b2", "b3", "b4", "b5", None]
)

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
