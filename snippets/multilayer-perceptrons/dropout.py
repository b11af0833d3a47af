# %% imports
import copy
import itertools

import torch
from torch import nn

from d2lref import torch as d2l


# %% dropout-layer
def dropout_layer(X, dropout):
    """Zero each element with probability dropout, scale the survivors by 1 / (1 -
    dropout).
    """
    assert 0 <= dropout <= 1
    if dropout == 1:  # everything is dropped
        return torch.zeros_like(X)
    if dropout == 0:  # everything is kept
        return X
    mask = (torch.rand(X.shape) > dropout).float()
    return mask * X / (1.0 - dropout)


# %% dropout-examples
torch.manual_seed(0)
X = torch.arange(16, dtype=torch.float32).reshape((2, 8))
print(X)
print(dropout_layer(X, 0.0))
print(dropout_layer(X, 0.5))
print(dropout_layer(X, 1.0))

# %% dropout-checks
# Edge cases: p = 0 changes nothing, p = 1 drops everything.
assert torch.equal(dropout_layer(X, 0.0), X)
assert torch.equal(dropout_layer(X, 1.0), torch.zeros_like(X))
# A kept element is scaled by 1 / (1 - p); a dropped one is 0.
out = dropout_layer(X, 0.5)
assert torch.all((out == 0) | (out == 2 * X))
# The scaling keeps the expectation: E[dropout(x)] = x (average over many draws).
ones = torch.ones(1000, 1000)
mean_out = dropout_layer(ones, 0.5).mean().item()
print('mean of dropout(ones, 0.5):', mean_out)
assert abs(mean_out - 1.0) < 0.01

# %% model-params
num_inputs, num_outputs, num_hiddens1, num_hiddens2 = 784, 10, 256, 256
dropout1, dropout2 = 0.2, 0.5


# %% net-scratch
class Net(nn.Module):
    """Two hidden layers; dropout after each, only while training."""

    def __init__(
        self, num_inputs, num_outputs, num_hiddens1, num_hiddens2, is_training=True
    ):
        super().__init__()
        self.num_inputs = num_inputs
        self.training = is_training
        self.lin1 = nn.Linear(num_inputs, num_hiddens1)
        self.lin2 = nn.Linear(num_hiddens1, num_hiddens2)
        self.lin3 = nn.Linear(num_hiddens2, num_outputs)
        self.relu = nn.ReLU()

    def forward(self, X):
        H1 = self.relu(self.lin1(X.reshape((-1, self.num_inputs))))
        # self.training is switched by net.train() / net.eval()
        if self.training:
            H1 = dropout_layer(H1, dropout1)
        H2 = self.relu(self.lin2(H1))
        if self.training:
            H2 = dropout_layer(H2, dropout2)
        return self.lin3(H2)


torch.manual_seed(0)
net = Net(num_inputs, num_outputs, num_hiddens1, num_hiddens2)

# %% train-scratch
num_epochs, lr, batch_size = 10, 0.5, 256
loss = nn.CrossEntropyLoss(reduction='none')
train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size)
trainer = torch.optim.SGD(net.parameters(), lr=lr)
result = d2l.train_ch3(net, train_iter, test_iter, loss, num_epochs, trainer)

# %% train-vs-eval
X_batch, _ = next(iter(test_iter))
net.train()  # training mode: a new random mask on every call
assert not torch.equal(net(X_batch), net(X_batch))
net.eval()  # prediction mode: no dropout, the output is deterministic
assert torch.equal(net(X_batch), net(X_batch))

# %% net-concise
net = nn.Sequential(
    nn.Flatten(),
    nn.Linear(784, 256),
    nn.ReLU(),
    # dropout after the first hidden layer's activation
    nn.Dropout(dropout1),
    nn.Linear(256, 256),
    nn.ReLU(),
    # dropout after the second hidden layer's activation
    nn.Dropout(dropout2),
    nn.Linear(256, 10),
)


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, std=0.01)


torch.manual_seed(0)
net.apply(init_weights)

# %% train-concise
trainer = torch.optim.SGD(net.parameters(), lr=lr)
result = d2l.train_ch3(net, train_iter, test_iter, loss, num_epochs, trainer)

# %% noisy-test-accuracy
def test_accuracy_per_update(lr, updates=40):
    """Train a copy of net for a few more minibatches; its test accuracy after each."""
    torch.manual_seed(0)  # the same minibatches and dropout masks for every lr
    twin = copy.deepcopy(net)
    optimizer = torch.optim.SGD(twin.parameters(), lr=lr)
    accuracies = []
    for X, y in itertools.islice(train_iter, updates):
        twin.train()  # evaluate_accuracy switched it to eval mode
        optimizer.zero_grad()
        loss(twin(X), y).mean().backward()
        optimizer.step()
        accuracies.append(d2l.evaluate_accuracy(twin, test_iter))
    return accuracies


largest_jump = {}
for step_size in (0.5, 0.05):
    accs = test_accuracy_per_update(step_size)
    largest_jump[step_size] = max(abs(b - a) for a, b in itertools.pairwise(accs))
    print(f"lr={step_size}: test accuracy {min(accs):.3f} to {max(accs):.3f}, "
          f"largest change in one update {largest_jump[step_size]:.3f}")
# With the page's learning rate one update moves the test accuracy far more.
assert largest_jump[0.5] > largest_jump[0.05]

# %% concise-eval-mode
net.eval()
assert torch.equal(net(X_batch), net(X_batch))
# In eval mode nn.Dropout is the identity.
assert torch.equal(
    net[3](X_batch.reshape(-1, 784)[:, :256]), X_batch.reshape(-1, 784)[:, :256]
)

# %% [markdown]
# Exercises: answers

# %% exercise-1
# Each output is x / (1 - p) with probability 1 - p, else 0: variance p / (1 - p) x^2.
torch.manual_seed(0)
for p in (0.2, 0.5, 0.9):
    sample = dropout_layer(torch.ones(1000, 1000), p)
    print(f"p={p}: mean {sample.mean():.3f}, variance {sample.var():.3f}, "
          f"p/(1-p) = {p / (1 - p):.3f}")
    assert abs(sample.mean() - 1) < 0.02
    assert abs(sample.var() / (p / (1 - p)) - 1) < 0.02


# %% exercise-2
class Dropout(nn.Module):
    """Dropout as a layer: random masks in training mode, the identity in eval mode."""

    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, X):
        return dropout_layer(X, self.p) if self.training else X


layer = Dropout(0.5)
torch.manual_seed(0)
batch = torch.ones(4, 1000)
layer.train()
trained = layer(batch)
assert ((trained == 0) | (trained == 2)).all()
assert not torch.equal(trained, layer(batch))  # a new mask on every call
layer.eval()
assert torch.equal(layer(batch), batch)
# Same statistics as nn.Dropout in training mode: about half the entries dropped.
reference = nn.Dropout(0.5).train()(batch)
dropped = (trained == 0).float().mean().item()
reference_dropped = (reference == 0).float().mean().item()
round(dropped, 4), round(reference_dropped, 4)

# %% exercise-3
# The bug: a dropout that forgets to scale the survivors by 1 / (1 - p).
torch.manual_seed(0)
hidden = torch.rand(1000, 256)  # activations of a hidden layer


def dropout_unscaled(X, p):
    return (torch.rand(X.shape) > p).float() * X


train_mean = dropout_unscaled(hidden, 0.5).mean().item()
fixed_mean = dropout_layer(hidden, 0.5).mean().item()
eval_mean = hidden.mean().item()  # at test time dropout is the identity
print(f"mean activation: training {train_mean:.3f} (unscaled), "
      f"{fixed_mean:.3f} (scaled); test {eval_mean:.3f}")
# Unscaled, the next layer sees inputs half as large in training as at test time.
assert abs(train_mean / eval_mean - 0.5) < 0.02
assert abs(fixed_mean / eval_mean - 1) < 0.02
