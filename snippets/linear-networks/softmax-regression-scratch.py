# %% imports
import torch

from d2lref import torch as d2l

# %% load-data
d2l.set_seed(0)  # reproducible shuffles and initial weights
batch_size = 256
train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size)
X, y = next(iter(train_iter))
print("images:", X.shape, X.dtype, "labels:", y.shape, y.dtype)
assert X.shape[1:] == (1, 28, 28) and 0 <= X.min() and X.max() <= 1

# %% show-images
# The first training images with their text labels.
axes = d2l.show_images(X[:12].reshape(12, 28, 28), 2, 6,
                       titles=d2l.get_fashion_mnist_labels(y[:12]))
assert len(axes) == 12

# %% init-params
# Each 28x28 image is flattened into a vector of 784 pixels; there are 10 classes.
num_inputs = 784
num_outputs = 10
W = torch.normal(0, 0.01, size=(num_inputs, num_outputs), requires_grad=True)
b = torch.zeros(num_outputs, requires_grad=True)

# %% sum-over-axes
demo = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
demo.sum(0, keepdim=True), demo.sum(1, keepdim=True)

# %% softmax
def softmax(X):
    """Row-wise softmax: exponentiate, then divide by each row's sum."""
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition  # broadcasting divides every row by its own sum


X_demo = torch.normal(0, 1, (2, 5))
X_prob = softmax(X_demo)
assert (X_prob > 0).all()
assert torch.allclose(X_prob.sum(1), torch.ones(2))
assert torch.allclose(X_prob, torch.softmax(X_demo, dim=1))
X_prob, X_prob.sum(1)

# %% model
def net(X):
    """Softmax regression: flatten, one affine map, softmax."""
    return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)

# %% pick-by-index
# Two examples, three classes: the predicted probability of each example's true class.
y = torch.tensor([0, 2])
y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
picked = y_hat[[0, 1], y]
assert torch.equal(picked, torch.tensor([0.1, 0.5]))
picked

# %% cross-entropy
def cross_entropy(y_hat, y):
    """Per-example cross-entropy loss: -log of the probability given to the true class.
    """
    return -torch.log(y_hat[range(len(y_hat)), y])


ce = cross_entropy(y_hat, y)
assert torch.allclose(
    ce, torch.nn.functional.nll_loss(torch.log(y_hat), y, reduction="none")
)
ce

# %% accuracy-teaching
def accuracy(y_hat, y):
    """Teaching version of d2l.accuracy: the number of correct predictions."""
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)  # the class with the largest probability
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())

# %% accuracy
# d2l.accuracy counts the correct predictions; divide by
# the number of examples for a rate. Example 0 predicts
# class 2 (true 0): wrong; example 1 predicts class 2
# (true 2): right.
rate = d2l.accuracy(y_hat, y) / len(y)
assert rate == 0.5
rate

# %% evaluate-accuracy-teaching
def evaluate_accuracy(net, data_iter):
    """Teaching version of d2l.evaluate_accuracy: accuracy on a whole data set."""
    if isinstance(net, torch.nn.Module):
        net.eval()  # evaluation mode
    correct, total = 0.0, 0
    with torch.no_grad():
        for X, y in data_iter:
            correct += accuracy(net(X), y)
            total += y.numel()
    return correct / total

# %% evaluate-untrained
# Random weights guess: no better than one in ten, often worse (one class dominates).
untrained_accuracy = d2l.evaluate_accuracy(net, test_iter)
print(f"accuracy before training: {untrained_accuracy:.3f}")
assert untrained_accuracy < 0.3

# %% accumulator-teaching
class Accumulator:
    """Teaching version of d2l.Accumulator: running sums of n numbers."""

    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [a + float(b) for a, b in zip(self.data, args, strict=True)]

    def reset(self):
        self.data = [0.0] * len(self.data)

    def __getitem__(self, idx):
        return self.data[idx]

# %% accumulator
metric = d2l.Accumulator(2)  # (number of correct predictions, number of predictions)
metric.add(3, 4)
metric.add(5, 6)
assert (metric[0], metric[1]) == (8, 10)
metric[0] / metric[1]


# %% train-ch3-teaching
def train_epoch_ch3(net, train_iter, loss, updater):
    """One epoch (teaching version of d2l.train_epoch_ch3): mean loss, accuracy."""
    metric = d2l.Accumulator(3)  # sum of losses, correct predictions, examples
    for X, y in train_iter:
        y_hat = net(X)
        losses = loss(y_hat, y)
        losses.sum().backward()
        updater(X.shape[0])
        metric.add(losses.sum().item(), d2l.accuracy(y_hat, y), y.numel())
    return metric[0] / metric[2], metric[1] / metric[2]


def train_ch3(net, train_iter, test_iter, loss, num_epochs, updater):
    """Teaching version of d2l.train_ch3 (no plot): prints and returns the metrics."""
    for epoch in range(num_epochs):
        train_loss, train_acc = train_epoch_ch3(net, train_iter, loss, updater)
        test_acc = d2l.evaluate_accuracy(net, test_iter)
        print(
            f"epoch {epoch + 1}: loss {train_loss:.3f}, "
            f"train acc {train_acc:.3f}, test acc {test_acc:.3f}"
        )
    return train_loss, train_acc, test_acc


# %% updater
lr = 0.1


def updater(batch_size):
    """One minibatch SGD step on our own parameters W and b."""
    return d2l.sgd([W, b], lr, batch_size)


# %% train
num_epochs = 10
result = d2l.train_ch3(net, train_iter, test_iter, cross_entropy, num_epochs, updater)
# train_ch3 returns what it measured: check it instead of trusting the printed line.
assert result.test_acc > 0.5 and result.train_loss < 2.0
result.train_loss, result.test_acc


# %% predict
def predict_ch3(net, test_iter, n=6):
    """Show n test images with their true (top) and predicted (bottom) labels."""
    X, y = next(iter(test_iter))  # the first test minibatch
    trues = d2l.get_fashion_mnist_labels(y)
    preds = d2l.get_fashion_mnist_labels(net(X).argmax(axis=1))
    titles = [true + "\n" + pred for true, pred in zip(trues, preds, strict=True)]
    d2l.show_images(X[0:n].reshape((n, 28, 28)), 1, n, titles=titles[0:n])


predict_ch3(net, test_iter)

# %% [markdown]
# Exercises: answers

# %% exercise-1
big = torch.tensor([[100.0, 101.0, 102.0]])
print("exp(88) =", torch.exp(torch.tensor(88.0)).item(), " exp(89) =",
      torch.exp(torch.tensor(89.0)).item())
assert torch.isnan(softmax(big)).all()  # inf / inf


def stable_softmax(X):
    """Softmax of X - max(X) per row: the same result, and no exponent above 0."""
    X_exp = torch.exp(X - X.max(dim=1, keepdim=True).values)
    return X_exp / X_exp.sum(1, keepdim=True)


assert torch.allclose(stable_softmax(big), torch.softmax(big, dim=1))
stable_softmax(big)

# %% exercise-2
# The model is sure, and wrong: probability 0 for the true class 1.
sure_and_wrong = torch.tensor([[1.0, 0.0, 0.0]])
infinite = cross_entropy(sure_and_wrong, torch.tensor([1]))
assert torch.isinf(infinite).all()
# Computed from scores (logits) instead, the loss stays finite even for a huge margin.
from_logits = torch.nn.functional.cross_entropy(
    torch.tensor([[50.0, 0.0, 0.0]]), torch.tensor([1])
)
assert torch.isfinite(from_logits) and from_logits > 49
infinite, from_logits


# %% exercise-3
def softmax_buggy(X):
    X_exp = torch.exp(X)
    # (n, q) / (n,): the n row sums line up with the q classes, so column j is
    # divided by row j's sum (and only n == q runs at all).
    return X_exp / X_exp.sum(1)


torch.manual_seed(0)
square = torch.normal(0, 1, (3, 3))  # a batch of 3 examples with 3 classes
wide = torch.normal(0, 1, (2, 5))
try:
    softmax_buggy(wide)  # (2, 5) / (2,): a broadcasting error, easy to notice
    wide_error = None
except RuntimeError as err:
    wide_error = type(err).__name__
row_sums = softmax_buggy(square).sum(1)  # runs, but rows no longer sum to 1
assert wide_error == "RuntimeError" and not torch.allclose(row_sums, torch.ones(3))
assert torch.allclose(softmax(square).sum(1), torch.ones(3))  # the fix: keepdim=True
wide_error, row_sums
