"""``from d2lref import torch as d2l`` exposes the book's names with the book's signatures."""

from __future__ import annotations

import inspect

import pytest

from d2lref import torch as d2l

BOOK_NAMES = [
    "try_gpu", "try_all_gpus", "synthetic_data", "load_array", "data_iter",
    "load_data_fashion_mnist", "get_fashion_mnist_labels", "show_images", "Accumulator",
    "Timer", "accuracy", "evaluate_accuracy", "evaluate_accuracy_gpu", "linreg",
    "squared_loss", "sgd", "train_epoch_ch3", "train_ch3", "train_ch6", "use_svg_display",
    "set_figsize", "set_axes", "plot", "Animator", "corr2d", "plt",
]

D2LREF_NAMES = [
    "get_mode", "data_root", "downloads_allowed", "set_seed", "effective_epochs",
    "quick_subset_size", "num_gpus", "device_name", "get_dataloader_workers",
    "load_kaggle_house", "preprocess_house_features", "DataError", "TrainResult",
    "publish_metrics",
]


@pytest.mark.parametrize("name", BOOK_NAMES + D2LREF_NAMES)
def test_name_is_exported(name):
    assert hasattr(d2l, name), f"d2lref.torch lacks {name}"


@pytest.mark.parametrize("name, parameters", [
    ("try_gpu", ["i"]),
    ("synthetic_data", ["w", "b", "num_examples"]),
    ("load_array", ["data_arrays", "batch_size", "is_train"]),
    ("data_iter", ["batch_size", "features", "labels"]),
    ("load_data_fashion_mnist", ["batch_size", "resize"]),
    ("show_images", ["imgs", "num_rows", "num_cols", "titles", "scale"]),
    ("accuracy", ["y_hat", "y"]),
    ("evaluate_accuracy_gpu", ["net", "data_iter", "device"]),
    ("sgd", ["params", "lr", "batch_size"]),
    ("train_epoch_ch3", ["net", "train_iter", "loss", "updater"]),
    ("train_ch3", ["net", "train_iter", "test_iter", "loss", "num_epochs", "updater"]),
    ("train_ch6", ["net", "train_iter", "test_iter", "num_epochs", "lr", "device"]),
    ("plot", ["X", "Y", "xlabel", "ylabel", "legend", "xlim", "ylim", "xscale", "yscale",
              "fmts", "figsize", "axes"]),
    ("set_axes", ["axes", "xlabel", "ylabel", "xlim", "ylim", "xscale", "yscale", "legend"]),
])
def test_book_argument_order(name, parameters):
    signature = inspect.signature(getattr(d2l, name))
    assert list(signature.parameters)[: len(parameters)] == parameters


def test_book_defaults():
    assert inspect.signature(d2l.try_gpu).parameters["i"].default == 0
    assert inspect.signature(d2l.load_array).parameters["is_train"].default is True
    assert inspect.signature(d2l.show_images).parameters["scale"].default == 1.5
    assert inspect.signature(d2l.set_figsize).parameters["figsize"].default == (3.5, 2.5)
    assert inspect.signature(d2l.plot).parameters["figsize"].default == (3.5, 2.5)
