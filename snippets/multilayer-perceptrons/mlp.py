# %% imports
import copy
import math

import torch
from torch import nn

from d2lref import torch as d2l

# %% load-data
d2l.set_seed(0)  # reproducible shuffles and initial weights
batch_size = 256
train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size)

# %% init-params
# One hidden layer of 256 units between the 784 pixels and the 10 classes.
num_inputs, num_outputs, num_hiddens = 784, 10, 256
W1 = nn.Parameter(torch.randn(num_inputs, num_hiddens, requires_grad=True) * 0.01)
b1 = nn.Parameter(torch.zeros(num_hiddens, requires_grad=True))
W2 = nn.Parameter(torch.randn(num_hiddens, num_outputs, requires_grad=True) * 0.01)
b2 = nn.Parameter(torch.zeros(num_outputs, requires_grad=True))
params = [W1, b1, W2, b2]

# %% relu
def relu(X):
    """ReLU written out: the elementwise maximum of X and 0."""
    return torch.max(X, torch.zeros_like(X))


demo = torch.tensor([-2.0, 0.0, 3.0])
assert torch.equal(relu(demo), torch.relu(demo))

# %% model
def net(X):
    """Flatten, hidden layer with ReLU, output layer (raw scores, no softmax)."""
    X = X.reshape((-1, num_inputs))
    H = relu(X @ W1 + b1)  # @ is matrix multiplication
    return H @ W2 + b2

# %% loss
loss = nn.CrossEntropyLoss(reduction="none")

# %% train-scratch
num_epochs, lr = 10, 0.1
updater = torch.optim.SGD(params, lr=lr)
result = d2l.train_ch3(net, train_iter, test_iter, loss, num_epochs, updater)
# Guessing uniformly among 10 classes gives a loss of log(10) and an accuracy of 0.1:
# the trained network must beat both (by far, at the full settings).
assert result.train_loss < math.log(10) and result.test_acc > 0.2

# %% define-concise
net = nn.Sequential(nn.Flatten(),
                    nn.Linear(784, 256),
                    nn.ReLU(),
                    nn.Linear(256, 10))


def init_weights(m):
    """Small random weights for the linear layers only."""
    if type(m) is nn.Linear:
        nn.init.normal_(m.weight, std=0.01)


net.apply(init_weights)

# %% optimizer
loss = nn.CrossEntropyLoss(reduction="none")
lr = 0.1
trainer = torch.optim.SGD(net.parameters(), lr=lr)

# %% train-concise
num_epochs = 10
result = d2l.train_ch3(net, train_iter, test_iter, loss, num_epochs, trainer)
assert result.train_loss < math.log(10) and result.test_acc > 0.2

# %% epoch-loop
def train_epoch(net, train_iter, loss, updater):
    """One epoch, as train_epoch_ch3 does it, for either kind of updater."""
    if isinstance(net, torch.nn.Module):
        net.train()  # training mode: dropout drops, batch norm uses batch statistics
    for X, y in train_iter:
        y_hat = net(X)
        per_example_loss = loss(y_hat, y)  # shape (batch_size,)
        if isinstance(updater, torch.optim.Optimizer):
            updater.zero_grad()                 # clear gradients of the previous step
            per_example_loss.mean().backward()  # gradient of the MEAN loss
            updater.step()                      # param -= lr * grad
        else:
            per_example_loss.sum().backward()   # gradient of the SUM of the losses
            updater(X.shape[0])                 # sgd: param -= lr * grad / batch_size

# %% both-branches-agree
# The same network, copied twice, one step on the same minibatch with each branch.
X, y = next(iter(train_iter))
net_a, net_b = copy.deepcopy(net), copy.deepcopy(net)
one_batch = [(X, y)]

train_epoch(net_a, one_batch, loss, torch.optim.SGD(net_a.parameters(), lr=lr))
train_epoch(net_b, one_batch, loss,
            lambda batch_size: d2l.sgd(list(net_b.parameters()), lr, batch_size))

for p_a, p_b, p_before in zip(net_a.parameters(), net_b.parameters(), net.parameters(),
                              strict=True):
    assert not torch.equal(p_a, p_before)  # the step did change the parameters
    assert torch.allclose(p_a, p_b, atol=1e-6)
print("optimizer branch and updater branch give the same parameters")

# %% train-eval-modes
# train()/eval() only flip a flag that layers such as nn.Dropout read.
dropout_net = nn.Sequential(nn.Dropout(0.5))
ones = torch.ones(1, 8)
dropout_net.train()
dropped = dropout_net(ones)
print("train mode:", dropped)  # some entries zeroed, the others scaled by 1 / (1 - 0.5) = 2
assert set(dropped.unique().tolist()) <= {0.0, 2.0}
dropout_net.eval()
print("eval mode: ", dropout_net(ones))  # the identity
assert torch.equal(dropout_net(ones), ones) and not dropout_net[0].training

# %% [markdown]
# Exercises: answers

# %% exercise-1
def count_parameters(model):
    return sum(p.numel() for p in model.parameters())


page_net = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(),
                         nn.Linear(256, 10))
wider = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10))
deeper = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(),
                       nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
counts = [count_parameters(m) for m in (page_net, wider, deeper)]
# 784*256 + 256 + 256*10 + 10; twice the width, twice that; a layer adds 256*256 + 256.
assert counts == [203_530, 407_050, 269_322]
counts

# %% exercise-2
# Two rings: class 0 inside (radius < 1), class 1 outside; no line separates them.
d2l.set_seed(1)
points = torch.randn(400, 2)
ring_labels = (points.norm(dim=1) > 1.0).long()


def fit(model, steps=300, lr=0.5):
    """Full-batch gradient descent on the rings; returns the training accuracy."""
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(points), ring_labels).backward()
        optimizer.step()
    with torch.no_grad():
        return (model(points).argmax(dim=1) == ring_labels).float().mean().item()


d2l.set_seed(1)
linear_acc = fit(nn.Linear(2, 2))
d2l.set_seed(1)
mlp_acc = fit(nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 2)))
print(f"share of class 1: {ring_labels.float().mean():.3f}")
print(f"linear model accuracy {linear_acc:.3f}, MLP accuracy {mlp_acc:.3f}")
assert linear_acc < 0.75 and mlp_acc > 0.95

# %% exercise-3
# The bug: no activation between the layers. Two affine maps make one affine map.
d2l.set_seed(1)
no_activation = nn.Sequential(nn.Linear(2, 32), nn.Linear(32, 2))
no_activation_acc = fit(no_activation)
W_total = no_activation[1].weight @ no_activation[0].weight  # the one equivalent layer
b_total = no_activation[1].weight @ no_activation[0].bias + no_activation[1].bias
assert torch.allclose(no_activation(points), points @ W_total.T + b_total, atol=1e-5)
assert no_activation_acc < 0.75
print(f"without ReLU: accuracy {no_activation_acc:.3f} (as the linear model)")
