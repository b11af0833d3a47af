"""train_ch3 and train_ch6: short real runs in quick mode, printed lines, shape errors."""

from __future__ import annotations

import re

import pytest
import torch
from torch import nn

from d2lref import config
from d2lref.data import load_data_fashion_mnist
from d2lref.training import TrainResult, sgd, train_ch3, train_ch6

LOSS_LINE = re.compile(r"^loss (\d+\.\d{3}), train acc (\d\.\d{3}), test acc (\d\.\d{3})$", re.M)
SPEED_LINE = re.compile(r"^(\d+\.\d) examples/sec on (\S+)$", re.M)


@pytest.fixture(autouse=True)
def _one_thread():
    """These models are tiny: one thread avoids the thread contention of a busy 2-core CI box
    (measured: 20 ms per step on one thread, up to 0.5 s on two under load)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def quick_data(fashion_mnist_root, quick_mode):
    config.set_seed(0)
    return load_data_fashion_mnist(64, root=fashion_mnist_root)


def assert_printed_equals(result: TrainResult, printed: str) -> None:
    loss, train_acc, test_acc = (float(v) for v in LOSS_LINE.search(printed).groups())
    assert loss == round(result.train_loss, 3)
    assert train_acc == round(result.train_acc, 3)
    assert test_acc == round(result.test_acc, 3)


def test_train_ch3_softmax_regression(quick_data, capsys):
    train_iter, test_iter = quick_data
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    nn.init.normal_(net[1].weight, std=0.01)
    loss = nn.CrossEntropyLoss(reduction="none")
    result = train_ch3(net, train_iter, test_iter, loss, 10, torch.optim.SGD(net.parameters(),
                                                                             lr=0.1))
    printed = capsys.readouterr().out
    assert "quick mode: 2 of 10 epochs on 2048 examples" in printed
    assert result.num_epochs == 2 and len(result.history) == 2 and result.mode == "quick"
    assert result.history[1]["train_loss"] < result.history[0]["train_loss"] < 2.0
    assert result.train_acc > 0.6 and result.test_acc > 0.6
    assert result.examples_per_sec is None
    assert_printed_equals(result, printed)
    assert result.history[-1]["test_acc"] == result.test_acc


def test_train_ch3_from_scratch_updater(quick_data, capsys):
    train_iter, test_iter = quick_data
    W = torch.normal(0, 0.01, size=(784, 10), requires_grad=True)
    b = torch.zeros(10, requires_grad=True)

    def net(X):
        return torch.softmax(X.reshape((-1, 784)) @ W + b, dim=1)

    def cross_entropy(y_hat, y):
        return -torch.log(y_hat[range(len(y_hat)), y])

    result = train_ch3(net, train_iter, test_iter, cross_entropy, 3,
                       lambda batch_size: sgd([W, b], 0.1, batch_size))
    assert result.history[1]["train_loss"] < result.history[0]["train_loss"]
    assert result.test_acc > 0.6
    assert_printed_equals(result, capsys.readouterr().out)


def small_cnn() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 8, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, kernel_size=3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(16 * 6 * 6, 10))


def test_train_ch6_small_cnn(quick_data, capsys):
    train_iter, test_iter = quick_data
    result = train_ch6(small_cnn(), train_iter, test_iter, 10, 0.3, torch.device("cpu"))
    printed = capsys.readouterr().out
    assert printed.splitlines()[0] == "training on cpu"
    assert result.history[1]["train_loss"] < result.history[0]["train_loss"] < 2.3
    assert result.train_acc > 0.5 and result.test_acc > 0.5
    assert_printed_equals(result, printed)
    speed, device = SPEED_LINE.search(printed).groups()
    assert float(speed) == round(result.examples_per_sec, 1) and device == result.device == "cpu"
    assert result.as_dict()["history"][0]["epoch"] == 1


def test_train_ch6_uses_xavier_init_and_sgd_channels_last(quick_data, monkeypatch, capsys):
    train_iter, test_iter = quick_data
    initialised, optimisers = [], []
    real_xavier, real_sgd = nn.init.xavier_uniform_, torch.optim.SGD
    monkeypatch.setattr(nn.init, "xavier_uniform_",
                        lambda tensor: initialised.append(tuple(tensor.shape))
                        or real_xavier(tensor))

    def recording_sgd(params, lr):
        optimisers.append(lr)
        return real_sgd(params, lr=lr)

    monkeypatch.setattr(torch.optim, "SGD", recording_sgd)
    net = nn.Sequential(nn.Conv2d(1, 4, kernel_size=3, stride=2), nn.ReLU(), nn.Flatten(),
                        nn.Linear(4 * 13 * 13, 10))
    result = train_ch6(net, train_iter, test_iter, 1, 0.05, "cpu", channels_last=True)
    assert net[0].weight.is_contiguous(memory_format=torch.channels_last)
    assert result.num_epochs == 1 and result.train_loss < 2.3
    assert initialised == [(4, 1, 3, 3), (10, 4 * 13 * 13)]
    assert optimisers == [0.05]


class NoFlatten(nn.Module):
    """A model that forgot to flatten: (batch, 10, 1, 1) scores."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.ones(10, 1, 1))

    def forward(self, X):
        return X.mean(dim=(2, 3), keepdim=True) * self.scale


def test_train_ch6_rejects_wrong_output_shape_before_training(quick_data):
    train_iter, test_iter = quick_data
    net = NoFlatten()
    with pytest.raises(ValueError, match=r"shape \(64, 10, 1, 1\).*\(64, C\).*nn\.Flatten"):
        train_ch6(net, train_iter, test_iter, 1, 0.1, "cpu")
    assert torch.equal(net.scale.detach(), torch.ones(10, 1, 1))  # no optimisation step


def test_train_ch6_rejects_too_few_classes(quick_data):
    train_iter, test_iter = quick_data
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 5))
    with pytest.raises(ValueError, match=r"5 class scores.*label is 9"):
        train_ch6(net, train_iter, test_iter, 1, 0.1, "cpu")


def test_train_ch3_rejects_wrong_output_shape(quick_data):
    train_iter, test_iter = quick_data
    with pytest.raises(ValueError, match=r"shape \(64,\), expected \(batch, classes\)"):
        train_ch3(lambda X: X.sum(dim=(1, 2, 3)), train_iter, test_iter,
                  nn.CrossEntropyLoss(reduction="none"), 1, lambda batch_size: None)
