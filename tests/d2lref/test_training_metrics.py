"""Accumulator, Timer, accuracy, evaluation, the from-scratch linear pieces, publishing."""

from __future__ import annotations

import sys
import types

import pytest
import torch
from torch import nn

from d2lref.data import load_array
from d2lref.training import (
    METRICS_MIME_TYPE,
    Accumulator,
    Timer,
    accuracy,
    correct_count,
    evaluate_accuracy,
    evaluate_accuracy_gpu,
    linreg,
    publish_metrics,
    sgd,
    squared_loss,
)


def test_accuracy_counts_correct_predictions():
    # The book's example: the first prediction (class 2) is wrong, the second (class 2) right.
    y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
    y = torch.tensor([0, 2])
    assert accuracy(y_hat, y) == 1.0
    assert accuracy(torch.tensor([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]), torch.tensor([0, 1, 1])) \
        == 2.0
    assert accuracy(torch.tensor([1, 0, 3]), torch.tensor([1, 2, 3])) == 2.0  # class ids
    count = correct_count(y_hat, y)
    assert isinstance(count, torch.Tensor) and count.item() == 1


def test_one_score_per_example_is_refused_naming_the_shape():
    y_hat = torch.tensor([[1.0], [0.0], [1.0], [2.0]])  # (batch, 1): one score per example
    y = torch.tensor([1, 0, 1, 2])
    # The original broadcasts (4, 1) against (4,) and counts 6 "correct" pairs of 4 examples.
    with pytest.raises(ValueError, match=r"y_hat has shape \(4, 1\) but the labels y have "
                                         r"shape \(4,\).*One score per example"):
        accuracy(y_hat, y)
    X = torch.arange(4, dtype=torch.float32).reshape(4, 1)
    data_iter = load_array((X, y), 2, is_train=False)
    for evaluate in (evaluate_accuracy, evaluate_accuracy_gpu):
        with pytest.raises(ValueError, match=r"shape \(2, 1\) but the labels y have shape"):
            evaluate(nn.Linear(1, 1), data_iter)
    with pytest.raises(ValueError, match=r"y_hat has shape \(4,\) but .* shape \(4, 1\)"):
        accuracy(torch.tensor([1, 0, 1, 2]), y.reshape(4, 1))
    # Regression outputs shaped like their labels still count exact matches.
    assert accuracy(y_hat, y.reshape(4, 1).float()) == 4.0


def test_accumulator():
    metric = Accumulator(3)
    metric.add(1, 2.5, torch.tensor(3))
    metric.add(1, 0.5, 4)
    assert [metric[0], metric[1], metric[2]] == [2.0, 3.0, 7.0]
    metric.reset()
    assert metric.data == [0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="3 values was given 2"):
        metric.add(1, 2)


def test_timer():
    timer = Timer()
    total = sum(i * i for i in range(20000))  # some work to time
    elapsed = timer.stop()
    assert total > 0 and elapsed > 0 and timer.times == [elapsed]
    timer.times = [1.0, 2.0, 4.0]
    assert timer.sum() == 7.0 and timer.avg() == pytest.approx(7 / 3)
    assert timer.cumsum() == [1.0, 3.0, 7.0]
    with pytest.raises(ValueError, match="stop"):
        Timer().__class__.avg(types.SimpleNamespace(times=[]))


def test_linreg_and_squared_loss():
    X = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    w = torch.tensor([[0.5], [-1.0]])
    b = torch.tensor([2.0])
    y_hat = linreg(X, w, b)
    assert torch.equal(y_hat, torch.tensor([[0.5], [-0.5]]))
    loss = squared_loss(y_hat, torch.tensor([1.5, 0.5]))
    assert torch.equal(loss, torch.tensor([[0.5], [0.5]]))


def test_sgd_step_matches_hand_computation():
    w = torch.tensor([1.0, -2.0], requires_grad=True)
    b = torch.tensor(0.5, requires_grad=True)
    X = torch.tensor([[1.0, 1.0], [2.0, 0.0]])
    y = torch.tensor([0.0, 1.0])
    loss = ((X @ w + b - y) ** 2 / 2).sum()
    loss.backward()
    # Residuals r = Xw + b - y = [-0.5, 1.5]; grad_w = X^T r = [2.5, -0.5]; grad_b = 1.0.
    sgd([w, b], lr=0.1, batch_size=2)
    assert torch.allclose(w, torch.tensor([1.0 - 0.1 * 2.5 / 2, -2.0 + 0.1 * 0.5 / 2]))
    assert b.item() == pytest.approx(0.5 - 0.1 * 1.0 / 2)
    assert torch.equal(w.grad, torch.zeros(2)) and b.grad.item() == 0


def test_sgd_without_gradient_explains():
    with pytest.raises(ValueError, match="requires_grad=True"):
        sgd([torch.zeros(2)], 0.1, 1)


def test_evaluate_accuracy_on_known_predictions():
    X = torch.arange(10, dtype=torch.float32).reshape(10, 1)
    y = torch.tensor([0, 1, 0, 1, 0, 1, 0, 1, 1, 1])  # parity, except example 8
    data_iter = load_array((X, y), 3, is_train=False)

    def parity(inputs):
        odd = inputs.reshape(-1).long() % 2
        return torch.nn.functional.one_hot(odd, 2).float()

    assert evaluate_accuracy(parity, data_iter) == pytest.approx(0.9)
    net = nn.Linear(1, 2)
    with torch.no_grad():
        net.weight.copy_(torch.tensor([[0.0], [1.0]]))
        net.bias.copy_(torch.tensor([4.5, 0.0]))  # class 1 from x >= 5
    net.train()
    assert evaluate_accuracy_gpu(net, data_iter) == pytest.approx(7 / 10)
    assert not net.training  # evaluation switches to eval mode


def test_publish_metrics_is_a_noop_outside_a_kernel():
    assert publish_metrics({"test_acc": 0.9}) is False
    with pytest.raises(TypeError, match="dict"):
        publish_metrics([0.9])


def test_publish_metrics_inside_a_kernel(monkeypatch):
    ipython = pytest.importorskip("IPython")
    import IPython.display

    shown = []
    monkeypatch.setattr(ipython, "get_ipython", lambda: types.SimpleNamespace(kernel=object()))
    monkeypatch.setattr(IPython.display, "display",
                        lambda obj, raw=False: shown.append((obj, raw)))
    assert "IPython" in sys.modules
    monkeypatch.delenv("D2LREF_PUBLISH_METRICS", raising=False)
    assert publish_metrics({"test_acc": 0.5}) is False  # a reader's notebook: no private output
    assert shown == []
    monkeypatch.setenv("D2LREF_PUBLISH_METRICS", "1")  # set by the book's runner
    assert publish_metrics({"test_acc": 0.5}) is True
    assert shown == [({METRICS_MIME_TYPE: {"test_acc": 0.5}}, True)]
