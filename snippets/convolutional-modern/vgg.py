# %% imports
import math

import torch
from torch import nn

from d2lref import torch as d2l

d2l.set_seed(0)

# %% vgg-block-teaching
def vgg_block(num_convs, in_channels, out_channels):
    """Teaching version of d2l.vgg_block: 3×3 convolutions, then a 2×2 max-pool."""
    layers = []
    for _ in range(num_convs):
        layers.append(nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))
        layers.append(nn.ReLU())
        in_channels = out_channels
    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)

# %% vgg-block
# Two 3x3 convolutions keep 16x16; the 2x2 max-pool halves it.
blk = d2l.vgg_block(2, 3, 8)
Y = blk(torch.randn(1, 3, 16, 16))
print(Y.shape)
assert Y.shape == (1, 8, 8, 8)

# %% vgg-teaching
def vgg(conv_arch):
    """Teaching version of d2l.vgg: VGG blocks, then three dense layers (224×224)."""
    conv_blks = []
    in_channels = 1
    for num_convs, out_channels in conv_arch:
        conv_blks.append(vgg_block(num_convs, in_channels, out_channels))
        in_channels = out_channels
    return nn.Sequential(
        *conv_blks, nn.Flatten(),
        # Five blocks halve 224 five times, to 7.
        nn.Linear(out_channels * 7 * 7, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 10))

# %% vgg11
conv_arch = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))
assert conv_arch == d2l.VGG11_ARCH
net = d2l.vgg(conv_arch)

# %% vgg11-shapes
rows = d2l.print_layer_shapes(net, (1, 1, 224, 224))
block_shapes = [tuple(row.output_shape) for row in rows[:5]]
# Each block halves height and width: 224 -> 112 -> 56 -> 28 -> 14 -> 7.
assert block_shapes == [(1, 64, 112, 112), (1, 128, 56, 56), (1, 256, 28, 28),
                        (1, 512, 14, 14), (1, 512, 7, 7)]
assert tuple(rows[5].output_shape) == (1, 512 * 7 * 7)
# 8 convolutional layers + 3 dense layers = VGG-11.
num_convs = sum(isinstance(m, torch.nn.Conv2d) for m in net.modules())
num_dense = sum(isinstance(m, torch.nn.Linear) for m in net.modules())
assert (num_convs, num_dense) == (8, 3)

# %% vgg11-diagram
# From AlexNet to VGG: AlexNet's individual layers become repeated VGG blocks.
nets = [("AlexNet", d2l.alexnet()), ("VGG-11", net)]
d2l.compare_architectures(nets, (1, 1, 224, 224))

# %% narrow-vgg
ratio = 4
small_conv_arch = [(pair[0], pair[1] // ratio) for pair in conv_arch]
net = d2l.vgg(small_conv_arch)
narrow_params = sum(p.numel() for p in net.parameters())
full_params = sum(p.numel() for p in d2l.vgg(conv_arch).parameters())
print(f"VGG-11: {full_params:,} parameters, narrow VGG-11: {narrow_params:,}")
# The dense layers keep their 4096 width, so the parameters only drop to about a third.
assert 0.3 < narrow_params / full_params < 0.4
channels = [m.out_channels for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
assert channels == [16, 32, 64, 64, 128, 128, 128, 128]

# %% train
lr, num_epochs, batch_size = 0.05, 10, 128
train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size, resize=224)
result = d2l.train_ch6(net, train_iter, test_iter, num_epochs, lr, d2l.try_gpu())
assert math.isfinite(result.train_loss)

# %% [markdown]
# Exercises: answers

# %% exercise-1
# VGG-16 adds one 3×3 conv to each of the first two blocks and to each of the last
# three; the extra convs keep their block's channels, so the shapes and the dense layers
# stay the same.
vgg16_arch = ((2, 64), (2, 128), (3, 256), (3, 512), (3, 512))
with torch.device("meta"):  # shapes only: no memory for 134 million weights
    vgg11, vgg16 = d2l.vgg(conv_arch), d2l.vgg(vgg16_arch)
    assert vgg16(torch.zeros(1, 1, 224, 224)).shape == (1, 10)
counts = {
    name: sum(p.numel() for p in model.parameters())
    for name, model in (("VGG-11", vgg11), ("VGG-16", vgg16))
}
# One extra c -> c convolution per block.
extra = sum(c * c * 9 + c for c in (64, 128, 256, 512, 512))
assert counts["VGG-16"] - counts["VGG-11"] == extra
counts, extra

# %% exercise-2
# The narrow VGG's compute: every conv has 4 times fewer input and output channels
# (except the first conv's single input channel), so its FLOPs drop to about 1/16.
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402


def conv_flops(arch) -> int:
    """FLOPs of the convolutions of vgg(arch) on one 1×224×224 image."""
    with torch.device("meta"):
        model = d2l.vgg(arch).eval()
        counter = FlopCounterMode(display=False)
        with counter:
            model(torch.zeros(1, 1, 224, 224))
    return sum(
        n
        for op, n in counter.get_flop_counts()["Global"].items()
        if "convolution" in str(op)
    )


full_flops, narrow_flops = conv_flops(conv_arch), conv_flops(small_conv_arch)
assert 14 < full_flops / narrow_flops < 16.5
print(
    f"convolutions: VGG-11 {full_flops / 1e9:.2f} GFLOP, "
    f"narrow {narrow_flops / 1e9:.3f} "
    f"GFLOP, ratio {full_flops / narrow_flops:.1f}"
)

# %% exercise-3
# Two stacked 3×3 convs against one 5×5: same 5×5 receptive field, fewer parameters, one
# more nonlinearity.
from torch import nn  # noqa: E402

c = 64
two_3x3 = nn.Sequential(
    nn.Conv2d(c, c, 3, padding=1), nn.ReLU(), nn.Conv2d(c, c, 3, padding=1)
)
one_5x5 = nn.Conv2d(c, c, 5, padding=2)
params = {
    name: sum(p.numel() for p in m.parameters())
    for name, m in (("two 3x3", two_3x3), ("one 5x5", one_5x5))
}
assert params == {"two 3x3": 2 * (9 * c * c + c), "one 5x5": 25 * c * c + c}
# Receptive field of the stack, measured with autograd on positive weights.
probe = nn.Sequential(nn.Conv2d(1, 1, 3, padding=1), nn.Conv2d(1, 1, 3, padding=1))
for layer in probe:
    nn.init.constant_(layer.weight, 1.0)
X = torch.rand(1, 1, 11, 11, requires_grad=True)
probe(X)[0, 0, 5, 5].backward()
assert (X.grad[0, 0] != 0).sum() == 25  # a 5×5 window
params
