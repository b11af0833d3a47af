# %% imports
import torch
from torch import nn

from d2lref import torch as d2l

# %% synthetic-data
d2l.set_seed(0)  # reproducible shuffles and initial weights
true_w = torch.tensor([2, -3.4])
true_b = 4.2
features, labels = d2l.synthetic_data(true_w, true_b, 1000)

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
def train_concise(reduction, lr, num_epochs=3):
    """The page's model and loop, with the loss reduction and learning rate given."""
    d2l.set_seed(1)
    model = nn.Sequential(nn.Linear(2, 1))
    objective = nn.MSELoss(reduction=reduction)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(num_epochs):
        for X, y in d2l.load_array((features, labels), 10):
            optimizer.zero_grad()
            objective(model(X), y).backward()
            optimizer.step()
    return model[0].weight.detach().clone(), model[0].bias.detach().clone()


# A summed loss has 10 times the gradient of the mean over a batch of 10.
w_sum, b_sum = train_concise("sum", lr=0.03)
w_mean, b_mean = train_concise("mean", lr=0.3)
assert torch.allclose(w_sum, w_mean, atol=1e-5)
assert torch.allclose(b_sum, b_mean, atol=1e-5)
w_sum, w_mean

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
