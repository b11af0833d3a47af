# %% imports
import torch
from torch import nn


# %% pool2d-teaching
def pool2d(X, pool_size, mode="max"):
    """Teaching version of d2l.pool2d: max or average pooling with stride 1."""
    p_h, p_w = pool_size
    Y = torch.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            window = X[i:i + p_h, j:j + p_w]
            Y[i, j] = window.max() if mode == "max" else window.mean()
    return Y

# %% pool2d
X = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
Y_max = pool2d(X, (2, 2))
assert torch.equal(Y_max, torch.tensor([[4.0, 5.0], [7.0, 8.0]]))
Y_max

# %% pool2d-avg
Y_avg = pool2d(X, (2, 2), "avg")
assert torch.equal(Y_avg, torch.tensor([[2.0, 3.0], [5.0, 6.0]]))
Y_avg

# %% same-as-pytorch
# PyTorch's pooling layers agree (stride 1 here, as in pool2d).
X4 = X.reshape(1, 1, 3, 3)
assert torch.equal(nn.MaxPool2d(2, stride=1)(X4)[0, 0], Y_max)
assert torch.equal(nn.AvgPool2d(2, stride=1)(X4)[0, 0], Y_avg)

# %% input-4d
X = torch.arange(16, dtype=torch.float32).reshape((1, 1, 4, 4))
X

# %% default-stride
# In PyTorch the stride defaults to the window size: a 3×3 window fits once in 4×4.
pool2d = nn.MaxPool2d(3)
assert torch.equal(pool2d(X), torch.tensor([[[[10.0]]]]))
pool2d(X)

# %% padding-stride
pool2d = nn.MaxPool2d(3, padding=1, stride=2)
assert torch.equal(pool2d(X), torch.tensor([[[[5.0, 7.0], [13.0, 15.0]]]]))
pool2d(X)

# %% padding-stride-rect
pool2d = nn.MaxPool2d((2, 3), stride=(2, 3), padding=(0, 1))
assert pool2d(X).shape == (1, 1, 2, 2)
pool2d(X)

# %% multi-channel
# Pooling works on each channel separately: 2 channels in, 2 channels out.
X = torch.cat((X, X + 1), 1)
pool2d = nn.MaxPool2d(3, padding=1, stride=2)
Y = pool2d(X)
assert Y.shape[1] == X.shape[1] == 2
assert torch.equal(Y[:, 1], Y[:, 0] + 1)
Y

# %% shift-tolerance
# Less sensitive to position: an edge detected at column 2 or at column 3 gives the same
# 2×2 max-pooled output at stride 1 in the overlapping window.
edges = torch.zeros(1, 1, 4, 6)
edges[..., 2] = 1
shifted = torch.roll(edges, shifts=1, dims=3)  # the same edge one pixel to the right
pool = nn.MaxPool2d(2, stride=1)
assert not torch.equal(edges, shifted)
assert torch.equal(pool(edges)[..., 2], pool(shifted)[..., 2])
pool(edges)[0, 0], pool(shifted)[0, 0]

# %% [markdown]
# Exercises: answers

# %% exercise-1
# Stride defaults to the window: a 2×2 window on 5×5 fits twice per side and the last
# row and column are dropped (floor), unless ceil_mode lets a last, partial window in.
X = torch.arange(25, dtype=torch.float32).reshape(1, 1, 5, 5)
floor_out, ceil_out = nn.MaxPool2d(2)(X), nn.MaxPool2d(2, ceil_mode=True)(X)
assert floor_out.shape == (1, 1, 2, 2) and ceil_out.shape == (1, 1, 3, 3)
assert ceil_out[0, 0, 2, 2] == 24  # the partial corner window holds only X[4, 4]
floor_out[0, 0], ceil_out[0, 0]


# %% exercise-2
def avg_pool_as_conv(X: torch.Tensor, k: int) -> torch.Tensor:
    """k×k average pooling (stride k) as a conv with fixed weights 1/k², per channel."""
    channels = X.shape[1]
    weight = torch.full((channels, 1, k, k), 1 / k**2)
    # groups=channels: each output channel sees only its own input channel, like
    # pooling.
    return nn.functional.conv2d(X, weight, stride=k, groups=channels)


torch.manual_seed(0)
X = torch.rand(2, 3, 6, 6)
assert torch.allclose(avg_pool_as_conv(X, 2), nn.AvgPool2d(2)(X), atol=1e-6)
# Max pooling is no convolution: it is not linear. Two inputs whose maxima do not add
# up:
a, b = (
    torch.tensor([[[[1.0, 0.0], [0.0, 0.0]]]]),
    torch.tensor([[[[0.0, 1.0], [0.0, 0.0]]]]),
)
pool = nn.MaxPool2d(2)
assert pool(a + b) != pool(a) + pool(b)  # max is 1, not 1 + 1
pool(a + b).item(), (pool(a) + pool(b)).item()

# %% exercise-3
# Which input elements receive a gradient? Max pooling: one per window; average: all,
# 1/4 each.
X = torch.tensor(
    [
        [
            [
                [1.0, 5.0, 2.0, 0.0],
                [3.0, 4.0, 8.0, 1.0],
                [0.0, 2.0, 1.0, 1.0],
                [9.0, 1.0, 3.0, 2.0],
            ]
        ]
    ],
    requires_grad=True,
)
nn.MaxPool2d(2)(X).sum().backward()
max_grad = X.grad[0, 0].clone()
X.grad = None
nn.AvgPool2d(2)(X).sum().backward()
avg_grad = X.grad[0, 0].clone()
# the 4 window maxima: 5, 8, 9, 3
assert max_grad.sum() == 4 and (max_grad != 0).sum() == 4
assert torch.all(avg_grad == 0.25)
max_grad, avg_grad
