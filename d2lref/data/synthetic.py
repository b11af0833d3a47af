"""Synthetic regression data and the two minibatch iterators of the linear-regression chapter."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

import torch
from torch.utils import data

__all__ = ["data_iter", "load_array", "synthetic_data"]


def synthetic_data(
    w: torch.Tensor, b: float | torch.Tensor, num_examples: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Generate ``y = Xw + b + noise`` with ``X ~ N(0, 1)`` and noise ``~ N(0, 0.01**2)``.

    ``w`` is a vector ``(d,)`` or, as the book's weight-decay chapter passes it, a column
    ``(d, 1)``. Returns ``(X, y)`` with ``X`` shaped ``(num_examples, d)`` and ``y`` shaped
    ``(num_examples, 1)``.
    """
    w = torch.as_tensor(w, dtype=torch.float32)
    if w.dim() == 2 and w.shape[1] == 1:
        w = w.reshape(-1)
    if w.dim() != 1:
        raise ValueError(f"w must be a weight vector (d,) or a column (d, 1), got shape "
                         f"{tuple(w.shape)}; pass e.g. torch.tensor([2, -3.4]).")
    if not isinstance(num_examples, int) or num_examples < 1:
        raise ValueError(f"num_examples must be a positive int, got {num_examples!r}.")
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))


def data_iter(
    batch_size: int, features: torch.Tensor, labels: torch.Tensor
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Yield shuffled minibatches ``(X, y)``, each example exactly once (the last may be short)."""
    num_examples = len(features)
    if len(labels) != num_examples:
        raise ValueError(f"features has {num_examples} examples but labels has {len(labels)}; "
                         "they must have the same first dimension.")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}.")
    indices = list(range(num_examples))
    # The examples are read in random order so that each minibatch is an unbiased sample.
    random.shuffle(indices)
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[i : min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]


def load_array(
    data_arrays: Sequence[torch.Tensor], batch_size: int, is_train: bool = True
) -> data.DataLoader:
    """Wrap tensors in a ``TensorDataset`` and a ``DataLoader`` (shuffled when ``is_train``)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}.")
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)
