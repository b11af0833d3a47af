# %% imports
import torch
from torch import nn

from d2lref import torch as d2l

# %% high-dimensional-data
# Few examples, many inputs: the setting in which a linear model overfits.
n_train, n_test, num_inputs, batch_size = 20, 100, 200, 5
torch.manual_seed(0)
true_w, true_b = torch.ones(num_inputs) * 0.01, 0.05
train_data = d2l.synthetic_data(true_w, true_b, n_train)
train_iter = d2l.load_array(train_data, batch_size)
test_data = d2l.synthetic_data(true_w, true_b, n_test)
test_iter = d2l.load_array(test_data, batch_size, is_train=False)
train_data[0].shape, test_data[0].shape

# %% init-params
def init_params():
    """Weights drawn from N(0, 1) (far from the true 0.01), bias 0."""
    w = torch.normal(0, 1, size=(num_inputs, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    return [w, b]

# %% l2-penalty
def l2_penalty(w):
    """Half the squared L2 norm: its gradient is simply w."""
    return torch.sum(w.pow(2)) / 2

w_check = torch.tensor([3.0, -4.0], requires_grad=True)
l2_penalty(w_check).backward()
assert l2_penalty(w_check).item() == 12.5          # (9 + 16) / 2
assert torch.equal(w_check.grad, w_check.detach())  # d/dw (||w||^2 / 2) = w

# %% evaluate-loss
def evaluate_loss(net, data_iter, loss):
    """Average loss of net over a data set."""
    total, count = 0.0, 0
    with torch.no_grad():
        for X, y in data_iter:
            total += loss(net(X), y.reshape(-1, 1)).sum().item()
            count += y.numel()
    return total / count

# %% train-scratch
def train(lambd):
    """Train linear regression with an L2 penalty of weight lambd; return w and the test loss."""
    w, b = init_params()
    net, loss = lambda X: d2l.linreg(X, w, b), d2l.squared_loss
    num_epochs, lr = 100, 0.003
    epochs, train_losses, test_losses = [], [], []
    for epoch in range(num_epochs):
        for X, y in train_iter:
            # The penalty is a scalar; broadcasting adds it to every example's loss.
            batch_loss = loss(net(X), y) + lambd * l2_penalty(w)
            batch_loss.sum().backward()
            d2l.sgd([w, b], lr, batch_size)
        if (epoch + 1) % 5 == 0:
            epochs.append(epoch + 1)
            train_losses.append(evaluate_loss(net, train_iter, loss))
            test_losses.append(evaluate_loss(net, test_iter, loss))
    d2l.plot(epochs, [train_losses, test_losses], xlabel='epochs', ylabel='loss',
             yscale='log', xlim=[5, num_epochs], legend=['train', 'test'])
    print('L2 norm of w:', torch.norm(w).item())
    return w.detach(), test_losses[-1]

# %% train-no-decay
torch.manual_seed(0)
w_no_decay, test_loss_no_decay = train(lambd=0)

# %% train-with-decay
torch.manual_seed(0)
w_decay, test_loss_decay = train(lambd=3)
assert torch.norm(w_decay) < 0.2 * torch.norm(w_no_decay)
assert test_loss_decay < test_loss_no_decay

# %% train-concise
def train_concise(wd):
    """Same model with nn.Linear; the optimizer decays the weight. Returns w and the test loss."""
    net = nn.Sequential(nn.Linear(num_inputs, 1))
    for param in net.parameters():
        param.data.normal_()
    loss = nn.MSELoss(reduction='none')
    num_epochs, lr = 100, 0.003
    # Only the weight gets weight_decay; the bias is not decayed.
    trainer = torch.optim.SGD([
        {"params": net[0].weight, 'weight_decay': wd},
        {"params": net[0].bias}], lr=lr)
    epochs, train_losses, test_losses = [], [], []
    for epoch in range(num_epochs):
        for X, y in train_iter:
            trainer.zero_grad()
            batch_loss = loss(net(X), y)
            batch_loss.mean().backward()
            trainer.step()
        if (epoch + 1) % 5 == 0:
            epochs.append(epoch + 1)
            train_losses.append(evaluate_loss(net, train_iter, loss))
            test_losses.append(evaluate_loss(net, test_iter, loss))
    d2l.plot(epochs, [train_losses, test_losses], xlabel='epochs', ylabel='loss',
             yscale='log', xlim=[5, num_epochs], legend=['train', 'test'])
    print('L2 norm of w:', net[0].weight.norm().item())
    return net[0].weight.detach(), test_losses[-1]

# %% concise-no-decay
torch.manual_seed(0)
w_concise_no_decay, test_loss_concise_no_decay = train_concise(0)

# %% concise-with-decay
torch.manual_seed(0)
w_concise_decay, test_loss_concise_decay = train_concise(3)
assert w_concise_decay.norm() < 0.2 * w_concise_no_decay.norm()
assert test_loss_concise_decay < test_loss_concise_no_decay

# %% decay-is-shrinkage
# One SGD step with weight_decay wd is w <- (1 - lr*wd) w - lr * grad: check it by hand.
w0 = torch.randn(3, requires_grad=True)
opt = torch.optim.SGD([w0], lr=0.1, weight_decay=3)
expected = (1 - 0.1 * 3) * w0.detach() - 0.1 * 2 * w0.detach()  # grad of sum(w^2) is 2w
(w0 ** 2).sum().backward()
opt.step()
assert torch.allclose(w0.detach(), expected)

# %% [markdown]
# Exercises: answers


# %% exercise-1
def fit_quietly(lambd, init="normal", decay_by_shrinking=False, lr=0.003):
    """The page's from-scratch training (100 epochs), without the plot.

    decay_by_shrinking=True drops the penalty from the loss and shrinks w by
    (1 - lr*lambd) at every step instead. Returns w and the test loss.
    """
    torch.manual_seed(0)
    w = torch.normal(0, 1, size=(num_inputs, 1)) if init == "normal" else torch.zeros(
        num_inputs, 1)
    w.requires_grad_()
    b = torch.zeros(1, requires_grad=True)
    for _ in range(100):
        for X, y in train_iter:
            batch_loss = d2l.squared_loss(d2l.linreg(X, w, b), y)
            if not decay_by_shrinking:
                batch_loss = batch_loss + lambd * l2_penalty(w)
            batch_loss.sum().backward()
            if decay_by_shrinking:
                with torch.no_grad():
                    w *= 1 - lr * lambd
            d2l.sgd([w, b], lr, batch_size)
    net = lambda X: d2l.linreg(X, w, b)  # noqa: E731
    return w.detach(), evaluate_loss(net, test_iter, d2l.squared_loss)


sweep = {lambd: fit_quietly(lambd) for lambd in (0, 3, 30)}
for lambd, (w_fit, test_loss) in sweep.items():
    print(f"lambda={lambd:<2}: ||w|| = {w_fit.norm():.3f}, test loss {test_loss:.4f}")
norms = [w_fit.norm().item() for w_fit, _ in sweep.values()]
assert norms == sorted(norms, reverse=True)  # more decay, smaller weights
assert sweep[3][1] < sweep[0][1]

# %% exercise-2
w_penalty, _ = fit_quietly(3)
w_shrunk, _ = fit_quietly(3, decay_by_shrinking=True)
# The gradient of lambd * ||w||^2 / 2 is lambd * w: the penalty is this shrinking step.
assert torch.allclose(w_penalty, w_shrunk, atol=1e-5)
(w_penalty - w_shrunk).abs().max()

# %% exercise-3
w_from_zero, test_from_zero = fit_quietly(0, init="zeros")
print(f"no decay, start at 0: ||w|| = {w_from_zero.norm():.3f}, "
      f"test loss {test_from_zero:.4f}")
# 20 examples span at most 20 of the 200 directions; SGD never moves w in the others,
# so what the N(0, 1) start put there stays. Starting at 0 leaves nothing there.
assert w_from_zero.norm() < 0.1 * sweep[0][0].norm()
assert test_from_zero < sweep[0][1]
