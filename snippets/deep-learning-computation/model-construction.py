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
