# %% imports
import torch
from torch import nn

from d2lref import torch as d2l

_ = torch.manual_seed(0)  # '_ =' keeps the returned generator off the output

# %% corr2d-teaching
def corr2d(X, K):
    """Two-dimensional cross-correlation (teaching version of d2l.corr2d)."""
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y

# %% corr2d
# The book's example: a 3×3 input and a 2×2 kernel give a 2×2 output.
X = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
Y = d2l.corr2d(X, K)
# Top-left element by hand: 0*0 + 1*1 + 3*2 + 4*3 = 19.
assert torch.equal(Y, torch.tensor([[19.0, 25.0], [37.0, 43.0]]))
Y

# %% same-as-pytorch
# nn.Conv2d computes the same cross-correlation (it wants batch and channel dimensions).
conv = nn.Conv2d(1, 1, kernel_size=2, bias=False)
conv.weight.data = K.reshape(1, 1, 2, 2)
assert torch.equal(conv(X.reshape(1, 1, 3, 3)).reshape(2, 2), Y)

# %% conv2d-teaching
class Conv2D(nn.Module):
    """Teaching version of d2l.Conv2D: corr2d plus a learnable bias."""

    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return corr2d(x, self.weight) + self.bias

# %% conv2d-layer
layer = d2l.Conv2D(kernel_size=(2, 2))
[name for name, _ in layer.named_parameters()], layer(X).shape

# %% edge-image
# A 6×8 image: 1 on the sides, 0 in columns 2 to 5.
X = torch.ones((6, 8))
X[:, 2:6] = 0
X

# %% edge-kernel
# [1, -1] gives 0 where neighboring pixels are equal and ±1 where they differ.
K = torch.tensor([[1.0, -1.0]])
Y = d2l.corr2d(X, K)
# white->black, black->white
assert torch.all(Y[:, 1] == 1) and torch.all(Y[:, 5] == -1)
assert Y.abs().sum() == 2 * 6  # zero everywhere else
Y

# %% edge-plot
# Left the image, right the output: the two edges light up
# (yellow +1, dark -1), the rest is 0.
_ = d2l.show_images([X, Y], 1, 2, titles=["image X", "output Y"], scale=2.5)

# %% edge-transposed
# On the transposed image the edges are horizontal: this
# kernel only sees vertical edges.
assert d2l.corr2d(X.t(), K).abs().sum() == 0
d2l.corr2d(X.t(), K)

# %% learn-kernel
# Learn K from the pairs (X, Y) alone: a 1-channel conv layer without bias, squared
# error, plain gradient descent with learning rate 3e-2.
conv2d = nn.Conv2d(1, 1, kernel_size=(1, 2), bias=False)
X = X.reshape((1, 1, 6, 8))  # (batch, channel, height, width)
Y = Y.reshape((1, 1, 6, 7))
lr = 3e-2
for i in range(10):
    Y_hat = conv2d(X)
    loss = (Y_hat - Y) ** 2
    conv2d.zero_grad()
    loss.sum().backward()
    conv2d.weight.data[:] -= lr * conv2d.weight.grad
    if (i + 1) % 2 == 0:
        print(f"epoch {i + 1}, loss {loss.sum():.3f}")

# %% learned-kernel
learned = conv2d.weight.data.reshape((1, 2))
assert torch.allclose(learned, torch.tensor([[1.0, -1.0]]), atol=0.1)
learned

# %% [markdown]
# Exercises: answers

# %% exercise-1
# A diagonal edge: X[i, j] = 1 below and on the diagonal, 0 above it.
diagonal = torch.tril(torch.ones(6, 6))
horizontal_diff = d2l.corr2d(diagonal, torch.tensor([[1.0, -1.0]]))
vertical_diff = d2l.corr2d(diagonal, torch.tensor([[1.0], [-1.0]]))
# [1, -1] fires where j == i, its transpose where j == i + 1: both see the diagonal.
assert torch.equal(horizontal_diff, torch.eye(6, 5))
assert torch.equal(vertical_diff, -torch.diag(torch.ones(5), 1)[:5])
horizontal_diff, vertical_diff


# %% exercise-2
def corr2d_unfold(X: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
    """corr2d without loops: every k_h×k_w window unfolded to a column, one matmul."""
    h, w = K.shape
    # (1, h*w, n_windows)
    windows = nn.functional.unfold(X[None, None], kernel_size=(h, w))
    return (K.reshape(1, -1) @ windows[0]).reshape(
        X.shape[0] - h + 1, X.shape[1] - w + 1
    )


torch.manual_seed(0)
X, K = torch.rand(7, 9), torch.rand(3, 2)
assert torch.allclose(corr2d_unfold(X, K), d2l.corr2d(X, K), atol=1e-6)
corr2d_unfold(X, K).shape


# %% exercise-3
def learn_edge_kernel(lr: float, steps: int = 10) -> list[float]:
    """The learn-kernel loop at a learning rate; returns the loss after each step."""
    torch.manual_seed(0)
    X = torch.ones((1, 1, 6, 8))
    X[:, :, :, 2:6] = 0
    Y = d2l.corr2d(X[0, 0], torch.tensor([[1.0, -1.0]]))[None, None]
    conv2d = nn.Conv2d(1, 1, kernel_size=(1, 2), bias=False)
    losses = []
    for _ in range(steps):
        loss = ((conv2d(X) - Y) ** 2).sum()
        conv2d.zero_grad()
        loss.backward()
        conv2d.weight.data[:] -= lr * conv2d.weight.grad
        losses.append(loss.item())
    return losses


# The loss is quadratic in the 2 weights; its Hessian's largest eigenvalue sets the
# limit 2/λ.
windows = torch.ones(6, 8)
windows[:, 2:6] = 0
pairs = torch.stack([windows[:, :-1].reshape(-1), windows[:, 1:].reshape(-1)], dim=1)
largest = torch.linalg.eigvalsh(2 * pairs.T @ pairs).max().item()
losses = {lr: learn_edge_kernel(lr) for lr in (0.01, 0.03, 0.04)}
assert abs(largest - 60) < 1e-4  # so gradient descent diverges above lr = 2/60 ≈ 0.033
# both converge, 0.03 faster
assert losses[0.03][-1] < losses[0.01][-1] < losses[0.01][0]
assert losses[0.04][-1] > losses[0.04][0]  # just past the limit: the loss grows
print(f"largest Hessian eigenvalue {largest:.0f}, largest stable lr {2 / largest:.4f}")
for lr, run in losses.items():
    print(f"lr={lr}: loss {run[0]:.3f} -> {run[-1]:.3g}")
