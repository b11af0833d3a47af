# %% imports
import math

import matplotlib.pyplot as plt
import torch
from matplotlib.patches import Ellipse
from torch import nn
from torch.nn import functional as F

from d2lref import torch as d2l

d2l.set_seed(0)

# %% function-classes
# Function classes drawn as regions (center x, center y, width, height); f* (the star)
# is the function we are looking for.
f_star = (3.8, 2.2)
# Non-nested: bigger classes lie elsewhere; F3 and F4 end up farther from f* than F2.
non_nested = [(1.0, 1.2, 1.2, 0.8), (2.3, 1.9, 1.8, 1.1),
              (1.3, 2.6, 2.4, 1.0), (2.0, 0.8, 3.2, 1.1)]
# Nested, F1 ⊆ F2 ⊆ F3 ⊆ F4: each class is F4 shrunk towards a point on F4's boundary.
# Shrinking a convex region towards one of its own points keeps it inside, so every
# class contains the smaller ones, and a bigger class can only get closer to f*.
big = (2.45, 1.85, 3.9, 2.7)
corner = (big[0] - big[2] / 2 * math.cos(math.pi / 4),
          big[1] - big[3] / 2 * math.sin(math.pi / 4))
nested = [(corner[0] + t * (big[0] - corner[0]), corner[1] + t * (big[1] - corner[1]),
           t * big[2], t * big[3]) for t in (0.3, 0.5, 0.75, 1.0)]


def inside(point, ellipse):
    """Whether point lies in the (axis-aligned) ellipse, boundary included."""
    (px, py), (x, y, w, h) = point, ellipse
    return ((px - x) / (w / 2)) ** 2 + ((py - y) / (h / 2)) ** 2 <= 1 + 1e-9


for small, large in zip(nested[:-1], nested[1:], strict=True):
    x, y, w, h = small
    boundary = [(x + w / 2 * math.cos(2 * math.pi * k / 360),
                 y + h / 2 * math.sin(2 * math.pi * k / 360)) for k in range(360)]
    assert all(inside(point, large) for point in boundary)


def draw_function_classes():
    """The figure: non-nested function classes on the left, nested ones on the right."""
    _, axes = plt.subplots(1, 2, figsize=(7, 3))
    for ax, classes, title in ((axes[0], non_nested, "non-nested function classes"),
                               (axes[1], nested, "nested function classes")):
        for i, (x, y, w, h) in enumerate(classes):
            ax.add_patch(Ellipse((x, y), w, h, fill=False, color=f"C{i}",
                                 linewidth=1.5))
            ax.text(x, y + h / 2 + 0.03, f"$F_{i + 1}$", color=f"C{i}", ha="center",
                    va="bottom")
        ax.plot(*f_star, marker="*", markersize=12, color="black")
        ax.text(f_star[0] + 0.15, f_star[1], "$f^*$", va="center")
        ax.set(xlim=(0, 4.8), ylim=(0, 3.6), aspect="equal")
        ax.set_title(title)
        ax.axis("off")
    plt.show()


# %% function-classes-figure
draw_function_classes()

# %% residual-teaching
class Residual(nn.Module):
    """Teaching version of d2l.Residual: two 3×3 convolutions plus a shortcut."""

    def __init__(self, input_channels, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(input_channels, num_channels, kernel_size=3,
                               padding=1, stride=strides)
        self.conv2 = nn.Conv2d(num_channels, num_channels, kernel_size=3, padding=1)
        self.conv3 = None
        if use_1x1conv:  # reshape the input on the shortcut
            self.conv3 = nn.Conv2d(input_channels, num_channels, kernel_size=1,
                                   stride=strides)
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.bn2 = nn.BatchNorm2d(num_channels)

    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3 is not None:
            X = self.conv3(X)
        return F.relu(Y + X)

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

# %% resnet-block-teaching
def resnet_block(input_channels, num_channels, num_residuals, first_block=False):
    """Teaching version of d2l.resnet_block: a list of residual blocks."""
    blk = []
    for i in range(num_residuals):
        if i == 0 and not first_block:  # halve height and width, change the channels
            blk.append(Residual(input_channels, num_channels, use_1x1conv=True,
                                strides=2))
        else:
            blk.append(Residual(num_channels, num_channels))
    return blk

# %% resnet18-teaching
def resnet18():
    """Teaching version of d2l.resnet18 (1 input channel, 10 classes)."""
    b1 = nn.Sequential(nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3),
                       nn.BatchNorm2d(64), nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b2 = nn.Sequential(*resnet_block(64, 64, 2, first_block=True))
    b3 = nn.Sequential(*resnet_block(64, 128, 2))
    b4 = nn.Sequential(*resnet_block(128, 256, 2))
    b5 = nn.Sequential(*resnet_block(256, 512, 2))
    return nn.Sequential(b1, b2, b3, b4, b5, nn.AdaptiveAvgPool2d((1, 1)),
                         nn.Flatten(), nn.Linear(512, 10))

# %% resnet18-model
net = d2l.resnet18()
rows = d2l.print_layer_shapes(net, (1, 1, 96, 96))
assert [tuple(row.output_shape) for row in rows[:5]] == [
    (1, 64, 24, 24), (1, 64, 24, 24), (1, 128, 12, 12), (1, 256, 6, 6), (1, 512, 3, 3)]
assert tuple(rows[-1].output_shape) == (1, 10)
# 18 layers: the 7x7 stem conv, 16 3x3 convs in the residual blocks, one dense layer.
convs = [m for m in net.modules()
         if isinstance(m, torch.nn.Conv2d) and m.kernel_size != (1, 1)]
assert len(convs) + 1 == 18

# %% resnet18-diagram
# Boxes carry the names b1-b5 of the modules in d2lref's resnet18 (and in the text).
d2l.architecture_diagram(net, (1, 1, 96, 96), title="ResNet-18",
                         names=["b1", "b2", "b3", "b4", "b5", None, None, None])

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
