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

from book.cells import load_snippet
from d2lref import torch as d2l

SNIPPETS = Path(__file__).resolve().parents[2] / "snippets"

# Every teaching version the book shows (snippet: its teaching cells), so every one is tested.
TEACHING_CELLS = {
    "linear-networks/linear-regression-scratch.py": [
        "data-iter-teaching", "linreg-teaching", "squared-loss-teaching", "sgd-teaching"],
    "linear-networks/linear-regression-concise.py": ["load-array-teaching"],
    "linear-networks/softmax-regression-scratch.py": [
        "accuracy-teaching", "evaluate-accuracy-teaching", "accumulator-teaching",
        "train-ch3-teaching"],
    "multilayer-perceptrons/kaggle-house-price.py": [
        "preprocess-teaching", "house-net-teaching", "log-rmse-teaching", "train-teaching",
        "k-fold-teaching", "train-and-pred-teaching"],
    "deep-learning-computation/use-gpu.py": ["try-gpu-teaching"],
    "convolutional-neural-networks/conv-layer.py": ["corr2d-teaching", "conv2d-teaching"],
    "convolutional-neural-networks/padding-and-strides.py": ["comp-conv2d-teaching"],
    "convolutional-neural-networks/channels.py": [
        "multi-in-teaching", "multi-in-out-teaching", "conv-1x1-teaching"],
    "convolutional-neural-networks/pooling.py": ["pool2d-teaching"],
    "convolutional-neural-networks/lenet.py": [
        "lenet-teaching", "evaluate-gpu-teaching", "train-ch6-teaching"],
    "convolutional-modern/alexnet.py": ["alexnet-teaching"],
    "convolutional-modern/vgg.py": ["vgg-block-teaching", "vgg-teaching"],
    "convolutional-modern/nin.py": ["nin-block-teaching", "nin-teaching"],
    "convolutional-modern/densenet.py": [
        "conv-block-teaching", "dense-block-teaching", "transition-block-teaching",
        "densenet-teaching"],
    "convolutional-modern/batch-norm.py": [
        "batch-norm-teaching", "batchnorm-layer-teaching", "lenet-bn-scratch-teaching",
        "lenet-bn-teaching"],
    "convolutional-modern/resnet.py": [
        "residual-teaching", "resnet-block-teaching", "resnet18-teaching"],
    "convolutional-modern/googlenet.py": ["inception-teaching", "googlenet-teaching"],
}
MAX_LINES, MAX_COLUMNS = 40, 88


def teaching_namespace(snippet: str) -> dict:
    """Run the snippet's imports cell and its teaching cells, in file order."""
    parsed = load_snippet(SNIPPETS / snippet, SNIPPETS)
    namespace: dict = {"__name__": "teaching"}
    for name in ["imports", *TEACHING_CELLS[snippet]]:
        cell = parsed.cell(name)
        exec(compile(cell.source, f"{snippet}#{cell.name}", "exec"), namespace)
    return namespace


def test_every_teaching_cell_is_listed():
    found = {
        path.relative_to(SNIPPETS).as_posix(): [
            cell.name for cell in load_snippet(path, SNIPPETS).cells
            if cell.name.endswith("-teaching")]
        for path in sorted(SNIPPETS.rglob("*.py"))
    }
    assert {snippet: names for snippet, names in found.items() if names} == TEACHING_CELLS


@pytest.mark.parametrize("snippet", sorted(TEACHING_CELLS))
def test_teaching_versions_are_short(snippet: str):
    parsed = load_snippet(SNIPPETS / snippet, SNIPPETS)
    names = [cell.name for cell in parsed.cells if cell.name.endswith("-teaching")]
    assert names == TEACHING_CELLS[snippet], "list every teaching cell here, in file order"
    for name in names:
        lines = parsed.cell(name).source.splitlines()
        assert len(lines) <= MAX_LINES, f"{snippet}#{name}: {len(lines)} lines"
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


def test_linreg_squared_loss_sgd_equal_d2lref():
    ns = teaching_namespace("linear-networks/linear-regression-scratch.py")
    generator = torch.Generator().manual_seed(7)
    X, y = torch.randn(10, 2, generator=generator), torch.randn(10, generator=generator)
    w, b = torch.randn(2, 1, generator=generator), torch.tensor([0.5])
    assert torch.equal(ns["linreg"](X, w, b), d2l.linreg(X, w, b))
    y_hat = d2l.linreg(X, w, b)
    assert torch.equal(ns["squared_loss"](y_hat, y), d2l.squared_loss(y_hat, y))
    updated = []
    for sgd in (ns["sgd"], d2l.sgd):
        param = w.clone().requires_grad_(True)
        d2l.squared_loss(d2l.linreg(X, param, b), y).sum().backward()
        sgd([param], 0.03, 10)
        assert torch.equal(param.grad, torch.zeros_like(param))  # reset for the next step
        updated.append(param.detach())
    assert torch.equal(*updated)


def test_load_array_equals_d2lref():
    load_array = teaching_namespace("linear-networks/linear-regression-concise.py")["load_array"]
    features, labels = torch.randn(25, 2), torch.randn(25, 1)
    for is_train in (True, False):
        torch.manual_seed(8)
        mine = [torch.cat(batch, 1) for batch in load_array((features, labels), 4, is_train)]
        torch.manual_seed(8)
        theirs = [torch.cat(batch, 1)
                  for batch in d2l.load_array((features, labels), 4, is_train)]
        assert all(torch.equal(a, b) for a, b in zip(mine, theirs, strict=True))


def test_accuracy_helpers_equal_d2lref():
    ns = teaching_namespace("linear-networks/softmax-regression-scratch.py")
    y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5], [0.8, 0.1, 0.1]])
    y = torch.tensor([0, 2, 0])
    assert ns["accuracy"](y_hat, y) == d2l.accuracy(y_hat, y) == 2.0
    data = small_image_data()
    torch.manual_seed(9)
    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    assert ns["evaluate_accuracy"](net, data) == d2l.evaluate_accuracy(net, data)
    mine, theirs = ns["Accumulator"](2), d2l.Accumulator(2)
    for metric in (mine, theirs):
        metric.add(3, 4.5)
        metric.add(torch.tensor(2.0), 1)
    assert (mine[0], mine[1]) == (theirs[0], theirs[1]) == (5.0, 5.5)
    mine.reset()
    assert mine[0] == mine[1] == 0.0


def test_evaluate_accuracy_gpu_equals_d2lref():
    ns = teaching_namespace("convolutional-neural-networks/lenet.py")
    data = small_image_data()
    torch.manual_seed(10)
    net = d2l.lenet()
    assert ns["evaluate_accuracy_gpu"](net, data) == d2l.evaluate_accuracy_gpu(net, data)


def test_conv_ops_equal_d2lref():
    generator = torch.Generator().manual_seed(11)
    channels = teaching_namespace("convolutional-neural-networks/channels.py")
    X = torch.randn(3, 5, 6, generator=generator)
    K_in, K_out = torch.randn(3, 2, 2, generator=generator), torch.randn(4, 3, 2, 2)
    K_1x1 = torch.randn(4, 3, 1, 1, generator=generator)
    assert torch.equal(channels["corr2d_multi_in"](X, K_in), d2l.corr2d_multi_in(X, K_in))
    assert torch.equal(channels["corr2d_multi_in_out"](X, K_out),
                       d2l.corr2d_multi_in_out(X, K_out))
    assert torch.equal(channels["corr2d_multi_in_out_1x1"](X, K_1x1),
                       d2l.corr2d_multi_in_out_1x1(X, K_1x1))
    pool2d = teaching_namespace("convolutional-neural-networks/pooling.py")["pool2d"]
    for mode in ("max", "avg"):
        assert torch.equal(pool2d(X[0], (2, 3), mode), d2l.pool2d(X[0], (2, 3), mode))
    comp_conv2d = teaching_namespace(
        "convolutional-neural-networks/padding-and-strides.py")["comp_conv2d"]
    conv = nn.Conv2d(1, 1, kernel_size=3, padding=1, stride=2)
    assert torch.equal(comp_conv2d(conv, X[0]), d2l.comp_conv2d(conv, X[0]))


def assert_same_layer(mine: nn.Module, theirs: nn.Module, X: torch.Tensor) -> None:
    """Same parameters in, same outputs (and buffers) out, in training and evaluation."""
    mine.load_state_dict(theirs.state_dict())
    for train in (True, False):
        mine.train(train)
        theirs.train(train)
        torch.manual_seed(0)  # the same dropout masks for both
        mine_out = mine(X)
        torch.manual_seed(0)
        assert torch.equal(mine_out, theirs(X))
    for (name, a), (_, b) in zip(mine.state_dict().items(), theirs.state_dict().items(),
                                 strict=True):
        assert torch.equal(a, b), name


def test_layers_equal_d2lref():
    generator = torch.Generator().manual_seed(12)
    X = torch.randn(4, 3, 8, 8, generator=generator)
    Conv2D = teaching_namespace("convolutional-neural-networks/conv-layer.py")["Conv2D"]
    assert_same_layer(Conv2D((2, 3)), d2l.Conv2D((2, 3)), X[0, 0])
    BatchNorm = teaching_namespace("convolutional-modern/batch-norm.py")["BatchNorm"]
    assert_same_layer(BatchNorm(3, num_dims=4), d2l.BatchNorm(3, num_dims=4), X)
    assert_same_layer(BatchNorm(8, num_dims=2), d2l.BatchNorm(8, num_dims=2), X[:, 0, 0])
    Residual = teaching_namespace("convolutional-modern/resnet.py")["Residual"]
    assert_same_layer(Residual(3, 3), d2l.Residual(3, 3), X)
    assert_same_layer(Residual(3, 6, use_1x1conv=True, strides=2),
                      d2l.Residual(3, 6, use_1x1conv=True, strides=2), X)
    Inception = teaching_namespace("convolutional-modern/googlenet.py")["Inception"]
    args = (3, 4, (2, 5), (2, 3), 2)
    assert_same_layer(Inception(*args), d2l.Inception(*args), X)


def test_try_gpu_equals_d2lref_without_mps():
    ns = teaching_namespace("deep-learning-computation/use-gpu.py")
    if not torch.cuda.is_available() and torch.backends.mps.is_available():
        pytest.skip("d2l.try_gpu picks MPS, which the teaching version leaves out")
    for i in (0, 1, 10):
        assert ns["try_gpu"](i) == d2l.try_gpu(i)
    assert ns["try_all_gpus"]() == d2l.try_all_gpus()


def test_house_price_helpers_equal_d2lref(kaggle_house_root, monkeypatch: pytest.MonkeyPatch,
                                          tmp_path: Path):
    monkeypatch.setenv("D2LREF_MODE", "full")
    ns = teaching_namespace("multilayer-perceptrons/kaggle-house-price.py")
    train_data, test_data = d2l.load_kaggle_house()
    mine = ns["preprocess_house_features"](train_data, test_data)
    theirs = d2l.preprocess_house_features(train_data, test_data)
    assert all(torch.equal(a, b) for a, b in zip(mine, theirs, strict=True))
    features, _, labels = theirs
    X, y = features[:100], labels[:100]  # 100 rows: five folds of 20, as in the original book
    for i in range(5):
        assert all(torch.equal(a, b) for a, b in zip(
            ns["get_k_fold_data"](5, i, X, y), d2l.get_k_fold_data(5, i, X, y), strict=True))
    net = d2l.house_price_net(X.shape[1])
    assert ns["log_rmse"](net, X, y) == d2l.log_rmse(net, X, y)
    curves = []
    for train in (ns["train"], d2l.train_house_prices):
        torch.manual_seed(13)
        net = d2l.house_price_net(X.shape[1])
        curves.append(train(net, X[:80], y[:80], X[80:], y[80:], 3, 5.0, 0.0, 16))
    assert curves[0] == curves[1]
    torch.manual_seed(14)
    mine = ns["k_fold"](5, X, y, 2, 5.0, 0.0, 16)
    torch.manual_seed(14)
    theirs = d2l.k_fold(5, X, y, 2, 5.0, 0.0, 16, plot_first_fold=False, verbose=False)
    assert mine == tuple(theirs)
    monkeypatch.chdir(tmp_path)  # both write submission.csv into the working directory
    submissions = []
    for train_and_pred in (ns["train_and_pred"], d2l.train_and_pred):
        torch.manual_seed(18)
        submissions.append(train_and_pred(X, features[-20:], y, test_data.iloc[-20:], 2, 5.0,
                                          0.0, 16))
    assert submissions[0].reset_index(drop=True).equals(submissions[1])


def test_model_blocks_equal_d2lref():
    X = torch.randn(2, 3, 16, 16, generator=torch.Generator().manual_seed(15))
    vgg_block = teaching_namespace("convolutional-modern/vgg.py")["vgg_block"]
    assert_same_layer(vgg_block(2, 3, 8), d2l.vgg_block(2, 3, 8), X)
    nin_block = teaching_namespace("convolutional-modern/nin.py")["nin_block"]
    assert_same_layer(nin_block(3, 8, 5, 2, 1), d2l.nin_block(3, 8, 5, 2, 1), X)
    dense = teaching_namespace("convolutional-modern/densenet.py")
    assert_same_layer(dense["conv_block"](3, 4), d2l.conv_block(3, 4), X)
    assert_same_layer(dense["DenseBlock"](2, 3, 10), d2l.DenseBlock(2, 3, 10), X)
    assert_same_layer(dense["transition_block"](3, 2), d2l.transition_block(3, 2), X)


@pytest.mark.slow
def test_train_ch6_equals_d2lref_on_fashion_mnist(fashion_mnist_root, quick_mode):
    """The same check on real data: the quick-mode subset of Fashion-MNIST, one epoch."""
    train_ch6 = teaching_namespace("convolutional-neural-networks/lenet.py")["train_ch6"]
    net = d2l.lenet()
    twin = copy.deepcopy(net)
    results = []
    for train, model in ((train_ch6, net), (d2l.train_ch6, twin)):
        d2l.set_seed(16)  # the same shuffles and the same Xavier draws for both
        train_iter, test_iter = d2l.load_data_fashion_mnist(256)
        results.append(train(model, train_iter, test_iter, 1, 0.9, torch.device("cpu")))
    assert_same_metrics(*results)


# (snippet, teaching function, d2lref function, arguments, input shape)
MODELS = [
    ("convolutional-neural-networks/lenet.py", "lenet", d2l.lenet, (), (2, 1, 28, 28)),
    ("convolutional-modern/alexnet.py", "alexnet", d2l.alexnet, (), (1, 1, 224, 224)),
    ("convolutional-modern/vgg.py", "vgg", d2l.vgg,
     (((1, 8), (1, 8), (2, 16), (2, 16), (2, 16)),), (1, 1, 224, 224)),
    ("convolutional-modern/nin.py", "nin", d2l.nin, (), (1, 1, 224, 224)),
    ("convolutional-modern/googlenet.py", "googlenet", d2l.googlenet, (), (2, 1, 96, 96)),
    ("convolutional-modern/resnet.py", "resnet18", d2l.resnet18, (), (2, 1, 96, 96)),
    ("convolutional-modern/densenet.py", "densenet", d2l.densenet, (), (2, 1, 96, 96)),
    ("convolutional-modern/batch-norm.py", "lenet_bn_scratch", d2l.lenet_bn_scratch, (),
     (4, 1, 28, 28)),
    ("convolutional-modern/batch-norm.py", "lenet_bn", d2l.lenet_bn, (), (4, 1, 28, 28)),
    ("multilayer-perceptrons/kaggle-house-price.py", "house_price_net", d2l.house_price_net,
     (7,), (5, 7)),
]


@pytest.mark.parametrize(("snippet", "name", "reference", "args", "shape"), MODELS,
                         ids=[model[1] for model in MODELS])
def test_models_equal_d2lref(snippet, name, reference, args, shape):
    """Same architecture: the same parameter names and shapes, and the same outputs."""
    mine, theirs = teaching_namespace(snippet)[name](*args), reference(*args)
    assert {k: v.shape for k, v in mine.state_dict().items()} == \
        {k: v.shape for k, v in theirs.state_dict().items()}
    X = torch.randn(shape, generator=torch.Generator().manual_seed(17))
    assert_same_layer(mine, theirs, X)
