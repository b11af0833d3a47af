# %% imports
import math

import matplotlib.pyplot as plt
import torch
from matplotlib.patches import Ellipse

from d2lref import torch as d2l

d2l.set_seed(0)

# %% function-classes
# Function classes drawn as regions (center x, center y, width, height); f* (the star) is the
# function we are looking for.
f_star = (3.8, 2.2)
# Non-nested: bigger classes lie elsewhere; F3 and F4 end up farther from f* than F2.
non_nested = [(1.0, 1.2, 1.2, 0.8), (2.3, 1.9, 1.8, 1.1),
              (1.3, 2.6, 2.4, 1.0), (2.0, 0.8, 3.2, 1.1)]
# Nested, F1 ⊆ F2 ⊆ F3 ⊆ F4: a bigger class keeps the smaller ones and can only get closer.
nested = [(0.6 + w / 2, 0.6 + h / 2, w, h)
          for w, h in [(1.0, 0.7), (1.8, 1.2), (2.8, 1.8), (3.8, 2.6)]]
fig, axes = plt.subplots(1, 2, figsize=(7, 3))
for ax, classes, title in ((axes[0], non_nested, "non-nested function classes"),
                           (axes[1], nested, "nested function classes")):
    for i, (x, y, w, h) in enumerate(classes):
        ax.add_patch(Ellipse((x, y), w, h, fill=False, color=f"C{i}", linewidth=1.5))
        ax.text(x, y + h / 2 + 0.03, f"$F_{i + 1}$", color=f"C{i}", ha="center", va="bottom")
    ax.plot(*f_star, marker="*", markersize=12, color="black")
    ax.text(f_star[0] + 0.15, f_star[1], "$f^*$", va="center")
    ax.set(xlim=(0, 4.8), ylim=(0, 3.6), aspect="equal")
    ax.set_title(title)
    ax.axis("off")
plt.show()

# %% residual-same-shape
X = torch.rand(4, 3, 6, 6)
blk = d2l.Residual(3, 3)
Y = blk(X)
print(Y.shape)
assert Y.shape == (4, 3, 6, 6)  # use_1x1conv=False: output shape = input shape

# %% residual-1x1
blk = d2l.Residual(3, 6, use_1x1conv=True, strides=2)
Y = blk(X)
print(Y.shape)
assert Y.shape == (4, 6, 3, 3)  # more channels, half the height and width

# %% resnet18-model
net = d2l.resnet18()
rows = d2l.print_layer_shapes(net, (1, 1, 96, 96))
assert [tuple(row.output_shape) for row in rows[:5]] == [
    (1, 64, 24, 24), (1, 64, 24, 24), (1, 128, 12, 12), (1, 256, 6, 6), (1, 512, 3, 3)]
assert tuple(rows[-1].output_shape) == (1, 10)
# 18 layers: the 7x7 stem conv, 16 3x3 convs in the residual blocks, one dense layer.
convs = [m for m in net.modules() if isinstance(m, torch.nn.Conv2d) and m.kernel_size != (1, 1)]
assert len(convs) + 1 == 18

# %% resnet18-diagram
d2l.architecture_diagram(net, (1, 1, 96, 96), title="ResNet-18")

# %% train
lr, num_epochs, batch_size = 0.05, 10, 256
train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size, resize=96)
result = d2l.train_ch6(net, train_iter, test_iter, num_epochs, lr, d2l.try_gpu())
assert math.isfinite(result.train_loss)

# %% [markdown]
# Exercises: answers

# %% exercise-1
# Zero the scale of the block's last batch norm: the residual branch outputs 0 and the
# block computes relu(X + 0). For a non-negative input that is the identity.
d2l.set_seed(0)
blk = d2l.Residual(3, 3)
torch.nn.init.zeros_(blk.bn2.weight)
X = torch.rand(4, 3, 6, 6)  # non-negative
assert torch.equal(blk(X), X)
(blk(X) - X).abs().max()

# %% exercise-2
# Gradients through depth at initialization: 30 layers of Linear + ReLU with and without
# skip connections. Measured: the first layer's weight gradient relative to the last
# layer's.
from torch import nn  # noqa: E402


class Stack(nn.Module):
    """30 Linear + ReLU layers, each optionally wrapped in x + f(x)."""

    def __init__(self, residual: bool, depth: int = 30, width: int = 64):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(width, width) for _ in range(depth))
        self.residual = residual

    def forward(self, X):
        for layer in self.layers:
            X = X + torch.relu(layer(X)) if self.residual else torch.relu(layer(X))
        return X


first_over_last = {}
for residual in (False, True):
    d2l.set_seed(0)
    stack = Stack(residual)
    stack(torch.randn(32, 64)).pow(2).mean().backward()
    first, last = (stack.layers[i].weight.grad.norm().item() for i in (0, -1))
    first_over_last["residual" if residual else "plain"] = first / last
assert first_over_last["plain"] < 1e-6  # the gradient vanishes on its way down
# the identity path carries it to the first layer
assert first_over_last["residual"] > 0.01
{name: f"{ratio:.1e}" for name, ratio in first_over_last.items()}


# %% exercise-3
class Bottleneck(nn.Module):
    """ResNet-50's block: 1×1 down to `mid` channels, 3×3, 1×1 back up, plus X."""

    def __init__(self, channels: int, mid: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(channels, mid, 1),
            nn.BatchNorm2d(mid),
            nn.ReLU(),
            nn.Conv2d(mid, mid, 3, padding=1),
            nn.BatchNorm2d(mid),
            nn.ReLU(),
            nn.Conv2d(mid, channels, 1),
            nn.BatchNorm2d(channels),
        )

    def forward(self, X):
        return torch.relu(self.body(X) + X)


d2l.set_seed(0)
bottleneck, basic = Bottleneck(256, 64), d2l.Residual(256, 256)
X = torch.randn(2, 256, 6, 6)
assert bottleneck(X).shape == basic(X).shape == X.shape
counts = {
    name: sum(p.numel() for p in m.parameters())
    for name, m in (("bottleneck", bottleneck), ("basic", basic))
}
assert counts["basic"] > 15 * counts["bottleneck"]
counts
