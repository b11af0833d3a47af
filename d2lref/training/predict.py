"""The chapter-3 prediction helper: true and predicted Fashion-MNIST labels under images."""

from __future__ import annotations

import operator
from collections.abc import Iterable

import torch

from d2lref.data.fashion_mnist import get_fashion_mnist_labels
from d2lref.plotting import show_images

__all__ = ["predict_ch3"]


def predict_ch3(net, test_iter: Iterable, n: int = 6) -> None:
    """Show the first ``n`` images of ``test_iter``'s first batch, titled true / predicted.

    Each title is the true label, a line break, then the label of ``net``'s highest score.
    Returns None, as the book's helper.
    """
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"n must be an int number of images, got {n!r}.") from None
    if n < 1:
        raise ValueError(f"n must be at least 1 image, got {n}.")
    batch = next(iter(test_iter), None)
    if batch is None:
        raise ValueError("test_iter gave no batch; check the data loader.")
    X, y = batch
    if n > len(X):
        raise ValueError(f"the first batch holds {len(X)} images, fewer than n={n}; pass "
                         f"n <= {len(X)} or a larger batch size.")
    if X[0:n].numel() != n * 28 * 28:
        raise ValueError(f"predict_ch3 shows 28x28 Fashion-MNIST images, got images of shape "
                         f"{tuple(X.shape[1:])}; load the data without resize.")
    trues = get_fashion_mnist_labels(y)
    with torch.no_grad():  # prediction only (same scores as with a graph)
        preds = get_fashion_mnist_labels(net(X).argmax(dim=1))
    titles = [true + "\n" + pred for true, pred in zip(trues, preds, strict=True)]
    show_images(X[0:n].reshape((n, 28, 28)), 1, n, titles=titles[0:n])
