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
