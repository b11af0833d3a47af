"""Synthetic regression data and the two minibatch iterators of the linear-regression chapter."""

from __future__ import annotations

import operator
import random
from collections.abc import Iterator, Sequence

import torch
from torch.utils import data

__all__ = ["data_iter", "load_array", "synthetic_data"]


def _count(name: str, value, minimum: int) -> int:
    """``value`` as an int (NumPy integers included), at least ``minimum``."""
    try:
        count = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an int, got {type(value).__name__} ({value!r}).") from None
    if count < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {count}.")
    return count


def synthetic_data(
    w: torch.Tensor, b: float | torch.Tensor, num_examples: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Generate ``y = Xw + b + noise`` with ``X ~ N(0, 1)`` and noise ``~ N(0, 0.01**2)``.

    ``w`` is a vector ``(d,)`` or, as the book's weight-decay chapter passes it, a column
    ``(d, 1)``. Returns ``(X, y)`` with ``X`` shaped ``(num_examples, d)`` and ``y`` shaped
    ``(num_examples, 1)``; the random draws are the book's, in the book's order.
    """
    w = torch.as_tensor(w, dtype=torch.float32)
    if not (w.dim() == 1 or (w.dim() == 2 and w.shape[1] == 1)):
        raise ValueError(f"w must be a weight vector (d,) or a column (d, 1), got shape "
                         f"{tuple(w.shape)}; pass e.g. torch.tensor([2, -3.4]).")
    num_examples = _count("num_examples", num_examples, 0)
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))


def data_iter(
    batch_size: int, features: torch.Tensor, labels: torch.Tensor
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Yield shuffled minibatches ``(X, y)``, each example once (last may be short)."""
    num_examples = len(features)
    if len(labels) != num_examples:
        raise ValueError(
            f"features has {num_examples} examples but labels has {len(labels)}; "
            "they must have the same first dimension."
        )
    batch_size = _count("batch_size", batch_size, 1)
    indices = list(range(num_examples))
    # The examples are read in random order so that each minibatch is an unbiased
    # sample.
    random.shuffle(indices)
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(indices[i : min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]


def load_array(
    data_arrays: Sequence[torch.Tensor], batch_size: int | None, is_train: bool = True
) -> data.DataLoader:
    """Wrap tensors in a ``TensorDataset`` and a ``DataLoader`` (shuffled when
    ``is_train``).

    The tensors (features, labels, ...) must hold the same number of examples.
    """
    if batch_size is not None:  # None: one example at a time, as DataLoader allows
        batch_size = _count("batch_size", batch_size, 1)
    arrays = tuple(data_arrays)
    if not arrays:
        raise ValueError(
            "load_array needs at least one tensor, e.g. (features, labels)."
        )
    for i, array in enumerate(arrays):
        if not isinstance(array, torch.Tensor):
            raise TypeError(
                f"data_arrays[{i}] is a {type(array).__name__}, not a tensor; "
                "convert it first, e.g. torch.tensor(array, dtype=torch.float32)."
            )
    lengths = [len(array) if array.dim() else None for array in arrays]
    if None in lengths or len(set(lengths)) > 1:
        shapes = ", ".join(str(tuple(array.shape)) for array in arrays)
        raise ValueError(
            f"load_array needs tensors with the same number of examples (first "
            f"dimension), got shapes {shapes}; pair every example with its label."
        )
    dataset = data.TensorDataset(*arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)
