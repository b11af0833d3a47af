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
    """Per-example cross-entropy loss: -log of the probability given to the true class."""
    return -torch.log(y_hat[range(len(y_hat)), y])


ce = cross_entropy(y_hat, y)
assert torch.allclose(ce, torch.nn.functional.nll_loss(torch.log(y_hat), y, reduction="none"))
ce

# %% accuracy
# d2l.accuracy counts the correct predictions; divide by the number of examples for a rate.
# Example 0 predicts class 2 (true 0): wrong; example 1 predicts class 2 (true 2): right.
rate = d2l.accuracy(y_hat, y) / len(y)
assert rate == 0.5
rate

# %% evaluate-untrained
# Random weights: about one guess in ten is right.
untrained_accuracy = d2l.evaluate_accuracy(net, test_iter)
print(f"accuracy before training: {untrained_accuracy:.3f}")
assert untrained_accuracy < 0.3

# %% accumulator
metric = d2l.Accumulator(2)  # (number of correct predictions, number of predictions)
metric.add(3, 4)
metric.add(5, 6)
assert (metric[0], metric[1]) == (8, 10)
metric[0] / metric[1]

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
    return X_exp / X_exp.sum(1)  # (n, q) / (q,): divides column j by row j's sum


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
