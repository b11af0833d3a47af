# %% imports
import torch
import torch.nn.functional as F  # the functional forms of layers, e.g. F.relu
from torch import nn

_ = torch.manual_seed(0)  # '_ =' keeps the returned generator off the output

# %% sequential
# A multilayer perceptron built from ready-made layers: 20
# inputs, 256 hidden units, 10 outputs.
net = nn.Sequential(nn.Linear(20, 256), nn.ReLU(), nn.Linear(256, 10))

X = torch.rand(2, 20)  # a minibatch of 2 examples
assert net(X).shape == (2, 10)
net(X)


# %% mlp-class
class MLP(nn.Module):
    """The same MLP as a block of our own: layers in __init__, computation in forward.
    """

    def __init__(self):
        # Let nn.Module set up its bookkeeping (parameter
        # registry, hooks, train/eval flag).
        super().__init__()
        self.hidden = nn.Linear(20, 256)  # hidden layer
        self.out = nn.Linear(256, 10)  # output layer

    def forward(self, X):
        # F.relu is the function form of nn.ReLU: it has no
        # parameters, so it needs no attribute.
        return self.out(F.relu(self.hidden(X)))


net = MLP()
assert net(X).shape == (2, 10)
net(X)


# %% my-sequential
class MySequential(nn.Module):
    """A hand-made nn.Sequential: keeps its blocks in order and chains them."""

    def __init__(self, *args):
        super().__init__()
        for idx, module in enumerate(args):
            # add_module registers the child under a name, so its parameters are found
            # by net.parameters(), moved by net.to(device) and saved by
            # net.state_dict().
            self.add_module(str(idx), module)

    def forward(self, X):
        for block in self.children():  # children come back in the order they were added
            X = block(X)
        return X


net = MySequential(nn.Linear(20, 256), nn.ReLU(), nn.Linear(256, 10))
assert net(X).shape == (2, 10)
# Same parameters as the built-in Sequential: 20*256 + 256 + 256*10 + 10.
assert sum(p.numel() for p in net.parameters()) == 20 * 256 + 256 + 256 * 10 + 10
net(X)


# %% fixed-hidden-mlp
class FixedHiddenMLP(nn.Module):
    """A block with a constant weight and Python control flow inside forward."""

    def __init__(self):
        super().__init__()
        # A constant: requires_grad=False and not an
        # nn.Parameter, so training never changes it.
        self.rand_weight = torch.rand((20, 20), requires_grad=False)
        self.linear = nn.Linear(20, 20)

    def forward(self, X):
        X = self.linear(X)
        X = F.relu(torch.mm(X, self.rand_weight) + 1)
        X = self.linear(X)  # the same layer used twice: its parameters are shared
        while X.abs().sum() > 1:  # ordinary Python control flow
            X /= 2
        return X.sum()


net = FixedHiddenMLP()
# Only the linear layer's weight and bias are parameters; rand_weight is not.
assert [name for name, _ in net.named_parameters()] == ["linear.weight", "linear.bias"]
out = net(X)
assert out.dim() == 0 and out.abs() <= 1
out


# %% nested
class NestMLP(nn.Module):
    """A block that contains a Sequential block and a layer."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU()
        )
        self.linear = nn.Linear(32, 16)

    def forward(self, X):
        return self.linear(self.net(X))


assert NestMLP()(X).shape == (2, 16)
# Blocks mix freely: a Sequential of a custom block, a layer and another custom block.
chimera = nn.Sequential(NestMLP(), nn.Linear(16, 20), FixedHiddenMLP())
print(chimera)
chimera(X)

# %% [markdown]
# Exercises: answers


# %% exercise-1
class ListSequential(nn.Module):
    """MySequential with the blocks in a plain Python list: nothing is registered."""

    def __init__(self, *args):
        super().__init__()
        self.blocks = list(args)

    def forward(self, X):
        for block in self.blocks:
            X = block(X)
        return X


class ModuleListSequential(ListSequential):
    """The fix: nn.ModuleList registers every block it holds, like add_module does."""

    def __init__(self, *args):
        super().__init__()
        self.blocks = nn.ModuleList(args)


torch.manual_seed(0)
in_list = ListSequential(nn.Linear(20, 256), nn.ReLU(), nn.Linear(256, 10))
registered = ModuleListSequential(nn.Linear(20, 256), nn.ReLU(), nn.Linear(256, 10))
counts = {
    type(net).__name__: sum(p.numel() for p in net.parameters())
    for net in (in_list, registered)
}
assert in_list(X).shape == (2, 10)  # the forward pass still works...
assert counts == {
    "ListSequential": 0,
    "ModuleListSequential": 20 * 256 + 256 + 256 * 10 + 10,
}
counts  # ...but an optimizer given in_list.parameters() would see nothing to train


# %% exercise-2
class Parallel(nn.Module):
    """Runs two blocks on one input and concatenates their outputs (features)."""

    def __init__(self, first, second):
        super().__init__()
        # attributes that are modules get registered
        self.first, self.second = (first, second)

    def forward(self, X):
        return torch.cat((self.first(X), self.second(X)), dim=1)


torch.manual_seed(0)
both = Parallel(nn.Linear(20, 8), nn.Sequential(nn.Linear(20, 4), nn.ReLU()))
out = both(X)
assert out.shape == (2, 8 + 4)
# the first 8 columns come from the first block
assert torch.equal(out[:, :8], both.first(X))
assert sum(p.numel() for p in both.parameters()) == (20 * 8 + 8) + (20 * 4 + 4)
out.shape

# %% exercise-3
# One Linear object repeated three times is one layer used three times: 8*8 + 8
# parameters.
layer = nn.Linear(8, 8)
repeated = nn.Sequential(*[layer] * 3)
# A factory call per position makes three independent layers.
fresh = nn.Sequential(*[nn.Linear(8, 8) for _ in range(3)])
n_repeated = sum(p.numel() for p in repeated.parameters())
n_fresh = sum(p.numel() for p in fresh.parameters())
assert repeated[0] is repeated[2] and (n_repeated, n_fresh) == (72, 3 * 72)
n_repeated, n_fresh

# %% exercise-4
# Parameters of chimera, block by block, against the count by hand.
by_block = {
    type(block).__name__: sum(p.numel() for p in block.parameters())
    for block in chimera
}
nest = (20 * 64 + 64) + (64 * 32 + 32) + (32 * 16 + 16)  # NestMLP: three Linear layers
assert by_block == {
    "NestMLP": nest,
    "Linear": 16 * 20 + 20,
    "FixedHiddenMLP": 20 * 20 + 20,
}
by_block, sum(by_block.values())
