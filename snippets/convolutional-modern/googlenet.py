# %% imports
import math

import torch

from d2lref import torch as d2l

d2l.set_seed(0)

# %% inception-block
# The first Inception block of GoogLeNet (in b3).
blk = d2l.Inception(192, 64, (96, 128), (16, 32), 32)
Y = blk(torch.randn(1, 192, 12, 12))
print(Y.shape)
# Every path keeps 12x12, so the channels simply add up: c1 + c2[1] + c3[1] + c4.
assert Y.shape == (1, 64 + 128 + 32 + 32, 12, 12)

# %% googlenet-model
net = d2l.googlenet()
rows = d2l.print_layer_shapes(net, (1, 1, 96, 96))
assert [tuple(row.output_shape) for row in rows] == [
    (1, 64, 24, 24),
    (1, 192, 12, 12),
    (1, 480, 6, 6),
    (1, 832, 3, 3),
    (1, 1024),
    (1, 10),
]
assert sum(isinstance(m, d2l.Inception) for m in net.modules()) == 9

# %% googlenet-diagram
# Boxes carry the names b1-b5 of the blocks in d2lref's googlenet (and in the text).
d2l.architecture_diagram(
    net, (1, 1, 96, 96), title="GoogLeNet", names=["b1", "b2", "b3", "b4", "b5", None]
)

# %% train
lr, num_epochs, batch_size = 0.1, 10, 128
train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size, resize=96)
result = d2l.train_ch6(net, train_iter, test_iter, num_epochs, lr, d2l.try_gpu())
assert math.isfinite(result.train_loss)
