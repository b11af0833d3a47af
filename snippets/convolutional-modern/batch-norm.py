# %% imports
import copy
import itertools
import math

import torch
from torch import nn

from d2lref import torch as d2l

d2l.set_seed(0)

# %% normalize-features
# Four examples with three features of very different scales.
scales, shifts = torch.tensor([1.0, 10.0, 100.0]), torch.tensor([0.0, 5.0, -50.0])
X = torch.randn(4, 3) * scales + shifts
gamma, beta = torch.ones(1, 3), torch.zeros(1, 3)
Y, moving_mean, moving_var = d2l.batch_norm(
    X, gamma, beta, torch.zeros(1, 3), torch.ones(1, 3), eps=1e-5, momentum=0.9,
    training=True)
print("mean per feature:", Y.mean(dim=0))
print("std per feature: ", Y.std(dim=0, unbiased=False))
# With gamma = 1 and beta = 0 every feature has mean 0 and
# standard deviation 1 over the batch.
assert torch.allclose(Y.mean(dim=0), torch.zeros(3), atol=1e-5)
assert torch.allclose(Y.std(dim=0, unbiased=False), torch.ones(3), atol=1e-3)

# %% normalize-channels
# After a convolution the statistics are per channel, over the batch and all pixels.
X = torch.randn(2, 3, 4, 4) * 5 + 3
bn = d2l.BatchNorm(3, num_dims=4)
Y = bn(X)
print("mean per channel:", Y.mean(dim=(0, 2, 3)))
assert torch.allclose(Y.mean(dim=(0, 2, 3)), torch.zeros(3), atol=1e-5)
assert bn.gamma.shape == (1, 3, 1, 1)  # one scale per channel, shared by every pixel

# %% train-vs-predict
bn = d2l.BatchNorm(3, num_dims=2)
for _ in range(50):  # let the moving averages settle on the data's statistics
    bn(torch.randn(32, 3) * 2 + 1)
bn.eval()
x_alone = torch.tensor([[1.0, 1.0, 1.0]])
batch = torch.cat([x_alone, torch.randn(7, 3) * 2 + 1])
# Prediction mode: the moving statistics, so an example's
# output does not depend on its batch.
print("alone:   ", bn(x_alone))
print("in batch:", bn(batch)[:1])
assert torch.allclose(bn(x_alone), bn(batch)[:1])
print("moving mean:", bn.moving_mean, "moving var:", bn.moving_var)


# %% batch-norm-teaching
def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum, training):
    """Teaching version of d2l.batch_norm: returns Y and the new moving averages."""
    if not training:  # prediction: the moving statistics of the training data
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
        return gamma * X_hat + beta, moving_mean, moving_var
    assert X.dim() in (2, 4)
    dims = (0,) if X.dim() == 2 else (0, 2, 3)  # per feature, or per channel
    mean = X.mean(dim=dims, keepdim=X.dim() == 4)
    var = ((X - mean) ** 2).mean(dim=dims, keepdim=X.dim() == 4)
    X_hat = (X - mean) / torch.sqrt(var + eps)
    with torch.no_grad():
        count = X.numel() // X.shape[1]
        unbiased_var = var * count / (count - 1)  # as nn.BatchNorm keeps it
        moving_mean = momentum * moving_mean + (1.0 - momentum) * mean
        moving_var = momentum * moving_var + (1.0 - momentum) * unbiased_var
    return gamma * X_hat + beta, moving_mean, moving_var


# %% grad-mode-bug
# The original code picks the mode with torch.is_grad_enabled(). During evaluation it is
# still True unless the caller remembered torch.no_grad(): the layer would then
# normalize with the batch's own statistics and also overwrite the moving averages.
net = nn.Sequential(nn.Linear(3, 3), d2l.BatchNorm(3, num_dims=2))
net.eval()
print(
    "net.training:", net.training, " torch.is_grad_enabled():", torch.is_grad_enabled()
)
mean_before = net[1].moving_mean.clone()
# e.g. a validation loss whose gradient we want to inspect
loss = net(torch.randn(8, 3)).sum()
loss.backward()
# module.training decides, not autograd
assert torch.equal(net[1].moving_mean, mean_before)

# %% batchnorm-layer-teaching
class BatchNorm(nn.Module):
    """Teaching version of d2l.BatchNorm; num_dims is 2 (dense) or 4 (convolution)."""

    def __init__(self, num_features, num_dims, eps=1e-5, momentum=0.9):
        super().__init__()
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.eps, self.momentum = eps, momentum
        self.gamma = nn.Parameter(torch.ones(shape))  # scale, learned
        self.beta = nn.Parameter(torch.zeros(shape))  # shift, learned
        # Buffers: saved and moved with the model, but not trained.
        self.register_buffer("moving_mean", torch.zeros(shape))
        self.register_buffer("moving_var", torch.ones(shape))

    def forward(self, X):
        Y, self.moving_mean, self.moving_var = batch_norm(
            X, self.gamma, self.beta, self.moving_mean, self.moving_var,
            self.eps, self.momentum, self.training)
        return Y

# %% buffers
bn = d2l.BatchNorm(6, num_dims=4)
print("parameters:", [name for name, _ in bn.named_parameters()])
print("buffers:   ", [name for name, _ in bn.named_buffers()])
print("state_dict:", list(bn.state_dict()))
assert set(bn.state_dict()) == {"gamma", "beta", "moving_mean", "moving_var"}
# .to() moves parameters and buffers together (here to float64 and to the best device).
bn = bn.to(device=d2l.try_gpu(), dtype=torch.float64)
print("moving_var:", bn.moving_var.dtype, bn.moving_var.device)
assert bn.moving_mean.dtype == torch.float64 and bn.moving_var.device == bn.gamma.device

# %% momentum-vs-pytorch
ours = d2l.BatchNorm(4, num_dims=2)  # momentum=0.9: weight of the old average
theirs = nn.BatchNorm1d(4, momentum=0.1)  # PyTorch's momentum: weight of the new batch
for _ in range(3):
    X = torch.randn(16, 4) * 3 + 2
    assert torch.allclose(ours(X), theirs(X), atol=1e-5)
print("ours:   ", ours.moving_var.reshape(-1))
print("PyTorch:", theirs.running_var)
assert torch.allclose(ours.moving_mean.reshape(-1), theirs.running_mean, atol=1e-5)
assert torch.allclose(ours.moving_var.reshape(-1), theirs.running_var, atol=1e-5)

# %% lenet-bn-scratch-teaching
def lenet_bn_scratch():
    """Teaching version: LeNet with our BatchNorm before every sigmoid."""
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5), BatchNorm(6, num_dims=4), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), BatchNorm(16, num_dims=4), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(16 * 4 * 4, 120), BatchNorm(120, num_dims=2), nn.Sigmoid(),
        nn.Linear(120, 84), BatchNorm(84, num_dims=2), nn.Sigmoid(),
        nn.Linear(84, 10))

# %% lenet-bn-scratch
net = d2l.lenet_bn_scratch()
rows = d2l.print_layer_shapes(net, (1, 1, 28, 28))
assert tuple(rows[-1].output_shape) == (1, 10)

# %% train-scratch
lr, num_epochs, batch_size = 1.0, 10, 256
train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size)
result = d2l.train_ch6(net, train_iter, test_iter, num_epochs, lr, d2l.try_gpu())
assert math.isfinite(result.train_loss) and result.train_acc > 0.4  # chance is 0.1

# %% learned-gamma-beta
# The first batch-norm layer (after the first convolution):
# one scale and one shift per channel.
gamma, beta = net[1].gamma.reshape((-1,)), net[1].beta.reshape((-1,))
assert not torch.allclose(gamma, torch.ones_like(gamma))
assert not torch.allclose(beta, torch.zeros_like(beta))
gamma, beta

# %% lenet-bn-teaching
def lenet_bn():
    """Teaching version: the same network with PyTorch's batch-norm layers."""
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5), nn.BatchNorm2d(6), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.BatchNorm2d(16), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(16 * 4 * 4, 120), nn.BatchNorm1d(120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.BatchNorm1d(84), nn.Sigmoid(),
        nn.Linear(84, 10))

# %% lenet-bn-concise
net = d2l.lenet_bn()
result = d2l.train_ch6(net, train_iter, test_iter, num_epochs, lr, d2l.try_gpu())
assert math.isfinite(result.train_loss) and result.train_acc > 0.4  # chance is 0.1


# %% moving-statistics
def with_fresh_statistics(model, batches=10):
    """A copy of model, its batch-norm statistics re-estimated on training batches."""
    fresh = copy.deepcopy(model)
    for layer in fresh.modules():
        if isinstance(layer, (nn.BatchNorm1d, nn.BatchNorm2d)):
            layer.reset_running_stats()
            layer.momentum = None  # a plain average over the batches below
    fresh.train()
    device = next(fresh.parameters()).device
    with torch.no_grad():
        for X, _ in itertools.islice(train_iter, batches):
            fresh(X.to(device))
    return fresh


# Train a copy of the network for 40 more minibatches at lr = 1.0; after each update,
# measure the test accuracy with the moving statistics and with fresh ones.
torch.manual_seed(0)
twin = copy.deepcopy(net)
device = next(twin.parameters()).device
optimizer = torch.optim.SGD(twin.parameters(), lr=lr)
with_moving, with_fresh = [], []
for X, y in itertools.islice(train_iter, 40):
    twin.train()
    optimizer.zero_grad()
    nn.functional.cross_entropy(twin(X.to(device)), y.to(device)).backward()
    optimizer.step()
    with_moving.append(d2l.evaluate_accuracy_gpu(twin, test_iter))
    fresh = with_fresh_statistics(twin)
    with_fresh.append(d2l.evaluate_accuracy_gpu(fresh, test_iter))
for name, accs in (("moving", with_moving), ("fresh", with_fresh)):
    print(f"{name:6s} statistics: test accuracy {min(accs):.3f} to {max(accs):.3f}")
# Fresh statistics never let the accuracy drop as far, and keep it steadier.
assert min(with_fresh) > min(with_moving)
assert max(with_fresh) - min(with_fresh) < max(with_moving) - min(with_moving)

# %% [markdown]
# Exercises: answers

# %% exercise-1
# A batch of 2: each feature's mean is the midpoint and each value lies one (biased)
# standard deviation from it, so every normalized value is ±1 (a hair less, because of
# eps).
torch.manual_seed(0)
X = torch.randn(2, 5) * 10
Y, _, _ = d2l.batch_norm(
    X,
    torch.ones(1, 5),
    torch.zeros(1, 5),
    torch.zeros(1, 5),
    torch.ones(1, 5),
    eps=1e-5,
    momentum=0.9,
    training=True,
)
assert torch.allclose(Y.abs(), torch.ones(2, 5), atol=1e-4)
assert torch.equal(Y[0].sign(), -Y[1].sign())  # the two examples sit on opposite sides
Y

# %% exercise-2
# The bias of a linear layer right before batch norm: the mean subtraction removes it,
# so its gradient is zero whatever the loss.
torch.manual_seed(0)
net = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 1))
X, y = torch.randn(16, 4), torch.randn(16, 1)
nn.functional.mse_loss(net(X), y).backward()
assert net[0].bias.grad.abs().max() < 1e-6
assert net[0].weight.grad.abs().max() > 1e-3  # the weights do get a gradient
net[0].bias.grad


# %% exercise-3
class LayerNorm(nn.Module):
    """Normalize each example over its own features: no batch statistics at all."""

    def __init__(self, num_features: int, eps: float = 1e-5):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(num_features))
        self.beta = nn.Parameter(torch.zeros(num_features))
        self.eps = eps

    def forward(self, X):
        mean = X.mean(dim=-1, keepdim=True)
        var = ((X - mean) ** 2).mean(dim=-1, keepdim=True)
        return self.gamma * (X - mean) / torch.sqrt(var + self.eps) + self.beta


torch.manual_seed(0)
X = torch.randn(8, 6) * 3 + 1
assert torch.allclose(LayerNorm(6)(X), nn.LayerNorm(6)(X), atol=1e-5)
# One example alone gives the same output as inside its batch: the batch plays no part.
single = LayerNorm(6)(X[:1])
assert torch.allclose(single, LayerNorm(6)(X)[:1])
single

# %% exercise-4
# Batches with mean exactly 5 per feature: after n steps the moving mean is 5 * (1 -
# 0.9**n).
bn = d2l.BatchNorm(3, num_dims=2)
torch.manual_seed(0)
for _ in range(10):
    noise = torch.randn(32, 3)
    bn(5 + (noise - noise.mean(dim=0)))  # recentered: the batch mean is exactly 5
expected = 5 * (1 - 0.9**10)
assert torch.allclose(bn.moving_mean, torch.full((1, 3), expected), atol=1e-4)
print(
    f"moving mean after 10 batches: {bn.moving_mean.reshape(-1)}, 5 * (1 - 0.9**10) = "
    f"{expected:.4f}"
)
