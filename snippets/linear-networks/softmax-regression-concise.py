# %% imports
import math

import torch
from torch import nn

from d2lref import torch as d2l

# %% load-data
d2l.set_seed(0)  # reproducible shuffles and initial weights
batch_size = 256
train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size)

# %% define-model
# nn.Flatten turns each (1, 28, 28) image into a 784-vector. There is no softmax layer:
# nn.CrossEntropyLoss takes the raw scores (logits) and applies softmax inside, stably.
net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))


def init_weights(m):
    """Initialise only the linear layers (nn.Flatten has no parameters)."""
    if type(m) is nn.Linear:
        nn.init.normal_(m.weight, std=0.01)


net.apply(init_weights)

# %% loss
# reduction='none' keeps one loss per example; train_ch3 averages or sums them itself.
loss = nn.CrossEntropyLoss(reduction="none")

# %% naive-softmax-overflows
# Large logits: exp(1000) is inf in float32, so the textbook formula gives nan.
logits = torch.tensor([[1000.0, 999.0, 0.0]])
target = torch.tensor([0])
naive = -torch.log(torch.exp(logits) / torch.exp(logits).sum(1, keepdim=True))[0, target]
print("naive softmax then log:", naive)
assert torch.isnan(naive).all()

# %% logsumexp
# log softmax_j = o_j - max(o) - log(sum_k exp(o_k - max(o))): every exponent is <= 0.
shifted = logits - logits.max(dim=1, keepdim=True).values
stable = -(shifted[0, target] - torch.log(torch.exp(shifted).sum(1)))
print("log-sum-exp by hand:", stable, " nn.CrossEntropyLoss:", loss(logits, target))
assert torch.allclose(stable, loss(logits, target))
# torch.logsumexp does the same shift: log(e^1000 + e^999 + e^0) = 1000 + log(1 + e^-1 + ...).
expected = torch.tensor([1000 + math.log1p(math.exp(-1))])
assert torch.allclose(torch.logsumexp(logits, dim=1), expected)

# %% optimizer
trainer = torch.optim.SGD(net.parameters(), lr=0.1)

# %% train
num_epochs = 10
result = d2l.train_ch3(net, train_iter, test_iter, loss, num_epochs, trainer)
# train_ch3 returns what it measured: check it instead of trusting the printed line.
assert result.test_acc > 0.5 and result.train_loss < 2.0
result.train_loss, result.test_acc

# %% [markdown]
# Exercises: answers

# %% exercise-1
# The bug: a softmax layer before nn.CrossEntropyLoss, which applies softmax again.
# Even a perfect, certain prediction (probability 1 for the true class) costs
# -log(e / (e + 9)) = log(1 + 9 / e), so the loss can never go below that floor.
perfect_probs = torch.zeros(1, 10)
perfect_probs[0, 3] = 1.0
floor = nn.CrossEntropyLoss()(perfect_probs, torch.tensor([3]))
assert math.isclose(floor.item(), math.log(1 + 9 / math.e), rel_tol=1e-6)
floor


# %% exercise-2
def cross_entropy_from_logits(logits, y):
    """-log softmax(logits)[y] = logsumexp(logits) - logits[y], one per example."""
    return torch.logsumexp(logits, dim=1) - logits[torch.arange(len(y)), y]


torch.manual_seed(0)
many_logits = torch.randn(8, 10) * 300  # scores as large as +-1000
labels_8 = torch.randint(0, 10, (8,))
ours = cross_entropy_from_logits(many_logits, labels_8)
assert torch.isfinite(ours).all()
assert torch.allclose(ours, loss(many_logits, labels_8))
ours[:4]

# %% exercise-3
# Predict the loss before any training: weights ~ N(0, 0.01^2) give scores close to 0,
# softmax close to uniform, so the loss is close to log(10) = 2.303.
d2l.set_seed(1)
fresh = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
fresh.apply(init_weights)
images = torch.rand(256, 1, 28, 28)  # pixel values in [0, 1], like Fashion-MNIST
guesses = torch.randint(0, 10, (256,))
initial_loss = loss(fresh(images), guesses).mean()
assert abs(initial_loss - math.log(10)) < 0.05
initial_loss, math.log(10)
