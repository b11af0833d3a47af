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
