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
