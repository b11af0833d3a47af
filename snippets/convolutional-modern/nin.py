# %% imports
import math

import torch
from torch import nn

from d2lref import torch as d2l

d2l.set_seed(0)

# %% one-by-one-conv
# A 1x1 convolution is a dense layer applied at every
# pixel: the channels are the features.
conv = nn.Conv2d(3, 2, kernel_size=1)
dense = nn.Linear(3, 2)
with torch.no_grad():
    dense.weight.copy_(conv.weight.reshape(2, 3))
    dense.bias.copy_(conv.bias)
X = torch.randn(4, 3, 5, 5)
# Move channels last so that each pixel is one row for the
# dense layer, then move them back.
by_pixel = dense(X.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
print("max difference:", (conv(X) - by_pixel).abs().max().item())
assert torch.allclose(conv(X), by_pixel, atol=1e-6)

# %% nin-block-teaching
def nin_block(in_channels, out_channels, kernel_size, strides, padding):
    """Teaching version of d2l.nin_block: a convolution, then two 1×1 convolutions."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, strides, padding),
        nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU())

# %% nin-block
blk = d2l.nin_block(1, 96, kernel_size=11, strides=4, padding=0)
blk

# %% nin-teaching
def nin():
    """Teaching version of d2l.nin: four NiN blocks and no dense layer (224×224)."""
    return nn.Sequential(
        nin_block(1, 96, kernel_size=11, strides=4, padding=0),
        nn.MaxPool2d(3, stride=2),
        nin_block(96, 256, kernel_size=5, strides=1, padding=2),
        nn.MaxPool2d(3, stride=2),
        nin_block(256, 384, kernel_size=3, strides=1, padding=1),
        nn.MaxPool2d(3, stride=2),
        nn.Dropout(0.5),
        # One output channel per class, then the mean over all of its pixels.
        nin_block(384, 10, kernel_size=3, strides=1, padding=1),
        nn.AdaptiveAvgPool2d((1, 1)),
        nn.Flatten())  # (batch, 10, 1, 1) -> (batch, 10)

# %% nin-model
net = d2l.nin()
rows = d2l.print_layer_shapes(net, (1, 1, 224, 224))
shapes = [tuple(row.output_shape) for row in rows]
assert shapes[0] == (1, 96, 54, 54)
assert shapes[7] == (1, 10, 5, 5)  # one channel per class
assert shapes[8] == (1, 10, 1, 1) and shapes[-1] == (1, 10)  # global average pooling
# Max pooling after the first three blocks; dropout before the fourth, global average
# pooling after it.
assert [type(net[i]) for i in (1, 3, 5, 6, 8)] == [
    nn.MaxPool2d, nn.MaxPool2d, nn.MaxPool2d, nn.Dropout, nn.AdaptiveAvgPool2d]

# %% nin-diagram
# VGG ends in dense layers; NiN ends in a block of 10
# channels and global average pooling.
vgg11 = d2l.vgg(d2l.VGG11_ARCH)
d2l.compare_architectures([("VGG-11", vgg11), ("NiN", net)], (1, 1, 224, 224))

# %% parameter-count
nin_params = sum(p.numel() for p in net.parameters())
alexnet_params = sum(p.numel() for p in d2l.alexnet().parameters())
print(f"NiN: {nin_params:,} parameters, AlexNet: {alexnet_params:,} "
      f"({alexnet_params / nin_params:.0f} times as many)")
assert alexnet_params > 20 * nin_params

# %% train
lr, num_epochs, batch_size = 0.1, 10, 128
train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size, resize=224)
result = d2l.train_ch6(net, train_iter, test_iter, num_epochs, lr, d2l.try_gpu())
assert math.isfinite(result.train_loss)

# %% [markdown]
# Exercises: answers

# %% exercise-1
# Global average pooling makes the head independent of the image size: any input whose
# last NiN block still has at least a 1×1 map gives 10 scores.
d2l.set_seed(0)
small_net = d2l.nin()
with torch.no_grad():
    out_shapes = {
        size: tuple(small_net(torch.randn(1, 1, size, size)).shape)
        for size in (96, 160, 224)
    }
assert set(out_shapes.values()) == {(1, 10)}
out_shapes

# %% exercise-2
# NiN's parameters: in the k×k convolutions or in the 1×1 "per-pixel dense" ones.
one_by_one = sum(
    p.numel()
    for m in net.modules()
    if isinstance(m, nn.Conv2d) and m.kernel_size == (1, 1)
    for p in m.parameters()
)
share = one_by_one / nin_params
assert 0.2 < share < 0.5
print(f"1x1 convolutions: {one_by_one:,} of {nin_params:,} parameters ({share:.0%})")


# %% exercise-3
class GlobalAvgPool(nn.Module):
    """Global average pooling by hand: the mean of each channel over all pixels."""

    def forward(self, X):
        return X.mean(dim=(2, 3))  # (batch, channels, h, w) -> (batch, channels)


X = torch.randn(4, 10, 5, 5)
builtin = nn.Sequential(nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten())
assert torch.allclose(GlobalAvgPool()(X), builtin(X), atol=1e-6)
# Invariant to where things are: shuffling the pixels of each map changes nothing.
shuffled = X.flatten(2)[:, :, torch.randperm(25)].reshape(4, 10, 5, 5)
assert torch.allclose(GlobalAvgPool()(shuffled), GlobalAvgPool()(X), atol=1e-6)
GlobalAvgPool()(X).shape
