# %% imports
import torch
from torch import nn

from d2lref import torch as d2l

# %% sigmoid-gradient
x = torch.arange(-8.0, 8.0, 0.1, requires_grad=True)
y = torch.sigmoid(x)
y.backward(torch.ones_like(x))

d2l.plot(x.detach().numpy(), [y.detach().numpy(), x.grad.numpy()],
         legend=['sigmoid', 'gradient'], figsize=(4.5, 2.5))

# %% sigmoid-gradient-bounds
# sigmoid'(x) = sigmoid(x) (1 - sigmoid(x)) is at most 1/4 (at x = 0) ...
grad = torch.sigmoid(torch.tensor([0.0, 8.0, -8.0]))
grad = grad * (1 - grad)
print('sigmoid gradient at 0, 8, -8:', grad.tolist())
assert torch.isclose(grad[0], torch.tensor(0.25))
assert x.grad.max() <= 0.25
# ... and almost vanishes for large |x|: below 1e-3 from |x| = 7 on (3.4e-4 at |x| = 8).
assert grad[1] < 4e-4 and grad[2] < 4e-4
assert torch.all(x.grad[x.detach().abs() >= 7] < 1e-3)
# Through 10 sigmoid layers, even the best case shrinks a gradient by 0.25 ** 10.
print('best-case factor after 10 sigmoid layers:', 0.25 ** 10)

# %% exploding-product
torch.manual_seed(0)
M = torch.normal(0, 1, size=(4, 4))
print('a single matrix\n', M)
for _ in range(100):
    M = M @ torch.normal(0, 1, size=(4, 4))
print('after multiplying 100 matrices\n', M)
assert M.abs().max() > 1e20

# %% symmetry
# Two hidden units with identical weights stay identical: their gradients are equal too.
net = nn.Sequential(nn.Linear(4, 2), nn.Tanh(), nn.Linear(2, 1))
with torch.no_grad():
    for param in net.parameters():
        param.fill_(0.5)
X_sym = torch.randn(8, 4)
net(X_sym).pow(2).sum().backward()
W1_grad = net[0].weight.grad
print('gradients of the two hidden units:\n', W1_grad)
assert torch.equal(W1_grad[0], W1_grad[1])

# %% xavier-init
# PyTorch's default for nn.Linear: uniform on [-1/sqrt(n_in), 1/sqrt(n_in)].
layer = nn.Linear(256, 256)
bound = 1 / 256 ** 0.5
print('default init: max |w| =', layer.weight.abs().max().item(), 'bound:', bound)
assert layer.weight.abs().max() <= bound
# Xavier targets Var(w) = 2 / (n_in + n_out).
nn.init.xavier_normal_(layer.weight)
target_var = 2 / (256 + 256)
print('Var(w) after Xavier:', layer.weight.var().item(), 'target:', target_var)
assert abs(layer.weight.var().item() - target_var) / target_var < 0.05

# %% activation-variance
def activation_variance(init_fn, depth=50, width=256):
    """Variance of the activations after each of depth linear layers (no nonlinearity)."""
    torch.manual_seed(0)
    H = torch.randn(1024, width)
    variances = []
    for _ in range(depth):
        W = torch.empty(width, width)
        init_fn(W)
        H = H @ W.T
        variances.append(H.var().item())
    return variances

xavier_vars = activation_variance(nn.init.xavier_normal_)
large_vars = activation_variance(lambda W: nn.init.normal_(W, std=0.1))
layers = list(range(1, len(xavier_vars) + 1))
d2l.plot(layers, [xavier_vars, large_vars], xlabel='layer', ylabel='variance',
         legend=['Xavier', 'N(0, 0.1^2)'], yscale='log', figsize=(4.5, 2.5))
print('variance after 50 layers, Xavier:', xavier_vars[-1])
print('variance after 50 layers, std 0.1:', large_vars[-1])
assert 0.1 < xavier_vars[-1] < 10
assert large_vars[-1] > 1e10

# %% gradient-clipping
w = torch.randn(10, requires_grad=True)
(1000 * w).sum().backward()                 # a huge gradient: every entry is 1000
norm_before = nn.utils.clip_grad_norm_([w], max_norm=1.0)
print('norm before:', norm_before.item(), 'after:', w.grad.norm().item())
assert w.grad.norm() <= 1.0 + 1e-6

# %% [markdown]
# Exercises: answers


# %% exercise-1
def relu_net_variance(std_fn, depth=50, width=256):
    """Variance of the pre-activations after depth ReLU layers, weights N(0, std^2)."""
    torch.manual_seed(0)
    H = torch.randn(1024, width)
    for _ in range(depth):
        W = torch.randn(width, width) * std_fn(width)
        H = torch.relu(H) @ W.T
    return H.var().item()


xavier_std = lambda n: (2 / (n + n)) ** 0.5  # noqa: E731
he_std = lambda n: (2 / n) ** 0.5  # noqa: E731  # Kaiming He: twice Xavier's variance
relu_xavier, relu_he = relu_net_variance(xavier_std), relu_net_variance(he_std)
print(f"after 50 ReLU layers: Xavier {relu_xavier:.2e}, He {relu_he:.2f}")
# ReLU zeroes half of its inputs, so Xavier loses a factor of about 2 per layer.
assert relu_xavier < 1e-10 and 0.1 < relu_he < 10


# %% exercise-2
def clip_by_norm(grads, max_norm):
    """Rescale all gradients together so their joint L2 norm is at most max_norm."""
    total = torch.sqrt(sum((g**2).sum() for g in grads))
    scale = min(1.0, max_norm / (total.item() + 1e-6))
    return [g * scale for g in grads], total


torch.manual_seed(0)
a, b = torch.randn(10, requires_grad=True), torch.randn(5, requires_grad=True)
(1000 * a).sum().backward()
(50 * b).sum().backward()
ours, total = clip_by_norm([a.grad, b.grad], max_norm=1.0)
reference = nn.utils.clip_grad_norm_([a, b], max_norm=1.0)
assert torch.isclose(total, reference)
assert torch.allclose(ours[0], a.grad) and torch.allclose(ours[1], b.grad)
# The direction is kept: only the length changes.
total.item(), torch.cat(ours).norm().item()

# %% exercise-3
# The page's symmetric network, with dropout after the hidden layer.
torch.manual_seed(0)
dropout_net = nn.Sequential(nn.Linear(4, 2), nn.Tanh(), nn.Dropout(0.5),
                            nn.Linear(2, 1))
with torch.no_grad():
    for param in dropout_net.parameters():
        param.fill_(0.5)
dropout_net(X_sym).pow(2).sum().backward()
W1_grad_dropout = dropout_net[0].weight.grad
# Different random masks for the two units: different gradients, the symmetry is broken.
assert not torch.equal(W1_grad_dropout[0], W1_grad_dropout[1])
W1_grad_dropout
