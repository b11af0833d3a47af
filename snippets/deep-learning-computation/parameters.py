# %% imports
import torch
from torch import nn

_ = torch.manual_seed(0)  # '_ =' keeps the returned generator off the output

# %% net
# A one-hidden-layer MLP: net[0] is the hidden layer, net[1]
# the ReLU, net[2] the output layer.
net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
X = torch.rand(size=(2, 4))
net(X)

# %% state-dict
# The output layer's parameters by name: weight (1×8) and bias (1).
net[2].state_dict()

# %% one-parameter
# A parameter is an object: its value (.data), its gradient (.grad) and more.
print(type(net[2].bias))
print(net[2].bias)
print(net[2].bias.data)
# No backward pass has run yet, so there is no gradient.
assert net[2].weight.grad is None
print(net[2].weight.grad)

# %% all-parameters
print(*[(name, param.shape) for name, param in net[0].named_parameters()])
print(*[(name, param.shape) for name, param in net.named_parameters()])

# %% by-name
# The names give another way in: "2.bias" is the bias of child "2".
assert torch.equal(net.state_dict()["2.bias"], net[2].bias.data)
net.state_dict()["2.bias"].data


# %% rgnet
def block1():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 4), nn.ReLU())


def block2():
    net = nn.Sequential()
    for i in range(4):
        net.add_module(f"block {i}", block1())  # nested: four block1's inside block2
    return net


rgnet = nn.Sequential(block2(), nn.Linear(4, 1))
assert rgnet(X).shape == (2, 1)
print(rgnet)

# %% nested-access
# Index level by level: block2 -> its second block1 -> that block's first Linear.
first_bias = rgnet[0][1][0].bias.data
assert first_bias.shape == (8,)
first_bias


# %% init-normal
def init_normal(m):
    if type(m) is nn.Linear:
        nn.init.normal_(m.weight, mean=0, std=0.01)
        nn.init.zeros_(m.bias)


net.apply(init_normal)  # apply visits every submodule, net itself included
assert torch.all(net[0].bias == 0)
net[0].weight.data[0], net[0].bias.data[0]


# %% init-constant
def init_constant(m):
    if type(m) is nn.Linear:
        nn.init.constant_(m.weight, 1)
        nn.init.zeros_(m.bias)


net.apply(init_constant)
assert torch.all(net[0].weight == 1)
net[0].weight.data[0], net[0].bias.data[0]


# %% init-per-layer
# Different layers, different initializations.
def init_xavier(m):
    if type(m) is nn.Linear:
        nn.init.xavier_uniform_(m.weight)


def init_42(m):
    if type(m) is nn.Linear:
        nn.init.constant_(m.weight, 42)


net[0].apply(init_xavier)
net[2].apply(init_42)
# Xavier uniform draws from U(-a, a) with a = sqrt(6 /
# (fan_in + fan_out)) = sqrt(6 / 12) here.
assert net[0].weight.abs().max() <= (6 / (4 + 8)) ** 0.5
assert torch.all(net[2].weight == 42)
print(net[0].weight.data[0])
print(net[2].weight.data)


# %% my-init
def my_init(m):
    if type(m) is nn.Linear:
        print("Init", *[(name, param.shape) for name, param in m.named_parameters()][0])
        nn.init.uniform_(m.weight, -10, 10)
        # Keep a weight only where |w| >= 5: U(-10, 10) masked
        # this way, half the weights are 0.
        m.weight.data *= m.weight.data.abs() >= 5


net.apply(my_init)
w = net[0].weight
assert torch.all((w == 0) | (w.abs() >= 5))
w[:2]

# %% direct-edit
# Parameters can also be set by hand (through .data, so
# autograd does not record the edit).
net[0].weight.data[:] += 1
net[0].weight.data[0, 0] = 42
assert net[0].weight[0, 0] == 42
net[0].weight.data[0]

# %% tied
# Give the shared layer a name so that its parameters can be referred to.
shared = nn.Linear(8, 8)
net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), shared, nn.ReLU(), shared, nn.ReLU(),
                    nn.Linear(8, 1))
net.apply(init_normal)
# The same object sits at index 2 and 4: same weight tensor, not a copy.
assert net[2] is net[4] and net[2].weight is net[4].weight
print(net[2].weight.data[0] == net[4].weight.data[0])
net[2].weight.data[0, 0] = 100  # a change through one name is seen through the other
print(net[2].weight.data[0] == net[4].weight.data[0])

# %% tied-gradient
# The gradient of a shared parameter is the sum of the gradients of both
# uses. Check it against an untied copy of the network where positions 2 and
# 4 are two separate layers with equal values.
untied = nn.Sequential(
    *[nn.Linear(8, 8) if i in (2, 4) else layer for i, layer in enumerate(net)])
for i in (2, 4):
    untied[i].load_state_dict(shared.state_dict())
X, y = torch.rand(16, 4), torch.rand(16, 1)
loss = nn.MSELoss()
net.zero_grad()
loss(net(X), y).backward()
untied.zero_grad()
loss(untied(X), y).backward()
assert torch.allclose(shared.weight.grad, untied[2].weight.grad + untied[4].weight.grad)
shared.weight.grad[0, :4], (untied[2].weight.grad + untied[4].weight.grad)[0, :4]

# %% tied-training
# A few real SGD steps: the two uses stay one tensor and keep equal values.
optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
# net.parameters() lists a shared parameter once, so the step updates it once.
assert len(list(net.parameters())) == 6
before = shared.weight.detach().clone()
for _ in range(5):
    optimizer.zero_grad()
    loss(net(X), y).backward()
    optimizer.step()
assert net[2].weight is net[4].weight
assert torch.equal(net[2].weight, net[4].weight)
assert not torch.equal(before, shared.weight)  # training did change the shared weight
(shared.weight.detach() - before).abs().max()

# %% [markdown]
# Exercises: answers

# %% exercise-1
# An in-place edit of a parameter that requires a gradient: autograd refuses it...
torch.manual_seed(0)
layer = nn.Linear(4, 8)
try:
    layer.weight[:] += 1
    edit_error = None
except RuntimeError as err:
    edit_error = str(err).split(".")[0]
assert edit_error is not None and "leaf Variable" in edit_error
# ...unless the edit happens where autograd records nothing: under torch.no_grad().
before = layer.weight.detach().clone()
with torch.no_grad():
    layer.weight[:] += 1
    layer.weight[0, 0] = 42
assert layer.weight[0, 0] == 42 and torch.equal(layer.weight[1], before[1] + 1)
assert layer.weight.requires_grad  # still a parameter that trains
edit_error

# %% exercise-2
# my_init on a big layer: the fraction of zeros and the range of the other weights.
torch.manual_seed(0)
big = nn.Linear(100, 100)
my_init(big)
w = big.weight.detach()
zero_fraction = (w == 0).float().mean().item()
kept = w[w != 0].abs()
assert abs(zero_fraction - 0.5) < 0.02  # P(|w| < 5) for w ~ U(-10, 10) is 1/2
assert kept.min() >= 5 and kept.max() <= 10 and abs(kept.mean() - 7.5) < 0.1
print(f"zeros: {zero_fraction:.3f}, mean |w| of the rest: {kept.mean():.2f}")


# %% exercise-3
def count_parameters(module: nn.Module) -> int:
    """The number of scalar parameters of a module, its children included."""
    return sum(p.numel() for p in module.parameters())


block = (4 * 8 + 8) + (8 * 4 + 4)  # one block1: Linear(4, 8) and Linear(8, 4)
counts = {
    "block1": count_parameters(rgnet[0][0]),
    "block2": count_parameters(rgnet[0]),
    "rgnet": count_parameters(rgnet),
}
assert counts == {"block1": block, "block2": 4 * block, "rgnet": 4 * block + (4 + 1)}
counts

# %% exercise-4
# Xavier uniform draws from U(-a, a), whose standard deviation is
# a / sqrt(3) = sqrt(2 / (in + out)).
torch.manual_seed(0)
wide = nn.Linear(256, 256)
nn.init.xavier_uniform_(wide.weight)
expected_std = (2 / (256 + 256)) ** 0.5
measured_std = wide.weight.std().item()
assert abs(measured_std - expected_std) / expected_std < 0.02
print(f"expected std {expected_std:.4f}, measured {measured_std:.4f}")
