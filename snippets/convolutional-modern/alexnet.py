# %% imports
import math

import torch

from d2lref import torch as d2l

d2l.set_seed(0)  # reproducible initial weights and shuffles

# %% define-model
net = d2l.alexnet()

# %% compare-lenet
# LeNet reads 28x28 images, AlexNet 224x224 ones: one input shape per network.
d2l.compare_architectures(
    [("LeNet", d2l.lenet()), ("AlexNet", net)],
    [(1, 1, 28, 28), (1, 1, 224, 224)],
)

# %% layer-shapes
rows = d2l.print_layer_shapes(net, (1, 1, 224, 224))
shapes = [tuple(row.output_shape) for row in rows]
assert shapes[0] == (1, 96, 54, 54)  # (224 - 11 + 2*1) // 4 + 1 = 54
assert shapes[2] == (1, 96, 26, 26)  # 3x3 max-pool, stride 2: (54 - 3) // 2 + 1 = 26
# so the first dense layer reads 256 * 5 * 5 = 6400 inputs
assert shapes[12] == (1, 256, 5, 5)
assert shapes[13] == (1, 6400) and shapes[-1] == (1, 10)

# %% count-parameters
def num_params(model: torch.nn.Module) -> int:
    """Number of trainable numbers in a model."""
    return sum(p.numel() for p in model.parameters())


lenet_params, alexnet_params = num_params(d2l.lenet()), num_params(net)
dense_params = sum(
    num_params(layer) for layer in net if isinstance(layer, torch.nn.Linear)
)
print(f"LeNet: {lenet_params:,} parameters, AlexNet: {alexnet_params:,}")
print(
    f"share of AlexNet's parameters in its dense layers: "
    f"{dense_params / alexnet_params:.1%}"
)
assert alexnet_params > 500 * lenet_params
assert dense_params / alexnet_params > 0.9

# %% load-data
batch_size = 128
train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size, resize=224)

# %% train
lr, num_epochs = 0.01, 10
result = d2l.train_ch6(net, train_iter, test_iter, num_epochs, lr, d2l.try_gpu())
assert math.isfinite(result.train_loss)
