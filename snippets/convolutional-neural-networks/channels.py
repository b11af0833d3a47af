# %% imports
import torch
import torch.nn.functional as F

from d2lref import torch as d2l

_ = torch.manual_seed(0)  # '_ =' keeps the returned generator off the output

# %% multi-in-teaching
def corr2d_multi_in(X, K):
    """Teaching version: one cross-correlation per input channel, then their sum."""
    return sum(d2l.corr2d(x, k) for x, k in zip(X, K, strict=True))

# %% multi-in
# Two input channels, so the kernel also has two channels; the two results are summed.
X = torch.tensor([[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]],
                  [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]])
K = torch.tensor([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]])
Y = d2l.corr2d_multi_in(X, K)
# Top-left by hand: (0*0 + 1*1 + 3*2 + 4*3) + (1*1 + 2*2 + 4*3 + 5*4) = 19 + 37 = 56.
assert torch.equal(Y, torch.tensor([[56.0, 72.0], [104.0, 120.0]]))
Y

# %% multi-in-out-teaching
def corr2d_multi_in_out(X, K):
    """Teaching version: one output channel per kernel in K, stacked on dimension 0."""
    return torch.stack([corr2d_multi_in(X, k) for k in K], 0)

# %% multi-out
# Three output channels: stack three 2-channel kernels into a (3, 2, 2, 2) kernel.
K = torch.stack((K, K + 1, K + 2), 0)
K.shape

# %% multi-out-result
Y = d2l.corr2d_multi_in_out(X, K)
assert Y.shape == (3, 2, 2)
assert torch.equal(Y[0], d2l.corr2d_multi_in(X, K[0]))  # channel 0 is the result above
assert torch.equal(Y, F.conv2d(X[None], K)[0])  # and PyTorch agrees
Y

# %% channels-vs-resolution
# Why channels grow as resolution shrinks: with 3×3 kernels, halving height and width
# while doubling the channels keeps the multiply-adds per layer the same, and the
# feature map (h * w * c values) halves at each stage.
print(f"{'h×w':>9} {'c_in':>5} {'c_out':>5} {'mult-adds':>14} {'map values':>11}")
stages = [(224, 64), (112, 128), (56, 256), (28, 512)]
for size, channels in stages:
    mult_adds = size * size * channels * channels * 3 * 3
    print(f"{size:>4}×{size:<4} {channels:>5} {channels:>5} {mult_adds:>14,} "
          f"{size * size * channels:>11,}")
costs = [size * size * c * c * 9 for size, c in stages]
assert len(set(costs)) == 1

# %% conv-1x1-teaching
def corr2d_multi_in_out_1x1(X, K):
    """Teaching version: a 1×1 convolution as one matrix product over the channels."""
    c_i, h, w = X.shape
    c_o = K.shape[0]
    X = X.reshape((c_i, h * w))
    K = K.reshape((c_o, c_i))
    Y = torch.matmul(K, X)  # a fully connected layer applied at every pixel
    return Y.reshape((c_o, h, w))

# %% conv-1x1
# A 1×1 convolution is a fully connected layer applied to every pixel's channel vector.
X = torch.normal(0, 1, (3, 3, 3))
K = torch.normal(0, 1, (2, 3, 1, 1))
Y1 = d2l.corr2d_multi_in_out_1x1(X, K)
Y2 = d2l.corr2d_multi_in_out(X, K)
assert float(torch.abs(Y1 - Y2).sum()) < 1e-6
# One pixel by hand: the 2×3 weight matrix times the 3 channel values at (1, 2).
assert torch.allclose(Y1[:, 1, 2], K[:, :, 0, 0] @ X[:, 1, 2])
Y1.shape

# %% [markdown]
# Exercises: answers

# %% exercise-1
# Kernels K, K + 1, K + 2: the cross-correlation is linear in the kernel, so each step
# of +1 adds the sum of every window over both channels, i.e. the correlation with a
# kernel of ones.
X = torch.tensor(
    [
        [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]],
        [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]],
    ]
)
K = torch.tensor([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]])
Y = d2l.corr2d_multi_in_out(X, torch.stack((K, K + 1, K + 2), 0))
window_sums = d2l.corr2d_multi_in(X, torch.ones(2, 2, 2))
assert torch.equal(Y[1] - Y[0], window_sums) and torch.equal(Y[2] - Y[1], window_sums)
window_sums

# %% exercise-2
# Parameters and FLOPs of one conv layer: c_o * (c_i * k * k + 1) parameters and
# h_out * w_out * c_o * c_i * k * k multiply-adds (2 FLOPs each), measured by PyTorch's
# counter.
from torch import nn  # noqa: E402  (an answer cell imports what it needs)
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

torch.manual_seed(0)
c_i, c_o, k, size = 64, 128, 3, 56
layer = nn.Conv2d(c_i, c_o, kernel_size=k, padding=1)
counter = FlopCounterMode(display=False)
with counter, torch.no_grad():
    layer(torch.rand(1, c_i, size, size))
n_params = sum(p.numel() for p in layer.parameters())
assert n_params == c_o * (c_i * k * k + 1)
assert counter.get_total_flops() == 2 * size * size * c_o * c_i * k * k
print(f"{n_params:,} parameters, {counter.get_total_flops() / 1e9:.2f} GFLOP per image")


# %% exercise-3
def corr2d_depthwise(X, K):
    """Each channel of X (c, h, w) with its own kernel of K; no sum over channels."""
    return torch.stack([d2l.corr2d(x, k) for x, k in zip(X, K, strict=True)])


torch.manual_seed(0)
X, K = torch.rand(3, 5, 5), torch.rand(3, 2, 2)
depthwise = nn.Conv2d(3, 3, kernel_size=2, groups=3, bias=False)
depthwise.weight.data = K.reshape(3, 1, 2, 2)  # each output sees one input channel
assert torch.allclose(corr2d_depthwise(X, K), depthwise(X[None])[0], atol=1e-6)
# 64 channels, 3×3 kernels: one kernel per channel against one per pair of channels.
params = {
    name: sum(p.numel() for p in layer.parameters())
    for name, layer in (("depthwise", nn.Conv2d(64, 64, 3, groups=64, bias=False)),
                        ("ordinary", nn.Conv2d(64, 64, 3, bias=False)))
}
assert params == {"depthwise": 64 * 9, "ordinary": 64 * 64 * 9}
tuple(corr2d_depthwise(X, K).shape), params
