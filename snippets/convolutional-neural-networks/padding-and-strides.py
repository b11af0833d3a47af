# %% imports
import torch
from torch import nn

from d2lref import torch as d2l


# %% comp-conv2d-teaching
def comp_conv2d(conv2d, X):
    """Teaching version: add batch and channel dimensions, apply, remove them again."""
    X = X.reshape((1, 1) + X.shape)
    Y = conv2d(X)
    return Y.reshape(Y.shape[2:])

# %% padding
# A 3×3 kernel with one row/column of zeros on every side keeps an 8×8 input at 8×8.
conv2d = nn.Conv2d(1, 1, kernel_size=3, padding=1)
X = torch.rand(size=(8, 8))
assert d2l.comp_conv2d(conv2d, X).shape == (8, 8)
d2l.comp_conv2d(conv2d, X).shape

# %% padding-rectangular
# A 5×3 kernel needs 2 rows on top and bottom, 1 column on each side.
conv2d = nn.Conv2d(1, 1, kernel_size=(5, 3), padding=(2, 1))
assert d2l.comp_conv2d(conv2d, X).shape == (8, 8)
d2l.comp_conv2d(conv2d, X).shape

# %% stride
# Stride 2 halves height and width.
conv2d = nn.Conv2d(1, 1, kernel_size=3, padding=1, stride=2)
assert d2l.comp_conv2d(conv2d, X).shape == (4, 4)
d2l.comp_conv2d(conv2d, X).shape

# %% stride-mixed
conv2d = nn.Conv2d(1, 1, kernel_size=(3, 5), padding=(0, 1), stride=(3, 4))
assert d2l.comp_conv2d(conv2d, X).shape == (2, 2)
d2l.comp_conv2d(conv2d, X).shape


# %% formula
def conv_output_size(n, k, p, s):
    """floor((n - k + p + s) / s), with p the total padding (both sides together)."""
    return (n - k + p + s) // s


# (input size, kernel, padding per side, stride) for height; nn.Conv2d pads both sides,
# so the total padding in the formula is 2 * padding.
settings = [(8, 3, 1, 1), (8, 3, 1, 2), (8, 5, 2, 1), (8, 3, 0, 3), (28, 5, 2, 1),
            (224, 11, 1, 4), (7, 3, 1, 2), (9, 4, 0, 2), (5, 5, 0, 1), (32, 7, 3, 2)]
for n, k, p, s in settings:
    conv2d = nn.Conv2d(1, 1, kernel_size=k, padding=p, stride=s)
    shape = d2l.comp_conv2d(conv2d, (n, n)).shape
    expected = conv_output_size(n, k, 2 * p, s)
    assert shape == (expected, expected), (n, k, p, s)
    print(f"n={n:3d} k={k:2d} padding={p} stride={s}: {expected}×{expected}")

# %% [markdown]
# Exercises: answers

# %% exercise-1
# An even kernel cannot keep the size with the same padding on every side...
sizes = {
    p: d2l.comp_conv2d(nn.Conv2d(1, 1, kernel_size=4, padding=p), X).shape
    for p in (1, 2)
}
assert sizes == {1: (7, 7), 2: (9, 9)}
# ...but 1 row/column on top/left and 2 on bottom/right (3 in total = k - 1) does.
conv2d = nn.Conv2d(1, 1, kernel_size=4)
padded = nn.functional.pad(X, (1, 2, 1, 2))  # (left, right, top, bottom)
assert d2l.comp_conv2d(conv2d, padded).shape == (8, 8)
sizes, d2l.comp_conv2d(conv2d, padded).shape


# %% exercise-2
def corr2d_padded_strided(X, K, padding=(0, 0), stride=(1, 1)):
    """corr2d with zero padding on each side and a stride, by slicing."""
    (p_h, p_w), (s_h, s_w) = padding, stride
    X = nn.functional.pad(X, (p_w, p_w, p_h, p_h))
    full = d2l.corr2d(X, K)  # stride 1 everywhere...
    return full[::s_h, ::s_w]  # ...then keep every s-th row and column


torch.manual_seed(0)
X_test, K = torch.rand(8, 8), torch.rand(3, 5)
conv2d = nn.Conv2d(1, 1, kernel_size=(3, 5), padding=(0, 1), stride=(3, 4), bias=False)
conv2d.weight.data = K.reshape(1, 1, 3, 5)
expected = conv2d(X_test.reshape(1, 1, 8, 8)).reshape(2, 2)
ours = corr2d_padded_strided(X_test, K, padding=(0, 1), stride=(3, 4))
assert torch.allclose(ours, expected, atol=1e-6)
ours.detach()

# %% exercise-3
# Multiply-adds of a 3×3 convolution on a 224×224 image, stride 1 against stride 2
# (padding 1).
macs = {s: conv_output_size(224, 3, 2, s) ** 2 * 3 * 3 for s in (1, 2)}
# stride 2 keeps a quarter of the outputs, so a quarter of the work
assert macs[1] / macs[2] == 4
macs
