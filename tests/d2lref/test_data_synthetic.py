"""synthetic_data, data_iter and load_array against closed-form and counting checks."""

from __future__ import annotations

import random

import pytest
import torch

from d2lref.data import data_iter, load_array, synthetic_data


def test_synthetic_data_recovers_w_and_b_by_least_squares():
    torch.manual_seed(0)
    true_w, true_b = torch.tensor([2, -3.4]), 4.2
    features, labels = synthetic_data(true_w, true_b, 5000)
    assert features.shape == (5000, 2) and labels.shape == (5000, 1)
    design = torch.cat([features, torch.ones(5000, 1)], dim=1)
    solution = torch.linalg.lstsq(design, labels).solution.reshape(-1)
    assert torch.allclose(solution[:2], true_w, atol=2e-3)
    assert abs(solution[2].item() - true_b) < 2e-3
    residual = labels.reshape(-1) - design @ solution
    assert residual.std().item() == pytest.approx(0.01, rel=0.05)
    assert features.std().item() == pytest.approx(1.0, rel=0.05)


def test_synthetic_data_rejects_a_matrix_of_weights():
    with pytest.raises(ValueError, match=r"weight vector \(d,\) or a column \(d, 1\)"):
        synthetic_data(torch.ones(2, 2), 0.0, 10)


def test_synthetic_data_accepts_a_column_of_weights_as_the_book_passes_it():
    torch.manual_seed(0)
    features, labels = synthetic_data(torch.ones((200, 1)) * 0.01, 0.05, 20)
    assert features.shape == (20, 200) and labels.shape == (20, 1)
    expected = features @ (torch.ones(200) * 0.01) + 0.05
    assert torch.allclose(labels.reshape(-1), expected, atol=0.05)


def test_data_iter_covers_every_example_once():
    random.seed(0)
    features = torch.arange(25, dtype=torch.float32).reshape(25, 1)
    labels = features * 10
    batches = list(data_iter(10, features, labels))
    assert [len(X) for X, _ in batches] == [10, 10, 5]
    seen = torch.cat([X for X, _ in batches]).reshape(-1)
    assert sorted(seen.tolist()) == list(range(25))
    assert seen.tolist() != list(range(25))  # shuffled
    for X, y in batches:
        assert torch.equal(y, X * 10)  # features and labels stay paired


def test_data_iter_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="same first dimension"):
        next(data_iter(2, torch.zeros(4, 1), torch.zeros(3, 1)))


def test_load_array_batches_and_shuffling():
    features = torch.arange(100, dtype=torch.float32).reshape(50, 2)
    labels = torch.arange(50).reshape(50, 1)
    torch.manual_seed(0)
    train_batches = list(load_array((features, labels), 16))
    assert [X.shape for X, _ in train_batches] == [(16, 2)] * 3 + [(2, 2)]
    order = torch.cat([y for _, y in train_batches]).reshape(-1)
    assert sorted(order.tolist()) == list(range(50)) and order.tolist() != list(range(50))
    for X, y in train_batches:
        assert torch.equal(X[:, 0], y.reshape(-1).float() * 2)
    test_order = torch.cat([y for _, y in load_array((features, labels), 16, is_train=False)])
    assert test_order.reshape(-1).tolist() == list(range(50))
