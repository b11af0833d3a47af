# %% imports
import torch
from torch import nn

from d2lref import torch as d2l

_ = torch.manual_seed(0)  # '_ =' keeps the returned generator off the output

# %% lenet-teaching
def lenet():
    """Teaching version of d2l.lenet: LeNet-5 for 28×28 Fashion-MNIST images."""
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))

# %% model
net = d2l.lenet()
net

# %% layer-shapes
# Push one 28×28 grayscale image through the layers and print each output shape.
rows = d2l.print_layer_shapes(net, (1, 1, 28, 28))
assert [row.feature_shape for row in rows] == [
    (6, 28, 28), (6, 28, 28), (6, 14, 14),  # conv 5×5 pad 2, sigmoid, avg-pool 2×2
    (16, 10, 10), (16, 10, 10), (16, 5, 5),  # conv 5×5, sigmoid, avg-pool 2×2
    (400,), (120,), (120,), (84,), (84,), (10,),  # flatten, dense 120, 84, 10
]
assert sum(row.num_params for row in rows) == 61_706

# %% diagram
d2l.architecture_diagram(net, (1, 1, 28, 28), title="LeNet")

# %% data
batch_size = 256
train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size=batch_size)

# %% evaluate-gpu-teaching
def evaluate_accuracy_gpu(net, data_iter, device=None):
    """Teaching version of d2l.evaluate_accuracy_gpu: accuracy computed on device."""
    net.eval()  # evaluation mode
    if device is None:
        device = next(iter(net.parameters())).device
    correct, total = 0.0, 0
    with torch.no_grad():
        for X, y in data_iter:
            X, y = X.to(device), y.to(device)
            correct += d2l.accuracy(net(X), y)
            total += y.numel()
    return correct / total

# %% train-ch6-teaching
def train_ch6(net, train_iter, test_iter, num_epochs, lr, device):
    """Teaching version of d2l.train_ch6 (no plot, no progress bar)."""
    def init_weights(m):
        if type(m) is nn.Linear or type(m) is nn.Conv2d:
            nn.init.xavier_uniform_(m.weight)
    net.apply(init_weights)
    print("training on", device)
    net.to(device)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss()
    timer = d2l.Timer()
    for _ in range(num_epochs):
        metric = d2l.Accumulator(3)  # sum of losses, correct predictions, examples
        net.train()
        timer.start()
        for X, y in train_iter:
            X, y = X.to(device), y.to(device)
            optimizer.zero_grad()
            y_hat = net(X)
            batch_loss = loss(y_hat, y)  # mean over the batch
            batch_loss.backward()
            optimizer.step()
            metric.add(batch_loss.item() * X.shape[0], d2l.accuracy(y_hat, y),
                       X.shape[0])
        timer.stop()
        train_loss, train_acc = metric[0] / metric[2], metric[1] / metric[2]
        test_acc = d2l.evaluate_accuracy_gpu(net, test_iter, device)
    print(f"loss {train_loss:.3f}, train acc {train_acc:.3f}, test acc {test_acc:.3f}")
    print(f"{metric[2] * num_epochs / timer.sum():.1f} examples/sec on {device}")
    return train_loss, train_acc, test_acc

# %% train
lr, num_epochs = 0.9, 10
result = d2l.train_ch6(net, train_iter, test_iter, num_epochs, lr, d2l.try_gpu())

# %% result
# Ten classes: guessing gives 10 % accuracy. The numbers come back as values too.
assert 0 <= result.test_acc <= 1 and result.train_loss == result.train_loss  # not NaN
result.train_loss, result.train_acc, result.test_acc

# %% [markdown]
# Exercises: answers

# %% exercise-1
from torch import nn  # noqa: E402  (an answer cell imports what it needs)


def relu_max_lenet() -> nn.Sequential:
    """LeNet with ReLU instead of sigmoid and max pooling instead of average pooling."""
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5),
        nn.ReLU(),
        nn.MaxPool2d(2, stride=2),
        nn.Flatten(),
        nn.Linear(400, 120),
        nn.ReLU(),
        nn.Linear(120, 84),
        nn.ReLU(),
        nn.Linear(84, 10),
    )


def bright_squares(n: int = 100) -> tuple[torch.Tensor, torch.Tensor]:
    """n noisy 28×28 images, a bright 8×5 patch at one of 10 places: the label."""
    generator = torch.Generator().manual_seed(0)
    labels = torch.arange(n) % 10
    images = 0.1 * torch.rand(n, 1, 28, 28, generator=generator)
    for image, label in zip(images, labels.tolist(), strict=True):
        row, col = divmod(label, 5)
        image[0, 4 + 12 * row : 12 + 12 * row, 2 + 5 * col : 7 + 5 * col] += 1
    return images, labels


def fit(
    net: nn.Module, X: torch.Tensor, y: torch.Tensor, lr=0.3, steps=30
) -> list[float]:
    """Full-batch SGD with train_ch6's Xavier initialization; the loss at every step."""
    torch.manual_seed(0)
    for layer in net:
        if isinstance(layer, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(layer.weight)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(net(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


X, y = bright_squares()
sigmoid_losses, relu_losses = fit(d2l.lenet(), X, y), fit(relu_max_lenet(), X, y)
assert min(sigmoid_losses) > 2.2  # still on the plateau at ln 10 ≈ 2.30
assert relu_losses[-1] < 0.5  # already fits the easy task
print(f"sigmoid + avg: {sigmoid_losses[0]:.3f} -> {sigmoid_losses[-1]:.3f}")
print(f"ReLU + max:    {relu_losses[0]:.3f} -> {relu_losses[-1]:.3f}")

# %% exercise-2
# Where are LeNet's 61,706 parameters? By layer, the first dense layer dominates.
by_layer = {
    f"{i}: {type(layer).__name__}": sum(p.numel() for p in layer.parameters())
    for i, layer in enumerate(net)
    if any(True for _ in layer.parameters())
}
assert by_layer["7: Linear"] == 400 * 120 + 120  # the 400 -> 120 dense layer
assert by_layer["7: Linear"] / sum(by_layer.values()) > 0.75
by_layer


# %% exercise-3
def lenet_rgb32() -> nn.Sequential:
    """LeNet for 3×32×32 images: 3 input channels, no padding on the first conv."""
    return nn.Sequential(
        nn.Conv2d(3, 6, kernel_size=5),
        nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5),
        nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120),
        nn.Sigmoid(),
        nn.Linear(120, 84),
        nn.Sigmoid(),
        nn.Linear(84, 10),
    )


rgb = lenet_rgb32()
rows = d2l.print_layer_shapes(rgb, (1, 3, 32, 32))
assert rows[0].feature_shape == (6, 28, 28) and rows[6].feature_shape == (400,)
# Only the first conv grows: 2 more input channels of 6 kernels of 5×5.
assert sum(p.numel() for p in rgb.parameters()) == 61_706 + 2 * 6 * 5 * 5
