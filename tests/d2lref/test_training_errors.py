"""Bad input to the training API fails early with an error that names the problem and the fix;
what the original d2l accepts (NumPy integers, regression models, ...) still runs."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from d2lref import torch as d2l


@pytest.fixture(autouse=True)
def _full_mode(monkeypatch):
    monkeypatch.setenv("D2LREF_MODE", "full")


def _regression_iters(n: int = 40, batch_size: int = 10):
    torch.manual_seed(0)
    features = torch.randn(n, 2)
    labels = features @ torch.tensor([[2.0], [-3.4]]) + 4.2
    return (d2l.load_array((features, labels), batch_size, is_train=False),
            d2l.load_array((features, labels), batch_size, is_train=False))


def _linear(inputs: int = 2, outputs: int = 1) -> nn.Module:
    torch.manual_seed(1)
    return nn.Sequential(nn.Linear(inputs, outputs))


# --- learning rates --------------------------------------------------------------------------


@pytest.mark.parametrize("lr", [math.nan, math.inf, -math.inf, np.float64("nan")])
def test_train_ch6_refuses_a_non_finite_lr_before_touching_the_model(lr):
    train_iter, test_iter = _regression_iters()
    net = nn.Sequential(nn.Linear(2, 3))
    before = [p.detach().clone() for p in net.parameters()]
    with pytest.raises(ValueError, match=r"lr is (nan|inf|-inf).*finite learning rate"):
        d2l.train_ch6(net, train_iter, test_iter, 1, lr, "cpu")
    assert all(torch.equal(a, b) for a, b in zip(before, net.parameters(), strict=True))


@pytest.mark.parametrize("lr", [math.nan, math.inf])
def test_train_ch3_refuses_an_optimizer_with_a_non_finite_lr(lr):
    train_iter, test_iter = _regression_iters()
    net = _linear()
    trainer = torch.optim.SGD(net.parameters(), lr=lr)  # torch itself accepts it
    with pytest.raises(ValueError, match=r"optimizer's learning rate \(group 0\) is"):
        d2l.train_ch3(net, train_iter, test_iter, nn.MSELoss(reduction="none"), 1, trainer)
    with pytest.raises(ValueError, match="finite learning rate"):
        d2l.train_epoch_ch3(net, train_iter, nn.MSELoss(reduction="none"), trainer)
    assert all(p.grad is None for p in net.parameters())


def test_sgd_refuses_a_non_finite_lr_and_an_empty_batch():
    w = torch.ones(2, requires_grad=True)
    (w * 3).sum().backward()
    with pytest.raises(ValueError, match="lr is nan"):
        d2l.sgd([w], float("nan"), 10)
    with pytest.raises(ValueError, match="batch_size must be a number of examples > 0"):
        d2l.sgd([w], 0.1, 0)
    with pytest.raises(TypeError, match="lr must be a number"):
        d2l.sgd([w], "0.1", 10)
    assert torch.equal(w.detach(), torch.ones(2)) and torch.equal(w.grad, torch.full((2,), 3.0))
    d2l.sgd([w], 0.5, np.int64(3))  # a NumPy batch size, as the original accepts
    assert torch.allclose(w.detach(), torch.full((2,), 0.5)) and w.grad.abs().sum() == 0


# --- the loss becomes NaN or inf -------------------------------------------------------------


def test_train_ch3_stops_when_the_loss_diverges_and_names_epoch_and_batch():
    train_iter, test_iter = _regression_iters()
    net = _linear()
    trainer = torch.optim.SGD(net.parameters(), lr=1e20)  # diverges within the first epoch
    with pytest.raises(FloatingPointError,
                       match=r"loss became (nan|inf) at epoch 1, batch \d of 4.*smaller "
                             r"learning rate"):
        d2l.train_ch3(net, train_iter, test_iter, nn.MSELoss(reduction="none"), 3, trainer)


def test_train_epoch_ch3_names_the_first_batch_with_nan_input():
    torch.manual_seed(0)
    features, labels = torch.randn(40, 2), torch.randn(40, 1)
    features[25] = math.nan  # in the third batch of 10
    train_iter = d2l.load_array((features, labels), 10, is_train=False)
    net = _linear()
    with pytest.raises(FloatingPointError, match=r"loss became nan at batch 3 of 4.*isfinite"):
        d2l.train_epoch_ch3(net, train_iter, nn.MSELoss(reduction="none"),
                            torch.optim.SGD(net.parameters(), lr=0.01))


def test_train_ch6_stops_when_the_loss_diverges():
    torch.manual_seed(0)
    X, y = torch.randn(40, 1, 6, 6), torch.arange(40) % 3
    X[13] = math.inf  # second batch of 8
    train_iter = d2l.load_array((X, y), 8, is_train=False)
    net = nn.Sequential(nn.Flatten(), nn.Linear(36, 3))
    with pytest.raises(FloatingPointError, match=r"loss became nan at epoch 1, batch 2 of 5"):
        d2l.train_ch6(net, train_iter, train_iter, 2, 0.1, "cpu")


# --- the updater -----------------------------------------------------------------------------


@pytest.mark.parametrize("updater", ["sgd", 0.1, None])
def test_train_ch3_refuses_a_bad_updater_before_any_backward(updater):
    train_iter, test_iter = _regression_iters()
    net = _linear()
    with pytest.raises(TypeError, match=r"updater must be a torch.optim optimizer.*"
                                        r"updater\(batch_size\)"):
        d2l.train_ch3(net, train_iter, test_iter, nn.MSELoss(reduction="none"), 2, updater)
    with pytest.raises(TypeError, match="updater must be"):
        d2l.train_epoch_ch3(net, train_iter, nn.MSELoss(reduction="none"), updater)
    assert all(p.grad is None for p in net.parameters())  # no stale gradient left behind


# --- what the original accepts still runs ----------------------------------------------------


def test_regression_model_and_numpy_counts_train():
    train_iter, test_iter = _regression_iters()
    net = _linear()
    result = d2l.train_ch3(net, train_iter, test_iter, nn.MSELoss(reduction="none"),
                           np.int64(3), torch.optim.SGD(net.parameters(), lr=0.05))
    assert result.num_epochs == 3
    assert result.history[-1]["train_loss"] < result.history[0]["train_loss"]
    assert result.train_acc == 0.0  # no prediction is exactly right: accuracy means nothing


def test_classifier_output_problems_are_still_explained():
    torch.manual_seed(0)
    X, y = torch.randn(16, 4), torch.arange(16) % 5
    train_iter = d2l.load_array((X, y), 8)
    net = nn.Sequential(nn.Linear(4, 3))  # 3 scores, labels up to 4
    with pytest.raises(ValueError, match="3 class scores.*a label is 4"):
        d2l.train_epoch_ch3(net, train_iter, nn.CrossEntropyLoss(reduction="none"),
                            torch.optim.SGD(net.parameters(), lr=0.1))
    # One score per example with an integer label cannot be a cross-entropy classifier either.
    with pytest.raises(ValueError, match=r"output has shape \(8,\)"):
        d2l.train_epoch_ch3(lambda X: X.sum(dim=1), train_iter,
                            nn.CrossEntropyLoss(reduction="none"), lambda batch_size: None)


# --- data and ops ----------------------------------------------------------------------------


def test_load_array_names_tensors_of_different_lengths():
    with pytest.raises(ValueError, match=r"same number of examples.*\(10, 2\), \(9, 1\)"):
        d2l.load_array((torch.zeros(10, 2), torch.zeros(9, 1)), 4)
    with pytest.raises(TypeError, match=r"data_arrays\[1\] is a ndarray, not a tensor"):
        d2l.load_array((torch.zeros(10, 2), np.zeros((10, 1))), 4)
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        d2l.load_array((torch.zeros(10, 2),), 0)
    with pytest.raises(TypeError, match="batch_size must be an int"):
        d2l.load_array((torch.zeros(10, 2),), 2.5)


def test_load_array_and_synthetic_data_take_numpy_integers():
    features, labels = d2l.synthetic_data(torch.tensor([2.0, -3.4]), 4.2, np.int64(12))
    assert features.shape == (12, 2) and labels.shape == (12, 1)
    sizes = [len(X) for X, _ in d2l.load_array((features, labels), np.int64(5))]
    assert sizes == [5, 5, 2]
    assert [len(X) for X, _ in d2l.data_iter(np.int32(5), features, labels)] == [5, 5, 2]
    # batch_size=None: one example at a time, as DataLoader (and so the original) allows
    assert len(list(d2l.load_array((features, labels), None))) == 12


@pytest.mark.parametrize("kernel_shape", [(0, 0), (0, 2), (2, 0)])
def test_corr2d_refuses_an_empty_kernel(kernel_shape):
    with pytest.raises(ValueError, match=r"kernel of shape \(\d, \d\) is empty"):
        d2l.corr2d(torch.ones(4, 4), torch.ones(kernel_shape))


def test_corr2d_refuses_a_kernel_larger_than_the_input():
    with pytest.raises(ValueError, match=r"larger than the input of shape \(0, 0\)"):
        d2l.corr2d(torch.ones(0, 0), torch.ones(1, 1))


def test_accumulator_takes_numpy_counts_and_refuses_negative_ones():
    assert d2l.Accumulator(np.int64(2)).data == [0.0, 0.0]
    with pytest.raises(ValueError, match="n=-1"):
        d2l.Accumulator(-1)


def test_evaluate_loss_and_predict_ch3_explain_bad_input():
    X, y = torch.randn(6, 784), torch.arange(6)
    iterator = d2l.load_array((X, y), 3, is_train=False)
    net = nn.Linear(784, 10)
    with pytest.raises(ValueError, match=r"labels of shape \(3,\) cannot take the model's "
                                         r"output shape \(3, 10\)"):
        d2l.evaluate_loss(net, iterator, nn.MSELoss(reduction="none"))
    with pytest.raises(ValueError, match="first batch holds 3 images, fewer than n=6"):
        d2l.predict_ch3(net, iterator)
    with pytest.raises(ValueError, match="no examples"):
        d2l.evaluate_loss(net, [], nn.MSELoss(reduction="none"))


def test_data_iter_and_squared_loss_explain_bad_input():
    features, labels = torch.zeros(6, 2), torch.zeros(6, 1)
    with pytest.raises(TypeError, match="batch_size must be an int, got float"):
        next(d2l.data_iter(2.5, features, labels))
    with pytest.raises(ValueError, match=r"y_hat has shape \(4, 3\) and y has shape \(4,\)"):
        d2l.squared_loss(torch.zeros(4, 3), torch.zeros(4))


def test_show_images_needs_a_title_per_image():
    with pytest.raises(ValueError, match="2 titles for 3 images"):
        d2l.show_images(torch.zeros(3, 4, 4), 1, 3, titles=["a", "b"])
