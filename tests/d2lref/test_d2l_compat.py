"""``from d2lref import torch as d2l`` against the original ``d2l==0.17.6`` (chapters 2 to 7).

The names come from ``d2l_0_17_6_names.json`` (written by ``make_d2l_names.py`` from the
original ``d2l/torch.py``); the original's code is ``d2l_0_17_6_reference.py``. Every name is
checked for existence and signature, and run next to the original on a small seeded input:
shapes, dtypes, values, drawn lines and printed text must agree.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import importlib.util
import inspect
import io
import json
import os
import pathlib
import shutil
import sys
import types

import matplotlib
import numpy as np
import pytest
import torch
from matplotlib import pyplot as plt
from torch import nn

from d2lref import torch as d2l
from tests.d2lref.figures import record_shown_figures
from tests.data_guard import missing_data

HERE = pathlib.Path(__file__).parent
NAMES = json.loads((HERE / "d2l_0_17_6_names.json").read_text(encoding="utf-8"))
FUNCTIONS, CLASSES = NAMES["functions"], NAMES["classes"]
ALIASES, CONSTANTS = NAMES["aliases"], NAMES["constants"]
ALL_NAMES = [*FUNCTIONS, *CLASSES, *CONSTANTS, *ALIASES]
# The original reads float(l.sum()) of a loss that still has a graph: torch warns about it.
pytestmark = pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad")
# Implemented with the data downloads (d2lref.data); their behaviour is tested there.
DOWNLOAD_NAMES = {"DATA_HUB", "DATA_URL", "download", "download_extract", "download_all"}


def _load_reference() -> types.ModuleType:
    name = "d2l_0_17_6_reference"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # the original looks itself up as `d2l = sys.modules[...]`
        spec.loader.exec_module(module)
    return sys.modules[name]


class _Recorder:
    """Stands in for IPython's display / matplotlib-inline outside a notebook."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def set_matplotlib_formats(self, *formats, **kwargs) -> None:
        self.calls.append(formats)

    def display(self, *objects, **kwargs) -> None:
        pass

    def clear_output(self, wait=False) -> None:
        pass


@pytest.fixture
def original(monkeypatch):
    """The original module, with notebook-only display calls recorded instead of made."""
    module = _load_reference()
    recorder = _Recorder()
    monkeypatch.setattr(module, "backend_inline", recorder)
    monkeypatch.setattr(module, "display", recorder)
    module.recorder = recorder
    return module


@pytest.fixture(autouse=True)
def _isolated(monkeypatch):
    """Full mode (the original has no quick mode), rcParams restored, one thread."""
    monkeypatch.setenv("D2LREF_MODE", "full")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    with matplotlib.rc_context():
        yield
    torch.set_num_threads(threads)
    plt.close("all")


# ---------------------------------------------------------------------------------------------
# Names and signatures
# ---------------------------------------------------------------------------------------------


def test_names_list_is_complete():
    assert len(FUNCTIONS) == 27 and len(CLASSES) == 4 and len(ALIASES) == 30
    assert {"predict_ch3", "evaluate_loss", "train_ch6", "corr2d"} <= set(FUNCTIONS)
    assert set(CLASSES) == {"Timer", "Accumulator", "Animator", "Residual"}
    assert set(CONSTANTS) == {"DATA_HUB", "DATA_URL", "nn_Module"}


@pytest.mark.parametrize("name", ALL_NAMES)
def test_name_exists(name):
    assert hasattr(d2l, name), f"from d2lref import torch as d2l: d2l.{name} is missing"


def test_no_two_modules_export_the_same_name():
    modules = ["config", "data", "devices", "models", "ops", "plotting", "tensor_aliases",
               "training", "viz"]
    owners: dict[str, list[str]] = {}
    for module in modules:
        for name in importlib.import_module(f"d2lref.{module}").__all__:
            owners.setdefault(name, []).append(module)
    # show_images is re-exported by d2lref.data next to the Fashion-MNIST loader.
    clashes = {name: where for name, where in owners.items()
               if len(where) > 1 and name != "show_images"}
    assert clashes == {}
    assert d2l.show_images is importlib.import_module("d2lref.plotting").show_images


def _check_parameters(name: str, ours, expected: list[dict]) -> None:
    parameters = list(inspect.signature(ours).parameters.values())
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    for i, row in enumerate(expected):
        kind = row.get("kind")
        if kind == "var_positional":
            assert any(p.kind is p.VAR_POSITIONAL for p in parameters), name
            continue
        if kind == "var_keyword":
            assert any(p.kind is p.VAR_KEYWORD for p in parameters), name
            continue
        assert i < len(positional), f"{name} lacks parameter {row['name']}"
        assert positional[i].name == row["name"], f"{name}: parameter {i} is {positional[i]}"
        default = row["default"]
        if default is None:
            assert positional[i].default is inspect.Parameter.empty, (name, row)
            continue
        try:
            value = ast.literal_eval(default)
        except ValueError:  # an expression such as os.path.join('..', 'data')
            assert positional[i].default is not inspect.Parameter.empty, (name, row)
            continue
        assert positional[i].default == value, (name, row["name"], positional[i].default)
    # Extras d2lref adds must not change how the original's calls bind.
    named = [row for row in expected if "kind" not in row]
    for extra in positional[len(named):]:
        assert extra.default is not inspect.Parameter.empty, f"{name}: required {extra.name}"


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_function_signature(name):
    if name in DOWNLOAD_NAMES and not hasattr(d2l, name):
        pytest.fail(f"d2l.{name} is missing (it comes with d2lref.data's downloads)")
    _check_parameters(name, getattr(d2l, name), FUNCTIONS[name]["parameters"])


@pytest.mark.parametrize("name", list(CLASSES))
def test_class_signature_and_methods(name):
    cls = getattr(d2l, name)
    assert inspect.isclass(cls)
    _check_parameters(name, cls.__init__, [{"name": "self", "default": None},
                                           *CLASSES[name]["parameters"]])
    for method in CLASSES[name]["methods"]:
        assert callable(getattr(cls, method, None)), f"{name}.{method} is missing"


# ---------------------------------------------------------------------------------------------
# The alias block and nn_Module
# ---------------------------------------------------------------------------------------------

_MATRIX = torch.tensor([[1.5, -2.0, 3.0], [0.5, 4.0, -1.0]])
_ALIAS_CALLS = {
    # name: (args, kwargs) for the lambdas; the plain aliases are compared by identity
    "numpy": ((_MATRIX,), {}),
    "size": ((_MATRIX,), {}),
    "reshape": ((_MATRIX, (3, 2)), {}),
    "to": ((_MATRIX, torch.float64), {}),
    "reduce_sum": ((_MATRIX,), {"dim": 0}),
    "argmax": ((_MATRIX,), {"axis": 1}),
    "astype": ((_MATRIX, torch.int32), {}),
    "transpose": ((_MATRIX,), {}),
}


@pytest.mark.parametrize("name", list(ALIASES))
def test_alias(name, original):
    ours, theirs = getattr(d2l, name), getattr(original, name)
    if "value" in ALIASES[name]:
        assert ours is theirs, f"d2l.{name} is not {ALIASES[name]['value']}"
        return
    _check_parameters(name, ours, ALIASES[name]["parameters"])
    args, kwargs = _ALIAS_CALLS[name]
    expected, got = theirs(*args, **kwargs), ours(*args, **kwargs)
    assert type(got) is type(expected)
    if isinstance(expected, torch.Tensor):
        assert got.dtype == expected.dtype and torch.equal(got, expected)
    elif isinstance(expected, np.ndarray):
        assert got.dtype == expected.dtype and np.array_equal(got, expected)
    else:
        assert got == expected
    if name == "numpy":  # detached first, as the original: works on a tensor with a graph
        weights = _MATRIX.clone().requires_grad_()
        assert np.array_equal(ours(weights * 2), theirs(weights * 2))


def test_nn_module_alias(original):
    assert d2l.nn_Module is original.nn_Module is nn.Module


# ---------------------------------------------------------------------------------------------
# Behaviour next to the original, one check per name
# ---------------------------------------------------------------------------------------------


def _axes_state(ax) -> dict:
    legend = ax.get_legend()
    return {
        "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(),
        "xlim": tuple(np.round(ax.get_xlim(), 9)), "ylim": tuple(np.round(ax.get_ylim(), 9)),
        "xscale": ax.get_xscale(), "yscale": ax.get_yscale(),
        "legend": [t.get_text() for t in legend.get_texts()] if legend else None,
        "grid": [line.get_visible() for line in ax.get_xgridlines()][:1],
        "lines": [(np.asarray(line.get_xdata(), dtype=float).tolist(),
                   np.asarray(line.get_ydata(), dtype=float).tolist(),
                   line.get_linestyle(), line.get_color(), line.get_marker())
                  for line in ax.get_lines()],
        "title": ax.get_title(),
    }


def check_use_svg_display(original, monkeypatch):
    original.use_svg_display()
    assert original.recorder.calls == [("svg",)]
    # d2lref switches to SVG only inside a Jupyter kernel; simulate one.
    from matplotlib_inline import backend_inline

    from d2lref import plotting

    calls = []
    monkeypatch.setattr(plotting, "_in_ipython_kernel", lambda: True)
    monkeypatch.setattr(backend_inline, "set_matplotlib_formats",
                        lambda *formats, **kwargs: calls.append(formats))
    assert d2l.use_svg_display() is None
    assert calls == original.recorder.calls


def check_set_figsize(original, monkeypatch):
    original.set_figsize((2.0, 3.0))
    expected = list(plt.rcParams["figure.figsize"])
    plt.rcParams["figure.figsize"] = [6.4, 4.8]
    d2l.set_figsize((2.0, 3.0))
    assert list(plt.rcParams["figure.figsize"]) == expected == [2.0, 3.0]
    original.set_figsize()
    expected = list(plt.rcParams["figure.figsize"])
    d2l.set_figsize()
    assert list(plt.rcParams["figure.figsize"]) == expected == [3.5, 2.5]


def check_set_axes(original, monkeypatch):
    states = []
    for module in (original, d2l):
        _, ax = plt.subplots()
        ax.plot([1, 2, 3], [1, 10, 100])
        ax.plot([1, 2, 3], [2, 20, 50])
        module.set_axes(ax, "x", "y", [1, 3], [1, 200], "linear", "log", ["a", "b"])
        states.append(_axes_state(ax))
    assert states[0] == states[1]
    assert states[1]["yscale"] == "log" and states[1]["legend"] == ["a", "b"]


def check_plot(original, monkeypatch):
    x = torch.arange(0, 3, 0.5)
    calls = [
        ((x, [x ** 2, 2 * x - 3]), {"xlabel": "x", "ylabel": "f(x)",
                                     "legend": ["f(x)", "tangent"]}),
        ((x.tolist(),), {"xlim": [0, 5], "yscale": "log"}),
        (([x, x], [torch.sin(x), torch.cos(x)]), {"fmts": ("-", "r:"), "figsize": (2, 2)}),
    ]
    for args, kwargs in calls:
        plt.close("all")
        assert original.plot(*args, **kwargs) is None
        expected_ax = plt.gca()
        expected, size = _axes_state(expected_ax), tuple(expected_ax.figure.get_size_inches())
        plt.close("all")
        shown = record_shown_figures(monkeypatch)
        assert d2l.plot(*args, **kwargs) is None  # and shows the figure
        [ax] = shown[0].axes
        assert _axes_state(ax) == expected
        assert tuple(ax.figure.get_size_inches()) == size
        # With axes given, both draw into them.
        for module in (original, d2l):
            _, given = plt.subplots()
            module.plot(*args, axes=given, **kwargs)
            assert _axes_state(given) == expected


def check_Timer(original, monkeypatch):
    ours, theirs = d2l.Timer(), original.Timer()
    assert ours.stop() >= 0 and theirs.stop() >= 0
    ours.times, theirs.times = [1.0, 2.0, 4.5], [1.0, 2.0, 4.5]
    for method in ("avg", "sum", "cumsum"):
        assert getattr(ours, method)() == getattr(theirs, method)()


def check_synthetic_data(original, monkeypatch):
    for w in (torch.tensor([2, -3.4]), torch.ones((5, 1)) * 0.01):
        for num_examples in (6, np.int64(6)):
            torch.manual_seed(3)
            X0, y0 = original.synthetic_data(w, 4.2, num_examples)
            torch.manual_seed(3)
            X1, y1 = d2l.synthetic_data(w, 4.2, num_examples)
            assert X1.shape == X0.shape and y1.shape == y0.shape == (6, 1)
            assert X1.dtype == X0.dtype and y1.dtype == y0.dtype
            assert torch.equal(X1, X0) and torch.equal(y1, y0)


def check_linreg(original, monkeypatch):
    torch.manual_seed(0)
    X, w, b = torch.randn(4, 3), torch.randn(3, 1), torch.zeros(1)
    assert torch.equal(d2l.linreg(X, w, b), original.linreg(X, w, b))
    assert d2l.linreg(X, w, b).shape == (4, 1)


def check_squared_loss(original, monkeypatch):
    y_hat, y = torch.tensor([[1.0], [2.5], [-1.0]]), torch.tensor([0.5, 2.5, 1.0])
    expected = original.squared_loss(y_hat, y)
    assert torch.equal(d2l.squared_loss(y_hat, y), expected)
    assert expected.flatten().tolist() == [0.125, 0.0, 2.0]


def check_sgd(original, monkeypatch):
    results = []
    for module in (original, d2l):
        torch.manual_seed(0)
        w = torch.randn(3, 1, requires_grad=True)
        b = torch.zeros(1, requires_grad=True)
        (torch.randn(5, 3) @ w + b).pow(2).sum().backward()
        module.sgd([w, b], 0.1, np.int64(5))
        results.append((w.detach().clone(), b.detach().clone(), w.grad.clone()))
    for ours, theirs in zip(results[1], results[0], strict=True):
        assert torch.equal(ours, theirs)
    assert torch.count_nonzero(results[1][2]) == 0  # gradients zeroed


def check_load_array(original, monkeypatch):
    features = torch.arange(20, dtype=torch.float32).reshape(10, 2)
    labels = torch.arange(10).reshape(10, 1)
    for is_train in (True, False):
        batches = []
        for module in (original, d2l):
            torch.manual_seed(5)
            batches.append([(X.clone(), y.clone())
                            for X, y in module.load_array((features, labels), 4, is_train)])
        assert len(batches[0]) == len(batches[1]) == 3
        for (X0, y0), (X1, y1) in zip(*batches, strict=True):
            assert torch.equal(X0, X1) and torch.equal(y0, y1) and X1.dtype == X0.dtype
    # The original's DataLoader refuses a NumPy batch size; d2lref takes it.
    assert [len(X) for X, _ in d2l.load_array((features, labels), np.int64(4))] == [4, 4, 2]


def check_get_fashion_mnist_labels(original, monkeypatch):
    for labels in (torch.tensor([0, 9, 3, 5]), [1, 2, 8], np.array([4, 6, 7])):
        assert d2l.get_fashion_mnist_labels(labels) == original.get_fashion_mnist_labels(labels)


def check_show_images(original, monkeypatch):
    torch.manual_seed(0)
    imgs = torch.rand(3, 5, 4)
    titles = ["a", "b", "c"]
    states = []
    for module in (original, d2l):
        plt.close("all")
        axes = module.show_images(imgs, 2, 2, titles=titles, scale=1.0)
        assert axes.shape == (4,)
        states.append({
            "titles": [ax.get_title() for ax in axes],
            "images": [ax.images[0].get_array().tolist() if ax.images else None
                       for ax in axes],
            "visible": [(ax.get_xaxis().get_visible(), ax.get_yaxis().get_visible())
                        for ax in axes],
            "size": tuple(axes[0].figure.get_size_inches()),
        })
    assert states[1] == states[0]
    assert states[1]["titles"][:3] == titles and states[1]["size"] == (2.0, 2.0)


def check_get_dataloader_workers(original, monkeypatch):
    # Deliberate difference: d2lref uses at most the original's 4 workers, fewer on small
    # machines and 0 where workers are spawned (Windows, macOS).
    workers = d2l.get_dataloader_workers()
    assert original.get_dataloader_workers() == 4
    assert isinstance(workers, int) and 0 <= workers <= 4


def check_load_data_fashion_mnist(original, monkeypatch, tmp_path):
    from d2lref import config

    root = config.data_root()
    if not (root / "FashionMNIST" / "raw" / "train-images-idx3-ubyte").is_file():
        missing_data(f"Fashion-MNIST not found in {root}: needed to compare the loaders")
    # The original reads ../data: give it a working folder whose ../data is the data root.
    (tmp_path / "data").symlink_to(root, target_is_directory=True)
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    monkeypatch.setattr(original, "get_dataloader_workers", lambda: 0)  # no processes here
    theirs = original.load_data_fashion_mnist(32)
    ours = d2l.load_data_fashion_mnist(32, root=root)
    for expected, got in zip(theirs, ours, strict=True):
        assert len(got) == len(expected)
        assert len(got.dataset) == len(expected.dataset)
    X0, y0 = next(iter(theirs[1]))  # the test split is not shuffled: same first batch
    X1, y1 = next(iter(ours[1]))
    assert X1.shape == X0.shape == (32, 1, 28, 28) and X1.dtype == X0.dtype
    assert y1.dtype == y0.dtype and torch.equal(y1, y0)
    assert torch.equal(X1, X0)  # the same pixels, bit for bit


def check_accuracy(original, monkeypatch):
    torch.manual_seed(0)
    cases = [(torch.randn(8, 4), torch.randint(0, 4, (8,))),
             (torch.tensor([1, 0, 3]), torch.tensor([1, 2, 3])),
             (torch.tensor([[0.5], [2.0]]), torch.tensor([[0.5], [1.0]]))]  # regression
    for y_hat, y in cases:
        expected = original.accuracy(y_hat, y)
        assert type(d2l.accuracy(y_hat, y)) is float
        assert d2l.accuracy(y_hat, y) == expected
    assert original.accuracy(*cases[2]) == 1.0


def _tiny_classification(seed: int = 0, n: int = 48):
    generator = torch.Generator().manual_seed(seed)
    centers = torch.tensor([[2.0, 0.0], [-2.0, 1.0], [0.0, -2.5]])
    y = torch.arange(n) % 3
    X = centers[y] + 0.8 * torch.randn(n, 2, generator=generator)
    return X, y


def check_evaluate_accuracy(original, monkeypatch):
    X, y = _tiny_classification()
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(2, 3))
    iterator = original.load_array((X, y), 10, is_train=False)
    expected = original.evaluate_accuracy(net, iterator)
    assert d2l.evaluate_accuracy(net, iterator) == expected
    assert 0 <= expected <= 1


def check_Accumulator(original, monkeypatch):
    ours, theirs = d2l.Accumulator(3), original.Accumulator(3)
    for values in ((1, 2.5, torch.tensor(3)), (np.float32(0.25), 0, 4)):
        ours.add(*values)
        theirs.add(*values)
    assert ours.data == theirs.data and [ours[i] for i in range(3)] == theirs.data
    ours.reset()
    theirs.reset()
    assert ours.data == theirs.data == [0.0, 0.0, 0.0]
    assert d2l.Accumulator(0).data == original.Accumulator(0).data == []


def _regression_data():
    torch.manual_seed(0)
    features = torch.randn(60, 3)
    labels = features @ torch.tensor([[1.5], [-2.0], [0.5]]) + 0.3
    return features, labels + 0.01 * torch.randn(60, 1)


def _run_epochs(module, make_updater, net, data, loss, epochs=3, seed=1):
    torch.manual_seed(seed)
    iterator = module.load_array(data, 10)
    updater = make_updater(net)
    return [module.train_epoch_ch3(net, iterator, loss, updater) for _ in range(epochs)]


def _fresh_linear(seed: int, inputs: int, outputs: int) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(inputs, outputs))


def check_train_epoch_ch3(original, monkeypatch):
    regression = _regression_data()
    classification = _tiny_classification()
    cases = [
        # the book's polynomial fitting: one output, MSELoss(reduction='none'), SGD
        (regression, (3, 1), nn.MSELoss(reduction="none"),
         lambda net: torch.optim.SGD(net.parameters(), lr=0.03)),
        (classification, (2, 3), nn.CrossEntropyLoss(reduction="none"),
         lambda net: torch.optim.SGD(net.parameters(), lr=0.1)),
        # a mean-reducing loss: the original sums it per batch as it is
        (classification, (2, 3), nn.CrossEntropyLoss(),
         lambda net: torch.optim.SGD(net.parameters(), lr=0.1)),
        # the from-scratch updater gets the summed loss's gradient
        (regression, (3, 1), d2l.squared_loss,
         lambda net: (lambda batch_size: d2l.sgd(net.parameters(), 0.03, batch_size))),
    ]
    for data, shape, loss, make_updater in cases:
        nets = [_fresh_linear(2, *shape), _fresh_linear(2, *shape)]
        expected = _run_epochs(original, make_updater, nets[0], data, loss)
        got = _run_epochs(d2l, make_updater, nets[1], data, loss)
        for (loss0, acc0), (loss1, acc1) in zip(expected, got, strict=True):
            assert loss1 == pytest.approx(loss0, rel=1e-6) and acc1 == acc0
        for p0, p1 in zip(nets[0].parameters(), nets[1].parameters(), strict=True):
            assert torch.equal(p0, p1)  # the same training steps, bit for bit
        assert expected[-1][0] < expected[0][0]


class _RecordingAnimator:
    """Collects what the original's train_ch3 plots (it returns nothing)."""

    points: list = []

    def __init__(self, **kwargs) -> None:
        self.kwargs = kwargs

    def add(self, x, y) -> None:
        _RecordingAnimator.points.append((x, tuple(y)))


def check_train_ch3(original, monkeypatch):
    monkeypatch.setattr(original, "Animator", _RecordingAnimator)
    cases = [
        # regression: runs in both; the original then fails its own accuracy assertion
        (_regression_data(), (3, 1), nn.MSELoss(reduction="none"), 0.03, AssertionError),
        (_tiny_classification(), (2, 3), nn.CrossEntropyLoss(reduction="none"), 0.5, None),
    ]
    for data, shape, loss, lr, original_error in cases:
        _RecordingAnimator.points = []
        nets = [_fresh_linear(2, *shape), _fresh_linear(2, *shape)]
        torch.manual_seed(1)
        train_iter = original.load_array(data, 10)
        test_iter = original.load_array(data, 10, is_train=False)
        trainer = torch.optim.SGD(nets[0].parameters(), lr=lr)
        with pytest.raises(original_error) if original_error else contextlib.nullcontext():
            original.train_ch3(nets[0], train_iter, test_iter, loss, 4, trainer)
        expected = _RecordingAnimator.points
        torch.manual_seed(1)
        train_iter = d2l.load_array(data, 10)
        test_iter = d2l.load_array(data, 10, is_train=False)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            result = d2l.train_ch3(nets[1], train_iter, test_iter, loss, np.int64(4),
                                   torch.optim.SGD(nets[1].parameters(), lr=lr))
        assert len(result.history) == len(expected) == 4
        for (x, (loss0, acc0, test0)), row in zip(expected, result.history, strict=True):
            assert row["epoch"] == x
            assert row["train_loss"] == pytest.approx(loss0, rel=1e-6)
            assert (row["train_acc"], row["test_acc"]) == (acc0, test0)
        # The original prints nothing (it asserts on its own numbers); d2lref prints them.
        assert _printed_lines(printed.getvalue()) == [
            f"loss {result.train_loss:.3f}, train acc {result.train_acc:.3f}, test acc "
            f"{result.test_acc:.3f}"]
        for p0, p1 in zip(nets[0].parameters(), nets[1].parameters(), strict=True):
            assert torch.equal(p0, p1)


def check_predict_ch3(original, monkeypatch):
    torch.manual_seed(0)
    images, labels = torch.rand(8, 1, 28, 28), torch.tensor([0, 1, 2, 3, 4, 5, 6, 7])
    net = _fresh_linear(4, 784, 10)
    net.insert(0, nn.Flatten())
    test_iter = d2l.load_array((images, labels), 8, is_train=False)
    plt.close("all")
    assert original.predict_ch3(net, test_iter, n=4) is None
    expected = [(ax.get_title(), ax.images[0].get_array().tolist()) for ax in plt.gcf().axes]
    plt.close("all")
    shown = record_shown_figures(monkeypatch)
    assert d2l.predict_ch3(net, test_iter, n=np.int64(4)) is None
    axes = shown[0].axes
    assert [(ax.get_title(), ax.images[0].get_array().tolist()) for ax in axes] == expected
    assert expected[0][0].split("\n")[0] == "t-shirt" and len(expected) == 4


def check_evaluate_loss(original, monkeypatch):
    features, labels = _regression_data()
    net = _fresh_linear(3, 3, 1)
    iterator = d2l.load_array((features, labels.reshape(-1)), 7, is_train=False)
    for loss in (nn.MSELoss(reduction="none"), d2l.squared_loss):
        expected = original.evaluate_loss(net, iterator, loss)
        assert d2l.evaluate_loss(net, iterator, loss) == expected
        assert expected > 0


def check_try_gpu(original, monkeypatch):
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        pytest.skip("deliberate difference: d2lref returns Apple's mps device")
    for i in (0, 1, 7, np.int64(0)):
        assert d2l.try_gpu(i) == original.try_gpu(i)
    assert d2l.try_gpu() == original.try_gpu()


def check_try_all_gpus(original, monkeypatch):
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        pytest.skip("deliberate difference: d2lref returns Apple's mps device")
    assert d2l.try_all_gpus() == original.try_all_gpus()


def check_corr2d(original, monkeypatch):
    torch.manual_seed(0)
    X = torch.ones((6, 8))
    X[:, 2:6] = 0
    cases = [(torch.randn(5, 6), torch.randn(2, 3)), (X, torch.tensor([[1.0, -1.0]])),
             (torch.arange(12).reshape(3, 4), torch.tensor([[1, 2], [3, 4]]))]  # integers
    for X, K in cases:
        expected, got = original.corr2d(X, K), d2l.corr2d(X, K)
        assert got.dtype == expected.dtype == torch.float32
        assert got.shape == expected.shape and torch.equal(got, expected)
    # NumPy arrays: the original fails to store the window sums; d2lref converts them.
    X, K = np.arange(9.0, dtype=np.float32).reshape(3, 3), np.ones((2, 2), np.float32)
    assert torch.equal(d2l.corr2d(X, K), original.corr2d(torch.from_numpy(X),
                                                         torch.from_numpy(K)))


def check_evaluate_accuracy_gpu(original, monkeypatch):
    X, y = _tiny_classification(seed=3)
    net = _fresh_linear(5, 2, 3)
    iterator = d2l.load_array((X, y), 16, is_train=False)
    for device in (None, "cpu", torch.device("cpu")):
        expected = original.evaluate_accuracy_gpu(net, iterator, device)
        assert d2l.evaluate_accuracy_gpu(net, iterator, device) == expected


def _printed_lines(text: str) -> list[str]:
    """Printed lines, without where d2lref saved a figure (a script has no inline display)."""
    return [line for line in text.splitlines() if not line.startswith("figure saved to ")]


def _tiny_images(n: int = 40):
    generator = torch.Generator().manual_seed(7)
    y = torch.arange(n) % 2
    X = torch.rand(n, 1, 8, 8, generator=generator) * 0.5
    X[y == 1, :, 2:6, 2:6] += 0.6  # class 1 has a bright square
    return X, y


def _tiny_cnn() -> nn.Module:
    return nn.Sequential(nn.Conv2d(1, 2, kernel_size=3), nn.ReLU(), nn.Flatten(),
                         nn.Linear(2 * 6 * 6, 2))


def check_train_ch6(original, monkeypatch):
    data = _tiny_images()
    runs = []
    for module, epochs in ((original, 2), (d2l, np.int64(2))):
        torch.manual_seed(11)
        net = _tiny_cnn()
        train_iter = module.load_array(data, 8)
        test_iter = module.load_array(data, 8, is_train=False)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            result = module.train_ch6(net, train_iter, test_iter, epochs, 0.5, "cpu")
        runs.append((net, _printed_lines(printed.getvalue()), result))
    (net0, lines0, result0), (net1, lines1, result1) = runs
    assert result0 is None and result1.num_epochs == 2
    assert len(lines1) == len(lines0) == 3
    assert lines1[:2] == lines0[:2] and lines0[0] == "training on cpu"
    assert lines1[2].endswith(" examples/sec on cpu") and lines0[2].endswith(" on cpu")
    for p0, p1 in zip(net0.parameters(), net1.parameters(), strict=True):
        assert torch.equal(p0, p1)


def check_Residual(original, monkeypatch):
    for args in ((3, 3), (3, 6, True, 2), (1, 4)):  # (1, 4): the input broadcasts
        torch.manual_seed(0)
        theirs = original.Residual(*args)
        torch.manual_seed(0)
        ours = d2l.Residual(*args)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        X = torch.rand(2, args[0], 6, 6)
        expected = theirs(X)
        got = ours(X)
        assert got.shape == expected.shape and torch.equal(got, expected)


def check_Animator(original, monkeypatch):
    kwargs = {"xlabel": "epoch", "xlim": [1, 3], "ylim": [0.0, 1.0],
              "legend": ["train loss", "train acc", "test acc"]}
    animators = [original.Animator(**kwargs), d2l.Animator(**kwargs)]
    for animator in animators:
        for epoch, values in ((1, (0.9, 0.5, None)), (1.5, (0.7, 0.6, None)),
                              (2, (None, None, 0.65)), (3, (0.4, 0.8, 0.75))):
            animator.add(epoch, values)
        animator.add([3.5, 3.5, 3.5], (0.3, torch.tensor(0.85), 0.8))
    states = [_axes_state(animator.axes[0]) for animator in animators]
    assert states[1] == states[0]
    assert len(states[1]["lines"]) == 3 and states[1]["lines"][2][1] == [0.65, 0.75, 0.8]


def check_download(original, monkeypatch, tmp_path):
    """A file already in the cache with the right SHA-1: the original returns its path."""
    from d2lref import config

    source = config.data_root() / "kaggle_house" / "kaggle_house_pred_train.csv"
    if not source.is_file():
        missing_data(f"{source} not found: needed to compare download's cache hit")
    shutil.copy(source, tmp_path / "kaggle_house_pred_train.csv")
    monkeypatch.setenv("D2LREF_OFFLINE", "1")
    # The original's download: os.path.join(cache_dir, url.split('/')[-1]) on a hash match.
    expected = os.path.join(str(tmp_path), "kaggle_house_pred_train.csv")
    assert str(d2l.download("kaggle_house_train", cache_dir=str(tmp_path))) == expected


def check_DATA_HUB(original, monkeypatch):
    for name, (url, sha1) in original.DATA_HUB.items():
        ours_url, ours_sha1 = d2l.DATA_HUB[name]
        assert ours_sha1 == sha1 and ours_url.split("/")[-1] == url.split("/")[-1]


def check_DATA_URL(original, monkeypatch):
    assert original.DATA_URL.endswith("/") and d2l.DATA_URL.endswith("/")
    assert d2l.DATA_HUB["kaggle_house_train"][0] == d2l.DATA_URL + "kaggle_house_pred_train.csv"


def check_download_extract(original, monkeypatch):
    parameters = [p["name"] for p in FUNCTIONS["download_extract"]["parameters"]]
    assert list(inspect.signature(d2l.download_extract).parameters)[:2] == parameters


def check_download_all(original, monkeypatch):
    assert callable(d2l.download_all) and FUNCTIONS["download_all"]["parameters"] == []


def check_nn_Module(original, monkeypatch):
    test_nn_module_alias(original)


BEHAVIOUR = {name[len("check_"):]: check for name, check in dict(globals()).items()
             if name.startswith("check_")}


def test_every_name_has_a_behaviour_check():
    missing = [name for name in [*FUNCTIONS, *CLASSES, *CONSTANTS] if name not in BEHAVIOUR]
    assert missing == []


@pytest.mark.parametrize("name", [*FUNCTIONS, *CLASSES, *CONSTANTS])
def test_behaves_like_the_original(name, original, monkeypatch, request):
    if name in DOWNLOAD_NAMES and not hasattr(d2l, name):
        pytest.fail(f"d2l.{name} is missing (it comes with d2lref.data's downloads)")
    check = BEHAVIOUR[name]
    if "tmp_path" in inspect.signature(check).parameters:
        check(original, monkeypatch, request.getfixturevalue("tmp_path"))
    else:
        check(original, monkeypatch)
