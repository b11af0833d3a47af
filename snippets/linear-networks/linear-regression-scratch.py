# %% imports
import matplotlib.pyplot as plt
import torch

from d2lref import torch as d2l

# %% synthetic-data
# The ground truth the model should recover: y = Xw + b + noise.
d2l.set_seed(0)  # reproducible shuffles and initial weights
true_w = torch.tensor([2, -3.4])
true_b = 4.2
features, labels = d2l.synthetic_data(true_w, true_b, 1000)
assert features.shape == (1000, 2) and labels.shape == (1000, 1)
print("features:", features[0], "\nlabel:", labels[0])

# %% scatter-plot
# The second feature against the label: a clear linear trend (slope close to -3.4).
d2l.set_figsize()
plt.scatter(features[:, 1].numpy(), labels.numpy(), 1)
plt.xlabel("feature x2")
plt.ylabel("label y")
plt.show()

# %% read-minibatches
batch_size = 10
for X, y in d2l.data_iter(batch_size, features, labels):
    print(X, "\n", y)
    break
assert X.shape == (batch_size, 2) and y.shape == (batch_size, 1)

# %% one-epoch-sees-every-example
# One pass of data_iter visits every example exactly once, in a random order.
seen_rows = torch.cat([X for X, _ in d2l.data_iter(batch_size, features, labels)])
assert seen_rows.shape == features.shape
assert torch.equal(seen_rows[:, 0].sort().values, features[:, 0].sort().values)

# %% init-params
w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
b = torch.zeros(1, requires_grad=True)

# %% train
lr = 0.03
num_epochs = 3
net = d2l.linreg
loss = d2l.squared_loss

for epoch in range(num_epochs):
    for X, y in d2l.data_iter(batch_size, features, labels):
        minibatch_loss = loss(net(X, w, b), y)  # shape (batch_size, 1)
        # sum() gives a scalar to differentiate; sgd divides by batch_size afterwards.
        minibatch_loss.sum().backward()
        d2l.sgd([w, b], lr, batch_size)
    with torch.no_grad():
        train_loss = loss(net(features, w, b), labels)
        print(f"epoch {epoch + 1}, loss {float(train_loss.mean()):f}")

# %% estimation-error
w_error = true_w - w.detach().reshape(true_w.shape)
b_error = true_b - b.detach().item()
print(f"error in estimating w: {w_error}")
print(f"error in estimating b: {b_error:.4f}")
assert w_error.abs().max() < 0.05 and abs(b_error) < 0.05

# %% [markdown]
# Exercises: answers


# %% exercise-1
import math


def train_linreg(lr, num_epochs=3, init="normal", update=d2l.sgd):
    """Train the page's model on fresh synthetic data; return the final loss, w, b."""
    d2l.set_seed(1)
    X_all, y_all = d2l.synthetic_data(true_w, true_b, 1000)
    w = torch.normal(0, 0.01, size=(2, 1)) if init == "normal" else torch.zeros(2, 1)
    w.requires_grad_()
    b = torch.zeros(1, requires_grad=True)
    for _ in range(num_epochs):
        for X, y in d2l.data_iter(10, X_all, y_all):
            d2l.squared_loss(d2l.linreg(X, w, b), y).sum().backward()
            update([w, b], lr, 10)
    with torch.no_grad():
        final = d2l.squared_loss(d2l.linreg(X_all, w, b), y_all).mean().item()
    return final, w.detach().reshape(-1), b.item()


losses = {lr: train_linreg(lr)[0] for lr in (0.001, 0.03, 3.0)}
for lr, final in losses.items():
    print(f"lr={lr}: loss after 3 epochs {final:.3g}")
# Too small: far from the minimum after 3 epochs. Too large: every step overshoots.
assert losses[0.001] > 100 * losses[0.03]
assert not math.isfinite(losses[3.0]) or losses[3.0] > 1e6

# %% exercise-2
final, w_zero, b_zero = train_linreg(0.03, init="zeros")
# Each weight gets its own gradient (its feature times the error): no symmetry to break.
assert (true_w - w_zero).abs().max() < 0.05 and abs(true_b - b_zero) < 0.05
print(f"from zeros: loss {final:.6f}, w {w_zero}, b {b_zero:.4f}")


# %% exercise-3
def sgd_without_zeroing(params, lr, batch_size):
    """The bug: the step is right, but .grad is never cleared: old gradients pile up."""
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size


buggy = train_linreg(0.03, update=sgd_without_zeroing)[0]
fixed = train_linreg(0.03)[0]
print(f"without zeroing: loss {buggy:.3g}; "
      f"with d2l.sgd (zeroes .grad): loss {fixed:.3g}")
assert not math.isfinite(buggy) or buggy > 100 * fixed
