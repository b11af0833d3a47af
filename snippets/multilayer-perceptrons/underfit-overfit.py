# %% imports
import math

import numpy as np
import torch
from torch import nn

from d2lref import torch as d2l

# %% generate-data
# Ground truth: a cubic polynomial with 20 slots, only the first 4 nonzero,
#   y = 5 + 1.2 x - 3.4 x^2/2! + 5.6 x^3/3! + noise,  noise ~ N(0, 0.1^2).
# Feature i is x^i / i!: dividing by i! keeps large powers from exploding.
rng = np.random.default_rng(0)
d2l.set_seed(0)  # reproducible shuffles and initial weights
max_degree = 20
n_train, n_test = 100, 100
true_w = np.zeros(max_degree)
true_w[0:4] = np.array([5, 1.2, -3.4, 5.6])

features = rng.normal(size=(n_train + n_test, 1))
poly_features = np.power(features, np.arange(max_degree).reshape(1, -1))
for i in range(max_degree):
    poly_features[:, i] /= math.gamma(i + 1)  # gamma(i + 1) = i!
labels = np.dot(poly_features, true_w)
labels += rng.normal(scale=0.1, size=labels.shape)

true_w, features, poly_features, labels = [
    torch.tensor(a, dtype=torch.float32)
    for a in [true_w, features, poly_features, labels]
]
features[:2], poly_features[:2, :4], labels[:2]


# %% evaluate-loss
def evaluate_loss(net, data_iter, loss):
    """Average loss of net over every example of data_iter."""
    metric = d2l.Accumulator(2)  # sum of losses, number of examples
    with torch.no_grad():
        for X, y in data_iter:
            out = net(X)
            y = y.reshape(out.shape)
            batch_loss = loss(out, y)
            metric.add(batch_loss.sum(), batch_loss.numel())
    return metric[0] / metric[1]


# %% train-function
def train(train_features, test_features, train_labels, test_labels, num_epochs=400):
    """Fit a linear model on the given polynomial features; plot train/test loss.

    Returns the learned weights and the final (train loss, test loss).
    """
    loss = nn.MSELoss(reduction="none")
    input_shape = train_features.shape[-1]
    # No bias: the constant term is already feature 0 (x^0 / 0! = 1).
    net = nn.Sequential(nn.Linear(input_shape, 1, bias=False))
    batch_size = min(10, train_labels.shape[0])
    train_iter = d2l.load_array(
        (train_features, train_labels.reshape(-1, 1)), batch_size
    )
    test_iter = d2l.load_array(
        (test_features, test_labels.reshape(-1, 1)), batch_size, is_train=False
    )
    trainer = torch.optim.SGD(net.parameters(), lr=0.01)
    epochs, train_losses, test_losses = [], [], []
    for epoch in range(num_epochs):
        for X, y in train_iter:
            trainer.zero_grad()
            loss(net(X), y).mean().backward()
            trainer.step()
        if epoch == 0 or (epoch + 1) % 20 == 0:
            epochs.append(epoch + 1)
            train_losses.append(evaluate_loss(net, train_iter, loss))
            test_losses.append(evaluate_loss(net, test_iter, loss))
    d2l.plot(epochs, [train_losses, test_losses], xlabel="epoch", ylabel="loss",
             legend=["train", "test"], yscale="log", xlim=[1, num_epochs],
             ylim=[1e-3, 1e2])
    weight = net[0].weight.data
    print("weight:", weight.numpy())
    print(f"final train loss {train_losses[-1]:.4f}, test loss {test_losses[-1]:.4f}")
    return weight.reshape(-1), train_losses[-1], test_losses[-1]


# %% third-order
# The first 4 features (1, x, x^2/2!, x^3/3!): exactly the shape of the ground truth.
weight, train_loss, test_loss = train(
    poly_features[:n_train, :4],
    poly_features[n_train:, :4],
    labels[:n_train],
    labels[n_train:],
)
assert torch.allclose(weight, true_w[:4], atol=0.2)
assert test_loss < 0.05  # near the noise variance 0.1^2 = 0.01 (MSELoss has no 1/2)

# %% linear-underfit
# Only 1 and x: a line cannot follow a cubic, both losses stay high.
weight, train_loss, test_loss = train(
    poly_features[:n_train, :2],
    poly_features[n_train:, :2],
    labels[:n_train],
    labels[n_train:],
)
assert train_loss > 1 and test_loss > 1

# %% high-degree-overfit
# All 20 features, 100 training examples, 1500 epochs (the book's setting): the 16 extra
# coefficients should be 0, but the model fits nonzero values to the noise. With 100
# examples that costs little: the test loss does not pull away from the training loss.
weight, train_loss, test_loss = train(
    poly_features[:n_train, :],
    poly_features[n_train:, :],
    labels[:n_train],
    labels[n_train:],
    num_epochs=1500,
)
print("largest |weight| beyond degree 3:", weight[4:].abs().max().item())
assert weight[4:].abs().max() > 0.05  # the true value of each is 0
assert test_loss < 1.5 * train_loss  # no clear overfitting with 100 examples

# %% high-degree-few-examples
# The same 20-feature model with only 20 training examples (as many as
# parameters): it can fit the noise of those few points, and the test
# loss pulls away from the training loss.
n_few = 20
weight, train_loss, test_loss = train(
    poly_features[:n_few, :],
    poly_features[n_train:, :],
    labels[:n_few],
    labels[n_train:],
    num_epochs=1500,
)
assert test_loss > 1.5 * train_loss

# %% [markdown]
# Exercises: answers


# %% exercise-1
def least_squares(degree, n=n_train):
    """Exact least-squares weights for the first `degree + 1` features of n examples."""
    X = poly_features[:n, : degree + 1].double()
    y = labels[:n].double().reshape(-1, 1)
    return torch.linalg.lstsq(X, y).solution.reshape(-1)


def mse(weight, rows):
    X, y = poly_features[rows, : len(weight)].double(), labels[rows].double()
    return ((X @ weight - y) ** 2).mean().item()


exact = least_squares(3)
assert torch.allclose(exact.float(), true_w[:4], atol=0.1)
print("least-squares weights:", exact.numpy().round(3))
print(f"train loss {mse(exact, slice(0, n_train)):.4f}, "
      f"test loss {mse(exact, slice(n_train, None)):.4f}")

# %% exercise-2
test_rows = slice(n_train, None)
results = {}
for degree in range(0, 12):
    weight = least_squares(degree)
    results[degree] = (mse(weight, slice(0, n_train)), mse(weight, test_rows))
for degree in (0, 1, 2, 3, 6, 11):
    train_loss_d, test_loss_d = results[degree]
    print(f"degree {degree:2d}: train {train_loss_d:.4f}, test {test_loss_d:.4f}")
train_curve = [results[d][0] for d in range(12)]
best_test = min(results, key=lambda d: results[d][1])
# More features can only lower the training loss (each model contains the smaller ones).
assert all(a >= b - 1e-9 for a, b in zip(train_curve, train_curve[1:], strict=False))
assert best_test >= 3 and results[1][1] > 10 * results[3][1]
best_test

# %% exercise-3
# 20 features and 20 examples: the model fits the noise of the training points.
interpolating = least_squares(19, n=20)
few_train, few_test = mse(interpolating, slice(0, 20)), mse(interpolating, test_rows)
print(f"20 examples: train loss {few_train:.2e}, test loss {few_test:.3g}")
assert few_train < 0.5 * results[3][0] and few_test > 1000 * results[3][1]
