# %% imports
import torch
import torch.nn.functional as F
from torch import nn

_ = torch.manual_seed(0)  # '_ =' keeps the returned generator off the output


# %% centered-layer
class CenteredLayer(nn.Module):
    """A layer without parameters: subtracts the mean so the output is centered at 0."""

    def forward(self, X):
        return X - X.mean()


layer = CenteredLayer()
Y = layer(torch.FloatTensor([1, 2, 3, 4, 5]))
assert torch.equal(Y, torch.tensor([-2.0, -1.0, 0.0, 1.0, 2.0]))
Y

# %% centered-in-net
# A custom layer is used like any built-in one, here as the last layer of a Sequential.
net = nn.Sequential(nn.Linear(8, 128), CenteredLayer())
Y = net(torch.rand(4, 8))
assert abs(Y.mean().item()) < 1e-6  # zero up to float32 rounding
Y.mean()


# %% my-linear
class MyLinear(nn.Module):
    """A fully connected layer with ReLU, written with nn.Parameter."""

    def __init__(self, in_units, units):
        super().__init__()
        # nn.Parameter registers the tensor as a parameter of
        # the module (requires_grad=True).
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units))

    def forward(self, X):
        # Use the parameters themselves: autograd records this
        # product and their gradients.
        linear = torch.matmul(X, self.weight) + self.bias
        return F.relu(linear)


linear = MyLinear(5, 3)
linear.weight


# %% data-cuts-autograd
class MyLinearData(MyLinear):
    """The version from the notes: forward reads .data, which detaches the parameters.
    """

    def forward(self, X):
        linear = torch.matmul(X, self.weight.data) + self.bias.data
        return F.relu(linear)


X = torch.rand(2, 5)
broken = MyLinearData(5, 3)
try:
    broken(X).sum().backward()
# the output has no graph at all, so backward has nothing to do
except RuntimeError as error:
    print("with .data:", error)
assert broken.weight.grad is None  # the parameter never receives a gradient

fixed = MyLinear(5, 3)
fixed(X).sum().backward()
assert fixed.weight.grad is not None and fixed.bias.grad is not None
# Check against the hand-derived gradient: d sum(relu(XW + b))
# / dW = X^T (mask of positive units)
mask = (X @ fixed.weight + fixed.bias > 0).float()
assert torch.allclose(fixed.weight.grad, X.T @ mask)
fixed.weight.grad

# %% my-linear-forward
X_unit = torch.rand(2, 5)  # inputs in [0, 1)
X_negative = -torch.ones(2, 5)
print("inputs in [0, 1):", linear(X_unit))
print("inputs of -1:    ", linear(X_negative))
# With these random weights every unit's linear part is negative for inputs in [0, 1),
# so ReLU outputs 0 there; for inputs of -1 all three units are active.
assert (X_unit @ linear.weight + linear.bias < 0).all()
assert (linear(X_negative) > 0).all()

# %% my-linear-in-net
net = nn.Sequential(MyLinear(64, 8), MyLinear(8, 1))
out = net(torch.rand(2, 64))
assert out.shape == (2, 1)
out

# %% [markdown]
# Exercises: answers


# %% exercise-1
class TensorReduction(nn.Module):
    """y_k = sum_ij W[i, j, k] * x_i * x_j per example: a layer with a 3-d weight."""

    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, in_units, units))

    def forward(self, X):
        return torch.einsum("bi,bj,ijk->bk", X, X, self.weight)


torch.manual_seed(0)
reduction = TensorReduction(4, 3)
X = torch.rand(2, 4)
Y = reduction(X)
# The same sum written out with loops, for one example and one output.
W = reduction.weight.detach()
by_loops = sum(W[i, j, 1] * X[0, i] * X[0, j] for i in range(4) for j in range(4))
assert Y.shape == (2, 3) and torch.allclose(Y[0, 1], by_loops)
assert sum(p.numel() for p in reduction.parameters()) == 4 * 4 * 3
Y


# %% exercise-2
class CenteredPerExample(nn.Module):
    """Subtracts each example's own mean, not the mean of the whole minibatch."""

    def forward(self, X):
        return X - X.mean(dim=1, keepdim=True)


X = torch.tensor([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]])
whole_batch = CenteredLayer()(X).mean(dim=1)
per_example = CenteredPerExample()(X).mean(dim=1)
# one mean for the batch: rows are off
assert not torch.allclose(whole_batch, torch.zeros(2))
assert torch.allclose(per_example, torch.zeros(2))
whole_batch, per_example


# %% exercise-3
class ScaleBuggy(nn.Module):
    """The bug: a plain tensor with requires_grad=True is not a parameter."""

    def __init__(self, units):
        super().__init__()
        self.scale = torch.ones(units, requires_grad=True)

    def forward(self, X):
        return X * self.scale


class ScaleFixed(ScaleBuggy):
    """The fix: wrap the tensor in nn.Parameter."""

    def __init__(self, units):
        super().__init__(units)
        self.scale = nn.Parameter(torch.ones(units))


found = {
    cls.__name__: (len(list(cls(3).parameters())), list(cls(3).state_dict()))
    for cls in (ScaleBuggy, ScaleFixed)
}
assert found == {"ScaleBuggy": (0, []), "ScaleFixed": (1, ["scale"])}
found
