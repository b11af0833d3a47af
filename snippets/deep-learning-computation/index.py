# %% imports
import torch
from torch import nn

from d2lref import torch as d2l


# %% sawtooth-net
def sawtooth_net(depth):
    """A ReLU net: `depth` hidden layers of 2 units apply the tent map `depth` times.

    Tent map on [0, 1]: t(x) = 2 relu(x) - 4 relu(x - 0.5), up from 0 to 1 and back.
    """
    layers = []
    for i in range(depth):
        linear = nn.Linear(1 if i == 0 else 2, 2)
        with torch.no_grad():
            # Each layer reads t(previous) = 2 h1 - 4 h2 and
            # computes relu(t) and relu(t - 0.5).
            linear.weight.copy_(
                torch.tensor([[1.0], [1.0]])
                if i == 0
                else torch.tensor([[2.0, -4.0], [2.0, -4.0]])
            )
            linear.bias.copy_(torch.tensor([0.0, -0.5]))
        layers += [linear, nn.ReLU()]
    out = nn.Linear(2, 1)
    with torch.no_grad():
        out.weight.copy_(torch.tensor([[2.0, -4.0]]))
        out.bias.zero_()
    return nn.Sequential(*layers, out)


x = torch.linspace(0, 1, 2**14 + 1).reshape(-1, 1)
with torch.no_grad():
    y = sawtooth_net(4)(x)
_ = d2l.plot(x.squeeze(), y.squeeze(), "x", "f(x)", figsize=(4.5, 2.5))


# %% count-pieces
def count_linear_pieces(net, x):
    """Number of linear pieces of a 1-D function on a fine grid (where the slope
    changes).
    """
    with torch.no_grad():
        slope = torch.diff(net(x).squeeze()) / torch.diff(x.squeeze())
    return int((torch.diff(slope).abs() > 1e-3).sum()) + 1


for depth in (1, 2, 4, 8, 10):
    pieces = count_linear_pieces(sawtooth_net(depth), x)
    assert pieces == 2**depth
    # A one-hidden-layer ReLU network with m units on one
    # input has at most m + 1 pieces.
    print(
        f"depth {depth:2d}: {2 * depth:2d} hidden units, {pieces:4d} linear pieces; "
        f"one hidden layer needs at least {pieces - 1} units"
    )
