# %% imports
import torch

from d2lref import torch as d2l

# %% relu
x = torch.arange(-8.0, 8.0, 0.1, requires_grad=True)
y = torch.relu(x)
d2l.plot(x.detach(), y.detach(), "x", "relu(x)", figsize=(5, 2.5))
assert torch.equal(y, torch.where(x > 0, x, 0.0))  # negatives become 0, positives pass

# %% relu-grad
y.backward(torch.ones_like(x), retain_graph=True)
d2l.plot(x.detach(), x.grad, "x", "grad of relu", figsize=(5, 2.5))
# The derivative is 0 for negative inputs and 1 for positive ones, nothing else.
assert set(x.grad.unique().tolist()) <= {0.0, 1.0}
assert torch.equal(x.grad, (x > 0).float())

# %% sigmoid
y = torch.sigmoid(x)
d2l.plot(x.detach(), y.detach(), "x", "sigmoid(x)", figsize=(5, 2.5))
assert ((y > 0) & (y < 1)).all()  # squashed into (0, 1)

# %% sigmoid-grad
# x.grad still holds the ReLU gradient: clear it before the next backward
x.grad.data.zero_()
y.backward(torch.ones_like(x), retain_graph=True)
d2l.plot(x.detach(), x.grad, "x", "grad of sigmoid", figsize=(5, 2.5))
# sigmoid'(x) = sigmoid(x) (1 - sigmoid(x)): largest at x =
# 0, where it is 1/2 * 1/2 = 0.25.
sigmoid_x = torch.sigmoid(x.detach())
assert torch.allclose(x.grad, sigmoid_x * (1 - sigmoid_x), atol=1e-6)
peak = x.grad.argmax()
assert abs(x.detach()[peak].item()) < 1e-5 and abs(x.grad[peak].item() - 0.25) < 1e-6
# Far from 0 the gradient almost vanishes: this is what slows deep sigmoid networks.
assert x.grad[0].item() < 1e-3

# %% tanh
y = torch.tanh(x)
d2l.plot(x.detach(), y.detach(), "x", "tanh(x)", figsize=(5, 2.5))
assert ((y > -1) & (y < 1)).all()  # squashed into (-1, 1)
assert torch.allclose(torch.tanh(-x), -y)  # point-symmetric about the origin

# %% tanh-grad
x.grad.data.zero_()
y.backward(torch.ones_like(x), retain_graph=True)
d2l.plot(x.detach(), x.grad, "x", "grad of tanh", figsize=(5, 2.5))
# tanh'(x) = 1 - tanh(x)^2: largest at x = 0, where it equals 1.
assert torch.allclose(x.grad, 1 - torch.tanh(x.detach()) ** 2, atol=1e-6)
peak = x.grad.argmax()
assert abs(x.detach()[peak].item()) < 1e-5 and abs(x.grad[peak].item() - 1.0) < 1e-6

# %% xor-no-line
# XOR: label 1 exactly when the two inputs differ.
xor_inputs = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
xor_labels = torch.tensor([0, 1, 1, 0])
# Try every line w1*x1 + w2*x2 + b = 0 on a grid: none puts
# all four points on the right side.
grid = torch.linspace(-3, 3, 61)
w1, w2, bias = torch.meshgrid(grid, grid, grid, indexing="ij")
scores = (w1[..., None] * xor_inputs[:, 0] + w2[..., None] * xor_inputs[:, 1]
          + bias[..., None])
correct = ((scores > 0).long() == xor_labels).sum(dim=-1)
print("best single perceptron gets", correct.max().item(), "of 4 right")
assert correct.max().item() == 3

# %% xor-with-hidden-layer
# One hidden layer of two ReLU units solves it: h1 = relu(x1 + x2), h2 = relu(x1 + x2 -
# 1), output h1 - 2 h2 is 0, 1, 1, 0.
hidden = torch.relu(
    xor_inputs @ torch.tensor([[1.0, 1.0], [1.0, 1.0]]) + torch.tensor([0.0, -1.0])
)
output = hidden @ torch.tensor([1.0, -2.0])
assert torch.equal(output, xor_labels.float())
output

# %% [markdown]
# Exercises: answers

# %% exercise-1
# ReLU is not differentiable at 0; PyTorch uses the derivative 0 there.
at_zero = torch.tensor([-1.0, 0.0, 1.0], requires_grad=True)
torch.relu(at_zero).sum().backward()
assert torch.equal(at_zero.grad, torch.tensor([0.0, 0.0, 1.0]))
at_zero.grad


# %% exercise-2
def prelu(X, alpha):
    """Parametrized ReLU: max(0, x) + alpha * min(0, x); alpha = 0 is plain ReLU."""
    return torch.clamp(X, min=0) + alpha * torch.clamp(X, max=0)


z = torch.linspace(-3, 3, 6, requires_grad=True)  # -3, -1.8, ..., 3 (0 left out)
out = prelu(z, 0.1)
assert torch.allclose(out, torch.nn.functional.leaky_relu(z, 0.1))
out.sum().backward()
# Negative inputs keep a small gradient alpha instead of 0: no unit is ever fully dead.
assert torch.allclose(z.grad, torch.where(z > 0, 1.0, 0.1))
z.grad


# %% exercise-3
def gradient_through(activation, depth, x=0.0):
    """d/dx of `activation` applied depth times, at x (chain rule, layer by layer)."""
    x = torch.tensor(x, requires_grad=True)
    y = x
    for _ in range(depth):
        y = activation(y)
    y.backward()
    return x.grad.item()


for depth in (1, 5, 10):
    print(f"depth {depth:2d}: sigmoid {gradient_through(torch.sigmoid, depth):.2e}, "
          f"tanh {gradient_through(torch.tanh, depth):.2e}")
# Each sigmoid multiplies the gradient by at most 0.25; tanh by 1 at 0.
assert gradient_through(torch.sigmoid, 10) < 0.25**10
assert gradient_through(torch.tanh, 10) == 1.0

# %% exercise-4
# tanh is a shifted and rescaled sigmoid: tanh(x) = 2 sigmoid(2x) - 1.
grid_x = torch.linspace(-5, 5, 101)
gap = (torch.tanh(grid_x) - (2 * torch.sigmoid(2 * grid_x) - 1)).abs().max()
assert gap < 1e-6
gap
