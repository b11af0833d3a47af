"""The short teaching versions on the pages compute what d2lref computes.

Each teaching version is a snippet cell; the test loads the cell's code from the snippet
(never a copy), runs it after the snippet's ``imports`` cell, and compares it with d2lref's
implementation on the same seeded input.
"""

from __future__ import annotations

import copy
import math
import random
from pathlib import Path

import pytest
import torch
from torch import nn

from d2lref import torch as d2l
from d2lref.book.cells import load_snippet

SNIPPETS = Path(__file__).resolve().parents[2] / "snippets"

# (snippet, teaching cell): every teaching version the book shows, and so every one tested.
TEACHING_CELLS = {
    "linear-networks/linear-regression-scratch.py": "data-iter-teaching",
    "linear-networks/softmax-regression-scratch.py": "train-ch3-teaching",
    "convolutional-neural-networks/conv-layer.py": "corr2d-teaching",
    "convolutional-neural-networks/lenet.py": "train-ch6-teaching",
    "convolutional-modern/batch-norm.py": "batch-norm-teaching",
}
MAX_LINES, MAX_COLUMNS = 40, 88


def teaching_namespace(snippet: str) -> dict:
    """Run the snippet's imports cell and its teaching cell; return the namespace."""
    parsed = load_snippet(SNIPPETS / snippet, SNIPPETS)
    namespace: dict = {"__name__": "teaching"}
    exec(compile(parsed.cell("imports").source, f"{snippet}#imports", "exec"), namespace)
    cell = parsed.cell(TEACHING_CELLS[snippet])
    exec(compile(cell.source, f"{snippet}#{cell.name}", "exec"), namespace)
    return namespace


@pytest.mark.parametrize("snippet", sorted(TEACHING_CELLS))
def test_teaching_versions_are_short(snippet: str):
    source = load_snippet(SNIPPETS / snippet, SNIPPETS).cell(TEACHING_CELLS[snippet]).source
    lines = source.splitlines()
    assert len(lines) <= MAX_LINES, f"{snippet}: teaching version has {len(lines)} lines"
    assert max(len(line) for line in lines) <= MAX_COLUMNS


def test_corr2d_equals_d2lref():
    corr2d = teaching_namespace("convolutional-neural-networks/conv-layer.py")["corr2d"]
    generator = torch.Generator().manual_seed(1)
    X, K = torch.randn(6, 7, generator=generator), torch.randn(2, 3, generator=generator)
    assert torch.equal(corr2d(X, K), d2l.corr2d(X, K))


@pytest.mark.parametrize("shape", [(8, 5), (4, 3, 5, 6)])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_equals_d2lref(shape: tuple[int, ...], training: bool):
    batch_norm = teaching_namespace("convolutional-modern/batch-norm.py")["batch_norm"]
    generator = torch.Generator().manual_seed(2)
    X = torch.randn(shape, generator=generator) * 3 + 1
    stats_shape = (1, shape[1]) if len(shape) == 2 else (1, shape[1], 1, 1)
    gamma, beta = torch.rand(stats_shape, generator=generator), torch.randn(stats_shape)
    moving_mean, moving_var = torch.randn(stats_shape), torch.rand(stats_shape) + 0.5
    args = (X, gamma, beta, moving_mean, moving_var, 1e-5, 0.9)
    for mine, theirs in zip(batch_norm(*args, training), d2l.batch_norm(*args, training=training),
                            strict=True):
        assert torch.equal(mine, theirs)


def test_data_iter_equals_d2lref():
    data_iter = teaching_namespace("linear-networks/linear-regression-scratch.py")["data_iter"]
    features, labels = torch.randn(23, 2), torch.randn(23, 1)
    random.seed(3)
    mine = list(data_iter(5, features, labels))
    random.seed(3)
    theirs = list(d2l.data_iter(5, features, labels))
    assert len(mine) == len(theirs) == 5
    for (X_mine, y_mine), (X_theirs, y_theirs) in zip(mine, theirs, strict=True):
        assert torch.equal(X_mine, X_theirs) and torch.equal(y_mine, y_theirs)


def small_image_data(num_examples: int = 96, batch_size: int = 32):
    """A fixed, unshuffled set of 28x28 'images' with labels that depend on them."""
    generator = torch.Generator().manual_seed(4)
    X = torch.rand(num_examples, 1, 28, 28, generator=generator)
    y = (X.mean(dim=(1, 2, 3)) * 1000).long() % 10
    return d2l.load_array((X, y), batch_size, is_train=False)


def assert_same_metrics(mine: tuple[float, float, float], result) -> None:
    theirs = (result.train_loss, result.train_acc, result.test_acc)
    assert mine[1:] == theirs[1:]  # accuracies: counts over the same predictions
    assert math.isclose(mine[0], theirs[0], rel_tol=1e-6)  # loss sums, in another order


def test_train_ch3_equals_d2lref(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("D2LREF_MODE", "full")
    train_ch3 = teaching_namespace("linear-networks/softmax-regression-scratch.py")["train_ch3"]
    data = small_image_data()
    torch.manual_seed(5)
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    twin = copy.deepcopy(net)
    loss = nn.CrossEntropyLoss(reduction="none")

    def updater_for(model):
        return lambda batch_size: d2l.sgd(model.parameters(), 0.1, batch_size)

    mine = train_ch3(net, data, data, loss, 3, updater_for(net))
    result = d2l.train_ch3(twin, data, data, loss, 3, updater_for(twin))
    assert_same_metrics(mine, result)
    for p_mine, p_theirs in zip(net.parameters(), twin.parameters(), strict=True):
        assert torch.equal(p_mine, p_theirs)


def test_train_ch6_equals_d2lref(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("D2LREF_MODE", "full")
    train_ch6 = teaching_namespace("convolutional-neural-networks/lenet.py")["train_ch6"]
    data = small_image_data()
    net = d2l.lenet()
    twin = copy.deepcopy(net)  # the same biases (train_ch6 re-draws only the weights)
    torch.manual_seed(6)  # train_ch6 draws the Xavier initialization
    mine = train_ch6(net, data, data, 2, 0.9, torch.device("cpu"))
    torch.manual_seed(6)
    result = d2l.train_ch6(twin, data, data, 2, 0.9, torch.device("cpu"))
    assert_same_metrics(mine, result)
    for p_mine, p_theirs in zip(net.parameters(), twin.parameters(), strict=True):
        assert torch.equal(p_mine, p_theirs)
