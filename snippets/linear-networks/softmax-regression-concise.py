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
    """Initialize only the linear layers (nn.Flatten has no parameters)."""
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
naive = -torch.log(torch.exp(logits) / torch.exp(logits).sum(1, keepdim=True))[
    0, target
]
print("naive softmax then log:", naive)
assert torch.isnan(naive).all()

# %% logsumexp
# log softmax_j = o_j - max(o) - log(sum_k exp(o_k - max(o))): every exponent is <= 0.
shifted = logits - logits.max(dim=1, keepdim=True).values
stable = -(shifted[0, target] - torch.log(torch.exp(shifted).sum(1)))
print("log-sum-exp by hand:", stable, " nn.CrossEntropyLoss:", loss(logits, target))
assert torch.allclose(stable, loss(logits, target))
# torch.logsumexp does the same shift: log(e^1000 + e^999 +
# e^0) = 1000 + log(1 + e^-1 + ...).
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
