# %% imports
import math

import torch
from torch import nn

from d2lref import torch as d2l

d2l.set_seed(0)  # reproducible initial weights and shuffles

# %% alexnet-teaching
def alexnet():
    """Teaching version of d2l.alexnet, for 1×224×224 images and 10 classes."""
    return nn.Sequential(
        # An 11×11 window with stride 4 shrinks the image fast; 96 output channels.
        nn.Conv2d(1, 96, kernel_size=11, stride=4, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        # A smaller window; padding 2 keeps height and width; more channels.
        nn.Conv2d(96, 256, kernel_size=5, padding=2), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        # Three 3×3 convolutions in a row, no pooling between them.
        nn.Conv2d(256, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Flatten(),
        # Wide dense layers, with dropout against overfitting.
        nn.Linear(6400, 4096), nn.ReLU(), nn.Dropout(p=0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(p=0.5),
        nn.Linear(4096, 10))

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

# %% [markdown]
# Exercises: answers

# %% exercise-1
# AlexNet on a 28×28 image, without resizing: the map shrinks to 2×2 by the last conv
# and the third 3×3 max-pool has nothing left to pool. On the "meta" device only shapes
# are computed.
with torch.device("meta"):
    try:
        d2l.alexnet()(torch.zeros(1, 1, 28, 28))
    except RuntimeError as error:
        message = str(error)
    else:
        raise AssertionError("a 28x28 input should be too small for AlexNet")
assert "Output size is too small" in message
message

# %% exercise-2
# Parameters against compute: FlopCounterMode counts 2 FLOPs per multiply-add.
from torch.utils.flop_counter import FlopCounterMode  # noqa: E402

with torch.device("meta"):
    model = d2l.alexnet().eval()
    counter = FlopCounterMode(display=False)
    with counter:
        model(torch.zeros(1, 1, 224, 224))
flops = {str(op): n for op, n in counter.get_flop_counts()["Global"].items()}
conv_share = flops["aten.convolution"] / counter.get_total_flops()
dense_params = sum(num_params(m) for m in model if isinstance(m, torch.nn.Linear))
param_share = dense_params / num_params(model)
# convs do the work, dense layers hold the weights
assert conv_share > 0.9 and param_share > 0.9
print(
    f"{counter.get_total_flops() / 1e9:.2f} GFLOP per image; "
    f"convolutions: {conv_share:.1%}"
)
print(
    f"dense layers: {param_share:.1%} of the parameters, "
    f"{flops['aten.addmm'] / counter.get_total_flops():.1%} of the FLOPs"
)

# %% exercise-3
# An AlexNet-style network sized for 28×28 inputs: small kernels, no stride-4 first
# layer.
from torch import nn  # noqa: E402

d2l.set_seed(0)
small_alexnet = nn.Sequential(
    nn.Conv2d(1, 32, kernel_size=5, padding=2),
    nn.ReLU(),
    nn.MaxPool2d(2),  # 28 -> 14
    nn.Conv2d(32, 64, kernel_size=3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),  # 14 -> 7
    nn.Conv2d(64, 128, kernel_size=3, padding=1),
    nn.ReLU(),
    nn.Conv2d(128, 128, kernel_size=3, padding=1),
    nn.ReLU(),
    nn.Conv2d(128, 64, kernel_size=3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),  # 7 -> 3
    nn.Flatten(),
    nn.Linear(64 * 3 * 3, 256),
    nn.ReLU(),
    nn.Dropout(0.5),
    nn.Linear(256, 256),
    nn.ReLU(),
    nn.Dropout(0.5),
    nn.Linear(256, 10),
)
out = small_alexnet(torch.randn(8, 1, 28, 28))
assert out.shape == (8, 10)
small_params = num_params(small_alexnet)
assert 40 * small_params < alexnet_params
print(
    f"{small_params:,} parameters, "
    f"AlexNet has {alexnet_params / small_params:.0f} times as many"
)
