# %% imports
import torch
from torch import nn
from torch.utils import data

from d2lref import torch as d2l

# %% synthetic-data
d2l.set_seed(0)  # reproducible shuffles and initial weights
true_w = torch.tensor([2, -3.4])
true_b = 4.2
features, labels = d2l.synthetic_data(true_w, true_b, 1000)

# %% load-array-teaching
def load_array(data_arrays, batch_size, is_train=True):
    """Teaching version of d2l.load_array: a PyTorch data iterator."""
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)

# %% load-array
batch_size = 10
# A DataLoader over the 1000 examples: each epoch hands out 100 minibatches of 10,
# every example exactly once, reshuffled at the start of every epoch.
data_iter = d2l.load_array((features, labels), batch_size)
X, y = next(iter(data_iter))
assert X.shape == (batch_size, 2) and y.shape == (batch_size, 1)
assert len(data_iter) == 1000 // batch_size

# %% define-model
# nn stands for "neural network"; one fully connected layer with 2 inputs and 1 output.
net = nn.Sequential(nn.Linear(2, 1))

# %% init-params
net[0].weight.data.normal_(0, 0.01)
net[0].bias.data.fill_(0)
assert net[0].bias.item() == 0 and net[0].weight.abs().max() < 0.1

# %% loss-and-optimizer
loss = nn.MSELoss()  # mean of the squared errors over the minibatch
trainer = torch.optim.SGD(net.parameters(), lr=0.03)

# %% train
# 3 epochs, each a full pass over all 1000 examples (100 updates per epoch).
num_epochs = 3
for epoch in range(num_epochs):
    for X, y in data_iter:
        minibatch_loss = loss(net(X), y)
        trainer.zero_grad()  # gradients accumulate in .grad: clear the previous ones
        minibatch_loss.backward()
        trainer.step()
    epoch_loss = loss(net(features), labels)
    print(f"epoch {epoch + 1}, loss {epoch_loss:f}")

# %% estimation-error
w = net[0].weight.data
w_error = true_w - w.reshape(true_w.shape)
print("error in estimating w:", w_error)
b = net[0].bias.data
b_error = true_b - b
print("error in estimating b:", b_error)
assert w_error.abs().max() < 0.05 and b_error.abs().max() < 0.05

# %% [markdown]
# Exercises: answers


# %% exercise-1
def trajectory(reduction, lr, num_epochs=3):
    """The page's model, initialization and loop, with the reduction and learning rate
    given; returns (w1, w2, b) after every update."""
    d2l.set_seed(1)  # the same initial weights and the same minibatches for every run
    model = nn.Sequential(nn.Linear(2, 1))
    model[0].weight.data.normal_(0, 0.01)
    model[0].bias.data.fill_(0)
    objective = nn.MSELoss(reduction=reduction)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    steps = []
    for _ in range(num_epochs):
        for X, y in d2l.load_array((features, labels), 10):
            optimizer.zero_grad()
            objective(model(X), y).backward()
            optimizer.step()
            steps.append(torch.cat([model[0].weight.detach().reshape(-1),
                                    model[0].bias.detach()]))
    return torch.stack(steps)


# A summed loss has 10 times the gradient of the mean over a batch of 10, so the step is
# the same when the learning rate is 10 times smaller: 0.03 / 10 = 0.003.
page_settings = trajectory("mean", lr=0.03)
gaps = {lr: (trajectory("sum", lr) - page_settings).abs().max().item()
        for lr in (0.003, 0.03)}
for lr, gap in gaps.items():
    print(f'"sum", lr={lr}: largest gap to "mean", lr=0.03 in 300 updates: {gap:.1e}')
# The same run up to float rounding at lr=0.003; a different run at lr=0.03.
assert gaps[0.003] < 1e-5 and gaps[0.03] > 0.1

# %% exercise-2
d2l.set_seed(1)
huber_net = nn.Sequential(nn.Linear(2, 1))
huber_loss = nn.HuberLoss(delta=1.0)  # squared for |error| < 1, linear beyond
huber_trainer = torch.optim.SGD(huber_net.parameters(), lr=0.03)
for _ in range(5):
    for X, y in d2l.load_array((features, labels), 10):
        huber_trainer.zero_grad()
        huber_loss(huber_net(X), y).backward()
        huber_trainer.step()
# The weight's gradient is where the optimizer reads it: .grad, shaped like the weight.
assert huber_net[0].weight.grad.shape == huber_net[0].weight.shape == (1, 2)
huber_w_error = true_w - huber_net[0].weight.detach().reshape(-1)
huber_b_error = true_b - huber_net[0].bias.item()
assert huber_w_error.abs().max() < 0.05 and abs(huber_b_error) < 0.05
huber_w_error, round(huber_b_error, 4)

# %% exercise-3
# Feed the example indices through load_array to see which examples each batch holds.
d2l.set_seed(1)
index_iter = d2l.load_array((torch.arange(1000),), batch_size=10)
epochs = [torch.cat([batch for (batch,) in index_iter]) for _ in range(2)]
for order in epochs:  # every example exactly once per epoch
    assert torch.equal(order.sort().values, torch.arange(1000))
assert not torch.equal(epochs[0], epochs[1])  # in a new order every epoch
epochs[0][:10], epochs[1][:10]
