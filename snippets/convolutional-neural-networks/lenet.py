# %% imports
import torch

from d2lref import torch as d2l

_ = torch.manual_seed(0)  # '_ =' keeps the returned generator off the output

# %% model
net = d2l.lenet()
net

# %% layer-shapes
# Push one 28×28 grayscale image through the layers and print each output shape.
rows = d2l.print_layer_shapes(net, (1, 1, 28, 28))
assert [row.feature_shape for row in rows] == [
    (6, 28, 28), (6, 28, 28), (6, 14, 14),  # conv 5×5 pad 2, sigmoid, avg-pool 2×2
    (16, 10, 10), (16, 10, 10), (16, 5, 5),  # conv 5×5, sigmoid, avg-pool 2×2
    (400,), (120,), (120,), (84,), (84,), (10,),  # flatten, dense 120, 84, 10
]
assert sum(row.num_params for row in rows) == 61_706

# %% diagram
d2l.architecture_diagram(net, (1, 1, 28, 28), title="LeNet")

# %% data
batch_size = 256
train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size=batch_size)

# %% train
lr, num_epochs = 0.9, 10
result = d2l.train_ch6(net, train_iter, test_iter, num_epochs, lr, d2l.try_gpu())

# %% result
# Ten classes: guessing gives 10 % accuracy. The numbers come back as values too.
assert 0 <= result.test_acc <= 1 and result.train_loss == result.train_loss  # not NaN
result.train_loss, result.train_acc, result.test_acc
